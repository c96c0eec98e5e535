package reader

import (
	"math"
	"strings"
	"testing"

	"github.com/wetware/ww/lang/value"
)

// reprAll reads src and prints its forms readably, one space apart.
func reprAll(t *testing.T, src string) string {
	t.Helper()
	vs, err := ReadAll(src, "test")
	if err != nil {
		t.Fatalf("ReadAll(%q): %v", src, value.RenderWithPos(err))
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = value.Repr(v)
	}
	return strings.Join(parts, " ")
}

func TestAtoms(t *testing.T) {
	tests := []struct {
		src, want string
		kind      value.Kind
	}{
		// 2.3 rule 1: keywords, never split.
		{":a", ":a", value.KeywordKind},
		{":", ":", value.KeywordKind},
		{"::x", "::x", value.KeywordKind},
		{":a/b", ":a/b", value.KeywordKind},
		{":nil", ":nil", value.KeywordKind},
		{":123", ":123", value.KeywordKind},
		{":glia.error/type", ":glia.error/type", value.KeywordKind},
		// rule 2
		{"nil", "nil", value.NilKind},
		{"true", "true", value.BoolKind},
		{"false", "false", value.BoolKind},
		// rule 3: integers
		{"42", "42", value.IntKind},
		{"-7", "-7", value.IntKind},
		{"0", "0", value.IntKind},
		{"007", "7", value.IntKind},
		{"-0", "0", value.IntKind},
		{"+5", "5", value.IntKind},
		{"9223372036854775807", "9223372036854775807", value.IntKind},
		{"-9223372036854775808", "-9223372036854775808", value.IntKind},
		// rule 4: floats
		{"2.5", "2.5", value.FloatKind},
		{"1e10", "10000000000.0", value.FloatKind},
		{"1.5e-3", "0.0015", value.FloatKind},
		{"5.", "5.0", value.FloatKind},
		{".5", "0.5", value.FloatKind},
		{"-.5", "-0.5", value.FloatKind},
		{"+1.5E+2", "150.0", value.FloatKind},
		{"1.e2", "100.0", value.FloatKind},
		{"-0.0", "-0.0", value.FloatKind},
		{"1e20", "100000000000000000000.0", value.FloatKind},
		{"9223372036854775808", "9223372036854775808.0", value.FloatKind},
		{"-9223372036854775809", "-9223372036854775808.0", value.FloatKind},
		{"+inf", "inf", value.FloatKind},
		{"-inf", "-inf", value.FloatKind},
		{"-Infinity", "-inf", value.FloatKind},
		{"+INFINITY", "inf", value.FloatKind},
		{"+NaN", "NaN", value.FloatKind},
		{"-nan", "NaN", value.FloatKind},
		{"1e999", "inf", value.FloatKind},
		// rule 5: symbols
		{"inf", "inf", value.SymbolKind},
		{"nan", "nan", value.SymbolKind},
		{"Infinity", "Infinity", value.SymbolKind},
		{"+infx", "+infx", value.SymbolKind},
		{"1_000", "1_000", value.SymbolKind},
		{"0x10", "0x10", value.SymbolKind},
		{"1/2", "1/2", value.SymbolKind},
		{"1.5f", "1.5f", value.SymbolKind},
		{"1e", "1e", value.SymbolKind},
		{"1e+", "1e+", value.SymbolKind},
		{"1.2.3", "1.2.3", value.SymbolKind},
		{"-", "-", value.SymbolKind},
		{"+", "+", value.SymbolKind},
		{".", ".", value.SymbolKind},
		{"+.", "+.", value.SymbolKind},
		{"...", "...", value.SymbolKind},
		{"--1", "--1", value.SymbolKind},
		{"+-1", "+-1", value.SymbolKind},
		{"123abc", "123abc", value.SymbolKind},
		{"a/b", "a/b", value.SymbolKind},
		{"/", "/", value.SymbolKind},
		{"session::host", "session::host", value.SymbolKind},
		{"foo#", "foo#", value.SymbolKind},
		{"a@b", "a@b", value.SymbolKind},
		{"x?", "x?", value.SymbolKind},
		{`a\b`, `a\b`, value.SymbolKind},
		{"%&^", "%&^", value.SymbolKind},
		{"nil?", "nil?", value.SymbolKind},
		{"\f", "\f", value.SymbolKind},             // form feed is no whitespace
		{"a\u00a0b", "a\u00a0b", value.SymbolKind}, // nor is no-break space
		{"\xff", "\ufffd", value.SymbolKind},       // invalid UTF-8 reads as U+FFFD
	}
	for _, tt := range tests {
		vs, err := ReadAll(tt.src, "t")
		if err != nil || len(vs) != 1 {
			t.Errorf("ReadAll(%q) = %v, %v; want one form", tt.src, vs, err)
			continue
		}
		if got := value.Repr(vs[0]); got != tt.want || vs[0].Kind() != tt.kind {
			t.Errorf("ReadAll(%q) = %s (%s), want %s (%s)", tt.src, got, vs[0].Kind(), tt.want, tt.kind)
		}
	}
}

