package eval

import (
	"strconv"

	"github.com/wetware/ww/lang/value"
)

// Built-ins that need the evaluator itself.
func installSpecialBuiltins(ip *Interp) {
	defs := []struct {
		name string
		fn   value.BuiltinFunc
	}{
		{"import", builtinImport},
		{"eval", builtinEval},
		{"macroexpand-1", builtinMacroexpand1},
		{"macroexpand", builtinMacroexpand},
		{"gensym", builtinGensym},
		{"read-string", builtinReadString},
		{"exit", builtinExit},
		{"capture-output*", builtinCapture},
		{"bound?*", builtinBound},
		{"cell", builtinCell},
	}
	for _, d := range defs {
		ip.core.Define(d.name, &value.Builtin{Name: d.name, Fn: d.fn})
	}
}

func builtinEval(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("eval", "1", len(args))
	}
	s := t.(*Session)
	c, nslots, err := s.analyzeTop(args[0])
	if err != nil {
		return nil, err
	}
	base := s.vs.mark()
	fr := s.pushFrame(s.vs.alloc(nslots), nil)
	v, err := c(fr)
	s.fp--
	s.vs.release(base)
	return v, err
}

func (s *Session) macroexpand1(form value.Value) (value.Value, bool, error) {
	l, ok := form.(*value.List)
	if !ok || l.Count() == 0 {
		return form, false, nil
	}
	n := 0
	m := s.macroFor(actx{sc: &scope{}, ns: s.ns, expand: &n}, l.First())
	if m == nil {
		return form, false, nil
	}
	v, err := m.invoke(s, l.Rest().Slice())
	return v, true, err
}

func builtinMacroexpand1(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("macroexpand-1", "1", len(args))
	}
	v, _, err := t.(*Session).macroexpand1(args[0])
	return v, err
}

func builtinMacroexpand(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("macroexpand", "1", len(args))
	}
	s := t.(*Session)
	form := args[0]
	for i := 0; ; i++ {
		if i >= maxExpansions {
			return nil, value.NewError("stack-overflow", "macro expansion limit (10000) exceeded", "limit", maxExpansions)
		}
		v, expanded, err := s.macroexpand1(form)
		if err != nil {
			return nil, err
		}
		if !expanded {
			return v, nil
		}
		form = v
	}
}

func builtinGensym(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) > 1 {
		return nil, value.ArityError("gensym", "0-1", len(args))
	}
	prefix := "G__"
	if len(args) == 1 {
		p, ok := args[0].(value.String)
		if !ok {
			return nil, value.TypeError("gensym", "string", args[0])
		}
		prefix = string(p)
	}
	id := t.(*Session).ip.NextID()
	return value.Sym(prefix + strconv.FormatInt(id, 10)), nil
}

func builtinReadString(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("read-string", "1", len(args))
	}
	src, ok := args[0].(value.String)
	if !ok {
		return nil, value.TypeError("read-string", "string", args[0])
	}
	return t.(*Session).ip.ReadOne(string(src), "<string>")
}

func builtinExit(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) > 1 {
		return nil, value.ArityError("exit", "0-1", len(args))
	}
	code := 0
	if len(args) == 1 {
		n, ok := args[0].(value.Int)
		if !ok {
			return nil, value.TypeError("exit", "int", args[0])
		}
		code = int(n)
	}
	return nil, &ExitError{Code: code}
}

// builtinCapture calls a thunk with the session's output captured and
// returns what it wrote (the engine of with-out-str).
func builtinCapture(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("capture-output*", "1", len(args))
	}
	s := t.(*Session)
	out, _, err := s.Capture(func() (value.Value, error) { return s.apply(args[0], nil) })
	if err != nil {
		return nil, err
	}
	return value.String(out), nil
}

// builtinBound reports whether a symbol is bound in the namespace code is
// being defined into (defonce).
func builtinBound(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("bound?*", "1", len(args))
	}
	sym, ok := args[0].(value.Symbol)
	if !ok {
		return nil, value.TypeError("bound?*", "symbol", args[0])
	}
	_, bound := t.(*Session).ns.Lookup(sym.Name)
	return value.MakeBool(bound), nil
}
