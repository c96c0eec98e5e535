package value

import (
	"math"
	"math/bits"
)

// Two-operand arithmetic and numeric comparison (spec 13.5, 13.6).
//
// These helpers serve both the variadic built-ins (+, <, ...) and the
// evaluator's inlined fast paths. Each takes ctx, the name used in error
// messages ("+", "inc"), and checks its operands: a non-number gives
// "<ctx>: expected number, got <type>" naming the first offending operand.
// Ints are 64-bit with overflow detection; an int meeting a float is
// converted; int ÷ int truncates toward zero. The int/int case of each
// function is a short inlinable prefix; everything else lives in an
// out-of-line slow path.

// Add returns a + b.
func Add(ctx string, a, b Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			s := x + y
			if (s^x)&(s^y) < 0 {
				return nil, arithOverflow(ctx)
			}
			return MakeInt(int64(s)), nil
		}
	}
	return arithFloat(ctx, opAdd, a, b)
}

// Sub returns a - b.
func Sub(ctx string, a, b Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			d := x - y
			if (x^y)&(d^x) < 0 {
				return nil, arithOverflow(ctx)
			}
			return MakeInt(int64(d)), nil
		}
	}
	return arithFloat(ctx, opSub, a, b)
}

// Mul returns a * b.
func Mul(ctx string, a, b Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			return mulInt(ctx, int64(x), int64(y))
		}
	}
	return arithFloat(ctx, opMul, a, b)
}

func mulInt(ctx string, x, y int64) (Value, error) {
	hi, lo := bits.Mul64(uint64(x), uint64(y))
	// Turn the unsigned 128-bit product into the signed one.
	if x < 0 {
		hi -= uint64(y)
	}
	if y < 0 {
		hi -= uint64(x)
	}
	if int64(hi) != int64(lo)>>63 {
		return nil, arithOverflow(ctx)
	}
	return MakeInt(int64(lo)), nil
}

// Div returns a / b: truncated toward zero for two ints, else a float
// quotient. A zero divisor (0, 0.0, -0.0) is an arithmetic error.
func Div(ctx string, a, b Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			return quotInt(ctx, x, y)
		}
	}
	return arithFloat(ctx, opDiv, a, b)
}

// Quot returns the quotient of a and b truncated toward zero; it is a float
// if either operand is (quot 7.5 2) ⇒ 3.0.
func Quot(ctx string, a, b Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			return quotInt(ctx, x, y)
		}
	}
	return arithFloat(ctx, opQuot, a, b)
}

func quotInt(ctx string, x, y Int) (Value, error) {
	switch {
	case y == 0:
		return nil, arithDivZero(ctx)
	case y == -1:
		if x == math.MinInt64 {
			return nil, arithOverflow(ctx)
		}
		return MakeInt(int64(-x)), nil
	}
	return MakeInt(int64(x / y)), nil
}

// Rem returns the remainder of truncated division, with the sign of the
// dividend: (rem -7 2) ⇒ -1.
func Rem(ctx string, a, b Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			switch y {
			case 0:
				return nil, arithDivZero(ctx)
			case -1:
				return MakeInt(0), nil
			}
			return MakeInt(int64(x % y)), nil
		}
	}
	return arithFloat(ctx, opRem, a, b)
}

// Mod returns the remainder of floored division, with the sign of the
// divisor: (mod -7 2) ⇒ 1, (mod 7 -2) ⇒ -1.
func Mod(ctx string, a, b Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			switch y {
			case 0:
				return nil, arithDivZero(ctx)
			case -1:
				return MakeInt(0), nil
			}
			r := x % y
			if r != 0 && (r < 0) != (y < 0) {
				r += y
			}
			return MakeInt(int64(r)), nil
		}
	}
	return arithFloat(ctx, opMod, a, b)
}

// Neg returns -a.
func Neg(ctx string, a Value) (Value, error) {
	switch x := a.(type) {
	case Int:
		if x == math.MinInt64 {
			return nil, arithOverflow(ctx)
		}
		return MakeInt(int64(-x)), nil
	case Float:
		return Float(-x), nil
	}
	return nil, arithNotNumber(ctx, a)
}

