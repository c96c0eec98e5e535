package capnp_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	capnplib "capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/flowcontrol"
	"capnproto.org/go/capnp/v3/rpc"

	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
)

// TestPeerInfoRoundTrip builds a PeerInfo, marshals it and reads it back.
func TestPeerInfoRoundTrip(t *testing.T) {
	msg, seg := capnplib.NewSingleSegmentMessage(nil)
	pi, err := system.NewRootPeerInfo(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := pi.SetPeerId([]byte("peer-id")); err != nil {
		t.Fatal(err)
	}
	addrs, err := pi.NewAddrs(2)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range []string{"/ip4/127.0.0.1/tcp/1", "/ip6/::1/udp/2/quic-v1"} {
		if err := addrs.Set(i, []byte(a)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := msg.Marshal()
	if err != nil {
		t.Fatal(err)
	}

	msg2, err := capnplib.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := system.ReadRootPeerInfo(msg2)
	if err != nil {
		t.Fatal(err)
	}
	id, err := got.PeerId()
	if err != nil || string(id) != "peer-id" {
		t.Fatalf("peerId = %q, %v", id, err)
	}
	list, err := got.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	if list.Len() != 2 {
		t.Fatalf("addrs: %d entries, want 2", list.Len())
	}
	if a, _ := list.At(1); string(a) != "/ip6/::1/udp/2/quic-v1" {
		t.Fatalf("addrs[1] = %q", a)
	}
}

// echoExecutor implements Executor.echo only.
type echoExecutor struct{}

func (echoExecutor) RunBytes(context.Context, system.Executor_runBytes) error {
	return capnplib.Unimplemented("unimplemented: runBytes")
}

func (echoExecutor) Echo(_ context.Context, call system.Executor_echo) error {
	m, err := call.Args().Message_()
	if err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetResponse("Echo: " + m)
}

// connect serves bootstrap on one end of an in-process pipe and returns
// the bootstrap capability as seen from the other end.
func connect(t *testing.T, bootstrap capnplib.Client) capnplib.Client {
	t.Helper()
	p1, p2 := net.Pipe()
	server := rpc.NewConn(rpc.NewStreamTransport(p1), &rpc.Options{BootstrapClient: bootstrap})
	client := rpc.NewConn(rpc.NewStreamTransport(p2), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(func() {
		cancel()
		client.Close()
		server.Close()
	})
	c := client.Bootstrap(ctx)
	t.Cleanup(c.Release)
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestExecutorEchoRPC calls Executor.echo on a Go server across a Cap'n
// Proto RPC connection.
func TestExecutorEchoRPC(t *testing.T) {
	ctx := testContext(t)
	exec := system.Executor(connect(t, capnplib.Client(system.Executor_ServerToClient(echoExecutor{}))))

	f, release := exec.Echo(ctx, func(p system.Executor_echo_Params) error {
		return p.SetMessage_("hi")
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	got, err := res.Response()
	if err != nil {
		t.Fatal(err)
	}
	if got != "Echo: hi" {
		t.Fatalf("echo returned %q, want %q", got, "Echo: hi")
	}
}

// testTerminal hands out a fixed session to any caller.
type testTerminal struct{ session capnplib.Client }

func (tt testTerminal) Login(_ context.Context, call stem.Terminal_login) error {
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetSession(tt.session.AddRef().EncodeAsPtr(res.Segment()))
}

// TestTerminalGenericSession checks the generic Terminal(Session): the
// session travels as a capnp.Ptr and is usable as the concrete interface.
func TestTerminalGenericSession(t *testing.T) {
	ctx := testContext(t)
	session := capnplib.Client(system.Executor_ServerToClient(echoExecutor{}))
	defer session.Release()
	term := stem.Terminal(connect(t, capnplib.Client(stem.Terminal_ServerToClient(testTerminal{session}))))

	f, release := term.Login(ctx, nil)
	defer release()
	res, err := f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	ptr, err := res.Session()
	if err != nil {
		t.Fatal(err)
	}
	exec := system.Executor(ptr.Interface().Client())
	ef, erelease := exec.Echo(ctx, func(p system.Executor_echo_Params) error {
		return p.SetMessage_("session")
	})
	defer erelease()
	er, err := ef.Struct()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := er.Response(); got != "Echo: session" {
		t.Fatalf("echo through the session returned %q", got)
	}
}

// collectingSink records the providers it is sent.
type collectingSink struct {
	mu    sync.Mutex
	ids   []string
	done  chan struct{}
	close sync.Once
}

func (s *collectingSink) Provider(_ context.Context, call routing.ProviderSink_provider) error {
	info, err := call.Args().Info()
	if err != nil {
		return err
	}
	id, err := info.PeerId()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ids = append(s.ids, string(id))
	s.mu.Unlock()
	return nil
}

func (s *collectingSink) Done(context.Context, routing.ProviderSink_done) error {
	s.close.Do(func() { close(s.done) })
	return nil
}

// TestProviderSinkStream sends streaming ProviderSink.provider calls (the
// "-> stream" method) with a flow limiter, then done.
func TestProviderSinkStream(t *testing.T) {
	ctx := testContext(t)
	srv := &collectingSink{done: make(chan struct{})}
	sink := routing.ProviderSink(connect(t, capnplib.Client(routing.ProviderSink_ServerToClient(srv))))
	sink.SetFlowLimiter(flowcontrol.NewFixedLimiter(1 << 20))

	want := []string{"a", "b", "c"}
	for _, id := range want {
		err := sink.Provider(ctx, func(p routing.ProviderSink_provider_Params) error {
			info, err := p.NewInfo()
			if err != nil {
				return err
			}
			return info.SetPeerId([]byte(id))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.WaitStreaming(); err != nil {
		t.Fatal(err)
	}
	f, release := sink.Done(ctx, nil)
	defer release()
	if _, err := f.Struct(); err != nil {
		t.Fatal(err)
	}
	<-srv.done

	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.ids) != len(want) {
		t.Fatalf("sink got %q, want %q", srv.ids, want)
	}
	for i := range want {
		if srv.ids[i] != want[i] {
			t.Fatalf("sink got %q, want %q", srv.ids, want)
		}
	}
}
