package bridge_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/rpc"

	"github.com/wetware/ww/capnp/bridge"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/stdlib"
)

// testHost serves Host with fixed answers; once stale is set every method
// fails the way a guarded method does after an epoch advance.
type testHost struct{ stale atomic.Bool }

func (h *testHost) guard() error {
	if h.stale.Load() {
		return errors.New("staleEpoch: session epoch no longer current")
	}
	return nil
}

func (h *testHost) Id(_ context.Context, call system.Host_id) error {
	if err := h.guard(); err != nil {
		return err
	}
	res, _ := call.AllocResults()
	return res.SetPeerId([]byte("peer-1"))
}

func (h *testHost) Addrs(_ context.Context, call system.Host_addrs) error {
	if err := h.guard(); err != nil {
		return err
	}
	res, _ := call.AllocResults()
	l, err := res.NewAddrs(2)
	if err != nil {
		return err
	}
	l.Set(0, []byte("/ip4/127.0.0.1/tcp/1"))
	l.Set(1, []byte("/ip4/127.0.0.1/udp/1/quic-v1"))
	return nil
}

func (h *testHost) Peers(_ context.Context, call system.Host_peers) error {
	res, _ := call.AllocResults()
	l, err := res.NewPeers(1)
	if err != nil {
		return err
	}
	l.At(0).SetPeerId([]byte("peer-2"))
	addrs, _ := l.At(0).NewAddrs(1)
	addrs.Set(0, []byte("/ip4/127.0.0.1/tcp/2"))
	return nil
}

func (h *testHost) Executor(_ context.Context, call system.Host_executor) error {
	res, _ := call.AllocResults()
	return res.SetExecutor(system.Executor_ServerToClient(echoExecutor{}))
}

func (h *testHost) Network(context.Context, system.Host_network) error {
	return errors.New("unimplemented: network")
}

func (h *testHost) Connect(_ context.Context, call system.Host_connect) error {
	addr, _ := call.Args().Addr()
	return errors.New("notFound: peer not found: " + string(addr))
}

type echoExecutor struct{}

func (echoExecutor) RunBytes(context.Context, system.Executor_runBytes) error {
	return errors.New("unimplemented: runBytes")
}

func (echoExecutor) Echo(_ context.Context, call system.Executor_echo) error {
	m, err := call.Args().Message_()
	if err != nil {
		return err
	}
	res, _ := call.AllocResults()
	return res.SetResponse("Echo: " + m)
}

// overPipe serves bootstrap across a real RPC connection and returns the
// client end. pipe chooses in-process net.Pipe or OS pipes.
func overPipe(t *testing.T, bootstrap capnp.Client, osPipe bool) capnp.Client {
	t.Helper()
	var a, b rwc
	if osPipe {
		r1, w1, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r2, w2, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		a, b = rwc{r1, w2}, rwc{r2, w1}
	} else {
		p1, p2 := net.Pipe()
		a, b = rwc{p1, p1}, rwc{p2, p2}
	}
	server := rpc.NewConn(rpc.NewStreamTransport(a), &rpc.Options{BootstrapClient: bootstrap})
	client := rpc.NewConn(rpc.NewStreamTransport(b), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	c := client.Bootstrap(ctx)
	t.Cleanup(func() {
		c.Release()
		cancel()
		client.Close()
		server.Close()
	})
	return c
}

// rwc joins a reader and a writer into one stream.
type rwc struct {
	r interface{ Read([]byte) (int, error) }
	w interface {
		Write([]byte) (int, error)
		Close() error
	}
}

func (s rwc) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s rwc) Write(p []byte) (int, error) { return s.w.Write(p) }
func (s rwc) Close() error {
	err := s.w.Close()
	if c, ok := s.r.(interface{ Close() error }); ok && c != s.w {
		c.Close()
	}
	return err
}

