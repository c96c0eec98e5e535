package membrane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/exc"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
)

// caps is one graft as seen by a remote holder.
type caps struct {
	identity stem.Identity
	host     system.Host
	exec     system.Executor
	ipfs     ipfs.Client
	routing  routing.Routing
}

func (c caps) release() {
	c.identity.Release()
	c.host.Release()
	c.exec.Release()
	c.ipfs.Release()
	c.routing.Release()
}

// graftOver calls Membrane.graft (with a null signer) and keeps the caps
// until the test ends.
func graftOver(t *testing.T, ctx context.Context, mem stem.Membrane) caps {
	t.Helper()
	f, release := mem.Graft(ctx, nil)
	defer release()
	res, err := f.Struct()
	if err != nil {
		t.Fatalf("graft: %v", err)
	}
	c := caps{
		identity: res.Identity().AddRef(),
		host:     res.Host().AddRef(),
		exec:     res.Executor().AddRef(),
		ipfs:     res.Ipfs().AddRef(),
		routing:  res.Routing().AddRef(),
	}
	t.Cleanup(c.release)
	return c
}

func echo(ctx context.Context, e system.Executor, msg string) (string, error) {
	f, release := e.Echo(ctx, func(p system.Executor_echo_Params) error { return p.SetMessage_(msg) })
	defer release()
	res, err := f.Struct()
	if err != nil {
		return "", err
	}
	return res.Response()
}

func hostID(ctx context.Context, h system.Host) (peer.ID, error) {
	f, release := h.Id(ctx, nil)
	defer release()
	res, err := f.Struct()
	if err != nil {
		return "", err
	}
	b, err := res.PeerId()
	if err != nil {
		return "", err
	}
	return peer.IDFromBytes(b)
}

func nextEpoch(ctx context.Context, mem stem.Membrane, after uint64) (epoch.Epoch, error) {
	f, release := mem.NextEpoch(ctx, func(p stem.Membrane_nextEpoch_Params) error {
		p.SetAfter(after)
		return nil
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return epoch.Epoch{}, err
	}
	e, err := res.Epoch()
	if err != nil {
		return epoch.Epoch{}, err
	}
	head, err := e.Head()
	return epoch.Epoch{Seq: e.Seq(), Head: append([]byte(nil), head...), AdoptedBlock: e.AdoptedBlock()}, err
}

// wireReason returns the reason the exception carried on the wire: the
// text of the innermost error in err's chain (capnp-go wraps the received
// reason with the method name on the caller's side).
func wireReason(err error) string {
	if err == nil {
		return ""
	}
	for {
		inner := errors.Unwrap(err)
		if inner == nil {
			return err.Error()
		}
		err = inner
	}
}

// wantStale checks that err is exactly the staleEpoch failure: type
// failed, the wire reason exactly StaleEpochReason.
func wantStale(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded after the epoch advanced", what)
		return
	}
	if r := wireReason(err); r != StaleEpochReason {
		t.Errorf("%s: reason %q, want exactly %q", what, r, StaleEpochReason)
	}
	if r := Reason(err); r != StaleEpochReason {
		t.Errorf("%s: Reason %q, want exactly %q", what, r, StaleEpochReason)
	}
	if typ := exc.TypeOf(err); typ != exc.Failed {
		t.Errorf("%s: exception type %v, want failed", what, typ)
	}
}

// wantStaleProxied is wantStale for a capability reached through a proxy:
// each proxying capnp-go connection prefixes the reason with the method
// ("@0x…@N: "), which Reason strips.
func wantStaleProxied(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded after the epoch advanced", what)
		return
	}
	if r := Reason(err); r != StaleEpochReason {
		t.Errorf("%s: Reason %q, want exactly %q (error %q)", what, r, StaleEpochReason, err)
	}
	if typ := exc.TypeOf(err); typ != exc.Failed {
		t.Errorf("%s: exception type %v, want failed", what, typ)
	}
}

// TestGraftEchoHostID grafts over every transport and uses the caps.
func TestGraftEchoHostID(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			n := newNode(t, Options{})
			ctx := testContext(t)
			mem := stem.Membrane(connect(t, tr, capnp.Client(n.m.Client())))
			c := graftOver(t, ctx, mem)

			got, err := echo(ctx, c.exec, "hello")
			if err != nil || got != "Echo: hello" {
				t.Fatalf("echo = %q, %v", got, err)
			}
			id, err := hostID(ctx, c.host)
			if err != nil || id != n.key.PeerID() {
				t.Fatalf("host.id = %s, %v; want %s", id, err, n.key.PeerID())
			}
			if !strings.HasPrefix(id.String(), "16Uiu2HA") {
				t.Fatalf("peer id %s", id)
			}
		})
	}
}

