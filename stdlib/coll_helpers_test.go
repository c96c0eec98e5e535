package stdlib

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/wetware/ww/lang/value"
)

// A miniature evaluator for the tests of the collection, sequence, function
// and atom built-ins: it reads data literals (numbers, strings, keywords,
// symbols, vectors, maps, sets, nil, true, false) and evaluates lists as
// calls of built-ins, so that cases read like Glia. Symbols name the
// built-ins of this package's tables or a few test helpers; 'x quotes.

type collTestThread struct{}

func (collTestThread) Out() io.Writer { return io.Discard }

// Call implements the call semantics of spec 6.3 for the values the tests
// use.
func (th collTestThread) Call(f value.Value, args []value.Value) (value.Value, error) {
	switch f := f.(type) {
	case *value.Builtin:
		return f.Fn(th, args)
	case *value.Map:
		return collGetFn(th, append([]value.Value{f}, args...))
	case *value.Keyword:
		return collGetFn(th, append([]value.Value{args[0], f}, args[1:]...))
	case *value.Set:
		return collGetFn(th, append([]value.Value{f}, args...))
	case *value.Vector:
		return f.Nth(int(args[0].(value.Int))), nil
	}
	return nil, value.TypeError("call", "callable", f)
}

// collTestEnv maps names to the built-ins under test and test helpers.
var collTestEnv = func() map[string]value.Value {
	env := map[string]value.Value{}
	for _, t := range [][]Def{collDefs, collUpdateDefs, seqDefs, seqOpsDefs, seqSortDefs, fnDefs, atomDefs} {
		for _, d := range t {
			env[d.Name] = d.Builtin()
		}
	}
	intFn := func(name string, f func(a []int64) value.Value) {
		env[name] = value.NewBuiltin(name, func(_ value.Thread, args []value.Value) (value.Value, error) {
			xs := make([]int64, len(args))
			for i, a := range args {
				n, ok := a.(value.Int)
				if !ok {
					return nil, value.TypeError(name, "number", a)
				}
				xs[i] = int64(n)
			}
			return f(xs), nil
		})
	}
	intFn("+", func(a []int64) value.Value {
		s := int64(0)
		for _, x := range a {
			s += x
		}
		return value.MakeInt(s)
	})
	intFn("*", func(a []int64) value.Value {
		s := int64(1)
		for _, x := range a {
			s *= x
		}
		return value.MakeInt(s)
	})
	intFn("-", func(a []int64) value.Value { return value.MakeInt(a[0] - a[1]) })
	intFn("inc", func(a []int64) value.Value { return value.MakeInt(a[0] + 1) })
	intFn("odd?", func(a []int64) value.Value { return value.MakeBool(a[0]%2 != 0) })
	intFn("even?", func(a []int64) value.Value { return value.MakeBool(a[0]%2 == 0) })
	intFn(">", func(a []int64) value.Value { return value.MakeBool(a[0] > a[1]) })
	intFn("<", func(a []int64) value.Value { return value.MakeBool(a[0] < a[1]) })
	intFn("cmp-desc", func(a []int64) value.Value { return value.MakeInt(a[1] - a[0]) })
	env["nil?"] = value.NewBuiltin("nil?", func(_ value.Thread, args []value.Value) (value.Value, error) {
		return value.MakeBool(value.IsNil(args[0])), nil
	})
	env["="] = value.NewBuiltin("=", func(_ value.Thread, args []value.Value) (value.Value, error) {
		return value.MakeBool(value.Equal(args[0], args[1])), nil
	})
	env["boom"] = value.NewBuiltin("boom", func(_ value.Thread, args []value.Value) (value.Value, error) {
		return nil, value.NewError("test", "boom")
	})
	return env
}()

// collTestReader reads the test notation.
type collTestReader struct {
	s   string
	pos int
}

func (r *collTestReader) skip() {
	for r.pos < len(r.s) && (r.s[r.pos] == ' ' || r.s[r.pos] == ',' || r.s[r.pos] == '\n') {
		r.pos++
	}
}