func TestKeywordNames(t *testing.T) {
	for src, name := range map[string]string{":": "", "::x": ":x", ":a/b": "a/b", ":a#": "a#"} {
		v, err := ReadOne(src, "t")
		if err != nil {
			t.Fatal(err)
		}
		if k, ok := v.(*value.Keyword); !ok || k != value.KW(name) {
			t.Errorf("ReadOne(%q) = %#v, want keyword named %q", src, v, name)
		}
	}
}

func TestFloatValues(t *testing.T) {
	for src, want := range map[string]float64{
		"+inf": math.Inf(1), "-Infinity": math.Inf(-1), "5.": 5, ".5": .5, "1e10": 1e10,
		"9223372036854775808": 9223372036854775808,
	} {
		v, err := ReadOne(src, "t")
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := v.(value.Float); !ok || float64(f) != want {
			t.Errorf("ReadOne(%q) = %#v, want %v", src, v, want)
		}
	}
	v, _ := ReadOne("+NaN", "t")
	if f, ok := v.(value.Float); !ok || !math.IsNaN(float64(f)) {
		t.Errorf("ReadOne(+NaN) = %#v", v)
	}
	v, _ = ReadOne("-0.0", "t")
	if f, ok := v.(value.Float); !ok || !math.Signbit(float64(f)) {
		t.Errorf("ReadOne(-0.0) = %#v, want negative zero", v)
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ src, want string }{
		{`"hello world"`, "hello world"},
		{`""`, ""},
		{`"a\nb\tc\rd"`, "a\nb\tc\rd"},
		{`"q\"q"`, `q"q`},
		{`"b\\s"`, `b\s`},
		{`"\x"`, `\x`},
		{`"\a\b\0\/"`, `\a\b\0\/`},
		{`"\é"`, `\é`},
		{"\"\\\n\"", "\\\n"},
		{`"\u00e9"`, "é"},
		{`"\u00E9\u0041"`, "éA"},
		{`"\u0000"`, "\x00"},
		{`"\uffff"`, "\uffff"},
		{`"\u20ac1"`, "€1"},
		{"\"a\nb\"", "a\nb"},
		{`"(not [a] {list})"`, "(not [a] {list})"},
		{`"; not a comment"`, "; not a comment"},
		{"\"\xff\"", "\ufffd"},
	}
	for _, tt := range tests {
		v, err := ReadOne(tt.src, "t")
		if err != nil {
			t.Errorf("ReadOne(%q): %v", tt.src, err)
			continue
		}
		if s, ok := v.(value.String); !ok || string(s) != tt.want {
			t.Errorf("ReadOne(%q) = %#v, want %q", tt.src, v, tt.want)
		}
	}
	// Unknown escapes keep both characters: (count "\x") is 2.
	v, _ := ReadOne(`"\x"`, "t")
	if n := value.Count(v); n != 2 {
		t.Errorf(`count "\x" = %d, want 2`, n)
	}
}