// world holds a graft and the objects obtained from it before an advance.
type world struct {
	caps
	hostExec system.Executor
	listener system.Listener
	dialer   system.Dialer
	unixfs   ipfs.UnixFS
	signer   stem.Signer
	local    *Membrane // serves client-side streams
	peer     peer.ID
	protoSeq atomic.Int32
}

func newWorld(t *testing.T, ctx context.Context, mem stem.Membrane, self peer.ID) *world {
	t.Helper()
	w := &world{caps: graftOver(t, ctx, mem), peer: self, local: New(epoch.NewCell(epoch.Epoch{}), Services{}, Options{})}

	ef, erel := w.host.Executor(ctx, nil)
	nf, nrel := w.host.Network(ctx, nil)
	uf, urel := w.ipfs.Unixfs(ctx, nil)
	sf, srel := w.identity.Signer(ctx, func(p stem.Identity_signer_Params) error {
		return p.SetDomain(identity.TerminalDomain)
	})
	defer func() { erel(); nrel(); urel(); srel() }()

	er, err := ef.Struct()
	if err != nil {
		t.Fatal(err)
	}
	nr, err := nf.Struct()
	if err != nil {
		t.Fatal(err)
	}
	ur, err := uf.Struct()
	if err != nil {
		t.Fatal(err)
	}
	sr, err := sf.Struct()
	if err != nil {
		t.Fatal(err)
	}
	w.hostExec = er.Executor().AddRef()
	w.listener = nr.Listener().AddRef()
	w.dialer = nr.Dialer().AddRef()
	w.unixfs = ur.Api().AddRef()
	w.signer = sr.Signer().AddRef()
	t.Cleanup(func() {
		w.hostExec.Release()
		w.listener.Release()
		w.dialer.Release()
		w.unixfs.Release()
		w.signer.Release()
	})
	return w
}

// result waits for a future and releases it.
func result[T interface{ Struct() (S, error) }, S any](f T, release capnp.ReleaseFunc) error {
	defer release()
	_, err := f.Struct()
	return err
}

type nopSink struct{}

func (nopSink) Provider(context.Context, routing.ProviderSink_provider) error { return nil }
func (nopSink) Done(context.Context, routing.ProviderSink_done) error         { return nil }

