package value

import (
	"sync/atomic"
	"unsafe"
)

// Vector is a persistent vector: a 32-way trie plus a tail of up to 32
// elements, so that appends and updates copy at most one path.
type Vector struct {
	pvec[Value]
	// Pos is where the reader found the vector, if it did.
	Pos *Pos
}

const vbits, vwidth, vmask = 5, 32, 31

// pvec is the persistent vector shared by Vector (of Value) and by Map's
// insertion order (of Entry). Its zero value is the empty vector.
//
// Elements [0, tailOff) live in the trie rooted at root, whose leaves are
// *[32]T arrays; the rest live in tail. The tail may have spare capacity:
// claim, when not nil, counts the slots of the tail's backing array that
// some vector already uses. A vector whose tail length equals that count
// appends by claiming the next slot (compare-and-swap), without copying;
// every other vector sharing the array only ever reads its own prefix, and
// a claimed slot is never written again. Conj is therefore amortized O(1)
// in allocation, and still persistent.
type pvec[T any] struct {
	count int
	shift uint // of the root; 0 while root is nil
	root  *vnode
	tail  []T
	claim *atomic.Int32
}

// vnode is an inner trie node. Its children are *vnode, or *[32]T leaves on
// the lowest inner level (shift == vbits); unused slots are nil. Leaves are
// stored untyped so that inner nodes are one 256-byte array whatever T is
// and a full tail becomes a leaf without being copied.
type vnode [vwidth]unsafe.Pointer

// tailBuf and the smaller tailBufN are tail buffers with their claim
// counter in the same allocation.
type tailBuf[T any] struct {
	claim atomic.Int32
	vals  [vwidth]T
}

type tailBuf4[T any] struct {
	claim atomic.Int32
	vals  [4]T
}

type tailBuf8[T any] struct {
	claim atomic.Int32
	vals  [8]T
}

type tailBuf16[T any] struct {
	claim atomic.Int32
	vals  [16]T
}

// EmptyVector is the empty vector.
var EmptyVector = &Vector{}

// Kind implements Value.
func (*Vector) Kind() Kind { return VectorKind }

// NewVector returns a vector of elems (the slice is not retained).
func NewVector(elems ...Value) *Vector {
	if len(elems) <= vwidth {
		return &Vector{pvec: pvec[Value]{count: len(elems), tail: append([]Value(nil), elems...)}}
	}
	b := NewVectorBuilder()
	for _, e := range elems {
		b.Append(e)
	}
	return b.Vector()
}

// Count is the number of elements.
func (v *Vector) Count() int { return v.count }

func tailOff(count int) int {
	if count < vwidth {
		return 0
	}
	return ((count - 1) >> vbits) << vbits
}

// leaf returns the 32 elements of the trie leaf holding index i < tailOff.
func (v *pvec[T]) leaf(i int) *[vwidth]T {
	n := v.root
	for s := v.shift; s > vbits; s -= vbits {
		n = (*vnode)(n[(i>>s)&vmask])
	}
	return (*[vwidth]T)(n[(i>>vbits)&vmask])
}

func (v *pvec[T]) nth(i int) T {
	if i >= tailOff(v.count) {
		return v.tail[i&vmask]
	}
	return v.leaf(i)[i&vmask]
}

// chunks calls f with the leaves and then the tail, in order, until f
// returns false; base is the index of the chunk's first element.
func (v *pvec[T]) chunks(f func(base int, c []T) bool) bool {
	off := tailOff(v.count)
	for i := 0; i < off; i += vwidth {
		if !f(i, v.leaf(i)[:]) {
			return false
		}
	}
	return f(off, v.tail)
}

// tailCap is the capacity of a new tail holding n elements of a vector of
// count elements: a vector's first tail grows by doubling, leaving room for
// more; later tails start full-size.
func tailCap(n, count int) int {
	if count > vwidth {
		return vwidth
	}
	c := 4
	for c <= n && c < vwidth {
		c *= 2
	}
	return c
}

