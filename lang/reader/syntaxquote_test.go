package reader

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wetware/ww/lang/value"
)

// eval is just enough of an evaluator to run syntax-quote expansions:
// quote, symbols looked up in env, calls of native functions, vectors.
func eval(v value.Value, env map[string]value.Value) (value.Value, error) {
	switch v := v.(type) {
	case value.Symbol:
		x, ok := env[v.Name]
		if !ok {
			return nil, fmt.Errorf("unbound %s", v.Name)
		}
		return x, nil
	case *value.Vector:
		var out []value.Value
		for _, x := range v.Slice() {
			y, err := eval(x, env)
			if err != nil {
				return nil, err
			}
			out = append(out, y)
		}
		return value.NewVector(out...), nil
	case *value.List:
		if v.Count() == 0 {
			return v, nil
		}
		if s, ok := v.First().(value.Symbol); ok && s.Name == "quote" {
			return v.Rest().First(), nil
		}
		head, err := eval(v.First(), env)
		if err != nil {
			return nil, err
		}
		fn, ok := head.(*value.Builtin)
		if !ok {
			return nil, fmt.Errorf("not callable: %s", value.Repr(head))
		}
		var args []value.Value
		for _, x := range v.Rest().Slice() {
			y, err := eval(x, env)
			if err != nil {
				return nil, err
			}
			args = append(args, y)
		}
		return fn.Fn(nil, args)
	}
	return v, nil
}

var plus = value.NewBuiltin("+", func(_ value.Thread, args []value.Value) (value.Value, error) {
	n := int64(0)
	for _, a := range args {
		n += int64(a.(value.Int))
	}
	return value.MakeInt(n), nil
})

func TestSyntaxQuoteResults(t *testing.T) {
	// The syntax-quote cases of the conformance corpus and the examples of
	// spec 9.4, with the let bindings given as env. The built-ins a
	// program might redefine (list, concat, vec) are bound to junk: the
	// expansion must not look them up.
	junk := value.MakeInt(666)
	tests := []struct {
		src  string
		env  map[string]value.Value
		want string
	}{
		{"`x", nil, "x"},
		{"[`42 `nil `:foo `\"s\" `1.5 `true]", nil, `[42 nil :foo "s" 1.5 true]`},
		{"`(a ~@v ~@nil)", map[string]value.Value{"v": value.NewVector(value.MakeInt(2), value.MakeInt(3))}, "(a 2 3)"},
		{"`[a ~b]", map[string]value.Value{"b": value.MakeInt(2)}, "[a 2]"},
		{"`(a (b ~c))", map[string]value.Value{"c": value.MakeInt(3)}, "(a (b 3))"},
		{"`~x", map[string]value.Value{"x": value.MakeInt(5)}, "5"},
		{"`(a '(unquote b))", map[string]value.Value{"b": value.MakeInt(2)}, "(a (quote 2))"},
		{"`(a '~x)", map[string]value.Value{"x": value.MakeInt(1)}, "(a (quote 1))"},
		{"`(a `(b ~c))", nil, "(a (syntax-quote (b (unquote c))))"},
		{"`(a `(b ~~c))", map[string]value.Value{"c": value.MakeInt(9)}, "(a (syntax-quote (b (unquote 9))))"},
		{"`(a `(b ~@c))", nil, "(a (syntax-quote (b (splice-unquote c))))"},
		{"`(a `(b ~~@c))", nil, "error"},
		{"``x", nil, "(syntax-quote x)"},
		{"```x", nil, "(syntax-quote (syntax-quote x))"},
		{"`(if ~test (do ~@body) nil)", map[string]value.Value{"test": value.True, "body": value.NewList(value.MakeInt(1), value.MakeInt(2), value.MakeInt(3))}, "(if true (do 1 2 3) nil)"},
		{"`(if ~test (do ~@body) nil)", map[string]value.Value{"test": value.False, "body": value.EmptyList}, "(if false (do) nil)"},
		{"`(a ~(+ 1 2))", map[string]value.Value{"+": plus}, "(a 3)"},
		{"`(a ~@[1 2])", nil, "(a 1 2)"},
		{"`[~(+ 1 1)]", map[string]value.Value{"+": plus}, "[2]"},
		{"`#{~@[1 2]}", nil, "#{1 2}"},
		{"`#{a ~(+ 1 1)}", map[string]value.Value{"+": plus}, "#{a 2}"},
		{"`#{~@[1 2 1]}", nil, "#{1 2}"},
		{"`{:a ~b :c [d]}", map[string]value.Value{"b": value.MakeInt(1)}, "{:a 1 :c [d]}"},
		// The form is read raw first: the two (unquote k) keys are one key.
		{"`{~k ~v ~k 2}", map[string]value.Value{"k": value.KW("a"), "v": value.MakeInt(1)}, "{:a 2}"},
		{"`()", nil, "()"},
		{"`[]", nil, "[]"},
		{"`{}", nil, "{}"},
		{"`#{}", nil, "#{}"},
		{"`(())", nil, "(())"},
		{"`(a ~@\"xy\")", nil, `(a "x" "y")`},
		{"`(a ~@{:k 1})", nil, "(a [:k 1])"},
		{"`(a ~@#{1})", nil, "(a 1)"},
		{"`(a . b)", nil, "(a . b)"},
		{"`(quote x)", nil, "(quote x)"},
		{"`(unquote)", nil, "(unquote)"},
		{"`(unquote a b)", nil, "(unquote a b)"},
		{"`@x", nil, "(deref x)"},
		{"`(f @~x)", map[string]value.Value{"x": value.MakeInt(1)}, "(f (deref 1))"},
		{"`[a #_b c]", nil, "[a c]"},
		{"`(~@a ~@b)", map[string]value.Value{"a": value.Nil, "b": value.Nil}, "()"},
		{"`(a ~@5)", nil, "error"},
	}
	for _, tt := range tests {
		env := map[string]value.Value{"list": junk, "concat": junk, "vec": junk, "set": junk, "hash-map": junk, "assoc": junk}
		for k, v := range tt.env {
			env[k] = v
		}
		form, err := ReadOne(tt.src, "t")
		var got string
		if err == nil {
			var v value.Value
			v, err = eval(form, env)
			if err == nil {
				got = value.Repr(v)
			}
		}
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("%s => %s (err %v), want %s", tt.src, got, err, tt.want)
		}
	}
}