// guardedCalls lists one call per guarded method. before is the error a
// call gives while the epoch is current ("" for success).
var guardedCalls = []struct {
	name   string
	before string
	call   func(context.Context, *world) error
}{
	{"Host.id", "", func(ctx context.Context, w *world) error { return result(w.host.Id(ctx, nil)) }},
	{"Host.addrs", "", func(ctx context.Context, w *world) error { return result(w.host.Addrs(ctx, nil)) }},
	{"Host.peers", "", func(ctx context.Context, w *world) error { return result(w.host.Peers(ctx, nil)) }},
	{"Host.executor", "", func(ctx context.Context, w *world) error { return result(w.host.Executor(ctx, nil)) }},
	{"Host.network", "", func(ctx context.Context, w *world) error { return result(w.host.Network(ctx, nil)) }},
	{"Host.connect", "", func(ctx context.Context, w *world) error {
		return result(w.host.Connect(ctx, func(p system.Host_connect_Params) error {
			a, err := peerAddr("/ip4/127.0.0.1/tcp/4001", w.peer)
			if err != nil {
				return err
			}
			return p.SetAddr(a)
		}))
	}},
	{"Listener.listen", "", func(ctx context.Context, w *world) error {
		return result(w.listener.Listen(ctx, func(p system.Listener_listen_Params) error {
			if err := p.SetProtocol(fmt.Sprintf("echo-%d", w.protoSeq.Add(1))); err != nil {
				return err
			}
			if err := p.SetHandler([]byte("wasm")); err != nil {
				return err
			}
			return p.SetExecutor(w.exec.AddRef())
		}))
	}},
	{"Dialer.dial", "", func(ctx context.Context, w *world) error {
		f, release := w.dialer.Dial(ctx, func(p system.Dialer_dial_Params) error {
			if err := p.SetPeer([]byte(w.peer)); err != nil {
				return err
			}
			return p.SetProtocol("echo")
		})
		return result(f, release)
	}},
	{"Executor.echo", "", func(ctx context.Context, w *world) error { _, err := echo(ctx, w.exec, "x"); return err }},
	{"Executor.runBytes", "", func(ctx context.Context, w *world) error {
		return result(w.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error { return p.SetWasm([]byte("wasm")) }))
	}},
	{"Host.executor().echo", "", func(ctx context.Context, w *world) error { _, err := echo(ctx, w.hostExec, "x"); return err }},
	{"Identity.signer", "", func(ctx context.Context, w *world) error {
		return result(w.identity.Signer(ctx, func(p stem.Identity_signer_Params) error { return p.SetDomain("example.org") }))
	}},
	{"Signer.sign", "", func(ctx context.Context, w *world) error {
		return result(w.signer.Sign(ctx, func(p stem.Signer_sign_Params) error { p.SetNonce(1); return nil }))
	}},
	{"ipfs.Client.unixfs", "", func(ctx context.Context, w *world) error { return result(w.ipfs.Unixfs(ctx, nil)) }},
	{"ipfs.Client.block", "unimplemented: ipfs.Client.block", func(ctx context.Context, w *world) error { return result(w.ipfs.Block(ctx, nil)) }},
	{"ipfs.Client.dag", "unimplemented: ipfs.Client.dag", func(ctx context.Context, w *world) error { return result(w.ipfs.Dag(ctx, nil)) }},
	{"ipfs.Client.name", "unimplemented: ipfs.Client.name", func(ctx context.Context, w *world) error { return result(w.ipfs.Name(ctx, nil)) }},
	{"ipfs.Client.key", "unimplemented: ipfs.Client.key", func(ctx context.Context, w *world) error { return result(w.ipfs.Key(ctx, nil)) }},
	{"ipfs.Client.pin", "unimplemented: ipfs.Client.pin", func(ctx context.Context, w *world) error { return result(w.ipfs.Pin(ctx, nil)) }},
	{"ipfs.Client.object", "unimplemented: ipfs.Client.object", func(ctx context.Context, w *world) error { return result(w.ipfs.Object(ctx, nil)) }},
	{"ipfs.Client.swarm", "unimplemented: ipfs.Client.swarm", func(ctx context.Context, w *world) error { return result(w.ipfs.Swarm(ctx, nil)) }},
	{"ipfs.Client.pubSub", "unimplemented: ipfs.Client.pubSub", func(ctx context.Context, w *world) error { return result(w.ipfs.PubSub(ctx, nil)) }},
	{"ipfs.Client.routing", "unimplemented: ipfs.Client.routing", func(ctx context.Context, w *world) error { return result(w.ipfs.Routing(ctx, nil)) }},
	{"ipfs.Client.resolvePath", "", func(ctx context.Context, w *world) error {
		return result(w.ipfs.ResolvePath(ctx, func(p ipfs.Client_resolvePath_Params) error { return p.SetPath("/ipfs/" + Hash([]byte("hi")) + "/a/b") }))
	}},
	{"ipfs.Client.resolveNode", "", func(ctx context.Context, w *world) error {
		return result(w.ipfs.ResolveNode(ctx, func(p ipfs.Client_resolveNode_Params) error { return p.SetPath("/ipfs/" + Hash([]byte("hi"))) }))
	}},
	{"UnixFS.cat", "", func(ctx context.Context, w *world) error {
		return result(w.unixfs.Cat(ctx, func(p ipfs.UnixFS_cat_Params) error { return p.SetPath("/ipfs/" + Hash([]byte("hi"))) }))
	}},
	{"UnixFS.ls", "", func(ctx context.Context, w *world) error {
		return result(w.unixfs.Ls(ctx, func(p ipfs.UnixFS_ls_Params) error { return p.SetPath("/ipfs/x") }))
	}},
	{"UnixFS.add", "", func(ctx context.Context, w *world) error {
		return result(w.unixfs.Add(ctx, func(p ipfs.UnixFS_add_Params) error { return p.SetData([]byte("x")) }))
	}},
	{"UnixFS.open", "", func(ctx context.Context, w *world) error {
		return result(w.unixfs.Open(ctx, func(p ipfs.UnixFS_open_Params) error { return p.SetPath("/ipfs/" + Hash([]byte("hi"))) }))
	}},
	{"UnixFS.addStream", "", func(ctx context.Context, w *world) error {
		src := w.local.ReadStream(io.NopCloser(strings.NewReader("streamed")))
		return result(w.unixfs.AddStream(ctx, func(p ipfs.UnixFS_addStream_Params) error { return p.SetSource(src) }))
	}},
	{"Routing.provide", "", func(ctx context.Context, w *world) error {
		return result(w.routing.Provide(ctx, func(p routing.Routing_provide_Params) error { return p.SetKey(Hash([]byte("x"))) }))
	}},
	{"Routing.findProviders", "", func(ctx context.Context, w *world) error {
		return result(w.routing.FindProviders(ctx, func(p routing.Routing_findProviders_Params) error {
			if err := p.SetKey(Hash([]byte("x"))); err != nil {
				return err
			}
			return p.SetSink(routing.ProviderSink_ServerToClient(nopSink{}))
		}))
	}},
}

