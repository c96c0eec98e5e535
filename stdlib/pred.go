package stdlib

import "github.com/wetware/ww/lang/value"

// Type and value predicates (spec 13.7) and type (3.1). All take one
// argument and never fail.

func init() { tables = append(tables, predDefs) }

var predDefs = []Def{
	predDef("nil?", "True for nil.", value.IsNil),
	predDef("some?", "True for anything but nil.", func(v value.Value) bool { return !value.IsNil(v) }),
	predDef("true?", "True for the value true.", func(v value.Value) bool { b, ok := v.(value.Bool); return ok && bool(b) }),
	predDef("false?", "True for the value false.", func(v value.Value) bool { b, ok := v.(value.Bool); return ok && !bool(b) }),
	predDef("not", "True for falsy values (nil and false).", func(v value.Value) bool { return !value.Truthy(v) }),
	predKindDef("boolean?", "True for booleans.", value.BoolKind),
	predKindDef("number?", "True for ints and floats.", value.IntKind, value.FloatKind),
	predKindDef("int?", "True for ints.", value.IntKind),
	predKindDef("float?", "True for floats.", value.FloatKind),
	predKindDef("string?", "True for strings.", value.StringKind),
	predKindDef("keyword?", "True for keywords.", value.KeywordKind),
	predKindDef("symbol?", "True for symbols.", value.SymbolKind),
	predKindDef("list?", "True for lists.", value.ListKind),
	predKindDef("vector?", "True for vectors.", value.VectorKind),
	predKindDef("map?", "True for maps.", value.MapKind),
	predKindDef("set?", "True for sets.", value.SetKind),
	predKindDef("bytes?", "True for bytes.", value.BytesKind),
	predKindDef("cap?", "True for capabilities.", value.CapKind),
	predKindDef("seq?", "True for lists.", value.ListKind),
	predKindDef("coll?", "True for lists, vectors, maps and sets.", value.ListKind, value.VectorKind, value.MapKind, value.SetKind),
	predKindDef("fn?", "True for closures and native functions.", value.FnKind, value.NativeFnKind),
	{"type", 1, 1, predType, "The keyword naming the value's type (:int, :str, :vector ...)."},
}

// predDef defines a one-argument predicate.
func predDef(name, doc string, f func(value.Value) bool) Def {
	return Def{name, 1, 1, func(_ value.Thread, args []value.Value) (value.Value, error) {
		return value.MakeBool(f(args[0])), nil
	}, doc}
}

// predKindDef defines a predicate true for values of the given kinds.
func predKindDef(name, doc string, kinds ...value.Kind) Def {
	var set uint64
	for _, k := range kinds {
		set |= 1 << k
	}
	return predDef(name, doc, func(v value.Value) bool { return set&(1<<v.Kind()) != 0 })
}

func predType(_ value.Thread, args []value.Value) (value.Value, error) {
	return args[0].Kind().Keyword(), nil
}
