package wasm

import (
	"sync"
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
//
// Buffers come from the engine's memoryPool and go back to it when the
// process ends, and the first one is as large as the memory the module's
// previous process ended with (hint): a Go guest grows its memory several
// times while it starts, and allocating, zeroing and copying a fresh buffer
// each time cost about as much as the rest of a spawn.
type memoryCap struct {
	limit    uint64
	refused  atomic.Bool
	tooLarge func()
	pool     *memoryPool
	hint     *atomic.Uint64 // of the module; nil: no hint
}

// Allocate implements experimental.MemoryAllocator.
func (m *memoryCap) Allocate(capacity, _ uint64) experimental.LinearMemory {
	if m.hint != nil {
		capacity = max(capacity, min(m.hint.Load(), maxPooledMemory))
	}
	capacity = min(capacity, m.limit)
	buf, dirty := m.pool.get(capacity)
	return &cappedMemory{owner: m, buf: buf, dirty: dirty}
}

// cappedMemory is one process's linear memory. Bytes from dirty on are
// zero; those below may hold data of an earlier user of the buffer and are
// zeroed when the memory grows over them.
type cappedMemory struct {
	owner   *memoryCap
	buf     []byte
	dirty   int
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
		c.owner.pool.put(c.buf, c.dirty)
		c.buf, c.dirty = make([]byte, size), int(size)
		return c.buf
	}
	if size > uint64(cap(c.buf)) {
		// Grow geometrically (as append would), but never past the cap.
		newCap := max(size, min(2*uint64(cap(c.buf)), c.owner.limit))
		buf, dirty := c.owner.pool.get(newCap)
		buf = buf[:len(c.buf)]
		copy(buf, c.buf)
		c.owner.pool.put(c.buf, c.dirty)
		c.buf, c.dirty = buf, max(dirty, len(c.buf))
	}
	old := len(c.buf)
	c.buf = c.buf[:size]
	if n := int(size); n > old {
		if c.dirty > old {
			clear(c.buf[old:min(n, c.dirty)]) // exposed bytes must be zero
		}
		c.dirty = max(c.dirty, n)
	}
	return c.buf
}

// Free implements experimental.LinearMemory.
func (c *cappedMemory) Free() {
	if c.owner.hint != nil {
		c.owner.hint.Store(uint64(len(c.buf)))
	}
	c.owner.pool.put(c.buf, c.dirty)
	c.buf = nil
}

// Bounds of the memoryPool.
const (
	memoryPoolSize  = 8        // buffers kept
	maxPooledMemory = 64 << 20 // larger buffers are left to the GC
)

// memoryPool keeps a few linear memory buffers of ended processes for the
// next ones, with how much of each may be dirty.
type memoryPool struct {
	mu   sync.Mutex
	bufs []pooledMemory
}

type pooledMemory struct {
	buf   []byte
	dirty int
}

func newMemoryPool() *memoryPool { return &memoryPool{} }

// get returns an empty buffer of at least capacity bytes and its dirty
// length: the smallest pooled one that fits, else a new one.
func (mp *memoryPool) get(capacity uint64) ([]byte, int) {
	mp.mu.Lock()
	best := -1
	for i, b := range mp.bufs {
		if uint64(cap(b.buf)) >= capacity && (best < 0 || cap(b.buf) < cap(mp.bufs[best].buf)) {
			best = i
		}
	}
	if best >= 0 {
		b := mp.bufs[best]
		last := len(mp.bufs) - 1
		mp.bufs[best] = mp.bufs[last]
		mp.bufs[last] = pooledMemory{}
		mp.bufs = mp.bufs[:last]
		mp.mu.Unlock()
		return b.buf[:0], b.dirty
	}
	mp.mu.Unlock()
	return make([]byte, 0, capacity), 0
}

// put offers buf back; too large a buffer, or one beyond the pool's size,
// is dropped.
func (mp *memoryPool) put(buf []byte, dirty int) {
	if cap(buf) == 0 || cap(buf) > maxPooledMemory {
		return
	}
	mp.mu.Lock()
	defer mp.mu.Unlock()
	if len(mp.bufs) < memoryPoolSize {
		mp.bufs = append(mp.bufs, pooledMemory{buf: buf[:0], dirty: min(dirty, cap(buf))})
	}
}
