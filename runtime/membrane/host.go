package membrane

import (
	"context"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/system"
)

// MaxProtocolLen is the longest valid stream protocol name.
const MaxProtocolLen = 64

// ValidateProtocol returns "invalidArgument: invalid protocol name" unless
// name is 1–64 characters of [A-Za-z0-9._-].
func ValidateProtocol(name string) error {
	if len(name) == 0 || len(name) > MaxProtocolLen {
		return Errorf(CodeInvalidArgument, "invalid protocol name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return Errorf(CodeInvalidArgument, "invalid protocol name")
		}
	}
	return nil
}

// hostServer serves system.Host. Every method is guarded.
type hostServer struct {
	g    Guard
	m    *Membrane
	exec system.Executor // the graft's executor
}

func (s *hostServer) Shutdown() { s.exec.Release() }

func (s *hostServer) Id(_ context.Context, call system.Host_id) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.Host
	if b == nil {
		return unimplemented("Host.id")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetPeerId([]byte(b.ID()))
}

func (s *hostServer) Addrs(_ context.Context, call system.Host_addrs) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.Host
	if b == nil {
		return unimplemented("Host.addrs")
	}
	addrs := b.Addrs()
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	list, err := res.NewAddrs(int32(len(addrs)))
	if err != nil {
		return err
	}
	for i, a := range addrs {
		if err := list.Set(i, a.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func (s *hostServer) Peers(_ context.Context, call system.Host_peers) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.Host
	if b == nil {
		return unimplemented("Host.peers")
	}
	peers := b.Peers()
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	list, err := res.NewPeers(int32(len(peers)))
	if err != nil {
		return err
	}
	for i, p := range peers {
		pi := list.At(i)
		if err := pi.SetPeerId([]byte(p.ID)); err != nil {
			return err
		}
		addrs, err := pi.NewAddrs(int32(len(p.Addrs)))
		if err != nil {
			return err
		}
		for j, a := range p.Addrs {
			if err := addrs.Set(j, a.Bytes()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *hostServer) Executor(_ context.Context, call system.Host_executor) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetExecutor(s.exec.AddRef())
}

func (s *hostServer) Network(_ context.Context, call system.Host_network) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	if s.m.svc.Network == nil {
		return unimplemented("Host.network")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	if err := res.SetListener(system.Listener_ServerToClient(&listenerServer{g: s.g, m: s.m})); err != nil {
		return err
	}
	return res.SetDialer(system.Dialer_ServerToClient(&dialerServer{g: s.g, m: s.m}))
}

func (s *hostServer) Connect(ctx context.Context, call system.Host_connect) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.Host
	if b == nil {
		return unimplemented("Host.connect")
	}
	raw, err := call.Args().Addr()
	if err != nil {
		return err
	}
	addr, err := ma.NewMultiaddrBytes(raw)
	if err != nil {
		return Errorf(CodeInvalidArgument, "invalid multiaddr: %v", err)
	}
	pi, err := peer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		return Errorf(CodeInvalidArgument, "invalid peer id: %v", err)
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	return s.m.coded(ctx, b.Connect(ctx, *pi), "Host.connect", CodeUnavailable, "dial "+pi.ID.String())
}

// listenerServer serves system.Listener; guarded by its Host's guard.
type listenerServer struct {
	g Guard
	m *Membrane
}

func (s *listenerServer) Listen(ctx context.Context, call system.Listener_listen) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	args := call.Args()
	proto, err := args.Protocol()
	if err != nil {
		return err
	}
	if err := ValidateProtocol(proto); err != nil {
		return err
	}
	handler, err := args.Handler()
	if err != nil {
		return err
	}
	exec := args.Executor()
	if !exec.IsValid() {
		return Errorf(CodeInvalidArgument, "missing executor")
	}
	req := ListenRequest{
		Epoch:    s.g.Seq(),
		Protocol: proto,
		Handler:  append([]byte(nil), handler...),
		Executor: exec.AddRef(),
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	if err := s.m.svc.Network.Listen(ctx, req); err != nil {
		req.Executor.Release()
		return s.m.coded(ctx, err, "Listener.listen", CodeInternal, "listen")
	}
	return nil
}

// dialerServer serves system.Dialer; guarded by its Host's guard.
type dialerServer struct {
	g Guard
	m *Membrane
}

func (s *dialerServer) Dial(ctx context.Context, call system.Dialer_dial) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	args := call.Args()
	raw, err := args.Peer()
	if err != nil {
		return err
	}
	id, err := peer.IDFromBytes(raw)
	if err != nil {
		return Errorf(CodeInvalidArgument, "invalid peer id: %v", err)
	}
	proto, err := args.Protocol()
	if err != nil {
		return err
	}
	if err := ValidateProtocol(proto); err != nil {
		return err
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	st, err := s.m.svc.Network.Dial(ctx, id, proto)
	if err != nil {
		return s.m.coded(ctx, err, "Dialer.dial", CodeUnavailable, "dial "+id.String())
	}
	res, err := call.AllocResults()
	if err != nil {
		st.Close()
		return err
	}
	return res.SetStream(s.m.DuplexStream(st))
}
