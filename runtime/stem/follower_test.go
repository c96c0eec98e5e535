package stem

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/wetware/ww/runtime/epoch"
)

func checkEpoch(t *testing.T, got epoch.Epoch, seq uint64, head []byte, block uint64) {
	t.Helper()
	if got.Seq != seq || !bytes.Equal(got.Head, head) || got.AdoptedBlock != block {
		t.Fatalf("epoch %v, want seq %d head %x block %d", got, seq, head, block)
	}
}

// Finality exactly at K with no later event (upstream's stall), on the
// HTTP path: nothing at the event's block or the next K−1, adopted at
// event+K with the event's seq and cid.
func TestFinalityAtDepth(t *testing.T) {
	for _, k := range []uint64{0, 1, 2, 6} {
		c := newSimChain(t)
		c.deploy(testCID("v0"))
		cell := epoch.NewCell(epoch.Epoch{})
		rec := &recorder{}
		f := c.follower(k, cell, "", rec)
		// The initial epoch is head() at tip − K: the deployment's v0 at
		// K = 0, before the contract existed otherwise.
		if k == 0 {
			checkEpoch(t, cell.Current(), 0, testCID("v0"), c.tip())
		} else {
			checkEpoch(t, cell.Current(), 0, nil, 0)
		}

		v1 := testCID("v1")
		c.setHead(v1)
		c.step(f)
		evBlock := c.tip()
		for i := uint64(0); i < k; i++ {
			if cell.Seq() != 0 {
				t.Fatalf("K=%d: adopted at event+%d", k, i)
			}
			if f.Pending() != 1 {
				t.Fatalf("K=%d: %d pending at event+%d", k, f.Pending(), i)
			}
			c.step(f)
		}
		checkEpoch(t, cell.Current(), 1, v1, evBlock)
		if len(rec.adopted) != 1 || len(rec.prepared) != 1 || f.Pending() != 0 {
			t.Fatalf("K=%d: adopted %v prepared %v pending %d", k, rec.adopted, rec.prepared, f.Pending())
		}
		for i := 0; i < 3; i++ {
			c.step(f)
		}
		if len(rec.adopted) != 1 {
			t.Fatalf("K=%d: re-adopted: %v", k, rec.adopted)
		}
	}
}

// The same over subscriptions: finalization runs on every new head, with
// no later log to trigger it.
func TestFinalityAtDepthSubscribed(t *testing.T) {
	const k = 2
	c := newSimChain(t)
	c.deploy(nil)
	cell := epoch.NewCell(epoch.Epoch{})
	f := c.follower(k, cell, t.TempDir(), nil)
	f.cfg.Dial = func(context.Context) (Subscriber, func(), error) { return c.client, func() {}, nil }
	tips := watchTips(f)
	adopted := make(chan epoch.Epoch, 4)
	f.cfg.Adopted = func(e epoch.Epoch) { adopted <- e }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() { cancel(); <-done }()
	untilLive(c.sim.Commit, tips)

	v1 := testCID("v1")
	c.setHead(v1)
	c.sim.Commit()
	evBlock := c.tip()
	if got := waitTip(t, tips, evBlock).seq; got != 0 {
		t.Fatalf("adopted at the event's block: seq %d", got)
	}
	c.sim.Commit()
	if got := waitTip(t, tips, evBlock+1).seq; got != 0 {
		t.Fatalf("adopted at event+1: seq %d", got)
	}
	c.sim.Commit()
	if got := waitTip(t, tips, evBlock+2).seq; got != 1 {
		t.Fatalf("not adopted at event+K: seq %d", got)
	}
	checkEpoch(t, <-adopted, 1, v1, evBlock)
	checkEpoch(t, cell.Current(), 1, v1, evBlock)
}

// tipState is the follower's state after it finalized a new head.
type tipState struct {
	tip, seq uint64
	pending  int
}

// watchTips reports each new head the follower finalizes.
func watchTips(f *Follower) <-chan tipState {
	tips := make(chan tipState, 64)
	f.onTip = func(tip uint64) { tips <- tipState{tip, f.epoch.Seq, len(f.pending)} }
	return tips
}

