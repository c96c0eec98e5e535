package stdlib

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/wetware/ww/lang/value"
)

// The native functions of ww/json (spec 16.5): a small JSON reader that
// keeps object keys in document order (maps remember insertion order) and
// a writer in compact and pretty forms.
//
// Numbers written without a fraction or exponent that fit 64 bits read as
// ints, all others as floats, so emit followed by parse gives back ints and
// floats as they were (emit writes 1.0 for the float one).

func init() { moduleTables["ww/json"] = append(moduleTables["ww/json"], jsonDefs...) }

var jsonDefs = []Def{
	{"parse", 1, 1, jsonParseFn, "Value of JSON text (string or UTF-8 bytes): objects as maps with string keys in order, arrays as vectors."},
	{"parse-or", 2, 2, jsonParseOr, "(parse-or s default): like parse, but default on any error."},
	{"emit", 1, 1, jsonEmitFn(false), "Compact JSON text of a value."},
	{"emit-pretty", 1, 1, jsonEmitFn(true), "JSON text of a value with two-space indentation."},
}

// jsonMaxDepth bounds the nesting of arrays and objects the reader accepts.
const jsonMaxDepth = 10000

func jsonParseFn(_ value.Thread, args []value.Value) (value.Value, error) {
	var text string
	switch x := args[0].(type) {
	case value.String:
		text = string(x)
	case value.Bytes:
		text = string(x)
	default:
		return nil, value.TypeError("parse", "string or bytes", args[0])
	}
	return jsonParse(text)
}

func jsonParseOr(t value.Thread, args []value.Value) (value.Value, error) {
	v, err := jsonParseFn(t, args[:1])
	if err != nil {
		return args[1], nil
	}
	return v, nil
}

// jsonParse reads one JSON value filling all of text (surrounding
// whitespace aside).
func jsonParse(text string) (value.Value, error) {
	p := &jsonParser{s: text}
	p.ws()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i < len(p.s) {
		return nil, p.unexpected()
	}
	return v, nil
}

type jsonParser struct {
	s     string
	i     int
	depth int
}

// fail reports detail at the current position (line:col in code points).
func (p *jsonParser) fail(detail string) error {
	line, col := 1, 1
	for _, r := range p.s[:p.i] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	loc := strconv.Itoa(line) + ":" + strconv.Itoa(col)
	return value.NewError("parse", "json: "+detail+" at "+loc, "source-location", loc)
}

// unexpected reports the character at the current position, or the end.
func (p *jsonParser) unexpected() error {
	if p.i >= len(p.s) {
		return value.NewError("parse", "json: unexpected end of input")
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	return p.fail("unexpected character " + strconv.QuoteRune(r))
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// expect consumes the literal word.
func (p *jsonParser) expect(word string) error {
	if !strings.HasPrefix(p.s[p.i:], word) {
		for j := 0; j < len(word) && p.i < len(p.s) && p.s[p.i] == word[j]; j++ {
			p.i++
		}
		return p.unexpected()
	}
	p.i += len(word)
	return nil
}

func (p *jsonParser) value() (value.Value, error) {
	if p.i >= len(p.s) {
		return nil, p.unexpected()
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return value.MakeString(s), nil
	case c == 't':
		return value.True, p.expect("true")
	case c == 'f':
		return value.False, p.expect("false")
	case c == 'n':
		return value.Nil, p.expect("null")
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return nil, p.unexpected()
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > jsonMaxDepth {
		return p.fail("nesting too deep")
	}
	p.i++ // the opening bracket
	p.ws()
	return nil
}

func (p *jsonParser) array() (value.Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	vb := value.NewVectorBuilder()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return vb.Vector(), nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		vb.Append(v)
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			p.ws()
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			p.depth--
			return vb.Vector(), nil
		}
		return nil, p.unexpected()
	}
}

func (p *jsonParser) object() (value.Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	m := value.EmptyMap
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return m, nil
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.unexpected()
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.unexpected()
		}
		p.i++
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m = m.Assoc(value.MakeString(k), v)
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			p.ws()
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			p.depth--
			return m, nil
		}
		return nil, p.unexpected()
	}
}

