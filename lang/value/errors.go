package value

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a Go error carrying a thrown Glia value: usually an error map
// tagged with :glia.error/type (spec 12.2), but any value may be thrown.
type Error struct {
	Val Value
	// Pos is the innermost known source position where the error was raised.
	Pos *Pos
	// Trace lists, innermost first, the positions the error passed through
	// on its way out of function calls; Pos is then the call in the code
	// being evaluated at top level.
	Trace []Pos
	// Escaped is set while an error travels out of a function activation
	// and cleared by the call site that receives it.
	Escaped bool
	// Raised records that the evaluator has already delivered the error as
	// a :glia.exception effect; it must not be delivered again.
	Raised bool
}

// Error renders the error on one line (spec 12.6).
func (e *Error) Error() string { return Render(e.Val) }

// Tag returns the error's :glia.error/type keyword name, or "".
func (e *Error) Tag() string { return ErrorTag(e.Val) }

// Well-known error keys.
var (
	KeyType    = KW("glia.error/type")
	KeyMessage = KW("glia.error/message")
	KeyHint    = KW("glia.error/hint")
	KeyCause   = KW("glia.error/cause")
)

// ErrorTag returns the tag of an error value (the name of its
// :glia.error/type when that is a keyword, string or symbol), or "".
func ErrorTag(v Value) string {
	m, ok := v.(*Map)
	if !ok {
		return ""
	}
	t, _ := m.Get(KeyType)
	switch t := t.(type) {
	case *Keyword:
		return t.Name
	case String:
		return string(t)
	case Symbol:
		return t.Name
	}
	return ""
}

// Render is the one-line rendering of a thrown value (spec 12.6).
func Render(v Value) string {
	var msg string
	switch x := v.(type) {
	case String:
		msg = string(x)
	case *Map:
		if m, ok := x.Get(KeyMessage); ok {
			if s, ok := m.(String); ok {
				msg = string(s)
				break
			}
		}
		msg = Repr(v)
	default:
		msg = Repr(v)
	}
	if tag := ErrorTag(v); tag != "" {
		return "[" + tag + "] " + msg
	}
	return msg
}

// NewError builds an error map with tag glia.error/<kind>, the message and
// variant keys given as alternating names (without namespace) and values.
func NewError(kind, msg string, kvs ...any) *Error {
	m := EmptyMap.Assoc(KeyType, KW("glia.error/"+kind)).Assoc(KeyMessage, String(msg))
	for i := 0; i+1 < len(kvs); i += 2 {
		m = m.Assoc(KW("glia.error/"+kvs[i].(string)), toValue(kvs[i+1]))
	}
	return &Error{Val: m}
}

func toValue(x any) Value {
	switch x := x.(type) {
	case Value:
		return x
	case string:
		return String(x)
	case int:
		return MakeInt(int64(x))
	case int64:
		return MakeInt(x)
	case bool:
		return MakeBool(x)
	}
	return String(fmt.Sprint(x))
}

// Errorf builds an error of the given kind with a formatted message.
func Errorf(kind, format string, args ...any) *Error {
	return NewError(kind, fmt.Sprintf(format, args...))
}

// ParseError is a read error at pos (spec 2.7).
func ParseError(pos Pos, msg string) *Error {
	e := NewError("parse", msg, "source-location", strconv.Itoa(pos.Line)+":"+strconv.Itoa(pos.Col))
	e.Pos = &pos
	return e
}

// SyntaxError is a shape error of a special form, pattern or macro.
func SyntaxError(msg string) *Error { return NewError("syntax", msg) }

// ArityError is "<fn>: expected <expected> arg(s), got <n>".
func ArityError(fn, expected string, got int) *Error {
	return NewError("arity-mismatch", fmt.Sprintf("%s: expected %s arg(s), got %d", fn, expected, got),
		"function", fn, "expected", expected, "got", got)
}

// TypeError is "<ctx>: expected <expected>, got <type of v>".
func TypeError(ctx, expected string, v Value) *Error {
	t := TypeName(v)
	return NewError("type-mismatch", ctx+": expected "+expected+", got "+t,
		"context", ctx, "expected", expected, "got-type", t)
}

// IndexError is "<ctx>: index <i> out of bounds (count <n>)".
func IndexError(ctx string, i, n int) *Error {
	return NewError("index-out-of-bounds", fmt.Sprintf("%s: index %d out of bounds (count %d)", ctx, i, n),
		"context", ctx, "index", i, "count", n)
}

// ArgError is an invalid-argument error "<fn>: <detail>".
func ArgError(fn, detail string) *Error {
	return NewError("invalid-argument", fn+": "+detail, "context", fn)
}

// ArithError is an arithmetic error (integer overflow, divide by zero).
func ArithError(ctx, msg string) *Error { return NewError("arithmetic", msg, "context", ctx) }

// MatchError is a destructuring or clause failure.
func MatchError(ctx string, v Value) *Error {
	return NewError("match-failed", ctx+": destructuring failed \u2014 pattern did not match value "+Repr(v),
		"context", ctx, "value", v)
}

// ArityString formats arity bounds as the spec's messages do: "2", "2-3",
// "at least 1".
func ArityString(min, max int) string {
	switch {
	case max < 0:
		return "at least " + strconv.Itoa(min)
	case min == max:
		return strconv.Itoa(min)
	}
	return strconv.Itoa(min) + "-" + strconv.Itoa(max)
}

// CheckArity returns an arity error for fn unless min <= n <= max (max < 0:
// no upper bound).
func CheckArity(fn string, n, min, max int) error {
	if n < min || (max >= 0 && n > max) {
		return ArityError(fn, ArityString(min, max), n)
	}
	return nil
}

// RenderWithPos renders err as "FILE:LINE:COL: [tag] message" when a
// position is known.
func RenderWithPos(err error) string {
	var b strings.Builder
	if e, ok := err.(*Error); ok && e.Pos != nil {
		fmt.Fprintf(&b, "%s:%d:%d: ", e.Pos.File, e.Pos.Line, e.Pos.Col)
	}
	b.WriteString(err.Error())
	return b.String()
}
