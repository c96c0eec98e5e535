package stdlib

import (
	"unicode/utf8"

	"github.com/wetware/ww/lang/value"
)

// Shared helpers of the collection, sequence, function and atom built-ins
// (coll*.go, seq*.go, fn.go, atom.go): argument checks that produce the
// uniform messages of spec 13, iteration over seqables with error
// propagation, list building and a hash index using Glia equality.

// collSeq checks that v is seqable: "<name>: expected sequence, got <t>".
func collSeq(name string, v value.Value) error {
	if value.IsSeqable(v) {
		return nil
	}
	return value.TypeError(name, "sequence", v)
}

// collElems returns the elements of the seqable v as a slice the caller may
// keep (it is never shared with v).
func collElems(name string, v value.Value) ([]value.Value, error) {
	if err := collSeq(name, v); err != nil {
		return nil, err
	}
	return value.Elems(v), nil
}

// collInt unpacks an int argument: "<name>: expected int, got <t>".
func collInt(name string, v value.Value) (int, error) {
	i, ok := v.(value.Int)
	if !ok {
		return 0, value.TypeError(name, "int", v)
	}
	return int(i), nil
}

// collEach calls f on each element of the seqable v in order, stopping when
// f reports done or fails; it returns f's error. v must be seqable.
func collEach(v value.Value, f func(x value.Value) (done bool, err error)) error {
	if l, ok := v.(*value.List); ok {
		for c := l; c.Count() > 0; c = c.Rest() {
			if done, err := f(c.First()); done || err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	value.Each(v, func(x value.Value) bool {
		var done bool
		done, err = f(x)
		return !done && err == nil
	})
	return err
}

// collListOrNil returns the list of elems, or nil when there are none.
func collListOrNil(elems []value.Value) value.Value {
	if len(elems) == 0 {
		return value.Nil
	}
	return value.NewList(elems...)
}

// collArgs hands out argument slices for repeated callbacks from shared
// backing arrays, so that a loop calling a function n times allocates about
// n/32 times instead of n. Every slice is fresh (never reused) and capped,
// so a callee may keep or append to it.
type collArgs struct{ buf []value.Value }

const collArgsChunk = 64

// take returns a new slice of n elements to fill in.
func (a *collArgs) take(n int) []value.Value {
	if n > collArgsChunk/2 {
		return make([]value.Value, n)
	}
	if len(a.buf) < n {
		a.buf = make([]value.Value, collArgsChunk)
	}
	s := a.buf[:n:n]
	a.buf = a.buf[n:]
	return s
}

// one returns the argument list (x).
func (a *collArgs) one(x value.Value) []value.Value {
	s := a.take(1)
	s[0] = x
	return s
}

// two returns the argument list (x y).
func (a *collArgs) two(x, y value.Value) []value.Value {
	s := a.take(2)
	s[0], s[1] = x, y
	return s
}

// with returns the argument list (x rest...).
func (a *collArgs) with(x value.Value, rest []value.Value) []value.Value {
	s := a.take(1 + len(rest))
	s[0] = x
	copy(s[1:], rest)
	return s
}

// collIndex maps values to ints under Glia equality and hashing (4.2); it
// backs distinct, frequencies and group-by.
type collIndex map[uint64][]collIndexEntry

type collIndexEntry struct {
	key value.Value
	n   int
}

// get returns the int stored for a value equal to k.
func (ix collIndex) get(k value.Value, h uint64) (int, bool) {
	for _, e := range ix[h] {
		if value.Equal(e.key, k) {
			return e.n, true
		}
	}
	return 0, false
}

// put stores n for k, which must not be present.
func (ix collIndex) put(k value.Value, h uint64, n int) {
	ix[h] = append(ix[h], collIndexEntry{k, n})
}

// collStringAt returns the i-th code point of s as a 1-character string.
func collStringAt(s string, i int) (value.Value, bool) {
	if i < 0 {
		return value.Nil, false
	}
	for j, r := range s {
		if i == 0 {
			return value.String(s[j : j+utf8.RuneLen(r)]), true
		}
		i--
	}
	return value.Nil, false
}

// collNth returns element i of the seqable v (nil, false when out of range).
func collNth(v value.Value, i int) (value.Value, bool) {
	if i < 0 {
		return value.Nil, false
	}
	switch c := v.(type) {
	case *value.List:
		if i >= c.Count() {
			return value.Nil, false
		}
		return c.Nth(i), true
	case *value.Vector:
		return c.Get(i)
	case value.String:
		return collStringAt(string(c), i)
	case value.Bytes:
		if i >= len(c) {
			return value.Nil, false
		}
		return value.MakeInt(int64(c[i])), true
	}
	var out value.Value = value.Nil
	found := false
	value.Each(v, func(x value.Value) bool {
		if i == 0 {
			out, found = x, true
			return false
		}
		i--
		return true
	})
	return out, found
}
