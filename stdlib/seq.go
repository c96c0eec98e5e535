package stdlib

import "github.com/wetware/ww/lang/value"

// Sequence functions that call back into Glia (spec 13.4): map, filter,
// reduce and friends, and apply. The others are in seq_ops.go and
// seq_sort.go.

func init() { tables = append(tables, seqDefs) }

var seqDefs = []Def{
	{Name: "map", Min: 2, Max: -1, Fn: seqMap, Doc: "list of (f x1 x2 ...) across the collections"},
	{Name: "mapv", Min: 2, Max: -1, Fn: seqMapv, Doc: "vector of (f x1 x2 ...) across the collections"},
	{Name: "mapcat", Min: 2, Max: -1, Fn: seqMapcat, Doc: "concatenation of the results of map"},
	{Name: "filter", Min: 2, Max: 2, Fn: seqFilter, Doc: "list of the elements satisfying pred"},
	{Name: "filterv", Min: 2, Max: 2, Fn: seqFilterv, Doc: "vector of the elements satisfying pred"},
	{Name: "remove", Min: 2, Max: 2, Fn: seqRemove, Doc: "list of the elements not satisfying pred"},
	{Name: "keep", Min: 2, Max: 2, Fn: seqKeep, Doc: "list of the non-nil results of (f x)"},
	{Name: "reduce", Min: 2, Max: 3, Fn: seqReduce, Doc: "left fold (f acc x), with optional initial value"},
	{Name: "some", Min: 2, Max: 2, Fn: seqSome, Doc: "first truthy (pred x), else nil"},
	{Name: "every?", Min: 2, Max: 2, Fn: seqEvery, Doc: "true if (pred x) is truthy for every element"},
	{Name: "not-any?", Min: 2, Max: 2, Fn: seqNotAny, Doc: "true if (pred x) is truthy for no element"},
	{Name: "not-every?", Min: 2, Max: 2, Fn: seqNotEvery, Doc: "true if (pred x) is falsy for some element"},
	{Name: "take-while", Min: 2, Max: 2, Fn: seqTakeWhile, Doc: "list of the longest prefix satisfying pred"},
	{Name: "drop-while", Min: 2, Max: 2, Fn: seqDropWhile, Doc: "list of the elements after the longest prefix satisfying pred"},
	{Name: "group-by", Min: 2, Max: 2, Fn: seqGroupBy, Doc: "map from (f x) to the vector of those elements"},
	{Name: "apply", Min: 2, Max: -1, Fn: seqApply, Doc: "(apply f a ... coll) calls f with a ... and the elements of coll"},
}

// seqColls checks that every argument is seqable.
func seqColls(name string, colls []value.Value) error {
	for _, c := range colls {
		if err := collSeq(name, c); err != nil {
			return err
		}
	}
	return nil
}