func TestSyntaxQuoteExpansion(t *testing.T) {
	tests := []struct{ src, want string }{
		{"`x", "(quote x)"},
		{"`()", "(#<native-fn list>)"},
		{"`42", "42"},
		{"`(a ~b ~@c)", "(#<native-fn concat> (#<native-fn list> (quote a)) (#<native-fn list> b) c)"},
		{"`[a]", "(#<native-fn vec> (#<native-fn concat> (#<native-fn list> (quote a))))"},
		{"`#{a}", "(#<native-fn set> (#<native-fn concat> (#<native-fn list> (quote a))))"},
		{"`{a b}", "(#<native-fn hash-map> (quote a) (quote b))"},
		{"`(`a)", "(#<native-fn concat> (#<native-fn list> (#<native-fn list> (quote syntax-quote) (quote a))))"},
		{"`(`~a)", "(#<native-fn concat> (#<native-fn list> (#<native-fn list> (quote syntax-quote) (#<native-fn list> (quote unquote) (quote a)))))"},
	}
	for _, tt := range tests {
		if got := reprAll(t, tt.src); got != tt.want {
			t.Errorf("%s => %s, want %s", tt.src, got, tt.want)
		}
	}
	// The heads are the built-in values themselves.
	v, _ := ReadOne("`(a ~b)", "t")
	l := v.(*value.List)
	if l.First() != value.Value(SQConcat) || l.Rest().First().(*value.List).First() != value.Value(SQList) {
		t.Errorf("heads are not SQConcat/SQList: %s", value.Repr(v))
	}
	// Generated lists are positioned at the syntax-quote.
	v, _ = ReadOne("\n  `(a [b])", "t")
	var check func(v value.Value)
	check = func(v value.Value) {
		if l, ok := v.(*value.List); ok {
			if l.Pos == nil || l.Pos.Line != 2 || l.Pos.Col != 3 {
				t.Errorf("%s at %+v, want 2:3", value.Repr(l), l.Pos)
			}
			l.Each(func(x value.Value) bool { check(x); return true })
		}
	}
	check(v)
}

var gensymRE = regexp.MustCompile(`^([a-z#]*)__(\d+)__auto__$`)

