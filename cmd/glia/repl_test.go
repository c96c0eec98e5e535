package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminal is a glia REPL running on a pseudo-terminal.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	seen int
	done chan struct{}
}

func buildGlia(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "glia")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func startTerminal(t *testing.T, bin, home string) *terminal {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "WW_HOME="+home, "TERM=xterm")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, ptmx: ptmx, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		ptmx.Close()
		cmd.Wait()
	})
	return term
}

func (term *terminal) send(s string) {
	if _, err := io.WriteString(term.ptmx, s); err != nil {
		term.t.Fatal(err)
	}
}

// expect waits until want appears in the output after what earlier
// expectations consumed.
func (term *terminal) expect(want string) {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		term.mu.Lock()
		rest := term.out.String()[term.seen:]
		if i := strings.Index(rest, want); i >= 0 {
			term.seen += i + len(want)
			term.mu.Unlock()
			return
		}
		term.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	term.t.Fatalf("did not see %q; terminal shows:\n%s", want, term.out.String()[term.seen:])
}

func (term *terminal) exitCode() int {
	term.t.Helper()
	select {
	case <-term.done:
	case <-time.After(10 * time.Second):
		term.t.Fatal("REPL did not exit")
	}
	term.cmd.Wait()
	return term.cmd.ProcessState.ExitCode()
}

// TestREPLTerminal drives the REPL through a pseudo-terminal: multi-line
// input, completion of a defined name, Ctrl-C interrupting a runaway loop,
// *1, Ctrl-D, and history recalled after a restart.
func TestREPLTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the glia binary")
	}
	bin := buildGlia(t)
	home := t.TempDir()

	term := startTerminal(t, bin, home)
	term.expect("glia> ")
	term.send("(defn double-it [x]\r")
	term.expect("...> ")
	term.send("  (* x 2))\r")
	term.expect("#<fn [1]>")
	term.expect("glia> ")

	term.send("(double-i\t")
	term.expect("t")
	term.send(" 21)\r")
	term.expect("42")
	term.expect("glia> ")

	term.send("(loop [] (recur))\r")
	time.Sleep(300 * time.Millisecond)
	term.send("\x03")
	term.expect("error: [glia.error/interrupted]")
	term.expect("glia> ")

	term.send("(+ *1 1)\r")
	term.expect("43")
	term.expect("glia> ")
	term.send("\x04")
	if code := term.exitCode(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	// A new REPL recalls the previous session's lines.
	term = startTerminal(t, bin, home)
	term.expect("glia> ")
	term.send("\x1b[A")
	term.expect("(+ *1 1)")
	term.send("\r")
	term.send("(exit 3)\r")
	if code := term.exitCode(); code != 3 {
		t.Fatalf("exit code %d, want 3", code)
	}
	if b, err := os.ReadFile(filepath.Join(home, "history")); err != nil || !strings.Contains(string(b), "double-it") {
		t.Fatalf("history file: %q %v", b, err)
	}
}
