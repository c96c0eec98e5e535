package stem

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/stem/anvil"
)

// anvilAtom starts anvil and deploys an Atom from the dev account.
func anvilAtom(t *testing.T) (*anvil.Chain, *Writer, common.Address) {
	t.Helper()
	ch := anvil.Start(t)
	w := &Writer{Backend: ch.Client, Key: anvil.DevKey(t)}
	addr, tx, err := w.Deploy(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WaitMined(context.Background(), ch.Client, tx, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	return ch, w, addr
}

func anvilSet(t *testing.T, ch *anvil.Chain, w *Writer, addr common.Address, cid []byte) uint64 {
	t.Helper()
	tx, err := w.SetHead(context.Background(), addr, cid)
	if err != nil {
		t.Fatal(err)
	}
	r, err := WaitMined(context.Background(), ch.Client, tx, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return r.BlockNumber.Uint64()
}

func anvilFollower(t *testing.T, ch *anvil.Chain, addr common.Address, k uint64, cell *epoch.Cell, dir string, rec *recorder) *Follower {
	t.Helper()
	cfg := Config{Contract: addr, Chain: ch.Client, Depth: k, Cell: cell, CursorDir: dir}
	if rec != nil {
		cfg.Adopted = func(e epoch.Epoch) { rec.adopted = append(rec.adopted, e) }
	}
	f, err := NewFollower(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func anvilStep(t *testing.T, ch *anvil.Chain, f *Follower) {
	t.Helper()
	ch.Mine(1)
	if err := f.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// §18.5.1: three setHeads before start come back in increasing (block,
// logIndex) with seq 1, 2, 3; the initial epoch is head() at tip − K.
func TestAnvilBackfill(t *testing.T) {
	const k = 2
	ch, w, addr := anvilAtom(t)
	var blocks []uint64
	for _, s := range []string{"a", "b", "c"} {
		blocks = append(blocks, anvilSet(t, ch, w, addr, testCID(s)))
	}
	logs, err := ch.Client.FilterLogs(context.Background(), FilterQuery(addr, 0, nil))
	if err != nil || len(logs) != 3 {
		t.Fatalf("%d logs, %v", len(logs), err)
	}
	for i, l := range logs {
		ev, err := DecodeHeadUpdated(l)
		if err != nil || ev.Seq != uint64(i+1) || ev.Block != blocks[i] || !bytes.Equal(ev.CID, testCID([]string{"a", "b", "c"}[i])) {
			t.Fatalf("log %d: %+v, %v", i, ev, err)
		}
		if i > 0 && (ev.Block < logs[i-1].BlockNumber || ev.Block == logs[i-1].BlockNumber && ev.LogIndex <= logs[i-1].Index) {
			t.Fatalf("log %d out of order", i)
		}
	}
	cell := epoch.NewCell(epoch.Epoch{})
	f := anvilFollower(t, ch, addr, k, cell, "", nil)
	tip := ch.Tip()
	checkEpoch(t, cell.Current(), 1, testCID("a"), tip-k) // c's block is the tip: safe is a's
	if err := f.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.Pending() != 2 {
		t.Fatalf("%d pending after backfill", f.Pending())
	}
	anvilStep(t, ch, f)
	anvilStep(t, ch, f)
	checkEpoch(t, cell.Current(), 3, testCID("c"), blocks[2])
}

// §18.5.2: with K = 2, nothing at the event's block or the next; adopted
// exactly at the second block with seq 1 and the cid.
func TestAnvilStepping(t *testing.T) {
	const k = 2
	ch, w, addr := anvilAtom(t)
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := anvilFollower(t, ch, addr, k, cell, "", rec)
	evBlock := anvilSet(t, ch, w, addr, testCID("v1"))
	if err := f.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if cell.Seq() != 0 || f.Pending() != 1 {
		t.Fatalf("at the event's block: seq %d, %d pending", cell.Seq(), f.Pending())
	}
	anvilStep(t, ch, f)
	if cell.Seq() != 0 {
		t.Fatal("adopted at event+1")
	}
	anvilStep(t, ch, f)
	checkEpoch(t, cell.Current(), 1, testCID("v1"), evBlock)
	if len(rec.adopted) != 1 {
		t.Fatalf("adopted %v", rec.adopted)
	}
}

// §18.5.3: a reverted setHead takes its log with it and head() is back at
// 0, though a consumer that trusted the log it saw would say 1.
func TestAnvilNaiveConsumer(t *testing.T) {
	ch, w, addr := anvilAtom(t)
	snap := ch.Snapshot()
	anvilSet(t, ch, w, addr, testCID("v1"))
	logs, err := ch.Client.FilterLogs(context.Background(), FilterQuery(addr, 0, nil))
	if err != nil || len(logs) != 1 {
		t.Fatalf("%d logs, %v", len(logs), err)
	}
	naive, err := DecodeHeadUpdated(logs[0])
	if err != nil || naive.Seq != 1 {
		t.Fatalf("naive consumer: %+v %v", naive, err)
	}
	ch.Revert(snap)
	logs, err = ch.Client.FilterLogs(context.Background(), FilterQuery(addr, 0, nil))
	if err != nil || len(logs) != 0 {
		t.Fatalf("after revert: %d logs, %v", len(logs), err)
	}
	h, err := ReadHead(context.Background(), ch.Client, addr, nil)
	if err != nil || h.Seq != 0 {
		t.Fatalf("head() %+v, %v", h, err)
	}
}

// §18.5.4: the follower running on WebSocket sees the event; the chain
// reverts before finality; K + 1 more blocks adopt nothing.
func TestAnvilReorgBeforeFinality(t *testing.T) {
	const k = 4
	ch, w, addr := anvilAtom(t)
	cell := epoch.NewCell(epoch.Epoch{})
	rec := make(chan epoch.Epoch, 4)
	f, err := NewFollower(context.Background(), Config{
		Contract: addr, Chain: ch.Client, Depth: k, Cell: cell,
		Dial:    WSDialer(ch.WSURL),
		Adopted: func(e epoch.Epoch) { rec <- e },
	})
	if err != nil {
		t.Fatal(err)
	}
	tips := watchTips(f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait := func(tip uint64) tipState { t.Helper(); return waitTip(t, tips, tip) }
	untilLive(func() common.Hash { ch.Mine(1); return common.Hash{} }, tips)

	snap := ch.Snapshot()
	anvilSet(t, ch, w, addr, []byte("cid-reorg"))
	// The log may trail its block's head notification: a few more
	// blocks, still short of K, give it time.
	for i := 0; wait(ch.Tip()).pending != 1; i++ {
		if i == k-2 {
			t.Fatal("the log never reached the pending set")
		}
		ch.Mine(1)
	}
	ch.Revert(snap)
	for range k + 1 { // the safe block passes the reverted event's height
		ch.Mine(1)
		wait(ch.Tip())
	}
	select {
	case e := <-rec:
		t.Fatalf("adopted %v", e)
	default:
	}
	h, err := ReadHead(context.Background(), ch.Client, addr, nil)
	if err != nil || h.Seq != 0 || cell.Seq() != 0 {
		t.Fatalf("head() %+v %v, epoch %d", h, err, cell.Seq())
	}
}

// §18.5.7: a restart resumes from the cursor (no rescan from 0), with the
// same epoch and no second adoption.
func TestAnvilRestart(t *testing.T) {
	const k = 2
	ch, w, addr := anvilAtom(t)
	ch.Mine(30)
	dir := t.TempDir()
	cell := epoch.NewCell(epoch.Epoch{})
	rec := &recorder{}
	f := anvilFollower(t, ch, addr, k, cell, dir, rec)
	anvilSet(t, ch, w, addr, testCID("v1"))
	anvilStep(t, ch, f)
	anvilStep(t, ch, f)
	if cell.Seq() != 1 || len(rec.adopted) != 1 {
		t.Fatalf("first run: seq %d, adopted %v", cell.Seq(), rec.adopted)
	}
	scanned := f.scanned
	want := cell.Current()

	rec2 := &recorder{}
	f2 := anvilFollower(t, ch, addr, k, cell, dir, rec2)
	if f2.next != scanned+1-k || f2.next < 30 {
		t.Fatalf("resumed at %d, scanned %d", f2.next, scanned)
	}
	for range 3 {
		anvilStep(t, ch, f2)
	}
	if !cell.Current().Equal(want) || len(rec2.adopted) != 0 {
		t.Fatalf("after restart: %v, adopted %v", cell.Current(), rec2.adopted)
	}
	fresh := epoch.NewCell(epoch.Epoch{})
	anvilFollower(t, ch, addr, k, fresh, dir, nil)
	if !fresh.Current().Equal(want) {
		t.Fatalf("new process: %v, want %v", fresh.Current(), want)
	}
}

// tcpProxy forwards loopback connections to target and can cut them all.
type tcpProxy struct {
	l        net.Listener
	target   string
	mu       sync.Mutex
	conns    []net.Conn
	accepted int
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{l: l, target: target}
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.accepted++
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	return p
}

// cut closes every proxied connection; new ones are still accepted.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *tcpProxy) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// §18.5.6: the WebSocket connection cut by a TCP proxy: the follower keeps
// adopting (HTTP polling, then backfill after redialing) and its
// subscriptions come back.
func TestAnvilWebSocketCut(t *testing.T) {
	const k = 1
	ch, w, addr := anvilAtom(t)
	p := startProxy(t, strings.TrimPrefix(ch.URL, "http://"))
	cell := epoch.NewCell(epoch.Epoch{})
	adopted := make(chan epoch.Epoch, 4)
	f, err := NewFollower(context.Background(), Config{
		Contract: addr, Chain: ch.Client, Depth: k, Cell: cell,
		Dial:         WSDialer("ws://" + p.l.Addr().String()),
		PollInterval: 100 * time.Millisecond,
		Adopted:      func(e epoch.Epoch) { adopted <- e },
	})
	if err != nil {
		t.Fatal(err)
	}
	tips := watchTips(f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() { cancel(); <-done }()
	mine := func() common.Hash { ch.Mine(1); return common.Hash{} }
	untilLive(mine, tips)

	p.cut()
	anvilSet(t, ch, w, addr, testCID("v1"))
	ch.Mine(k)
	if e := waitAdopted(t, adopted); e.Seq != 1 || !bytes.Equal(e.Head, testCID("v1")) {
		t.Fatalf("adopted %v", e)
	}
	// The subscriptions are back once a mined head is reported again.
	for len(tips) > 0 {
		<-tips
	}
	untilLive(mine, tips)
	if n := p.count(); n < 2 {
		t.Fatalf("%d WebSocket connections, want a redial", n)
	}
	anvilSet(t, ch, w, addr, testCID("v2"))
	ch.Mine(k)
	if e := waitAdopted(t, adopted); e.Seq != 2 {
		t.Fatalf("adopted %v", e)
	}
}
