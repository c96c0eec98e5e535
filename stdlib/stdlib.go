// Package stdlib holds Glia's built-in functions, its prelude macros and the
// embedded ww/* modules.
//
// Built-ins are data: each domain file (seq.go, coll.go, num.go, str.go,
// ...) contributes a table of Defs, and the session installs them into its
// core layer. A Def states its arity, so the wrapper reports arity errors
// uniformly ("conj: expected at least 2 arg(s), got 1") before the
// function runs. Functions return errors, never panic.
//
// The package is pure: it reaches the outside world only through the
// value.Thread it is handed (for calling back into Glia and writing output).
package stdlib

import "github.com/wetware/ww/lang/value"

// Def describes one native function.
type Def struct {
	Name     string
	Min, Max int // arity bounds; Max < 0 means variadic
	Fn       value.BuiltinFunc
	Doc      string
}

// Builtin turns the definition into a native function value that checks its
// arity first.
func (d Def) Builtin() *value.Builtin {
	fn, name, min, max := d.Fn, d.Name, d.Min, d.Max
	return &value.Builtin{Name: name, Doc: d.Doc, Fn: func(t value.Thread, args []value.Value) (value.Value, error) {
		if len(args) < min || (max >= 0 && len(args) > max) {
			return nil, value.ArityError(name, value.ArityString(min, max), len(args))
		}
		return fn(t, args)
	}}
}

// tables lists every domain's table of core built-ins; each domain file
// appends its table in an init function.
var tables [][]Def

// moduleTables maps a ww/* module path to its native functions (those not
// shared with the core layer).
var moduleTables = map[string][]Def{}

// Core returns the native functions of the core layer.
func Core() []*value.Builtin {
	var out []*value.Builtin
	for _, t := range tables {
		for _, d := range t {
			out = append(out, d.Builtin())
		}
	}
	return out
}
