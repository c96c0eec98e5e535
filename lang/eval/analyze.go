package eval

import (
	"strings"

	"github.com/wetware/ww/lang/value"
)

// scope is the analysis state of one function (or of a top-level form).
type scope struct {
	parent   *scope
	locals   []local // visible bindings, innermost last
	next     int     // next free slot
	nslots   int     // high-water mark
	captures []capture
	self     string // the fn's own name, bound to the closure
	// reads counts the analyzed references to each slot, so that a loop
	// can tell whether an accumulator escapes (accum.go).
	reads map[int]int
}

type local struct {
	name string
	slot int
}

type capture struct {
	name string
	from int // slot (>= 0) or env index (-1 - i) in the parent frame
}

func (sc *scope) alloc() int {
	n := sc.next
	sc.next++
	if sc.next > sc.nslots {
		sc.nslots = sc.next
	}
	return n
}

func (sc *scope) bind(name string) int {
	slot := sc.alloc()
	sc.locals = append(sc.locals, local{name, slot})
	return slot
}

// mark and reset bracket a block's bindings.
type mark struct{ nlocals, next int }

func (sc *scope) mark() mark   { return mark{len(sc.locals), sc.next} }
func (sc *scope) reset(m mark) { sc.locals, sc.next = sc.locals[:m.nlocals], m.next }

// resolve finds a local: slot >= 0, env index as -1-i, or self (-1<<30).
// It counts the reference.
func (sc *scope) resolve(name string) (int, bool) {
	for i := len(sc.locals) - 1; i >= 0; i-- {
		if sc.locals[i].name == name {
			slot := sc.locals[i].slot
			if sc.reads == nil {
				sc.reads = map[int]int{}
			}
			sc.reads[slot]++
			return slot, true
		}
	}
	if sc.self == name && name != "" {
		return selfRef, true
	}
	for i, c := range sc.captures {
		if c.name == name {
			return -1 - i, true
		}
	}
	if sc.parent == nil {
		return 0, false
	}
	from, ok := sc.parent.resolve(name)
	if !ok {
		return 0, false
	}
	sc.captures = append(sc.captures, capture{name, from})
	return -len(sc.captures), true
}

const selfRef = -1 << 30

// peek finds a local slot of the current function without counting a
// reference; ok is false for captured values and globals.
func (sc *scope) peek(name string) (int, bool) {
	for i := len(sc.locals) - 1; i >= 0; i-- {
		if sc.locals[i].name == name {
			return sc.locals[i].slot, true
		}
	}
	return 0, false
}

// recurTarget is what a recur in tail position jumps to.
type recurTarget struct {
	slots []int // slots re-bound by recur, in order
	what  string
	acc   *accum // accumulator analysis of a loop, nil for functions
}

// actx is the analysis context of one expression.
type actx struct {
	sc        *scope
	ns        *Namespace
	tail      bool
	recur     *recurTarget
	acrossTry bool
	pos       *value.Pos
	expand    *int // expansions so far in this top-level form
}

func (c actx) nontail() actx { c.tail = false; return c }

func (c actx) at(form value.Value) actx {
	if p := value.PosOf(form); p != nil {
		c.pos = p
	}
	return c
}

// synErr is a syntax error positioned at the context's form.
func (c actx) synErr(format string, args ...any) error {
	e := value.Errorf("syntax", format, args...)
	e.Pos = c.pos
	return e
}

func (s *Session) analyzeTop(form value.Value) (code, int, error) {
	sc := &scope{}
	n := 0
	c := actx{sc: sc, ns: s.ns, expand: &n, pos: value.PosOf(form)}
	cd, err := s.analyze(c, form)
	if err != nil {
		return nil, 0, err
	}
	return cd, sc.nslots, nil
}

// analyze compiles one form.
func (s *Session) analyze(c actx, form value.Value) (code, error) {
	c = c.at(form)
	switch f := form.(type) {
	case value.Symbol:
		return s.analyzeSymbol(c, f)
	case *value.List:
		if f.Count() == 0 {
			return constant(value.Nil), nil
		}
		return s.analyzeList(c, f)
	case *value.Vector:
		return s.analyzeVector(c, f)
	case *value.Map:
		return s.analyzeMap(c, f)
	case *value.Set:
		return s.analyzeSet(c, f)
	}
	return constant(form), nil
}

