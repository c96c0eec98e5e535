package value

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Printer is implemented by host values that print themselves
// (closures, capabilities, cells). The same text serves both modes.
type Printer interface {
	Print(b *strings.Builder)
}

// Repr returns v's readable form (spec 3.3).
func Repr(v Value) string {
	var b strings.Builder
	Print(&b, v, true)
	return b.String()
}

// Display returns v's display form: raw text for a string, else readable.
func Display(v Value) string {
	if s, ok := v.(String); ok {
		return string(s)
	}
	return Repr(v)
}

// FormatFloat prints a float the Glia way.
func FormatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "NaN"
	case f == math.Trunc(f):
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// QuoteString returns s as a readable string literal.
func QuoteString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// Print writes v to b, readably or for display.
func Print(b *strings.Builder, v Value, readable bool) {
	switch v := v.(type) {
	case NilType:
		b.WriteString("nil")
	case Bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case Int:
		b.WriteString(strconv.FormatInt(int64(v), 10))
	case Float:
		b.WriteString(FormatFloat(float64(v)))
	case String:
		if readable {
			QuoteString(b, string(v))
		} else {
			b.WriteString(string(v))
		}
	case Symbol:
		b.WriteString(v.Name)
	case *Keyword:
		b.WriteByte(':')
		b.WriteString(v.Name)
	case *List:
		printSeq(b, "(", ")", v.Each)
	case *Vector:
		printSeq(b, "[", "]", v.Each)
	case *Set:
		printSeq(b, "#{", "}", v.Each)
	case *Map:
		b.WriteByte('{')
		first := true
		v.Each(func(k, x Value) bool {
			if !first {
				b.WriteByte(' ')
			}
			first = false
			Print(b, k, true)
			b.WriteByte(' ')
			Print(b, x, true)
			return true
		})
		b.WriteByte('}')
	case Bytes:
		fmt.Fprintf(b, "<%d bytes>", len(v))
	case *Builtin:
		b.WriteString("#<native-fn ")
		b.WriteString(v.Name)
		b.WriteByte('>')
	case *Atom:
		b.WriteString("#<atom ")
		Print(b, v.Val, true)
		b.WriteByte('>')
	case Printer:
		v.Print(b)
	default:
		fmt.Fprintf(b, "#<%s>", TypeName(v))
	}
}

func printSeq(b *strings.Builder, open, close string, each func(func(Value) bool)) {
	b.WriteString(open)
	first := true
	each(func(x Value) bool {
		if !first {
			b.WriteByte(' ')
		}
		first = false
		Print(b, x, true)
		return true
	})
	b.WriteString(close)
}

func itoa(i int) string { return strconv.Itoa(i) }
