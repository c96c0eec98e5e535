package reader

import (
	"math"
	"strings"
	"testing"

	"github.com/wetware/ww/lang/value"
)

var fuzzSeeds = []string{
	"", "42", "-7 +5 007 -0 9223372036854775808", "2.5 5. .5 1e10 +inf -Infinity +NaN inf",
	":a ::b :a/b : nil true false", `"a\nb\t\"\\ \u00e9 \x" "unterminated`, `"\ud800"`,
	"(a [b {:c d}] #{e})", "{:a 1 :b}", "(a ]", ")", "#(x)", "#_ #_ a b c", "[1 #_]",
	"'a `(b ~c ~@d) @e", "`(let [x# ~a] `(b ~~c ~@d))", "`~@x", "`{~@x 1}",
	"; comment\n(a ; more\n b)", "a'b a@b foo# x?", "\xff\xfe(\x80)", "é (ü [",
	strings.Repeat("(", 50) + strings.Repeat(")", 49),
}

// FuzzRead checks that reading never panics and that every failure is a
// parse error with a position.
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, read := range []func() error{
			func() error { _, err := ReadAll(src, "fuzz"); return err },
			func() error { _, err := ReadOne(src, "fuzz"); return err },
		} {
			err := read()
			if err == nil {
				continue
			}
			e, ok := err.(*value.Error)
			if !ok {
				t.Fatalf("%q: error %T %v is not a *value.Error", src, err, err)
			}
			if e.Pos == nil || e.Pos.File != "fuzz" || e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Fatalf("%q: error %v has position %+v", src, err, e.Pos)
			}
			if e.Tag() != "glia.error/parse" {
				t.Fatalf("%q: error %v is not a parse error", src, err)
			}
		}
	})
}

// special reports whether v contains a value whose printed form does not
// read back: a native function (from syntax-quote), an infinity or NaN.
func special(v value.Value) bool {
	found := false
	var walk func(v value.Value) bool
	walk = func(v value.Value) bool {
		switch x := v.(type) {
		case *value.Builtin:
			found = true
		case value.Float:
			if math.IsInf(float64(x), 0) || math.IsNaN(float64(x)) {
				found = true
			}
		case *value.Map:
			x.Each(func(k, e value.Value) bool { return walk(k) && walk(e) })
		case *value.List, *value.Vector, *value.Set:
			value.Each(x, walk)
		}
		return !found
	}
	walk(v)
	return found
}

// FuzzRoundTrip checks that printing a form readably and reading it back
// gives an equal form.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		vs, err := ReadAll(src, "fuzz")
		if err != nil {
			return
		}
		for _, v := range vs {
			if special(v) {
				continue
			}
			printed := value.Repr(v)
			back, err := ReadAll(printed, "printed")
			if err != nil {
				t.Fatalf("%q: printed form %q does not read: %v", src, printed, err)
			}
			if len(back) != 1 || !value.Equal(v, back[0]) || value.Repr(back[0]) != printed {
				t.Fatalf("%q: %q read back as %d forms: %v", src, printed, len(back), back)
			}
		}
	})
}
