package node

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/rpc"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"

	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
)

// TerminalServer serves Terminal(<export>) on /ww/0.1.0: every inbound
// stream is a Cap'n Proto connection whose bootstrap capability is a
// Terminal gating export (§7.6, §9).
type TerminalServer struct {
	n    *Node
	term *membrane.Terminal

	mu     sync.Mutex
	conns  map[*rpc.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// ServeTerminal registers /ww/0.1.0 with a Terminal in front of export
// (pid0's exported capability, whose ownership it takes). The node's own
// key and Config.Swarm.Authorized may log in. Close the result to
// unregister it.
func (n *Node) ServeTerminal(export capnp.Client) (*TerminalServer, error) {
	authorized := n.cfg.Swarm.Authorized
	if n.host == nil {
		export.Release()
		return nil, errors.New("node not started")
	}
	ts := &TerminalServer{
		n: n,
		term: membrane.NewTerminal(n.cell, export, membrane.TerminalConfig{
			Self:       n.host.ID(),
			Authorized: authorized,
			Logger:     n.log,
		}),
		conns: map[*rpc.Conn]struct{}{},
	}
	n.host.SetStreamHandler(ProtocolID, ts.serve)
	n.log.Debug("terminal registered", "protocol", string(ProtocolID), "authorized", len(authorized))
	return ts, nil
}

func (ts *TerminalServer) serve(s network.Stream) {
	boot := ts.term.ClientFor(s.Conn().RemotePeer())
	conn := rpc.NewConn(rpc.NewStreamTransport(s), &rpc.Options{BootstrapClient: capnp.Client(boot)})
	ts.mu.Lock()
	if ts.closed {
		ts.mu.Unlock()
		conn.Close()
		s.Reset()
		return
	}
	ts.conns[conn] = struct{}{}
	ts.wg.Add(1)
	ts.mu.Unlock()
	defer ts.wg.Done()
	<-conn.Done()
	ts.mu.Lock()
	delete(ts.conns, conn)
	ts.mu.Unlock()
	conn.Close()
	s.Close()
}

// Close unregisters the protocol, ends the open connections (and so their
// sessions) and releases the export.
func (ts *TerminalServer) Close() {
	ts.mu.Lock()
	if ts.closed {
		ts.mu.Unlock()
		return
	}
	ts.closed = true
	conns := make([]*rpc.Conn, 0, len(ts.conns))
	for c := range ts.conns {
		conns = append(conns, c)
	}
	ts.mu.Unlock()
	ts.n.host.RemoveStreamHandler(ProtocolID)
	for _, c := range conns {
		c.Close()
	}
	ts.wg.Wait()
	ts.term.Close()
}

// signerServer signs Terminal challenges with a local key (the client side
// of a login).
type signerServer struct{ s *identity.Signer }

func (s signerServer) Sign(_ context.Context, call stem.Signer_sign) error {
	args := call.Args()
	sig, err := s.s.Sign(args.Nonce(), args.EpochSeq())
	if err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetSig(sig)
}

// TerminalSigner is a Signer capability over key for the Terminal domain.
// The caller releases it.
func TerminalSigner(key *identity.Key) (stem.Signer, error) {
	s, err := key.Signer(identity.TerminalDomain)
	if err != nil {
		return stem.Signer{}, err
	}
	return stem.Signer_ServerToClient(signerServer{s}), nil
}

// RemoteSession is a logged-in Terminal session on a remote node.
type RemoteSession struct {
	// Session is the capability Terminal.login returned (pid0's export).
	Session capnp.Client
	conn    *rpc.Conn
	host    host.Host
}

// Done is closed when the connection to the node ends.
func (r *RemoteSession) Done() <-chan struct{} { return r.conn.Done() }

// Close releases the session and closes the connection and the client
// host.
func (r *RemoteSession) Close() error {
	r.Session.Release()
	err := r.conn.Close()
	return errors.Join(err, r.host.Close())
}

// Login connects to the node at pi on /ww/0.1.0 from a fresh client host
// (an ephemeral transport key that listens nowhere) and logs in with key.
// Failures carry the Terminal's reason ("unauthorized: login auth failed:
// key not authorized").
func Login(ctx context.Context, pi peer.AddrInfo, key *identity.Key) (_ *RemoteSession, err error) {
	h, err := libp2p.New(
		libp2p.NoListenAddrs,
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Security(libp2ptls.ID, libp2ptls.New),
		libp2p.UserAgent(UserAgent),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
	)
	if err != nil {
		return nil, fmt.Errorf("client host: %w", err)
	}
	defer func() {
		if err != nil {
			h.Close()
		}
	}()
	if err := h.Connect(ctx, pi); err != nil {
		return nil, fmt.Errorf("connect %s: %w", pi.ID, err)
	}
	s, err := h.NewStream(ctx, pi.ID, ProtocolID)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", ProtocolID, err)
	}
	conn := rpc.NewConn(rpc.NewStreamTransport(s), nil)
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	term := stem.Terminal(conn.Bootstrap(ctx))
	defer term.Release()
	signer, err := TerminalSigner(key)
	if err != nil {
		return nil, err
	}
	f, release := term.Login(ctx, func(p stem.Terminal_login_Params) error {
		return p.SetSigner(signer)
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return nil, errors.New(membrane.Reason(err))
	}
	ptr, err := res.Session()
	if err != nil {
		return nil, err
	}
	sess := ptr.Interface().Client().AddRef()
	return &RemoteSession{Session: sess, conn: conn, host: h}, nil
}