// form reads one form; quoted reports a leading quote.
func (r *collTestReader) form() (v value.Value, quoted bool) {
	r.skip()
	if r.s[r.pos] == '\'' {
		r.pos++
		v, _ = r.form()
		return v, true
	}
	switch c := r.s[r.pos]; {
	case c == '(' || c == '[' || c == '{':
		r.pos++
		return r.coll(c), false
	case c == '#':
		r.pos += 2
		return r.coll('#'), false
	case c == '"':
		end := strings.IndexByte(r.s[r.pos+1:], '"')
		v = value.String(r.s[r.pos+1 : r.pos+1+end])
		r.pos += end + 2
		return v, false
	}
	start := r.pos
	for r.pos < len(r.s) && !strings.ContainsRune(" ,\n()[]{}", rune(r.s[r.pos])) {
		r.pos++
	}
	tok := r.s[start:r.pos]
	switch {
	case tok == "nil":
		return value.Nil, false
	case tok == "true" || tok == "false":
		return value.MakeBool(tok == "true"), false
	case tok[0] == ':':
		return value.KW(tok[1:]), false
	case unicode.IsDigit(rune(tok[0])) || (len(tok) > 1 && tok[0] == '-' && unicode.IsDigit(rune(tok[1]))):
		if i, err := strconv.ParseInt(tok, 10, 64); err == nil {
			return value.MakeInt(i), false
		}
		f, _ := strconv.ParseFloat(tok, 64)
		return value.MakeFloat(f), false
	}
	return value.Sym(tok), false
}

// collTestQuoted marks a quoted list literal inside the reader's output.
type collTestQuoted struct{ *value.List }

func (r *collTestReader) coll(open byte) value.Value {
	closer := map[byte]byte{'(': ')', '[': ']', '{': '}', '#': '}'}[open]
	var elems []value.Value
	for {
		r.skip()
		if r.s[r.pos] == closer {
			r.pos++
			break
		}
		v, q := r.form()
		if l, ok := v.(*value.List); ok && q {
			v = collTestQuoted{l}
		}
		elems = append(elems, v)
	}
	switch open {
	case '(':
		return value.NewList(elems...)
	case '[':
		return value.NewVector(elems...)
	case '{':
		return value.NewMap(elems...)
	}
	return value.NewSet(elems...)
}

// eval evaluates a form read by collTestReader.
func collTestEval(v value.Value) (value.Value, error) {
	switch v := v.(type) {
	case collTestQuoted:
		return v.List, nil
	case value.Symbol:
		f, ok := collTestEnv[v.Name]
		if !ok {
			panic("unknown test symbol " + v.Name)
		}
		return f, nil
	case *value.Vector:
		out := value.EmptyVector
		for _, x := range v.Slice() {
			y, err := collTestEval(x)
			if err != nil {
				return nil, err
			}
			out = out.Conj(y)
		}
		return out, nil
	case *value.List:
		var vals []value.Value
		for _, x := range v.Slice() {
			y, err := collTestEval(x)
			if err != nil {
				return nil, err
			}
			vals = append(vals, y)
		}
		return collTestThread{}.Call(vals[0], vals[1:])
	}
	return v, nil
}

// collTestRun evaluates src and renders its value or error.
func collTestRun(src string) string {
	r := &collTestReader{s: src}
	f, q := r.form()
	if l, ok := f.(*value.List); ok && q {
		f = collTestQuoted{l}
	}
	v, err := collTestEval(f)
	if err != nil {
		return "error: " + err.Error()
	}
	return value.Repr(v)
}

// collTestCase is an input and its expected rendering.
type collTestCase struct{ in, want string }

func collTestCheck(t *testing.T, cases []collTestCase) {
	t.Helper()
	for _, c := range cases {
		if got := collTestRun(c.in); got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.in, got, c.want)
		}
	}
}
