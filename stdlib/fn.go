package stdlib

import "github.com/wetware/ww/lang/value"

// Function built-ins (spec 13.9): identity and the combinators, which
// return native functions.

func init() { tables = append(tables, fnDefs) }

// fnIdentity is identity's definition; (comp) returns its function.
var fnIdentity = Def{Name: "identity", Min: 1, Max: 1, Fn: fnIdentityFn, Doc: "its argument"}

var fnDefs = []Def{
	fnIdentity,
	{Name: "constantly", Min: 1, Max: 1, Fn: fnConstantly, Doc: "function of any arguments returning the value"},
	{Name: "comp", Min: 0, Max: -1, Fn: fnComp, Doc: "right-to-left composition of functions"},
	{Name: "partial", Min: 1, Max: -1, Fn: fnPartial, Doc: "function with leading arguments fixed"},
	{Name: "complement", Min: 1, Max: 1, Fn: fnComplement, Doc: "function returning (not (f ...))"},
	{Name: "juxt", Min: 1, Max: -1, Fn: fnJuxt, Doc: "function returning the vector of each function's result"},
}

func fnIdentityFn(_ value.Thread, args []value.Value) (value.Value, error) { return args[0], nil }

func fnConstantly(_ value.Thread, args []value.Value) (value.Value, error) {
	x := args[0]
	return value.NewBuiltin("constantly", func(value.Thread, []value.Value) (value.Value, error) {
		return x, nil
	}), nil
}

func fnComp(_ value.Thread, args []value.Value) (value.Value, error) {
	switch len(args) {
	case 0:
		return fnIdentity.Builtin(), nil
	case 1:
		return args[0], nil
	}
	fns := append([]value.Value(nil), args...)
	return value.NewBuiltin("comp", func(t value.Thread, args []value.Value) (value.Value, error) {
		v, err := t.Call(fns[len(fns)-1], args)
		for i := len(fns) - 2; i >= 0 && err == nil; i-- {
			v, err = t.Call(fns[i], []value.Value{v})
		}
		return v, err
	}), nil
}

func fnPartial(_ value.Thread, args []value.Value) (value.Value, error) {
	f := args[0]
	if len(args) == 1 {
		return f, nil
	}
	fixed := append([]value.Value(nil), args[1:]...)
	return value.NewBuiltin("partial", func(t value.Thread, args []value.Value) (value.Value, error) {
		call := make([]value.Value, len(fixed)+len(args))
		copy(call, fixed)
		copy(call[len(fixed):], args)
		return t.Call(f, call)
	}), nil
}

func fnComplement(_ value.Thread, args []value.Value) (value.Value, error) {
	f := args[0]
	return value.NewBuiltin("complement", func(t value.Thread, args []value.Value) (value.Value, error) {
		v, err := t.Call(f, args)
		if err != nil {
			return nil, err
		}
		return value.MakeBool(!value.Truthy(v)), nil
	}), nil
}

func fnJuxt(_ value.Thread, args []value.Value) (value.Value, error) {
	fns := append([]value.Value(nil), args...)
	return value.NewBuiltin("juxt", func(t value.Thread, args []value.Value) (value.Value, error) {
		out := make([]value.Value, len(fns))
		for i, f := range fns {
			v, err := t.Call(f, args)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return value.NewVector(out...), nil
	}), nil
}
