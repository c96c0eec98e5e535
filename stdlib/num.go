package stdlib

import (
	"math"
	"strconv"
	"strings"

	"github.com/wetware/ww/lang/value"
)

// Numbers and comparison (spec 13.5, 13.6, 4.3). The two-operand work is
// done by value's arithmetic helpers, which the evaluator's inlined paths
// share; this file adds the variadic folding, conversions and predicates.

func init() { tables = append(tables, numDefs) }

var numDefs = []Def{
	{"+", 0, -1, numFold("+", value.Add, value.MakeInt(0), nil), "Sum of the numbers; (+) is 0."},
	{"*", 0, -1, numFold("*", value.Mul, value.MakeInt(1), nil), "Product of the numbers; (*) is 1."},
	{"-", 1, -1, numFold("-", value.Sub, nil, value.Neg), "Negation of one number, or left-to-right subtraction."},
	{"/", 1, -1, numFold("/", value.Div, nil, numRecip), "Left-to-right division; int by int truncates toward zero; (/ x) is (/ 1 x)."},
	{"quot", 2, 2, numBin("quot", value.Quot), "Quotient truncated toward zero."},
	{"rem", 2, 2, numBin("rem", value.Rem), "Remainder with the sign of the dividend."},
	{"mod", 2, 2, numBin("mod", value.Mod), "Floored remainder, with the sign of the divisor."},
	{"inc", 1, 1, numUn("inc", value.Inc), "The number plus one."},
	{"dec", 1, 1, numUn("dec", value.Dec), "The number minus one."},
	{"abs", 1, 1, numUn("abs", value.Abs), "Absolute value."},
	{"max", 1, -1, numExtremum("max", value.Gt), "The greatest argument, unchanged."},
	{"min", 1, -1, numExtremum("min", value.Lt), "The least argument, unchanged."},
	{"int", 1, 1, numInt, "Float to int toward zero; an int unchanged."},
	{"float", 1, 1, numFloat, "The number as a float."},
	{"parse-long", 1, 1, numParseLong, "The int a string denotes, else nil."},
	{"parse-double", 1, 1, numParseDouble, "The number a string denotes, as a float, else nil."},
	{"zero?", 1, 1, numPred("zero?", func(i int64) bool { return i == 0 }, func(f float64) bool { return f == 0 }), "True for a zero number."},
	{"pos?", 1, 1, numPred("pos?", func(i int64) bool { return i > 0 }, func(f float64) bool { return f > 0 }), "True for a positive number."},
	{"neg?", 1, 1, numPred("neg?", func(i int64) bool { return i < 0 }, func(f float64) bool { return f < 0 }), "True for a negative number."},
	{"even?", 1, 1, numIntPred("even?", 0), "True for an even int."},
	{"odd?", 1, 1, numIntPred("odd?", 1), "True for an odd int."},
	{"=", 1, -1, numEqual, "True if all arguments are equal (ints never equal floats)."},
	{"not=", 1, -1, numNotEqual, "True unless all arguments are equal."},
	{"==", 1, -1, numChain("==", value.NumEq), "Numeric equality across ints and floats."},
	{"<", 1, -1, numChain("<", value.Lt), "True if the numbers increase strictly."},
	{">", 1, -1, numChain(">", value.Gt), "True if the numbers decrease strictly."},
	{"<=", 1, -1, numChain("<=", value.Le), "True if the numbers never decrease."},
	{">=", 1, -1, numChain(">=", value.Ge), "True if the numbers never increase."},
	{"compare", 2, 2, numCompare, "-1, 0 or 1 as the first argument orders before, with or after the second."},
}

type (
	numBinOp = func(ctx string, a, b value.Value) (value.Value, error)
	numUnOp  = func(ctx string, a value.Value) (value.Value, error)
	numCmpOp = func(ctx string, a, b value.Value) (bool, error)
)

// numArg returns v if it is a number, else the uniform type error.
func numArg(ctx string, v value.Value) (value.Value, error) {
	switch v.(type) {
	case value.Int, value.Float:
		return v, nil
	}
	return nil, value.TypeError(ctx, "number", v)
}

// numIntArg unpacks an int argument.
func numIntArg(ctx string, v value.Value) (int64, error) {
	if i, ok := v.(value.Int); ok {
		return int64(i), nil
	}
	return 0, value.TypeError(ctx, "int", v)
}

// numFold builds a variadic arithmetic built-in folding op left to right.
// With no arguments it returns zero; with one, one(x) if given, else x
// itself once checked to be a number.
func numFold(name string, op numBinOp, zero value.Value, one numUnOp) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) {
		switch len(args) {
		case 0:
			return zero, nil
		case 1:
			if one != nil {
				return one(name, args[0])
			}
			return numArg(name, args[0])
		case 2:
			return op(name, args[0], args[1])
		}
		acc := args[0]
		for _, x := range args[1:] {
			var err error
			if acc, err = op(name, acc, x); err != nil {
				return nil, err
			}
		}
		return acc, nil
	}
}

func numRecip(ctx string, x value.Value) (value.Value, error) {
	return value.Div(ctx, value.MakeInt(1), x)
}

func numBin(name string, op numBinOp) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) { return op(name, args[0], args[1]) }
}

