package stdlib

import (
	"math"

	"github.com/wetware/ww/lang/value"
)

// Sequence functions that do not call back into Glia (spec 13.4).

func init() { tables = append(tables, seqOpsDefs) }

var seqOpsDefs = []Def{
	{Name: "concat", Min: 0, Max: -1, Fn: seqConcat, Doc: "list of the elements of each seqable in turn"},
	{Name: "take", Min: 2, Max: 2, Fn: seqTake, Doc: "list of the first n elements"},
	{Name: "drop", Min: 2, Max: 2, Fn: seqDrop, Doc: "list of all but the first n elements"},
	{Name: "reverse", Min: 1, Max: 1, Fn: seqReverse, Doc: "list of the elements in reverse order"},
	{Name: "range", Min: 1, Max: 3, Fn: seqRange, Doc: "list of numbers from start (0) by step (1) up to end"},
	{Name: "repeat", Min: 2, Max: 2, Fn: seqRepeat, Doc: "(repeat n x) is a list of n times x"},
	{Name: "interpose", Min: 2, Max: 2, Fn: seqInterpose, Doc: "list of the elements separated by sep"},
	{Name: "interleave", Min: 0, Max: -1, Fn: seqInterleave, Doc: "list of the first of each seqable, then the second of each ..."},
	{Name: "flatten", Min: 1, Max: 1, Fn: seqFlatten, Doc: "list of the non-sequential leaves of nested lists and vectors"},
	{Name: "distinct", Min: 1, Max: 1, Fn: seqDistinct, Doc: "list of the first occurrences of the elements"},
	{Name: "frequencies", Min: 1, Max: 1, Fn: seqFrequencies, Doc: "map from element to number of occurrences"},
	{Name: "partition", Min: 2, Max: 3, Fn: seqPartition, Doc: "(partition n [step] coll) lists of n elements every step elements"},
}

func seqConcat(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := seqColls("concat", args); err != nil {
		return nil, err
	}
	// The last list, if any, becomes the shared tail of the result.
	tail, n := value.EmptyList, len(args)
	if n > 0 {
		if l, ok := args[n-1].(*value.List); ok {
			tail, n = l, n-1
		}
	}
	var out []value.Value
	for _, c := range args[:n] {
		value.Each(c, func(x value.Value) bool { out = append(out, x); return true })
	}
	for i := len(out) - 1; i >= 0; i-- {
		tail = tail.Cons(out[i])
	}
	return tail, nil
}

func seqTake(_ value.Thread, args []value.Value) (value.Value, error) {
	n, err := collInt("take", args[0])
	if err != nil {
		return nil, err
	}
	if err := collSeq("take", args[1]); err != nil {
		return nil, err
	}
	if n <= 0 {
		return value.EmptyList, nil
	}
	if c := value.Count(args[1]); c <= n {
		if l, ok := args[1].(*value.List); ok {
			return l, nil
		}
	}
	var out []value.Value
	value.Each(args[1], func(x value.Value) bool {
		out = append(out, x)
		return len(out) < n
	})
	return value.NewList(out...), nil
}

func seqDrop(_ value.Thread, args []value.Value) (value.Value, error) {
	n, err := collInt("drop", args[0])
	if err != nil {
		return nil, err
	}
	coll := args[1]
	if err := collSeq("drop", coll); err != nil {
		return nil, err
	}
	n = max(n, 0)
	switch c := coll.(type) {
	case *value.List:
		for ; n > 0 && c.Count() > 0; n-- {
			c = c.Rest()
		}
		return c, nil
	case *value.Vector:
		l := value.EmptyList
		for i := c.Count() - 1; i >= n; i-- {
			l = l.Cons(c.Nth(i))
		}
		return l, nil
	}
	elems := value.Elems(coll)
	if n >= len(elems) {
		return value.EmptyList, nil
	}
	return value.NewList(elems[n:]...), nil
}

func seqReverse(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := collSeq("reverse", args[0]); err != nil {
		return nil, err
	}
	l := value.EmptyList
	value.Each(args[0], func(x value.Value) bool { l = l.Cons(x); return true })
	return l, nil
}

// seqNum unpacks a number argument: "<name>: expected number, got <t>".
func seqNum(name string, v value.Value) (value.Value, error) {
	switch v.(type) {
	case value.Int, value.Float:
		return v, nil
	}
	return nil, value.TypeError(name, "number", v)
}

func seqRange(_ value.Thread, args []value.Value) (value.Value, error) {
	nums := [3]value.Value{value.MakeInt(0), nil, value.MakeInt(1)}
	switch len(args) {
	case 1:
		nums[1] = args[0]
	default:
		copy(nums[:], args)
	}
	isFloat := false
	for i, v := range nums {
		v, err := seqNum("range", v)
		if err != nil {
			return nil, err
		}
		_, f := v.(value.Float)
		isFloat = isFloat || f
		nums[i] = v
	}
	if isFloat {
		start, _ := value.ToFloat(nums[0])
		end, _ := value.ToFloat(nums[1])
		step, _ := value.ToFloat(nums[2])
		return seqRangeFloat(start, end, step)
	}
	return seqRangeInt(int64(nums[0].(value.Int)), int64(nums[1].(value.Int)), int64(nums[2].(value.Int)))
}

