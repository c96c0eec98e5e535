package node

import (
	"context"
)

// StemConfig configures the node's stem (PLACEHOLDER: being written for its issue).
type StemConfig struct{}

type stemState struct{}

func (n *Node) startStem(ctx context.Context) error { return nil }

func (n *Node) stopStem() error { return nil }
