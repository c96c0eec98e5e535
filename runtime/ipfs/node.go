package ipfs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ipfs/boxo/bitswap"
	"github.com/ipfs/boxo/bitswap/network/bsnet"
	"github.com/ipfs/boxo/blockservice"
	"github.com/ipfs/boxo/blockstore"
	"github.com/ipfs/boxo/exchange"
	"github.com/ipfs/boxo/ipld/merkledag"
	pin "github.com/ipfs/boxo/pinning/pinner"
	"github.com/ipfs/boxo/pinning/pinner/dspinner"
	"github.com/ipfs/go-cid"
	"github.com/ipfs/go-datastore"
	dssync "github.com/ipfs/go-datastore/sync"
	flatfs "github.com/ipfs/go-ds-flatfs"
	pebbleds "github.com/ipfs/go-ds-pebble"
	ipld "github.com/ipfs/go-ipld-format"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/routing"
)

// ReprovideInterval is how often pinned roots are announced again.
const ReprovideInterval = 22 * time.Hour

// DefaultFetchTimeout bounds each block fetch of an image layer
// (Node.Fetch), so that content nobody serves fails instead of hanging.
const DefaultFetchTimeout = time.Minute

// provideTimeout bounds one announcement of one root.
const provideTimeout = time.Minute

// reprovideRetry is the wait before announcing again after a failure.
const reprovideRetry = time.Minute

// Config configures a Node.
type Config struct {
	// DataDir is WW_HOME: blocks go to DataDir/ipfs/blocks (flatfs) and
	// pins to DataDir/ipfs/meta (pebble). Empty keeps both in memory.
	DataDir string
	// Routing provides pinned roots and finds providers for bitswap; nil
	// serves local blocks and fetches only from connected peers.
	Routing routing.Routing
	// FetchTimeout bounds each block fetch of Fetch's file systems
	// (DefaultFetchTimeout if zero).
	FetchTimeout time.Duration
	// Logger receives the node's logs (slog.Default() if nil).
	Logger *slog.Logger
}

// Node is an IPFS peer on a libp2p host. It implements
// membrane.IPFSBackend and image.Fetcher. Create it with New; Close it.
type Node struct {
	cfg     Config
	log     *slog.Logger
	routing routing.Routing

	blocks  blockstore.Blockstore
	swap    *bitswap.Bitswap // nil when offline
	bserv   blockservice.BlockService
	dag     ipld.DAGService
	pinner  pin.Pinner
	pinMu   sync.Mutex
	closers []func() error

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New starts an IPFS node on h: the blockstore, pin store and bitswap, and
// the loop announcing pinned roots. A nil h gives an offline node (its own
// blocks only), which is what `ww push` uses.
func New(ctx context.Context, h host.Host, cfg Config) (_ *Node, err error) {
	n := &Node{cfg: cfg, log: cfg.Logger, routing: cfg.Routing}
	if n.log == nil {
		n.log = slog.Default()
	}
	if n.cfg.FetchTimeout <= 0 {
		n.cfg.FetchTimeout = DefaultFetchTimeout
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			n.Close()
		}
	}()

	var blockDS datastore.Batching
	var metaDS datastore.Batching
	if cfg.DataDir == "" {
		blockDS = dssync.MutexWrap(datastore.NewMapDatastore())
		metaDS = dssync.MutexWrap(datastore.NewMapDatastore())
	} else {
		dir := filepath.Join(cfg.DataDir, "ipfs")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("ipfs: %w", err)
		}
		fds, err := flatfs.CreateOrOpen(filepath.Join(dir, "blocks"), flatfs.NextToLast(2), true)
		if err != nil {
			return nil, fmt.Errorf("ipfs: blockstore %s: %w", filepath.Join(dir, "blocks"), err)
		}
		n.closers = append(n.closers, fds.Close)
		blockDS = fds
		pds, err := pebbleds.NewDatastore(filepath.Join(dir, "meta"))
		if err != nil {
			return nil, fmt.Errorf("ipfs: pin store %s: %w", filepath.Join(dir, "meta"), err)
		}
		n.closers = append(n.closers, pds.Close)
		metaDS = pds
	}
	// Blocks live under their multihash, as in Kubo's flatfs; identity
	// CIDs are answered without storage.
	n.blocks = blockstore.NewIdStore(blockstore.NewBlockstoreNoPrefix(blockDS))

	var ex exchange.Interface
	if h != nil {
		net := bsnet.NewFromIpfsHost(h)
		var finder routing.ContentDiscovery
		if n.routing != nil {
			finder = n.routing
		}
		// More bytes in flight per peer and more send workers than the
		// defaults double single-peer fetch rates (BenchmarkIPFS100MB).
		n.swap = bitswap.New(n.ctx, net, finder, n.blocks,
			bitswap.MaxOutstandingBytesPerPeer(8<<20), bitswap.TaskWorkerCount(8))
		ex = n.swap
	}
	n.bserv = blockservice.New(n.blocks, ex)
	n.closers = append(n.closers, n.bserv.Close) // and bitswap
	n.dag = merkledag.NewDAGService(n.bserv)
	if n.pinner, err = dspinner.New(ctx, metaDS, n.dag); err != nil {
		return nil, fmt.Errorf("ipfs: pins: %w", err)
	}
	if n.routing != nil {
		n.wg.Add(1)
		go n.reprovide()
	}
	return n, nil
}

