package stdlib

import "github.com/wetware/ww/lang/value"

// Error construction and inspection (spec 12.4).

var (
	kwType    = value.KW("type")
	kwMessage = value.KW("message")
	errKeys   = map[*value.Keyword]bool{value.KeyType: true, value.KeyMessage: true, kwMessage: true}
)

var errorDefs = []Def{
	{Name: "ex-info", Min: 2, Max: 3, Fn: exInfo, Doc: "error map with a message and data"},
	{Name: "ex-message", Min: 1, Max: 1, Fn: exMessage, Doc: "an error's message"},
	{Name: "ex-data", Min: 1, Max: 1, Fn: exData, Doc: "an error's data"},
	{Name: "ex-cause", Min: 1, Max: 1, Fn: exCause, Doc: "an error's cause"},
	{Name: "case-error*", Min: 1, Max: 1, Fn: caseError},
	{Name: "render-error*", Min: 1, Max: 1, Fn: renderError},
}

func init() { tables = append(tables, errorDefs) }

func exInfo(_ value.Thread, args []value.Value) (value.Value, error) {
	msg, ok := args[0].(value.String)
	if !ok {
		return nil, value.TypeError("ex-info", "string", args[0])
	}
	data, ok := args[1].(*value.Map)
	if !ok {
		return nil, value.TypeError("ex-info second arg", "map", args[1])
	}
	var tag value.Value = value.KW("glia.error/ex-info")
	t, hasType := data.Get(kwType)
	if hasType {
		tag = t
	}
	m := value.EmptyMap.Assoc(value.KeyType, tag).Assoc(value.KeyMessage, msg)
	if hasType {
		m = m.Assoc(kwType, t)
	}
	m = m.Assoc(kwMessage, msg)
	data.Each(func(k, v value.Value) bool {
		if kw, ok := k.(*value.Keyword); ok {
			if kw == kwType || kw == kwMessage || len(kw.Name) > 11 && kw.Name[:11] == "glia.error/" {
				return true
			}
		}
		m = m.Assoc(k, v)
		return true
	})
	if len(args) == 3 {
		m = m.Assoc(value.KeyCause, args[2])
	}
	return m, nil
}

func exMessage(_ value.Thread, args []value.Value) (value.Value, error) {
	m, ok := args[0].(*value.Map)
	if !ok {
		return value.Nil, nil
	}
	if v, ok := m.Get(value.KeyMessage); ok {
		return v, nil
	}
	if v, ok := m.Get(kwMessage); ok {
		if _, ok := v.(value.String); ok {
			return v, nil
		}
	}
	return value.Nil, nil
}

func exData(_ value.Thread, args []value.Value) (value.Value, error) {
	m, ok := args[0].(*value.Map)
	if !ok {
		return value.Nil, nil
	}
	out := value.EmptyMap
	m.Each(func(k, v value.Value) bool {
		if kw, ok := k.(*value.Keyword); ok && errKeys[kw] {
			return true
		}
		out = out.Assoc(k, v)
		return true
	})
	return out, nil
}

func exCause(_ value.Thread, args []value.Value) (value.Value, error) {
	if m, ok := args[0].(*value.Map); ok {
		if v, ok := m.Get(value.KeyCause); ok {
			return v, nil
		}
	}
	return value.Nil, nil
}

// caseError builds the error of a case without a matching clause.
func caseError(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.NewError("match-failed", "case: no clause matched value "+value.Repr(args[0]),
		"context", "case", "value", args[0]).Val, nil
}

func renderError(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.String(value.Render(args[0])), nil
}