func constant(v value.Value) code {
	return func(*frame) (value.Value, error) { return v, nil }
}

func (s *Session) analyzeBody(c actx, forms []value.Value) (code, error) {
	switch len(forms) {
	case 0:
		return constant(value.Nil), nil
	case 1:
		return s.analyze(c, forms[0])
	}
	codes := make([]code, len(forms))
	for i, f := range forms {
		cc := c
		if i < len(forms)-1 {
			cc = c.nontail()
		}
		cd, err := s.analyze(cc, f)
		if err != nil {
			return nil, err
		}
		codes[i] = cd
	}
	init, last := codes[:len(codes)-1], codes[len(codes)-1]
	return func(fr *frame) (value.Value, error) {
		for _, cd := range init {
			if _, err := cd(fr); err != nil {
				return nil, err
			}
		}
		return last(fr)
	}, nil
}

func (s *Session) analyzeAll(c actx, forms []value.Value) ([]code, error) {
	c = c.nontail()
	out := make([]code, len(forms))
	for i, f := range forms {
		cd, err := s.analyze(c, f)
		if err != nil {
			return nil, err
		}
		out[i] = cd
	}
	return out, nil
}

func (s *Session) analyzeVector(c actx, v *value.Vector) (code, error) {
	elems, err := s.analyzeAll(c, v.Slice())
	if err != nil {
		return nil, err
	}
	return func(fr *frame) (value.Value, error) {
		b := value.NewVectorBuilder()
		for _, e := range elems {
			x, err := e(fr)
			if err != nil {
				return nil, err
			}
			b.Append(x)
		}
		return b.Vector(), nil
	}, nil
}

func (s *Session) analyzeMap(c actx, m *value.Map) (code, error) {
	var forms []value.Value
	m.Each(func(k, v value.Value) bool { forms = append(forms, k, v); return true })
	kvs, err := s.analyzeAll(c, forms)
	if err != nil {
		return nil, err
	}
	return func(fr *frame) (value.Value, error) {
		out := value.EmptyMap
		for i := 0; i < len(kvs); i += 2 {
			k, err := kvs[i](fr)
			if err != nil {
				return nil, err
			}
			v, err := kvs[i+1](fr)
			if err != nil {
				return nil, err
			}
			out = out.Assoc(k, v)
		}
		return out, nil
	}, nil
}

func (s *Session) analyzeSet(c actx, set *value.Set) (code, error) {
	elems, err := s.analyzeAll(c, set.Slice())
	if err != nil {
		return nil, err
	}
	return func(fr *frame) (value.Value, error) {
		out := value.EmptySet
		for _, e := range elems {
			x, err := e(fr)
			if err != nil {
				return nil, err
			}
			out = out.Conj(x)
		}
		return out, nil
	}, nil
}

// global is a late-bound reference to a global name.
type global struct {
	name   string
	ns     *Namespace // namespace of the code (root or module)
	local  *Var       // the name in ns, possibly unbound
	core   *Var       // the core layer's binding, if it had one at analysis
	module bool
	pos    *value.Pos
}

func (g *global) get(s *Session) (value.Value, error) {
	if g.local.Bound {
		return g.local.Val, nil
	}
	if g.core != nil && g.core.Bound {
		return g.core.Val, nil
	}
	if g.core == nil {
		if v, ok := s.ip.core.Lookup(g.name); ok {
			g.core = v
			return v.Val, nil
		}
	}
	if alias, member, ok := splitQualified(g.name); ok {
		if ns := g.ns.aliasOf(alias); ns != nil {
			if v, ok := ns.Lookup(member); ok {
				return v.Val, nil
			}
		}
	}
	if g.module {
		if v, ok := s.root.Lookup(g.name); ok && v.Val.Kind() == value.CapKind {
			return v.Val, nil
		}
	}
	return nil, unboundErr(g.name)
}

func unboundErr(name string) *value.Error {
	return value.NewError("unbound-symbol", "unbound symbol: "+name, "symbol", value.Sym(name),
		"hint", "define it with def, or check the spelling")
}

func (s *Session) globalRef(c actx, name string) *global {
	g := &global{name: name, ns: c.ns, local: c.ns.intern(name), module: c.ns.module, pos: c.pos}
	if c.ns != s.ip.core {
		if v, ok := s.ip.core.Lookup(name); ok {
			g.core = v
		}
	}
	return g
}

