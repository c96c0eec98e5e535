package value

// Map is a persistent map that remembers insertion order (spec 3.2).
//
// Every map keeps its entries in insertion order in a persistent vector.
// Small maps (at most smallMapMax entries) search that vector linearly.
// Larger maps also have an index: a CHAMP hash trie (hamt.go) holding each
// key with its current value and its position in the order vector. Adding a
// key appends to the vector (amortized O(1), see pvec) and inserts into the
// trie; removing one removes it from the trie and leaves a hole (Key == nil)
// in the vector, compacted away once holes outnumber entries.
//
// Updating an existing key of a large map only changes the trie: the entry
// is marked stale there, meaning that the value in the order vector is
// outdated, and the map counts its stale entries. Iteration reads values
// straight from the vector while there are none, and otherwise fetches the
// current values of stale entries from the trie, so it stays O(n).
type Map struct {
	order pvec[Entry]
	index *cnode // nil while the map is small
	count int
	holes int // entries of order with Key == nil
	stale int // entries of index marked stale
	// Pos is where the reader found the map, if it did.
	Pos *Pos
}

// Entry is a key-value pair.
type Entry struct{ Key, Val Value }

// Kind implements Value.
func (*Map) Kind() Kind { return MapKind }

const smallMapMax = 8

// EmptyMap is the empty map.
var EmptyMap = &Map{}

// NewMap builds a map from alternating keys and values; a repeated key keeps
// its first position and takes the later value.
func NewMap(kvs ...Value) *Map {
	if len(kvs)/2 > smallMapMax {
		var b mapBuilder
		for i := 0; i+1 < len(kvs); i += 2 {
			b.put(kvs[i], kvs[i+1], true)
		}
		m := b.done()
		return &m
	}
	m := EmptyMap
	for i := 0; i+1 < len(kvs); i += 2 {
		m = m.Assoc(kvs[i], kvs[i+1])
	}
	return m
}

// Count is the number of entries.
func (m *Map) Count() int { return m.count }

// find returns the stored entry whose key equals k.
func (m *Map) find(k Value) (Entry, bool) {
	if m.index == nil {
		for _, e := range m.order.tail {
			if Equal(e.Key, k) {
				return e, true
			}
		}
		return Entry{Nil, Nil}, false
	}
	if e := m.index.get(k, keyHash(k)); e != nil {
		return Entry{e.key, e.val}, true
	}
	return Entry{Nil, Nil}, false
}

// Get returns the value stored under k, or Nil and false.
func (m *Map) Get(k Value) (Value, bool) {
	if m.index == nil {
		for i := range m.order.tail {
			if e := &m.order.tail[i]; Equal(e.Key, k) {
				return e.Val, true
			}
		}
		return Nil, false
	}
	if e := m.index.get(k, keyHash(k)); e != nil {
		return e.val, true
	}
	return Nil, false
}

// Lookup returns the stored key equal to k and its value, or Nil entries
// and false.
func (m *Map) Lookup(k Value) (Entry, bool) { return m.find(k) }

// Assoc returns m with k mapped to v. An existing key keeps its place.
func (m *Map) Assoc(k, v Value) *Map {
	r, _ := m.put(k, v, true)
	return &r
}

