package stdlib

import (
	"unicode/utf8"

	"github.com/wetware/ww/lang/value"
)

// Construction and access built-ins (spec 13.2).

func init() { tables = append(tables, collDefs) }

var collDefs = []Def{
	{Name: "list", Min: 0, Max: -1, Fn: collListFn, Doc: "list of the arguments"},
	{Name: "vector", Min: 0, Max: -1, Fn: collVectorFn, Doc: "vector of the arguments"},
	{Name: "hash-set", Min: 0, Max: -1, Fn: collHashSet, Doc: "set of the arguments"},
	{Name: "hash-map", Min: 0, Max: -1, Fn: collHashMap, Doc: "map of the key-value argument pairs"},
	{Name: "vec", Min: 1, Max: 1, Fn: collVec, Doc: "vector of a seqable's elements"},
	{Name: "set", Min: 1, Max: 1, Fn: collSet, Doc: "set of a seqable's elements"},
	{Name: "cons", Min: 2, Max: 2, Fn: collCons, Doc: "list of x followed by the elements of a seqable"},
	{Name: "conj", Min: 2, Max: -1, Fn: collConjFn, Doc: "collection with elements added"},
	{Name: "first", Min: 1, Max: 1, Fn: collFirst, Doc: "first element or nil"},
	{Name: "second", Min: 1, Max: 1, Fn: collSecond, Doc: "second element or nil"},
	{Name: "last", Min: 1, Max: 1, Fn: collLast, Doc: "last element or nil"},
	{Name: "rest", Min: 1, Max: 1, Fn: collRest, Doc: "list of all but the first element"},
	{Name: "next", Min: 1, Max: 1, Fn: collNext, Doc: "list of all but the first element, nil when none remain"},
	{Name: "butlast", Min: 1, Max: 1, Fn: collButlast, Doc: "list of all but the last element, nil when fewer than two"},
	{Name: "nth", Min: 2, Max: 3, Fn: collNthFn, Doc: "element at an index, with optional default"},
	{Name: "count", Min: 1, Max: 1, Fn: collCount, Doc: "number of elements"},
	{Name: "empty?", Min: 1, Max: 1, Fn: collIsEmpty, Doc: "true if there are no elements"},
	{Name: "seq", Min: 1, Max: 1, Fn: collSeqFn, Doc: "list of the elements, nil when empty"},
	{Name: "empty", Min: 1, Max: 1, Fn: collEmpty, Doc: "empty collection of the same type"},
	{Name: "not-empty", Min: 1, Max: 1, Fn: collNotEmpty, Doc: "the collection, or nil when empty"},
	{Name: "get", Min: 2, Max: 3, Fn: collGetFn, Doc: "value at a key or index, with optional default"},
	{Name: "get-in", Min: 2, Max: 3, Fn: collGetIn, Doc: "get along a key path, with optional default"},
	{Name: "contains?", Min: 2, Max: 2, Fn: collContains, Doc: "true if a key, element or index is present"},
	{Name: "find", Min: 2, Max: 2, Fn: collFind, Doc: "[key value] entry or nil"},
	{Name: "keys", Min: 1, Max: 1, Fn: collKeys, Doc: "list of a map's keys"},
	{Name: "vals", Min: 1, Max: 1, Fn: collVals, Doc: "list of a map's values"},
}

func collListFn(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.NewList(args...), nil
}

func collVectorFn(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.NewVector(args...), nil
}

func collHashSet(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.NewSet(args...), nil
}

func collHashMap(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args)%2 != 0 {
		return nil, value.ArityError("hash-map", "an even number of", len(args))
	}
	return value.NewMap(args...), nil
}

func collVec(_ value.Thread, args []value.Value) (value.Value, error) {
	if v, ok := args[0].(*value.Vector); ok {
		return v, nil
	}
	if err := collSeq("vec", args[0]); err != nil {
		return nil, err
	}
	b := value.NewVectorBuilder()
	value.Each(args[0], func(x value.Value) bool { b.Append(x); return true })
	return b.Vector(), nil
}

func collSet(_ value.Thread, args []value.Value) (value.Value, error) {
	if s, ok := args[0].(*value.Set); ok {
		return s, nil
	}
	if err := collSeq("set", args[0]); err != nil {
		return nil, err
	}
	s := value.EmptySet
	value.Each(args[0], func(x value.Value) bool { s = s.Conj(x); return true })
	return s, nil
}

func collCons(_ value.Thread, args []value.Value) (value.Value, error) {
	x, coll := args[0], args[1]
	if l, ok := coll.(*value.List); ok {
		return l.Cons(x), nil
	}
	if err := collSeq("cons second arg", coll); err != nil {
		return nil, err
	}
	elems := value.Elems(coll)
	return value.NewList(elems...).Cons(x), nil
}

