package value

import "unicode/utf8"

// IsSeqable reports whether v is a seqable (spec 13.1).
func IsSeqable(v Value) bool {
	switch v.(type) {
	case NilType, *List, *Vector, *Set, *Map, String, Bytes:
		return true
	}
	return false
}

// Each calls f on each element of the seqable v until f returns false. Map
// entries are 2-element vectors, string elements 1-character strings and
// bytes ints. It reports false if v is not seqable.
func Each(v Value, f func(Value) bool) bool {
	switch v := v.(type) {
	case NilType:
	case *List:
		v.Each(f)
	case *Vector:
		v.Each(f)
	case *Set:
		v.Each(f)
	case *Map:
		v.Each(func(k, x Value) bool { return f(NewVector(k, x)) })
	case String:
		s := string(v)
		for i, r := range s {
			if !f(String(s[i : i+utf8.RuneLen(r)])) {
				break
			}
		}
	case Bytes:
		for i := 0; i < len(v); i++ {
			if !f(MakeInt(int64(v[i]))) {
				break
			}
		}
	default:
		return false
	}
	return true
}

// Elems returns the elements of the seqable v (nil if v is not seqable).
func Elems(v Value) []Value {
	switch v := v.(type) {
	case *List:
		return v.Slice()
	case *Vector:
		return v.Slice()
	}
	var out []Value
	Each(v, func(x Value) bool { out = append(out, x); return true })
	return out
}

// Count returns the number of elements of a seqable (-1 if not seqable).
func Count(v Value) int {
	switch v := v.(type) {
	case NilType:
		return 0
	case *List:
		return v.count
	case *Vector:
		return v.count
	case *Map:
		return v.count
	case *Set:
		return v.Count()
	case String:
		return utf8.RuneCountInString(string(v))
	case Bytes:
		return len(v)
	}
	return -1
}
