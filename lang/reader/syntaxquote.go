package reader

import (
	"strconv"
	"sync/atomic"

	"github.com/wetware/ww/lang/value"
)

var gensymCounter atomic.Int64

// NextGensymID returns the next number of the process-wide counter shared
// by auto-gensyms and the gensym built-in (spec 9.3). It is safe for
// concurrent use; the first number is 1.
func NextGensymID() int64 { return gensymCounter.Add(1) }

// autoGensym returns the auto-gensym name for name (which ends in "#"):
// <name-without-#>__<n>__auto__, with one n for the whole outermost
// syntax-quote being read.
func (b *builder) autoGensym(name string) string {
	if b.gensym == 0 {
		b.gensym = NextGensymID()
	}
	return name[:len(name)-1] + "__" + strconv.FormatInt(b.gensym, 10) + "__auto__"
}

// The internal operations of syntax-quote expansion (spec 9.4). The reader
// puts these values themselves, not symbols naming them, at the head of
// the lists it generates; a native function evaluates to itself, so
// redefining list, concat, vec, set or hash-map cannot affect
// syntax-quote. They do not use their Thread argument.
var (
	// SQList is ⟨list⟩: a list of its arguments.
	SQList = &value.Builtin{Name: "list", Fn: sqList, Doc: "syntax-quote: list of the arguments"}
	// SQConcat is ⟨concat⟩: a list of the elements of its arguments, each
	// a seqable or nil.
	SQConcat = &value.Builtin{Name: "concat", Fn: sqConcat, Doc: "syntax-quote: concatenation of seqables as a list"}
	// SQVec is ⟨vec⟩: a vector of the elements of its one seqable argument.
	SQVec = &value.Builtin{Name: "vec", Fn: sqVec, Doc: "syntax-quote: vector of a seqable's elements"}
	// SQSet is ⟨set⟩: a set of the elements of its one seqable argument,
	// repeated elements keeping the first.
	SQSet = &value.Builtin{Name: "set", Fn: sqSet, Doc: "syntax-quote: set of a seqable's elements"}
	// SQMap is ⟨map⟩: a map of its alternating key and value arguments; a
	// repeated key keeps its first position and takes the later value.
	SQMap = &value.Builtin{Name: "hash-map", Fn: sqMap, Doc: "syntax-quote: map of alternating keys and values"}
)

func sqList(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.NewList(args...), nil
}

func sqConcat(_ value.Thread, args []value.Value) (value.Value, error) {
	var elems []value.Value
	for _, a := range args {
		if !value.Each(a, func(x value.Value) bool { elems = append(elems, x); return true }) {
			return nil, value.TypeError("concat", "seqable", a)
		}
	}
	return value.NewList(elems...), nil
}

func sqVec(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := value.CheckArity("vec", len(args), 1, 1); err != nil {
		return nil, err
	}
	if !value.IsSeqable(args[0]) {
		return nil, value.TypeError("vec", "seqable", args[0])
	}
	return value.NewVector(value.Elems(args[0])...), nil
}

func sqSet(_ value.Thread, args []value.Value) (value.Value, error) {
	if err := value.CheckArity("set", len(args), 1, 1); err != nil {
		return nil, err
	}
	if !value.IsSeqable(args[0]) {
		return nil, value.TypeError("set", "seqable", args[0])
	}
	return value.NewSet(value.Elems(args[0])...), nil
}

func sqMap(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args)%2 != 0 {
		return nil, value.ArgError("hash-map", "expected an even number of arguments")
	}
	return value.NewMap(args...), nil
}

// expander rewrites one syntax-quoted form; every list it generates is
// positioned at the syntax-quote.
type expander struct {
	pos *value.Pos
}

func (x *expander) list(elems ...value.Value) value.Value {
	return newList(elems, x.pos)
}

func (x *expander) quote(v value.Value) value.Value {
	return x.list(value.Symbol{Name: symQuote, Pos: x.pos}, v)
}

// marker reports whether l is (unquote e), (splice-unquote e) or
// (syntax-quote e), returning the head's name and e.
func marker(l *value.List) (string, value.Value, bool) {
	if l.Count() != 2 {
		return "", nil, false
	}
	s, ok := l.First().(value.Symbol)
	if !ok {
		return "", nil, false
	}
	switch s.Name {
	case symUnquote, symSpliceUnquote, symSyntaxQuote:
		return s.Name, l.Rest().First(), true
	}
	return "", nil, false
}

// t is T(form, d) of spec 9.4.
func (x *expander) t(form value.Value, d int) (value.Value, *value.Error) {
	switch v := form.(type) {
	case value.Symbol:
		return x.quote(v), nil
	case *value.List:
		if v.Count() == 0 {
			return x.list(SQList), nil
		}
		if head, e, ok := marker(v); ok {
			switch {
			case head == symSyntaxQuote:
				te, err := x.t(e, d+1)
				if err != nil {
					return nil, err
				}
				return x.list(SQList, x.quote(value.Symbol{Name: head, Pos: x.pos}), te), nil
			case d == 0 && head == symUnquote:
				return e, nil
			case d == 0:
				pos := x.pos
				if v.Pos != nil {
					pos = v.Pos
				}
				return nil, value.ParseError(*pos, "splice-unquote (~@) not inside list")
			}
			te, err := x.t(e, d-1)
			if err != nil {
				return nil, err
			}
			return x.list(SQList, x.quote(value.Symbol{Name: head, Pos: x.pos}), te), nil
		}
		return x.concat(v.Slice(), d)
	case *value.Vector:
		c, err := x.concat(v.Slice(), d)
		if err != nil {
			return nil, err
		}
		return x.list(SQVec, c), nil
	case *value.Set:
		c, err := x.concat(v.Slice(), d)
		if err != nil {
			return nil, err
		}
		return x.list(SQSet, c), nil
	case *value.Map:
		args := make([]value.Value, 0, 1+2*v.Count())
		args = append(args, SQMap)
		for _, e := range v.Entries() {
			k, err := x.t(e.Key, d)
			if err != nil {
				return nil, err
			}
			val, err := x.t(e.Val, d)
			if err != nil {
				return nil, err
			}
			args = append(args, k, val)
		}
		return newList(args, x.pos), nil
	}
	return form, nil
}

// concat is ⟨concat⟩ of the parts of elems: at depth 0 an unquote gives a
// one-element list of its form and a splice-unquote its form itself; any
// other element (and any marker deeper down) gives ⟨list⟩ of its rewrite.
func (x *expander) concat(elems []value.Value, d int) (value.Value, *value.Error) {
	args := make([]value.Value, 0, 1+len(elems))
	args = append(args, SQConcat)
	for _, e := range elems {
		if l, ok := e.(*value.List); ok && d == 0 {
			if head, arg, ok := marker(l); ok && head != symSyntaxQuote {
				if head == symUnquote {
					args = append(args, x.list(SQList, arg))
				} else {
					args = append(args, arg)
				}
				continue
			}
		}
		te, err := x.t(e, d)
		if err != nil {
			return nil, err
		}
		args = append(args, x.list(SQList, te))
	}
	return newList(args, x.pos), nil
}