// untilLive mines blocks until the follower reports one: its
// subscriptions are then live.
func untilLive(mine func() common.Hash, tips <-chan tipState) {
	for {
		mine()
		select {
		case <-tips:
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitTip waits for the follower to finalize tip and returns its state
// then. The bound only turns a hang into a failure.
func waitTip(t *testing.T, tips <-chan tipState, tip uint64) tipState {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case s := <-tips:
			if s.tip == tip {
				return s
			}
		case <-timeout:
			t.Fatalf("follower never processed block %d", tip)
		}
	}
}

// Three updates before start: the initial epoch is head() at tip − K,
// and the rest arrives in order.
func TestInitialEpochFromSafeBlock(t *testing.T) {
	const k = 2
	c := newSimChain(t)
	c.deploy(nil)
	var blocks []uint64
	for _, s := range []string{"a", "b", "c"} {
		c.setHead(testCID(s))
		c.sim.Commit()
		blocks = append(blocks, c.tip())
	}
	c.sim.Commit() // tip = c's block + 1: safe is b's block
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := c.follower(k, cell, "", rec)
	checkEpoch(t, cell.Current(), 2, testCID("b"), blocks[1])
	c.step(f)
	checkEpoch(t, cell.Current(), 3, testCID("c"), blocks[2])
	if len(rec.adopted) != 1 {
		t.Fatalf("adopted %v", rec.adopted)
	}
}

// Several updates inside one window: seq jumps 0 → 3, adopted once.
func TestSeqJump(t *testing.T) {
	const k = 2
	c := newSimChain(t)
	c.deploy(nil)
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := c.follower(k, cell, "", rec)
	for _, s := range []string{"a", "b", "c"} {
		c.setHead(testCID(s))
	}
	c.step(f)
	evBlock := c.tip()
	if f.Pending() != 3 {
		t.Fatalf("%d pending", f.Pending())
	}
	c.step(f)
	c.step(f)
	checkEpoch(t, cell.Current(), 3, testCID("c"), evBlock)
	if len(rec.adopted) != 1 || f.Pending() != 0 {
		t.Fatalf("adopted %v, %d pending", rec.adopted, f.Pending())
	}
}

// A reorg before finality drops the head (its tx replaced by a transfer):
// never adopted, and head() is back at seq 0.
func TestReorgBeforeFinalityDropped(t *testing.T) {
	const k = 3
	c := newSimChain(t)
	c.deploy(nil)
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := c.follower(k, cell, "", rec)
	parent := c.header(c.tip())
	tx := c.setHead(testCID("dropped"))
	c.step(f)
	c.step(f)
	if f.Pending() != 1 || cell.Seq() != 0 {
		t.Fatalf("before reorg: %d pending, seq %d", f.Pending(), cell.Seq())
	}
	if err := c.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	c.replace(tx.Nonce(), burn, nil)
	for i := 0; i < 5; i++ {
		c.step(f)
	}
	if cell.Seq() != 0 || len(rec.adopted) != 0 || f.Pending() != 0 {
		t.Fatalf("after reorg: seq %d, adopted %v, %d pending", cell.Seq(), rec.adopted, f.Pending())
	}
	if h := c.head(); h.Seq != 0 {
		t.Fatalf("head() seq %d", h.Seq)
	}
}

// burn receives the plain transfers that replace a reorged setHead.
var burn = common.HexToAddress("0x000000000000000000000000000000000000dead")

// A reorg that replaces the head by another cid: only the replacement is
// adopted.
func TestReorgReplacedCID(t *testing.T) {
	const k = 3
	c := newSimChain(t)
	c.deploy(nil)
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := c.follower(k, cell, "", rec)
	parent := c.header(c.tip())
	tx := c.setHead(testCID("original"))
	c.step(f)
	c.step(f)
	if err := c.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	data, _ := PackSetHead(testCID("replacement"))
	c.replace(tx.Nonce(), c.atom, data)
	c.step(f)
	evBlock := c.tip()
	for i := 0; i < k; i++ {
		c.step(f)
	}
	checkEpoch(t, cell.Current(), 1, testCID("replacement"), evBlock)
	if len(rec.adopted) != 1 || f.Pending() != 0 {
		t.Fatalf("adopted %v, %d pending", rec.adopted, f.Pending())
	}
}

// The same transaction re-included in another block after a reorg is
// adopted once, at its new block.
func TestReorgSameTxReincluded(t *testing.T) {
	const k = 2
	c := newSimChain(t)
	c.deploy(nil)
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := c.follower(k, cell, "", rec)
	parent := c.header(c.tip())
	c.setHead(testCID("v1"))
	c.step(f)
	if err := c.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	for cell.Seq() == 0 && c.tip() < parent.Number.Uint64()+10 {
		c.step(f)
	}
	if len(rec.adopted) != 1 || rec.adopted[0].Seq != 1 || !bytes.Equal(rec.adopted[0].Head, testCID("v1")) {
		t.Fatalf("adopted %v", rec.adopted)
	}
	for i := 0; i < 3; i++ {
		c.step(f)
	}
	if len(rec.adopted) != 1 || f.Pending() != 0 {
		t.Fatalf("adopted %v, %d pending", rec.adopted, f.Pending())
	}
}

// A reorg deeper than K rolls head() back below the adopted epoch: logged
// and ignored, the epoch never decreases; a later update with a higher
// seq is adopted.
func TestDeepReorgNeverLowersEpoch(t *testing.T) {
	const k = 1
	c := newSimChain(t)
	c.deploy(nil)
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := c.follower(k, cell, "", rec)
	parent := c.header(c.tip())
	tx := c.setHead(testCID("v1"))
	c.step(f)
	c.step(f)
	if cell.Seq() != 1 {
		t.Fatalf("seq %d before the deep reorg", cell.Seq())
	}
	if err := c.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	c.replace(tx.Nonce(), burn, nil)
	for i := 0; i < 4; i++ {
		c.step(f)
	}
	if h := c.head(); h.Seq != 0 {
		t.Fatalf("head() seq %d after the reorg", h.Seq)
	}
	if cell.Seq() != 1 || f.Epoch().Seq != 1 {
		t.Fatalf("epoch lowered to %d", cell.Seq())
	}
	c.setHead(testCID("w1")) // seq 1 again on the new chain: not above the epoch
	c.step(f)
	c.step(f)
	c.step(f)
	if cell.Seq() != 1 || len(rec.adopted) != 1 {
		t.Fatalf("seq %d, adopted %v", cell.Seq(), rec.adopted)
	}
	c.setHead(testCID("w2"))
	c.step(f)
	c.step(f)
	if cur := cell.Current(); cur.Seq != 2 || !bytes.Equal(cur.Head, testCID("w2")) {
		t.Fatalf("epoch %v", cur)
	}
}

// A non-CID head advances the epoch without Prepare (no layer swap).
func TestNonCIDHead(t *testing.T) {
	c := newSimChain(t)
	c.deploy(nil)
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := c.follower(0, cell, "", rec)
	c.setHead([]byte("plain bytes"))
	c.step(f)
	checkEpoch(t, cell.Current(), 1, []byte("plain bytes"), c.tip())
	if len(rec.adopted) != 1 || len(rec.prepared) != 0 {
		t.Fatalf("adopted %v, prepared %v", rec.adopted, rec.prepared)
	}
	c.setHead(testCID("cid"))
	c.step(f)
	if len(rec.adopted) != 2 || len(rec.prepared) != 1 {
		t.Fatalf("adopted %v, prepared %v", rec.adopted, rec.prepared)
	}
}

// Restart from the cursor: scanning resumes K blocks below the cursor (no
// rescan from 0), the epoch is the same, nothing is adopted twice, and an
// update made while the follower was down is adopted exactly once.
func TestCursorResume(t *testing.T) {
	const k = 2
	c := newSimChain(t)
	c.deploy(nil)
	for i := 0; i < 20; i++ {
		c.sim.Commit()
	}
	dir := t.TempDir()
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := c.follower(k, cell, dir, rec)
	c.setHead(testCID("v1"))
	c.step(f)
	c.step(f)
	c.step(f)
	if cell.Seq() != 1 || len(rec.adopted) != 1 {
		t.Fatalf("first run: seq %d adopted %v", cell.Seq(), rec.adopted)
	}
	chainID, _ := c.client.ChainID(c.ctx)
	cur, ok, err := LoadCursor(CursorPath(dir, chainID, c.atom))
	if err != nil || !ok {
		t.Fatalf("cursor: %v %v", ok, err)
	}
	if cur.ScannedBlock != c.tip() || cur.ScannedHash != c.header(c.tip()).Hash() || cur.EpochSeq != 1 || !bytes.Equal(cur.EpochHead, testCID("v1")) {
		t.Fatalf("cursor %+v at tip %d", cur, c.tip())
	}

	// Down: one update becomes final, another is not yet.
	c.setHead(testCID("v2"))
	c.sim.Commit()
	c.sim.Commit()
	c.sim.Commit()
	c.setHead(testCID("v3"))
	c.sim.Commit()
	v3Block := c.tip()

	// Restart with the same cell (in-process) and with a fresh one (a new
	// process).
	rec2 := &recorder{}
	f2 := c.follower(k, cell, dir, rec2)
	if f2.next != cur.ScannedBlock+1-k {
		t.Fatalf("resumed at %d, cursor scanned %d", f2.next, cur.ScannedBlock)
	}
	checkEpoch(t, cell.Current(), 2, testCID("v2"), v3Block-k)
	fresh := epoch.NewCell(epoch.Epoch{})
	c.follower(k, fresh, dir, &recorder{})
	checkEpoch(t, fresh.Current(), 2, testCID("v2"), v3Block-k)

	c.sync(f2)
	if f2.Pending() != 1 || len(rec2.adopted) != 0 {
		t.Fatalf("after backfill: %d pending, adopted %v", f2.Pending(), rec2.adopted)
	}
	c.step(f2)
	c.step(f2)
	checkEpoch(t, cell.Current(), 3, testCID("v3"), v3Block)
	if len(rec2.adopted) != 1 {
		t.Fatalf("adopted %v", rec2.adopted)
	}
}

// Subscriptions unavailable at first (a WebSocket endpoint nobody
// listens on): the follower polls HTTP meanwhile, redials with backoff,
// and adopts through the subscription afterwards.
func TestSubscriptionBackoff(t *testing.T) {
	c := newSimChain(t)
	c.deploy(nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "ws://" + l.Addr().String()
	l.Close()
	cell := epoch.NewCell(epoch.Epoch{})
	f := c.follower(0, cell, "", nil)
	f.cfg.PollInterval = 50 * time.Millisecond
	dials := make(chan error, 16)
	n := 0
	f.cfg.Dial = func(ctx context.Context) (Subscriber, func(), error) {
		if n++; n == 1 {
			_, err := ethclient.DialContext(ctx, dead)
			dials <- err
			if err != nil {
				return nil, nil, err
			}
		}
		dials <- nil
		return c.client, func() {}, nil
	}
	adopted := make(chan epoch.Epoch, 4)
	f.cfg.Adopted = func(e epoch.Epoch) { adopted <- e }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() { cancel(); <-done }()

	if err := <-dials; err == nil {
		t.Fatal("dialing a closed port succeeded")
	}
	// Polling while the subscription is down.
	c.setHead(testCID("v1"))
	c.sim.Commit()
	if e := waitAdopted(t, adopted); e.Seq != 1 {
		t.Fatalf("adopted %v", e)
	}
	if err := <-dials; err != nil { // the redial, after the backoff
		t.Fatal(err)
	}
	c.setHead(testCID("v2"))
	c.sim.Commit()
	if e := waitAdopted(t, adopted); e.Seq != 2 {
		t.Fatalf("adopted %v", e)
	}
}

func waitAdopted(t *testing.T, ch <-chan epoch.Epoch) epoch.Epoch {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no epoch adopted")
		return epoch.Epoch{}
	}
}

// Over subscriptions, a reorg delivers the dropped log again with
// removed: true, which takes it out of the pending set before the safe
// block reaches it; the head is never adopted.
func TestRemovedLogs(t *testing.T) {
	const k = 6
	c := newSimChain(t)
	c.deploy(nil)
	cell := epoch.NewCell(epoch.Epoch{})
	f := c.follower(k, cell, "", nil)
	f.cfg.Dial = func(context.Context) (Subscriber, func(), error) { return c.client, func() {}, nil }
	tips := watchTips(f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait := func(tip uint64) tipState { t.Helper(); return waitTip(t, tips, tip) }
	untilLive(c.sim.Commit, tips)
	parent := c.header(c.tip())
	tx := c.setHead(testCID("dropped"))
	c.sim.Commit()
	// The log may trail its block's head notification: a few more
	// blocks, still short of K, give it time.
	for i := 0; wait(c.tip()).pending != 1; i++ {
		if i == k-2 {
			t.Fatal("the log never reached the pending set")
		}
		c.sim.Commit()
	}
	if err := c.sim.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	c.replace(tx.Nonce(), burn, nil)
	c.sim.Commit()
	if s := wait(c.tip()); s.pending != 0 {
		t.Fatalf("%d pending after the reorg (removed log not applied)", s.pending)
	}
	for i := 0; i < k+1; i++ {
		c.sim.Commit()
		if s := wait(c.tip()); s.seq != 0 {
			t.Fatalf("adopted seq %d", s.seq)
		}
	}
}
