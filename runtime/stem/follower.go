package stem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ipfs/go-cid"

	"github.com/wetware/ww/runtime/epoch"
)

// Follower defaults (§13.2).
const (
	DefaultDepth        = 6
	DefaultPollInterval = 2 * time.Second
	ChunkSize           = 1000
	minBackoff          = time.Second
	maxBackoff          = time.Minute
)

// Chain is the HTTP side of a chain endpoint: calls, headers and log
// backfill. ethclient.Client and the simulated backend's client satisfy it.
type Chain interface {
	ethereum.BlockNumberReader
	ethereum.ChainIDReader
	ethereum.ContractCaller
	CodeAt(ctx context.Context, account common.Address, blockNumber *big.Int) ([]byte, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
}

// Subscriber is the WebSocket side: log and new-head subscriptions.
type Subscriber interface {
	SubscribeFilterLogs(ctx context.Context, q ethereum.FilterQuery, ch chan<- types.Log) (ethereum.Subscription, error)
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error)
}

// DialSubscriber opens a subscription connection and returns it with a
// function that closes it. The follower dials again after each failure.
type DialSubscriber func(ctx context.Context) (Subscriber, func(), error)

// Config configures a Follower.
type Config struct {
	// Contract is the Atom address (--stem).
	Contract common.Address
	// Chain serves calls and backfill (--rpc-url).
	Chain Chain
	// Dial opens subscriptions (--ws-url); nil polls Chain instead.
	Dial DialSubscriber
	// Depth is the confirmation depth K (--confirmation-depth); 0 is
	// allowed and finalizes at the tip.
	Depth uint64
	// StartBlock, if set, is where scanning starts (--stem-start-block),
	// overriding the cursor.
	StartBlock *uint64
	// Cell receives adopted epochs.
	Cell *epoch.Cell
	// CursorDir holds the cursor file (<data>/chain); empty keeps no
	// cursor.
	CursorDir string
	// PollInterval is the HTTP polling period (2 s if zero).
	PollInterval time.Duration
	// Prepare runs before an adopted epoch whose head is a CID is
	// published (§7.3 step 2: fetch the image, swap the base layer). It
	// reports its own failures; the epoch is published regardless.
	Prepare func(ctx context.Context, e epoch.Epoch)
	// Adopted, if set, is called after each epoch the follower publishes
	// while running.
	Adopted func(e epoch.Epoch)
	// Logger receives the follower's logs (slog.Default() if nil).
	Logger *slog.Logger
}

type logKey struct {
	tx    common.Hash
	index uint
}

// Follower follows one Atom contract and advances an epoch cell (§13.2).
// Create it with NewFollower, then call Run. Its state is owned by the
// goroutine running it.
type Follower struct {
	cfg        Config
	log        *slog.Logger
	cursorPath string

	epoch       epoch.Epoch // last adopted (or initial) epoch
	pending     map[logKey]HeadUpdated
	next        uint64 // next block to scan for logs
	scanned     uint64 // last block scanned
	scannedHash common.Hash

	onTip func(tip uint64) // test hook: a new head was finalized
}

