package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestRunKernelInteractive drives the interactive mode through a real
// pseudo-terminal: the ww binary runs std/kernel, evaluates a form,
// continues an open form on the next line and exits 0 on Ctrl-D. The
// prompts "<cwd> ❯ " and "… " are checked when the driver prints them
// (see below).
func TestRunKernelInteractive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ww and boots a node")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "std", "kernel", "main.go")); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	env := append(os.Environ(), "GOTOOLCHAIN=local", "WW_LOG=warn", "TERM=xterm")

	ww := filepath.Join(tmp, "ww")
	gobuild := exec.Command("go", "build", "-o", ww, "./cmd/ww")
	gobuild.Dir = root
	gobuild.Env = env
	if out, err := gobuild.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(ww, "run", "std/kernel", "--port", "0", "--data-dir", filepath.Join(tmp, "home"))
	cmd.Dir = root
	cmd.Env = env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()

	out := &syncBuffer{}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				return // EIO once the child has exited
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	killed := false
	defer func() {
		if !killed && cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()

	// expect waits until want appears in the output after offset from and
	// returns the offset past it.
	expect := func(from int, want string, timeout time.Duration) int {
		t.Helper()
		deadline := time.After(timeout)
		for {
			s := out.String()
			if i := strings.Index(s[from:], want); i >= 0 {
				return from + i + len(want)
			}
			select {
			case err := <-exited:
				killed = true
				time.Sleep(100 * time.Millisecond)
				t.Fatalf("ww exited (%v) before printing %q\noutput: %q", err, want, out.String())
			case <-deadline:
				t.Fatalf("no %q within %v\noutput: %q", want, timeout, out.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	send := func(s string) {
		t.Helper()
		if _, err := ptmx.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}

	// Design §8.7: the driver prints the prompt "<cwd> ❯ " (here "/ ❯ ")
	// and "… " while a form is open. Booting builds the kernel first.
	pos := expect(0, "/ ❯ ", 3*time.Minute)
	send("(executor echo \"hi\")\r")
	pos = expect(pos, "\"Echo: hi\"", time.Minute)
	pos = expect(pos, "/ ❯ ", time.Minute)
	send("(+ 1\r")
	pos = expect(pos, "… ", time.Minute)
	send("2)\r")
	pos = expect(pos, "3\r\n", time.Minute)
	expect(pos, "/ ❯ ", time.Minute)

	send("\x04") // Ctrl-D on an empty line
	select {
	case err := <-exited:
		killed = true
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Errorf("exit %d after Ctrl-D\noutput: %q", ee.ExitCode(), out.String())
		} else if err != nil {
			t.Error(err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("ww did not exit after Ctrl-D\noutput: %q", out.String())
	}
	ptmx.Close()
	<-copied
}
