package value

import (
	"math"
	"testing"
)

func TestArithBinary(t *testing.T) {
	const minInt, maxInt = Int(math.MinInt64), Int(math.MaxInt64)
	nan := Float(math.NaN())
	type op func(string, Value, Value) (Value, error)
	ops := map[string]op{"+": Add, "-": Sub, "*": Mul, "/": Div, "quot": Quot, "rem": Rem, "mod": Mod}
	tests := []struct {
		op   string
		a, b Value
		want string // Repr of the result, or the rendered error
	}{
		{"+", Int(1), Int(2), "3"},
		{"+", Int(1), Float(2), "3.0"},
		{"+", Float(0.1), Float(0.2), "0.30000000000000004"},
		{"+", maxInt, Int(1), "[glia.error/arithmetic] integer overflow"},
		{"+", minInt, Int(-1), "[glia.error/arithmetic] integer overflow"},
		{"+", maxInt, minInt, "-1"},
		{"+", Int(1), String("a"), "[glia.error/type-mismatch] +: expected number, got string"},
		{"+", Nil, Int(1), "[glia.error/type-mismatch] +: expected number, got nil"},
		{"+", KW("k"), String("a"), "[glia.error/type-mismatch] +: expected number, got keyword"},
		{"-", Int(10), Int(3), "7"},
		{"-", minInt, Int(1), "[glia.error/arithmetic] integer overflow"},
		{"-", Int(0), minInt, "[glia.error/arithmetic] integer overflow"},
		{"-", Int(-1), minInt, "9223372036854775807"},
		{"-", Float(2.5), Int(1), "1.5"},
		{"*", Int(6), Int(7), "42"},
		{"*", Int(4611686018427387904), Int(2), "[glia.error/arithmetic] integer overflow"},
		{"*", Int(-4611686018427387904), Int(2), "-9223372036854775808"},
		{"*", minInt, Int(-1), "[glia.error/arithmetic] integer overflow"},
		{"*", Int(-1), minInt, "[glia.error/arithmetic] integer overflow"},
		{"*", minInt, Int(1), "-9223372036854775808"},
		{"*", Int(3037000500), Int(3037000500), "[glia.error/arithmetic] integer overflow"},
		{"*", Int(-3037000499), Int(3037000499), "-9223372030926249001"},
		{"*", maxInt, Int(0), "0"},
		{"*", Int(2), Float(1.5), "3.0"},
		{"/", Int(10), Int(3), "3"},
		{"/", Int(-7), Int(2), "-3"},
		{"/", Int(1), Float(2), "0.5"},
		{"/", Float(1), Int(3), "0.3333333333333333"},
		{"/", Int(10), Int(0), "[glia.error/arithmetic] divide by zero"},
		{"/", Float(1), Int(0), "[glia.error/arithmetic] divide by zero"},
		{"/", Int(1), Float(math.Copysign(0, -1)), "[glia.error/arithmetic] divide by zero"},
		{"/", minInt, Int(-1), "[glia.error/arithmetic] integer overflow"},
		{"/", Int(7), Int(-1), "-7"},
		{"quot", Float(7.5), Int(2), "3.0"},
		{"quot", Int(-7), Int(2), "-3"},
		{"quot", minInt, Int(-1), "[glia.error/arithmetic] integer overflow"},
		{"quot", Int(1), Int(0), "[glia.error/arithmetic] divide by zero"},
		{"rem", Int(-7), Int(2), "-1"},
		{"rem", Int(7), Int(-2), "1"},
		{"rem", Float(-7.5), Int(2), "-1.5"},
		{"rem", minInt, Int(-1), "0"},
		{"rem", Int(1), Int(0), "[glia.error/arithmetic] divide by zero"},
		{"rem", Float(1), Float(0), "[glia.error/arithmetic] divide by zero"},
		{"mod", Int(-7), Int(2), "1"},
		{"mod", Int(7), Int(-2), "-1"},
		{"mod", Int(7), Int(2), "1"},
		{"mod", Int(-7), Int(-2), "-1"},
		{"mod", Int(-8), Int(2), "0"},
		{"mod", minInt, Int(-1), "0"},
		{"mod", minInt, maxInt, "9223372036854775806"},
		{"mod", Float(-7.5), Int(2), "0.5"},
		{"mod", Float(7.5), Int(-2), "-0.5"},
		{"mod", Float(-4), Int(2), "0.0"},
		{"mod", Int(1), Float(0), "[glia.error/arithmetic] divide by zero"},
		{"mod", String("x"), Int(0), "[glia.error/type-mismatch] mod: expected number, got string"},
		{"+", nan, Int(1), "NaN"},
		{"/", Float(1), Float(math.Inf(1)), "0.0"},
	}
	for _, tt := range tests {
		got, err := ops[tt.op](tt.op, tt.a, tt.b)
		s := ""
		if err != nil {
			s = err.Error()
		} else {
			s = Repr(got)
		}
		if s != tt.want {
			t.Errorf("(%s %s %s) = %s, want %s", tt.op, Repr(tt.a), Repr(tt.b), s, tt.want)
		}
	}
}