func peerAddr(addr string, id peer.ID) ([]byte, error) {
	a, err := ma.NewMultiaddr(addr + "/p2p/" + id.String())
	if err != nil {
		return nil, err
	}
	return a.Bytes(), nil
}

// TestGuardedMethodsFailAfterAdvance calls every guarded method before and
// after an advance, over every transport.
func TestGuardedMethodsFailAfterAdvance(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			n := newNode(t, Options{})
			ctx := testContext(t)
			mem := stem.Membrane(connect(t, tr, capnp.Client(n.m.Client())))
			w := newWorld(t, ctx, mem, n.key.PeerID())

			for _, gc := range guardedCalls {
				err := gc.call(ctx, w)
				switch {
				case gc.before == "" && err != nil:
					t.Errorf("%s before the advance: %v", gc.name, err)
				case gc.before != "" && wireReason(err) != gc.before:
					t.Errorf("%s before the advance: %v, want %q", gc.name, err, gc.before)
				}
			}

			n.cell.Advance(epoch.Epoch{Seq: 1, Head: []byte("head-1"), AdoptedBlock: 10})

			for _, gc := range guardedCalls {
				wantStale(t, gc.name, gc.call(ctx, w))
			}
		})
	}
}

// TestUnguardedKeepWorking checks that Membrane.*, Routing.hash, Process.*
// and ByteStream.* still work after an advance, and that re-grafting gives
// working caps.
func TestUnguardedKeepWorking(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			n := newNode(t, Options{})
			ctx := testContext(t)
			mem := stem.Membrane(connect(t, tr, capnp.Client(n.m.Client())))
			old := graftOver(t, ctx, mem)

			// A process and a dialed stream started in the old epoch.
			pf, prel := old.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error { return p.SetWasm([]byte("wasm")) })
			defer prel()
			proc := pf.Process()
			hf, hrel := old.host.Network(ctx, nil)
			defer hrel()
			df, drel := hf.Dialer().Dial(ctx, func(p system.Dialer_dial_Params) error {
				if err := p.SetPeer([]byte(n.key.PeerID())); err != nil {
					return err
				}
				return p.SetProtocol("echo")
			})
			defer drel()
			stream := df.Stream()
			if _, err := df.Struct(); err != nil {
				t.Fatal(err)
			}

			n.cell.Bump()

			if _, err := echo(ctx, old.exec, "x"); !IsStaleEpoch(err) {
				t.Fatalf("old executor after advance: %v", err)
			}

			// Routing.hash on the old routing cap.
			hf2, hrel2 := old.routing.Hash(ctx, func(p routing.Routing_hash_Params) error { return p.SetData([]byte("hello")) })
			defer hrel2()
			hr, err := hf2.Struct()
			if err != nil {
				t.Fatalf("hash after advance: %v", err)
			}
			if key, _ := hr.Key(); key != "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq" {
				t.Fatalf("hash = %s", key)
			}

			// Process and its streams.
			in := NewStreamWriter(ctx, pipelineStream(ctx, proc, "stdin"))
			out := NewStreamReader(ctx, pipelineStream(ctx, proc, "stdout"))
			defer out.Close()
			if _, err := io.WriteString(in, "ping"); err != nil {
				t.Fatalf("stdin write after advance: %v", err)
			}
			if err := in.Close(); err != nil {
				t.Fatalf("stdin close: %v", err)
			}
			data, err := io.ReadAll(out)
			if err != nil || string(data) != "ping" {
				t.Fatalf("stdout = %q, %v", data, err)
			}
			wf, wrel := proc.Wait(ctx, nil)
			defer wrel()
			if wr, err := wf.Struct(); err != nil || wr.ExitCode() != 0 {
				t.Fatalf("wait: %v", err)
			}

			// The dialed stream.
			sw := NewStreamWriter(ctx, stream.AddRef())
			sr := NewStreamReader(ctx, stream.AddRef())
			defer sr.Close()
			go func() {
				io.WriteString(sw, "loop")
				sw.Close()
			}()
			if data, err := io.ReadAll(sr); err != nil || string(data) != "loop" {
				t.Fatalf("stream = %q, %v", data, err)
			}

			// Membrane: nextEpoch and a new graft.
			e, err := nextEpoch(ctx, mem, 0)
			if err != nil || e.Seq != 1 {
				t.Fatalf("nextEpoch(0) = %v, %v", e, err)
			}
			fresh := graftOver(t, ctx, mem)
			if got, err := echo(ctx, fresh.exec, "again"); err != nil || got != "Echo: again" {
				t.Fatalf("re-grafted echo = %q, %v", got, err)
			}
			if _, err := hostID(ctx, fresh.host); err != nil {
				t.Fatalf("re-grafted host.id: %v", err)
			}
			if _, err := echo(ctx, old.exec, "x"); !IsStaleEpoch(err) {
				t.Fatalf("old executor after re-graft: %v", err)
			}
		})
	}
}

