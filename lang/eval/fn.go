package eval

import (
	"github.com/wetware/ww/lang/value"
)

// analyzeFnForm compiles (fn name? [params] body...) and the multi-arity form.
func (s *Session) analyzeFnForm(c actx, l *value.List) (code, error) {
	lam, err := s.analyzeLambda(c, "fn", l.Rest().Slice(), true)
	if err != nil {
		return nil, err
	}
	return lam.maker(), nil
}

// maker returns code creating a closure, capturing from the current frame.
func (lam *lambda) maker() code {
	if len(lam.captures) == 0 {
		clo := &Closure{lam: lam}
		return func(*frame) (value.Value, error) { return clo, nil }
	}
	return func(fr *frame) (value.Value, error) {
		return &Closure{lam: lam, env: lam.capture(fr, nil)}, nil
	}
}

func (lam *lambda) capture(fr *frame, env []value.Value) []value.Value {
	if env == nil {
		env = make([]value.Value, len(lam.captures))
	}
	for i, from := range lam.captures {
		switch {
		case from == selfRef:
			env[i] = fr.clo
		case from >= 0:
			env[i] = fr.slots[from]
		default:
			env[i] = fr.clo.env[-1-from]
		}
	}
	return env
}

// analyzeLambda compiles the parts of a fn form after the head. form names
// the construct in error messages ("fn", "defmacro: fn").
func (s *Session) analyzeLambda(c actx, form string, parts []value.Value, allowName bool) (*lambda, error) {
	lam := &lambda{}
	sc := &scope{parent: c.sc}
	if allowName && len(parts) > 0 {
		if sym, ok := parts[0].(value.Symbol); ok {
			lam.name = sym.Name
			sc.self = sym.Name
			parts = parts[1:]
		}
	}
	if len(parts) == 0 {
		return nil, c.synErr("%s: expected params", form)
	}
	type clause struct {
		params *value.Vector
		body   []value.Value
	}
	var clauses []clause
	switch p := parts[0].(type) {
	case *value.Vector:
		clauses = append(clauses, clause{p, parts[1:]})
	case *value.List:
		for _, part := range parts {
			cl, ok := part.(*value.List)
			if !ok {
				return nil, c.synErr("%s: expected arity clause (list), got %s", form, value.Repr(part))
			}
			pv, ok := cl.First().(*value.Vector)
			if !ok {
				return nil, c.synErr("%s: multi-arity clause must start with [params], got %s", form, value.Repr(cl.First()))
			}
			clauses = append(clauses, clause{pv, cl.Rest().Slice()})
		}
	default:
		return nil, c.synErr("%s: expected [params] or arity clauses, got %s", form, value.Repr(parts[0]))
	}
	fixedSeen := map[int]bool{}
	variadics := 0
	for _, cl := range clauses {
		a, err := s.analyzeArity(c, sc, form, cl.params, cl.body)
		if err != nil {
			return nil, err
		}
		if a.variadic {
			variadics++
			if variadics > 1 {
				return nil, c.synErr("%s: only one variadic arity allowed", form)
			}
		} else {
			if fixedSeen[a.fixed] {
				return nil, c.synErr("%s: duplicate arity for %d args", form, a.fixed)
			}
			fixedSeen[a.fixed] = true
		}
		lam.arities = append(lam.arities, a)
	}
	for _, cp := range sc.captures {
		lam.captures = append(lam.captures, cp.from)
	}
	return lam, nil
}