func TestArithUnary(t *testing.T) {
	const minInt, maxInt = Int(math.MinInt64), Int(math.MaxInt64)
	ops := map[string]func(string, Value) (Value, error){"neg": Neg, "inc": Inc, "dec": Dec, "abs": Abs}
	tests := []struct {
		op   string
		a    Value
		want string
	}{
		{"neg", Int(5), "-5"},
		{"neg", Float(2.5), "-2.5"},
		{"neg", Float(0), "-0.0"},
		{"neg", minInt, "[glia.error/arithmetic] integer overflow"},
		{"inc", Int(1), "2"},
		{"inc", Float(1.5), "2.5"},
		{"inc", maxInt, "[glia.error/arithmetic] integer overflow"},
		{"dec", Int(1), "0"},
		{"dec", minInt, "[glia.error/arithmetic] integer overflow"},
		{"abs", Int(-3), "3"},
		{"abs", Float(-0.5), "0.5"},
		{"abs", minInt, "[glia.error/arithmetic] integer overflow"},
		{"inc", String("a"), "[glia.error/type-mismatch] inc: expected number, got string"},
	}
	for _, tt := range tests {
		got, err := ops[tt.op](tt.op, tt.a)
		s := ""
		if err != nil {
			s = err.Error()
		} else {
			s = Repr(got)
		}
		if s != tt.want {
			t.Errorf("(%s %s) = %s, want %s", tt.op, Repr(tt.a), s, tt.want)
		}
	}
	if _, err := Inc("inc", maxInt); err.(*Error).Tag() != "glia.error/arithmetic" {
		t.Errorf("tag = %q", err.(*Error).Tag())
	} else if c, _ := err.(*Error).Val.(*Map).Get(KW("glia.error/context")); !Equal(c, String("inc")) {
		t.Errorf("context = %s", Repr(c))
	}
}

func TestArithCompare(t *testing.T) {
	nan := Float(math.NaN())
	type cmp func(string, Value, Value) (bool, error)
	ops := map[string]cmp{"<": Lt, ">": Gt, "<=": Le, ">=": Ge, "==": NumEq}
	tests := []struct {
		op   string
		a, b Value
		want bool
	}{
		{"<", Int(1), Int(2), true},
		{"<", Int(2), Int(2), false},
		{"<", Int(1), Float(2.5), true},
		{"<", nan, Int(1), false},
		{">", nan, Int(1), false},
		{"<=", nan, nan, false},
		{">=", Int(1), nan, false},
		{"==", nan, nan, false},
		{">", Int(2), Int(1), true},
		{"<=", Int(2), Int(2), true},
		{">=", Float(2), Int(2), true},
		{"==", Int(1), Float(1), true},
		{"==", Float(0), Float(math.Copysign(0, -1)), true},
		{"==", Int(1), Int(2), false},
	}
	for _, tt := range tests {
		got, err := ops[tt.op](tt.op, tt.a, tt.b)
		if err != nil || got != tt.want {
			t.Errorf("(%s %s %s) = %v, %v; want %v", tt.op, Repr(tt.a), Repr(tt.b), got, err, tt.want)
		}
	}
	if _, err := Lt("<", Int(1), String("a")); err == nil || err.Error() != "[glia.error/type-mismatch] <: expected number, got string" {
		t.Errorf("(< 1 \"a\") error = %v", err)
	}
	if _, err := NumEq("==", Bool(true), Int(1)); err == nil || err.Error() != "[glia.error/type-mismatch] ==: expected number, got bool" {
		t.Errorf("(== true 1) error = %v", err)
	}
}

func BenchmarkAddInt(b *testing.B) {
	var acc Value = Int(0)
	one := Int(1)
	for i := 0; i < b.N; i++ {
		acc, _ = Add("+", acc, one)
	}
	_ = acc
}

func BenchmarkLtInt(b *testing.B) {
	x, y := Value(Int(1)), Value(Int(2))
	n := 0
	for i := 0; i < b.N; i++ {
		if ok, _ := Lt("<", x, y); ok {
			n++
		}
	}
	_ = n
}
