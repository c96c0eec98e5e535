package value

// Map is a persistent map that remembers insertion order (spec 3.2).
//
// Small maps keep their entries in a slice searched linearly. Larger maps
// keep entries in a persistent vector (removed ones become holes) and find
// them through a hash trie from key to position.
type Map struct {
	small []Entry // used while index == nil
	index *hamt
	order *Vector // of *Entry or hole
	holes int
	count int
	// Pos is where the reader found the map, if it did.
	Pos *Pos
}

// Entry is a key-value pair.
type Entry struct{ Key, Val Value }

// Kind implements Value.
func (*Map) Kind() Kind { return MapKind }

const smallMapMax = 8

type hole struct{}

func (hole) Kind() Kind { return NilKind }

// EmptyMap is the empty map.
var EmptyMap = &Map{}

// NewMap builds a map from alternating keys and values; a repeated key keeps
// its first position and takes the later value.
func NewMap(kvs ...Value) *Map {
	m := EmptyMap
	for i := 0; i+1 < len(kvs); i += 2 {
		m = m.Assoc(kvs[i], kvs[i+1])
	}
	return m
}

// Count is the number of entries.
func (m *Map) Count() int { return m.count }

func (m *Map) find(k Value) (int, bool) {
	if m.index == nil {
		for i := range m.small {
			if Equal(m.small[i].Key, k) {
				return i, true
			}
		}
		return 0, false
	}
	return m.index.get(k, Hash(k), 0)
}

// Get returns the value stored under k.
func (m *Map) Get(k Value) (Value, bool) {
	i, ok := m.find(k)
	if !ok {
		return Nil, false
	}
	if m.index == nil {
		return m.small[i].Val, true
	}
	return m.order.Nth(i).(*entryVal).Val, true
}

// Lookup returns the stored key equal to k and its value.
func (m *Map) Lookup(k Value) (Entry, bool) {
	i, ok := m.find(k)
	if !ok {
		return Entry{}, false
	}
	if m.index == nil {
		return m.small[i], true
	}
	return Entry(*m.order.Nth(i).(*entryVal)), true
}

type entryVal Entry

func (*entryVal) Kind() Kind { return VectorKind }

// Assoc returns m with k mapped to v. An existing key keeps its place.
func (m *Map) Assoc(k, v Value) *Map {
	i, found := m.find(k)
	if m.index == nil {
		if found {
			small := append([]Entry(nil), m.small...)
			small[i].Val = v
			return &Map{small: small, count: m.count}
		}
		if len(m.small) < smallMapMax {
			small := make([]Entry, len(m.small)+1)
			copy(small, m.small)
			small[len(m.small)] = Entry{k, v}
			return &Map{small: small, count: m.count + 1}
		}
		// Promote to the trie representation.
		b := NewVectorBuilder()
		idx := emptyHamt
		for j, e := range m.small {
			b.Append(&entryVal{e.Key, e.Val})
			idx = idx.put(&hamtEntry{key: e.Key, hash: Hash(e.Key), idx: j}, 0)
		}
		b.Append(&entryVal{k, v})
		idx = idx.put(&hamtEntry{key: k, hash: Hash(k), idx: len(m.small)}, 0)
		return &Map{index: idx, order: b.Vector(), count: m.count + 1}
	}
	if found {
		old := m.order.Nth(i).(*entryVal)
		return &Map{index: m.index, order: m.order.Assoc(i, &entryVal{old.Key, v}), holes: m.holes, count: m.count}
	}
	n := m.order.Count()
	return &Map{
		index: m.index.put(&hamtEntry{key: k, hash: Hash(k), idx: n}, 0),
		order: m.order.Conj(&entryVal{k, v}),
		holes: m.holes,
		count: m.count + 1,
	}
}

// Dissoc returns m without k.
func (m *Map) Dissoc(k Value) *Map {
	i, found := m.find(k)
	if !found {
		return m
	}
	if m.index == nil {
		small := make([]Entry, 0, len(m.small)-1)
		small = append(append(small, m.small[:i]...), m.small[i+1:]...)
		return &Map{small: small, count: m.count - 1}
	}
	r := &Map{
		index: m.index.remove(k, Hash(k), 0),
		order: m.order.Assoc(i, hole{}),
		holes: m.holes + 1,
		count: m.count - 1,
	}
	if r.holes > 32 && r.holes > r.count {
		return r.compact()
	}
	return r
}

func (m *Map) compact() *Map {
	out := EmptyMap
	m.Each(func(k, v Value) bool { out = out.Assoc(k, v); return true })
	return out
}

// Each calls f for each entry in insertion order until f returns false.
func (m *Map) Each(f func(k, v Value) bool) {
	if m.index == nil {
		for _, e := range m.small {
			if !f(e.Key, e.Val) {
				return
			}
		}
		return
	}
	m.order.Each(func(x Value) bool {
		if e, ok := x.(*entryVal); ok {
			return f(e.Key, e.Val)
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

// Set is a persistent set that remembers insertion order.
type Set struct {
	m *Map
	// Pos is where the reader found the set, if it did.
	Pos *Pos
}

// Kind implements Value.
func (*Set) Kind() Kind { return SetKind }

// EmptySet is the empty set.
var EmptySet = &Set{m: EmptyMap}

// NewSet returns a set of elems; repeats keep the first.
func NewSet(elems ...Value) *Set {
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
	if _, ok := s.m.find(x); ok {
		return s
	}
	return &Set{m: s.m.Assoc(x, x)}
}

// Disj returns s without x.
func (s *Set) Disj(x Value) *Set { return &Set{m: s.m.Dissoc(x)} }

// Get returns the element equal to x.
func (s *Set) Get(x Value) (Value, bool) {
	e, ok := s.m.Lookup(x)
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