func collConjFn(_ value.Thread, args []value.Value) (value.Value, error) {
	coll := args[0]
	if v, ok := coll.(*value.Vector); ok {
		for _, x := range args[1:] {
			v = v.Conj(x)
		}
		return v, nil
	}
	var err error
	for _, x := range args[1:] {
		if coll, err = collConj1("conj", coll, x); err != nil {
			return nil, err
		}
	}
	return coll, nil
}

// collConj1 adds x to coll as conj does; name prefixes error messages.
func collConj1(name string, coll, x value.Value) (value.Value, error) {
	switch c := coll.(type) {
	case *value.Vector:
		return c.Conj(x), nil
	case *value.List:
		return c.Cons(x), nil
	case value.NilType:
		return value.EmptyList.Cons(x), nil
	case *value.Set:
		return c.Conj(x), nil
	case *value.Map:
		switch e := x.(type) {
		case *value.Vector:
			if e.Count() == 2 {
				return c.Assoc(e.Nth(0), e.Nth(1)), nil
			}
		case *value.Map:
			if c.Count() == 0 {
				return e, nil
			}
			e.Each(func(k, v value.Value) bool { c = c.Assoc(k, v); return true })
			return c, nil
		}
		return nil, value.TypeError(name+" map entry", "[key val] vector", x)
	}
	return nil, value.TypeError(name, "collection", coll)
}

func collFirst(_ value.Thread, args []value.Value) (value.Value, error) {
	switch c := args[0].(type) {
	case *value.List:
		return c.First(), nil
	case *value.Vector:
		v, _ := c.Get(0)
		return v, nil
	}
	if err := collSeq("first", args[0]); err != nil {
		return nil, err
	}
	v, _ := collNth(args[0], 0)
	return v, nil
}

func collSecond(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := collSeq("second", args[0]); err != nil {
		return nil, err
	}
	v, _ := collNth(args[0], 1)
	return v, nil
}

func collLast(_ value.Thread, args []value.Value) (value.Value, error) {
	var out value.Value = value.Nil
	switch c := args[0].(type) {
	case *value.Vector:
		if n := c.Count(); n > 0 {
			out = c.Nth(n - 1)
		}
	case value.String:
		if len(c) > 0 {
			_, size := utf8.DecodeLastRuneInString(string(c))
			out = c[len(c)-size:]
		}
	case value.Bytes:
		if len(c) > 0 {
			out = value.MakeInt(int64(c[len(c)-1]))
		}
	default:
		if err := collSeq("last", c); err != nil {
			return nil, err
		}
		value.Each(c, func(x value.Value) bool { out = x; return true })
	}
	return out, nil
}

// collRestList returns the list of all but the first element of the
// seqable v, sharing v when it is a list.
func collRestList(name string, v value.Value) (*value.List, error) {
	if l, ok := v.(*value.List); ok {
		return l.Rest(), nil
	}
	if v, ok := v.(*value.Vector); ok {
		l := value.EmptyList
		for i := v.Count() - 1; i >= 1; i-- {
			l = l.Cons(v.Nth(i))
		}
		return l, nil
	}
	elems, err := collElems(name, v)
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return value.EmptyList, nil
	}
	return value.NewList(elems[1:]...), nil
}

func collRest(_ value.Thread, args []value.Value) (value.Value, error) {
	return collRestList("rest", args[0])
}

func collNext(_ value.Thread, args []value.Value) (value.Value, error) {
	l, err := collRestList("next", args[0])
	if err != nil {
		return nil, err
	}
	if l.Count() == 0 {
		return value.Nil, nil
	}
	return l, nil
}

func collButlast(_ value.Thread, args []value.Value) (value.Value, error) {
	elems, err := collElems("butlast", args[0])
	if err != nil {
		return nil, err
	}
	if len(elems) < 2 {
		return value.Nil, nil
	}
	return value.NewList(elems[:len(elems)-1]...), nil
}

func collNthFn(_ value.Thread, args []value.Value) (value.Value, error) {
	coll := args[0]
	switch coll.(type) {
	case *value.List, *value.Vector, value.String, value.Bytes, value.NilType:
	default:
		return nil, value.TypeError("nth", "sequential collection", coll)
	}
	i, err := collInt("nth", args[1])
	if err != nil {
		return nil, err
	}
	if v, ok := collNth(coll, i); ok {
		return v, nil
	}
	if len(args) == 3 {
		return args[2], nil
	}
	if value.IsNil(coll) {
		return value.Nil, nil
	}
	return nil, value.IndexError("nth", i, value.Count(coll))
}

func collCount(_ value.Thread, args []value.Value) (value.Value, error) {
	n := value.Count(args[0])
	if n < 0 {
		return nil, value.TypeError("count", "sequence", args[0])
	}
	return value.MakeInt(int64(n)), nil
}

// collIsEmptyValue reports whether the seqable v has no elements (cheaply:
// strings are not counted).
func collIsEmptyValue(v value.Value) bool {
	switch c := v.(type) {
	case value.String:
		return len(c) == 0
	case value.Bytes:
		return len(c) == 0
	}
	return value.Count(v) == 0
}

