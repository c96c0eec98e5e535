package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/identity"
)

var (
	swarmImageOnce sync.Once
	swarmImageDir  string
	swarmImageErr  error
)

// swarmImage builds std/kernel as boot/main.wasm and the stream echo
// handler as bin/streamecho.wasm into one image directory, once.
func swarmImage(t *testing.T) string {
	t.Helper()
	swarmImageOnce.Do(func() {
		os.Setenv("GOTOOLCHAIN", "local")
		dir, err := os.MkdirTemp("", "ww-swarm-image-")
		if err != nil {
			swarmImageErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		for src, out := range map[string]string{
			filepath.Join("..", "..", "std", "kernel"):                    filepath.Join(dir, "boot", "main.wasm"),
			filepath.Join("..", "..", "testdata", "guests", "streamecho"): filepath.Join(dir, "bin", "streamecho.wasm"),
		} {
			if _, err := build.Build(ctx, src, out, build.Options{}); err != nil {
				swarmImageErr = err
				return
			}
		}
		swarmImageDir = dir
	})
	if swarmImageErr != nil {
		t.Fatal(swarmImageErr)
	}
	return swarmImageDir
}

// daemon is a `ww run --daemon` process driven through its stdin.
type daemon struct {
	t      *testing.T
	name   string
	home   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout syncBuffer
	stderr syncBuffer
	seq    int
	rf     runFile
	done   chan struct{}
}

// startDaemon runs `ww run --daemon` on 127.0.0.1 with its own data
// directory and waits for its run file.
func startDaemon(t *testing.T, name string, args ...string) *daemon {
	return startDaemonFrom(t, nil, name, args...)
}

// startDaemonFrom is startDaemon with the compile cache of from copied
// into the new data directory, which saves compiling the kernel again.
func startDaemonFrom(t *testing.T, from *daemon, name string, args ...string) *daemon {
	t.Helper()
	d := &daemon{t: t, name: name, home: t.TempDir(), done: make(chan struct{})}
	if from != nil {
		cache := filepath.Join("cache", "wazero")
		if err := os.CopyFS(filepath.Join(d.home, cache), os.DirFS(filepath.Join(from.home, cache))); err != nil {
			t.Logf("compile cache not copied: %v", err)
		}
	}
	all := append([]string{"run", "--daemon", "--data-dir", d.home, "--listen", "/ip4/127.0.0.1/tcp/0", "--dht-mode", "server"}, args...)
	all = append(all, swarmImage(t))
	d.cmd = exec.Command("ww", all...)
	d.cmd.Env = append(os.Environ(), "WW_LOG=warn", "GOTOOLCHAIN=local")
	var err error
	if d.stdin, err = d.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	d.cmd.Stdout, d.cmd.Stderr = &d.stdout, &d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(d.stop)
	deadline := time.After(3 * time.Minute)
	for {
		files, _ := filepath.Glob(filepath.Join(d.home, "run", "*.json"))
		if len(files) == 1 {
			if data, err := os.ReadFile(files[0]); err == nil && json.Unmarshal(data, &d.rf) == nil {
				break
			}
		}
		select {
		case <-d.done:
			t.Fatalf("%s exited at start\nstderr: %s", name, d.stderr.String())
		case <-deadline:
			t.Fatalf("%s: no run file\nstderr: %s", name, d.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	// The run file is written before pid0 boots: wait for the shell.
	d.eval("(+ 1 2)", "3\n")
	t.Logf("%s up", name)
	return d
}

// addr is the node's first address with its peer id.
func (d *daemon) addr() string { return d.rf.Addrs[0] }

// ask evaluates src and returns what it printed on stdout and stderr,
// delimited by marker forms.
func (d *daemon) ask(src string) (stdout, stderr string) {
	d.t.Helper()
	d.seq++
	marker := fmt.Sprintf(`"<<%s-%d>>"`, d.name, d.seq)
	outStart, errStart := len(d.stdout.String()), len(d.stderr.String())
	if _, err := io.WriteString(d.stdin, src+"\n"+marker+"\n"); err != nil {
		d.t.Fatalf("%s: write: %v", d.name, err)
	}
	deadline := time.After(2 * time.Minute)
	for {
		out := d.stdout.String()[outStart:]
		if i := strings.Index(out, marker+"\n"); i >= 0 {
			return out[:i], d.stderr.String()[errStart:]
		}
		select {
		case <-d.done:
			d.t.Fatalf("%s exited during %s\nstdout: %s\nstderr: %s", d.name, src, out, d.stderr.String())
		case <-deadline:
			d.t.Fatalf("%s: no answer to %s\nstdout: %s\nstderr: %s", d.name, src, out, d.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// eval is ask expecting exactly want on stdout and nothing on stderr.
func (d *daemon) eval(src, want string) {
	d.t.Helper()
	out, errs := d.ask(src)
	if out != want || errs != "" {
		d.t.Fatalf("%s: %s = %q (stderr %q), want %q", d.name, src, out, errs, want)
	}
}

// stop ends the daemon with SIGTERM (exit 0), or kills it.
func (d *daemon) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
	}
}

// TestSwarmDaemons is §18.4 items 1 and 2 through three `ww run --daemon`
// processes driven by piped Glia: B and C bootstrap to A; B provides a
// name and serves a wasm echo handler; C finds B, connects, dials and gets
// its bytes back. Then B is killed mid-stream and C's read fails instead
// of hanging.
func TestSwarmDaemons(t *testing.T) {
	a := startDaemon(t, "A")
	b := startDaemonFrom(t, a, "B", "--bootstrap", a.addr())
	c := startDaemonFrom(t, a, "C", "--bootstrap", a.addr())
	bid := fmt.Sprintf("%q", b.rf.PeerID)

	b.eval(`(routing provide "echo-svc")`, "")
	b.eval(`(host listen "echo" (load "/bin/streamecho.wasm"))`, "")
	if _, errs := b.ask(`(host listen "echo" (load "/bin/streamecho.wasm"))`); !strings.Contains(errs, "alreadyExists: protocol already registered: echo") {
		t.Errorf("duplicate listen: stderr %q", errs)
	}
	if _, errs := b.ask(`(host listen "a b" (load "/bin/streamecho.wasm"))`); !strings.Contains(errs, "invalidArgument: invalid protocol name") {
		t.Errorf("invalid name: stderr %q", errs)
	}

	c.eval(`(count (def provs (routing find "echo-svc")))`, "1\n")
	c.eval(`(mapv :peer-id provs)`, "["+bid+"]\n")
	c.eval(`(host connect (str (first (:addrs (first provs))) "/p2p/" `+bid+`))`, "")
	c.eval(`(let [s (host dial `+bid+` "echo")] (s :write "hello") (s :close) (s :read-all))`, "\"hello\"\n")
	env, errs := c.ask(`(let [s (host dial ` + bid + ` "echo")] (s :write "?env\n") (s :close) (s :read-all))`)
	for _, want := range []string{`WW_PROTOCOL=echo\n`, `WW_REMOTE_PEER=` + c.rf.PeerID + `\n`} {
		if !strings.Contains(env, want) || errs != "" {
			t.Errorf("handler environment %q (stderr %q) lacks %q", env, errs, want)
		}
	}

	// Kill B mid-stream: C's read ends with an error, promptly.
	c.eval(`(def s (host dial `+bid+` "echo")) (s :write "first") (= (bytes "first") (s :read 5))`, "#<cap stream>\ntrue\n")
	if err := b.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-b.done
	out, errs := c.ask(`(s :read-all)`)
	if out != "" || !strings.Contains(errs, "unavailable") || strings.Contains(errs, "deadlineExceeded") {
		t.Errorf("read after B died: stdout %q, stderr %q", out, errs)
	}
	c.eval(`(+ 1 2)`, "3\n") // C is healthy
}

// TestShellLogin is §18.4 item 5: an authorized key gets a forked shell
// on the node, another key is refused, a remote (exit) ends only the
// session, and without an address the run file is used.
func TestShellLogin(t *testing.T) {
	keys := map[string]*identity.Key{}
	files := map[string]string{}
	for _, name := range []string{"node", "friend", "stranger"} {
		k, err := identity.Generate()
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
		files[name] = filepath.Join(t.TempDir(), name)
		if err := identity.Save(files[name], k, false); err != nil {
			t.Fatal(err)
		}
	}
	a := startDaemon(t, "A", "--identity", files["node"], "--authorized-peer", keys["friend"].PeerID().String())
	want := fmt.Sprintf("%q\n", a.rf.PeerID)
	shellRun := func(stdin string, args ...string) result {
		var out, errb syncBuffer
		code := run(append([]string{"shell", "--data-dir", t.TempDir()}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}

	r := shellRun("", "--identity", files["stranger"], a.addr(), "-e", "(host id)")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "login auth failed: key not authorized") {
		t.Errorf("stranger: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = shellRun("", "--identity", files["friend"], a.addr(), "-e", "(host id)")
	if r.code != 0 || r.stdout != want {
		t.Errorf("friend: exit %d, stdout %q, want %q, stderr %q", r.code, r.stdout, want, r.stderr)
	}
	// Script mode; (exit 3) ends the session with 3 and the node runs on.
	r = shellRun("(host id)\n(undefined-fn)\n(exit 3)\n(+ 1 2)\n", "--identity", files["friend"], a.addr())
	if r.code != 3 || r.stdout != want || !strings.Contains(r.stderr, "[glia.error/") {
		t.Errorf("script: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	a.eval("(+ 2 2)", "4\n")

	// Interactive: the REPL of ww run, on a pseudo-terminal; (exit) ends
	// the session only.
	cmd := exec.Command("ww", "shell", "--data-dir", t.TempDir(), "--identity", files["friend"], a.addr())
	cmd.Env = append(os.Environ(), "WW_LOG=warn", "TERM=xterm")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var term syncBuffer
	go io.Copy(&term, ptmx)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	expect := func(want string) {
		t.Helper()
		deadline := time.After(time.Minute)
		for !strings.Contains(term.String(), want) {
			select {
			case err := <-exited:
				t.Fatalf("ww shell exited (%v) before %q\noutput: %q", err, want, term.String())
			case <-deadline:
				t.Fatalf("no %q\noutput: %q", want, term.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	expect("/ ❯ ")
	ptmx.Write([]byte("(host id)\r"))
	expect(want[:len(want)-1])
	ptmx.Write([]byte("(exit)\r"))
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("interactive (exit): %v\noutput: %q", err, term.String())
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("ww shell did not exit\noutput: %q", term.String())
	}
	a.eval("(+ 3 3)", "6\n")
	// No address: the run file of the data directory, with the node key.
	var out, errb syncBuffer
	code := run([]string{"shell", "--data-dir", a.home, "--identity", files["node"], "-e", "(host id)"}, strings.NewReader(""), &out, &errb)
	if code != 0 || out.String() != want {
		t.Errorf("local node: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}
