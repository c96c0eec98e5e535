package stdlib

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/wetware/ww/lang/value"
)

// numThread is a minimal value.Thread for calling built-ins directly: it
// records output and cannot call Glia functions.
type numThread struct{ out bytes.Buffer }

func (t *numThread) Call(fn value.Value, args []value.Value) (value.Value, error) {
	if b, ok := fn.(*value.Builtin); ok {
		return b.Fn(t, args)
	}
	return nil, value.TypeError("call", "callable", fn)
}

func (t *numThread) Out() io.Writer { return &t.out }

// numCase is one call of a built-in: the module ("" for the core layer),
// the function, its arguments and the expected Repr of the result or the
// expected error rendering (prefix "error: ").
type numCase struct {
	fn   string
	args []value.Value
	want string
}

// numLookup finds a Def by module and name among this package's tables.
func numLookup(t *testing.T, module, name string) Def {
	t.Helper()
	var defs []Def
	if module == "" {
		for _, tab := range [][]Def{numDefs, strDefs, predDefs, bytesDefs} {
			defs = append(defs, tab...)
		}
	} else {
		defs = moduleTables[module]
	}
	for _, d := range defs {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no built-in %q in %q", name, module)
	return Def{}
}

// numCall calls module/name through the arity-checking wrapper and returns
// the Repr of the result or "error: " and the rendering; out receives
// what it printed.
func numCall(t *testing.T, module, name string, args ...value.Value) (result, out string) {
	t.Helper()
	th := &numThread{}
	v, err := numLookup(t, module, name).Builtin().Fn(th, args)
	if err != nil {
		return "error: " + err.Error(), th.out.String()
	}
	if v == nil {
		t.Fatalf("%s returned Go nil", name)
	}
	return value.Repr(v), th.out.String()
}

func numRun(t *testing.T, module string, cases []numCase) {
	t.Helper()
	for _, c := range cases {
		got, _ := numCall(t, module, c.fn, c.args...)
		if got != c.want {
			var b strings.Builder
			for _, a := range c.args {
				b.WriteByte(' ')
				b.WriteString(value.Repr(a))
			}
			t.Errorf("(%s%s) = %s, want %s", c.fn, b.String(), got, c.want)
		}
	}
}

// Short constructors for test tables.
func vi(i int64) value.Value           { return value.MakeInt(i) }
func vf(f float64) value.Value         { return value.MakeFloat(f) }
func vs(s string) value.Value          { return value.MakeString(s) }
func vk(s string) value.Value          { return value.KW(s) }
func vv(xs ...value.Value) value.Value { return value.NewVector(xs...) }
func vl(xs ...value.Value) value.Value { return value.NewList(xs...) }
func va(xs ...value.Value) []value.Value {
	return xs
}

func TestNum(t *testing.T) {
	const minI, maxI = math.MinInt64, math.MaxInt64
	nan, inf := vf(math.NaN()), vf(math.Inf(1))
	numRun(t, "", []numCase{
		{"+", va(vi(1), vi(2), vi(3)), "6"},
		{"+", va(), "0"},
		{"+", va(vi(5)), "5"},
		{"+", va(vs("a")), "error: [glia.error/type-mismatch] +: expected number, got string"},
		{"+", va(vi(1), vf(2)), "3.0"},
		{"+", va(vi(1), vs("a")), "error: [glia.error/type-mismatch] +: expected number, got string"},
		{"+", va(vi(1), vi(2), vs("a")), "error: [glia.error/type-mismatch] +: expected number, got string"},
		{"+", va(vi(maxI), vi(1)), "error: [glia.error/arithmetic] integer overflow"},
		{"+", va(vf(0.1), vf(0.2)), "0.30000000000000004"},
		{"*", va(), "1"},
		{"*", va(vi(2), vi(3), vi(4)), "24"},
		{"*", va(vi(4611686018427387904), vi(2)), "error: [glia.error/arithmetic] integer overflow"},
		{"*", va(vi(maxI), vi(2)), "error: [glia.error/arithmetic] integer overflow"},
		{"-", va(), "error: [glia.error/arity-mismatch] -: expected at least 1 arg(s), got 0"},
		{"-", va(vi(5)), "-5"},
		{"-", va(vf(2.5)), "-2.5"},
		{"-", va(vi(minI)), "error: [glia.error/arithmetic] integer overflow"},
		{"-", va(vi(10), vi(1), vi(2), vi(3)), "4"},
		{"-", va(vi(minI), vi(1)), "error: [glia.error/arithmetic] integer overflow"},
		{"/", va(vi(10), vi(3)), "3"},
		{"/", va(vi(-7), vi(2)), "-3"},
		{"/", va(vi(1), vf(2)), "0.5"},
		{"/", va(vf(1), vi(3)), "0.3333333333333333"},
		{"/", va(vi(10), vi(0)), "error: [glia.error/arithmetic] divide by zero"},
		{"/", va(vf(1), vi(0)), "error: [glia.error/arithmetic] divide by zero"},
		{"/", va(vi(8), vi(2), vi(2)), "2"},
		{"/", va(vi(2)), "0"},
		{"/", va(vf(2)), "0.5"},
		{"/", va(vi(0)), "error: [glia.error/arithmetic] divide by zero"},
		{"/", va(vi(minI), vi(-1)), "error: [glia.error/arithmetic] integer overflow"},
		{"quot", va(vi(minI), vi(-1)), "error: [glia.error/arithmetic] integer overflow"},
		{"quot", va(vf(7.5), vi(2)), "3.0"},
		{"quot", va(vi(1), vi(0)), "error: [glia.error/arithmetic] divide by zero"},
		{"rem", va(vi(1), vi(0)), "error: [glia.error/arithmetic] divide by zero"},
		{"rem", va(vi(-7), vi(2)), "-1"},
		{"rem", va(vf(-7.5), vi(2)), "-1.5"},
		{"rem", va(vi(minI), vi(-1)), "0"},
		{"mod", va(vi(minI), vi(-1)), "0"},
		{"mod", va(vi(-7), vi(2)), "1"},
		{"mod", va(vi(7), vi(-2)), "-1"},
		{"mod", va(vf(-7.5), vi(2)), "0.5"},
		{"mod", va(vi(1), vf(math.Copysign(0, -1))), "error: [glia.error/arithmetic] divide by zero"},
		{"mod", va(vi(1)), "error: [glia.error/arity-mismatch] mod: expected 2 arg(s), got 1"},
		{"inc", va(vi(1)), "2"},
		{"inc", va(vf(1.5)), "2.5"},
		{"inc", va(vi(maxI)), "error: [glia.error/arithmetic] integer overflow"},
		{"dec", va(vi(minI)), "error: [glia.error/arithmetic] integer overflow"},
		{"dec", va(vi(1)), "0"},
		{"inc", va(value.Nil), "error: [glia.error/type-mismatch] inc: expected number, got nil"},
		{"abs", va(vi(minI)), "error: [glia.error/arithmetic] integer overflow"},
		{"abs", va(vi(-4)), "4"},
		{"abs", va(vf(-4.5)), "4.5"},
		{"max", va(vi(1), vi(3), vi(2)), "3"},
		{"min", va(vi(4), vf(2.5)), "2.5"},
		{"max", va(vi(1), vf(1)), "1"},
		{"max", va(vf(1), vi(1)), "1.0"},
		{"max", va(vs("a")), "error: [glia.error/type-mismatch] max: expected number, got string"},
		{"min", va(vi(1), vs("a")), "error: [glia.error/type-mismatch] min: expected number, got string"},
		{"max", va(), "error: [glia.error/arity-mismatch] max: expected at least 1 arg(s), got 0"},
		{"int", va(vf(2.9)), "2"},
		{"int", va(vf(-2.9)), "-2"},
		{"int", va(vi(7)), "7"},
		{"int", va(nan), "error: [glia.error/invalid-argument] int: cannot convert NaN"},
		{"int", va(inf), "error: [glia.error/invalid-argument] int: cannot convert inf"},
		{"int", va(vf(1e19)), "error: [glia.error/invalid-argument] int: cannot convert 10000000000000000000.0"},
		{"int", va(vf(-9223372036854775808.0)), "-9223372036854775808"},
		{"int", va(vf(9223372036854775808.0)), "error: [glia.error/invalid-argument] int: cannot convert 9223372036854775808.0"},
		{"int", va(vs("1")), "error: [glia.error/type-mismatch] int: expected number, got string"},
		{"float", va(vi(3)), "3.0"},
		{"float", va(vf(3.5)), "3.5"},
		{"float", va(vk("a")), "error: [glia.error/type-mismatch] float: expected number, got keyword"},
		{"parse-long", va(vs("42")), "42"},
		{"parse-long", va(vs("-0")), "0"},
		{"parse-long", va(vs("+5")), "5"},
		{"parse-long", va(vs("007")), "7"},
		{"parse-long", va(vs("-9223372036854775808")), "-9223372036854775808"},
		{"parse-long", va(vs("9223372036854775808")), "nil"},
		{"parse-long", va(vs("1_000")), "nil"},
		{"parse-long", va(vs("0x10")), "nil"},
		{"parse-long", va(vs("1.5")), "nil"},
		{"parse-long", va(vs("")), "nil"},
		{"parse-long", va(vs(" 1")), "nil"},
		{"parse-long", va(vs("+-1")), "nil"},
		{"parse-long", va(vi(1)), "error: [glia.error/type-mismatch] parse-long: expected string, got int"},
		{"parse-double", va(vs("5")), "5.0"},
		{"parse-double", va(vs("5.")), "5.0"},
		{"parse-double", va(vs(".5")), "0.5"},
		{"parse-double", va(vs("-1.5e-7")), "-0.00000015"},
		{"parse-double", va(vs("1e10")), "10000000000.0"},
		{"parse-double", va(vs("1E+2")), "100.0"},
		{"parse-double", va(vs("9223372036854775808")), "9223372036854775808.0"},
		{"parse-double", va(vs("+inf")), "inf"},
		{"parse-double", va(vs("-Infinity")), "-inf"},
		{"parse-double", va(vs("+NaN")), "NaN"},
		{"parse-double", va(vs("inf")), "nil"},
		{"parse-double", va(vs("nan")), "nil"},
		{"parse-double", va(vs(".")), "nil"},
		{"parse-double", va(vs("1e")), "nil"},
		{"parse-double", va(vs("0x1p3")), "nil"},
		{"parse-double", va(vs("1_0")), "nil"},
		{"parse-double", va(vs("abc")), "nil"},
		{"parse-double", va(vs("1e400")), "inf"},
		{"zero?", va(vi(0)), "true"},
		{"zero?", va(vf(0)), "true"},
		{"zero?", va(vf(math.Copysign(0, -1))), "true"},
		{"pos?", va(vi(-1)), "false"},
		{"neg?", va(vi(-1)), "true"},
		{"pos?", va(nan), "false"},
		{"zero?", va(vs("0")), "error: [glia.error/type-mismatch] zero?: expected number, got string"},
		{"even?", va(vi(4)), "true"},
		{"odd?", va(vi(4)), "false"},
		{"odd?", va(vi(-3)), "true"},
		{"even?", va(vi(minI)), "true"},
		{"even?", va(vf(1.5)), "error: [glia.error/type-mismatch] even?: expected int, got float"},
	})
}

func TestCompare(t *testing.T) {
	nan := vf(math.NaN())
	numRun(t, "", []numCase{
		{"=", va(vi(1), vi(1)), "true"},
		{"=", va(vi(1)), "true"},
		{"=", va(vi(1), vf(1)), "false"},
		{"=", va(vv(vi(1), vi(2)), vl(vi(1), vi(2))), "true"},
		{"=", va(vi(1), vi(1), vi(2)), "false"},
		{"=", va(nan, nan), "false"},
		{"=", va(vf(0), vf(math.Copysign(0, -1))), "true"},
		{"not=", va(vi(1), vi(2)), "true"},
		{"not=", va(vi(1)), "false"},
		{"==", va(vi(1), vf(1)), "true"},
		{"==", va(vi(1), vf(1), vi(1)), "true"},
		{"==", va(vi(1), vi(2)), "false"},
		{"==", va(nan, nan), "false"},
		{"==", va(vi(1), vs("a")), "error: [glia.error/type-mismatch] ==: expected number, got string"},
		{"==", va(vs("a")), "error: [glia.error/type-mismatch] ==: expected number, got string"},
		{"<", va(vi(1), vi(2), vi(3)), "true"},
		{"<", va(vi(1), vi(3), vi(2)), "false"},
		{"<", va(vi(1), vf(2.5)), "true"},
		{"<", va(vi(1), vs("a")), "error: [glia.error/type-mismatch] <: expected number, got string"},
		{"<", va(vi(2), vi(1), vs("a")), "error: [glia.error/type-mismatch] <: expected number, got string"},
		{"<", va(nan, vi(1)), "false"},
		{"<", va(vi(1)), "true"},
		{"<", va(value.Nil), "error: [glia.error/type-mismatch] <: expected number, got nil"},
		{">", va(vi(2), vi(1)), "true"},
		{"<=", va(vi(2), vi(2)), "true"},
		{">=", va(vi(3), vi(3), vi(1)), "true"},
		{">=", va(nan, nan), "false"},
		{"<", va(), "error: [glia.error/arity-mismatch] <: expected at least 1 arg(s), got 0"},
		{"compare", va(vi(1), vi(2)), "-1"},
		{"compare", va(vs("b"), vs("a")), "1"},
		{"compare", va(vv(vi(1), vi(2)), vv(vi(1), vi(3))), "-1"},
		{"compare", va(vk("a"), vk("a")), "0"},
		{"compare", va(vi(1), vf(1)), "0"},
		{"compare", va(value.Nil, vi(1)), "-1"},
		{"compare", va(vi(1), vs("a")), "error: [glia.error/type-mismatch] compare: cannot compare int with string"},
		{"compare", va(value.EmptyMap, value.EmptyMap), "error: [glia.error/type-mismatch] compare: cannot compare map with map"},
	})
}