func TestAutoGensym(t *testing.T) {
	v, err := ReadOne("`(let [v# ~a w# 1] (if v# v# `(~w# x# ~'y#)))", "t")
	if err != nil {
		t.Fatal(err)
	}
	got, err := eval(v, map[string]value.Value{"a": value.MakeInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	// Collect the gensyms by name.
	ns := map[string]string{}
	var walk func(v value.Value)
	walk = func(v value.Value) {
		switch v := v.(type) {
		case value.Symbol:
			if m := gensymRE.FindStringSubmatch(v.Name); m != nil {
				if n, ok := ns[m[1]]; ok && n != m[2] {
					t.Errorf("%s# has numbers %s and %s", m[1], n, m[2])
				}
				ns[m[1]] = m[2]
			} else if strings.HasSuffix(v.Name, "#") {
				t.Errorf("%s not replaced", v.Name)
			}
		case *value.List, *value.Vector:
			value.Each(v, func(x value.Value) bool { walk(x); return true })
		}
	}
	walk(got)
	if len(ns) != 4 || ns["v"] == "" || ns["v"] != ns["w"] || ns["v"] != ns["x"] || ns["v"] != ns["y"] {
		t.Errorf("gensyms %v in %s: want v, w, x, y with one number", ns, value.Repr(got))
	}
	// Another syntax-quote gets another number; x# outside is a symbol.
	vs, err := ReadAll("`a# `a# a# `[b## #_c#]", "t")
	if err != nil {
		t.Fatal(err)
	}
	a1, a2 := value.Repr(vs[0]), value.Repr(vs[1])
	if a1 == a2 || !strings.HasPrefix(a1, "(quote a__") || !strings.HasPrefix(a2, "(quote a__") {
		t.Errorf("two syntax-quotes gave %s and %s", a1, a2)
	}
	if got := value.Repr(vs[2]); got != "a#" {
		t.Errorf("a# outside syntax-quote read as %s", got)
	}
	if got := value.Repr(vs[3]); !regexp.MustCompile(`\(quote b#__\d+__auto__\)`).MatchString(got) {
		t.Errorf("`[b##] read as %s", got)
	}
	// Keywords and strings are not gensyms.
	if got := reprAll(t, "`[:a# \"b#\"]"); !strings.Contains(got, ":a# \"b#\"") && !strings.Contains(got, "(#<native-fn list> :a#) (#<native-fn list> \"b#\")") {
		t.Errorf("keyword/string changed: %s", got)
	}
	// The counter is shared with NextGensymID.
	n := NextGensymID()
	v, _ = ReadOne("`z#", "t")
	if got, want := value.Repr(v), fmt.Sprintf("(quote z__%d__auto__)", n+1); got != want {
		t.Errorf("after NextGensymID() = %d, `z# => %s, want %s", n, got, want)
	}
	// A syntax-quote without auto-gensyms does not use a number.
	ReadOne("`(a b)", "t")
	if m := NextGensymID(); m != n+2 {
		t.Errorf("NextGensymID() = %d, want %d", m, n+2)
	}
}

func TestNextGensymIDConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]bool{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				n := NextGensymID()
				mu.Lock()
				if seen[n] {
					t.Errorf("duplicate %d", n)
				}
				seen[n] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func TestSQBuiltins(t *testing.T) {
	i := func(n int64) value.Value { return value.MakeInt(n) }
	call := func(b *value.Builtin, args ...value.Value) string {
		v, err := b.Fn(nil, args)
		if err != nil {
			return "error: " + err.Error()
		}
		return value.Repr(v)
	}
	tests := []struct{ got, want string }{
		{call(SQList), "()"},
		{call(SQList, i(1), value.NewVector(i(2))), "(1 [2])"},
		{call(SQConcat), "()"},
		{call(SQConcat, value.Nil, value.NewList(i(1)), value.NewVector(i(2), i(3)), value.NewSet(i(4)), value.String("ab"), value.NewMap(i(5), i(6))), `(1 2 3 4 "a" "b" [5 6])`},
		{call(SQConcat, value.NewList(i(1)), i(5)), "error: [glia.error/type-mismatch] concat: expected seqable, got int"},
		{call(SQVec, value.NewList(i(1), i(2))), "[1 2]"},
		{call(SQVec, value.Nil), "[]"},
		{call(SQVec, i(1)), "error: [glia.error/type-mismatch] vec: expected seqable, got int"},
		{call(SQVec), "error: [glia.error/arity-mismatch] vec: expected 1 arg(s), got 0"},
		{call(SQSet, value.NewList(i(2), i(1), i(2))), "#{2 1}"},
		{call(SQSet, value.Nil), "#{}"},
		{call(SQSet, i(1)), "error: [glia.error/type-mismatch] set: expected seqable, got int"},
		{call(SQMap), "{}"},
		{call(SQMap, value.KW("a"), i(1), value.KW("b"), i(2), value.KW("a"), i(3)), "{:a 3 :b 2}"},
		{call(SQMap, value.KW("a")), "error: [glia.error/invalid-argument] hash-map: expected an even number of arguments"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
	for _, b := range []*value.Builtin{SQList, SQConcat, SQVec, SQSet, SQMap} {
		if b.Doc == "" || b.Name == "" || b.Kind() != value.NativeFnKind {
			t.Errorf("%s: incomplete built-in", b.Name)
		}
	}
}