// newTail returns a tail of length n, starting with a copy of elems, whose
// backing array has room for c elements, and its claim counter.
func newTail[T any](elems []T, n, c int) ([]T, *atomic.Int32) {
	var vals []T
	var claim *atomic.Int32
	switch c {
	case 4:
		b := new(tailBuf4[T])
		vals, claim = b.vals[:], &b.claim
	case 8:
		b := new(tailBuf8[T])
		vals, claim = b.vals[:], &b.claim
	case 16:
		b := new(tailBuf16[T])
		vals, claim = b.vals[:], &b.claim
	default:
		b := new(tailBuf[T])
		vals, claim = b.vals[:], &b.claim
	}
	copy(vals, elems)
	claim.Store(int32(n))
	return vals[:n], claim
}

func (v *pvec[T]) conj(x T) pvec[T] {
	n := len(v.tail)
	if n < vwidth {
		if v.claim != nil && n < cap(v.tail) && v.claim.CompareAndSwap(int32(n), int32(n+1)) {
			tail := v.tail[:n+1]
			tail[n] = x
			return pvec[T]{count: v.count + 1, shift: v.shift, root: v.root, tail: tail, claim: v.claim}
		}
		tail, claim := newTail(v.tail, n+1, tailCap(n+1, v.count+1))
		tail[n] = x
		return pvec[T]{count: v.count + 1, shift: v.shift, root: v.root, tail: tail, claim: claim}
	}
	// The tail is full: it becomes a leaf of the trie.
	leaf := unsafe.Pointer((*[vwidth]T)(v.tail))
	var root *vnode
	shift := v.shift
	switch {
	case v.root == nil:
		root = &vnode{leaf}
		shift = vbits
	case (v.count >> vbits) > (1 << v.shift):
		root = &vnode{unsafe.Pointer(v.root), newPath(v.shift, leaf)}
		shift += vbits
	default:
		root = pushTail(v.count, v.shift, v.root, leaf)
	}
	b := new(tailBuf[T])
	b.claim.Store(1)
	b.vals[0] = x
	return pvec[T]{count: v.count + 1, shift: shift, root: root, tail: b.vals[:1], claim: &b.claim}
}

func newPath(level uint, n unsafe.Pointer) unsafe.Pointer {
	for ; level > 0; level -= vbits {
		n = unsafe.Pointer(&vnode{n})
	}
	return n
}

func pushTail(count int, level uint, parent *vnode, leaf unsafe.Pointer) *vnode {
	r := new(vnode)
	*r = *parent
	idx := ((count - 1) >> level) & vmask
	if level == vbits {
		r[idx] = leaf
	} else if child := parent[idx]; child != nil {
		r[idx] = unsafe.Pointer(pushTail(count, level-vbits, (*vnode)(child), leaf))
	} else {
		r[idx] = newPath(level-vbits, leaf)
	}
	return r
}

// assoc returns v with element i (in [0, count)) replaced by x.
func (v *pvec[T]) assoc(i int, x T) pvec[T] {
	r := *v
	if i >= tailOff(v.count) {
		r.tail = append([]T(nil), v.tail...)
		r.tail[i&vmask] = x
		r.claim = nil
		return r
	}
	r.root = assocNode[T](v.shift, v.root, i, x)
	return r
}

func assocNode[T any](level uint, n *vnode, i int, x T) *vnode {
	r := new(vnode)
	*r = *n
	idx := (i >> level) & vmask
	if level == vbits {
		leaf := new([vwidth]T)
		*leaf = *(*[vwidth]T)(n[idx])
		leaf[i&vmask] = x
		r[idx] = unsafe.Pointer(leaf)
	} else {
		r[idx] = unsafe.Pointer(assocNode(level-vbits, (*vnode)(n[idx]), i, x))
	}
	return r
}

// pop returns v without its last element; v must not be empty.
func (v *pvec[T]) pop() pvec[T] {
	if v.count == 1 {
		return pvec[T]{}
	}
	if len(v.tail) > 1 {
		r := *v
		r.count--
		r.tail = v.tail[:len(v.tail)-1]
		return r
	}
	// The last leaf of the trie becomes the tail.
	tail := v.leaf(v.count - 2)[:]
	root, shift := popTail(v.count, v.shift, v.root), v.shift
	switch {
	case root == nil:
		shift = 0
	case shift > vbits && root[1] == nil:
		root, shift = (*vnode)(root[0]), shift-vbits
	}
	return pvec[T]{count: v.count - 1, shift: shift, root: root, tail: tail}
}

