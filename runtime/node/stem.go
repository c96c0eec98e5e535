package node

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ipfs/go-cid"

	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/stem"
)

// HeadFetchTimeout bounds fetching a new stem head's root before the
// epoch is published (§7.3).
const HeadFetchTimeout = 30 * time.Second

// headPin is the pin name of the stem head in the embedded IPFS (§10),
// apart from the pins of what the node added.
const headPin = "stem-head"

// StemConfig configures the epoch pipeline (system design §13): with a
// Contract the node follows that Atom and advances its epoch cell on each
// finalized head.
type StemConfig struct {
	// Contract is the Atom address (--stem); the zero address disables
	// the pipeline and the epoch stays 0.
	Contract common.Address
	// RPCURL is the HTTP JSON-RPC endpoint (--rpc-url).
	RPCURL string
	// WSURL is the WebSocket endpoint (--ws-url); empty polls RPCURL.
	WSURL string
	// Depth is the confirmation depth (--confirmation-depth).
	Depth uint64
	// StartBlock overrides where log scanning starts (--stem-start-block).
	StartBlock *uint64
	// PollInterval is the HTTP polling period (stem.DefaultPollInterval
	// if zero).
	PollInterval time.Duration
}

// BaseSwapper is an image whose base layer follows the stem head
// (image.Image).
type BaseSwapper interface {
	SwapBase(fsys fs.FS) error
}

type stemState struct {
	client *ethclient.Client
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	image BaseSwapper
}

// startStem dials the chain, reads the initial epoch (head() at tip − K,
// or the cursor's) into the cell and starts the follower.
func (n *Node) startStem(ctx context.Context) error {
	c := n.cfg.Stem
	if c.Contract == (common.Address{}) {
		return nil
	}
	client, err := ethclient.DialContext(ctx, c.RPCURL)
	if err != nil {
		return fmt.Errorf("stem: dial %s: %w", c.RPCURL, err)
	}
	cfg := stem.Config{
		Contract:     c.Contract,
		Chain:        client,
		Depth:        c.Depth,
		StartBlock:   c.StartBlock,
		Cell:         n.cell,
		PollInterval: c.PollInterval,
		Prepare:      n.prepareEpoch,
		Logger:       n.log,
	}
	if c.WSURL != "" {
		cfg.Dial = stem.WSDialer(c.WSURL)
	}
	if n.cfg.DataDir != "" {
		cfg.CursorDir = filepath.Join(n.cfg.DataDir, "chain")
	}
	f, err := stem.NewFollower(ctx, cfg)
	if err != nil {
		client.Close()
		return err
	}
	initial := f.Epoch()
	runCtx, cancel := context.WithCancel(context.Background())
	n.stem.client, n.stem.cancel, n.stem.done = client, cancel, make(chan struct{})
	go func() {
		defer close(n.stem.done)
		if c, err := cid.Cast(initial.Head); err == nil {
			n.pinHead(runCtx, c, initial.Seq)
		}
		f.Run(runCtx)
	}()
	return nil
}

func (n *Node) stopStem() error {
	if n.stem.cancel == nil {
		return nil
	}
	n.stem.cancel()
	<-n.stem.done
	n.stem.client.Close()
	n.stem.cancel = nil
	return nil
}

// StemBase is the stem head (the epoch cell's, including a contract's
// initial head at seq 0) as an image base layer path, "/ipfs/<cid>", or ""
// without --stem or when the head is not a CID (pass it as
// image.Options.Base).
func (n *Node) StemBase() string {
	c, err := cid.Cast(n.cell.Current().Head)
	if err != nil {
		return ""
	}
	return "/ipfs/" + c.String()
}

// FollowImage makes img's base layer follow the stem head: each adopted
// epoch whose head is a CID swaps it in (§7.3).
func (n *Node) FollowImage(img BaseSwapper) {
	n.stem.mu.Lock()
	n.stem.image = img
	n.stem.mu.Unlock()
}

// prepareEpoch is §7.3 step 2: fetch the new head's root and swap the
// image's base layer to it, then pin the new head and unpin the old one,
// before the epoch is published. Failures are only logged.
func (n *Node) prepareEpoch(ctx context.Context, e epoch.Epoch) {
	c, err := cid.Cast(e.Head)
	if err != nil {
		return
	}
	n.swapBase(ctx, c, e.Seq)
	n.pinHead(ctx, c, e.Seq)
}

// swapBase swaps the followed image's base layer to /ipfs/<c>.
func (n *Node) swapBase(ctx context.Context, c cid.Cid, seq uint64) {
	n.stem.mu.Lock()
	img := n.stem.image
	n.stem.mu.Unlock()
	f := n.IPFSFetcher()
	if img == nil || f == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, HeadFetchTimeout)
	defer cancel()
	root := "/ipfs/" + c.String()
	fsys, err := f.Fetch(ctx, root)
	if err == nil {
		err = img.SwapBase(fsys)
	}
	if err != nil {
		n.log.Error("stem: base layer not swapped", "head", root, "seq", seq, "err", err)
		return
	}
	n.log.Info("stem: base layer swapped", "head", root, "seq", seq)
}

// pinHead pins head c in the embedded IPFS (all its blocks, within
// HeadFetchTimeout), then unpins every other stem head, including those
// left by an earlier run. A failed pin keeps the old head pinned.
func (n *Node) pinHead(ctx context.Context, c cid.Cid, seq uint64) {
	nd := n.ipfs.node
	if nd == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, HeadFetchTimeout)
	defer cancel()
	if err := nd.Pin(ctx, c, headPin); err != nil {
		n.log.Error("stem: head not pinned", "head", c.String(), "seq", seq, "err", err)
		return
	}
	old, err := nd.PinnedAs(ctx, headPin)
	if err != nil {
		n.log.Error("stem: old heads not unpinned", "err", err)
		return
	}
	for _, o := range old {
		if o.Equals(c) {
			continue
		}
		if err := nd.Unpin(ctx, o, headPin); err != nil {
			n.log.Error("stem: old head not unpinned", "head", o.String(), "err", err)
		}
	}
	n.log.Info("stem: head pinned", "head", c.String(), "seq", seq)
}