func TestForms(t *testing.T) {
	tests := []struct{ src, want string }{
		// 2.1 whitespace and comments
		{"[1, 2, 3]", "[1 2 3]"},
		{"[1\t2\r\n3\n]", "[1 2 3]"},
		{"; just a comment", ""},
		{"; comment\n42", "42"},
		{";; node configuration\n{:port     2025\n :key-file \"~/.ww/key\"}", `{:port 2025 :key-file "~/.ww/key"}`},
		{"(a ; comment ) ]\n b)", "(a b)"},
		{"a;b\nc", "a c"},
		{"", ""},
		{" ,\t\r\n", ""},
		// 2.2 token boundaries
		{"a'b", "a (quote b)"},
		{"a\"s\"b", `a "s" b`},
		{"a;c\nb", "a b"},
		{"a`b", "a (quote b)"},
		{"a~b", "a (unquote b)"},
		{"(a)(b)[c]{d e}#{f}", "(a) (b) [c] {d e} #{f}"},
		{"a#{b c}", "a# {b c}"},
		// 2.5 collections
		{"()", "()"},
		{"(a (b (c)))", "(a (b (c)))"},
		{"[]", "[]"},
		{"{}", "{}"},
		{"#{}", "#{}"},
		{"{:a 1 :b 2}", "{:a 1 :b 2}"},
		{"{:a 1 :b 2 :a 3}", "{:a 3 :b 2}"},
		{"{:a 1 :a 2}", "{:a 2}"},
		{"#{:b :a :b}", "#{:b :a}"},
		{"#{1 1.0}", "#{1 1.0}"},
		{"#{[1] (1)}", "#{[1]}"},
		{`{:images ["a" "b"] :flags #{:verbose}}`, `{:images ["a" "b"] :flags #{:verbose}}`},
		// 2.6 reader macros
		{"'x", "(quote x)"},
		{"'()", "(quote ())"},
		{"''x", "(quote (quote x))"},
		{"@x", "(deref x)"},
		{"@@x", "(deref (deref x))"},
		{"~x", "(unquote x)"},
		{"~@x", "(splice-unquote x)"},
		{"~ @x", "(unquote (deref x))"},
		{"' x", "(quote x)"},
		{"'\n;c\nx", "(quote x)"},
		{"[@a b@c]", "[(deref a) b@c]"},
		{"#{'a}", "#{(quote a)}"},
		// 2.1 discards
		{"#_(frobnicate) 42", "42"},
		{"(+ 1 #_ 100 2)", "(+ 1 2)"},
		{"[1 #_#_ 2 3 4]", "[1 4]"},
		{"[1 #_ #_ 2 3 4]", "[1 4]"},
		{"{:a 1 #_:b #_2}", "{:a 1}"},
		{"{:a #_:b 1}", "{:a 1}"},
		{"1 #_2", "1"},
		{"#_1", ""},
		{"'#_a b", "(quote b)"},
		{"'#_#_a b c", "(quote c)"},
		{"#_'a b", "b"},
		{"#_ `(a ~@b) c", "c"},
		{"(#_a)", "()"},
		{"#{#_a}", "#{}"},
		{"#_[1 2 #_3] x", "x"},
	}
	for _, tt := range tests {
		if got := reprAll(t, tt.src); got != tt.want {
			t.Errorf("ReadAll(%q) = %s, want %s", tt.src, got, tt.want)
		}
	}
}

func TestKindsAreDistinct(t *testing.T) {
	vs, err := ReadAll("() [] {} #{} \"\" x :x", "t")
	if err != nil {
		t.Fatal(err)
	}
	want := []value.Kind{value.ListKind, value.VectorKind, value.MapKind, value.SetKind, value.StringKind, value.SymbolKind, value.KeywordKind}
	for i, v := range vs {
		if v.Kind() != want[i] {
			t.Errorf("form %d: kind %s, want %s", i, v.Kind(), want[i])
		}
	}
}