// str reads a string literal starting at the opening quote.
func (p *jsonParser) str() (string, error) {
	p.i++
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			p.i++
			return p.s[start : p.i-1], nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			break
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid unicode escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if strings.HasPrefix(p.s[p.i:], `\u`) {
					save := p.i
					p.i += 2
					if lo, ok := p.hex4(); ok && utf16.DecodeRune(r, lo) != utf8.RuneError {
						r2 = utf16.DecodeRune(r, lo)
					} else {
						p.i = save
					}
				}
				r = r2
			}
			b.WriteRune(r)
		default:
			p.i -= 2
			return "", p.fail("invalid escape " + strconv.Quote(p.s[p.i:p.i+2]))
		}
	}
	return "", value.NewError("parse", "json: unterminated string")
}

// hex4 reads the four hex digits of a \u escape.
func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 16)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}

func (p *jsonParser) number() (value.Value, error) {
	start := p.i
	digits := func() int {
		j := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		return p.i - j
	}
	if p.s[p.i] == '-' {
		p.i++
	}
	intStart := p.i
	if n := digits(); n == 0 {
		return nil, p.unexpected()
	} else if n > 1 && p.s[intStart] == '0' {
		p.i = intStart + 1
		return nil, p.unexpected()
	}
	integral := true
	if p.i < len(p.s) && p.s[p.i] == '.' {
		integral = false
		p.i++
		if digits() == 0 {
			return nil, p.unexpected()
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		integral = false
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.unexpected()
		}
	}
	text := p.s[start:p.i]
	if integral {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return value.MakeInt(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		p.i = start
		return nil, p.fail("number out of range " + text)
	}
	return value.MakeFloat(f), nil
}

func jsonEmitFn(pretty bool) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) {
		e := jsonEmitter{pretty: pretty}
		if err := e.emit(args[0], 0); err != nil {
			return nil, err
		}
		return value.MakeString(e.b.String()), nil
	}
}

type jsonEmitter struct {
	b      strings.Builder
	pretty bool
}

func jsonCannot(what string, v value.Value) error {
	return value.ArgError("json", "cannot encode "+what+value.Repr(v))
}

func (e *jsonEmitter) newline(depth int) {
	if e.pretty {
		e.b.WriteByte('\n')
		for range depth {
			e.b.WriteString("  ")
		}
	}
}

func (e *jsonEmitter) emit(v value.Value, depth int) error {
	switch x := v.(type) {
	case value.NilType:
		e.b.WriteString("null")
	case value.Bool:
		e.b.WriteString(strconv.FormatBool(bool(x)))
	case value.Int:
		e.b.WriteString(strconv.FormatInt(int64(x), 10))
	case value.Float:
		f := float64(x)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return jsonCannot("", v)
		}
		e.b.WriteString(value.FormatFloat(f))
	case value.String:
		jsonQuote(&e.b, string(x))
	case *value.Keyword:
		jsonQuote(&e.b, x.Name)
	case value.Symbol:
		jsonQuote(&e.b, x.Name)
	case *value.List, *value.Vector, *value.Set:
		if value.Count(v) == 0 {
			e.b.WriteString("[]")
			return nil
		}
		e.b.WriteByte('[')
		var err error
		first := true
		value.Each(v, func(el value.Value) bool {
			if !first {
				e.b.WriteByte(',')
			}
			first = false
			e.newline(depth + 1)
			err = e.emit(el, depth+1)
			return err == nil
		})
		if err != nil {
			return err
		}
		e.newline(depth)
		e.b.WriteByte(']')
	case *value.Map:
		if x.Count() == 0 {
			e.b.WriteString("{}")
			return nil
		}
		e.b.WriteByte('{')
		var err error
		first := true
		x.Each(func(k, el value.Value) bool {
			if !first {
				e.b.WriteByte(',')
			}
			first = false
			e.newline(depth + 1)
			switch k := k.(type) {
			case value.String:
				jsonQuote(&e.b, string(k))
			case *value.Keyword:
				jsonQuote(&e.b, k.Name)
			case value.Symbol:
				jsonQuote(&e.b, k.Name)
			default:
				err = jsonCannot("map key ", k)
				return false
			}
			e.b.WriteByte(':')
			if e.pretty {
				e.b.WriteByte(' ')
			}
			err = e.emit(el, depth+1)
			return err == nil
		})
		if err != nil {
			return err
		}
		e.newline(depth)
		e.b.WriteByte('}')
	default:
		return jsonCannot("", v)
	}
	return nil
}

// jsonQuote writes s as a JSON string, escaping only '"', '\' and control
// characters.
func jsonQuote(b *strings.Builder, s string) {
	const hexDigits = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		start = i + 1
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
