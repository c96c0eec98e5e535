package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"glia": main})
}

// TestScripts runs the command-line contract cases of testdata/script
// (Glia spec 19): invocations, exit statuses, arguments, standard input.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("GLIA_PATH", "")
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
	})
}
