package value

import "math/bits"

// hamt is a persistent hash array mapped trie from keys to int indexes,
// used by Map to find an entry's position in its ordered entry vector.
type hamt struct {
	bitmap uint32
	// slots holds, per set bit, either a *hamtEntry or a *hamt (next level)
	// or a *hamtCollision (full hash collision).
	slots []any
}

type hamtEntry struct {
	key  Value
	hash uint64
	idx  int
}

type hamtCollision struct {
	hash    uint64
	entries []*hamtEntry
}

var emptyHamt = &hamt{}

func hamtFrag(h uint64, shift uint) uint32 { return 1 << ((h >> shift) & 31) }

func (n *hamt) pos(bit uint32) int { return bits.OnesCount32(n.bitmap & (bit - 1)) }

func (n *hamt) get(k Value, h uint64, shift uint) (int, bool) {
	for {
		bit := hamtFrag(h, shift)
		if n.bitmap&bit == 0 {
			return 0, false
		}
		switch s := n.slots[n.pos(bit)].(type) {
		case *hamtEntry:
			if s.hash == h && Equal(s.key, k) {
				return s.idx, true
			}
			return 0, false
		case *hamtCollision:
			if s.hash != h {
				return 0, false
			}
			for _, e := range s.entries {
				if Equal(e.key, k) {
					return e.idx, true
				}
			}
			return 0, false
		case *hamt:
			n = s
			shift += 5
		}
	}
}

// put returns a trie with k mapped to idx. The key must not be present.
func (n *hamt) put(e *hamtEntry, shift uint) *hamt {
	bit := hamtFrag(e.hash, shift)
	i := n.pos(bit)
	r := &hamt{bitmap: n.bitmap | bit}
	if n.bitmap&bit == 0 {
		r.slots = make([]any, len(n.slots)+1)
		copy(r.slots, n.slots[:i])
		r.slots[i] = e
		copy(r.slots[i+1:], n.slots[i:])
		return r
	}
	r.slots = append([]any(nil), n.slots...)
	switch s := n.slots[i].(type) {
	case *hamtEntry:
		if s.hash == e.hash {
			r.slots[i] = &hamtCollision{hash: e.hash, entries: []*hamtEntry{s, e}}
		} else if shift >= 60 {
			panic("hamt: distinct hashes exhausted")
		} else {
			r.slots[i] = emptyHamt.put(s, shift+5).put(e, shift+5)
		}
	case *hamtCollision:
		if s.hash == e.hash {
			r.slots[i] = &hamtCollision{hash: s.hash, entries: append(append([]*hamtEntry(nil), s.entries...), e)}
		} else {
			sub := &hamt{bitmap: hamtFrag(s.hash, shift+5), slots: []any{s}}
			r.slots[i] = sub.put(e, shift+5)
		}
	case *hamt:
		r.slots[i] = s.put(e, shift+5)
	}
	return r
}

// remove returns a trie without k (which must be present) and the removed index.
func (n *hamt) remove(k Value, h uint64, shift uint) *hamt {
	bit := hamtFrag(h, shift)
	i := n.pos(bit)
	var repl any
	switch s := n.slots[i].(type) {
	case *hamtEntry:
		repl = nil
	case *hamtCollision:
		var es []*hamtEntry
		for _, e := range s.entries {
			if !Equal(e.key, k) {
				es = append(es, e)
			}
		}
		if len(es) == 1 {
			repl = es[0]
		} else {
			repl = &hamtCollision{hash: s.hash, entries: es}
		}
	case *hamt:
		sub := s.remove(k, h, shift+5)
		if sub.bitmap == 0 {
			repl = nil
		} else {
			repl = sub
		}
	}
	r := &hamt{bitmap: n.bitmap}
	if repl == nil {
		r.bitmap &^= bit
		r.slots = make([]any, 0, len(n.slots)-1)
		r.slots = append(append(r.slots, n.slots[:i]...), n.slots[i+1:]...)
	} else {
		r.slots = append([]any(nil), n.slots...)
		r.slots[i] = repl
	}
	return r
}
