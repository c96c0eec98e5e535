package membrane_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/rpc"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/bridge"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/stdlib"
)

type fixedHost struct{ id peer.ID }

func (h fixedHost) ID() peer.ID                                  { return h.id }
func (h fixedHost) Addrs() []ma.Multiaddr                        { return nil }
func (h fixedHost) Peers() []peer.AddrInfo                       { return nil }
func (h fixedHost) Connect(context.Context, peer.AddrInfo) error { return nil }

// TestGliaOverMembrane is the capability core end to end: a Glia session
// holds capabilities grafted from a Membrane across a Cap'n Proto
// connection; an epoch advance makes the old values fail with
// epoch-expired, and a re-graft rebinds working ones.
func TestGliaOverMembrane(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cell := epoch.NewCell(epoch.Epoch{})
	m := membrane.New(cell, membrane.Services{Host: fixedHost{key.PeerID()}, Identity: membrane.KeyIdentity(key)}, membrane.Options{})

	p1, p2 := net.Pipe()
	server := rpc.NewConn(rpc.NewStreamTransport(p1), &rpc.Options{BootstrapClient: capnp.Client(m.Client())})
	conn := rpc.NewConn(rpc.NewStreamTransport(p2), nil)
	defer server.Close()
	defer conn.Close()
	boot := conn.Bootstrap(ctx)
	defer boot.Release()
	mem := stem.Membrane(boot)

	reg, err := bridge.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	ip, err := stdlib.NewInterp(stdlib.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s := stdlib.NewSession(ip, &out, nil)
	bg := func() context.Context { return ctx }
	s.Define("host-handler", reg.Handler("host-handler", nil, bg))
	s.Define("executor-handler", reg.Handler("executor-handler", nil, bg))
	s.Define("expected-id", value.MakeBytes([]byte(key.PeerID())))

	var releases []capnp.ReleaseFunc
	defer func() {
		for _, r := range releases {
			r()
		}
	}()
	graft := func() {
		t.Helper()
		f, release := mem.Graft(ctx, nil)
		releases = append(releases, release)
		res, err := f.Struct()
		if err != nil {
			t.Fatal(err)
		}
		host, err := reg.NewCap("host", capnp.Client(res.Host()), system.Host_TypeID)
		if err != nil {
			t.Fatal(err)
		}
		exec, err := reg.NewCap("executor", capnp.Client(res.Executor()), system.Executor_TypeID)
		if err != nil {
			t.Fatal(err)
		}
		s.Define("host", host)
		s.Define("executor", exec)
	}
	run := func(src string) (string, error) {
		v, err := s.EvalString(`(with-effect-handler host host-handler (with-effect-handler executor executor-handler `+src+`))`, "test")
		if err != nil {
			return "", err
		}
		return value.Repr(v), nil
	}

	graft()
	if got, err := run(`[(= (host id) expected-id) (executor echo "hi") (perform executor :echo "yo")]`); err != nil || got != `[true "Echo: hi" "Echo: yo"]` {
		t.Fatalf("before the advance: %s %v", got, err)
	}
	if _, err := s.EvalString(`(def old-host host)`, "test"); err != nil {
		t.Fatal(err)
	}

	cell.Bump()
	_, err = run(`(host id)`)
	if err == nil || err.Error() != "[glia.error/epoch-expired] epoch expired for cap 'host'" {
		t.Fatalf("after the advance: %v", err)
	}
	if got, err := run(`(try (executor echo "x") (catch :glia.error/epoch-expired e (:glia.error/code e)))`); err != nil || got != `"staleEpoch"` {
		t.Fatalf("caught: %s %v", got, err)
	}

	graft()
	if got, err := run(`[(= (host id) expected-id) (executor echo "again")]`); err != nil || got != `[true "Echo: again"]` {
		t.Fatalf("after re-graft: %s %v", got, err)
	}
	// A value captured before the advance keeps failing.
	if _, err := run(`(old-host id)`); err == nil || !strings.Contains(err.Error(), "epoch-expired") {
		t.Fatalf("old value: %v", err)
	}
}
