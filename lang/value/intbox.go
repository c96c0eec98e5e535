package value

import "unsafe"

// IntBox makes boxed ints cheaply by carving them out of chunks instead of
// allocating each one: an interface holding an Int points at its data, and
// nothing requires that data to be a separate allocation. A chunk lives as
// long as any int carved from it. An IntBox is not safe for concurrent use;
// each evaluator session has its own.
type IntBox struct {
	chunk *[intChunk]Int
	n     int
}

const intChunk = 128

// Make returns the Glia integer i.
func (b *IntBox) Make(i int64) Value {
	if i >= smallIntMin && i <= smallIntMax {
		return smallInts[i-smallIntMin]
	}
	if b.chunk == nil || b.n == intChunk {
		b.chunk, b.n = new([intChunk]Int), 0
	}
	p := &b.chunk[b.n]
	b.n++
	*p = Int(i)
	var v Value = Int(0)
	(*[2]unsafe.Pointer)(unsafe.Pointer(&v))[1] = unsafe.Pointer(p)
	return v
}
