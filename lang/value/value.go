package value

import (
	"io"
	"math"
	"sync"
)

// Value is any Glia value.
type Value interface {
	Kind() Kind
}

// Kind classifies values; it is what (type v) reports.
type Kind uint8

// The kinds of Glia values, in the order of the spec's type table (3.1).
const (
	NilKind Kind = iota
	BoolKind
	IntKind
	FloatKind
	StringKind
	SymbolKind
	KeywordKind
	ListKind
	VectorKind
	MapKind
	SetKind
	BytesKind
	FnKind
	MacroKind
	NativeFnKind
	AtomKind
	CapKind
	CellKind
)

var kindNames = [...]struct{ msg, kw string }{
	NilKind:      {"nil", "nil"},
	BoolKind:     {"bool", "bool"},
	IntKind:      {"int", "int"},
	FloatKind:    {"float", "float"},
	StringKind:   {"string", "str"},
	SymbolKind:   {"symbol", "sym"},
	KeywordKind:  {"keyword", "keyword"},
	ListKind:     {"list", "list"},
	VectorKind:   {"vector", "vector"},
	MapKind:      {"map", "map"},
	SetKind:      {"set", "set"},
	BytesKind:    {"bytes", "bytes"},
	FnKind:       {"fn", "fn"},
	MacroKind:    {"macro", "macro"},
	NativeFnKind: {"native-fn", "native-fn"},
	AtomKind:     {"atom", "atom"},
	CapKind:      {"cap", "cap"},
	CellKind:     {"cell", "cell"},
}

// String returns the kind's name as error messages spell it ("string").
func (k Kind) String() string { return kindNames[k].msg }

// Keyword returns the keyword (type v) returns for the kind (:str).
func (k Kind) Keyword() *Keyword { return KW(kindNames[k].kw) }

// TypeName is the name of v's type in error messages.
func TypeName(v Value) string { return v.Kind().String() }

// Pos is a source position: file, 1-based line and column (in code points).
type Pos struct {
	File      string
	Line, Col int
}

// Nil is the Glia nil.
var Nil Value = NilType{}

// NilType is the type of Nil.
type NilType struct{}

// Kind implements Value.
func (NilType) Kind() Kind { return NilKind }

// Bool is a Glia boolean.
type Bool bool

// Kind implements Value.
func (Bool) Kind() Kind { return BoolKind }

// True and False are the boolean values.
var (
	True  Value = Bool(true)
	False Value = Bool(false)
)

// MakeBool returns True or False.
func MakeBool(b bool) Value {
	if b {
		return True
	}
	return False
}

// Int is a 64-bit integer.
type Int int64

// Kind implements Value.
func (Int) Kind() Kind { return IntKind }

const smallIntMin, smallIntMax = -128, 1023

var smallInts = func() (t [smallIntMax - smallIntMin + 1]Value) {
	for i := range t {
		t[i] = Int(i + smallIntMin)
	}
	return
}()

// MakeInt returns the Glia integer i.
func MakeInt(i int64) Value {
	if i >= smallIntMin && i <= smallIntMax {
		return smallInts[i-smallIntMin]
	}
	return Int(i)
}

// Float is a double.
type Float float64

// Kind implements Value.
func (Float) Kind() Kind { return FloatKind }

// MakeFloat returns the Glia float f.
func MakeFloat(f float64) Value { return Float(f) }

// String is an immutable UTF-8 string.
type String string

// Kind implements Value.
func (String) Kind() Kind { return StringKind }

// MakeString returns the Glia string s.
func MakeString(s string) Value { return String(s) }

// Bytes is an immutable byte string.
type Bytes string

// Kind implements Value.
func (Bytes) Kind() Kind { return BytesKind }

// MakeBytes returns a Bytes value holding a copy of b.
func MakeBytes(b []byte) Value { return Bytes(b) }

// Keyword is an interned keyword; compare keywords with ==.
type Keyword struct {
	Name string
	hash uint64
}

// Kind implements Value.
func (*Keyword) Kind() Kind { return KeywordKind }

var keywords sync.Map // string -> *Keyword

// KW returns the interned keyword with the given name (without the colon).
func KW(name string) *Keyword {
	if k, ok := keywords.Load(name); ok {
		return k.(*Keyword)
	}
	k, _ := keywords.LoadOrStore(name, &Keyword{Name: name, hash: hashString(name) ^ 0x9e3779b97f4a7c15})
	return k.(*Keyword)
}

// Symbol is a name; its optional position records where the reader found it.
type Symbol struct {
	Name string
	Pos  *Pos
}

// Kind implements Value.
func (Symbol) Kind() Kind { return SymbolKind }

// Sym returns the symbol with the given name and no position.
func Sym(name string) Symbol { return Symbol{Name: name} }

// Atom is the only mutable value: a reference cell with identity equality.
type Atom struct{ Val Value }

// Kind implements Value.
func (*Atom) Kind() Kind { return AtomKind }

// Thread is what native functions see of the evaluator: a way to call
// values and the session's output.
type Thread interface {
	// Call invokes fn (any callable value) with args.
	Call(fn Value, args []Value) (Value, error)
	// Out is the session's current standard output.
	Out() io.Writer
}

// BuiltinFunc implements a native function. The args slice belongs to the
// caller and is only valid during the call: a function that keeps
// arguments (in a closure or a returned value) copies them.
type BuiltinFunc func(t Thread, args []Value) (Value, error)

// Builtin is a native function value.
type Builtin struct {
	Name string
	Fn   BuiltinFunc
	// Doc is a one-line description used by help and completion.
	Doc string
}

// Kind implements Value.
func (*Builtin) Kind() Kind { return NativeFnKind }

// NewBuiltin returns a native function.
func NewBuiltin(name string, fn BuiltinFunc) *Builtin { return &Builtin{Name: name, Fn: fn} }

// Truthy reports whether v counts as true: everything but nil and false.
func Truthy(v Value) bool {
	switch v := v.(type) {
	case NilType:
		return false
	case Bool:
		return bool(v)
	}
	return true
}

// IsNil reports whether v is nil.
func IsNil(v Value) bool { _, ok := v.(NilType); return ok }

// ToFloat converts a number to float64.
func ToFloat(v Value) (float64, bool) {
	switch v := v.(type) {
	case Int:
		return float64(v), true
	case Float:
		return float64(v), true
	}
	return math.NaN(), false
}

// PosOf returns where the reader found a form (a list, vector, map, set or
// symbol), or nil.
func PosOf(form Value) *Pos {
	switch f := form.(type) {
	case *List:
		return f.Pos
	case *Vector:
		return f.Pos
	case *Map:
		return f.Pos
	case *Set:
		return f.Pos
	case Symbol:
		return f.Pos
	}
	return nil
}