// Close stops announcing, stops bitswap and closes the stores. It is
// idempotent.
func (n *Node) Close() error {
	if n.cancel == nil {
		return nil
	}
	n.cancel()
	n.wg.Wait()
	var errs []error
	for i := len(n.closers) - 1; i >= 0; i-- {
		errs = append(errs, n.closers[i]())
	}
	n.closers = nil
	n.cancel = nil
	return errors.Join(errs...)
}

// pin pins root recursively (it and everything below it must be local).
func (n *Node) pin(ctx context.Context, root ipld.Node) error {
	n.pinMu.Lock()
	defer n.pinMu.Unlock()
	if err := n.pinner.Pin(ctx, root, true, ""); err != nil {
		return fmt.Errorf("ipfs: pin %s: %w", root.Cid(), err)
	}
	if err := n.pinner.Flush(ctx); err != nil {
		return fmt.Errorf("ipfs: pin %s: %w", root.Cid(), err)
	}
	return nil
}

// Pin fetches every block of the DAG under c (bounded by
// Config.FetchTimeout), pins c recursively under name and announces it.
// The name tells pins apart: content the node added carries the empty
// name and keeps it, so Pin leaves an existing pin of c as it is.
func (n *Node) Pin(ctx context.Context, c cid.Cid, name string) error {
	if name == "" {
		return fmt.Errorf("ipfs: pin %s: the empty name is reserved for added content", c)
	}
	fctx, cancel := context.WithTimeout(ctx, n.cfg.FetchTimeout)
	defer cancel()
	if err := merkledag.FetchGraph(fctx, c, n.dag); err != nil {
		return fmt.Errorf("ipfs: pin %s: %w", c, n.timeoutErr(fctx, "fetch "+c.String(), err))
	}
	nd, err := n.dag.Get(ctx, c)
	if err != nil {
		return fmt.Errorf("ipfs: pin %s: %w", c, err)
	}
	n.pinMu.Lock()
	defer n.pinMu.Unlock()
	if _, ok, err := n.pinName(ctx, c); err != nil || ok {
		return err
	}
	if err := n.pinner.Pin(ctx, nd, true, name); err != nil {
		return fmt.Errorf("ipfs: pin %s: %w", c, err)
	}
	if err := n.pinner.Flush(ctx); err != nil {
		return fmt.Errorf("ipfs: pin %s: %w", c, err)
	}
	n.announce(c)
	return nil
}

// Unpin removes the recursive pin of c if it carries name; a pin under
// another name (content the node added) stays. Its blocks stay cached.
func (n *Node) Unpin(ctx context.Context, c cid.Cid, name string) error {
	n.pinMu.Lock()
	defer n.pinMu.Unlock()
	got, ok, err := n.pinName(ctx, c)
	if err != nil || !ok || got != name {
		return err
	}
	if err := n.pinner.Unpin(ctx, c, true); err != nil {
		return fmt.Errorf("ipfs: unpin %s: %w", c, err)
	}
	if err := n.pinner.Flush(ctx); err != nil {
		return fmt.Errorf("ipfs: unpin %s: %w", c, err)
	}
	return nil
}

// pinName is the name of c's recursive pin, if c has one.
func (n *Node) pinName(ctx context.Context, c cid.Cid) (string, bool, error) {
	ps, err := n.pinner.CheckIfPinnedWithType(ctx, pin.Recursive, true, c)
	if err != nil {
		return "", false, fmt.Errorf("ipfs: pin status of %s: %w", c, err)
	}
	for _, p := range ps {
		if p.Mode == pin.Recursive {
			return p.Name, true, nil
		}
	}
	return "", false, nil
}

// Pinned lists the recursively pinned roots.
func (n *Node) Pinned(ctx context.Context) ([]cid.Cid, error) {
	var out []cid.Cid
	for p := range n.pinner.RecursiveKeys(ctx, false) {
		if p.Err != nil {
			return nil, p.Err
		}
		out = append(out, p.Pin.Key)
	}
	return out, nil
}

// PinnedAs lists the recursively pinned roots whose pin carries name (""
// for what the node added).
func (n *Node) PinnedAs(ctx context.Context, name string) ([]cid.Cid, error) {
	var out []cid.Cid
	for p := range n.pinner.RecursiveKeys(ctx, true) {
		if p.Err != nil {
			return nil, p.Err
		}
		if p.Pin.Name == name {
			out = append(out, p.Pin.Key)
		}
	}
	return out, nil
}

// announce provides c on the routing system in the background.
func (n *Node) announce(c cid.Cid) {
	if n.routing == nil {
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		_ = n.provide(c) // failures are logged; the next reprovide round announces it again
	}()
}

func (n *Node) provide(c cid.Cid) error {
	ctx, cancel := context.WithTimeout(n.ctx, provideTimeout)
	defer cancel()
	err := n.routing.Provide(ctx, c, true)
	if err != nil && n.ctx.Err() == nil {
		n.log.Debug("ipfs: provide failed", "cid", c.String(), "err", err)
	}
	return err
}

// reprovide announces every pinned root now and every ReprovideInterval;
// a round with failures (say, before the DHT has peers) is retried after
// reprovideRetry.
func (n *Node) reprovide() {
	defer n.wg.Done()
	for {
		wait := ReprovideInterval
		roots, err := n.Pinned(n.ctx)
		if err != nil && n.ctx.Err() == nil {
			n.log.Warn("ipfs: listing pins failed", "err", err)
		}
		for _, c := range roots {
			if n.ctx.Err() != nil {
				return
			}
			if n.provide(c) != nil {
				wait = reprovideRetry
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-n.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
