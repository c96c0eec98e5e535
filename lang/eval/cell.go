package eval

import (
	"github.com/wetware/ww/lang/value"
)

// A call of the core cell function captures the capabilities visible at the
// call site (spec 15.4): every name whose innermost binding is a
// capability, locals innermost first, then the root in definition order.
// Locals are only known to the analyzer, so such calls are compiled here.

func (s *Session) analyzeCell(c actx, forms []value.Value) (code, bool, error) {
	sym, ok := forms[0].(value.Symbol)
	if !ok || sym.Name != "cell" {
		return nil, false, nil
	}
	if _, local := c.sc.resolve("cell"); local {
		return nil, false, nil
	}
	g := s.globalRef(c, "cell")
	if g.core == nil {
		return nil, false, nil
	}
	args, err := s.analyzeAll(c, forms[1:])
	if err != nil {
		return nil, true, err
	}
	general := (&callSite{head: globalCode(g), args: args, pos: c.pos}).eval
	// Every visible local name, innermost first, with its accessor.
	type named struct {
		name string
		get  code
	}
	var locals []named
	seen := map[string]bool{}
	for sc := c.sc; sc != nil; sc = sc.parent {
		var names []string
		for i := len(sc.locals) - 1; i >= 0; i-- {
			names = append(names, sc.locals[i].name)
		}
		for _, cp := range sc.captures {
			names = append(names, cp.name)
		}
		for _, n := range names {
			if seen[n] {
				continue
			}
			seen[n] = true
			slot, _ := c.sc.resolve(n)
			locals = append(locals, named{n, localCode(slot)})
		}
	}
	pos := c.pos
	return func(fr *frame) (value.Value, error) {
		if g.local.Bound {
			return general(fr)
		}
		vals := make([]value.Value, len(args))
		for i, a := range args {
			v, err := a(fr)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		cl, err := makeCell(vals)
		if err != nil {
			return fr.s.raise(err, pos)
		}
		hidden := map[string]bool{}
		for _, l := range locals {
			hidden[l.name] = true
			v, _ := l.get(fr)
			if cp, ok := v.(*value.Cap); ok {
				cl.Caps = append(cl.Caps, value.CellCap{Name: l.name, Cap: cp})
			}
		}
		cl.Caps = append(cl.Caps, rootCaps(fr.s, hidden)...)
		return cl, nil
	}, true, nil
}

func rootCaps(s *Session, hidden map[string]bool) []value.CellCap {
	var out []value.CellCap
	for _, v := range s.root.Bindings() {
		if cp, ok := v.Val.(*value.Cap); ok && !hidden[v.Name] {
			out = append(out, value.CellCap{Name: v.Name, Cap: cp})
		}
	}
	return out
}

func makeCell(args []value.Value) (*value.Cell, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, value.ArityError("cell", "1-2", len(args))
	}
	wasm, ok := args[0].(value.Bytes)
	if !ok {
		return nil, value.TypeError("cell first arg (wasm)", "bytes", args[0])
	}
	cl := &value.Cell{Wasm: wasm, Schema: value.Nil}
	if len(args) == 2 {
		schema, ok := args[1].(value.Bytes)
		if !ok {
			return nil, value.TypeError("cell second arg (schema)", "bytes", args[1])
		}
		cl.Schema = schema
	}
	return cl, nil
}

// builtinCell is cell called indirectly: it sees only the root.
func builtinCell(t value.Thread, args []value.Value) (value.Value, error) {
	cl, err := makeCell(args)
	if err != nil {
		return nil, err
	}
	cl.Caps = rootCaps(t.(*Session), nil)
	return cl, nil
}
