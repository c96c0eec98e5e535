package eval

import (
	"github.com/wetware/ww/lang/value"
)

// Loop accumulators.
//
// A loop such as (loop [i 0 m {}] (if (< i n) (recur (inc i) (assoc m i x)) m))
// builds a collection through a binding that nothing else can see: the
// only uses of m are as the collection of an assoc or conj in the recur
// argument that rebinds m, and as the loop's result. Such a binding
// holds a builder while the loop runs, updated in place, and is made
// persistent when the loop returns it; the program cannot tell the
// difference, and building stops costing a path copy per step.
//
// The analysis counts every reference to the binding's slot (scope.reads);
// references made by the accumulating recur arguments and by bare reads in
// tail position of the loop body are not counted. After the body is
// analyzed, a binding whose count did not change and that has at least one
// accumulating use is enabled; the code emitted for its uses checks that
// decision at run time and otherwise behaves as the plain call.

// accum is the accumulator analysis of one loop.
type accum struct {
	slots []accSlot
}

type accSlot struct {
	slot    int
	plain   bool // bound to a symbol, not a pattern
	uses    int  // accumulating recur arguments
	enabled bool
}

func (sc *scope) readsOf(slots []int) []int {
	out := make([]int, len(slots))
	for i, s := range slots {
		out[i] = sc.reads[s]
	}
	return out
}

// decide enables the bindings that never escaped.
func (a *accum) decide(sc *scope, before []int) {
	for i := range a.slots {
		as := &a.slots[i]
		as.enabled = as.plain && as.uses > 0 && sc.reads[as.slot] == before[i]
	}
}

// accumTailRead compiles a bare read of a loop binding in tail position of
// its loop body: the loop returns the binding, made persistent.
func (c actx) accumTailRead(name string) (code, bool) {
	if !c.tail || c.recur == nil || c.recur.acc == nil || c.acrossTry {
		return nil, false
	}
	slot, ok := c.sc.peek(name)
	if !ok {
		return nil, false
	}
	for _, as := range c.recur.acc.slots {
		if as.slot == slot {
			return func(fr *frame) (value.Value, error) {
				v := fr.slots[slot]
				if b, ok := v.(builder); ok {
					v = b.persist()
					fr.slots[slot] = v
				}
				return v, nil
			}, true
		}
	}
	return nil, false
}

// analyzeRecurArgs compiles recur's arguments, recognizing accumulating ones.
func (s *Session) analyzeRecurArgs(c actx, forms []value.Value) ([]code, error) {
	out := make([]code, len(forms))
	nc := c.nontail()
	for i, f := range forms {
		if c.recur.acc != nil && i < len(c.recur.acc.slots) {
			cd, ok, err := s.analyzeAccumulate(nc, &c.recur.acc.slots[i], f)
			if err != nil {
				return nil, err
			}
			if ok {
				out[i] = cd
				continue
			}
		}
		cd, err := s.analyze(nc, f)
		if err != nil {
			return nil, err
		}
		out[i] = cd
	}
	return out, nil
}

// analyzeAccumulate compiles (assoc m k v …) or (conj m x …) where m is the
// binding the recur argument rebinds.
func (s *Session) analyzeAccumulate(c actx, as *accSlot, form value.Value) (code, bool, error) {
	l, ok := form.(*value.List)
	if !ok || l.Count() < 3 || !as.plain {
		return nil, false, nil
	}
	head, ok := l.First().(value.Symbol)
	if !ok || (head.Name != "assoc" && head.Name != "conj") {
		return nil, false, nil
	}
	if _, local := c.sc.peek(head.Name); local {
		return nil, false, nil
	}
	if _, local := c.sc.resolve(head.Name); local {
		return nil, false, nil
	}
	coll, ok := l.Rest().First().(value.Symbol)
	if !ok {
		return nil, false, nil
	}
	if slot, ok := c.sc.peek(coll.Name); !ok || slot != as.slot {
		return nil, false, nil
	}
	items := l.Rest().Rest().Slice()
	isAssoc := head.Name == "assoc"
	if isAssoc && len(items)%2 != 0 {
		return nil, false, nil
	}
	g := s.globalRef(c, head.Name)
	if g.core == nil {
		return nil, false, nil
	}
	args, err := s.analyzeAll(c, items)
	if err != nil {
		return nil, true, err
	}
	as.uses++
	slot, pos := as.slot, c.pos
	read := func(fr *frame) (value.Value, error) {
		v := fr.slots[slot]
		if b, ok := v.(builder); ok {
			v = b.persist()
			fr.slots[slot] = v
		}
		return v, nil
	}
	general := (&callSite{head: globalCode(g), args: append([]code{read}, args...), pos: pos}).eval
	return func(fr *frame) (value.Value, error) {
		if !as.enabled || g.local.Bound {
			return general(fr)
		}
		b := asBuilder(fr.slots[slot], isAssoc)
		if b == nil {
			return general(fr)
		}
		var buf [4]value.Value
		vals := buf[:0]
		for _, a := range args {
			v, err := a(fr)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		b.add(vals)
		return b, nil
	}, true, nil
}

// builder is a collection a loop accumulates into in place.
type builder interface {
	value.Value
	add(vals []value.Value)
	persist() value.Value
}

// asBuilder turns the current value of an accumulator into a builder, or
// returns nil when it is not a collection the fast path handles.
func asBuilder(v value.Value, isAssoc bool) builder {
	switch v := v.(type) {
	case *mapBuilder:
		if isAssoc {
			return v
		}
	case *vecBuilder:
		if !isAssoc {
			return v
		}
	case *value.Map:
		if isAssoc {
			return &mapBuilder{b: value.NewMapBuilder(v)}
		}
	case value.NilType:
		if isAssoc {
			return &mapBuilder{b: value.NewMapBuilder(nil)}
		}
	case *value.Vector:
		if !isAssoc {
			b := value.NewVectorBuilder()
			v.Each(func(x value.Value) bool { b.Append(x); return true })
			return &vecBuilder{b: b}
		}
	}
	return nil
}

type mapBuilder struct{ b *value.MapBuilder }

func (*mapBuilder) Kind() value.Kind { return value.MapKind }

func (m *mapBuilder) add(vals []value.Value) {
	for i := 0; i+1 < len(vals); i += 2 {
		m.b.Assoc(vals[i], vals[i+1])
	}
}

func (m *mapBuilder) persist() value.Value { return m.b.Map() }

type vecBuilder struct{ b *value.VectorBuilder }

func (*vecBuilder) Kind() value.Kind { return value.VectorKind }

func (v *vecBuilder) add(vals []value.Value) {
	for _, x := range vals {
		v.b.Append(x)
	}
}

func (v *vecBuilder) persist() value.Value { return v.b.Vector() }
