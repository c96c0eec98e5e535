package wasm_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/wasm"
)

type fixedHost struct{ id peer.ID }

func (h fixedHost) ID() peer.ID                                  { return h.id }
func (h fixedHost) Addrs() []ma.Multiaddr                        { return nil }
func (h fixedHost) Peers() []peer.AddrInfo                       { return nil }
func (h fixedHost) Connect(context.Context, peer.AddrInfo) error { return nil }

// newMembrane returns a Membrane client over a fresh epoch cell and the
// host's peer id.
func newMembrane(t *testing.T) (capnp.Client, *epoch.Cell, peer.ID) {
	t.Helper()
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cell := epoch.NewCell(epoch.Epoch{})
	m := membrane.New(cell, membrane.Services{Host: fixedHost{key.PeerID()}, Identity: membrane.KeyIdentity(key)}, membrane.Options{})
	c := capnp.Client(m.Client())
	t.Cleanup(c.Release)
	return c, cell, key.PeerID()
}

// waitExit waits generously for p and returns its exit code and reason.
func waitExit(t *testing.T, p *wasm.Process) (int32, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code, reason, err := p.Wait(ctx)
	if err != nil {
		p.Kill()
		t.Fatalf("wait: %v", err)
	}
	return code, reason
}

func stderrOf(p *wasm.Process) string {
	r := p.Stderr()
	defer r.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

// TestRPCClient: a guest grafts through std/system and calls the host's
// Executor and Host over its channel.
func TestRPCClient(t *testing.T) {
	boot, _, id := newMembrane(t)
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "rpcclient", nil, nil, wasm.SpawnOptions{Bootstrap: boot})
	out, err := io.ReadAll(p.Stdout())
	if err != nil {
		t.Fatal(err)
	}
	if code, reason := waitExit(t, p); code != 0 {
		t.Fatalf("exit %d %q\nstderr: %s", code, reason, stderrOf(p))
	}
	want := "Echo: hi\nid: " + hex.EncodeToString([]byte(id)) + "\n"
	if string(out) != want {
		t.Fatalf("stdout %q, want %q", out, want)
	}
}

// TestRPCServeWhileStdinBlocked (R2): the guest blocks reading stdin in
// one goroutine while serving its export in another.
func TestRPCServeWhileStdinBlocked(t *testing.T) {
	boot, _, _ := newMembrane(t)
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "rpcserve", nil, nil, wasm.SpawnOptions{Bootstrap: boot})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	stdout := bufio.NewReader(p.Stdout())
	if line, err := stdout.ReadString('\n'); err != nil || line != "serving\n" {
		t.Fatalf("first line %q %v\nstderr: %s", line, err, stderrOf(p))
	}
	c, err := p.Bootstrap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec := system.Executor(c)
	defer exec.Release()
	// ≥ 20 host→guest calls (§18.2.1) while the guest's main goroutine
	// blocks reading stdin.
	for i := range 20 {
		msg := strconv.Itoa(i)
		f, release := exec.Echo(ctx, func(p system.Executor_echo_Params) error { return p.SetMessage_(msg) })
		res, err := f.Struct()
		if err != nil {
			release()
			t.Fatalf("echo %q: %v", msg, err)
		}
		got, _ := res.Response()
		release()
		if got != "guest: "+msg {
			t.Fatalf("echo %q = %q", msg, got)
		}
	}
	// stdin is still open: the guest is still blocked reading it.
	select {
	case <-p.Done():
		t.Fatal("guest exited before stdin closed")
	default:
	}
	if _, err := io.WriteString(p.Stdin(), "bye"); err != nil {
		t.Fatal(err)
	}
	p.Stdin().Close()
	rest, _ := io.ReadAll(stdout)
	if code, reason := waitExit(t, p); code != 0 {
		t.Fatalf("exit %d %q\nstderr: %s", code, reason, stderrOf(p))
	}
	if string(rest) != "stdin: \"bye\"\n" {
		t.Fatalf("stdout %q", rest)
	}
}

