package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildProgressLog: without a terminal, `ww build` logs an info line
// when go build starts (and every 5 s); stdout has only the result.
func TestBuildProgressLog(t *testing.T) {
	t.Setenv("WW_HOME", t.TempDir())
	t.Setenv("WW_LOG", "info")
	t.Setenv("GOTOOLCHAIN", "local")
	out := filepath.Join(t.TempDir(), "boot", "main.wasm")
	src := filepath.Join("..", "..", "testdata", "guests", "exitcode")
	var o, e bytes.Buffer
	if code := run([]string{"build", "--output", out, src}, strings.NewReader(""), &o, &e); code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, e.String())
	}
	if !builtLine.MatchString(o.String()) {
		t.Errorf("stdout %q", o.String())
	}
	if !strings.Contains(e.String(), "level=INFO msg=building dir="+src+" elapsed=0s\n") {
		t.Errorf("no progress line on stderr:\n%s", e.String())
	}
}

func TestProgressBar(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "[====                ]"},
		{300 * time.Millisecond, "[   ====             ]"},
		{1600 * time.Millisecond, "[                ====]"},
		{1700 * time.Millisecond, "[               ==== ]"},
		{3200 * time.Millisecond, "[====                ]"},
	} {
		if got := progressBar(tc.d); got != tc.want {
			t.Errorf("progressBar(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestRunBuildCached (system design §12): `ww run` builds a root layer
// that is a Go main package, and a second run over the same data
// directory takes the module from the build cache.
func TestRunBuildCached(t *testing.T) {
	t.Setenv("WW_HOME", t.TempDir())
	t.Setenv("WW_LOG", "info")
	t.Setenv("GOTOOLCHAIN", "local")
	src := filepath.Join("..", "..", "testdata", "guests", "exitcode")
	args := append([]string{"run"}, append(loopback, src)...)
	for i, want := range []string{"msg=building dir=" + src, "msg=\"build cached\" dir=" + src} {
		var o, e bytes.Buffer
		// pid0's argv is ["kernel"], so the exitcode guest exits 100.
		if code := run(args, strings.NewReader(""), &o, &e); code != 100 {
			t.Fatalf("run %d: exit %d\nstderr: %s", i+1, code, e.String())
		}
		if !strings.Contains(e.String(), want) {
			t.Errorf("run %d: stderr lacks %q:\n%s", i+1, want, e.String())
		}
		if i == 1 && strings.Contains(e.String(), "msg=building") {
			t.Errorf("run 2 built again:\n%s", e.String())
		}
	}
}
