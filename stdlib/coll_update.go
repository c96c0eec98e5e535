package stdlib

import "github.com/wetware/ww/lang/value"

// Updating built-ins (spec 13.3).

func init() { tables = append(tables, collUpdateDefs) }

var collUpdateDefs = []Def{
	{Name: "assoc", Min: 0, Max: -1, Fn: collAssocFn, Doc: "map or vector with keys or indexes set to values"},
	{Name: "dissoc", Min: 1, Max: -1, Fn: collDissoc, Doc: "map without the keys"},
	{Name: "disj", Min: 1, Max: -1, Fn: collDisj, Doc: "set without the elements"},
	{Name: "assoc-in", Min: 3, Max: 3, Fn: collAssocIn, Doc: "assoc along a key path, creating maps for missing levels"},
	{Name: "update", Min: 3, Max: -1, Fn: collUpdate, Doc: "(update m k f a ...) is (assoc m k (f (get m k) a ...))"},
	{Name: "update-in", Min: 3, Max: -1, Fn: collUpdateIn, Doc: "update along a key path"},
	{Name: "merge", Min: 0, Max: -1, Fn: collMerge, Doc: "maps merged left to right, later values win"},
	{Name: "merge-with", Min: 1, Max: -1, Fn: collMergeWith, Doc: "merge combining a repeated key's values with (f old new)"},
	{Name: "select-keys", Min: 2, Max: 2, Fn: collSelectKeys, Doc: "map of the entries whose keys are in a key sequence"},
	{Name: "zipmap", Min: 2, Max: 2, Fn: collZipmap, Doc: "map pairing keys with values"},
	{Name: "into", Min: 2, Max: 2, Fn: collInto, Doc: "conj each element of a seqable onto a collection"},
}