// popTail returns n without its last leaf, or nil when that leaves it empty.
func popTail(count int, level uint, n *vnode) *vnode {
	idx := ((count - 2) >> level) & vmask
	if level > vbits {
		child := popTail(count, level-vbits, (*vnode)(n[idx]))
		if child == nil && idx == 0 {
			return nil
		}
		r := new(vnode)
		*r = *n
		r[idx] = unsafe.Pointer(child)
		return r
	}
	if idx == 0 {
		return nil
	}
	r := new(vnode)
	*r = *n
	r[idx] = nil
	return r
}

// Nth returns element i; i must be in [0, Count).
func (v *Vector) Nth(i int) Value { return v.nth(i) }

// Get returns element i, or false when i is out of range.
func (v *Vector) Get(i int) (Value, bool) {
	if i < 0 || i >= v.count {
		return Nil, false
	}
	return v.nth(i), true
}

// Conj returns v with x appended.
func (v *Vector) Conj(x Value) *Vector { return &Vector{pvec: v.conj(x)} }

// Assoc returns v with element i replaced by x; i must be in [0, Count].
// i == Count appends.
func (v *Vector) Assoc(i int, x Value) *Vector {
	if i == v.count {
		return v.Conj(x)
	}
	return &Vector{pvec: v.assoc(i, x)}
}

// Pop returns v without its last element; v must not be empty.
func (v *Vector) Pop() *Vector {
	if v.count == 1 {
		return EmptyVector
	}
	return &Vector{pvec: v.pop()}
}

// Each calls f on each element in order until f returns false.
func (v *Vector) Each(f func(Value) bool) {
	v.chunks(func(_ int, c []Value) bool {
		for _, x := range c {
			if !f(x) {
				return false
			}
		}
		return true
	})
}

// Slice returns the elements as a new Go slice.
func (v *Vector) Slice() []Value {
	out := make([]Value, 0, v.count)
	v.chunks(func(_ int, c []Value) bool { out = append(out, c...); return true })
	return out
}

// VectorBuilder builds a vector by appending without copying paths.
type VectorBuilder struct {
	b pvecBuilder[Value]
}

// NewVectorBuilder returns an empty builder.
func NewVectorBuilder() *VectorBuilder { return &VectorBuilder{} }

// Append adds x at the end.
func (b *VectorBuilder) Append(x Value) { b.b.add(x) }

// Vector returns the built vector; the builder must not be used afterwards.
func (b *VectorBuilder) Vector() *Vector { return &Vector{pvec: b.b.vec()} }

// pvecBuilder builds a pvec by filling leaves in place.
type pvecBuilder[T any] struct {
	leaves []unsafe.Pointer // full *[32]T leaves
	cur    *tailBuf[T]
	n      int // elements in cur
}

func (b *pvecBuilder[T]) add(x T) {
	if b.cur == nil || b.n == vwidth {
		if b.cur != nil {
			b.leaves = append(b.leaves, unsafe.Pointer(&b.cur.vals))
		}
		b.cur, b.n = new(tailBuf[T]), 0
	}
	b.cur.vals[b.n] = x
	b.n++
}

// set replaces element i, which must have been added.
func (b *pvecBuilder[T]) set(i int, x T) {
	if i>>vbits == len(b.leaves) {
		b.cur.vals[i&vmask] = x
	} else {
		(*[vwidth]T)(b.leaves[i>>vbits])[i&vmask] = x
	}
}

func (b *pvecBuilder[T]) vec() pvec[T] {
	if b.cur == nil {
		return pvec[T]{}
	}
	b.cur.claim.Store(int32(b.n))
	v := pvec[T]{count: len(b.leaves)*vwidth + b.n, tail: b.cur.vals[:b.n], claim: &b.cur.claim}
	if len(b.leaves) == 0 {
		return v
	}
	// Build the trie bottom-up from the full leaves.
	level := b.leaves
	shift := uint(0)
	for len(level) > 1 || shift == 0 {
		next := make([]unsafe.Pointer, 0, (len(level)+vwidth-1)/vwidth)
		for i := 0; i < len(level); i += vwidth {
			n := new(vnode)
			copy(n[:], level[i:min(i+vwidth, len(level))])
			next = append(next, unsafe.Pointer(n))
		}
		level = next
		shift += vbits
	}
	v.root, v.shift = (*vnode)(level[0]), shift
	return v
}