func numUn(name string, op numUnOp) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) { return op(name, args[0]) }
}

// numExtremum returns the first argument that no later one beats by better.
func numExtremum(name string, better numCmpOp) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) {
		best, err := numArg(name, args[0])
		if err != nil {
			return nil, err
		}
		for _, x := range args[1:] {
			b, err := better(name, x, best)
			if err != nil {
				return nil, err
			}
			if b {
				best = x
			}
		}
		return best, nil
	}
}

// numChain builds a variadic comparison that holds when op holds for
// every adjacent pair. Every argument must be a number, even after the
// answer is known.
func numChain(name string, op numCmpOp) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) {
		if len(args) == 1 {
			if _, err := numArg(name, args[0]); err != nil {
				return nil, err
			}
			return value.True, nil
		}
		all := true
		for i := 1; i < len(args); i++ {
			ok, err := op(name, args[i-1], args[i])
			if err != nil {
				return nil, err
			}
			all = all && ok
		}
		return value.MakeBool(all), nil
	}
}

func numAllEqual(args []value.Value) bool {
	for i := 1; i < len(args); i++ {
		if !value.Equal(args[i-1], args[i]) {
			return false
		}
	}
	return true
}

func numEqual(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.MakeBool(numAllEqual(args)), nil
}

func numNotEqual(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.MakeBool(!numAllEqual(args)), nil
}

func numCompare(_ value.Thread, args []value.Value) (value.Value, error) {
	c, ok := value.Compare(args[0], args[1])
	if !ok {
		t1, t2 := value.TypeName(args[0]), value.TypeName(args[1])
		return nil, value.NewError("type-mismatch", "compare: cannot compare "+t1+" with "+t2,
			"context", "compare", "expected", "a value comparable with "+t1, "got-type", t2)
	}
	return value.MakeInt(int64(c)), nil
}

func numInt(_ value.Thread, args []value.Value) (value.Value, error) {
	switch x := args[0].(type) {
	case value.Int:
		return x, nil
	case value.Float:
		f := math.Trunc(float64(x))
		// -2^63 is exact in float64; 2^63 is the first value out of range.
		if math.IsNaN(f) || f < math.MinInt64 || f >= -math.MinInt64 {
			return nil, value.ArgError("int", "cannot convert "+value.Repr(x))
		}
		return value.MakeInt(int64(f)), nil
	}
	return nil, value.TypeError("int", "number", args[0])
}

func numFloat(_ value.Thread, args []value.Value) (value.Value, error) {
	f, ok := value.ToFloat(args[0])
	if !ok {
		return nil, value.TypeError("float", "number", args[0])
	}
	return value.MakeFloat(f), nil
}

// numParseInt parses s by the reader's integer rule (spec 2.3 rule 3):
// an optional sign and ASCII digits within 64 bits.
func numParseInt(s string) (int64, bool) {
	// strconv with base 10 accepts exactly a sign and digits.
	i, err := strconv.ParseInt(s, 10, 64)
	return i, err == nil
}

// numParseFloat parses s by the reader's float rule (spec 2.3 rule 4),
// also accepting digit strings too large for an int.
func numParseFloat(s string) (float64, bool) {
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
		switch strings.ToLower(body) {
		case "inf", "infinity":
			if s[0] == '-' {
				return math.Inf(-1), true
			}
			return math.Inf(1), true
		case "nan":
			return math.NaN(), true
		}
	}
	// [digits][.digits] with at least one digit, then an optional exponent.
	i, n := 0, len(body)
	digits := func() int {
		j := i
		for i < n && body[i] >= '0' && body[i] <= '9' {
			i++
		}
		return i - j
	}
	mant := digits()
	if i < n && body[i] == '.' {
		i++
		mant += digits()
	}
	if mant == 0 {
		return 0, false
	}
	if i < n && (body[i] == 'e' || body[i] == 'E') {
		i++
		if i < n && (body[i] == '+' || body[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	if i != n {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

func numParseLong(_ value.Thread, args []value.Value) (value.Value, error) {
	s, err := strArg("parse-long", args[0])
	if err != nil {
		return nil, err
	}
	if i, ok := numParseInt(s); ok {
		return value.MakeInt(i), nil
	}
	return value.Nil, nil
}

func numParseDouble(_ value.Thread, args []value.Value) (value.Value, error) {
	s, err := strArg("parse-double", args[0])
	if err != nil {
		return nil, err
	}
	if i, ok := numParseInt(s); ok {
		return value.MakeFloat(float64(i)), nil
	}
	if f, ok := numParseFloat(s); ok {
		return value.MakeFloat(f), nil
	}
	return value.Nil, nil
}

func numPred(name string, ip func(int64) bool, fp func(float64) bool) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) {
		switch x := args[0].(type) {
		case value.Int:
			return value.MakeBool(ip(int64(x))), nil
		case value.Float:
			return value.MakeBool(fp(float64(x))), nil
		}
		return nil, value.TypeError(name, "number", args[0])
	}
}

func numIntPred(name string, parity int64) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) {
		i, err := numIntArg(name, args[0])
		if err != nil {
			return nil, err
		}
		return value.MakeBool(i&1 == parity), nil
	}
}
