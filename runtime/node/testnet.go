package node

import (
	"context"
	"errors"
	"fmt"

	ma "github.com/multiformats/go-multiaddr"
)

// TestNet is a set of started nodes on 127.0.0.1 for tests and
// benchmarks: every node listens on /ip4/127.0.0.1/tcp/0 and all but the
// first are connected to the first, which is their bootstrap peer. No
// traffic leaves the loopback interface.
type TestNet struct {
	Nodes []*Node
}

// StartTestNet starts n nodes from base (Listen, Port and Swarm.Bootstrap
// are replaced; a nil Key gives each node a fresh key). The later nodes
// bootstrap to the first, so their DHT tables hold it. On error the nodes
// started so far are closed.
func StartTestNet(ctx context.Context, n int, base Config) (_ *TestNet, err error) {
	if n < 1 {
		return nil, errors.New("testnet: need at least one node")
	}
	tn := &TestNet{}
	defer func() {
		if err != nil {
			tn.Close()
		}
	}()
	for i := range n {
		cfg := base
		cfg.Port = 0
		cfg.Listen = []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}
		cfg.Swarm.Bootstrap = nil
		if i > 0 {
			first := tn.Nodes[0]
			for _, a := range first.Addrs() {
				p2p, err := ma.NewComponent("p2p", first.ID().String())
				if err != nil {
					return nil, err
				}
				cfg.Swarm.Bootstrap = append(cfg.Swarm.Bootstrap, a.Encapsulate(p2p.Multiaddr()).String())
			}
		}
		nd := New(cfg)
		if err := nd.Start(ctx); err != nil {
			return nil, fmt.Errorf("testnet: node %d: %w", i, err)
		}
		tn.Nodes = append(tn.Nodes, nd)
	}
	// Each later node waited for the first to enter its table (Start);
	// the first must hold every later one too.
	for _, nd := range tn.Nodes[1:] {
		if !tn.Nodes[0].waitRoutingTable(ctx, nd.ID()) {
			return nil, fmt.Errorf("testnet: %s not in the first node's routing table: %w", nd.ID(), ctx.Err())
		}
	}
	return tn, nil
}

// Close stops every node.
func (tn *TestNet) Close() error {
	var errs []error
	for _, nd := range tn.Nodes {
		errs = append(errs, nd.Close())
	}
	return errors.Join(errs...)
}
