package eval

import (
	"github.com/wetware/ww/lang/value"
)

// matcher matches a value against a compiled pattern, binding slots.
type matcher func(fr *frame, v value.Value) bool

// isPattern reports whether form is a destructuring pattern rather than a
// plain symbol.
func isPlainSymbol(form value.Value) (string, bool) {
	sym, ok := form.(value.Symbol)
	return sym.Name, ok
}

// compilePattern compiles a pattern (spec 10.1), binding its names in the
// current scope. seen tracks names for the duplicate check.
func (s *Session) compilePattern(c actx, pat value.Value, seen map[string]bool) (matcher, error) {
	switch p := pat.(type) {
	case value.Symbol:
		if p.Name == "_" {
			return func(*frame, value.Value) bool { return true }, nil
		}
		if p.Name == "&" {
			return nil, c.synErr("pattern: unsupported pattern form: &")
		}
		if seen[p.Name] {
			return nil, c.synErr("pattern: duplicate binding %s", p.Name)
		}
		seen[p.Name] = true
		slot := c.sc.bind(p.Name)
		return func(fr *frame, v value.Value) bool { fr.slots[slot] = v; return true }, nil
	case value.NilType, value.Bool, value.Int, value.Float, value.String, *value.Keyword:
		return func(_ *frame, v value.Value) bool { return value.Equal(p, v) }, nil
	case *value.List:
		return nil, c.synErr("pattern: lists are not valid patterns (use vectors instead)")
	case *value.Vector:
		return s.compileSeqPattern(c, p.Slice(), seen)
	case *value.Map:
		type kp struct {
			key value.Value
			m   matcher
		}
		var kps []kp
		var err error
		p.Each(func(k, v value.Value) bool {
			var m matcher
			m, err = s.compilePattern(c, v, seen)
			kps = append(kps, kp{k, m})
			return err == nil
		})
		if err != nil {
			return nil, err
		}
		return func(fr *frame, v value.Value) bool {
			m, ok := v.(*value.Map)
			if !ok {
				return false
			}
			for _, e := range kps {
				x, ok := m.Get(e.key)
				if !ok || !e.m(fr, x) {
					return false
				}
			}
			return true
		}, nil
	}
	return nil, c.synErr("pattern: unsupported pattern form: %s", value.Repr(pat))
}

func (s *Session) compileSeqPattern(c actx, elems []value.Value, seen map[string]bool) (matcher, error) {
	fixed := elems
	var rest matcher
	for i, e := range elems {
		if sym, ok := e.(value.Symbol); ok && sym.Name == "&" {
			if i+1 >= len(elems) {
				return nil, c.synErr("pattern: & must be followed by a binding")
			}
			if i+2 < len(elems) {
				return nil, c.synErr("pattern: nothing allowed after & rest")
			}
			fixed = elems[:i]
			m, err := s.compilePattern(c, elems[i+1], seen)
			if err != nil {
				return nil, err
			}
			rest = m
			break
		}
	}
	ms := make([]matcher, len(fixed))
	for i, e := range fixed {
		m, err := s.compilePattern(c, e, seen)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	n := len(ms)
	return func(fr *frame, v value.Value) bool {
		switch v := v.(type) {
		case *value.Vector:
			if v.Count() < n || (rest == nil && v.Count() != n) {
				return false
			}
			for i, m := range ms {
				if !m(fr, v.Nth(i)) {
					return false
				}
			}
			if rest != nil {
				tail := make([]value.Value, 0, v.Count()-n)
				for i := n; i < v.Count(); i++ {
					tail = append(tail, v.Nth(i))
				}
				return rest(fr, value.NewList(tail...))
			}
			return true
		case *value.List:
			if v.Count() < n || (rest == nil && v.Count() != n) {
				return false
			}
			l := v
			for _, m := range ms {
				if !m(fr, l.First()) {
					return false
				}
				l = l.Rest()
			}
			if rest != nil {
				return rest(fr, l)
			}
			return true
		default:
			return false
		}
	}, nil
}