// pipelineStream fetches one of a process's streams.
func pipelineStream(ctx context.Context, proc system.Process, which string) system.ByteStream {
	switch which {
	case "stdin":
		f, release := proc.Stdin(ctx, nil)
		defer release()
		return f.Stream().AddRef()
	case "stdout":
		f, release := proc.Stdout(ctx, nil)
		defer release()
		return f.Stream().AddRef()
	default:
		f, release := proc.Stderr(ctx, nil)
		defer release()
		return f.Stream().AddRef()
	}
}

// TestOlderGraftsOfSameEpochStayValid grafts twice in one epoch.
func TestOlderGraftsOfSameEpochStayValid(t *testing.T) {
	n := newNode(t, Options{})
	ctx := testContext(t)
	mem := stem.Membrane(connect(t, transports[0], capnp.Client(n.m.Client())))
	a := graftOver(t, ctx, mem)
	b := graftOver(t, ctx, mem)
	for _, c := range []caps{a, b} {
		if _, err := echo(ctx, c.exec, "x"); err != nil {
			t.Fatal(err)
		}
	}
	n.cell.Bump()
	for _, c := range []caps{a, b} {
		_, err := echo(ctx, c.exec, "x")
		wantStale(t, "echo", err)
	}
}

// TestNextEpoch: returns at once if seq differs, on advance, and unchanged
// after the (shortened) long-poll period; it never holds up a graft.
func TestNextEpoch(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			n := newNode(t, Options{NextEpochTimeout: 200 * time.Millisecond})
			n.cell.Advance(epoch.Epoch{Seq: 3, Head: []byte("h3"), AdoptedBlock: 30})
			ctx := testContext(t)
			mem := stem.Membrane(connect(t, tr, capnp.Client(n.m.Client())))

			// Different already.
			e, err := nextEpoch(ctx, mem, 0)
			if err != nil || e.Seq != 3 || string(e.Head) != "h3" || e.AdoptedBlock != 30 {
				t.Fatalf("nextEpoch(0) = %v, %v", e, err)
			}

			// Times out unchanged.
			start := time.Now()
			e, err = nextEpoch(ctx, mem, 3)
			if err != nil || e.Seq != 3 || string(e.Head) != "h3" {
				t.Fatalf("nextEpoch(3) = %v, %v", e, err)
			}
			if d := time.Since(start); d < 150*time.Millisecond {
				t.Fatalf("nextEpoch returned after %v, before the timeout", d)
			}

			// Returns on advance.
			type out struct {
				e   epoch.Epoch
				err error
			}
			done := make(chan out, 1)
			go func() {
				e, err := nextEpoch(ctx, mem, 3)
				done <- out{e, err}
			}()
			time.Sleep(50 * time.Millisecond)
			n.cell.Advance(epoch.Epoch{Seq: 4, Head: []byte("h4"), AdoptedBlock: 40})
			select {
			case o := <-done:
				if o.err != nil || o.e.Seq != 4 || string(o.e.Head) != "h4" || o.e.AdoptedBlock != 40 {
					t.Fatalf("nextEpoch on advance = %v, %v", o.e, o.err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("nextEpoch did not return on advance")
			}
		})
	}
}

