package eval

import (
	"github.com/wetware/ww/lang/value"
)

type specialForm func(s *Session, c actx, l *value.List) (code, error)

var specialForms map[string]specialForm

func init() {
	specialForms = map[string]specialForm{
		"def":                 (*Session).analyzeDef,
		"if":                  (*Session).analyzeIf,
		"do":                  (*Session).analyzeDo,
		"let":                 (*Session).analyzeLet,
		"quote":               (*Session).analyzeQuote,
		"fn":                  (*Session).analyzeFnForm,
		"loop":                (*Session).analyzeLoop,
		"recur":               (*Session).analyzeRecur,
		"letfn":               (*Session).analyzeLetfn,
		"defmacro":            (*Session).analyzeDefmacro,
		"try":                 (*Session).analyzeTry,
		"perform":             (*Session).analyzePerform,
		"with-effect-handler": (*Session).analyzeWithHandler,
		"match":               (*Session).analyzeMatch,
		"unquote": func(_ *Session, c actx, _ *value.List) (code, error) {
			return nil, c.synErr("unquote (~) not inside syntax-quote")
		},
		"splice-unquote": func(_ *Session, c actx, _ *value.List) (code, error) {
			return nil, c.synErr("splice-unquote (~@) not inside syntax-quote")
		},
	}
}

func (s *Session) analyzeDef(c actx, l *value.List) (code, error) {
	args := l.Rest().Slice()
	if len(args) < 1 || len(args) > 2 {
		return nil, c.synErr("def: expected (def name) or (def name value)")
	}
	sym, ok := args[0].(value.Symbol)
	if !ok {
		return nil, c.synErr("def: expected symbol for name, got %s", value.Repr(args[0]))
	}
	ns, name := c.ns, sym.Name
	ns.intern(name)
	if len(args) == 1 {
		return func(*frame) (value.Value, error) { ns.Define(name, value.Nil); return value.Nil, nil }, nil
	}
	init, err := s.analyze(c.nontail(), args[1])
	if err != nil {
		return nil, err
	}
	return func(fr *frame) (value.Value, error) {
		v, err := init(fr)
		if err != nil {
			return nil, err
		}
		ns.Define(name, v)
		return v, nil
	}, nil
}

func (s *Session) analyzeIf(c actx, l *value.List) (code, error) {
	args := l.Rest().Slice()
	if len(args) < 2 || len(args) > 3 {
		return nil, c.synErr("if: expected 2-3 args (test then else?)")
	}
	test, err := s.analyze(c.nontail(), args[0])
	if err != nil {
		return nil, err
	}
	then, err := s.analyze(c, args[1])
	if err != nil {
		return nil, err
	}
	els := constant(value.Nil)
	if len(args) == 3 {
		if els, err = s.analyze(c, args[2]); err != nil {
			return nil, err
		}
	}
	return func(fr *frame) (value.Value, error) {
		t, err := test(fr)
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case value.Bool:
			if !t {
				return els(fr)
			}
		case value.NilType:
			return els(fr)
		}
		return then(fr)
	}, nil
}

func (s *Session) analyzeDo(c actx, l *value.List) (code, error) {
	return s.analyzeBody(c, l.Rest().Slice())
}

func (s *Session) analyzeQuote(c actx, l *value.List) (code, error) {
	if l.Count() != 2 {
		return nil, c.synErr("quote: expected 1 arg, got %d", l.Count()-1)
	}
	return constant(l.Rest().First()), nil
}

// binding is one analyzed binding of let or loop.
type binding struct {
	init  code
	slot  int     // where the value is stored
	match matcher // nil for a plain symbol
}

// analyzeBindings compiles [b1 e1 ...] for let and loop; each init sees the
// earlier bindings.
func (s *Session) analyzeBindings(c actx, form string, l *value.List) ([]binding, error) {
	if l.Count() < 2 {
		return nil, c.synErr("%s: expected bindings vector", form)
	}
	vec, ok := l.Rest().First().(*value.Vector)
	if !ok {
		return nil, c.synErr("%s: expected vector for bindings, got %s", form, value.Repr(l.Rest().First()))
	}
	elems := vec.Slice()
	if len(elems)%2 != 0 {
		return nil, c.synErr("%s: bindings must be pairs", form)
	}
	var out []binding
	for i := 0; i < len(elems); i += 2 {
		pat := elems[i]
		switch pat.(type) {
		case value.Symbol, *value.Vector, *value.Map:
		default:
			return nil, c.synErr("%s: binding name must be a symbol or destructuring pattern, got %s", form, value.Repr(pat))
		}
		init, err := s.analyze(c.nontail(), elems[i+1])
		if err != nil {
			return nil, err
		}
		if name, ok := isPlainSymbol(pat); ok && name != "_" && name != "&" {
			out = append(out, binding{init: init, slot: c.sc.bind(name)})
			continue
		}
		slot := c.sc.alloc()
		m, err := s.compilePattern(c, pat, map[string]bool{})
		if err != nil {
			return nil, err
		}
		out = append(out, binding{init: init, slot: slot, match: m})
	}
	return out, nil
}

