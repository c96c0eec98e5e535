package stdlib

import (
	"testing"

	"github.com/wetware/ww/lang/value"
)

func TestStr(t *testing.T) {
	numRun(t, "", []numCase{
		{"str", va(), `""`},
		{"str", va(vi(1), vk("k"), value.Sym("a"), vf(2)), `"1:ka2.0"`},
		{"str", va(vv(vs("a"), vs("b"))), `"[\"a\" \"b\"]"`},
		{"str", va(value.Nil), `""`},
		{"str", va(vs("x"), value.Nil, vs("y")), `"xy"`},
		{"str", va(vl(value.Nil)), `"(nil)"`},
		{"str", va(value.MakeBytes([]byte{1, 2})), `"<2 bytes>"`},
		{"str", va(value.True, vi(-12)), `"true-12"`},
		{"subs", va(vs("hello"), vi(1)), `"ello"`},
		{"subs", va(vs("hello"), vi(1), vi(3)), `"el"`},
		{"subs", va(vs("héllo"), vi(1), vi(3)), `"él"`},
		{"subs", va(vs("日本語"), vi(2)), `"語"`},
		{"subs", va(vs("日本語"), vi(3)), `""`},
		{"subs", va(vs("日本語"), vi(0), vi(3)), `"日本語"`},
		{"subs", va(vs("abc"), vi(4)), "error: [glia.error/index-out-of-bounds] subs: index 4 out of bounds (count 3)"},
		{"subs", va(vs("abc"), vi(-1)), "error: [glia.error/index-out-of-bounds] subs: index -1 out of bounds (count 3)"},
		{"subs", va(vs("abc"), vi(2), vi(1)), "error: [glia.error/index-out-of-bounds] subs: index 1 out of bounds (count 3)"},
		{"subs", va(vs("日本"), vi(0), vi(3)), "error: [glia.error/index-out-of-bounds] subs: index 3 out of bounds (count 2)"},
		{"subs", va(vi(1), vi(0)), "error: [glia.error/type-mismatch] subs: expected string, got int"},
		{"subs", va(vs("a"), vf(0)), "error: [glia.error/type-mismatch] subs: expected int, got float"},
		{"subs", va(vs("a")), "error: [glia.error/arity-mismatch] subs: expected 2-3 arg(s), got 1"},
		{"format", va(vs("%s-%d"), vs("a"), vi(5)), `"a-5"`},
		{"format", va(vs("%.2f"), vf(3.14159)), `"3.14"`},
		{"format", va(vs("%x|%%|%s"), vi(255), vv(vi(1), vs("b"))), `"ff|%|[1 \"b\"]"`},
		{"format", va(vs("%f"), vi(2)), `"2.000000"`},
		{"format", va(vs("%.0f"), vf(2.5)), `"2"`},
		{"format", va(vs("%.1f"), vf(-0.25)), `"-0.2"`},
		{"format", va(vs("%f"), vf(0)), `"0.000000"`},
		{"format", va(vs("%s %s"), value.Nil, vk("k")), `"nil :k"`},
		{"format", va(vs("plain"), vi(1), vi(2)), `"plain"`},
		{"format", va(vs("日%s本"), vs("x")), `"日x本"`},
		{"format", va(vs("%d")), "error: [glia.error/invalid-argument] format: missing argument for %d"},
		{"format", va(vs("%y"), vi(1)), "error: [glia.error/invalid-argument] format: unknown directive %y"},
		{"format", va(vs("%é"), vi(1)), "error: [glia.error/invalid-argument] format: unknown directive %é"},
		{"format", va(vs("%.f"), vi(1)), "error: [glia.error/invalid-argument] format: unknown directive %."},
		{"format", va(vs("%.2d"), vi(1)), "error: [glia.error/invalid-argument] format: unknown directive %."},
		{"format", va(vs("100%")), "error: [glia.error/invalid-argument] format: incomplete directive at end of format string"},
		{"format", va(vs("%d"), vf(1.5)), "error: [glia.error/type-mismatch] format: expected int, got float"},
		{"format", va(vs("%x"), vs("a")), "error: [glia.error/type-mismatch] format: expected int, got string"},
		{"format", va(vs("%f"), vs("a")), "error: [glia.error/type-mismatch] format: expected number, got string"},
		{"format", va(vi(1)), "error: [glia.error/type-mismatch] format: expected string, got int"},
		{"name", va(vk("a/b")), `"a/b"`},
		{"name", va(vs("s")), `"s"`},
		{"name", va(value.Sym("x/y")), `"x/y"`},
		{"name", va(vi(1)), "error: [glia.error/type-mismatch] name: expected keyword, symbol or string, got int"},
		{"keyword", va(vs("a")), ":a"},
		{"keyword", va(value.Sym("b/c")), ":b/c"},
		{"keyword", va(vk("k")), ":k"},
		{"keyword", va(value.Nil), "error: [glia.error/type-mismatch] keyword: expected string, symbol or keyword, got nil"},
		{"symbol", va(vs("a")), "a"},
		{"symbol", va(vk("k")), "k"},
		{"symbol", va(vi(1)), "error: [glia.error/type-mismatch] symbol: expected string, symbol or keyword, got int"},
		{"pr-str", va(vs("a\"b")), `"\"a\\\"b\""`},
		{"pr-str", va(value.Nil), `"nil"`},
		{"pr-str", va(), `""`},
		{"pr-str", va(vs("a"), vi(1), vk("k")), `"\"a\" 1 :k"`},
	})
}

func TestPrint(t *testing.T) {
	cases := []struct {
		fn   string
		args []value.Value
		out  string
	}{
		{"println", va(vs("a\"b"), vv(vs("c")), value.Nil), "a\"b [\"c\"] nil\n"},
		{"println", va(), "\n"},
		{"println", va(vs("test"), vi(1), vk("k")), "test 1 :k\n"},
		{"print", va(vs("x"), vs("y")), "x y"},
		{"print", va(), ""},
		{"prn", va(vs("a"), vi(1), vk("k")), "\"a\" 1 :k\n"},
		{"pr", va(vs("a"), vs("b")), `"a" "b"`},
		{"pr", va(vs("\u0007\t")), `"\u0007\t"`},
	}
	for _, c := range cases {
		got, out := numCall(t, "", c.fn, c.args...)
		if got != "nil" || out != c.out {
			t.Errorf("%s: result %s, output %q; want nil, %q", c.fn, got, out, c.out)
		}
	}
}