// errorCase is a read error: its exact message and the line and column
// it is reported at.
type errorCase struct {
	src       string
	msg       string
	line, col int
}

var errorCases = []errorCase{
	// unclosed collections are reported at their opening delimiter
	{"(a b", "unclosed list", 1, 1},
	{"[1 2 3", "unclosed vector", 1, 1},
	{"{:a 1", "unclosed map", 1, 1},
	{"#{1 2", "unclosed set", 1, 1},
	{"(a\n  [b\n (c)", "unclosed vector", 2, 3},
	{"(a (b) ", "unclosed list", 1, 1},
	{"é (", "unclosed list", 1, 3},
	{"'(", "unclosed list", 1, 2},
	{"(\"a\" ", "unclosed list", 1, 1},
	// unexpected closers at the closer
	{")", "unexpected )", 1, 1},
	{"]", "unexpected ]", 1, 1},
	{"}", "unexpected }", 1, 1},
	{"(a ]", "unexpected ]", 1, 4},
	{"[a }", "unexpected }", 1, 4},
	{"{a )", "unexpected )", 1, 4},
	{"#{a ]", "unexpected ]", 1, 5},
	{"(a))", "unexpected )", 1, 4},
	{"x\n  )", "unexpected )", 2, 3},
	// a reader macro or discard meeting a closer: the closer is unexpected
	{"(a ')", "unexpected )", 1, 5},
	{"[1 #_]", "unexpected ]", 1, 6},
	{"(@)", "unexpected )", 1, 3},
	{"{:a 1 #_}", "unexpected }", 1, 9},
	// # followed by anything but { or _
	{"#(+ 1 2)", "unexpected character after #", 1, 1},
	{"#", "unexpected character after #", 1, 1},
	{"# a", "unexpected character after #", 1, 1},
	{"#:a", "unexpected character after #", 1, 1},
	{"#\"x\"", "unexpected character after #", 1, 1},
	{"#[]", "unexpected character after #", 1, 1},
	{"a #b", "unexpected character after #", 1, 3},
	{"'#x", "unexpected character after #", 1, 2},
	// strings: reported where detected
	{`"abc`, "unterminated string", 1, 5},
	{"\"a\nbc", "unterminated string", 2, 3},
	{`(f "abc`, "unterminated string", 1, 8},
	{`"abc\`, "unterminated string escape", 1, 6},
	{`"\u12"`, "invalid unicode escape", 1, 2},
	{`"\u123"`, "invalid unicode escape", 1, 2},
	{`"\u12g4"`, "invalid unicode escape", 1, 2},
	{`"\u"`, "invalid unicode escape", 1, 2},
	{`"ab\u12`, "invalid unicode escape", 1, 4},
	{`"\ud800"`, "invalid unicode escape", 1, 2},
	{`"\uDFFF"`, "invalid unicode escape", 1, 2},
	{`"\U0041"`, "", 0, 0}, // \U is an unknown escape: kept, no error
	// maps, at the closing brace
	{"{:a 1 :b}", "map must have an even number of elements", 1, 9},
	{"{:a}", "map must have an even number of elements", 1, 4},
	{"{:a 1 #_:b :c}", "map must have an even number of elements", 1, 14},
	// end of input after a reader macro or discard
	{"42 #_", "unexpected end of input", 1, 6},
	{"'", "unexpected end of input", 1, 2},
	{"`", "unexpected end of input", 1, 2},
	{"~", "unexpected end of input", 1, 2},
	{"~@", "unexpected end of input", 1, 3},
	{"@", "unexpected end of input", 1, 2},
	{"'  ; comment", "unexpected end of input", 1, 13},
	{"#_ x #_", "unexpected end of input", 1, 8},
	{"' #_ x", "unexpected end of input", 1, 7},
	{"(a\n'\n", "unexpected end of input", 3, 1},
	// syntax-quote
	{"`~@x", "splice-unquote (~@) not inside list", 1, 2},
	{"  `~@(f x)", "splice-unquote (~@) not inside list", 1, 4},
	{"`{~@x 1}", "splice-unquote (~@) not inside list", 1, 3},
	{"`{:a ~@x}", "splice-unquote (~@) not inside list", 1, 6},
	{"`(splice-unquote x)", "splice-unquote (~@) not inside list", 1, 2}, // the marker list itself
	{"`((splice-unquote x))", "", 0, 0},                                  // inside a list: fine
	{"`[~@x]", "", 0, 0},
	{"`#{~@x}", "", 0, 0},
	{"`(a `~~@x)", "splice-unquote (~@) not inside list", 1, 7},
	{"`(a `(b ~@~@x))", "splice-unquote (~@) not inside list", 1, 11},
	{"`(a `(b ~~@x))", "splice-unquote (~@) not inside list", 1, 10}, // T(e, d-1) of the unquote's e
	{"`(a `(b ~~x))", "", 0, 0},
	{"`(a `~@x)", "", 0, 0},
	{"`(a) `(b ~@c) `~@d", "splice-unquote (~@) not inside list", 1, 16},
	{"a#{b}", "map must have an even number of elements", 1, 5},
	// the first error in reading order wins
	{"`~@x )", "splice-unquote (~@) not inside list", 1, 2},
	{") `~@x", "unexpected )", 1, 1},
	{"(`~@x", "splice-unquote (~@) not inside list", 1, 3},
	{"`[~@x", "unclosed vector", 1, 2},
	{"{:a} \"", "map must have an even number of elements", 1, 4},
	{"\"\\u1\" )", "invalid unicode escape", 1, 2},
	{"(a] \"", "unexpected ]", 1, 3},
}

func checkError(t *testing.T, fn string, err error, tc errorCase) {
	t.Helper()
	if tc.msg == "" {
		if err != nil {
			t.Errorf("%s(%q): unexpected error %v", fn, tc.src, err)
		}
		return
	}
	e, ok := err.(*value.Error)
	if !ok {
		t.Errorf("%s(%q) = %v (%T), want *value.Error %q", fn, tc.src, err, err, tc.msg)
		return
	}
	if got, want := e.Error(), "[glia.error/parse] "+tc.msg; got != want {
		t.Errorf("%s(%q): error %q, want %q", fn, tc.src, got, want)
	}
	if e.Pos == nil || e.Pos.File != "test.glia" || e.Pos.Line != tc.line || e.Pos.Col != tc.col {
		t.Errorf("%s(%q): position %+v, want test.glia:%d:%d", fn, tc.src, e.Pos, tc.line, tc.col)
	}
	m := e.Val.(*value.Map)
	if loc, _ := m.Get(value.KW("glia.error/source-location")); loc != value.String(itoa(tc.line)+":"+itoa(tc.col)) {
		t.Errorf("%s(%q): source-location %v", fn, tc.src, loc)
	}
}

func itoa(i int) string { return value.Repr(value.MakeInt(int64(i))) }

func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		_, err := ReadAll(tc.src, "test.glia")
		checkError(t, "ReadAll", err, tc)
	}
}