func collIsEmpty(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := collSeq("empty?", args[0]); err != nil {
		return nil, err
	}
	return value.MakeBool(collIsEmptyValue(args[0])), nil
}

func collSeqFn(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := collSeq("seq", args[0]); err != nil {
		return nil, err
	}
	if collIsEmptyValue(args[0]) {
		return value.Nil, nil
	}
	if l, ok := args[0].(*value.List); ok {
		return l, nil
	}
	return value.NewList(value.Elems(args[0])...), nil
}

func collEmpty(_ value.Thread, args []value.Value) (value.Value, error) {
	switch args[0].(type) {
	case *value.List:
		return value.EmptyList, nil
	case *value.Vector:
		return value.EmptyVector, nil
	case *value.Map:
		return value.EmptyMap, nil
	case *value.Set:
		return value.EmptySet, nil
	}
	return value.Nil, nil
}

func collNotEmpty(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := collSeq("not-empty", args[0]); err != nil {
		return nil, err
	}
	if collIsEmptyValue(args[0]) {
		return value.Nil, nil
	}
	return args[0], nil
}

// collLookup is get without a default: the value under k in coll and
// whether it was found. Anything not applicable is simply not found.
func collLookup(coll, k value.Value) (value.Value, bool) {
	switch c := coll.(type) {
	case *value.Map:
		return c.Get(k)
	case *value.Vector:
		if i, ok := k.(value.Int); ok {
			return c.Get(int(i))
		}
	case *value.Set:
		if v, ok := c.Get(k); ok {
			return v, true
		}
	case value.String:
		if i, ok := k.(value.Int); ok {
			return collStringAt(string(c), int(i))
		}
	}
	return value.Nil, false
}

func collGetFn(_ value.Thread, args []value.Value) (value.Value, error) {
	if v, ok := collLookup(args[0], args[1]); ok {
		return v, nil
	}
	if len(args) == 3 {
		return args[2], nil
	}
	return value.Nil, nil
}

func collGetIn(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := collSeq("get-in", args[1]); err != nil {
		return nil, err
	}
	v, found := args[0], true
	value.Each(args[1], func(k value.Value) bool {
		v, found = collLookup(v, k)
		return found
	})
	if found {
		return v, nil
	}
	if len(args) == 3 {
		return args[2], nil
	}
	return value.Nil, nil
}

func collContains(_ value.Thread, args []value.Value) (value.Value, error) {
	coll, k := args[0], args[1]
	var n int
	switch c := coll.(type) {
	case *value.Map:
		_, ok := c.Get(k)
		return value.MakeBool(ok), nil
	case *value.Set:
		_, ok := c.Get(k)
		return value.MakeBool(ok), nil
	case value.NilType:
		return value.False, nil
	case *value.Vector:
		n = c.Count()
	case *value.List:
		n = c.Count()
	case value.String:
		n = utf8.RuneCountInString(string(c))
	default:
		return nil, value.TypeError("contains?", "collection", coll)
	}
	i, ok := k.(value.Int)
	return value.MakeBool(ok && i >= 0 && int64(i) < int64(n)), nil
}

func collFind(_ value.Thread, args []value.Value) (value.Value, error) {
	switch c := args[0].(type) {
	case *value.Map:
		if e, ok := c.Lookup(args[1]); ok {
			return value.NewVector(e.Key, e.Val), nil
		}
		return value.Nil, nil
	case *value.Vector:
		if i, ok := args[1].(value.Int); ok {
			if v, ok := c.Get(int(i)); ok {
				return value.NewVector(i, v), nil
			}
		}
		return value.Nil, nil
	case value.NilType:
		return value.Nil, nil
	}
	return nil, value.TypeError("find", "map", args[0])
}

// collMapArg unpacks a map argument, nil standing for the empty map:
// "<name>: expected map, got <t>".
func collMapArg(name string, v value.Value) (*value.Map, error) {
	switch m := v.(type) {
	case *value.Map:
		return m, nil
	case value.NilType:
		return value.EmptyMap, nil
	}
	return nil, value.TypeError(name, "map", v)
}

func collKeys(_ value.Thread, args []value.Value) (value.Value, error) {
	return collMapPart("keys", args[0], true)
}

func collVals(_ value.Thread, args []value.Value) (value.Value, error) {
	return collMapPart("vals", args[0], false)
}

// collMapPart is keys (keys true) or vals.
func collMapPart(name string, v value.Value, keys bool) (value.Value, error) {
	m, err := collMapArg(name, v)
	if err != nil {
		return nil, err
	}
	out := make([]value.Value, 0, m.Count())
	m.Each(func(k, v value.Value) bool {
		if keys {
			out = append(out, k)
		} else {
			out = append(out, v)
		}
		return true
	})
	return collListOrNil(out), nil
}
