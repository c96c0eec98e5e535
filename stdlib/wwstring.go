package stdlib

import (
	"strings"
	"unicode/utf8"

	"github.com/wetware/ww/lang/value"
)

// The native functions of ww/string (spec 16.4). Strings in, strings out;
// indexes count code points; a wrong type is "<name>: expected string, got
// <t>".

func init() { moduleTables["ww/string"] = append(moduleTables["ww/string"], wwsDefs...) }

var wwsDefs = []Def{
	{"join", 1, 2, wwsJoin, "(join coll) or (join sep coll): display forms of the elements joined, nil as empty."},
	{"split", 2, 2, wwsSplit, "(split s sep): vector of the parts around a literal separator; empty sep splits into characters."},
	{"blank?", 1, 1, wwsBlank, "True for nil, the empty string or only whitespace."},
	{"repeat-str", 2, 2, wwsRepeat, "(repeat-str s n): s repeated n times."},
	wwsMap("upper-case", "The string in upper case (simple case mapping).", strings.ToUpper),
	wwsMap("lower-case", "The string in lower case (simple case mapping).", strings.ToLower),
	wwsMap("trim", "The string without leading and trailing whitespace.", strings.TrimSpace),
	{"replace-str", 3, 3, wwsReplace, "(replace-str s match repl): every literal occurrence of match replaced."},
	wwsTest("includes?", "(includes? s sub): true if sub occurs in s.", strings.Contains),
	wwsTest("starts-with?", "(starts-with? s prefix): true if s starts with prefix.", strings.HasPrefix),
	wwsTest("ends-with?", "(ends-with? s suffix): true if s ends with suffix.", strings.HasSuffix),
	{"char-at", 2, 2, wwsCharAt, "(char-at s i): the 1-character string at code point index i."},
	{"length", 1, 1, wwsLength, "Number of code points."},
	{"substring", 2, 3, wwsSubstring, "(substring s start end): substring by code point, as subs."},
}

// wwsMax bounds the size of a string built by repeat-str.
const wwsMax = 1 << 30

// wwsMap defines a string-to-string function.
func wwsMap(name, doc string, f func(string) string) Def {
	return Def{name, 1, 1, func(_ value.Thread, args []value.Value) (value.Value, error) {
		s, err := strArg(name, args[0])
		if err != nil {
			return nil, err
		}
		return value.MakeString(f(s)), nil
	}, doc}
}

// wwsTest defines a two-string predicate.
func wwsTest(name, doc string, f func(s, sub string) bool) Def {
	return Def{name, 2, 2, func(_ value.Thread, args []value.Value) (value.Value, error) {
		s, sub, err := wwsTwo(name, args[0], args[1])
		if err != nil {
			return nil, err
		}
		return value.MakeBool(f(s, sub)), nil
	}, doc}
}

// wwsTwo unpacks two string arguments.
func wwsTwo(name string, a, b value.Value) (string, string, error) {
	s, err := strArg(name, a)
	if err != nil {
		return "", "", err
	}
	t, err := strArg(name, b)
	return s, t, err
}

func wwsJoin(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "join"
	sep, coll := "", args[len(args)-1]
	if len(args) == 2 {
		var err error
		if sep, err = strArg(ctx, args[0]); err != nil {
			return nil, err
		}
	}
	if !value.IsSeqable(coll) {
		return nil, value.TypeError(ctx, "sequence", coll)
	}
	var b strings.Builder
	first := true
	value.Each(coll, func(x value.Value) bool {
		if !first {
			b.WriteString(sep)
		}
		first = false
		strWriteDisplay(&b, x, true)
		return true
	})
	return value.MakeString(b.String()), nil
}

func wwsSplit(_ value.Thread, args []value.Value) (value.Value, error) {
	s, sep, err := wwsTwo("split", args[0], args[1])
	if err != nil {
		return nil, err
	}
	parts := strings.Split(s, sep)
	vb := value.NewVectorBuilder()
	for _, p := range parts {
		vb.Append(value.MakeString(p))
	}
	return vb.Vector(), nil
}

func wwsBlank(_ value.Thread, args []value.Value) (value.Value, error) {
	if value.IsNil(args[0]) {
		return value.True, nil
	}
	s, err := strArg("blank?", args[0])
	if err != nil {
		return nil, err
	}
	return value.MakeBool(strings.TrimSpace(s) == ""), nil
}

func wwsRepeat(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "repeat-str"
	s, err := strArg(ctx, args[0])
	if err != nil {
		return nil, err
	}
	n, err := numIntArg(ctx, args[1])
	if err != nil {
		return nil, err
	}
	if n <= 0 || s == "" {
		return value.MakeString(""), nil
	}
	if n > wwsMax/int64(len(s)) {
		return nil, value.ArgError(ctx, "result too large")
	}
	return value.MakeString(strings.Repeat(s, int(n))), nil
}

func wwsReplace(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "replace-str"
	s, match, err := wwsTwo(ctx, args[0], args[1])
	if err != nil {
		return nil, err
	}
	repl, err := strArg(ctx, args[2])
	if err != nil {
		return nil, err
	}
	return value.MakeString(strings.ReplaceAll(s, match, repl)), nil
}

func wwsCharAt(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "char-at"
	s, err := strArg(ctx, args[0])
	if err != nil {
		return nil, err
	}
	i, err := numIntArg(ctx, args[1])
	if err != nil {
		return nil, err
	}
	if i >= 0 {
		k := int64(0)
		for off := range s {
			if k == i {
				_, size := utf8.DecodeRuneInString(s[off:])
				return value.MakeString(s[off : off+size]), nil
			}
			k++
		}
	}
	return nil, value.IndexError(ctx, int(i), utf8.RuneCountInString(s))
}

func wwsLength(_ value.Thread, args []value.Value) (value.Value, error) {
	s, err := strArg("length", args[0])
	if err != nil {
		return nil, err
	}
	return value.MakeInt(int64(utf8.RuneCountInString(s))), nil
}

func wwsSubstring(_ value.Thread, args []value.Value) (value.Value, error) {
	return strSubsArgs("substring", args)
}
