package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wetware/ww/runtime/build"
)

// TestRunKernelPath: the kernel's shell runs unbound call heads found on
// PATH (default /bin). std/echo is built as <tmp>/bin/echo.wasm and
// mounted at /bin; its stdout reaches the session output, a non-zero exit
// is reported as command-failed and an absent command as
// command-not-found, and the failed forms make ww exit 1.
func TestRunKernelPath(t *testing.T) {
	kernel := filepath.Join("..", "..", "std", "kernel")
	if _, err := os.Stat(filepath.Join(kernel, "main.go")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOTOOLCHAIN", "local")
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := build.Build(ctx, filepath.Join("..", "..", "std", "echo"), filepath.Join(bin, "echo.wasm"), build.Options{}); err != nil {
		t.Fatal(err)
	}

	args := append([]string{"run"}, append(loopback, kernel, bin+":/bin")...)
	r := runWWIn(t, "(echo \"hello\" 42)\n(echo \"--fail\")\n(nosuch)\n", args...)
	if r.code != 1 {
		t.Errorf("exit %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "hello 42\n") {
		t.Errorf("stdout %q lacks hello 42\nstderr: %s", r.stdout, r.stderr)
	}
	for _, want := range []string{
		"[glia.error/command-failed] echo: exit code 3",
		"[glia.error/command-not-found] nosuch: command not found",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
}
