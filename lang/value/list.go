package value

// List is an immutable singly linked list. The empty list is EmptyList; every
// cell knows the length of the list it starts.
type List struct {
	first Value
	rest  *List
	count int
	// Pos is where the reader found the list, if it did.
	Pos *Pos
}

// Kind implements Value.
func (*List) Kind() Kind { return ListKind }

// EmptyList is the empty list.
var EmptyList = &List{}

// NewList returns a list of elems.
func NewList(elems ...Value) *List {
	l := EmptyList
	for i := len(elems) - 1; i >= 0; i-- {
		l = l.Cons(elems[i])
	}
	return l
}

// NewListPos returns a list of elems positioned at pos.
func NewListPos(elems []Value, pos *Pos) *List {
	l := NewList(elems...)
	if pos != nil {
		if l.count == 0 {
			l = &List{Pos: pos}
		} else {
			c := *l
			c.Pos = pos
			l = &c
		}
	}
	return l
}

// Cons returns a list with v in front of l.
func (l *List) Cons(v Value) *List { return &List{first: v, rest: l, count: l.count + 1} }

// Count is the number of elements.
func (l *List) Count() int { return l.count }

// First returns the first element or Nil.
func (l *List) First() Value {
	if l.count == 0 {
		return Nil
	}
	return l.first
}

// Rest returns all but the first element (EmptyList when none remain).
func (l *List) Rest() *List {
	if l.count == 0 {
		return EmptyList
	}
	return l.rest
}

// Slice returns the elements as a new Go slice.
func (l *List) Slice() []Value {
	out := make([]Value, 0, l.count)
	for c := l; c.count > 0; c = c.rest {
		out = append(out, c.first)
	}
	return out
}

// Nth returns element i, which must be in range.
func (l *List) Nth(i int) Value {
	c := l
	for ; i > 0; i-- {
		c = c.rest
	}
	return c.first
}

// Each calls f on each element until it returns false.
func (l *List) Each(f func(Value) bool) {
	for c := l; c.count > 0; c = c.rest {
		if !f(c.first) {
			return
		}
	}
}
