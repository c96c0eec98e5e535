package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/identity"
)

// loopback keeps every test node on 127.0.0.1.
var loopback = []string{"--listen", "/ip4/127.0.0.1/tcp/0", "--listen", "/ip4/127.0.0.1/udp/0/quic-v1"}

// runWWIn runs ww with stdin and an isolated WW_HOME.
func runWWIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	t.Setenv("WW_HOME", t.TempDir())
	t.Setenv("WW_LOG", "warn")
	t.Setenv("GOTOOLCHAIN", "local")
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestRunHelp(t *testing.T) {
	r := runWW(t, "run", "--help")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Usage: ww run [OPTIONS] [MOUNT]...\n") {
		t.Errorf("no usage line:\n%s", r.stdout)
	}
	for _, flag := range []string{
		"--port <PORT>", "[default: 2025]", "--wasm-debug", "--identity <PATH>", "[env: WW_IDENTITY]",
		"--stem <ADDR>", "--rpc-url <URL>", "--ws-url <URL>", "--confirmation-depth <N>",
		"--listen <MULTIADDR>", "--bootstrap <ADDR>", "--nat", "--daemon", "--mem-limit <SIZE>",
		"--max-procs <N>", "--call-timeout <DURATION>", "--data-dir <PATH>", "-h, --help",
		"--dht-mode <MODE>", "[default: auto]", "--mdns", "--authorized-peer <ID>",
	} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("help lacks %q", flag)
		}
	}
}