func TestErrorRendering(t *testing.T) {
	_, err := ReadAll("(a\n b", "prog.glia")
	if got, want := value.RenderWithPos(err), "prog.glia:1:1: [glia.error/parse] unclosed list"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadOne(t *testing.T) {
	tests := []struct {
		src, want string
		err       errorCase
	}{
		{src: "1 2", want: "1"},
		{src: "  (a b) (c", want: "(a b)"},
		{src: "x )", want: "x"},
		{src: "x \"unterminated", want: "x"},
		{src: "#_ x 5", want: "5"},
		{src: "'a b", want: "(quote a)"},
		{src: "`(a ~b) `~@c", want: "(#<native-fn concat> (#<native-fn list> (quote a)) (#<native-fn list> b))"},
		{src: "", err: errorCase{"", "empty input", 1, 1}},
		{src: "  ; c\n ", err: errorCase{"", "empty input", 2, 2}},
		{src: "#_ x", err: errorCase{"", "empty input", 1, 5}},
		{src: "é", want: "é"},
		{src: "#_", err: errorCase{"", "unexpected end of input", 1, 3}},
		{src: "(1", err: errorCase{"", "unclosed list", 1, 1}},
		{src: ")", err: errorCase{"", "unexpected )", 1, 1}},
		{src: "`~@x 1", err: errorCase{"", "splice-unquote (~@) not inside list", 1, 2}},
	}
	for _, tt := range tests {
		v, err := ReadOne(tt.src, "test.glia")
		if tt.err.msg != "" {
			tt.err.src = tt.src
			checkError(t, "ReadOne", err, tt.err)
			continue
		}
		if err != nil {
			t.Errorf("ReadOne(%q): %v", tt.src, err)
			continue
		}
		if got := value.Repr(v); got != tt.want {
			t.Errorf("ReadOne(%q) = %s, want %s", tt.src, got, tt.want)
		}
	}
}

func TestIncomplete(t *testing.T) {
	for src, want := range map[string]bool{
		"(a": true, "[": true, "{:a": true, "#{": true, `"ab`: true, `"a\`: true, "'": true, "#_": true,
		")": false, "#x": false, "{:a}": false, `"\u1"`: false, "`~@x": false,
	} {
		_, err := ReadAll(src, "t")
		if got := Incomplete(err); got != want {
			t.Errorf("Incomplete(ReadAll(%q)) = %v, want %v (err %v)", src, got, want, err)
		}
	}
	if Incomplete(nil) || Incomplete(value.SyntaxError("x")) {
		t.Error("Incomplete of a non-read error")
	}
}

func TestNesting(t *testing.T) {
	deep := func(n int, open, close string) string {
		return strings.Repeat(open, n) + "x" + strings.Repeat(close, n)
	}
	if _, err := ReadAll(deep(10000, "(", ")"), "t"); err != nil {
		t.Errorf("10000 levels: %v", err)
	}
	if _, err := ReadAll(deep(10000, "'", ""), "t"); err != nil {
		t.Errorf("10000 quotes: %v", err)
	}
	if _, err := ReadAll("`"+deep(9999, "[", "]"), "t"); err != nil {
		t.Errorf("syntax-quote of 9999 levels: %v", err)
	}
	for _, src := range []string{
		deep(10001, "(", ")"),
		deep(10001, "[", "]"),
		deep(10001, "#{", "}"),
		deep(10001, "'", ""),
		strings.Repeat("(", 5000) + deep(5001, "[", "]") + strings.Repeat(")", 5000),
		strings.Repeat("(", 1_000_000),
		strings.Repeat("#_", 10001) + "x",
	} {
		_, err := ReadAll(src, "test.glia")
		if e, ok := err.(*value.Error); !ok || e.Error() != "[glia.error/parse] nesting too deep" || e.Pos == nil {
			t.Errorf("ReadAll(deep %d): %v", len(src), err)
		}
	}
	// The error is at the opening token of level 10001.
	_, err := ReadAll(strings.Repeat("(", 10001), "t")
	if e := err.(*value.Error); e.Pos.Col != 10001 {
		t.Errorf("nesting too deep at column %d, want 10001", e.Pos.Col)
	}
	_, err = ReadAll(strings.Repeat("#{", 10001), "t")
	if e := err.(*value.Error); e.Pos.Col != 20001 {
		t.Errorf("nesting too deep at column %d, want 20001", e.Pos.Col)
	}
}

func TestPositions(t *testing.T) {
	src := "(a\n  [b {:k c}]\n\t#{d} 'e `f)\n;; é\né(g)"
	vs, err := ReadAll(src, "pos.glia")
	if err != nil {
		t.Fatal(err)
	}
	type at struct{ line, col int }
	var got []string
	var walk func(v value.Value)
	record := func(v value.Value, p *value.Pos) {
		if p == nil {
			t.Errorf("%s has no position", value.Repr(v))
			return
		}
		if p.File != "pos.glia" {
			t.Errorf("%s in file %q", value.Repr(v), p.File)
		}
		got = append(got, value.Repr(v)+"@"+itoa(p.Line)+":"+itoa(p.Col))
	}
	walk = func(v value.Value) {
		switch v := v.(type) {
		case value.Symbol:
			record(v, v.Pos)
		case *value.List:
			record(v, v.Pos)
			v.Each(func(x value.Value) bool { walk(x); return true })
		case *value.Vector:
			record(v, v.Pos)
			v.Each(func(x value.Value) bool { walk(x); return true })
		case *value.Set:
			record(v, v.Pos)
			v.Each(func(x value.Value) bool { walk(x); return true })
		case *value.Map:
			record(v, v.Pos)
			v.Each(func(k, x value.Value) bool { walk(k); walk(x); return true })
		}
	}
	for _, v := range vs {
		walk(v)
	}
	want := []string{
		"(a [b {:k c}] #{d} (quote e) (quote f))@1:1",
		"a@1:2",
		"[b {:k c}]@2:3",
		"b@2:4",
		"{:k c}@2:6",
		"c@2:10",
		"#{d}@3:2",
		"d@3:4",
		"(quote e)@3:7",
		"quote@3:7",
		"e@3:8",
		"(quote f)@3:10", // generated by syntax-quote: at the backtick
		"quote@3:10",
		"f@3:11",
		"é@5:1",
		"(g)@5:2",
		"g@5:3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("positions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEmptyCollectionsAreNotShared(t *testing.T) {
	vs, err := ReadAll("[] {} #{} ()", "t")
	if err != nil {
		t.Fatal(err)
	}
	if value.EmptyVector.Pos != nil || value.EmptyMap.Pos != nil || value.EmptySet.Pos != nil || value.EmptyList.Pos != nil {
		t.Fatal("reader positioned a shared empty collection")
	}
	if vs[0].(*value.Vector).Pos == nil || vs[1].(*value.Map).Pos == nil || vs[2].(*value.Set).Pos == nil || vs[3].(*value.List).Pos == nil {
		t.Fatal("empty collection without position")
	}
}

func TestLargeCollections(t *testing.T) {
	// Both sides of the 32 and 1056 element boundaries of the vector trie.
	for _, n := range []int{31, 32, 33, 1055, 1056, 1057, 5000} {
		var b strings.Builder
		for i := range n {
			b.WriteString(itoa(i))
			b.WriteByte(' ')
			b.WriteString(itoa(i))
			b.WriteByte(' ')
		}
		body := b.String()
		vs, err := ReadAll("["+body+"] ("+body+") {"+body+"} #{"+body+"}", "t")
		if err != nil {
			t.Fatal(err)
		}
		vec := vs[0].(*value.Vector)
		if vec.Count() != 2*n || vec.Nth(2*n-1) != value.MakeInt(int64(n-1)) || vec.Pos == nil {
			t.Errorf("vector of %d: count %d", 2*n, vec.Count())
		}
		if l := vs[1].(*value.List); l.Count() != 2*n {
			t.Errorf("list of %d: count %d", 2*n, l.Count())
		}
		m := vs[2].(*value.Map)
		if got, _ := m.Get(value.MakeInt(int64(n - 1))); m.Count() != n || got != value.MakeInt(int64(n-1)) || m.Pos == nil {
			t.Errorf("map of %d entries: count %d", n, m.Count())
		}
		if s := vs[3].(*value.Set); s.Count() != n || s.Pos == nil {
			t.Errorf("set of %d: count %d", n, s.Count())
		}
	}
}
