package wasm_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"

	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/wasm"
)

// TestSandboxNoSockets (§18.2.7): a guest's net.Dial fails, and nothing
// reaches a listener on the host's loopback.
func TestSandboxNoSockets(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
			accepted <- struct{}{}
		}
	}()
	e := newEngine(t, wasm.Config{})
	addr := ln.Addr().String()
	out, code, _ := runGuest(t, e, "sandbox", []string{"sandbox", "dial:" + addr}, nil, wasm.SpawnOptions{})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.HasPrefix(out, "dial "+addr+": error ") {
		t.Fatalf("guest dial did not fail:\n%s", out)
	}
	ln.Close() // ends Accept; a connection, had one come, was reported first
	select {
	case <-accepted:
		t.Fatal("the host listener accepted a connection from the guest")
	default:
	}
}

// TestStdoutBackpressure (§18.2.9): a guest writing far more than a pipe
// holds, to a host that reads slowly, loses nothing and does not deadlock;
// it exits 0 once everything was read.
func TestStdoutBackpressure(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	const kib = 2048 // 32 times a Linux pipe buffer
	p := spawn(t, e, "flood", []string{"flood", "2048"}, nil, wasm.SpawnOptions{})
	p.Stdin().Close()
	buf := make([]byte, 16<<10)
	total := 0
	for {
		n, err := p.Stdout().Read(buf)
		for i := range n {
			if want := byte((total + i) % 251); buf[i] != want {
				t.Fatalf("byte %d = %d, want %d", total+i, buf[i], want)
			}
		}
		total += n
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if total < 256<<10 {
			time.Sleep(2 * time.Millisecond) // a slow reader while the guest is ahead
		}
	}
	if total != kib<<10 {
		t.Fatalf("read %d bytes, want %d", total, kib<<10)
	}
	if code, reason := wait(t, p, 30*time.Second); code != 0 {
		t.Fatalf("exit %d %q\nstderr: %s", code, reason, stderrOf(p))
	}
}

// spawnBackend serves Executor.runBytes from an engine, as the node does,
// and keeps every child it started so tests can wait for them.
type spawnBackend struct {
	e *wasm.Engine

	mu       sync.Mutex
	children []*wasm.Process
}

func (b *spawnBackend) Run(ctx context.Context, req membrane.RunRequest) (membrane.Process, error) {
	p, err := b.e.Spawn(ctx, req.Wasm, req.Args, req.Env, wasm.SpawnOptions{
		MemoryLimit: req.Limits.MemoryBytes,
		Timeout:     time.Duration(req.Limits.TimeoutMillis) * time.Millisecond,
		Bootstrap:   req.Bootstrap,
	})
	if err != nil {
		return nil, err
	}
	req.Bootstrap.Release()
	b.mu.Lock()
	b.children = append(b.children, p)
	b.mu.Unlock()
	return p, nil
}

func (b *spawnBackend) spawned() []*wasm.Process {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*wasm.Process(nil), b.children...)
}

// newSpawner starts the spawner guest in mode with a Membrane whose
// Executor spawns on e, and feeds it the loop guest as its child.
func newSpawner(t *testing.T, e *wasm.Engine, mode string) (*wasm.Process, *spawnBackend) {
	t.Helper()
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	b := &spawnBackend{e: e}
	m := membrane.New(epoch.NewCell(epoch.Epoch{}), membrane.Services{
		Host:     fixedHost{key.PeerID()},
		Executor: b,
		Identity: membrane.KeyIdentity(key),
	}, membrane.Options{})
	boot := capnp.Client(m.Client())
	t.Cleanup(boot.Release)
	p := spawn(t, e, "spawner", []string{"spawner", mode}, nil, wasm.SpawnOptions{Bootstrap: boot})
	t.Cleanup(func() {
		for _, c := range b.spawned() {
			c.Kill()
		}
	})
	go func() {
		p.Stdin().Write(guest(t, "loop"))
		p.Stdin().Close()
	}()
	return p, b
}

// TestDropProcessKillsChild (§5.4, §18.2.5): releasing the last reference
// to a Process capability kills the child with 137.
func TestDropProcessKillsChild(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	p, b := newSpawner(t, e, "drop")
	stdout := bufio.NewReader(p.Stdout())
	for _, want := range []string{"spawned\n", "released\n"} {
		if line, err := stdout.ReadString('\n'); err != nil || line != want {
			t.Fatalf("got %q %v, want %q\nstderr: %s", line, err, want, stderrOf(p))
		}
	}
	children := b.spawned()
	if len(children) != 1 {
		t.Fatalf("%d children, want 1", len(children))
	}
	if code, reason := wait(t, children[0], 30*time.Second); code != wasm.ExitKilled || reason != wasm.ReasonKilled {
		t.Fatalf("child exit %d %q, want 137 killed", code, reason)
	}
	select {
	case <-p.Done():
		t.Fatal("the spawner exited")
	default:
	}
}

