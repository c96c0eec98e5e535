package eval

import (
	"math/bits"

	"github.com/wetware/ww/lang/value"
)

// Arithmetic and comparison on ints take a direct path when the operator
// names the core built-in (not shadowed by a local or a namespace binding,
// which is re-checked at every evaluation so a later def takes effect).
// Anything but two ints goes through the built-in itself.

type intOp2 func(a, b value.Int) (value.Value, bool)

var inline2 = map[string]intOp2{
	"+": func(a, b value.Int) (value.Value, bool) {
		r := a + b
		if (a >= 0) == (b >= 0) && (r >= 0) != (a >= 0) {
			return nil, false
		}
		return value.MakeInt(int64(r)), true
	},
	"-": func(a, b value.Int) (value.Value, bool) {
		r := a - b
		if (a >= 0) != (b >= 0) && (r >= 0) != (a >= 0) {
			return nil, false
		}
		return value.MakeInt(int64(r)), true
	},
	"*": func(a, b value.Int) (value.Value, bool) {
		hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
		if hi != 0 || lo > 1<<63-1 || a == -1<<63 || b == -1<<63 {
			return nil, false
		}
		return value.MakeInt(int64(a) * int64(b)), true
	},
	"<":  func(a, b value.Int) (value.Value, bool) { return value.MakeBool(a < b), true },
	">":  func(a, b value.Int) (value.Value, bool) { return value.MakeBool(a > b), true },
	"<=": func(a, b value.Int) (value.Value, bool) { return value.MakeBool(a <= b), true },
	">=": func(a, b value.Int) (value.Value, bool) { return value.MakeBool(a >= b), true },
	"=":  func(a, b value.Int) (value.Value, bool) { return value.MakeBool(a == b), true },
	"==": func(a, b value.Int) (value.Value, bool) { return value.MakeBool(a == b), true },
}

var inline1 = map[string]func(a value.Int) (value.Value, bool){
	"inc": func(a value.Int) (value.Value, bool) {
		if a == 1<<63-1 {
			return nil, false
		}
		return value.MakeInt(int64(a) + 1), true
	},
	"dec": func(a value.Int) (value.Value, bool) {
		if a == -1<<63 {
			return nil, false
		}
		return value.MakeInt(int64(a) - 1), true
	},
	"zero?": func(a value.Int) (value.Value, bool) { return value.MakeBool(a == 0), true },
}

func abs64(a value.Int) value.Int {
	if a < 0 {
		return -a
	}
	return a
}

func (s *Session) analyzeInline(c actx, forms []value.Value) (code, bool, error) {
	sym, ok := forms[0].(value.Symbol)
	if !ok {
		return nil, false, nil
	}
	op2, ok2 := inline2[sym.Name]
	op1, ok1 := inline1[sym.Name]
	if !(ok2 && len(forms) == 3) && !(ok1 && len(forms) == 2) {
		return nil, false, nil
	}
	if _, local := c.sc.resolve(sym.Name); local {
		return nil, false, nil
	}
	g := s.globalRef(c, sym.Name)
	if g.core == nil {
		return nil, false, nil
	}
	builtin, ok := g.core.Val.(*value.Builtin)
	if !ok {
		return nil, false, nil
	}
	pos := c.pos
	args, err := s.analyzeAll(c, forms[1:])
	if err != nil {
		return nil, true, err
	}
	general := (&callSite{head: globalCode(g), args: args, pos: pos}).eval
	slow := func(fr *frame, vs ...value.Value) (value.Value, error) {
		v, err := builtin.Fn(fr.s, vs)
		if err != nil {
			return fr.s.raise(err, pos)
		}
		return v, nil
	}
	if ok1 {
		x := args[0]
		return func(fr *frame) (value.Value, error) {
			if g.local.Bound {
				return general(fr)
			}
			a, err := x(fr)
			if err != nil {
				return nil, err
			}
			if ai, ok := a.(value.Int); ok {
				if r, ok := op1(ai); ok {
					return r, nil
				}
			}
			return slow(fr, a)
		}, true, nil
	}
	x, y := args[0], args[1]
	return func(fr *frame) (value.Value, error) {
		if g.local.Bound {
			return general(fr)
		}
		a, err := x(fr)
		if err != nil {
			return nil, err
		}
		b, err := y(fr)
		if err != nil {
			return nil, err
		}
		if ai, ok := a.(value.Int); ok {
			if bi, ok := b.(value.Int); ok {
				if r, ok := op2(ai, bi); ok {
					return r, nil
				}
			}
		}
		return slow(fr, a, b)
	}, true, nil
}