// NewFollower reads the chain id, the tip and head() at the safe block
// tip − K, which is the initial epoch, and loads the cursor. If the
// cursor's epoch is higher (a reorg deeper than K while the node was
// down), the cursor's epoch stands: seq never decreases; if it is the
// same, it keeps the block at which it was first adopted. The initial epoch
// is published to the cell; its head is not passed to Prepare (at startup
// the image is built with it as base layer). The contract must have code
// at the tip.
func NewFollower(ctx context.Context, cfg Config) (*Follower, error) {
	if cfg.Chain == nil || cfg.Cell == nil {
		return nil, errors.New("stem: follower needs a chain and an epoch cell")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	f := &Follower{cfg: cfg, log: cfg.Logger, pending: map[logKey]HeadUpdated{}}
	if f.log == nil {
		f.log = slog.Default()
	}
	f.log = f.log.With("stem", cfg.Contract.Hex())
	chainID, err := cfg.Chain.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("stem: chain id: %w", err)
	}
	tip, err := cfg.Chain.BlockNumber(ctx)
	if err != nil {
		return nil, fmt.Errorf("stem: block number: %w", err)
	}
	code, err := cfg.Chain.CodeAt(ctx, cfg.Contract, new(big.Int).SetUint64(tip))
	if err != nil {
		return nil, fmt.Errorf("stem: code at %s: %w", cfg.Contract, err)
	}
	if len(code) == 0 {
		return nil, fmt.Errorf("stem: no contract at %s (chain %s, block %d)", cfg.Contract, chainID, tip)
	}
	safe := f.safe(tip)
	h, err := f.headAt(ctx, safe)
	if err != nil {
		return nil, err
	}
	f.epoch = epoch.Epoch{Seq: h.Seq, Head: h.CID, AdoptedBlock: safe}
	f.next = safe + 1

	var cur Cursor
	var haveCursor bool
	if cfg.CursorDir != "" {
		f.cursorPath = CursorPath(cfg.CursorDir, chainID, cfg.Contract)
		if cur, haveCursor, err = LoadCursor(f.cursorPath); err != nil {
			return nil, err
		}
	}
	f.scanned = safe
	if haveCursor {
		// Rescan the last K blocks; the cursor's block hash tells whether
		// a reorg went deeper while the node was down (catchUp).
		f.next = cur.ScannedBlock + 1 - min(cfg.Depth, cur.ScannedBlock+1)
		f.scanned, f.scannedHash = cur.ScannedBlock, cur.ScannedHash
		switch {
		case cur.EpochSeq > f.epoch.Seq:
			f.log.Error("stem: contract head below the cursor's epoch (reorg deeper than the confirmation depth); keeping the cursor's epoch",
				"head_seq", h.Seq, "cursor_seq", cur.EpochSeq)
			f.epoch = cur.Epoch()
		case cur.EpochSeq == f.epoch.Seq && bytes.Equal(cur.EpochHead, f.epoch.Head):
			f.epoch = cur.Epoch() // the same epoch, adopted at its original block
		}
	}
	if cfg.StartBlock != nil {
		f.next = *cfg.StartBlock
		f.scanned, f.scannedHash = max(f.next, 1)-1, common.Hash{}
	}
	cfg.Cell.Init(f.epoch)
	if err := f.save(); err != nil {
		return nil, err
	}
	f.log.Info("stem: following", "chain", chainID.String(), "tip", tip, "depth", cfg.Depth,
		"epoch", f.epoch.Seq, "head", HeadString(f.epoch.Head), "scan_from", f.next, "cursor", haveCursor)
	return f, nil
}

// Epoch is the follower's current epoch. Call it only when Run is not
// running (or from the Adopted hook).
func (f *Follower) Epoch() epoch.Epoch { return f.epoch.Clone() }

// Pending is the number of HeadUpdated logs seen but not final. Same
// restriction as Epoch.
func (f *Follower) Pending() int { return len(f.pending) }

