package value

import (
	"hash/maphash"
	"math"
)

// Equaler is implemented by host values with their own equality.
type Equaler interface {
	Equal(other Value) bool
}

// Hasher is implemented by host values with their own hash; it must agree
// with Equaler.
type Hasher interface {
	Hash() uint64
}

var seed = maphash.MakeSeed()

func hashString(s string) uint64 { return maphash.String(seed, s) }

func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// Equal implements = (spec 4.2).
func Equal(a, b Value) bool {
	switch a := a.(type) {
	case Int:
		b, ok := b.(Int)
		return ok && a == b
	case *Keyword:
		return a == b
	case String:
		b, ok := b.(String)
		return ok && a == b
	case Float:
		b, ok := b.(Float)
		return ok && a == b
	case NilType:
		_, ok := b.(NilType)
		return ok
	case Bool:
		b, ok := b.(Bool)
		return ok && a == b
	case Symbol:
		b, ok := b.(Symbol)
		return ok && a.Name == b.Name
	case Bytes:
		b, ok := b.(Bytes)
		return ok && a == b
	case *List, *Vector:
		switch b.(type) {
		case *List, *Vector:
			return seqEqual(a, b)
		}
		return false
	case *Map:
		b, ok := b.(*Map)
		if !ok || a.count != b.count {
			return false
		}
		eq := true
		a.Each(func(k, v Value) bool {
			w, ok := b.Get(k)
			eq = ok && Equal(v, w)
			return eq
		})
		return eq
	case *Set:
		b, ok := b.(*Set)
		if !ok || a.Count() != b.Count() {
			return false
		}
		eq := true
		a.Each(func(x Value) bool {
			_, eq = b.m.find(x)
			return eq
		})
		return eq
	case Equaler:
		return a.Equal(b)
	}
	return a == b
}

func seqEqual(a, b Value) bool {
	if Count(a) != Count(b) {
		return false
	}
	if av, ok := a.(*Vector); ok {
		if bv, ok := b.(*Vector); ok {
			for i := 0; i < av.count; i++ {
				if !Equal(av.Nth(i), bv.Nth(i)) {
					return false
				}
			}
			return true
		}
	}
	as, bs := Elems(a), Elems(b)
	for i := range as {
		if !Equal(as[i], bs[i]) {
			return false
		}
	}
	return true
}

// Hash returns a hash of v consistent with Equal.
func Hash(v Value) uint64 {
	switch v := v.(type) {
	case Int:
		return mix(uint64(v))
	case *Keyword:
		return v.hash
	case String:
		return hashString(string(v))
	case Symbol:
		return hashString(v.Name) ^ 0x5bd1e995
	case Float:
		f := float64(v)
		if f == 0 {
			f = 0
		}
		return mix(math.Float64bits(f) ^ 0x2545f4914f6cdd1d)
	case NilType:
		return 0x1234567
	case Bool:
		if v {
			return 0x7777
		}
		return 0x8888
	case Bytes:
		return hashString(string(v)) ^ 0xb
	case *List, *Vector:
		h := uint64(0xcbf29ce484222325)
		Each(v, func(x Value) bool {
			h = (h ^ Hash(x)) * 0x100000001b3
			return true
		})
		return h
	case *Map:
		var h uint64 = 0xabcdef
		v.Each(func(k, x Value) bool {
			h += mix(Hash(k) ^ (Hash(x) * 31))
			return true
		})
		return h
	case *Set:
		var h uint64 = 0xfedcba
		v.Each(func(x Value) bool {
			h += mix(Hash(x))
			return true
		})
		return h
	case Hasher:
		return v.Hash()
	}
	return 0x42
}

// Compare orders a and b (spec 4.3): -1, 0 or 1, or ok=false when the two
// cannot be compared.
func Compare(a, b Value) (int, bool) {
	if IsNil(a) || IsNil(b) {
		switch {
		case IsNil(a) && IsNil(b):
			return 0, true
		case IsNil(a):
			return -1, true
		}
		return 1, true
	}
	switch a := a.(type) {
	case Int:
		switch b := b.(type) {
		case Int:
			return cmp3(a < b, a > b), true
		case Float:
			return cmpFloat(float64(a), float64(b)), true
		}
	case Float:
		if f, ok := ToFloat(b); ok {
			return cmpFloat(float64(a), f), true
		}
	case String:
		if b, ok := b.(String); ok {
			return cmp3(a < b, a > b), true
		}
	case *Keyword:
		if b, ok := b.(*Keyword); ok {
			return cmp3(a.Name < b.Name, a.Name > b.Name), true
		}
	case Symbol:
		if b, ok := b.(Symbol); ok {
			return cmp3(a.Name < b.Name, a.Name > b.Name), true
		}
	case Bool:
		if b, ok := b.(Bool); ok {
			return cmp3(!bool(a) && bool(b), bool(a) && !bool(b)), true
		}
	case *List, *Vector:
		switch b.(type) {
		case *List, *Vector:
			na, nb := Count(a), Count(b)
			if na != nb {
				return cmp3(na < nb, na > nb), true
			}
			as, bs := Elems(a), Elems(b)
			for i := range as {
				c, ok := Compare(as[i], bs[i])
				if !ok || c != 0 {
					return c, ok
				}
			}
			return 0, true
		}
	}
	return 0, false
}

func cmp3(lt, gt bool) int {
	switch {
	case lt:
		return -1
	case gt:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int { return cmp3(a < b, a > b) }
