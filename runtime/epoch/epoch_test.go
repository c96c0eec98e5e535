package epoch

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestZeroCell(t *testing.T) {
	var c Cell
	if e := c.Current(); !e.Equal(Epoch{}) || c.Seq() != 0 {
		t.Fatalf("zero cell holds %v", e)
	}
	if !c.Advance(Epoch{Seq: 1, Head: []byte{1}, AdoptedBlock: 9}) {
		t.Fatal("advance from zero cell ignored")
	}
	if e := c.Current(); e.Seq != 1 || e.AdoptedBlock != 9 || string(e.Head) != "\x01" {
		t.Fatalf("current = %v", e)
	}
}

func TestAdvanceIgnoresOldSeq(t *testing.T) {
	c := NewCell(Epoch{Seq: 5, Head: []byte("five")})
	for _, seq := range []uint64{0, 4, 5} {
		if c.Advance(Epoch{Seq: seq, Head: []byte("x")}) {
			t.Fatalf("Advance(seq %d) accepted at seq 5", seq)
		}
		if c.Set(Epoch{Seq: seq}) {
			t.Fatalf("Set(seq %d) accepted at seq 5", seq)
		}
	}
	if e := c.Current(); e.Seq != 5 || string(e.Head) != "five" {
		t.Fatalf("current = %v", e)
	}
	if !c.Set(Epoch{Seq: 7}) || c.Seq() != 7 {
		t.Fatalf("Set(7) not adopted; seq %d", c.Seq())
	}
}

func TestCopiesHead(t *testing.T) {
	head := []byte("abc")
	c := NewCell(Epoch{Seq: 1, Head: head})
	head[0] = 'X'
	got := c.Current()
	if string(got.Head) != "abc" {
		t.Fatalf("cell aliased the caller's head: %q", got.Head)
	}
	got.Head[0] = 'Y'
	if e := c.Current(); string(e.Head) != "abc" {
		t.Fatalf("Current handed out the cell's own head: %q", e.Head)
	}
}

func TestBump(t *testing.T) {
	c := NewCell(Epoch{Seq: 2, Head: []byte("h"), AdoptedBlock: 3})
	e := c.Bump()
	if e.Seq != 3 || string(e.Head) != "h" || e.AdoptedBlock != 3 || c.Seq() != 3 {
		t.Fatalf("Bump = %v, seq %d", e, c.Seq())
	}
}

func TestWatchClosesOnChange(t *testing.T) {
	c := NewCell(Epoch{})
	e, ch := c.Watch()
	if e.Seq != 0 {
		t.Fatalf("watch epoch %v", e)
	}
	c.Advance(Epoch{Seq: 0}) // ignored: must not wake
	select {
	case <-ch:
		t.Fatal("ignored advance woke the watcher")
	default:
	}
	c.Advance(Epoch{Seq: 1})
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("watch channel not closed after advance")
	}
	if ch2 := c.Changed(); ch2 == ch {
		t.Fatal("Changed returned the closed channel")
	}
}

func TestWait(t *testing.T) {
	c := NewCell(Epoch{Seq: 3})

	// Already different: returns at once.
	e, err := c.Wait(context.Background(), 2)
	if err != nil || e.Seq != 3 {
		t.Fatalf("Wait(2) = %v, %v", e, err)
	}

	// Context ends first.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Wait(ctx, 3); err != context.DeadlineExceeded {
		t.Fatalf("Wait with expired context: %v", err)
	}

	// Woken by an advance.
	done := make(chan Epoch)
	go func() {
		e, _ := c.Wait(context.Background(), 3)
		done <- e
	}()
	time.Sleep(10 * time.Millisecond)
	c.Advance(Epoch{Seq: 4})
	select {
	case e := <-done:
		if e.Seq != 4 {
			t.Fatalf("woke with %v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait not woken by advance")
	}
}