func seqRangeInt(start, end, step int64) (value.Value, error) {
	if step == 0 {
		return nil, value.ArgError("range", "step must not be zero")
	}
	// Count the elements in unsigned arithmetic, which cannot overflow.
	var n uint64
	switch {
	case step > 0 && start < end:
		d, s := uint64(end)-uint64(start), uint64(step)
		n = d / s
		if d%s != 0 {
			n++
		}
	case step < 0 && start > end:
		d, s := uint64(start)-uint64(end), -uint64(step)
		n = d / s
		if d%s != 0 {
			n++
		}
	}
	l := value.EmptyList
	for i := n; i > 0; i-- {
		l = l.Cons(value.MakeInt(start + int64(i-1)*step))
	}
	return l, nil
}

func seqRangeFloat(start, end, step float64) (value.Value, error) {
	if step == 0 {
		return nil, value.ArgError("range", "step must not be zero")
	}
	if math.IsNaN(step) || math.IsNaN(start) || math.IsNaN(end) {
		return value.EmptyList, nil
	}
	if !math.IsInf(start, 0) && math.IsInf(end, 0) && (end > 0) == (step > 0) {
		return nil, value.ArgError("range", "infinite range")
	}
	var out []value.Value
	for x := start; (step > 0 && x < end) || (step < 0 && x > end); x += step {
		if x+step == x {
			// Infinite bounds, or a step too small to make progress.
			return nil, value.ArgError("range", "infinite range")
		}
		out = append(out, value.MakeFloat(x))
	}
	return value.NewList(out...), nil
}

func seqRepeat(_ value.Thread, args []value.Value) (value.Value, error) {
	n, err := collInt("repeat", args[0])
	if err != nil {
		return nil, err
	}
	l := value.EmptyList
	for ; n > 0; n-- {
		l = l.Cons(args[1])
	}
	return l, nil
}

func seqInterpose(_ value.Thread, args []value.Value) (value.Value, error) {
	sep := args[0]
	elems, err := collElems("interpose", args[1])
	if err != nil {
		return nil, err
	}
	l := value.EmptyList
	for i := len(elems) - 1; i >= 0; i-- {
		l = l.Cons(elems[i])
		if i > 0 {
			l = l.Cons(sep)
		}
	}
	return l, nil
}

func seqInterleave(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := seqColls("interleave", args); err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return value.EmptyList, nil
	}
	elems := make([][]value.Value, len(args))
	n := -1
	for i, c := range args {
		elems[i] = value.Elems(c)
		if n < 0 || len(elems[i]) < n {
			n = len(elems[i])
		}
	}
	out := make([]value.Value, 0, n*len(args))
	for j := 0; j < n; j++ {
		for i := range elems {
			out = append(out, elems[i][j])
		}
	}
	return value.NewList(out...), nil
}

func seqFlatten(_ value.Thread, args []value.Value) (value.Value, error) {
	var out []value.Value
	var walk func(v value.Value)
	walk = func(v value.Value) {
		switch c := v.(type) {
		case *value.List, *value.Vector:
			value.Each(c, func(x value.Value) bool { walk(x); return true })
		default:
			out = append(out, v)
		}
	}
	switch args[0].(type) {
	case *value.List, *value.Vector:
		walk(args[0])
	}
	return value.NewList(out...), nil
}

func seqDistinct(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := collSeq("distinct", args[0]); err != nil {
		return nil, err
	}
	if s, ok := args[0].(*value.Set); ok {
		return value.NewList(s.Slice()...), nil
	}
	ix := collIndex{}
	var out []value.Value
	value.Each(args[0], func(x value.Value) bool {
		h := value.Hash(x)
		if _, ok := ix.get(x, h); !ok {
			ix.put(x, h, 0)
			out = append(out, x)
		}
		return true
	})
	return value.NewList(out...), nil
}

func seqFrequencies(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := collSeq("frequencies", args[0]); err != nil {
		return nil, err
	}
	ix := collIndex{}
	var keys []value.Value
	var counts []int64
	value.Each(args[0], func(x value.Value) bool {
		h := value.Hash(x)
		if i, ok := ix.get(x, h); ok {
			counts[i]++
			return true
		}
		ix.put(x, h, len(keys))
		keys = append(keys, x)
		counts = append(counts, 1)
		return true
	})
	out := value.EmptyMap
	for i, k := range keys {
		out = out.Assoc(k, value.MakeInt(counts[i]))
	}
	return out, nil
}

func seqPartition(_ value.Thread, args []value.Value) (value.Value, error) {
	n, err := collInt("partition", args[0])
	if err != nil {
		return nil, err
	}
	step := n
	if len(args) == 3 {
		if step, err = collInt("partition", args[1]); err != nil {
			return nil, err
		}
	}
	elems, err := collElems("partition", args[len(args)-1])
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, value.ArgError("partition", "n must be positive")
	}
	if step <= 0 {
		return nil, value.ArgError("partition", "step must be positive")
	}
	var out []value.Value
	for i := 0; n <= len(elems)-i; i += step {
		out = append(out, value.NewList(elems[i:i+n]...))
		if i > len(elems)-step {
			break
		}
	}
	return value.NewList(out...), nil
}