// put returns m with k mapped to v, and whether k is new. An existing key
// keeps its place (and stored key), and keeps its value unless replace.
func (m *Map) put(k, v Value, replace bool) (Map, bool) {
	if m.index == nil {
		tail := m.order.tail
		for i := range tail {
			if Equal(tail[i].Key, k) {
				if !replace {
					return *m, false
				}
				t := make([]Entry, len(tail))
				copy(t, tail)
				t[i].Val = v
				return Map{order: pvec[Entry]{count: len(t), tail: t}, count: m.count}, false
			}
		}
		order := m.order.conj(Entry{k, v})
		if m.count < smallMapMax {
			return Map{order: order, count: m.count + 1}, true
		}
		// Promote to the indexed representation.
		root := &cnode{}
		for i, e := range order.tail {
			root.add(centry{key: e.Key, val: e.Val, hash: keyHash(e.Key), meta: uint32(i)}, 0)
		}
		return Map{order: order, index: root, count: m.count + 1}, true
	}
	var old *centry
	root := m.index.put(k, v, keyHash(k), uint32(m.order.count), 0, replace, &old)
	if old != nil {
		if !replace {
			return *m, false
		}
		r := Map{order: m.order, index: root, count: m.count, holes: m.holes, stale: m.stale}
		if !old.stale() {
			r.stale++
		}
		return r, false
	}
	return Map{order: m.order.conj(Entry{k, v}), index: root, count: m.count + 1, holes: m.holes, stale: m.stale}, true
}

// Dissoc returns m without k.
func (m *Map) Dissoc(k Value) *Map {
	r, ok := m.without(k)
	if !ok {
		return m
	}
	return &r
}

// without returns m without k, and whether k was present.
func (m *Map) without(k Value) (Map, bool) {
	if m.index == nil {
		tail := m.order.tail
		for i := range tail {
			if Equal(tail[i].Key, k) {
				if len(tail) == 1 {
					return Map{}, true
				}
				t := make([]Entry, len(tail)-1)
				copy(t, tail[:i])
				copy(t[i:], tail[i+1:])
				return Map{order: pvec[Entry]{count: len(t), tail: t}, count: m.count - 1}, true
			}
		}
		return *m, false
	}
	root, e := m.index.remove(k, keyHash(k), 0)
	if e == nil {
		return *m, false
	}
	if m.count == 1 {
		return Map{}, true
	}
	r := Map{index: root, count: m.count - 1, holes: m.holes, stale: m.stale}
	if e.stale() {
		r.stale--
	}
	if e.seq() == m.order.count-1 {
		// The last entry goes, and the holes before it with it.
		r.order = m.order.pop()
		for r.order.nth(r.order.count-1).Key == nil {
			r.order = r.order.pop()
			r.holes--
		}
	} else {
		r.order = m.order.assoc(e.seq(), Entry{})
		r.holes++
	}
	if r.holes > 32 && r.holes > r.count {
		return r.compact(), true
	}
	return r, true
}

// compact returns m rebuilt without holes or stale entries.
func (m *Map) compact() Map {
	var b mapBuilder
	m.Each(func(k, v Value) bool { b.add(k, v); return true })
	return b.done()
}

// eachLookups is how many entries of a map with stale entries Each looks up
// one by one before it collects all the current values in one pass.
const eachLookups = 32

// Each calls f for each entry in insertion order until f returns false.
func (m *Map) Each(f func(k, v Value) bool) {
	if m.stale == 0 {
		m.order.chunks(func(_ int, c []Entry) bool {
			for i := range c {
				if e := &c[i]; e.Key != nil && !f(e.Key, e.Val) {
					return false
				}
			}
			return true
		})
		return
	}
	var cur []Value // current values of the stale entries, by position
	looked := 0
	m.order.chunks(func(base int, c []Entry) bool {
		for i := range c {
			e := &c[i]
			if e.Key == nil {
				continue
			}
			v := e.Val
			if cur == nil && looked < eachLookups {
				looked++
				v = m.index.get(e.Key, keyHash(e.Key)).val
			} else {
				if cur == nil {
					cur = make([]Value, m.order.count)
					m.index.staleVals(cur)
				}
				if x := cur[base+i]; x != nil {
					v = x
				}
			}
			if !f(e.Key, v) {
				return false
			}
		}
		return true
	})
}

// Entries returns the entries in order.
func (m *Map) Entries() []Entry {
	out := make([]Entry, 0, m.count)
	m.Each(func(k, v Value) bool { out = append(out, Entry{k, v}); return true })
	return out
}