// Run follows the chain until ctx ends, then returns nil. RPC failures are
// logged and retried: with a subscription dialer it subscribes, backfills
// and consumes, and after a failure polls HTTP while waiting to redial
// with backoff; without one it polls HTTP.
func (f *Follower) Run(ctx context.Context) error {
	if f.cfg.Dial == nil {
		f.poll(ctx, time.Time{})
		return nil
	}
	backoff := minBackoff
	for ctx.Err() == nil {
		healthy, err := f.subscribed(ctx)
		if ctx.Err() != nil {
			break
		}
		if healthy {
			backoff = minBackoff
		}
		wait := jitter(backoff)
		f.log.Warn("stem: subscription failed; polling until reconnect", "err", err, "retry_in", wait.Round(time.Millisecond))
		f.poll(ctx, time.Now().Add(wait))
		backoff = min(backoff*2, maxBackoff)
	}
	return nil
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// subscribed subscribes to logs and new heads, backfills up to the tip and
// consumes the subscriptions until one fails. healthy reports that at
// least one new head was processed.
func (f *Follower) subscribed(ctx context.Context) (healthy bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, closeSub, err := f.cfg.Dial(ctx)
	if err != nil {
		return false, fmt.Errorf("dial: %w", err)
	}
	defer closeSub()
	logs := make(chan types.Log, 256)
	heads := make(chan *types.Header, 64)
	q := FilterQuery(f.cfg.Contract, 0, nil)
	q.FromBlock = nil
	ls, err := sub.SubscribeFilterLogs(ctx, q, logs)
	if err != nil {
		return false, fmt.Errorf("subscribe logs: %w", err)
	}
	defer ls.Unsubscribe()
	hs, err := sub.SubscribeNewHead(ctx, heads)
	if err != nil {
		return false, fmt.Errorf("subscribe heads: %w", err)
	}
	defer hs.Unsubscribe()
	if err := f.catchUp(ctx); err != nil {
		return false, err
	}
	for {
		select {
		case <-ctx.Done():
			return healthy, ctx.Err()
		case err := <-ls.Err():
			return healthy, fmt.Errorf("log subscription: %w", err)
		case err := <-hs.Err():
			return healthy, fmt.Errorf("head subscription: %w", err)
		case l := <-logs:
			f.observe(l)
		case h := <-heads:
			// Logs of this block may still be queued: take them first.
			for drained := false; !drained; {
				select {
				case l := <-logs:
					f.observe(l)
				default:
					drained = true
				}
			}
			n := h.Number.Uint64()
			if n >= f.scanned {
				f.scanned, f.scannedHash, f.next = n, h.Hash(), n+1
			}
			if err := f.finalize(ctx, n); err != nil {
				return healthy, err
			}
			healthy = true
			if f.onTip != nil {
				f.onTip(n)
			}
		}
	}
}

// poll scans and finalizes every PollInterval until ctx ends or until
// passes (never, if zero). Failures are logged and retried at the next
// tick.
func (f *Follower) poll(ctx context.Context, until time.Time) {
	t := time.NewTicker(f.cfg.PollInterval)
	defer t.Stop()
	for {
		if err := f.catchUp(ctx); err != nil && ctx.Err() == nil {
			f.log.Warn("stem: poll failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !until.IsZero() && time.Now().After(until) {
			return
		}
	}
}

// catchUp scans [next, tip] in chunks, finalizing after each, or only
// finalizes when there is nothing new to scan. A scanned block that left
// the canonical chain rewinds the scan by K blocks first.
func (f *Follower) catchUp(ctx context.Context) error {
	tip, err := f.cfg.Chain.BlockNumber(ctx)
	if err != nil {
		return fmt.Errorf("block number: %w", err)
	}
	if f.scannedHash != (common.Hash{}) && f.scanned <= tip {
		h, err := f.cfg.Chain.HeaderByNumber(ctx, new(big.Int).SetUint64(f.scanned))
		if err != nil {
			return fmt.Errorf("header %d: %w", f.scanned, err)
		}
		if h.Hash() != f.scannedHash {
			f.log.Info("stem: reorg detected; rescanning", "block", f.scanned, "depth", f.cfg.Depth)
			f.next = f.scanned + 1 - min(f.cfg.Depth+1, f.scanned+1)
		}
	}
	if f.next > tip {
		return f.finalize(ctx, tip)
	}
	for from := f.next; from <= tip; from += ChunkSize {
		to := min(from+ChunkSize-1, tip)
		logs, err := f.cfg.Chain.FilterLogs(ctx, FilterQuery(f.cfg.Contract, from, &to))
		if err != nil {
			return fmt.Errorf("logs %d-%d: %w", from, to, err)
		}
		for _, l := range logs {
			f.observe(l)
		}
		h, err := f.cfg.Chain.HeaderByNumber(ctx, new(big.Int).SetUint64(to))
		if err != nil {
			return fmt.Errorf("header %d: %w", to, err)
		}
		f.scanned, f.scannedHash, f.next = to, h.Hash(), to+1
		if err := f.finalize(ctx, tip); err != nil {
			return err
		}
		if err := f.save(); err != nil {
			return err
		}
	}
	return nil
}

// observe enters a HeadUpdated log into the pending set, or removes it.
func (f *Follower) observe(l types.Log) {
	if l.Address != f.cfg.Contract {
		return
	}
	ev, err := DecodeHeadUpdated(l)
	if err != nil {
		f.log.Warn("stem: undecodable log ignored", "err", err)
		return
	}
	k := logKey{ev.TxHash, ev.LogIndex}
	if ev.Removed {
		if _, ok := f.pending[k]; ok {
			f.log.Debug("stem: log removed", "seq", ev.Seq, "block", ev.Block, "tx", ev.TxHash)
			delete(f.pending, k)
		}
		return
	}
	if ev.Seq <= f.epoch.Seq {
		return
	}
	if _, ok := f.pending[k]; !ok {
		f.log.Debug("stem: head update seen", "seq", ev.Seq, "block", ev.Block, "tx", ev.TxHash)
	}
	f.pending[k] = ev
}

func (f *Follower) safe(tip uint64) uint64 { return tip - min(f.cfg.Depth, tip) }

// headAt reads head() at block; a block before the contract existed reads
// as seq 0 with an empty head.
func (f *Follower) headAt(ctx context.Context, block uint64) (Head, error) {
	b := new(big.Int).SetUint64(block)
	ret, err := f.cfg.Chain.CallContract(ctx, ethereum.CallMsg{To: &f.cfg.Contract, Data: PackHead()}, b)
	if err != nil {
		return Head{}, fmt.Errorf("stem: head() at block %d: %w", block, err)
	}
	if len(ret) == 0 {
		return Head{}, nil
	}
	return UnpackHead(ret)
}

// finalize runs the finalization of §13.2 for tip.
func (f *Follower) finalize(ctx context.Context, tip uint64) error {
	safe := f.safe(tip)
	// Pending logs at or below safe whose block is no longer canonical.
	canon := map[uint64]common.Hash{}
	for k, ev := range f.pending {
		if ev.Block > safe {
			continue
		}
		hash, ok := canon[ev.Block]
		if !ok {
			h, err := f.cfg.Chain.HeaderByNumber(ctx, new(big.Int).SetUint64(ev.Block))
			if err != nil {
				return fmt.Errorf("header %d: %w", ev.Block, err)
			}
			hash = h.Hash()
			canon[ev.Block] = hash
		}
		if hash != ev.BlockHash {
			f.log.Info("stem: head update reorged out", "seq", ev.Seq, "block", ev.Block, "tx", ev.TxHash)
			delete(f.pending, k)
		}
	}
	h, err := f.headAt(ctx, safe)
	if err != nil {
		return err
	}
	switch {
	case h.Seq > f.epoch.Seq:
		if err := f.adopt(ctx, epoch.Epoch{Seq: h.Seq, Head: h.CID, AdoptedBlock: safe}); err != nil {
			return err
		}
	case h.Seq < f.epoch.Seq:
		f.log.Error("stem: contract head below the current epoch (reorg deeper than the confirmation depth); ignored",
			"head_seq", h.Seq, "epoch", f.epoch.Seq, "block", safe)
	}
	// The state at safe settles every pending log at or below seq (adopted
	// or superseded) and every log at or below safe (it is either in that
	// state or was reorged out).
	for k, ev := range f.pending {
		if ev.Seq <= f.epoch.Seq || ev.Block <= safe {
			if ev.Seq > f.epoch.Seq || (ev.Seq == f.epoch.Seq && !bytes.Equal(ev.CID, f.epoch.Head)) {
				f.log.Info("stem: head update dropped (disagrees with the state at the safe block)", "seq", ev.Seq, "block", ev.Block, "tx", ev.TxHash)
			}
			delete(f.pending, k)
		}
	}
	return nil
}

// adopt publishes e (§7.3): Prepare for a CID head, then the cell.
func (f *Follower) adopt(ctx context.Context, e epoch.Epoch) error {
	if _, err := cid.Cast(e.Head); err == nil {
		if f.cfg.Prepare != nil {
			f.cfg.Prepare(ctx, e)
		}
	} else {
		f.log.Error("stem: head is not a CID; the epoch advances, the base layer stays", "seq", e.Seq, "head", HeadString(e.Head))
	}
	f.epoch = e.Clone()
	f.cfg.Cell.Advance(e)
	f.log.Info("stem: epoch adopted", "seq", e.Seq, "head", HeadString(e.Head), "block", e.AdoptedBlock)
	if f.cfg.Adopted != nil {
		f.cfg.Adopted(e.Clone())
	}
	return f.save()
}

func (f *Follower) save() error {
	if f.cursorPath == "" {
		return nil
	}
	return Cursor{
		ScannedBlock: f.scanned,
		ScannedHash:  f.scannedHash,
		EpochSeq:     f.epoch.Seq,
		EpochHead:    f.epoch.Head,
		EpochBlock:   f.epoch.AdoptedBlock,
	}.Save(f.cursorPath)
}

// HeadString renders a head for logs and `ww stem head`: the CID's string
// form, else 0x-hex ("-" if empty).
func HeadString(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	if c, err := cid.Cast(b); err == nil {
		return c.String()
	}
	return fmt.Sprintf("0x%x", b)
}

// WSDialer dials url with ethclient for each subscription attempt.
func WSDialer(url string) DialSubscriber {
	return func(ctx context.Context) (Subscriber, func(), error) {
		c, err := ethclient.DialContext(ctx, url)
		if err != nil {
			return nil, nil, err
		}
		return c, c.Close, nil
	}
}