// seqMapEach calls emit with (f x1 x2 ...) across colls, up to the
// shortest, stopping at the first error of f or emit.
func seqMapEach(t value.Thread, name string, f value.Value, colls []value.Value, emit func(value.Value) error) error {
	if err := seqColls(name, colls); err != nil {
		return err
	}
	var ab collArgs
	if len(colls) == 1 {
		return collEach(colls[0], func(x value.Value) (bool, error) {
			v, err := t.Call(f, ab.one(x))
			if err == nil {
				err = emit(v)
			}
			return err != nil, err
		})
	}
	elems := make([][]value.Value, len(colls))
	n := -1
	for i, c := range colls {
		elems[i] = value.Elems(c)
		if n < 0 || len(elems[i]) < n {
			n = len(elems[i])
		}
	}
	for j := 0; j < n; j++ {
		call := ab.take(len(colls))
		for i := range elems {
			call[i] = elems[i][j]
		}
		v, err := t.Call(f, call)
		if err == nil {
			err = emit(v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func seqMap(t value.Thread, args []value.Value) (value.Value, error) {
	var out []value.Value
	if n := value.Count(args[1]); n > 0 {
		out = make([]value.Value, 0, n)
	}
	err := seqMapEach(t, "map", args[0], args[1:], func(v value.Value) error { out = append(out, v); return nil })
	if err != nil {
		return nil, err
	}
	return value.NewList(out...), nil
}

func seqMapv(t value.Thread, args []value.Value) (value.Value, error) {
	b := value.NewVectorBuilder()
	if err := seqMapEach(t, "mapv", args[0], args[1:], func(v value.Value) error { b.Append(v); return nil }); err != nil {
		return nil, err
	}
	return b.Vector(), nil
}

func seqMapcat(t value.Thread, args []value.Value) (value.Value, error) {
	var out []value.Value
	err := seqMapEach(t, "mapcat", args[0], args[1:], func(v value.Value) error {
		if !value.Each(v, func(x value.Value) bool { out = append(out, x); return true }) {
			return value.TypeError("mapcat", "sequence", v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return value.NewList(out...), nil
}

// seqSelect calls emit on the elements x of coll for which (pred x) is
// truthy (keep true) or falsy (keep false).
func seqSelect(t value.Thread, name string, pred, coll value.Value, keep bool, emit func(value.Value)) error {
	if err := collSeq(name, coll); err != nil {
		return err
	}
	var ab collArgs
	return collEach(coll, func(x value.Value) (bool, error) {
		v, err := t.Call(pred, ab.one(x))
		if err != nil {
			return true, err
		}
		if value.Truthy(v) == keep {
			emit(x)
		}
		return false, nil
	})
}

// seqSelectList is filter (keep true) or remove as a list.
func seqSelectList(t value.Thread, name string, args []value.Value, keep bool) (value.Value, error) {
	var out []value.Value
	if err := seqSelect(t, name, args[0], args[1], keep, func(x value.Value) { out = append(out, x) }); err != nil {
		return nil, err
	}
	return value.NewList(out...), nil
}

func seqFilter(t value.Thread, args []value.Value) (value.Value, error) {
	return seqSelectList(t, "filter", args, true)
}

func seqRemove(t value.Thread, args []value.Value) (value.Value, error) {
	return seqSelectList(t, "remove", args, false)
}

func seqFilterv(t value.Thread, args []value.Value) (value.Value, error) {
	b := value.NewVectorBuilder()
	if err := seqSelect(t, "filterv", args[0], args[1], true, b.Append); err != nil {
		return nil, err
	}
	return b.Vector(), nil
}

func seqKeep(t value.Thread, args []value.Value) (value.Value, error) {
	var out []value.Value
	err := seqMapEach(t, "keep", args[0], args[1:], func(v value.Value) error {
		if !value.IsNil(v) {
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return value.NewList(out...), nil
}

func seqReduce(t value.Thread, args []value.Value) (value.Value, error) {
	f, coll := args[0], args[len(args)-1]
	if err := collSeq("reduce", coll); err != nil {
		return nil, err
	}
	var acc value.Value
	started := len(args) == 3
	if started {
		acc = args[1]
	}
	var ab collArgs
	err := collEach(coll, func(x value.Value) (bool, error) {
		if !started {
			acc, started = x, true
			return false, nil
		}
		var err error
		acc, err = t.Call(f, ab.two(acc, x))
		return err != nil, err
	})
	if err != nil {
		return nil, err
	}
	if !started {
		return t.Call(f, nil)
	}
	return acc, nil
}

// seqFind returns the first truthy (pred x) of coll, or nil; found tells
// whether there was one.
func seqFind(t value.Thread, name string, pred, coll value.Value) (res value.Value, found bool, err error) {
	if err := collSeq(name, coll); err != nil {
		return nil, false, err
	}
	res = value.Nil
	var ab collArgs
	err = collEach(coll, func(x value.Value) (bool, error) {
		v, err := t.Call(pred, ab.one(x))
		if err != nil {
			return true, err
		}
		if value.Truthy(v) {
			res, found = v, true
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return nil, false, err
	}
	return res, found, nil
}

// seqFindFalse reports whether (pred x) is falsy for some element of coll.
func seqFindFalse(t value.Thread, name string, pred, coll value.Value) (bool, error) {
	if err := collSeq(name, coll); err != nil {
		return false, err
	}
	found := false
	var ab collArgs
	err := collEach(coll, func(x value.Value) (bool, error) {
		v, err := t.Call(pred, ab.one(x))
		if err != nil {
			return true, err
		}
		found = !value.Truthy(v)
		return found, nil
	})
	return found, err
}

func seqSome(t value.Thread, args []value.Value) (value.Value, error) {
	v, _, err := seqFind(t, "some", args[0], args[1])
	return v, err
}

func seqNotAny(t value.Thread, args []value.Value) (value.Value, error) {
	_, found, err := seqFind(t, "not-any?", args[0], args[1])
	if err != nil {
		return nil, err
	}
	return value.MakeBool(!found), nil
}

func seqEvery(t value.Thread, args []value.Value) (value.Value, error) {
	found, err := seqFindFalse(t, "every?", args[0], args[1])
	if err != nil {
		return nil, err
	}
	return value.MakeBool(!found), nil
}

func seqNotEvery(t value.Thread, args []value.Value) (value.Value, error) {
	found, err := seqFindFalse(t, "not-every?", args[0], args[1])
	if err != nil {
		return nil, err
	}
	return value.MakeBool(found), nil
}

// seqSplitWhile returns the longest prefix of coll satisfying pred and
// the rest.
func seqSplitWhile(t value.Thread, name string, pred, coll value.Value) (prefix, rest []value.Value, err error) {
	elems, err := collElems(name, coll)
	if err != nil {
		return nil, nil, err
	}
	var ab collArgs
	for i, x := range elems {
		v, err := t.Call(pred, ab.one(x))
		if err != nil {
			return nil, nil, err
		}
		if !value.Truthy(v) {
			return elems[:i], elems[i:], nil
		}
	}
	return elems, nil, nil
}

func seqTakeWhile(t value.Thread, args []value.Value) (value.Value, error) {
	prefix, _, err := seqSplitWhile(t, "take-while", args[0], args[1])
	if err != nil {
		return nil, err
	}
	return value.NewList(prefix...), nil
}

func seqDropWhile(t value.Thread, args []value.Value) (value.Value, error) {
	_, rest, err := seqSplitWhile(t, "drop-while", args[0], args[1])
	if err != nil {
		return nil, err
	}
	return value.NewList(rest...), nil
}

func seqGroupBy(t value.Thread, args []value.Value) (value.Value, error) {
	f, coll := args[0], args[1]
	if err := collSeq("group-by", coll); err != nil {
		return nil, err
	}
	ix := collIndex{}
	var keys []value.Value
	var groups [][]value.Value
	var ab collArgs
	err := collEach(coll, func(x value.Value) (bool, error) {
		k, err := t.Call(f, ab.one(x))
		if err != nil {
			return true, err
		}
		h := value.Hash(k)
		i, ok := ix.get(k, h)
		if !ok {
			i = len(keys)
			ix.put(k, h, i)
			keys = append(keys, k)
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], x)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	out := value.EmptyMap
	for i, k := range keys {
		out = out.Assoc(k, value.NewVector(groups[i]...))
	}
	return out, nil
}

func seqApply(t value.Thread, args []value.Value) (value.Value, error) {
	last := args[len(args)-1]
	if err := collSeq("apply last arg", last); err != nil {
		return nil, err
	}
	fixed := args[1 : len(args)-1]
	call := make([]value.Value, len(fixed), len(fixed)+max(value.Count(last), 0))
	copy(call, fixed)
	value.Each(last, func(x value.Value) bool { call = append(call, x); return true })
	return t.Call(args[0], call)
}
