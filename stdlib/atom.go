package stdlib

import "github.com/wetware/ww/lang/value"

// Atom built-ins (spec 13.9): atoms are the only mutable values.

func init() { tables = append(tables, atomDefs) }

var atomDefs = []Def{
	{Name: "atom", Min: 1, Max: 1, Fn: atomNew, Doc: "new atom holding the value"},
	{Name: "deref", Min: 1, Max: 1, Fn: atomDeref, Doc: "an atom's value (@a)"},
	{Name: "reset!", Min: 2, Max: 2, Fn: atomReset, Doc: "set an atom's value and return it"},
	{Name: "swap!", Min: 2, Max: -1, Fn: atomSwap, Doc: "(swap! a f x ...) sets the atom to (f old x ...) and returns it"},
}

// atomArg unpacks an atom argument: "<name>: expected atom, got <t>".
func atomArg(name string, v value.Value) (*value.Atom, error) {
	a, ok := v.(*value.Atom)
	if !ok {
		return nil, value.TypeError(name, "atom", v)
	}
	return a, nil
}

func atomNew(_ value.Thread, args []value.Value) (value.Value, error) {
	return &value.Atom{Val: args[0]}, nil
}

func atomDeref(_ value.Thread, args []value.Value) (value.Value, error) {
	a, err := atomArg("deref", args[0])
	if err != nil {
		return nil, err
	}
	return a.Val, nil
}

func atomReset(_ value.Thread, args []value.Value) (value.Value, error) {
	a, err := atomArg("reset!", args[0])
	if err != nil {
		return nil, err
	}
	a.Val = args[1]
	return a.Val, nil
}

func atomSwap(t value.Thread, args []value.Value) (value.Value, error) {
	a, err := atomArg("swap!", args[0])
	if err != nil {
		return nil, err
	}
	call := make([]value.Value, len(args)-1)
	call[0] = a.Val
	copy(call[1:], args[2:])
	v, err := t.Call(args[1], call)
	if err != nil {
		return nil, err
	}
	a.Val = v
	return v, nil
}
