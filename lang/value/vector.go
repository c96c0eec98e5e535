package value

// Vector is a persistent vector: a 32-way trie plus a tail of up to 32
// elements, so that appends and updates copy at most one path.
type Vector struct {
	count int
	shift uint
	root  *vnode
	tail  []Value
	// Pos is where the reader found the vector, if it did.
	Pos *Pos
}

type vnode struct {
	kids  [32]*vnode // inner nodes
	leafs []Value    // leaf nodes: exactly 32 values
}

const vbits, vwidth, vmask = 5, 32, 31

var emptyNode = &vnode{}

// EmptyVector is the empty vector.
var EmptyVector = &Vector{shift: vbits, root: emptyNode}

// Kind implements Value.
func (*Vector) Kind() Kind { return VectorKind }

// NewVector returns a vector of elems (the slice is not retained).
func NewVector(elems ...Value) *Vector {
	if len(elems) <= vwidth {
		return &Vector{count: len(elems), shift: vbits, root: emptyNode, tail: append([]Value(nil), elems...)}
	}
	b := NewVectorBuilder()
	for _, e := range elems {
		b.Append(e)
	}
	return b.Vector()
}

// Count is the number of elements.
func (v *Vector) Count() int { return v.count }

func (v *Vector) tailOff() int {
	if v.count < vwidth {
		return 0
	}
	return ((v.count - 1) >> vbits) << vbits
}

func (v *Vector) leafFor(i int) []Value {
	if i >= v.tailOff() {
		return v.tail
	}
	n := v.root
	for s := v.shift; s > 0; s -= vbits {
		n = n.kids[(i>>s)&vmask]
	}
	return n.leafs
}

// Nth returns element i; i must be in [0, Count).
func (v *Vector) Nth(i int) Value { return v.leafFor(i)[i&vmask] }

// Get returns element i, or false when i is out of range.
func (v *Vector) Get(i int) (Value, bool) {
	if i < 0 || i >= v.count {
		return Nil, false
	}
	return v.Nth(i), true
}

// Conj returns v with x appended.
func (v *Vector) Conj(x Value) *Vector {
	if v.count-v.tailOff() < vwidth {
		tail := make([]Value, len(v.tail)+1, max(len(v.tail)+1, 4))
		copy(tail, v.tail)
		tail[len(v.tail)] = x
		return &Vector{count: v.count + 1, shift: v.shift, root: v.root, tail: tail}
	}
	leaf := &vnode{leafs: v.tail}
	root, shift := v.root, v.shift
	if (v.count >> vbits) > (1 << v.shift) {
		root = &vnode{}
		root.kids[0] = v.root
		root.kids[1] = newPath(v.shift, leaf)
		shift += vbits
	} else {
		root = pushTail(v.count, v.shift, v.root, leaf)
	}
	return &Vector{count: v.count + 1, shift: shift, root: root, tail: []Value{x}}
}

func newPath(level uint, n *vnode) *vnode {
	if level == 0 {
		return n
	}
	r := &vnode{}
	r.kids[0] = newPath(level-vbits, n)
	return r
}

func pushTail(count int, level uint, parent, leaf *vnode) *vnode {
	r := &vnode{kids: parent.kids}
	idx := ((count - 1) >> level) & vmask
	if level == vbits {
		r.kids[idx] = leaf
	} else if child := parent.kids[idx]; child != nil {
		r.kids[idx] = pushTail(count, level-vbits, child, leaf)
	} else {
		r.kids[idx] = newPath(level-vbits, leaf)
	}
	return r
}

// Assoc returns v with element i replaced by x; i must be in [0, Count].
// i == Count appends.
func (v *Vector) Assoc(i int, x Value) *Vector {
	if i == v.count {
		return v.Conj(x)
	}
	if i >= v.tailOff() {
		tail := append([]Value(nil), v.tail...)
		tail[i&vmask] = x
		return &Vector{count: v.count, shift: v.shift, root: v.root, tail: tail}
	}
	return &Vector{count: v.count, shift: v.shift, root: assocNode(v.shift, v.root, i, x), tail: v.tail}
}

func assocNode(level uint, n *vnode, i int, x Value) *vnode {
	if level == 0 {
		leafs := append([]Value(nil), n.leafs...)
		leafs[i&vmask] = x
		return &vnode{leafs: leafs}
	}
	r := &vnode{kids: n.kids}
	idx := (i >> level) & vmask
	r.kids[idx] = assocNode(level-vbits, n.kids[idx], i, x)
	return r
}

// Pop returns v without its last element; v must not be empty.
func (v *Vector) Pop() *Vector {
	if v.count == 1 {
		return EmptyVector
	}
	b := NewVectorBuilder()
	for i := 0; i < v.count-1; i++ {
		b.Append(v.Nth(i))
	}
	return b.Vector()
}

// Each calls f on each element in order until f returns false.
func (v *Vector) Each(f func(Value) bool) {
	for i := 0; i < v.count; i += vwidth {
		leaf := v.leafFor(i)
		for _, x := range leaf {
			if !f(x) {
				return
			}
		}
	}
}

// Slice returns the elements as a new Go slice.
func (v *Vector) Slice() []Value {
	out := make([]Value, 0, v.count)
	for i := 0; i < v.count; i += vwidth {
		out = append(out, v.leafFor(i)...)
	}
	return out
}

// VectorBuilder builds a vector by appending without copying paths.
type VectorBuilder struct {
	leaves [][]Value
	cur    []Value
}

// NewVectorBuilder returns an empty builder.
func NewVectorBuilder() *VectorBuilder { return &VectorBuilder{cur: make([]Value, 0, vwidth)} }

// Append adds x at the end.
func (b *VectorBuilder) Append(x Value) {
	if len(b.cur) == vwidth {
		b.leaves = append(b.leaves, b.cur)
		b.cur = make([]Value, 0, vwidth)
	}
	b.cur = append(b.cur, x)
}

// Vector returns the built vector; the builder must not be used afterwards.
func (b *VectorBuilder) Vector() *Vector {
	count := len(b.leaves)*vwidth + len(b.cur)
	v := &Vector{count: count, shift: vbits, root: emptyNode, tail: b.cur}
	if len(b.leaves) == 0 {
		return v
	}
	// Build the trie bottom-up from full leaves.
	level := make([]*vnode, len(b.leaves))
	for i, l := range b.leaves {
		level[i] = &vnode{leafs: l}
	}
	shift := uint(0)
	for len(level) > 1 || shift == 0 {
		next := make([]*vnode, 0, (len(level)+vwidth-1)/vwidth)
		for i := 0; i < len(level); i += vwidth {
			n := &vnode{}
			copy(n.kids[:], level[i:min(i+vwidth, len(level))])
			next = append(next, n)
		}
		level = next
		shift += vbits
	}
	v.root, v.shift = level[0], shift
	return v
}