func collAssocFn(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args)%2 == 0 {
		return nil, value.ArityError("assoc", "map + key-value pairs (odd total)", len(args))
	}
	switch c := args[0].(type) {
	case *value.Map:
		for i := 1; i < len(args); i += 2 {
			c = c.Assoc(args[i], args[i+1])
		}
		return c, nil
	case value.NilType:
		return value.NewMap(args[1:]...), nil
	case *value.Vector:
		for i := 1; i < len(args); i += 2 {
			var err error
			if c, err = collAssocVector("assoc", c, args[i], args[i+1]); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	return nil, value.TypeError("assoc", "map or vector", args[0])
}

// collAssocVector sets index k of v to x, appending at k = count.
func collAssocVector(name string, v *value.Vector, k, x value.Value) (*value.Vector, error) {
	i, err := collInt(name, k)
	if err != nil {
		return nil, err
	}
	if i < 0 || i > v.Count() {
		return nil, value.IndexError(name, i, v.Count())
	}
	return v.Assoc(i, x), nil
}

// collAssoc1 is assoc of one pair; name prefixes error messages.
func collAssoc1(name string, coll, k, x value.Value) (value.Value, error) {
	switch c := coll.(type) {
	case *value.Map:
		return c.Assoc(k, x), nil
	case value.NilType:
		return value.EmptyMap.Assoc(k, x), nil
	case *value.Vector:
		return collAssocVector(name, c, k, x)
	}
	return nil, value.TypeError(name, "map or vector", coll)
}

func collDissoc(_ value.Thread, args []value.Value) (value.Value, error) {
	switch m := args[0].(type) {
	case value.NilType:
		return value.Nil, nil
	case *value.Map:
		for _, k := range args[1:] {
			m = m.Dissoc(k)
		}
		return m, nil
	}
	return nil, value.TypeError("dissoc", "map", args[0])
}

func collDisj(_ value.Thread, args []value.Value) (value.Value, error) {
	switch s := args[0].(type) {
	case value.NilType:
		return value.Nil, nil
	case *value.Set:
		for _, x := range args[1:] {
			if _, ok := s.Get(x); ok {
				s = s.Disj(x)
			}
		}
		return s, nil
	}
	return nil, value.TypeError("disj", "set", args[0])
}

// collPath unpacks a non-empty key path.
func collPath(name string, v value.Value) ([]value.Value, error) {
	ks, err := collElems(name, v)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 {
		return nil, value.ArgError(name, "key path must not be empty")
	}
	return ks, nil
}

func collAssocIn(_ value.Thread, args []value.Value) (value.Value, error) {
	ks, err := collPath("assoc-in", args[1])
	if err != nil {
		return nil, err
	}
	return collAssocPath(args[0], ks, args[2])
}

// collAssocPath is assoc-in with a non-empty path ks.
func collAssocPath(m value.Value, ks []value.Value, x value.Value) (value.Value, error) {
	if len(ks) > 1 {
		child, _ := collLookup(m, ks[0])
		var err error
		if x, err = collAssocPath(child, ks[1:], x); err != nil {
			return nil, err
		}
	}
	return collAssoc1("assoc-in", m, ks[0], x)
}

func collUpdate(t value.Thread, args []value.Value) (value.Value, error) {
	return collUpdatePath(t, "update", args[0], args[1:2], args[2], args[3:])
}

func collUpdateIn(t value.Thread, args []value.Value) (value.Value, error) {
	ks, err := collPath("update-in", args[1])
	if err != nil {
		return nil, err
	}
	return collUpdatePath(t, "update-in", args[0], ks, args[2], args[3:])
}

// collUpdatePath replaces the value v at the non-empty path ks of m by
// (f v extra...).
func collUpdatePath(t value.Thread, name string, m value.Value, ks []value.Value, f value.Value, extra []value.Value) (value.Value, error) {
	old, _ := collLookup(m, ks[0])
	var x value.Value
	var err error
	if len(ks) > 1 {
		x, err = collUpdatePath(t, name, old, ks[1:], f, extra)
	} else {
		call := make([]value.Value, 1+len(extra))
		call[0] = old
		copy(call[1:], extra)
		x, err = t.Call(f, call)
	}
	if err != nil {
		return nil, err
	}
	return collAssoc1(name, m, ks[0], x)
}

// collMergeInto merges the map-or-nil src into acc (nil when no map was
// seen yet), combining repeated keys with f when f is not nil.
func collMergeInto(t value.Thread, name string, acc *value.Map, src value.Value, f value.Value) (*value.Map, error) {
	m, ok := src.(*value.Map)
	if !ok {
		if value.IsNil(src) {
			return acc, nil
		}
		return nil, value.TypeError(name, "map", src)
	}
	if acc == nil || acc.Count() == 0 {
		return m, nil
	}
	var err error
	m.Each(func(k, v value.Value) bool {
		if f != nil {
			if old, ok := acc.Get(k); ok {
				if v, err = t.Call(f, []value.Value{old, v}); err != nil {
					return false
				}
			}
		}
		acc = acc.Assoc(k, v)
		return true
	})
	if err != nil {
		return nil, err
	}
	return acc, nil
}

// collMergeAll is merge (f nil) or merge-with of maps.
func collMergeAll(t value.Thread, name string, f value.Value, maps []value.Value) (value.Value, error) {
	var acc *value.Map
	for _, m := range maps {
		var err error
		if acc, err = collMergeInto(t, name, acc, m, f); err != nil {
			return nil, err
		}
	}
	if acc == nil {
		return value.Nil, nil
	}
	return acc, nil
}

func collMerge(t value.Thread, args []value.Value) (value.Value, error) {
	return collMergeAll(t, "merge", nil, args)
}

func collMergeWith(t value.Thread, args []value.Value) (value.Value, error) {
	return collMergeAll(t, "merge-with", args[0], args[1:])
}

func collSelectKeys(_ value.Thread, args []value.Value) (value.Value, error) {
	m, err := collMapArg("select-keys", args[0])
	if err != nil {
		return nil, err
	}
	if err := collSeq("select-keys", args[1]); err != nil {
		return nil, err
	}
	out := value.EmptyMap
	value.Each(args[1], func(k value.Value) bool {
		if e, ok := m.Lookup(k); ok {
			out = out.Assoc(e.Key, e.Val)
		}
		return true
	})
	return out, nil
}

func collZipmap(_ value.Thread, args []value.Value) (value.Value, error) {
	ks, err := collElems("zipmap", args[0])
	if err != nil {
		return nil, err
	}
	vs, err := collElems("zipmap", args[1])
	if err != nil {
		return nil, err
	}
	out := value.EmptyMap
	for i := 0; i < len(ks) && i < len(vs); i++ {
		out = out.Assoc(ks[i], vs[i])
	}
	return out, nil
}

func collInto(_ value.Thread, args []value.Value) (value.Value, error) {
	to, from := args[0], args[1]
	switch to.(type) {
	case *value.Vector, *value.List, *value.Set, *value.Map, value.NilType:
	default:
		return nil, value.TypeError("into", "collection", to)
	}
	if err := collSeq("into", from); err != nil {
		return nil, err
	}
	if v, ok := to.(*value.Vector); ok {
		if v.Count() == 0 {
			b := value.NewVectorBuilder()
			value.Each(from, func(x value.Value) bool { b.Append(x); return true })
			return b.Vector(), nil
		}
		value.Each(from, func(x value.Value) bool { v = v.Conj(x); return true })
		return v, nil
	}
	var err error
	value.Each(from, func(x value.Value) bool {
		to, err = collConj1("into", to, x)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return to, nil
}
