package node

import (
	"context"
	"time"

	"github.com/wetware/ww/runtime/image"
	"github.com/wetware/ww/runtime/ipfs"
	"github.com/wetware/ww/runtime/membrane"
)

// IPFSConfig configures the node's IPFS (system design §10).
type IPFSConfig struct {
	// API is a Kubo HTTP RPC endpoint (--ipfs-api, WW_IPFS_API): when set,
	// the IPFS capability and image layers use that daemon, and no
	// blockstore or bitswap is started.
	API string
	// FetchTimeout bounds each block fetch of an IPFS image layer
	// (ipfs.DefaultFetchTimeout if zero).
	FetchTimeout time.Duration
}

type ipfsState struct {
	node *ipfs.Node       // the embedded peer, unless API is set
	api  *ipfs.KuboClient // the external Kubo, if API is set
}

// startIPFS starts the embedded IPFS peer on the node's host: blocks in
// <data>/ipfs, bitswap, providing and finding through Routing. With
// IPFSConfig.API it only sets up the Kubo client.
func (n *Node) startIPFS(ctx context.Context) error {
	if n.cfg.IPFS.API != "" {
		c, err := ipfs.NewKuboClient(n.cfg.IPFS.API)
		if err != nil {
			return err
		}
		n.ipfs.api = c
		n.log.Info("ipfs: using an external Kubo", "api", n.cfg.IPFS.API)
		return nil
	}
	nd, err := ipfs.New(ctx, n.host, ipfs.Config{
		DataDir:      n.cfg.DataDir,
		Routing:      n.Routing(),
		FetchTimeout: n.cfg.IPFS.FetchTimeout,
		Logger:       n.log,
	})
	if err != nil {
		return err
	}
	n.ipfs.node = nd
	return nil
}

func (n *Node) stopIPFS() error {
	if n.ipfs.node == nil {
		return nil
	}
	err := n.ipfs.node.Close()
	n.ipfs.node = nil
	return err
}

// services installs the IPFS backend.
func (s *ipfsState) services(svc *membrane.Services) {
	switch {
	case s.node != nil:
		svc.IPFS = s.node
	case s.api != nil:
		svc.IPFS = s.api
	}
}

// IPFSFetcher opens /ipfs and /ipns image layers through the node's IPFS
// (pass it as image.Options.Fetcher); nil before Start.
func (n *Node) IPFSFetcher() image.Fetcher {
	switch {
	case n.ipfs.node != nil:
		return n.ipfs.node
	case n.ipfs.api != nil:
		return n.ipfs.api
	}
	return nil
}

// IPFS is the embedded IPFS peer, or nil before Start or with an
// external Kubo (IPFSConfig.API).
func (n *Node) IPFS() *ipfs.Node { return n.ipfs.node }