// shell is a Glia session holding host as a bridged capability, with the
// per-form handler a shell session installs.
func shell(t *testing.T, osPipe bool) (*eval.Session, *testHost, *bytes.Buffer) {
	t.Helper()
	reg, err := bridge.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	h := &testHost{}
	client := overPipe(t, capnp.Client(system.Host_ServerToClient(h)), osPipe)
	host, err := reg.NewCap("host", client, system.Host_TypeID)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := stdlib.NewInterp(stdlib.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s := stdlib.NewSession(ip, &out, nil)
	ctx := func() context.Context { return context.Background() }
	s.Define("host", host)
	s.Define("host-handler", reg.Handler("host-handler", host, ctx))
	for _, b := range bridge.Builtins() {
		s.Define(b.Name, b)
	}
	return s, h, &out
}

// glia evaluates src inside the host handler, as a shell wraps each form.
func glia(s *eval.Session, src string) (string, error) {
	v, err := s.EvalString("(with-effect-handler host host-handler "+src+")", "test")
	if err != nil {
		return "", err
	}
	return value.Repr(v), nil
}

func TestCallsAndConversions(t *testing.T) {
	for _, osPipe := range []bool{false, true} {
		s, _, out := shell(t, osPipe)
		for src, want := range map[string]string{
			`(host id)`:                      `<6 bytes>`,
			`(= (host id) (bytes "peer-1"))`: `true`,
			`(perform host :addrs)`:          `[<20 bytes> <28 bytes>]`,
			`(host peers)`:                   `[{:peer-id <6 bytes> :addrs [<20 bytes>]}]`,
			`(let [e (host executor)] [(type e) (str e)])`: `[:cap "#<cap executor>"]`,
			`(apply host [:id])`:                           `<6 bytes>`,
		} {
			got, err := glia(s, src)
			if err != nil || got != want {
				t.Errorf("osPipe=%v %s = %s, %v; want %s", osPipe, src, got, err, want)
			}
		}
		// A capability returned by a call is itself callable through a
		// handler of its interface.
		reg, _ := bridge.NewRegistry()
		s.Define("executor-handler", reg.Handler("executor-handler", nil, context.Background))
		v, err := s.EvalString(`(let [e (with-effect-handler host host-handler (host executor))]
		                          (with-effect-handler e executor-handler (e echo "hi")))`, "test")
		if err != nil || value.Repr(v) != `"Echo: hi"` {
			t.Errorf("executor echo: %v %v", v, err)
		}
		out.Reset()
	}
}

// TestFailureShapes checks every failure shape of Glia spec 15.2.
func TestFailureShapes(t *testing.T) {
	s, h, _ := shell(t, false)
	for src, want := range map[string]string{
		`(host frob)`:                   `[glia.error/cap-call-failed] host.frob failed: unknown method :frob`,
		`(host connect "/ip4/1.2.3.4")`: `[glia.error/cap-call-failed] host.connect failed: notFound: peer not found: /ip4/1.2.3.4`,
		`(host connect)`:                `[glia.error/arity-mismatch] host :connect: expected 1 arg(s), got 0`,
		`(host id 1)`:                   `[glia.error/arity-mismatch] host :id: expected 0 arg(s), got 1`,
		`(host connect 42)`:             `[glia.error/type-mismatch] host :connect: expected bytes or string, got int`,
		`(host)`:                        `[glia.error/arity-mismatch] host: expected at least 1 arg(s), got 0`,
	} {
		_, err := glia(s, src)
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", src, err, want)
		}
	}
	// Failures are ordinary errors: code around the call catches them, with
	// the host's code under :glia.error/code.
	got, err := glia(s, `(try (host connect "x") (catch :glia.error/cap-call-failed e (:glia.error/code e)))`)
	if err != nil || got != `"notFound"` {
		t.Errorf("caught code: %s %v", got, err)
	}
	h.stale.Store(true)
	_, err = glia(s, `(host id)`)
	if err == nil || err.Error() != `[glia.error/epoch-expired] epoch expired for cap 'host'` {
		t.Fatalf("stale: %v", err)
	}
	got, err = glia(s, `(try (host addrs) (catch :glia.error/epoch-expired e (:glia.error/code e)))`)
	if err != nil || got != `"staleEpoch"` {
		t.Errorf("stale code: %s %v", got, err)
	}
}

func TestHelpIsGeneratedFromTheSchema(t *testing.T) {
	s, _, out := shell(t, false)
	if _, err := s.EvalString(`(help host)`, "test"); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"== host ==", "schema-cid: bafkrei", "schema-bytes: ", "usage:        (perform host :<method> <args>...)",
		"(host id)", "(host connect <addr:bytes>)", "(host peers)", "-> [map]", "-> executor", "{:listener listener :dialer dialer}"} {
		if !strings.Contains(text, want) {
			t.Errorf("help lacks %q:\n%s", want, text)
		}
	}
	out.Reset()
	if _, err := s.EvalString(`(help)`, "test"); err != nil || out.String() != bridge.ShellHelp {
		t.Errorf("(help) printed %q, %v", out.String(), err)
	}
	v, err := s.EvalString(`[(bytes? (schema host)) (= (schema host) (schema host))]`, "test")
	if err != nil || value.Repr(v) != "[true true]" {
		t.Errorf("schema: %v %v", v, err)
	}
	if _, err := s.EvalString(`(schema 1)`, "test"); err == nil || !strings.Contains(err.Error(), "schema: expected cap, got int") {
		t.Errorf("schema of int: %v", err)
	}
	s.Define("other", &value.Cap{Name: "other", Schema: "x"})
	if _, err := s.EvalString(`(schema other)`, "test"); err == nil ||
		err.Error() != "[glia.error/permission-denied] permission denied: schema for cap 'other' not registered" {
		t.Errorf("schema of unregistered: %v", err)
	}
}

// TestIdentityFollowsTheInterface: two capabilities of one interface are
// equal and served by the same handler; different interfaces differ.
func TestIdentityFollowsTheInterface(t *testing.T) {
	reg, err := bridge.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := reg.NewCap("host", capnp.Client{}, system.Host_TypeID)
	b, _ := reg.NewCap("host2", capnp.Client{}, system.Host_TypeID)
	e, _ := reg.NewCap("executor", capnp.Client{}, system.Executor_TypeID)
	if !value.Equal(a, b) || value.Equal(a, e) || a.Schema == e.Schema {
		t.Fatalf("identities: %s %s %s", a.Schema, b.Schema, e.Schema)
	}
}