func TestNextEpochDoesNotBlockGraft(t *testing.T) {
	n := newNode(t, Options{NextEpochTimeout: time.Hour})
	ctx := testContext(t)
	mem := stem.Membrane(connect(t, transports[1], capnp.Client(n.m.Client())))

	var wg sync.WaitGroup
	for range 3 { // more than two concurrent long polls (pitfall 9)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e, err := nextEpoch(ctx, mem, 0); err != nil || e.Seq != 1 {
				t.Errorf("nextEpoch = %v, %v", e, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	c := graftOver(t, ctx, mem)
	if _, err := echo(ctx, c.exec, "during long poll"); err != nil {
		t.Fatal(err)
	}
	n.cell.Bump()
	wg.Wait()
}

// TestNextEpochDefaultTimeout checks the 60 s default without waiting.
func TestNextEpochDefaultTimeout(t *testing.T) {
	m := New(epoch.NewCell(epoch.Epoch{}), Services{}, Options{})
	if m.opts.NextEpochTimeout != 60*time.Second || m.opts.CallTimeout != 30*time.Second {
		t.Fatalf("defaults: %+v", m.opts)
	}
}

// TestThirdPartyRevoked: B grafts from A and hands its Host to C over a
// second connection; the advance revokes C's copy along with B's.
func TestThirdPartyRevoked(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			n := newNode(t, Options{})
			ctx := testContext(t)
			mem := stem.Membrane(connect(t, tr, capnp.Client(n.m.Client()))) // A -> B
			b := graftOver(t, ctx, mem)

			hostC := system.Host(connect(t, tr, capnp.Client(b.host.AddRef()))) // B -> C
			if id, err := hostID(ctx, hostC); err != nil || id != n.key.PeerID() {
				t.Fatalf("C: host.id = %s, %v", id, err)
			}
			ef, erel := hostC.Executor(ctx, nil)
			defer erel()
			execC := ef.Executor()
			if got, err := echo(ctx, execC, "via C"); err != nil || got != "Echo: via C" {
				t.Fatalf("C: echo = %q, %v", got, err)
			}

			n.cell.Bump()

			_, err := hostID(ctx, b.host)
			wantStale(t, "B host.id", err)
			_, err = hostID(ctx, hostC)
			wantStaleProxied(t, "C host.id", err)
			_, err = echo(ctx, execC, "x")
			wantStaleProxied(t, "C executor.echo", err)
		})
	}
}

// TestRunBytesChildMembrane: a null bootstrap gives the child a fresh
// Membrane over the same cell; a non-null one is handed over as is.
func TestRunBytesChildMembrane(t *testing.T) {
	n := newNode(t, Options{})
	ctx := testContext(t)
	mem := stem.Membrane(connect(t, transports[0], capnp.Client(n.m.Client())))
	c := graftOver(t, ctx, mem)

	pf, prel := c.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error {
		if err := p.SetWasm([]byte("wasm")); err != nil {
			return err
		}
		args, err := p.NewArgs(2)
		if err != nil {
			return err
		}
		args.Set(0, "prog")
		args.Set(1, "x")
		env, err := p.NewEnv(1)
		if err != nil {
			return err
		}
		env.Set(0, "A=1")
		l, err := p.NewLimits()
		if err != nil {
			return err
		}
		l.SetMemoryBytes(1 << 20)
		return nil
	})
	defer prel()
	bf, brel := pf.Process().Bootstrap(ctx, nil)
	defer brel()
	br, err := bf.Struct()
	if err != nil {
		t.Fatal(err)
	}
	child := stem.Membrane(br.Cap())
	cc := graftOver(t, ctx, child)
	if got, err := echo(ctx, cc.exec, "child"); err != nil || got != "Echo: child" {
		t.Fatalf("child graft echo = %q, %v", got, err)
	}
	n.exec.mu.Lock()
	req := n.exec.reqs[0]
	n.exec.mu.Unlock()
	if req.Epoch != 0 || strings.Join(req.Args, " ") != "prog x" || strings.Join(req.Env, " ") != "A=1" || req.Limits.MemoryBytes != 1<<20 {
		t.Fatalf("run request %+v", req)
	}

	// Caller-supplied bootstrap.
	given := system.Executor_ServerToClient(&executorServer{g: NewGuard(n.cell), m: n.m})
	pf2, prel2 := c.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error {
		if err := p.SetWasm([]byte("wasm")); err != nil {
			return err
		}
		return p.SetBootstrap(capnp.Client(given))
	})
	defer prel2()
	bf2, brel2 := pf2.Process().Bootstrap(ctx, nil)
	defer brel2()
	br2, err := bf2.Struct()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := echo(ctx, system.Executor(br2.Cap()), "given"); err != nil || got != "Echo: given" {
		t.Fatalf("given bootstrap echo = %q, %v", got, err)
	}

	// After an advance the child's Membrane still grafts (Membrane is not
	// guarded) and its new caps work.
	n.cell.Bump()
	cc2 := graftOver(t, ctx, child)
	if _, err := echo(ctx, cc2.exec, "child"); err != nil {
		t.Fatal(err)
	}
}