func TestSubscribeLatestWins(t *testing.T) {
	c := NewCell(Epoch{Seq: 1})
	cur, sub := c.Subscribe()
	defer sub.Close()
	if cur.Seq != 1 {
		t.Fatalf("subscribe returned %v", cur)
	}
	// Nobody reads: the producer must not block, and the newest wins.
	for seq := uint64(2); seq <= 100; seq++ {
		c.Advance(Epoch{Seq: seq})
	}
	select {
	case e := <-sub.C():
		if e.Seq != 100 {
			t.Fatalf("subscription delivered %v, want seq 100", e)
		}
	default:
		t.Fatal("nothing delivered")
	}
	select {
	case e := <-sub.C():
		t.Fatalf("second value %v delivered", e)
	default:
	}

	sub.Close()
	sub.Close() // idempotent
	c.Advance(Epoch{Seq: 101})
	select {
	case e := <-sub.C():
		t.Fatalf("closed subscription got %v", e)
	default:
	}
}

// TestConcurrent runs producers, waiters, subscribers and readers together;
// run it with -race. Each consumer must observe a non-decreasing seq and
// finally the last one.
func TestConcurrent(t *testing.T) {
	const (
		producers = 4
		perProd   = 500
		last      = producers * perProd
	)
	c := NewCell(Epoch{})
	var wg sync.WaitGroup

	// Waiters: follow the cell with Wait until the last seq.
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var seen uint64
			for seen < last {
				e, err := c.Wait(context.Background(), seen)
				if err != nil {
					t.Error(err)
					return
				}
				if e.Seq < seen {
					t.Errorf("seq went back: %d after %d", e.Seq, seen)
					return
				}
				seen = e.Seq
			}
		}()
	}

	// Subscribers: follow with a subscription until the last seq.
	for range 4 {
		cur, sub := c.Subscribe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer sub.Close()
			seen := cur.Seq
			for seen < last {
				select {
				case e := <-sub.C():
					if e.Seq < seen {
						t.Errorf("subscription went back: %d after %d", e.Seq, seen)
						return
					}
					seen = e.Seq
				case <-time.After(10 * time.Second):
					t.Errorf("subscriber stuck at %d", seen)
					return
				}
			}
		}()
	}

	// Readers: Current and Seq never see seq go back.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			var seen uint64
			for {
				select {
				case <-stop:
					return
				default:
				}
				e := c.Current()
				if e.Seq < seen || c.Seq() < e.Seq {
					t.Errorf("reader saw seq go back")
					return
				}
				seen = e.Seq
			}
		}()
	}

	// Producers: interleaved seqs, some of which lose races and are
	// ignored; the largest, last, can never be ignored.
	var prod sync.WaitGroup
	for p := range producers {
		prod.Add(1)
		go func() {
			defer prod.Done()
			for i := range perProd {
				seq := uint64(i*producers + p + 1)
				c.Advance(Epoch{Seq: seq, Head: []byte{byte(seq)}})
			}
		}()
	}
	prod.Wait()
	if c.Seq() != last {
		t.Fatalf("final seq %d, want %d", c.Seq(), last)
	}
	wg.Wait()
	close(stop)
	readers.Wait()
}

func TestInit(t *testing.T) {
	var c Cell
	changed := c.Changed()
	if !c.Init(Epoch{Seq: 0, Head: []byte("h0"), AdoptedBlock: 4}) {
		t.Fatal("Init at seq 0 ignored by a zero cell")
	}
	if e := c.Current(); e.Seq != 0 || string(e.Head) != "h0" || e.AdoptedBlock != 4 {
		t.Fatalf("current = %v", e)
	}
	select {
	case <-changed:
		t.Fatal("Init at seq 0 woke waiters")
	default:
	}
	// Once the cell holds a head, Init is Advance.
	if c.Init(Epoch{Seq: 0, Head: []byte("other")}) {
		t.Fatal("second Init at seq 0 accepted")
	}
	if !c.Init(Epoch{Seq: 2, Head: []byte("h2")}) || c.Seq() != 2 {
		t.Fatalf("Init(seq 2) not adopted; seq %d", c.Seq())
	}
	select {
	case <-changed:
	default:
		t.Fatal("Init to a higher seq did not wake waiters")
	}
}
