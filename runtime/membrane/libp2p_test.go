package membrane

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// libp2pPair is a transport over a real libp2p stream between two hosts
// on 127.0.0.1 (system design §18.6: the Terminal scenarios also run over
// a libp2p stream pair).
func libp2pPair(t *testing.T) (io.ReadWriteCloser, io.ReadWriteCloser) {
	t.Helper()
	newHost := func() host.Host {
		h, err := libp2p.New(
			libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
			libp2p.DisableRelay(),
			libp2p.DisableMetrics(),
		)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	}
	server, client := newHost(), newHost()
	const proto = "/ww/0.1.0"
	accepted := make(chan network.Stream, 1)
	server.SetStreamHandler(proto, func(s network.Stream) { accepted <- s })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := client.Connect(ctx, peer.AddrInfo{ID: server.ID(), Addrs: server.Addrs()}); err != nil {
		t.Fatal(err)
	}
	s, err := client.NewStream(ctx, server.ID(), proto)
	if err != nil {
		t.Fatal(err)
	}
	// Stream negotiation may be lazy: the server's handler runs once the
	// client's first message arrives.
	a := &acceptedStream{ready: make(chan struct{}), closed: make(chan struct{})}
	go func() {
		select {
		case st := <-accepted:
			a.s = st
			close(a.ready)
		case <-a.closed:
		}
	}()
	return a, s
}

// acceptedStream is the server end of libp2pPair, usable once the
// handler has run.
type acceptedStream struct {
	s      network.Stream // set before ready closes
	ready  chan struct{}
	closed chan struct{}
	once   sync.Once
}

func (a *acceptedStream) get() (network.Stream, error) {
	select {
	case <-a.ready:
		return a.s, nil
	case <-a.closed:
		return nil, io.ErrClosedPipe
	}
}

func (a *acceptedStream) Read(p []byte) (int, error) {
	s, err := a.get()
	if err != nil {
		return 0, err
	}
	return s.Read(p)
}

func (a *acceptedStream) Write(p []byte) (int, error) {
	s, err := a.get()
	if err != nil {
		return 0, err
	}
	return s.Write(p)
}

func (a *acceptedStream) Close() error {
	a.once.Do(func() { close(a.closed) })
	select {
	case <-a.ready:
		return a.s.Close()
	default:
		return nil
	}
}
