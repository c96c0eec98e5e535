package reader

import (
	"math"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/wetware/ww/lang/value"
)

// atom classifies an atom (spec 2.3): keyword, nil/true/false, integer,
// float, else symbol. Inside a syntax-quote a symbol ending in "#" is an
// auto-gensym (spec 9.3).
func (b *builder) atom(s string, p lexer.Position) value.Value {
	switch c := s[0]; {
	case c == ':':
		return value.KW(s[1:])
	case c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.':
		if v, ok := number(s); ok {
			return v
		}
	case s == "nil":
		return value.Nil
	case s == "true":
		return value.True
	case s == "false":
		return value.False
	}
	if b.sq > 0 && len(s) > 1 && s[len(s)-1] == '#' {
		s = b.autoGensym(s)
	}
	return value.Symbol{Name: s, Pos: b.newPos(p)}
}

// number parses an integer or float atom, reporting false for anything
// else. Integers are an optional sign and ASCII digits within 64 bits;
// floats match [+-]?(D|D.D?|.D)([eE][+-]?D)? (D a run of digits), or are a
// sign followed by inf, infinity or nan in any case. A digit string too
// large for an integer is a float.
func number(s string) (value.Value, bool) {
	i := 0
	if s[0] == '+' || s[0] == '-' {
		i = 1
	}
	k := i + digits(s[i:])
	nd := k - i
	if k == len(s) {
		if nd == 0 {
			return nil, false
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return value.MakeInt(n), true
		}
		f, _ := strconv.ParseFloat(s, 64)
		return value.MakeFloat(f), true
	}
	if nd == 0 && i == 1 && s[1] != '.' {
		switch strings.ToLower(s[1:]) {
		case "inf", "infinity":
			if s[0] == '-' {
				return value.MakeFloat(math.Inf(-1)), true
			}
			return value.MakeFloat(math.Inf(1)), true
		case "nan":
			return value.MakeFloat(math.NaN()), true
		}
		return nil, false
	}
	if s[k] == '.' {
		k++
		nf := digits(s[k:])
		if nd == 0 && nf == 0 {
			return nil, false
		}
		k += nf
	} else if nd == 0 {
		return nil, false
	}
	if k < len(s) && (s[k] == 'e' || s[k] == 'E') {
		k++
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		ne := digits(s[k:])
		if ne == 0 {
			return nil, false
		}
		k += ne
	}
	if k != len(s) {
		return nil, false
	}
	// Out of range values parse as ±Inf or 0 with an error; keep them.
	f, _ := strconv.ParseFloat(s, 64)
	return value.MakeFloat(f), true
}

// digits returns the length of the run of ASCII digits s starts with.
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