// TestArgumentErrors checks catalogue texts for invalid arguments.
func TestArgumentErrors(t *testing.T) {
	n := newNode(t, Options{})
	ctx := testContext(t)
	mem := stem.Membrane(connect(t, transports[0], capnp.Client(n.m.Client())))
	w := newWorld(t, ctx, mem, n.key.PeerID())

	cases := []struct {
		name, want string
		err        error
	}{
		{"runBytes env", "invalidArgument: env entry must be KEY=VALUE", result(w.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error {
			env, _ := p.NewEnv(1)
			return env.Set(0, "NOEQUALS")
		}))},
		{"runBytes invalid wasm", "invalidWasm: compile: bad magic", result(w.exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error {
			return p.SetWasm([]byte("bad"))
		}))},
		{"signer domain", "invalidArgument: invalid signing domain", result(w.identity.Signer(ctx, func(p stem.Identity_signer_Params) error {
			return p.SetDomain("Bad_Domain")
		}))},
		{"provide not a CID", `invalidArgument: not a CID: "nope"`, result(w.routing.Provide(ctx, func(p routing.Routing_provide_Params) error {
			return p.SetKey("nope")
		}))},
		{"listen name", "invalidArgument: invalid protocol name", result(w.listener.Listen(ctx, func(p system.Listener_listen_Params) error {
			p.SetExecutor(w.exec.AddRef())
			return p.SetProtocol("bad/name")
		}))},
		{"dial peer", "invalidArgument: invalid peer id: ", result(w.dialer.Dial(ctx, func(p system.Dialer_dial_Params) error {
			p.SetProtocol("echo")
			return p.SetPeer([]byte("garbage"))
		}))},
		{"cat missing", "notFound: no such path: /ipfs/none", result(w.unixfs.Cat(ctx, func(p ipfs.UnixFS_cat_Params) error {
			return p.SetPath("/ipfs/none")
		}))},
	}
	for _, c := range cases {
		if c.err == nil || !strings.HasPrefix(wireReason(c.err), c.want) {
			t.Errorf("%s: %v, want %q", c.name, c.err, c.want)
		}
	}

	// Duplicate listener registration keeps the backend's code.
	listen := func() error {
		return result(w.listener.Listen(ctx, func(p system.Listener_listen_Params) error {
			p.SetExecutor(w.exec.AddRef())
			return p.SetProtocol("dup")
		}))
	}
	if err := listen(); err != nil {
		t.Fatal(err)
	}
	if err := listen(); wireReason(err) != "alreadyExists: protocol already registered: dup" {
		t.Fatalf("duplicate listen: %v", err)
	}

	// ByteStream argument checks.
	rs := w.local.ReadStream(io.NopCloser(strings.NewReader("x")))
	defer rs.Release()
	if err := result(rs.Read(ctx, func(p system.ByteStream_read_Params) error { return nil })); wireReason(err) != "invalidArgument: maxBytes must be > 0" {
		t.Fatalf("read(0): %v", err)
	}
	if err := result(rs.Write(ctx, func(p system.ByteStream_write_Params) error { return p.SetData([]byte("x")) })); wireReason(err) != "invalidArgument: stream is read-only" {
		t.Fatalf("write on read-only: %v", err)
	}
}