// TestSpawnBombStopped (§18.2.6): a guest that spawns children without end
// is refused by the process limit (--max-procs), the host keeps answering
// it, its children die when it exits, and the engine spawns again.
func TestSpawnBombStopped(t *testing.T) {
	t.Parallel()
	const limit = 4
	e := newEngine(t, wasm.Config{MaxProcs: limit})
	p, b := newSpawner(t, e, "bomb")
	out, err := io.ReadAll(p.Stdout())
	if err != nil {
		t.Fatal(err)
	}
	if code, reason := wait(t, p, 60*time.Second); code != 0 {
		t.Fatalf("spawner exit %d %q\nstdout: %s\nstderr: %s", code, reason, out, stderrOf(p))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "refused after 3: ") ||
		!strings.Contains(lines[0], "resourceExhausted: too many processes (limit 4)") || lines[1] != "id ok" {
		t.Fatalf("stdout %q", out)
	}
	children := b.spawned()
	if len(children) != limit-1 {
		t.Fatalf("%d children, want %d", len(children), limit-1)
	}
	for i, c := range children {
		if code, reason := wait(t, c, 30*time.Second); code != wasm.ExitKilled || reason != wasm.ReasonKilled {
			t.Fatalf("child %d exit %d %q, want 137 killed", i, code, reason)
		}
	}
	// Every slot is free again.
	_, code, _ := runGuest(t, e, "exitcode", []string{"exitcode", "5"}, nil, wasm.SpawnOptions{})
	if code != 5 {
		t.Fatalf("spawn after the bomb: exit %d", code)
	}
}

// TestWATModule (§18.2.8, §19.12): a committed module written in WAT, the
// "other language" guest, runs with its stdout and exit code, also when
// it is given a channel it never opens. It is built with wat2wasm (Debian
// package wabt); without it the test is skipped, unless WW_REQUIRE_WABT=1.
func TestWATModule(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("wat2wasm")
	if err != nil {
		if os.Getenv("WW_REQUIRE_WABT") == "1" {
			t.Fatal("wat2wasm not found and WW_REQUIRE_WABT=1 (apt-get install wabt)")
		}
		t.Skip("wat2wasm not found (apt-get install wabt)")
	}
	src := filepath.Join("..", "..", "testdata", "wat", "passthrough.wat")
	out := filepath.Join(t.TempDir(), "passthrough.wasm")
	if b, err := exec.Command(tool, src, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("wat2wasm %s: %v\n%s", src, err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	boot, _, _ := newMembrane(t)
	e := newEngine(t, wasm.Config{})
	for _, opts := range []wasm.SpawnOptions{{}, {Bootstrap: boot}} {
		p, err := e.Spawn(context.Background(), bin, nil, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		stdout, _ := io.ReadAll(p.Stdout())
		if code, reason := wait(t, p, 30*time.Second); code != 3 || reason != "" || string(stdout) != "hello from wat\n" {
			t.Errorf("channel %v: exit %d %q, stdout %q", opts.Bootstrap.IsValid(), code, reason, stdout)
		}
		p.Kill()
	}
}

// wwImport is a module that imports ww.<name> with the given type section
// contents and does nothing else.
func wwImport(name string, typ []byte) []byte {
	b := []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, byte(len(typ))}
	b = append(b, typ...)
	imp := append([]byte{0x01, 0x02, 'w', 'w', byte(len(name))}, name...)
	imp = append(imp, 0x00, 0x00) // func, type 0
	b = append(b, 0x02, byte(len(imp)))
	return append(b, imp...)
}

// TestAdmissionHostModule: besides WASI, a module may import
// ww.register_channel (i32) -> i32 (system design §5.2, §5.5 A′), and
// nothing else from ww.
func TestAdmissionHostModule(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{CacheDir: t.TempDir()})
	ctx := context.Background()
	i32toi32 := []byte{0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f}
	if _, err := e.Compile(ctx, wwImport("register_channel", i32toi32)); err != nil {
		t.Errorf("ww.register_channel refused: %v", err)
	}
	if _, err := e.Compile(ctx, wwImport("register_channel", []byte{0x01, 0x60, 0x00, 0x00})); err == nil ||
		err.Error() != "invalidWasm: import ww.register_channel must have type (i32) -> i32" {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := e.Compile(ctx, wwImport("other", i32toi32)); err == nil || err.Error() != "invalidWasm: unsupported import ww.other" {
		t.Errorf("ww.other: %v", err)
	}
}
