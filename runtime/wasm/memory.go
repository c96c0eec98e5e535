package wasm

import (
	"sync/atomic"

	"github.com/tetratelabs/wazero/experimental"
)

// memoryCap is the per-process memory allocator (system design §5.6). wazero's
// own memory limit is runtime-wide; this hook lets each process have its own.
// Reallocate past the cap returns nil, which wazero turns into a failed
// memory.grow (-1) for the guest. The refusal is remembered so that a
// process that then fails is reported as exit 137, reason "memory".
//
// A module whose initial memory already exceeds the cap cannot be refused
// (wazero requires the minimum to be allocated), so it gets its memory and
// tooLarge is called, which kills the process with reason "memory".
type memoryCap struct {
	limit    uint64
	refused  atomic.Bool
	tooLarge func()
}

// Allocate implements experimental.MemoryAllocator.
func (m *memoryCap) Allocate(capacity, max uint64) experimental.LinearMemory {
	if capacity > m.limit {
		capacity = m.limit
	}
	return &cappedMemory{owner: m, buf: make([]byte, 0, capacity)}
}

type cappedMemory struct {
	owner   *memoryCap
	buf     []byte
	started bool
}

// Reallocate implements experimental.LinearMemory.
func (c *cappedMemory) Reallocate(size uint64) []byte {
	first := !c.started
	c.started = true
	if size > c.owner.limit {
		c.owner.refused.Store(true)
		if !first {
			return nil
		}
		if c.owner.tooLarge != nil {
			c.owner.tooLarge()
		}
		c.buf = make([]byte, size)
		return c.buf
	}
	if size <= uint64(cap(c.buf)) {
		old := uint64(len(c.buf))
		c.buf = c.buf[:size]
		if size > old {
			clear(c.buf[old:]) // shrink-then-grow must expose zeroed pages
		}
		return c.buf
	}
	// Grow geometrically (as append would), but never past the cap.
	newCap := max(size, min(2*uint64(cap(c.buf)), c.owner.limit))
	buf := make([]byte, size, newCap)
	copy(buf, c.buf)
	c.buf = buf
	return buf
}

// Free implements experimental.LinearMemory.
func (c *cappedMemory) Free() { c.buf = nil }