func (s *Session) analyzeSymbol(c actx, sym value.Symbol) (code, error) {
	name := sym.Name
	if cd, ok := c.accumTailRead(name); ok {
		return cd, nil
	}
	if slot, ok := c.sc.resolve(name); ok {
		return localCode(slot), nil
	}
	if alias, member, ok := splitQualified(name); ok {
		if ns := c.ns.aliasOf(alias); ns != nil {
			pos := c.pos
			return func(fr *frame) (value.Value, error) {
				if v, ok := ns.Lookup(member); ok {
					return v.Val, nil
				}
				return fr.s.raise(unboundErr(name), pos)
			}, nil
		}
	}
	return globalCode(s.globalRef(c, name)), nil
}

func globalCode(g *global) code {
	return func(fr *frame) (value.Value, error) {
		if g.local.Bound {
			return g.local.Val, nil
		}
		v, err := g.get(fr.s)
		if err != nil {
			return fr.s.raise(err, g.pos)
		}
		return v, nil
	}
}

func localCode(slot int) code {
	switch {
	case slot == selfRef:
		return func(fr *frame) (value.Value, error) { return fr.clo, nil }
	case slot >= 0:
		return func(fr *frame) (value.Value, error) { return fr.slots[slot], nil }
	}
	i := -1 - slot
	return func(fr *frame) (value.Value, error) { return fr.clo.env[i], nil }
}

func splitQualified(name string) (string, string, bool) {
	i := strings.IndexByte(name, '/')
	if i <= 0 || i == len(name)-1 {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

func (ns *Namespace) aliasOf(alias string) *Namespace {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.aliases[alias]
}

// macroFor returns the macro a head symbol names, if it names one in the
// current namespace or core layer and no local shadows it.
func (s *Session) macroFor(c actx, head value.Value) *Closure {
	sym, ok := head.(value.Symbol)
	if !ok {
		return nil
	}
	if _, ok := c.sc.resolve(sym.Name); ok {
		return nil
	}
	var v value.Value
	if alias, member, ok := splitQualified(sym.Name); ok {
		if ns := c.ns.aliasOf(alias); ns != nil {
			if vr, ok := ns.Lookup(member); ok {
				v = vr.Val
			}
		}
	}
	if v == nil {
		if vr, ok := c.ns.Lookup(sym.Name); ok {
			v = vr.Val
		} else if vr, ok := s.ip.core.Lookup(sym.Name); ok {
			v = vr.Val
		}
	}
	if m, ok := v.(*Closure); ok && m.lam.macro {
		return m
	}
	return nil
}

const maxExpansions = 10000

func (s *Session) analyzeList(c actx, l *value.List) (code, error) {
	head := l.First()
	if sym, ok := head.(value.Symbol); ok {
		if sf, ok := specialForms[sym.Name]; ok {
			return sf(s, c, l)
		}
		if m := s.macroFor(c, head); m != nil {
			*c.expand++
			if *c.expand > maxExpansions {
				e := value.NewError("stack-overflow", "macro expansion limit (10000) exceeded", "limit", maxExpansions)
				e.Pos = c.pos
				return nil, e
			}
			exp, err := s.expand1(m, l, c.pos)
			if err != nil {
				return nil, err
			}
			inheritPos(exp, c.pos)
			return s.analyze(c, exp)
		}
	}
	return s.analyzeCall(c, l)
}

// expand1 runs a macro on the operand forms of l.
func (s *Session) expand1(m *Closure, l *value.List, pos *value.Pos) (value.Value, error) {
	v, err := m.invoke(s, l.Rest().Slice())
	if err != nil {
		if e, ok := err.(*value.Error); ok && pos != nil {
			if e.Pos != nil && *e.Pos != *pos {
				e.Trace = append(e.Trace, *e.Pos)
			}
			e.Pos = pos
		}
		return nil, s.finish(err)
	}
	return v, nil
}

// inheritPos gives unpositioned lists produced by a macro the position of
// the macro call, so runtime errors point at it.
func inheritPos(form value.Value, pos *value.Pos) {
	if pos == nil {
		return
	}
	if l, ok := form.(*value.List); ok && l.Pos == nil && l.Count() > 0 {
		l.Pos = pos
		for c := l.Rest(); c.Count() > 0; c = c.Rest() {
			inheritPos(c.First(), pos)
		}
	}
}
