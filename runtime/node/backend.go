package node

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/wasm"
)

// HostBackend serves the Host capability from a libp2p host.
type HostBackend struct{ H host.Host }

var _ membrane.HostBackend = HostBackend{}

// ID is the host's peer id.
func (b HostBackend) ID() peer.ID { return b.H.ID() }

// Addrs are the host's listen addresses.
func (b HostBackend) Addrs() []ma.Multiaddr { return b.H.Addrs() }

// Peers lists the connected peers with the remote addresses of their
// connections.
func (b HostBackend) Peers() []peer.AddrInfo {
	net := b.H.Network()
	var out []peer.AddrInfo
	for _, id := range net.Peers() {
		ai := peer.AddrInfo{ID: id}
		for _, c := range net.ConnsToPeer(id) {
			ai.Addrs = append(ai.Addrs, c.RemoteMultiaddr())
		}
		out = append(out, ai)
	}
	return out
}

// Connect dials pi.
func (b HostBackend) Connect(ctx context.Context, pi peer.AddrInfo) error {
	return b.H.Connect(ctx, pi)
}

// ExecutorBackend serves Executor.runBytes with a wazero engine. A
// *wasm.Process is a membrane.Process as is.
type ExecutorBackend struct{ E *wasm.Engine }

var _ membrane.ExecutorBackend = ExecutorBackend{}

// Run spawns req.Wasm with its argv, environment and limits; the child's
// channel bootstraps to req.Bootstrap. wasm errors carry catalogue codes.
func (b ExecutorBackend) Run(ctx context.Context, req membrane.RunRequest) (membrane.Process, error) {
	opts := wasm.SpawnOptions{
		MemoryLimit: req.Limits.MemoryBytes,
		Timeout:     time.Duration(req.Limits.TimeoutMillis) * time.Millisecond,
		Bootstrap:   req.Bootstrap,
	}
	p, err := b.E.Spawn(ctx, req.Wasm, req.Args, req.Env, opts)
	if err != nil {
		return nil, err
	}
	// Spawn took its own reference; the backend owns req.Bootstrap on
	// success.
	req.Bootstrap.Release()
	return p, nil
}