// TestUnimplementedBackends: caps without a backend fail with
// unimplemented (after the guard check).
func TestUnimplementedBackends(t *testing.T) {
	cell := epoch.NewCell(epoch.Epoch{})
	m := New(cell, Services{}, Options{})
	ctx := testContext(t)
	mem := stem.Membrane(connect(t, transports[0], capnp.Client(m.Client())))
	c := graftOver(t, ctx, mem)

	if _, err := hostID(ctx, c.host); wireReason(err) != "unimplemented: Host.id" || exc.TypeOf(err) != exc.Unimplemented {
		t.Fatalf("host.id: %v", err)
	}
	if err := result(c.host.Network(ctx, nil)); wireReason(err) != "unimplemented: Host.network" {
		t.Fatalf("host.network: %v", err)
	}
	if err := result(c.exec.RunBytes(ctx, nil)); wireReason(err) != "unimplemented: Executor.runBytes" {
		t.Fatalf("runBytes: %v", err)
	}
	if got, err := echo(ctx, c.exec, "still"); err != nil || got != "Echo: still" {
		t.Fatalf("echo without backend: %q, %v", got, err)
	}
	cell.Bump()
	_, err := hostID(ctx, c.host)
	wantStale(t, "host.id without backend", err)
}

// collectSink records providers and done.
type collectSink struct {
	mu   sync.Mutex
	ids  []peer.ID
	done chan struct{}
}

func (s *collectSink) Provider(_ context.Context, call routing.ProviderSink_provider) error {
	info, err := call.Args().Info()
	if err != nil {
		return err
	}
	b, err := info.PeerId()
	if err != nil {
		return err
	}
	id, err := peer.IDFromBytes(b)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ids = append(s.ids, id)
	s.mu.Unlock()
	return nil
}

func (s *collectSink) Done(context.Context, routing.ProviderSink_done) error {
	close(s.done)
	return nil
}

// TestFindProviders: distinct providers with addresses, up to count, then
// done.
func TestFindProviders(t *testing.T) {
	n := newNode(t, Options{})
	addr := mustAddr(t, "/ip4/127.0.0.1/tcp/1")
	var want []peer.ID
	for i := range 5 {
		id := mustKey(t).PeerID()
		want = append(want, id)
		n.routing.providers = append(n.routing.providers, peer.AddrInfo{ID: id, Addrs: []ma.Multiaddr{addr}})
		if i == 1 {
			// a duplicate and one without addresses are skipped
			n.routing.providers = append(n.routing.providers, peer.AddrInfo{ID: id, Addrs: []ma.Multiaddr{addr}})
			n.routing.providers = append(n.routing.providers, peer.AddrInfo{ID: mustKey(t).PeerID()})
		}
	}
	ctx := testContext(t)
	mem := stem.Membrane(connect(t, transports[0], capnp.Client(n.m.Client())))
	c := graftOver(t, ctx, mem)

	for _, tc := range []struct {
		count uint32
		want  int
	}{{0, 5}, {3, 3}, {1000, 5}} {
		sink := &collectSink{done: make(chan struct{})}
		err := result(c.routing.FindProviders(ctx, func(p routing.Routing_findProviders_Params) error {
			p.SetCount(tc.count)
			if err := p.SetKey(Hash([]byte("k"))); err != nil {
				return err
			}
			return p.SetSink(routing.ProviderSink_ServerToClient(sink))
		}))
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-sink.done:
		default:
			t.Fatalf("count %d: findProviders returned before done()", tc.count)
		}
		sink.mu.Lock()
		got := sink.ids
		sink.mu.Unlock()
		if len(got) != tc.want {
			t.Fatalf("count %d: %d providers, want %d", tc.count, len(got), tc.want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("count %d: provider %d = %s, want %s", tc.count, i, got[i], want[i])
			}
		}
	}
}

func TestHashFixture(t *testing.T) {
	if got := Hash([]byte("hello")); got != "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq" {
		t.Fatalf("Hash(hello) = %s", got)
	}
}

func TestCodeOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Code
	}{
		{ErrStaleEpoch, CodeStaleEpoch},
		{Errorf(CodeResourceExhausted, "x"), CodeResourceExhausted},
		{fmt.Errorf("unavailable: dial x: y"), CodeUnavailable},
		{fmt.Errorf("rpc: something"), ""},
		{fmt.Errorf("system.capnp:Host.id: @0x9ea70c8c9aefb70c.@0: staleEpoch: session epoch no longer current"), CodeStaleEpoch},
		{fmt.Errorf("plain"), ""},
		{nil, ""},
	} {
		if got := CodeOf(tc.err); got != tc.want {
			t.Errorf("CodeOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if exc.TypeOf(Errorf(CodeResourceExhausted, "x")) != exc.Overloaded ||
		exc.TypeOf(Errorf(CodeUnavailable, "x")) != exc.Disconnected ||
		exc.TypeOf(Errorf(CodeUnimplemented, "x")) != exc.Unimplemented {
		t.Fatal("catalogue exception types")
	}
}
