package eval

import (
	"strings"

	"github.com/wetware/ww/lang/value"
)

var errRecur = &recurSig{}

// recurSig is returned by a recur to its loop or function.
type recurSig struct{}

func (*recurSig) Error() string { return "recur" }

func (s *Session) analyzeCall(c actx, l *value.List) (code, error) {
	forms := l.Slice()
	if sym, ok := forms[0].(value.Symbol); ok && sym.Name == "import" {
		if _, local := c.sc.resolve("import"); !local {
			forms = quoteImportOptions(forms)
		}
	}
	if cd, ok, err := s.analyzeInline(c, forms); ok || err != nil {
		return cd, err
	}
	if cd, ok, err := s.analyzeCell(c, forms); ok || err != nil {
		return cd, err
	}
	head, err := s.analyze(c.nontail(), forms[0])
	if err != nil {
		return nil, err
	}
	args, err := s.analyzeAll(c, forms[1:])
	if err != nil {
		return nil, err
	}
	k := &callSite{head: head, args: args, pos: c.pos}
	if len(forms) > 1 {
		if sym, ok := forms[1].(value.Symbol); ok {
			k.method = value.KW(sym.Name)
		}
	}
	if sym, ok := forms[0].(value.Symbol); ok {
		if _, local := c.sc.resolve(sym.Name); !local {
			if _, _, q := splitQualified(sym.Name); !q || c.ns.aliasOf(strings.SplitN(sym.Name, "/", 2)[0]) == nil {
				k.global = s.globalRef(c, sym.Name)
			}
		}
	}
	return k.eval, nil
}

// callSite is an analyzed call (spec 6.3).
type callSite struct {
	head   code
	args   []code
	pos    *value.Pos
	method *value.Keyword // first operand as a bare symbol, for capability calls
	global *global        // the head when it is a global symbol
}

func (k *callSite) eval(fr *frame) (value.Value, error) {
	s := fr.s
	var f value.Value
	var err error
	if g := k.global; g != nil {
		if g.local.Bound {
			f = g.local.Val
		} else if f, err = g.get(s); err != nil {
			if s.UnboundCall != nil {
				return k.unbound(fr)
			}
			return s.raise(err, k.pos)
		}
	} else if f, err = k.head(fr); err != nil {
		return nil, err
	}
	if c, ok := f.(*Closure); ok && !c.lam.macro {
		n := len(k.args)
		a := c.lam.pick(n)
		if a == nil {
			return s.raise(c.lam.arityErr(n), k.pos)
		}
		base := s.vs.mark()
		slots := s.vs.alloc(a.nslots)
		for i := 0; i < a.fixed; i++ {
			v, err := k.args[i](fr)
			if err != nil {
				s.vs.release(base)
				return nil, err
			}
			slots[i] = v
		}
		if a.variadic {
			rest := value.EmptyList
			if n > a.fixed {
				extra := make([]value.Value, n-a.fixed)
				for i := range extra {
					v, err := k.args[a.fixed+i](fr)
					if err != nil {
						s.vs.release(base)
						return nil, err
					}
					extra[i] = v
				}
				rest = value.NewList(extra...)
			}
			slots[a.fixed] = rest
		}
		v, err := c.run(s, a, slots)
		s.vs.release(base)
		if err != nil {
			return s.raise(err, k.pos)
		}
		return v, nil
	}
	if cp, ok := f.(*value.Cap); ok {
		return k.capCall(fr, cp)
	}
	// Arguments of other callees live on the value stack for the duration
	// of the call (natives copy what they keep, see value.BuiltinFunc).
	base := s.vs.mark()
	args := s.vs.alloc(len(k.args))
	for i, a := range k.args {
		v, err := a(fr)
		if err != nil {
			s.vs.release(base)
			return nil, err
		}
		args[i] = v
	}
	v, err := s.apply(f, args)
	s.vs.release(base)
	if err != nil {
		return s.raise(err, k.pos)
	}
	return v, nil
}

