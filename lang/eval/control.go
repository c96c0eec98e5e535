package eval

import (
	"github.com/wetware/ww/lang/value"
)

var kwErrType = value.KeyType

// analyzeTry compiles try/catch/finally (spec 7).
func (s *Session) analyzeTry(c actx, l *value.List) (code, error) {
	forms := l.Rest().Slice()
	var body, finally []value.Value
	type clause struct {
		tag   code // nil for _
		slot  int
		body  code
		mark  mark
		tagOf value.Value
	}
	var clauses []clause
	i := 0
	for ; i < len(forms); i++ {
		if isClause(forms[i], "catch") || isClause(forms[i], "finally") {
			break
		}
		body = append(body, forms[i])
	}
	bc := c.nontail()
	bc.acrossTry = true
	bodyCode, err := s.analyzeBody(bc, body)
	if err != nil {
		return nil, err
	}
	hasFinally := false
	for ; i < len(forms); i++ {
		f := forms[i]
		switch {
		case isClause(f, "catch"):
			if hasFinally {
				return nil, c.synErr("try: finally must be the last clause")
			}
			parts := f.(*value.List).Rest().Slice()
			if len(parts) < 2 {
				return nil, c.synErr("try: catch clause must be (catch tag name body...)")
			}
			name, ok := parts[1].(value.Symbol)
			if !ok {
				return nil, c.synErr("try: catch clause must be (catch tag name body...)")
			}
			var tag code
			if sym, ok := parts[0].(value.Symbol); !ok || sym.Name != "_" {
				if tag, err = s.analyze(bc, parts[0]); err != nil {
					return nil, err
				}
			}
			m := c.sc.mark()
			slot := c.sc.bind(name.Name)
			cb, err := s.analyzeBody(bc, parts[2:])
			c.sc.reset(m)
			if err != nil {
				return nil, err
			}
			clauses = append(clauses, clause{tag: tag, slot: slot, body: cb})
		case isClause(f, "finally"):
			if hasFinally {
				return nil, c.synErr("try: finally must be the last clause")
			}
			hasFinally = true
			finally = f.(*value.List).Rest().Slice()
		default:
			if hasFinally {
				return nil, c.synErr("try: finally must be the last clause")
			}
			return nil, c.synErr("try: expected catch or finally clause, got %s", value.Repr(f))
		}
	}
	var finCode code
	if hasFinally {
		if finCode, err = s.analyzeBody(bc, finally); err != nil {
			return nil, err
		}
	}
	pos := c.pos
	// tryBody runs the body under the exception handler and the catches.
	tryBody := func(fr *frame) (value.Value, error) {
		if len(clauses) == 0 {
			return bodyCode(fr)
		}
		s := fr.s
		h, err := s.install(kwException, nil, true)
		if err != nil {
			return s.raise(err, pos)
		}
		base := s.vs.mark()
		v, err := bodyCode(fr)
		s.handlers = h.parent
		if err == nil {
			return v, nil
		}
		u, ok := err.(*unwind)
		if !ok || u.target != h {
			return nil, err
		}
		s.vs.release(base)
		e := u.data
		var tag value.Value = value.Nil
		if m, ok := e.(*value.Map); ok {
			tag, _ = m.Get(kwErrType)
		}
		for _, cl := range clauses {
			if cl.tag != nil {
				want, err := cl.tag(fr)
				if err != nil {
					return nil, err
				}
				if !value.Equal(tag, want) {
					continue
				}
			}
			fr.slots[cl.slot] = e
			return cl.body(fr)
		}
		return s.perform(kwException, e, pos)
	}
	if finCode == nil {
		return tryBody, nil
	}
	return func(fr *frame) (value.Value, error) {
		v, err := tryBody(fr)
		if err == nil {
			if _, ferr := finCode(fr); ferr != nil {
				return nil, ferr
			}
			return v, nil
		}
		// Unwinding: run the finally forms for effect, discarding their errors.
		saved := fr.s.handlers
		finCode(fr)
		fr.s.handlers = saved
		return nil, err
	}, nil
}

func isClause(form value.Value, name string) bool {
	l, ok := form.(*value.List)
	if !ok || l.Count() == 0 {
		return false
	}
	sym, ok := l.First().(value.Symbol)
	return ok && sym.Name == name
}