// Inc returns a + 1.
func Inc(ctx string, a Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if x == math.MaxInt64 {
			return nil, arithOverflow(ctx)
		}
		return MakeInt(int64(x + 1)), nil
	}
	if x, ok := a.(Float); ok {
		return Float(x + 1), nil
	}
	return nil, arithNotNumber(ctx, a)
}

// Dec returns a - 1.
func Dec(ctx string, a Value) (Value, error) {
	if x, ok := a.(Int); ok {
		if x == math.MinInt64 {
			return nil, arithOverflow(ctx)
		}
		return MakeInt(int64(x - 1)), nil
	}
	if x, ok := a.(Float); ok {
		return Float(x - 1), nil
	}
	return nil, arithNotNumber(ctx, a)
}

// Abs returns the absolute value of a.
func Abs(ctx string, a Value) (Value, error) {
	switch x := a.(type) {
	case Int:
		switch {
		case x == math.MinInt64:
			return nil, arithOverflow(ctx)
		case x < 0:
			return MakeInt(int64(-x)), nil
		}
		return x, nil
	case Float:
		return Float(math.Abs(float64(x))), nil
	}
	return nil, arithNotNumber(ctx, a)
}

// Lt reports whether a < b. Comparisons involving NaN are false.
func Lt(ctx string, a, b Value) (bool, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			return x < y, nil
		}
	}
	x, y, err := arithFloats(ctx, a, b)
	return x < y, err
}

// Gt reports whether a > b. Comparisons involving NaN are false.
func Gt(ctx string, a, b Value) (bool, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			return x > y, nil
		}
	}
	x, y, err := arithFloats(ctx, a, b)
	return x > y, err
}

// Le reports whether a <= b. Comparisons involving NaN are false.
func Le(ctx string, a, b Value) (bool, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			return x <= y, nil
		}
	}
	x, y, err := arithFloats(ctx, a, b)
	return x <= y, err
}

// Ge reports whether a >= b. Comparisons involving NaN are false.
func Ge(ctx string, a, b Value) (bool, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			return x >= y, nil
		}
	}
	x, y, err := arithFloats(ctx, a, b)
	return x >= y, err
}

// NumEq reports whether a and b are numerically equal across int and float
// (==): (== 1 1.0) is true, NaN equals nothing.
func NumEq(ctx string, a, b Value) (bool, error) {
	if x, ok := a.(Int); ok {
		if y, ok := b.(Int); ok {
			return x == y, nil
		}
	}
	x, y, err := arithFloats(ctx, a, b)
	return x == y, err
}

// arithFloats converts two numbers, at least one of them not an int, to
// float64. On a type error both results are NaN, so comparisons are false.
func arithFloats(ctx string, a, b Value) (float64, float64, error) {
	x, ok := ToFloat(a)
	if !ok {
		return math.NaN(), math.NaN(), arithNotNumber(ctx, a)
	}
	y, ok := ToFloat(b)
	if !ok {
		return math.NaN(), math.NaN(), arithNotNumber(ctx, b)
	}
	return x, y, nil
}

type arithOp uint8

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
	opQuot
	opRem
	opMod
)

// arithFloat is the slow path of the binary operations: operands that are
// not both ints. It checks types, converts to float and computes.
func arithFloat(ctx string, op arithOp, a, b Value) (Value, error) {
	x, y, err := arithFloats(ctx, a, b)
	if err != nil {
		return nil, err
	}
	switch op {
	case opAdd:
		return Float(x + y), nil
	case opSub:
		return Float(x - y), nil
	case opMul:
		return Float(x * y), nil
	}
	if y == 0 {
		return nil, arithDivZero(ctx)
	}
	switch op {
	case opDiv:
		return Float(x / y), nil
	case opQuot:
		return Float(math.Trunc(x / y)), nil
	case opRem:
		return Float(math.Mod(x, y)), nil
	}
	r := math.Mod(x, y)
	switch {
	case r == 0:
		r = math.Copysign(0, y)
	case (r < 0) != (y < 0):
		r += y
	}
	return Float(r), nil
}

func arithOverflow(ctx string) error { return ArithError(ctx, "integer overflow") }

func arithDivZero(ctx string) error { return ArithError(ctx, "divide by zero") }

func arithNotNumber(ctx string, v Value) error { return TypeError(ctx, "number", v) }