// bindAll evaluates and binds let or loop bindings in order; a pattern
// that does not match raises a match-failed error named after form.
func bindAll(fr *frame, bs []binding, form string, pos *value.Pos) error {
	for _, b := range bs {
		v, err := b.init(fr)
		if err != nil {
			return err
		}
		fr.slots[b.slot] = v
		if b.match != nil && !b.match(fr, v) {
			if _, err := fr.s.raise(value.MatchError(form, v), pos); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Session) analyzeLet(c actx, l *value.List) (code, error) {
	m := c.sc.mark()
	defer c.sc.reset(m)
	bs, err := s.analyzeBindings(c, "let", l)
	if err != nil {
		return nil, err
	}
	body, err := s.analyzeBody(c, l.Rest().Rest().Slice())
	if err != nil {
		return nil, err
	}
	pos := c.pos
	if len(bs) == 1 && bs[0].match == nil {
		b := bs[0]
		return func(fr *frame) (value.Value, error) {
			v, err := b.init(fr)
			if err != nil {
				return nil, err
			}
			fr.slots[b.slot] = v
			return body(fr)
		}, nil
	}
	return func(fr *frame) (value.Value, error) {
		if err := bindAll(fr, bs, "let", pos); err != nil {
			return nil, err
		}
		return body(fr)
	}, nil
}

func (s *Session) analyzeLoop(c actx, l *value.List) (code, error) {
	m := c.sc.mark()
	defer c.sc.reset(m)
	bs, err := s.analyzeBindings(c, "loop", l)
	if err != nil {
		return nil, err
	}
	target := &recurTarget{what: "loop", acc: &accum{}}
	for _, b := range bs {
		target.slots = append(target.slots, b.slot)
		target.acc.slots = append(target.acc.slots, accSlot{slot: b.slot, plain: b.match == nil})
	}
	bc := c
	bc.tail, bc.recur, bc.acrossTry = true, target, false
	before := c.sc.readsOf(target.slots)
	body, err := s.analyzeBody(bc, l.Rest().Rest().Slice())
	if err != nil {
		return nil, err
	}
	target.acc.decide(c.sc, before)
	pos := c.pos
	rematch := func(fr *frame, what string) error {
		for _, b := range bs {
			if b.match != nil {
				v := fr.slots[b.slot]
				if !b.match(fr, v) {
					_, err := fr.s.raise(value.MatchError(what, v), pos)
					if err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	return func(fr *frame) (value.Value, error) {
		if err := bindAll(fr, bs, "loop", pos); err != nil {
			return nil, err
		}
		for {
			v, err := body(fr)
			if err != errRecur {
				return v, err
			}
			if fr.s.stopped() {
				return fr.s.raise(interrupted(), pos)
			}
			if err := rematch(fr, "recur"); err != nil {
				return nil, err
			}
		}
	}, nil
}

func (s *Session) analyzeRecur(c actx, l *value.List) (code, error) {
	if c.recur == nil {
		return nil, c.synErr("recur: not in tail position")
	}
	if c.acrossTry {
		return nil, c.synErr("recur: cannot recur across try")
	}
	if !c.tail {
		return nil, c.synErr("recur: not in tail position")
	}
	args, err := s.analyzeRecurArgs(c, l.Rest().Slice())
	if err != nil {
		return nil, err
	}
	slots := c.recur.slots
	pos := c.pos
	if len(args) != len(slots) {
		e := value.ArityError("recur", itoa(len(slots)), len(args))
		return func(fr *frame) (value.Value, error) {
			for _, a := range args {
				if _, err := a(fr); err != nil {
					return nil, err
				}
			}
			return fr.s.raise(e, pos)
		}, nil
	}
	switch len(args) {
	case 1:
		a0, s0 := args[0], slots[0]
		return func(fr *frame) (value.Value, error) {
			v, err := a0(fr)
			if err != nil {
				return nil, err
			}
			fr.slots[s0] = v
			return nil, errRecur
		}, nil
	case 2:
		a0, a1, s0, s1 := args[0], args[1], slots[0], slots[1]
		return func(fr *frame) (value.Value, error) {
			v0, err := a0(fr)
			if err != nil {
				return nil, err
			}
			v1, err := a1(fr)
			if err != nil {
				return nil, err
			}
			fr.slots[s0], fr.slots[s1] = v0, v1
			return nil, errRecur
		}, nil
	}
	return func(fr *frame) (value.Value, error) {
		var buf [8]value.Value
		vals := buf[:0]
		for _, a := range args {
			v, err := a(fr)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		for i, v := range vals {
			fr.slots[slots[i]] = v
		}
		return nil, errRecur
	}, nil
}

func itoa(i int) string { return value.Repr(value.MakeInt(int64(i))) }
