package stdlib

import "github.com/wetware/ww/lang/value"

// sort and sort-by (spec 13.4): a stable merge sort whose comparisons may
// call back into Glia and fail.

func init() { tables = append(tables, seqSortDefs) }

var seqSortDefs = []Def{
	{Name: "sort", Min: 1, Max: 2, Fn: seqSort, Doc: "stable sort by compare or a comparator"},
	{Name: "sort-by", Min: 2, Max: 3, Fn: seqSortBy, Doc: "stable sort by (keyfn x), with optional comparator"},
}

// seqSortItem is an element and the key it sorts by.
type seqSortItem struct{ key, val value.Value }

// seqSorter compares keys with compare (cmp nil) or a Glia comparator
// returning a number (negative: first argument first) or a truthy value
// (first argument first). The first error stops the sort and is kept.
type seqSorter struct {
	t   value.Thread
	cmp value.Value
	err error
	ab  collArgs
}

// seqCompareError is compare's error for values it cannot order (4.3).
func seqCompareError(a, b value.Value) error {
	t1, t2 := value.TypeName(a), value.TypeName(b)
	return value.NewError("type-mismatch", "compare: cannot compare "+t1+" with "+t2,
		"context", "compare", "expected", t1, "got-type", t2)
}

// less reports whether key a must go before key b.
func (s *seqSorter) less(a, b value.Value) bool {
	if s.err != nil {
		return false
	}
	if s.cmp == nil {
		c, ok := value.Compare(a, b)
		if !ok {
			s.err = seqCompareError(a, b)
		}
		return c < 0
	}
	v, err := s.t.Call(s.cmp, s.ab.two(a, b))
	if err != nil {
		s.err = err
		return false
	}
	switch v := v.(type) {
	case value.Int:
		return v < 0
	case value.Float:
		return v < 0
	}
	return value.Truthy(v)
}

// sort sorts items stably, using buf (at least as long) as scratch space.
func (s *seqSorter) sort(items, buf []seqSortItem) {
	n := len(items)
	if n < 2 || s.err != nil {
		return
	}
	if n <= 8 {
		for i := 1; i < n; i++ {
			x := items[i]
			j := i
			for ; j > 0 && s.less(x.key, items[j-1].key); j-- {
				items[j] = items[j-1]
			}
			items[j] = x
		}
		return
	}
	mid := n / 2
	s.sort(items[:mid], buf[:mid])
	s.sort(items[mid:], buf[mid:])
	if s.err != nil || !s.less(items[mid].key, items[mid-1].key) {
		return
	}
	left := buf[:mid]
	copy(left, items[:mid])
	i, j, k := 0, mid, 0
	for i < len(left) && j < n {
		if s.less(items[j].key, left[i].key) {
			items[k] = items[j]
			j++
		} else {
			items[k] = left[i]
			i++
		}
		k++
	}
	copy(items[k:], left[i:])
}

// seqSortItems sorts items and returns the list of their values.
func seqSortItems(t value.Thread, cmp value.Value, items []seqSortItem) (value.Value, error) {
	s := &seqSorter{t: t, cmp: cmp}
	s.sort(items, make([]seqSortItem, len(items)))
	if s.err != nil {
		return nil, s.err
	}
	l := value.EmptyList
	for i := len(items) - 1; i >= 0; i-- {
		l = l.Cons(items[i].val)
	}
	return l, nil
}

func seqSort(t value.Thread, args []value.Value) (value.Value, error) {
	var cmp value.Value
	if len(args) == 2 {
		cmp = args[0]
	}
	coll := args[len(args)-1]
	if err := collSeq("sort", coll); err != nil {
		return nil, err
	}
	items := make([]seqSortItem, 0, max(value.Count(coll), 0))
	value.Each(coll, func(x value.Value) bool {
		items = append(items, seqSortItem{x, x})
		return true
	})
	return seqSortItems(t, cmp, items)
}

func seqSortBy(t value.Thread, args []value.Value) (value.Value, error) {
	keyfn := args[0]
	var cmp value.Value
	if len(args) == 3 {
		cmp = args[1]
	}
	coll := args[len(args)-1]
	if err := collSeq("sort-by", coll); err != nil {
		return nil, err
	}
	items := make([]seqSortItem, 0, max(value.Count(coll), 0))
	var ab collArgs
	err := collEach(coll, func(x value.Value) (bool, error) {
		k, err := t.Call(keyfn, ab.one(x))
		if err != nil {
			return true, err
		}
		items = append(items, seqSortItem{k, x})
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return seqSortItems(t, cmp, items)
}
