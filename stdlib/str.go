package stdlib

import (
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wetware/ww/lang/value"
)

// Strings, keywords, symbols and output (spec 13.8, printing 3.3).
//
// Display printing shows a top-level string raw and everything else, strings
// nested in collections included, readably; value.Print does exactly that.

func init() { tables = append(tables, strDefs) }

var strDefs = []Def{
	{"str", 0, -1, strStr, "Display forms of the arguments concatenated, nil as empty."},
	{"subs", 2, 3, strSubs, "Substring by code point: (subs s start) or (subs s start end)."},
	{"format", 1, -1, strFormat, "Formats with %s %d %x %f %.Nf %%."},
	{"name", 1, 1, strName, "The name of a keyword or symbol, or a string itself."},
	{"keyword", 1, 1, strKeyword, "The keyword named by a string, symbol or keyword."},
	{"symbol", 1, 1, strSymbol, "The symbol named by a string, symbol or keyword."},
	{"pr-str", 0, -1, strPrStr, "Readable forms of the arguments, space-separated."},
	{"pr", 0, -1, strPrinter(true, false), "Writes the readable forms space-separated; returns nil."},
	{"prn", 0, -1, strPrinter(true, true), "Writes the readable forms space-separated and a newline; returns nil."},
	{"print", 0, -1, strPrinter(false, false), "Writes the display forms space-separated; returns nil."},
	{"println", 0, -1, strPrinter(false, true), "Writes the display forms space-separated and a newline; returns nil."},
}

// strArg unpacks a string argument.
func strArg(ctx string, v value.Value) (string, error) {
	if s, ok := v.(value.String); ok {
		return string(s), nil
	}
	return "", value.TypeError(ctx, "string", v)
}

// strWriteDisplay appends v's display form; nil contributes nothing when
// nilEmpty is set (str, join).
func strWriteDisplay(b *strings.Builder, v value.Value, nilEmpty bool) {
	switch x := v.(type) {
	case value.String:
		b.WriteString(string(x))
	case value.NilType:
		if !nilEmpty {
			b.WriteString("nil")
		}
	case value.Int:
		var buf [20]byte
		b.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	default:
		value.Print(b, v, false)
	}
}

// strPrintForms prints args space-separated, readably or for display.
func strPrintForms(args []value.Value, readable, newline bool) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		value.Print(&b, a, readable)
	}
	if newline {
		b.WriteByte('\n')
	}
	return b.String()
}

func strStr(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) == 1 {
		if s, ok := args[0].(value.String); ok {
			return s, nil
		}
	}
	var b strings.Builder
	for _, a := range args {
		strWriteDisplay(&b, a, true)
	}
	return value.MakeString(b.String()), nil
}

func strPrStr(_ value.Thread, args []value.Value) (value.Value, error) {
	return value.MakeString(strPrintForms(args, true, false)), nil
}

func strPrinter(readable, newline bool) value.BuiltinFunc {
	return func(t value.Thread, args []value.Value) (value.Value, error) {
		// Output errors (a closed pipe) are not the program's concern,
		// as with Go's fmt.Print.
		_, _ = io.WriteString(t.Out(), strPrintForms(args, readable, newline))
		return value.Nil, nil
	}
}

// strSubstring returns s[start:end] counted in code points, with the bounds
// checks of subs (0 <= start <= end <= count).
func strSubstring(ctx, s string, start, end int64, hasEnd bool) (value.Value, error) {
	ascii := strIsASCII(s)
	n := int64(len(s))
	if !ascii {
		n = int64(utf8.RuneCountInString(s))
	}
	if !hasEnd {
		end = n
	}
	if start < 0 || start > n {
		return nil, value.IndexError(ctx, int(start), int(n))
	}
	if end < start || end > n {
		return nil, value.IndexError(ctx, int(end), int(n))
	}
	if ascii {
		return value.MakeString(s[start:end]), nil
	}
	i, from := int64(0), len(s)
	for off := range s {
		if i == start {
			from = off
		}
		if i == end {
			return value.MakeString(s[from:off]), nil
		}
		i++
	}
	return value.MakeString(s[from:]), nil
}

func strIsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// strSubsArgs unpacks (f s start end?) for subs and ww/string's substring.
func strSubsArgs(ctx string, args []value.Value) (value.Value, error) {
	s, err := strArg(ctx, args[0])
	if err != nil {
		return nil, err
	}
	start, err := numIntArg(ctx, args[1])
	if err != nil {
		return nil, err
	}
	var end int64
	if len(args) > 2 {
		if end, err = numIntArg(ctx, args[2]); err != nil {
			return nil, err
		}
	}
	return strSubstring(ctx, s, start, end, len(args) > 2)
}

