package node_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/node"
)

// testNet starts n loopback nodes, the later ones bootstrapped to the
// first, with the given per-protocol handler limit (0: default).
func testNet(t testing.TB, n, maxHandlers int) []*node.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tn, err := node.StartTestNet(ctx, n, node.Config{
		Logger: quiet(),
		Swarm:  node.SwarmConfig{DHTMode: node.DHTServer, MaxHandlers: maxHandlers},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tn.Close() })
	return tn.Nodes
}

var (
	guestOnce sync.Once
	guestWasm []byte
	guestErr  error
)

// streamEcho builds testdata/guests/streamecho once per test binary.
func streamEcho(t testing.TB) []byte {
	t.Helper()
	guestOnce.Do(func() {
		os.Setenv("GOTOOLCHAIN", "local")
		dir, err := os.MkdirTemp("", "streamecho-")
		if err != nil {
			guestErr = err
			return
		}
		defer os.RemoveAll(dir)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out := filepath.Join(dir, "main.wasm")
		if _, guestErr = build.Build(ctx, filepath.Join("..", "..", "testdata", "guests", "streamecho"), out, build.Options{}); guestErr != nil {
			return
		}
		guestWasm, guestErr = os.ReadFile(out)
	})
	if guestErr != nil {
		t.Fatal(guestErr)
	}
	return guestWasm
}

// graft returns a fresh graft of n's Membrane, released at cleanup.
func graft(t testing.TB, n *node.Node) membrane.Graft {
	g := n.Membrane().Graft()
	t.Cleanup(g.Release)
	return g
}

func provide(ctx context.Context, g membrane.Graft, key string) error {
	f, release := g.Routing.Provide(ctx, func(p routing.Routing_provide_Params) error { return p.SetKey(key) })
	defer release()
	_, err := f.Struct()
	return err
}

// sink collects the providers Routing.findProviders streams.
type sink struct {
	mu    sync.Mutex
	got   []peer.AddrInfo
	done  bool
	calls int
}

func (s *sink) Provider(_ context.Context, call routing.ProviderSink_provider) error {
	info, err := call.Args().Info()
	if err != nil {
		return err
	}
	raw, _ := info.PeerId()
	pi := peer.AddrInfo{ID: peer.ID(raw)}
	addrs, _ := info.Addrs()
	for i := 0; i < addrs.Len(); i++ {
		b, _ := addrs.At(i)
		if a, err := ma.NewMultiaddrBytes(b); err == nil {
			pi.Addrs = append(pi.Addrs, a)
		}
	}
	s.mu.Lock()
	s.got = append(s.got, pi)
	s.mu.Unlock()
	return nil
}

func (s *sink) Done(context.Context, routing.ProviderSink_done) error {
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
	return nil
}

func findProviders(ctx context.Context, g membrane.Graft, key string, count uint32) ([]peer.AddrInfo, error) {
	s := &sink{}
	f, release := g.Routing.FindProviders(ctx, func(p routing.Routing_findProviders_Params) error {
		p.SetCount(count)
		if err := p.SetSink(routing.ProviderSink_ServerToClient(s)); err != nil {
			return err
		}
		return p.SetKey(key)
	})
	defer release()
	if _, err := f.Struct(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		return nil, errors.New("findProviders returned without done()")
	}
	return s.got, nil
}

// netCaps returns the graft's Listener and Dialer.
func netCaps(ctx context.Context, t testing.TB, g membrane.Graft) (system.Listener, system.Dialer) {
	t.Helper()
	f, release := g.Host.Network(ctx, nil)
	defer release()
	res, err := f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	l, d := res.Listener().AddRef(), res.Dialer().AddRef()
	t.Cleanup(func() { l.Release(); d.Release() })
	return l, d
}

func listen(ctx context.Context, g membrane.Graft, l system.Listener, name string, wasm []byte) error {
	f, release := l.Listen(ctx, func(p system.Listener_listen_Params) error {
		if err := p.SetExecutor(g.Executor.AddRef()); err != nil {
			return err
		}
		if err := p.SetHandler(wasm); err != nil {
			return err
		}
		return p.SetProtocol(name)
	})
	defer release()
	_, err := f.Struct()
	return err
}

