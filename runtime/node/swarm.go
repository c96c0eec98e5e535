package node

import (
	"context"
	"github.com/libp2p/go-libp2p/core/routing"

	"github.com/wetware/ww/runtime/membrane"
)

// SwarmConfig configures the node's swarm (PLACEHOLDER: being written for its issue).
type SwarmConfig struct{}

type swarmState struct{}

func (n *Node) startSwarm(ctx context.Context) error { return nil }

func (n *Node) stopSwarm() error { return nil }

// services installs the Network and Routing backends.
func (s *swarmState) services(svc *membrane.Services) {}

// Routing is the node's content routing (the DHT), or nil before Start.
// The IPFS node provides and finds blocks through it.
func (n *Node) Routing() routing.Routing { return nil }