func strSubs(_ value.Thread, args []value.Value) (value.Value, error) {
	return strSubsArgs("subs", args)
}

// strMaxPrecision bounds %.Nf so a format string cannot ask for
// gigabytes of digits.
const strMaxPrecision = 1000

func strFormat(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "format"
	f, err := strArg(ctx, args[0])
	if err != nil {
		return nil, err
	}
	rest := args[1:]
	next := func(dir string) (value.Value, error) {
		if len(rest) == 0 {
			return nil, value.ArgError(ctx, "missing argument for "+dir)
		}
		v := rest[0]
		rest = rest[1:]
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(f) {
			return nil, value.ArgError(ctx, "incomplete directive at end of format string")
		}
		switch f[i] {
		case '%':
			b.WriteByte('%')
		case 's':
			v, err := next("%s")
			if err != nil {
				return nil, err
			}
			strWriteDisplay(&b, v, false)
		case 'd', 'x':
			dir := "%" + f[i:i+1]
			v, err := next(dir)
			if err != nil {
				return nil, err
			}
			n, err := numIntArg(ctx, v)
			if err != nil {
				return nil, err
			}
			base := 10
			if f[i] == 'x' {
				base = 16
			}
			b.WriteString(strconv.FormatInt(n, base))
		case 'f':
			if err := strFormatFixed(&b, next, "%f", 6); err != nil {
				return nil, err
			}
		case '.':
			j := i + 1
			for j < len(f) && f[j] >= '0' && f[j] <= '9' {
				j++
			}
			if j == i+1 || j == len(f) || f[j] != 'f' {
				return nil, value.ArgError(ctx, "unknown directive "+strDirective(f, i-1))
			}
			prec, err := strconv.Atoi(f[i+1 : j])
			if err != nil || prec > strMaxPrecision {
				return nil, value.ArgError(ctx, "precision too large in "+f[i-1:j+1])
			}
			if err := strFormatFixed(&b, next, f[i-1:j+1], prec); err != nil {
				return nil, err
			}
			i = j
		default:
			return nil, value.ArgError(ctx, "unknown directive "+strDirective(f, i-1))
		}
	}
	return value.MakeString(b.String()), nil
}

// strDirective returns the text of the directive starting at f[i] ('%') for
// messages: the percent sign and the character after it.
func strDirective(f string, i int) string {
	_, size := utf8.DecodeRuneInString(f[i+1:])
	return f[i : i+1+size]
}

func strFormatFixed(b *strings.Builder, next func(string) (value.Value, error), dir string, prec int) error {
	v, err := next(dir)
	if err != nil {
		return err
	}
	x, ok := value.ToFloat(v)
	if !ok {
		return value.TypeError("format", "number", v)
	}
	if math.IsInf(x, 0) || math.IsNaN(x) {
		b.WriteString(value.FormatFloat(x))
		return nil
	}
	b.WriteString(strconv.FormatFloat(x, 'f', prec, 64))
	return nil
}

func strName(_ value.Thread, args []value.Value) (value.Value, error) {
	switch x := args[0].(type) {
	case value.String:
		return x, nil
	case *value.Keyword:
		return value.MakeString(x.Name), nil
	case value.Symbol:
		return value.MakeString(x.Name), nil
	}
	return nil, value.TypeError("name", "keyword, symbol or string", args[0])
}

// strNameOf is the name carried by a string, symbol or keyword.
func strNameOf(ctx string, v value.Value) (string, error) {
	switch x := v.(type) {
	case value.String:
		return string(x), nil
	case *value.Keyword:
		return x.Name, nil
	case value.Symbol:
		return x.Name, nil
	}
	return "", value.TypeError(ctx, "string, symbol or keyword", v)
}

func strKeyword(_ value.Thread, args []value.Value) (value.Value, error) {
	if k, ok := args[0].(*value.Keyword); ok {
		return k, nil
	}
	n, err := strNameOf("keyword", args[0])
	if err != nil {
		return nil, err
	}
	return value.KW(n), nil
}

func strSymbol(_ value.Thread, args []value.Value) (value.Value, error) {
	if s, ok := args[0].(value.Symbol); ok {
		return value.Sym(s.Name), nil
	}
	n, err := strNameOf("symbol", args[0])
	if err != nil {
		return nil, err
	}
	return value.Sym(n), nil
}