func dial(ctx context.Context, d system.Dialer, id peer.ID, name string) (system.ByteStream, error) {
	f, release := d.Dial(ctx, func(p system.Dialer_dial_Params) error {
		if err := p.SetPeer([]byte(id)); err != nil {
			return err
		}
		return p.SetProtocol(name)
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return system.ByteStream{}, err
	}
	return res.Stream().AddRef(), nil
}

func write(ctx context.Context, s system.ByteStream, data []byte) error {
	f, release := s.Write(ctx, func(p system.ByteStream_write_Params) error { return p.SetData(data) })
	defer release()
	_, err := f.Struct()
	return err
}

func closeWrite(ctx context.Context, s system.ByteStream) error {
	f, release := s.Close(ctx, nil)
	defer release()
	_, err := f.Struct()
	return err
}

// readAll reads s to EOF.
func readAll(ctx context.Context, s system.ByteStream) ([]byte, error) {
	var out []byte
	for {
		f, release := s.Read(ctx, func(p system.ByteStream_read_Params) error {
			p.SetMaxBytes(membrane.ChunkSize)
			return nil
		})
		res, err := f.Struct()
		if err != nil {
			release()
			return out, err
		}
		data, _ := res.Data()
		out = append(out, data...)
		release()
		if len(data) == 0 {
			return out, nil
		}
	}
}

// roundTrip dials name on id, writes msg, closes and reads the reply.
func roundTrip(ctx context.Context, d system.Dialer, id peer.ID, name string, msg []byte) ([]byte, error) {
	s, err := dial(ctx, d, id, name)
	if err != nil {
		return nil, err
	}
	defer s.Release()
	if err := write(ctx, s, msg); err != nil {
		return nil, err
	}
	if err := closeWrite(ctx, s); err != nil {
		return nil, err
	}
	return readAll(ctx, s)
}

// TestSwarmDiscoveryEcho is §18.4 items 1 and 2 as a Go integration test:
// B and C know only A; C finds B as the provider of a name B provided and
// dials B's wasm echo handler, which gets the stream on stdin/stdout and
// the documented environment.
func TestSwarmDiscoveryEcho(t *testing.T) {
	nodes := testNet(t, 3, 0)
	a, b, c := nodes[0], nodes[1], nodes[2]
	// C was given only A's address: whatever it knows of B comes from
	// the DHT.
	if got := c.Host().Peerstore().Addrs(a.ID()); len(got) == 0 {
		t.Fatal("C does not know its bootstrap peer")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	gb, gc := graft(t, b), graft(t, c)

	key := membrane.Hash([]byte("echo-svc"))
	if err := provide(ctx, gb, key); err != nil {
		t.Fatal(err)
	}
	provs, err := findProviders(ctx, gc, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(provs) != 1 || provs[0].ID != b.ID() || len(provs[0].Addrs) == 0 {
		t.Fatalf("providers %v, want B=%s with addresses (A=%s)", provs, b.ID(), a.ID())
	}
	if err := c.Host().Connect(ctx, provs[0]); err != nil {
		t.Fatalf("connect to the provider: %v", err)
	}

	wasm := streamEcho(t)
	lb, _ := netCaps(ctx, t, gb)
	_, dc := netCaps(ctx, t, gc)
	if err := listen(ctx, gb, lb, "echo", wasm); err != nil {
		t.Fatal(err)
	}
	got, err := roundTrip(ctx, dc, b.ID(), "echo", []byte("hello"))
	if err != nil || string(got) != "hello" {
		t.Fatalf("echo: %q, %v", got, err)
	}
	env, err := roundTrip(ctx, dc, b.ID(), "echo", []byte("?env\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ARGV=echo\n", "WW_HANDLER=1\n", "WW_PROTOCOL=echo\n", "WW_REMOTE_PEER=" + c.ID().String() + "\n", "PATH=/bin\n"} {
		if !strings.Contains(string(env), want) {
			t.Errorf("handler environment %q lacks %q", env, want)
		}
	}

	// Invalid and duplicate names fail.
	for _, name := range []string{"", "a/b", "sp ace", strings.Repeat("x", 65)} {
		if err := listen(ctx, gb, lb, name, wasm); err == nil || !strings.Contains(err.Error(), "invalidArgument: invalid protocol name") {
			t.Errorf("listen %q: %v", name, err)
		}
		if _, err := dial(ctx, dc, b.ID(), name); err == nil || !strings.Contains(err.Error(), "invalidArgument: invalid protocol name") {
			t.Errorf("dial %q: %v", name, err)
		}
	}
	if err := listen(ctx, gb, lb, "echo", wasm); err == nil || !strings.Contains(err.Error(), "alreadyExists: protocol already registered: echo") {
		t.Errorf("duplicate listen: %v", err)
	}
	if err := listen(ctx, gb, lb, "junk", []byte("not wasm")); err == nil || !strings.Contains(err.Error(), "invalidWasm: ") {
		t.Errorf("listen with a bad module: %v", err)
	}
	// A protocol nobody serves fails to dial.
	if _, err := dial(ctx, dc, b.ID(), "nothing"); err == nil || !strings.Contains(err.Error(), "unavailable: ") {
		t.Errorf("dial of an unserved protocol: %v", err)
	}
}

// TestSwarmEpochEndsListener: a registration ends when the epoch moves;
// the name can then be registered again under the new epoch.
func TestSwarmEpochEndsListener(t *testing.T) {
	nodes := testNet(t, 2, 0)
	a, b := nodes[0], nodes[1]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	wasm := streamEcho(t)
	ga := graft(t, a)
	la, _ := netCaps(ctx, t, ga)
	_, db := netCaps(ctx, t, graft(t, b))
	if err := listen(ctx, ga, la, "svc", wasm); err != nil {
		t.Fatal(err)
	}
	if got, err := roundTrip(ctx, db, a.ID(), "svc", []byte("x")); err != nil || string(got) != "x" {
		t.Fatalf("before the advance: %q, %v", got, err)
	}
	a.Cell().Bump()
	for hasProtocol(a, "/ww/0.1.0/svc") {
		select {
		case <-ctx.Done():
			t.Fatal("the registration outlived its epoch")
		case <-time.After(10 * time.Millisecond):
		}
	}
	// b's graft is on its own node, whose epoch did not move.
	if _, err := roundTrip(ctx, db, a.ID(), "svc", []byte("x")); err == nil {
		t.Fatal("dial after the advance succeeded")
	}
	ga2 := graft(t, a)
	la2, _ := netCaps(ctx, t, ga2)
	if err := listen(ctx, ga2, la2, "svc", wasm); err != nil {
		t.Fatalf("re-listen under the new epoch: %v", err)
	}
	if got, err := roundTrip(ctx, db, a.ID(), "svc", []byte("y")); err != nil || string(got) != "y" {
		t.Fatalf("after re-listen: %q, %v", got, err)
	}
}

func hasProtocol(n *node.Node, id string) bool {
	for _, p := range n.Host().Mux().Protocols() {
		if string(p) == id {
			return true
		}
	}
	return false
}

// TestSwarmHandlerLimit is §18.4 item 7: streams beyond the handler limit
// are reset and the node stays healthy.
func TestSwarmHandlerLimit(t *testing.T) {
	const limit = 3
	nodes := testNet(t, 2, limit)
	a, b := nodes[0], nodes[1]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ga := graft(t, a)
	la, _ := netCaps(ctx, t, ga)
	if err := listen(ctx, ga, la, "echo", streamEcho(t)); err != nil {
		t.Fatal(err)
	}
	// limit streams whose handlers wait for input hold every slot.
	var held []io.Closer
	for range limit {
		s, err := b.Host().NewStream(ctx, a.ID(), node.SubprotocolID("echo"))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, s)
		// A round trip of the first bytes proves the handler runs.
		if _, err := s.Write([]byte("ping!")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "ping!" {
			t.Fatalf("held stream: %q, %v", buf, err)
		}
	}
	over, err := b.Host().NewStream(ctx, a.ID(), node.SubprotocolID("echo"))
	if err == nil {
		over.Write([]byte("hello"))
		_, err = io.ReadAll(over)
		over.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "reset") {
		t.Fatalf("stream beyond the limit: %v, want a reset", err)
	}
	for _, s := range held {
		s.Close()
	}
	// The slots free up and the node serves again.
	_, db := netCaps(ctx, t, graft(t, b))
	for {
		got, err := roundTrip(ctx, db, a.ID(), "echo", []byte("again"))
		if err == nil && string(got) == "again" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("node unhealthy after the limit: %q, %v", got, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSwarmPeerDies: when the serving node stops mid-stream, the
// dialer's read ends with an error (not the call deadline, not a hang).
func TestSwarmPeerDies(t *testing.T) {
	nodes := testNet(t, 2, 0)
	a, b := nodes[0], nodes[1]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ga := graft(t, a)
	la, _ := netCaps(ctx, t, ga)
	if err := listen(ctx, ga, la, "echo", streamEcho(t)); err != nil {
		t.Fatal(err)
	}
	_, db := netCaps(ctx, t, graft(t, b))
	s, err := dial(ctx, db, a.ID(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if err := write(ctx, s, []byte("first")); err != nil {
		t.Fatal(err)
	}
	f, release := s.Read(ctx, func(p system.ByteStream_read_Params) error { p.SetMaxBytes(5); return nil })
	res, err := f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := res.Data(); string(data) != "first" {
		t.Fatalf("first read %q", data)
	}
	release()

	a.Close() // mid-stream: the stream is open both ways
	_, err = readAll(ctx, s)
	if err == nil {
		t.Fatal("read after the peer died succeeded")
	}
	if strings.Contains(err.Error(), "deadlineExceeded") || ctx.Err() != nil {
		t.Fatalf("read after the peer died: %v (a hang, not an error)", err)
	}
	t.Logf("read after the peer died: %v", err)
}

// TestSwarmNoGoroutineLeak opens and closes 1000 streams through the
// Dialer, each served by a wasm handler; the goroutine count returns to
// where it was.
func TestSwarmNoGoroutineLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("1000 handler processes")
	}
	nodes := testNet(t, 2, 0)
	a, b := nodes[0], nodes[1]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ga := graft(t, a)
	la, _ := netCaps(ctx, t, ga)
	if err := listen(ctx, ga, la, "echo", streamEcho(t)); err != nil {
		t.Fatal(err)
	}
	_, db := netCaps(ctx, t, graft(t, b))
	cycle := func(i int) {
		msg := []byte{byte(i), byte(i >> 8)}
		got, err := roundTrip(ctx, db, a.ID(), "echo", msg)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("cycle %d: %q, %v", i, got, err)
		}
	}
	for i := range 20 { // warm up: compile cache, connections, pools
		cycle(i)
	}
	before := settledGoroutines(0)
	for i := range 1000 {
		cycle(i)
	}
	after := settledGoroutines(before)
	if after > before+5 {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("goroutines %d before, %d after 1000 streams\n%s", before, after, buf[:n])
	}
	t.Logf("goroutines: %d before, %d after 1000 streams", before, after)
}

// settledGoroutines waits (up to 10 s) for the goroutine count to reach
// target or stop falling, and returns it.
func settledGoroutines(target int) int {
	n := runtime.NumGoroutine()
	for range 100 {
		if n <= target {
			return n
		}
		time.Sleep(100 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// TestTerminalOverLibp2p is §18.6's last item and §18.4 item 5 at the Go
// level: Terminal(Membrane) on /ww/0.1.0; the node's own key and an
// authorized key log in and graft, another key is refused.
func TestTerminalOverLibp2p(t *testing.T) {
	friend, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tn, err := node.StartTestNet(ctx, 1, node.Config{Logger: quiet(), Swarm: node.SwarmConfig{Authorized: []peer.ID{friend.PeerID()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	a := tn.Nodes[0]
	stranger, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	ts, err := a.ServeTerminal(capnp.Client(a.Membrane().Client()))
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()

	for _, key := range []*identity.Key{a.Key(), friend} {
		rs, err := node.Login(ctx, a.AddrInfo(), key)
		if err != nil {
			t.Fatalf("login as %s: %v", key.PeerID(), err)
		}
		mem := stem.Membrane(rs.Session.AddRef())
		f, release := mem.Graft(ctx, nil)
		res, err := f.Struct()
		if err != nil {
			t.Fatal(err)
		}
		idf, rel := res.Host().Id(ctx, nil)
		idr, err := idf.Struct()
		if err != nil {
			t.Fatal(err)
		}
		if raw, _ := idr.PeerId(); peer.ID(raw) != a.ID() {
			t.Errorf("Host.id over the terminal: %x", raw)
		}
		rel()
		release()
		mem.Release()
		rs.Close()
	}
	_, err = node.Login(ctx, a.AddrInfo(), stranger)
	if err == nil || err.Error() != "unauthorized: login auth failed: key not authorized" {
		t.Fatalf("login with another key: %v", err)
	}
}