func (s *Session) analyzeArity(c actx, sc *scope, form string, params *value.Vector, body []value.Value) (*arity, error) {
	ps := params.Slice()
	a := &arity{}
	fc := actx{sc: sc, ns: c.ns, pos: c.pos, expand: c.expand, tail: true}
	sc.locals, sc.next = sc.locals[:0], 0
	var restPat value.Value
	fixed := ps
	for i, p := range ps {
		if sym, ok := p.(value.Symbol); ok && sym.Name == "&" {
			if i+1 >= len(ps) {
				return nil, c.synErr("%s: expected binding after &", form)
			}
			if i+2 < len(ps) {
				return nil, c.synErr("%s: nothing allowed after & rest param", form)
			}
			fixed, restPat, a.variadic = ps[:i], ps[i+1], true
			break
		}
	}
	a.fixed = len(fixed)
	all := fixed
	if a.variadic {
		all = append(append([]value.Value(nil), fixed...), restPat)
	}
	// Parameter slots come first, in order.
	type pending struct {
		slot int
		pat  value.Value
	}
	var pats []pending
	for _, p := range all {
		switch p := p.(type) {
		case value.Symbol:
			if p.Name == "&" {
				return nil, c.synErr("%s: parameter must be a symbol or destructuring pattern, got &", form)
			}
			sc.bind(p.Name)
		case *value.Vector, *value.Map:
			pats = append(pats, pending{sc.alloc(), p})
		default:
			return nil, c.synErr("%s: parameter must be a symbol or destructuring pattern, got %s", form, value.Repr(p))
		}
	}
	if len(pats) > 0 {
		ms := make([]matcher, len(pats))
		slots := make([]int, len(pats))
		for i, pp := range pats {
			m, err := s.compilePattern(fc, pp.pat, map[string]bool{})
			if err != nil {
				return nil, err
			}
			ms[i], slots[i] = m, pp.slot
		}
		pos := c.pos
		a.bind = func(fr *frame) error {
			for i, m := range ms {
				v := fr.slots[slots[i]]
				if !m(fr, v) {
					name := "fn"
					if fr.clo != nil {
						name = fr.clo.lam.fnName()
					}
					e := value.MatchError(name, v)
					e.Pos = pos
					return e
				}
			}
			return nil
		}
	}
	target := &recurTarget{what: "fn"}
	for i := 0; i < len(all); i++ {
		target.slots = append(target.slots, i)
	}
	fc.recur = target
	bodyCode, err := s.analyzeBody(fc, body)
	if err != nil {
		return nil, err
	}
	a.body = bodyCode
	a.nslots = sc.nslots
	sc.nslots = 0
	return a, nil
}

func (s *Session) analyzeDefmacro(c actx, l *value.List) (code, error) {
	args := l.Rest().Slice()
	if len(args) == 0 {
		return nil, c.synErr("defmacro: expected name")
	}
	sym, ok := args[0].(value.Symbol)
	if !ok {
		return nil, c.synErr("defmacro: expected symbol for name, got %s", value.Repr(args[0]))
	}
	if len(args) == 1 {
		return nil, c.synErr("defmacro: expected params after name")
	}
	lam, err := s.analyzeLambda(c, "defmacro", args[1:], false)
	if err != nil {
		return nil, err
	}
	lam.macro = true
	mk := lam.maker()
	ns, name := c.ns, sym.Name
	ns.intern(name)
	return func(fr *frame) (value.Value, error) {
		m, _ := mk(fr)
		ns.Define(name, m)
		return m, nil
	}, nil
}

func (s *Session) analyzeLetfn(c actx, l *value.List) (code, error) {
	if l.Count() < 2 {
		return nil, c.synErr("letfn: expected bindings vector")
	}
	vec, ok := l.Rest().First().(*value.Vector)
	if !ok {
		return nil, c.synErr("letfn: expected bindings vector")
	}
	m := c.sc.mark()
	defer c.sc.reset(m)
	specs := vec.Slice()
	slots := make([]int, len(specs))
	for i, sp := range specs {
		fl, ok := sp.(*value.List)
		if !ok || fl.Count() < 2 {
			return nil, c.synErr("letfn: expected (name [params] body...), got %s", value.Repr(sp))
		}
		sym, ok := fl.First().(value.Symbol)
		if !ok {
			return nil, c.synErr("letfn: expected (name [params] body...), got %s", value.Repr(sp))
		}
		slots[i] = c.sc.bind(sym.Name)
	}
	lams := make([]*lambda, len(specs))
	for i, sp := range specs {
		fl := sp.(*value.List)
		lam, err := s.analyzeLambda(c.nontail(), "fn", fl.Rest().Slice(), false)
		if err != nil {
			return nil, err
		}
		lam.name = fl.First().(value.Symbol).Name
		lams[i] = lam
	}
	body, err := s.analyzeBody(c, l.Rest().Rest().Slice())
	if err != nil {
		return nil, err
	}
	return func(fr *frame) (value.Value, error) {
		clos := make([]*Closure, len(lams))
		for i, lam := range lams {
			clos[i] = &Closure{lam: lam, env: make([]value.Value, len(lam.captures))}
			fr.slots[slots[i]] = clos[i]
		}
		for i, lam := range lams {
			lam.capture(fr, clos[i].env)
		}
		return body(fr)
	}, nil
}