func (s *Session) analyzePerform(c actx, l *value.List) (code, error) {
	args := l.Rest().Slice()
	if len(args) < 2 {
		return nil, c.synErr("perform: expected at least 2 args, got %d", len(args))
	}
	codes, err := s.analyzeAll(c, args)
	if err != nil {
		return nil, err
	}
	pos := c.pos
	return func(fr *frame) (value.Value, error) {
		s := fr.s
		vals := make([]value.Value, len(codes))
		for i, cd := range codes {
			v, err := cd(fr)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		switch t := vals[0].(type) {
		case *value.Keyword:
			if len(vals) != 2 {
				return s.raise(value.ArityError("perform (keyword effect)", "1", len(vals)-1), pos)
			}
			return s.perform(t, vals[1], pos)
		case *value.Cap:
			return s.perform(t, value.NewList(vals[1:]...), pos)
		}
		return s.raise(value.TypeError("perform target", "keyword or cap", vals[0]), pos)
	}, nil
}

// analyzeWithHandler compiles with-effect-handler (spec 11.2).
func (s *Session) analyzeWithHandler(c actx, l *value.List) (code, error) {
	args := l.Rest().Slice()
	if len(args) < 3 {
		return nil, c.synErr("with-effect-handler: need at least target, handler, body")
	}
	type pair struct{ target, handler code }
	var pairs []pair
	var body []value.Value
	if _, ok := args[0].(*value.Keyword); ok {
		i := 0
		for i+1 < len(args) {
			if _, ok := args[i].(*value.Keyword); !ok {
				break
			}
			hc, err := s.analyze(c.nontail(), args[i+1])
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, pair{constant(args[i]), hc})
			i += 2
		}
		body = args[i:]
		if len(body) == 0 {
			return nil, c.synErr("with-effect-handler: need at least one handler and a body")
		}
	} else {
		tc, err := s.analyze(c.nontail(), args[0])
		if err != nil {
			return nil, err
		}
		hc, err := s.analyze(c.nontail(), args[1])
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, pair{tc, hc})
		body = args[2:]
	}
	bodyCode, err := s.analyzeBody(c, body)
	if err != nil {
		return nil, err
	}
	pos := c.pos
	// Nest pairs first-outermost.
	inner := bodyCode
	for i := len(pairs) - 1; i >= 0; i-- {
		p, next := pairs[i], inner
		inner = func(fr *frame) (value.Value, error) {
			s := fr.s
			t, err := p.target(fr)
			if err != nil {
				return nil, err
			}
			switch t.(type) {
			case *value.Keyword, *value.Cap:
			default:
				return s.raise(value.TypeError("with-effect-handler target", "keyword or cap", t), pos)
			}
			h, err := p.handler(fr)
			if err != nil {
				return nil, err
			}
			return s.withHandler(fr, t, h, next, pos)
		}
	}
	return inner, nil
}

// withHandler installs handler for target around body.
func (s *Session) withHandler(fr *frame, target, handler value.Value, body code, pos *value.Pos) (value.Value, error) {
	hf, err := s.install(target, handler, false)
	if err != nil {
		return s.raise(err, pos)
	}
	v, err := s.handle(hf, fr, body)
	if err != nil {
		return s.raise(err, pos)
	}
	return v, nil
}

// analyzeMatch compiles match (spec 10.2).
func (s *Session) analyzeMatch(c actx, l *value.List) (code, error) {
	args := l.Rest().Slice()
	if len(args) == 0 {
		return nil, c.synErr("match: expected (match expr clauses...)")
	}
	if len(args) == 1 {
		return nil, c.synErr("match: at least one clause required")
	}
	if (len(args)-1)%2 != 0 {
		return nil, c.synErr("match: clauses must be pattern/body pairs (odd number of forms)")
	}
	expr, err := s.analyze(c.nontail(), args[0])
	if err != nil {
		return nil, err
	}
	type vclause struct {
		m    matcher
		body code
	}
	type eclause struct {
		kind    *value.Keyword
		handler code
	}
	var vcs []vclause
	var ecs []eclause
	for i := 1; i < len(args); i += 2 {
		pat, bodyForm := args[i], args[i+1]
		if isClause(pat, "effect") {
			parts := pat.(*value.List).Rest().Slice()
			if len(parts) < 2 {
				return nil, c.synErr("match: effect clause needs at least (effect :type data)")
			}
			kind, ok := parts[0].(*value.Keyword)
			if !ok {
				return nil, c.synErr("match: effect type must be a keyword, got %s", value.Repr(parts[0]))
			}
			if len(parts) > 3 {
				return nil, c.synErr("match: effect clause expects 1-2 bindings (data [resume])")
			}
			params := parts[1:]
			for _, p := range params {
				if _, ok := p.(value.Symbol); !ok {
					return nil, c.synErr("match: effect clause binding must be a symbol, got %s", value.Repr(p))
				}
			}
			lam, err := s.analyzeLambda(c, "fn", []value.Value{value.NewVector(params...), bodyForm}, false)
			if err != nil {
				return nil, err
			}
			ecs = append(ecs, eclause{kind, lam.maker()})
			continue
		}
		m := c.sc.mark()
		matcher, err := s.compilePattern(c, pat, map[string]bool{})
		if err != nil {
			c.sc.reset(m)
			return nil, err
		}
		body, err := s.analyze(c, bodyForm)
		c.sc.reset(m)
		if err != nil {
			return nil, err
		}
		vcs = append(vcs, vclause{matcher, body})
	}
	pos := c.pos
	run := func(fr *frame) (value.Value, error) {
		v, err := expr(fr)
		if err != nil {
			return nil, err
		}
		for _, vc := range vcs {
			if vc.m(fr, v) {
				return vc.body(fr)
			}
		}
		return fr.s.raise(value.NewError("match-failed", "match: no clause matched value "+value.Repr(v),
			"context", "match", "value", v), pos)
	}
	if len(vcs) == 0 {
		run = func(fr *frame) (value.Value, error) { return expr(fr) }
	}
	inner := run
	for i := len(ecs) - 1; i >= 0; i-- {
		ec, next := ecs[i], inner
		inner = func(fr *frame) (value.Value, error) {
			h, _ := ec.handler(fr)
			return fr.s.withHandler(fr, ec.kind, h, next, pos)
		}
	}
	return inner, nil
}