func TestRunUsageErrors(t *testing.T) {
	if r := runWWIn(t, "", "run", "--port", "x"); r.code != 2 {
		t.Errorf("bad --port: exit %d", r.code)
	}
	if r := runWWIn(t, "", "run", "--listen", "nonsense"); r.code != 1 || !strings.Contains(r.stderr, "ww: --listen nonsense") {
		t.Errorf("bad --listen: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runWWIn(t, "", "run", "--bootstrap", "nonsense", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "ww: --bootstrap nonsense: ") {
		t.Errorf("bad --bootstrap: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runWWIn(t, "", "run", "--dht-mode", "lan", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "ww: --dht-mode lan: want auto, server or client") {
		t.Errorf("bad --dht-mode: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runWWIn(t, "", "run", "--authorized-peer", "nobody", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "ww: --authorized-peer nobody: ") {
		t.Errorf("bad --authorized-peer: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runWWIn(t, "", append([]string{"run", "--stem", "0x01"}, append(loopback, t.TempDir())...)...); r.code != 1 ||
		!strings.Contains(r.stderr, "ww: --stem 0x01: not an address") {
		t.Errorf("--stem: exit %d, stderr %q", r.code, r.stderr)
	}
	r := runWWIn(t, "", append([]string{"run"}, append(loopback, t.TempDir())...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "boot/main.wasm") {
		t.Errorf("empty image: exit %d, stderr %q", r.code, r.stderr)
	}
}

var builtLine = regexp.MustCompile(`^built (.+) \((\d+) bytes, (bafkrei[a-z2-7]+)\)\n$`)

func TestBuildCmd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "img", "boot", "main.wasm")
	r := runWWIn(t, "", "build", "--output", out, filepath.Join("..", "..", "testdata", "guests", "echo"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	m := builtLine.FindStringSubmatch(r.stdout)
	if m == nil || m[1] != out {
		t.Fatalf("stdout %q", r.stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if m[3] != build.CID(data).String() {
		t.Errorf("cid %s, file %s", m[3], build.CID(data))
	}
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}

	t.Setenv("WW_GO", filepath.Join(t.TempDir(), "no-go"))
	var o, e bytes.Buffer
	if code := run([]string{"build", t.TempDir()}, strings.NewReader(""), &o, &e); code != 1 || e.String() != "ww: go toolchain not found\n" {
		t.Errorf("no toolchain: exit %d, stderr %q", code, e.String())
	}
}

// guestImage builds testdata/guests/<name> into a fresh image directory.
func guestImage(t *testing.T, name string) string {
	t.Helper()
	t.Setenv("GOTOOLCHAIN", "local")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := build.Build(ctx, filepath.Join("..", "..", "testdata", "guests", name), filepath.Join(dir, "boot", "main.wasm"), build.Options{}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunPassthrough: a pid0 without a Shell export gets stdio copied and
// ww exits with its code; the guest reaches Host and Executor through the
// Membrane, and the node uses the selected identity.
func TestRunPassthrough(t *testing.T) {
	img := guestImage(t, "rpcclient")
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "identity")
	if err := identity.Save(keyFile, key, false); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"run", "--identity", keyFile}, append(loopback, img)...)
	r := runWWIn(t, "", args...)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	want := "Echo: hi\nid: " + hex.EncodeToString([]byte(key.PeerID())) + "\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}

	// The identity mount form selects the key too.
	args = append([]string{"run"}, append(loopback, img, keyFile+":/etc/identity")...)
	if r := runWWIn(t, "", args...); r.code != 0 || r.stdout != want {
		t.Errorf("identity mount: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestRunExitCode: pid0's exit code is ww's (the exitcode guest exits
// 100 when argv has no number, as pid0's argv is ["kernel"]).
func TestRunExitCode(t *testing.T) {
	img := guestImage(t, "exitcode")
	r := runWWIn(t, "", append([]string{"run"}, append(loopback, img)...)...)
	if r.code != 100 {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestRunKernelScript is the end-to-end script mode test: std/kernel is
// built on the fly (a Go main package without boot/main.wasm), exports a
// Shell, and forms on stdin are evaluated in order.
func TestRunKernelScript(t *testing.T) {
	kernel := filepath.Join("..", "..", "std", "kernel")
	if _, err := os.Stat(filepath.Join(kernel, "main.go")); err != nil {
		t.Fatal(err)
	}
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "identity")
	if err := identity.Save(keyFile, key, false); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"run", "--identity", keyFile}, append(loopback, kernel)...)
	r := runWWIn(t, "(host id)\n(executor echo \"hi\")\n", args...)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "\"Echo: hi\"\n") {
		t.Fatalf("stdout %q lacks Echo: hi\nstderr: %s", r.stdout, r.stderr)
	}

	// A failed form is reported on stderr as [tag] message, later forms
	// still run, and the exit status is 1.
	r = runWWIn(t, "(undefined-fn 1)\n(+ 1\n   2)\n", append([]string{"run"}, append(loopback, kernel)...)...)
	if r.code != 1 || !regexp.MustCompile(`(?m)^\[[^\]]+\] `).MatchString(r.stderr) || !strings.Contains(r.stdout, "3\n") {
		t.Errorf("failed form: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// (exit n) ends the node with n.
	r = runWWIn(t, "(exit 7)\n(+ 1 2)\n", append([]string{"run"}, append(loopback, kernel)...)...)
	if r.code != 7 || strings.Contains(r.stdout, "3") {
		t.Errorf("(exit 7): exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	if !strings.Contains(r.stdout+runWWIn(t, "(host id)\n", args...).stdout, key.PeerID().String()) {
		// Design §8.6: (host id) is the peer id as a string.
		t.Errorf("(host id) did not print the peer id %s", key.PeerID())
	}
}

// TestRunKernelDaemon: with --daemon, forms on stdin are evaluated, then
// the node keeps running until SIGTERM, which exits 0.
func TestRunKernelDaemon(t *testing.T) {
	kernel := filepath.Join("..", "..", "std", "kernel")
	if _, err := os.Stat(filepath.Join(kernel, "main.go")); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	t.Setenv("WW_HOME", home)
	t.Setenv("WW_LOG", "warn")
	t.Setenv("GOTOOLCHAIN", "local")
	out := &syncBuffer{}
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		args := append([]string{"run", "--daemon"}, append(loopback, kernel)...)
		done <- run(args, strings.NewReader("(+ 1 2)\n"), out, &errb)
	}()
	deadline := time.After(3 * time.Minute)
	for !strings.Contains(out.String(), "3\n") {
		select {
		case code := <-done:
			t.Fatalf("exited %d before SIGTERM\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
		case <-deadline:
			t.Fatalf("no result\nstdout: %s\nstderr: %s", out.String(), errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	select {
	case code := <-done:
		t.Fatalf("daemon exited %d at the end of stdin", code)
	case <-time.After(500 * time.Millisecond):
	}
	// While it runs, the node holds the data directory and has a run file.
	var o, e bytes.Buffer
	if code := run([]string{"run", t.TempDir()}, strings.NewReader(""), &o, &e); code != 1 || e.String() != "ww: data directory in use: "+home+"\n" {
		t.Errorf("second node: exit %d, stderr %q", code, e.String())
	}
	files, _ := filepath.Glob(filepath.Join(home, "run", "16Uiu2HA*.json"))
	if len(files) != 1 {
		t.Fatalf("run files %v", files)
	}
	data, _ := os.ReadFile(files[0])
	var rf runFile
	if err := json.Unmarshal(data, &rf); err != nil || rf.PID != os.Getpid() || len(rf.Addrs) != 2 ||
		!strings.HasSuffix(rf.Addrs[0], "/p2p/"+rf.PeerID) || filepath.Base(files[0]) != rf.PeerID+".json" {
		t.Errorf("run file %s: %v", data, err)
	}

	// The handler of runNode is registered: SIGTERM does not kill the
	// test binary.
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after SIGTERM\nstderr: %s", code, errb.String())
		}
		if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
			t.Errorf("run file left behind: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("daemon did not stop on SIGTERM")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