// TestRPCNoExport: Bootstrap fails for a guest that exports nothing, and
// for a process without a channel.
func TestRPCNoExport(t *testing.T) {
	boot, _, _ := newMembrane(t)
	e := newEngine(t, wasm.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	p := spawn(t, e, "rpcblock", nil, nil, wasm.SpawnOptions{Bootstrap: boot})
	defer p.Kill()
	if line, err := bufio.NewReader(p.Stdout()).ReadString('\n'); err != nil || line != "blocked\n" {
		t.Fatalf("first line %q %v\nstderr: %s", line, err, stderrOf(p))
	}
	if c, err := p.Bootstrap(ctx); err == nil || err.Error() != "notFound: no exported capability" {
		c.Release()
		t.Fatalf("Bootstrap of a guest without export: %v", err)
	}

	q := spawn(t, e, "exitcode", []string{"exitcode", "0"}, nil, wasm.SpawnOptions{})
	defer q.Kill()
	if _, err := q.Bootstrap(ctx); err == nil || err.Error() != "notFound: no RPC channel" {
		t.Fatalf("Bootstrap without channel: %v", err)
	}
}

// TestRPCKillBlocked (R4): Kill of a guest blocked on its channel ends it
// with 137.
func TestRPCKillBlocked(t *testing.T) {
	boot, _, _ := newMembrane(t)
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "rpcblock", nil, nil, wasm.SpawnOptions{Bootstrap: boot})
	if line, err := bufio.NewReader(p.Stdout()).ReadString('\n'); err != nil || line != "blocked\n" {
		t.Fatalf("first line %q %v\nstderr: %s", line, err, stderrOf(p))
	}
	time.Sleep(100 * time.Millisecond) // let it reach the long poll
	p.Kill()
	if code, reason := waitExit(t, p); code != wasm.ExitKilled || reason != wasm.ReasonKilled {
		t.Fatalf("exit %d %q", code, reason)
	}
}

// TestRPCEpoch: an epoch advance makes the guest's capabilities fail with
// staleEpoch; a re-graft gives working ones.
func TestRPCEpoch(t *testing.T) {
	boot, cell, _ := newMembrane(t)
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "rpcepoch", nil, nil, wasm.SpawnOptions{Bootstrap: boot})
	stdout := bufio.NewReader(p.Stdout())
	if line, err := stdout.ReadString('\n'); err != nil || line != "before: Echo: one <nil>\n" {
		t.Fatalf("first line %q %v\nstderr: %s", line, err, stderrOf(p))
	}
	cell.Bump()
	if _, err := io.WriteString(p.Stdin(), "advanced\n"); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	if code, reason := waitExit(t, p); code != 0 {
		t.Fatalf("exit %d %q\nstderr: %s", code, reason, stderrOf(p))
	}
	lines := strings.Split(strings.TrimSpace(string(rest)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "stale: ") || !strings.Contains(lines[0], "staleEpoch") || lines[1] != "after: Echo: three <nil>" {
		t.Fatalf("stdout %q", rest)
	}
}

// processCPU returns the CPU time (user + system) used so far by the test
// process, which hosts the guests.
func processCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestIdleGuestNoSpin (R3, system design §18.2.2): a guest idle on stdin
// and on its channel for 2 s uses less than 2 % of a core. This is a
// resource check of the whole test process (getrusage), not a timing
// assertion; the test is not parallel so no other guest runs meanwhile.
func TestIdleGuestNoSpin(t *testing.T) {
	boot, _, _ := newMembrane(t)
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "rpcserve", nil, nil, wasm.SpawnOptions{Bootstrap: boot})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stdout := bufio.NewReader(p.Stdout())
	if line, err := stdout.ReadString('\n'); err != nil || line != "serving\n" {
		t.Fatalf("first line %q %v\nstderr: %s", line, err, stderrOf(p))
	}
	// One call, so that both ends of the channel are in use.
	c, err := p.Bootstrap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec := system.Executor(c)
	defer exec.Release()
	f, release := exec.Echo(ctx, func(p system.Executor_echo_Params) error { return p.SetMessage_("x") })
	if _, err := f.Struct(); err != nil {
		t.Fatal(err)
	}
	release()
	time.Sleep(200 * time.Millisecond) // let both sides settle

	const window = 2 * time.Second
	before := processCPU(t)
	time.Sleep(window)
	used := processCPU(t) - before
	t.Logf("CPU used by the test process while the guest idled %v: %v (%.2f%% of a core)", window, used, 100*used.Seconds()/window.Seconds())
	if limit := window / 50; used >= limit {
		t.Fatalf("idle guest used %v of CPU in %v (limit %v, 2%% of a core)", used, window, limit)
	}
	select {
	case <-p.Done():
		t.Fatalf("guest exited while idle\nstderr: %s", stderrOf(p))
	default:
	}
	// Still alive and serving: stdin ends its wait.
	p.Stdin().Close()
	if rest, _ := io.ReadAll(stdout); string(rest) != "stdin: \"\"\n" {
		t.Fatalf("stdout %q", rest)
	}
	if code, reason := waitExit(t, p); code != 0 {
		t.Fatalf("exit %d %q", code, reason)
	}
}