func (k *callSite) unbound(fr *frame) (value.Value, error) {
	s := fr.s
	args := make([]value.Value, len(k.args))
	for i, a := range k.args {
		v, err := a(fr)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	v, ok, err := s.UnboundCall(s, k.global.name, args)
	if !ok && err == nil {
		err = unboundErr(k.global.name)
	}
	if err != nil {
		return s.raise(err, k.pos)
	}
	return v, nil
}

// capCall is (cap method arg ...) (spec 6.4).
func (k *callSite) capCall(fr *frame, cp *value.Cap) (value.Value, error) {
	s := fr.s
	if len(k.args) == 0 {
		return s.raise(value.ArityError(cp.Name, "at least 1", 0), k.pos)
	}
	data := make([]value.Value, len(k.args))
	if k.method != nil {
		data[0] = k.method
	} else {
		m, err := k.args[0](fr)
		if err != nil {
			return nil, err
		}
		switch m := m.(type) {
		case *value.Keyword:
			data[0] = m
		case value.Symbol:
			data[0] = value.KW(m.Name)
		default:
			return s.raise(value.TypeError(cp.Name+" method", "keyword or symbol", m), k.pos)
		}
	}
	for i := 1; i < len(k.args); i++ {
		v, err := k.args[i](fr)
		if err != nil {
			return nil, err
		}
		data[i] = v
	}
	return s.perform(cp, value.NewList(data...), k.pos)
}

// Call implements value.Thread: it invokes any callable value.
func (s *Session) Call(f value.Value, args []value.Value) (value.Value, error) {
	return s.apply(f, args)
}

// apply invokes f on evaluated arguments (spec 6.3).
func (s *Session) apply(f value.Value, args []value.Value) (value.Value, error) {
	switch f := f.(type) {
	case *Closure:
		if f.lam.macro {
			break
		}
		return f.invoke(s, args)
	case *value.Builtin:
		return f.Fn(s, args)
	case *value.Keyword:
		if len(args) < 1 || len(args) > 2 {
			return nil, value.ArityError("keyword call", "1-2", len(args))
		}
		return getDefault(args[0], f, args[1:]), nil
	case *value.Map:
		if len(args) < 1 || len(args) > 2 {
			return nil, value.ArityError("map call", "1-2", len(args))
		}
		if v, ok := f.Get(args[0]); ok {
			return v, nil
		}
		if len(args) == 2 {
			return args[1], nil
		}
		return value.Nil, nil
	case *value.Set:
		if len(args) != 1 {
			return nil, value.ArityError("set call", "1", len(args))
		}
		if v, ok := f.Get(args[0]); ok {
			return v, nil
		}
		return value.Nil, nil
	case *value.Vector:
		if len(args) != 1 {
			return nil, value.ArityError("vector call", "1", len(args))
		}
		i, ok := args[0].(value.Int)
		if !ok {
			return nil, value.TypeError("vector call", "int", args[0])
		}
		if i < 0 || int(i) >= f.Count() {
			return nil, value.IndexError("vector call", int(i), f.Count())
		}
		return f.Nth(int(i)), nil
	case *value.Cap:
		if len(args) == 0 {
			return nil, value.ArityError(f.Name, "at least 1", 0)
		}
		data := append([]value.Value(nil), args...)
		switch m := data[0].(type) {
		case *value.Keyword:
		case value.Symbol:
			data[0] = value.KW(m.Name)
		default:
			return nil, value.TypeError(f.Name+" method", "keyword or symbol", m)
		}
		return s.perform(f, value.NewList(data...), nil)
	}
	return nil, value.TypeError("call", "callable", f)
}

func getDefault(coll value.Value, k value.Value, def []value.Value) value.Value {
	switch c := coll.(type) {
	case *value.Map:
		if v, ok := c.Get(k); ok {
			return v
		}
	case *value.Set:
		if v, ok := c.Get(k); ok {
			return v
		}
	}
	if len(def) > 0 {
		return def[0]
	}
	return value.Nil
}

// quoteImportOptions takes the operands of :as and :refer literally, so that
// (import "ww/string" :as s :refer [join]) names s and join without
// evaluating them (spec 16.1).
func quoteImportOptions(forms []value.Value) []value.Value {
	out := append([]value.Value(nil), forms...)
	for i := 2; i+1 < len(out); i++ {
		if k, ok := out[i].(*value.Keyword); ok && (k == kwAs || k == kwRefer) {
			switch out[i+1].(type) {
			case value.Symbol, *value.Vector:
				out[i+1] = value.NewList(value.Sym("quote"), out[i+1])
				i++
			}
		}
	}
	return out
}
