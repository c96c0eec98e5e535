package epoch

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
)

// Epoch is one finalized state of the Stem contract (stem.capnp Epoch).
type Epoch struct {
	// Seq is the epoch sequence number; it only grows.
	Seq uint64
	// Head is the binary CID the epoch names, or empty.
	Head []byte
	// AdoptedBlock is the chain block at which the node adopted the epoch.
	AdoptedBlock uint64
}

// Clone returns a copy of e that shares no memory with it.
func (e Epoch) Clone() Epoch {
	e.Head = bytes.Clone(e.Head)
	return e
}

// Equal reports whether e and o have the same seq, head and block. A nil
// and an empty head are equal.
func (e Epoch) Equal(o Epoch) bool {
	return e.Seq == o.Seq && e.AdoptedBlock == o.AdoptedBlock && bytes.Equal(e.Head, o.Head)
}

// String formats e for logs as "epoch <seq> head=<hex> block=<n>".
func (e Epoch) String() string {
	return fmt.Sprintf("epoch %d head=%s block=%d", e.Seq, hex.EncodeToString(e.Head), e.AdoptedBlock)
}

// Cell holds the current Epoch and broadcasts changes. All methods are
// safe for concurrent use; none of them blocks on a consumer. The zero
// Cell holds epoch 0 and is ready to use. A Cell must not be copied after
// first use.
type Cell struct {
	seq atomic.Uint64 // mirror of cur.Seq for the lock-free guard check

	mu      sync.Mutex
	cur     Epoch                      // Head owned by the cell, never handed out
	changed chan struct{}              // closed and replaced on every change
	subs    map[*Subscription]struct{} // live subscriptions
}

// NewCell returns a cell holding a copy of initial.
func NewCell(initial Epoch) *Cell {
	c := &Cell{cur: initial.Clone()}
	c.seq.Store(initial.Seq)
	return c
}

// Seq returns the current sequence number without taking the lock. It is
// the check every guarded capability method performs.
func (c *Cell) Seq() uint64 { return c.seq.Load() }

// Current returns a copy of the current epoch.
func (c *Cell) Current() Epoch {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur.Clone()
}

// Watch returns the current epoch and a channel that is closed when the
// epoch next changes. The two are taken atomically, so no change can fall
// between them.
func (c *Cell) Watch() (Epoch, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur.Clone(), c.changedLocked()
}

// Changed returns a channel that is closed when the epoch next changes.
func (c *Cell) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changedLocked()
}

func (c *Cell) changedLocked() chan struct{} {
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

// Advance makes e the current epoch if e.Seq is greater than the current
// seq, wakes every waiter and offers e to every subscription, and reports
// whether it did. An epoch whose Seq is not greater is ignored. Advance
// copies e.Head and never blocks on a consumer.
func (c *Cell) Advance(e Epoch) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.advanceLocked(e)
}

func (c *Cell) advanceLocked(e Epoch) bool {
	if e.Seq <= c.cur.Seq {
		return false
	}
	c.cur = e.Clone()
	c.seq.Store(e.Seq)
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
	for s := range c.subs {
		s.offer(c.cur.Clone())
	}
	return true
}

// Init makes e the starting epoch: a cell still at its zero value (seq 0,
// no head) takes e even at seq 0, e.g. a chain follower's initial read of
// a head that was never updated; otherwise it is Advance. Taking a seq-0
// epoch changes no seq, so it revokes nothing and wakes nobody.
func (c *Cell) Init(e Epoch) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.Seq == 0 && c.cur.Seq == 0 && c.cur.Head == nil {
		c.cur = e.Clone()
		return true
	}
	return c.advanceLocked(e)
}

// Set is Advance under the name a setter's caller expects: e becomes
// current only if e.Seq is greater than the current seq.
func (c *Cell) Set(e Epoch) bool { return c.Advance(e) }

// Bump advances the cell to seq+1, keeping the current head and block, and
// returns the new current epoch (unchanged if the seq is already the
// largest uint64). It is meant for tests and tools; the chain follower
// uses Advance.
func (c *Cell) Bump() Epoch {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := c.cur.Clone()
	next.Seq++
	c.advanceLocked(next)
	return c.cur.Clone()
}

// Wait blocks until the current seq differs from after and returns the
// current epoch, or returns the context's error. If the seq already
// differs it returns at once.
func (c *Cell) Wait(ctx context.Context, after uint64) (Epoch, error) {
	for {
		e, ch := c.Watch()
		if e.Seq != after {
			return e, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Epoch{}, ctx.Err()
		}
	}
}

// Subscribe returns the current epoch and a subscription that receives
// every later epoch, taken atomically. The subscription's channel holds at
// most one value: a consumer that falls behind finds only the newest epoch.
// Close the subscription when done with it.
func (c *Cell) Subscribe() (Epoch, *Subscription) {
	s := &Subscription{cell: c, ch: make(chan Epoch, 1)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs == nil {
		c.subs = make(map[*Subscription]struct{})
	}
	c.subs[s] = struct{}{}
	return c.cur.Clone(), s
}

// Subscription delivers epoch changes from a Cell, newest value wins.
type Subscription struct {
	cell *Cell
	ch   chan Epoch
	once sync.Once
}

// C returns the channel on which the subscription receives epochs. It is
// never closed, so Close does not wake a receiver; select on your own
// cancellation as well.
func (s *Subscription) C() <-chan Epoch { return s.ch }

// Close detaches the subscription from its cell. It is idempotent.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.cell.mu.Lock()
		delete(s.cell.subs, s)
		s.cell.mu.Unlock()
	})
}

// offer replaces any value the consumer has not taken yet with e. It is
// called with the cell lock held, which serializes producers, so the
// drain-then-send never blocks.
func (s *Subscription) offer(e Epoch) {
	select {
	case <-s.ch:
	default:
	}
	s.ch <- e
}