// mapBuilder builds a map by updating a trie and an order vector in place.
type mapBuilder struct {
	root  *cnode
	order pvecBuilder[Entry]
	n     int
}

// add adds k, which must not be present yet.
func (b *mapBuilder) add(k, v Value) { b.addHashed(k, v, keyHash(k)) }

func (b *mapBuilder) addHashed(k, v Value, h uint32) {
	if b.root == nil {
		b.root = &cnode{}
	}
	b.root.add(centry{key: k, val: v, hash: h, meta: uint32(b.n)}, 0)
	b.order.add(Entry{k, v})
	b.n++
}

// put maps k to v; an existing key keeps its place, and its value unless
// replace.
func (b *mapBuilder) put(k, v Value, replace bool) {
	h := keyHash(k)
	if b.root != nil {
		if e := b.root.get(k, h); e != nil {
			if replace {
				e.val = v
				b.order.set(e.seq(), Entry{e.key, v})
			}
			return
		}
	}
	b.addHashed(k, v, h)
}

func (b *mapBuilder) done() Map {
	order := b.order.vec()
	if b.n <= smallMapMax {
		if b.n == 0 {
			return Map{}
		}
		t := make([]Entry, b.n)
		copy(t, order.tail)
		return Map{order: pvec[Entry]{count: b.n, tail: t}, count: b.n}
	}
	return Map{order: order, index: b.root, count: b.n}
}

// Set is a persistent set that remembers insertion order: a Map from each
// element to itself.
type Set struct {
	m Map
	// Pos is where the reader found the set, if it did.
	Pos *Pos
}

// Kind implements Value.
func (*Set) Kind() Kind { return SetKind }

// EmptySet is the empty set.
var EmptySet = &Set{}

// NewSet returns a set of elems; repeats keep the first.
func NewSet(elems ...Value) *Set {
	if len(elems) > smallMapMax {
		var b mapBuilder
		for _, e := range elems {
			b.put(e, e, false)
		}
		return &Set{m: b.done()}
	}
	s := EmptySet
	for _, e := range elems {
		s = s.Conj(e)
	}
	return s
}

// Count is the number of elements.
func (s *Set) Count() int { return s.m.count }

// Conj returns s with x added (no change if an equal element is present).
func (s *Set) Conj(x Value) *Set {
	m, added := s.m.put(x, x, false)
	if !added {
		return s
	}
	return &Set{m: m}
}

// Disj returns s without x.
func (s *Set) Disj(x Value) *Set {
	m, ok := s.m.without(x)
	if !ok {
		return s
	}
	return &Set{m: m}
}

// Get returns the stored element equal to x, or Nil and false.
func (s *Set) Get(x Value) (Value, bool) {
	e, ok := s.m.find(x)
	return e.Key, ok
}

// Each calls f for each element in order until f returns false.
func (s *Set) Each(f func(Value) bool) { s.m.Each(func(k, _ Value) bool { return f(k) }) }

// Slice returns the elements in order.
func (s *Set) Slice() []Value {
	out := make([]Value, 0, s.m.count)
	s.Each(func(v Value) bool { out = append(out, v); return true })
	return out
}

// MapBuilder builds a map by updating it in place; the evaluator uses it
// for maps that only a loop accumulates into. Assoc has Map.Assoc's order
// semantics.
type MapBuilder struct{ b mapBuilder }

// NewMapBuilder returns a builder holding m's entries (m may be nil).
func NewMapBuilder(m *Map) *MapBuilder {
	mb := &MapBuilder{}
	if m != nil {
		m.Each(func(k, v Value) bool { mb.b.put(k, v, true); return true })
	}
	return mb
}

// Assoc maps k to v; an existing key keeps its place.
func (mb *MapBuilder) Assoc(k, v Value) { mb.b.put(k, v, true) }

// Map returns the built map; the builder must not be used afterwards.
func (mb *MapBuilder) Map() *Map {
	m := mb.b.done()
	return &m
}
