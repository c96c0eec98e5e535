package node

import (
	"context"

	"github.com/wetware/ww/runtime/membrane"
)

// IPFSConfig configures the node's ipfs (PLACEHOLDER: being written for its issue).
type IPFSConfig struct{}

type ipfsState struct{}

func (n *Node) startIPFS(ctx context.Context) error { return nil }

func (n *Node) stopIPFS() error { return nil }

// services installs the IPFS backends.
func (s *ipfsState) services(svc *membrane.Services) {}
