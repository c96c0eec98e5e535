package stdlib

import (
	"math"
	"strings"
	"testing"

	"github.com/wetware/ww/lang/value"
)

func TestJSONParse(t *testing.T) {
	numRun(t, "ww/json", []numCase{
		{"parse", va(vs(`[1,{"k":[false,2.5]}]`)), `[1 {"k" [false 2.5]}]`},
		{"parse", va(vs(` {"b":1, "a":2, "c":{"z":null,"y":true}} `)), `{"b" 1 "a" 2 "c" {"z" nil "y" true}}`},
		{"parse", va(vs(`{"a":1,"b":2,"a":3}`)), `{"a" 3 "b" 2}`},
		{"parse", va(vs(`[]`)), `[]`},
		{"parse", va(vs(`{}`)), `{}`},
		{"parse", va(vs(`1.0`)), `1.0`},
		{"parse", va(vs(`-0`)), `0`},
		{"parse", va(vs(`1e2`)), `100.0`},
		{"parse", va(vs(`-12.5E-1`)), `-1.25`},
		{"parse", va(vs(`9223372036854775807`)), `9223372036854775807`},
		{"parse", va(vs(`-9223372036854775808`)), `-9223372036854775808`},
		{"parse", va(vs(`9223372036854775808`)), `9223372036854775808.0`},
		{"parse", va(vs(`"a\"b\\c\/d\n\t\r\b\f\u00e9\ud83d\ude00"`)), `"a\"b\\c/d\n\t\r\u0008\u000cé😀"`},
		{"parse", va(vs(`"\ud83d"`)), "\"\uFFFD\""},
		{"parse", va(vs(`"\ud83d\u0041"`)), "\"\uFFFDA\""},
		{"parse", va(vs(`"日本"`)), `"日本"`},
		{"parse", va(vb('[', '1', ']')), `[1]`},
		{"parse", va(vs(`{bad`)), `error: [glia.error/parse] json: unexpected character 'b' at 1:2`},
		{"parse", va(vs("[1,\n 2,]")), `error: [glia.error/parse] json: unexpected character ']' at 2:4`},
		{"parse", va(vs(`[1 2]`)), `error: [glia.error/parse] json: unexpected character '2' at 1:4`},
		{"parse", va(vs(`[1`)), `error: [glia.error/parse] json: unexpected end of input`},
		{"parse", va(vs(``)), `error: [glia.error/parse] json: unexpected end of input`},
		{"parse", va(vs(`   `)), `error: [glia.error/parse] json: unexpected end of input`},
		{"parse", va(vs(`1 2`)), `error: [glia.error/parse] json: unexpected character '2' at 1:3`},
		{"parse", va(vs(`tru`)), `error: [glia.error/parse] json: unexpected end of input`},
		{"parse", va(vs(`nul!`)), `error: [glia.error/parse] json: unexpected character '!' at 1:4`},
		{"parse", va(vs(`01`)), `error: [glia.error/parse] json: unexpected character '1' at 1:2`},
		{"parse", va(vs(`1.`)), `error: [glia.error/parse] json: unexpected end of input`},
		{"parse", va(vs(`-`)), `error: [glia.error/parse] json: unexpected end of input`},
		{"parse", va(vs(`+1`)), `error: [glia.error/parse] json: unexpected character '+' at 1:1`},
		{"parse", va(vs(`NaN`)), `error: [glia.error/parse] json: unexpected character 'N' at 1:1`},
		{"parse", va(vs(`1e999`)), `error: [glia.error/parse] json: number out of range 1e999 at 1:1`},
		{"parse", va(vs(`"abc`)), `error: [glia.error/parse] json: unterminated string`},
		{"parse", va(vs(`"a\`)), `error: [glia.error/parse] json: unterminated string`},
		{"parse", va(vs("\"a\nb\"")), `error: [glia.error/parse] json: control character in string at 1:3`},
		{"parse", va(vs(`"\x"`)), `error: [glia.error/parse] json: invalid escape "\\x" at 1:2`},
		{"parse", va(vs(`"\u12"`)), `error: [glia.error/parse] json: invalid unicode escape at 1:4`},
		{"parse", va(vs(`{"a" 1}`)), `error: [glia.error/parse] json: unexpected character '1' at 1:6`},
		{"parse", va(vs(`{1:2}`)), `error: [glia.error/parse] json: unexpected character '1' at 1:2`},
		{"parse", va(vi(1)), `error: [glia.error/type-mismatch] parse: expected string or bytes, got int`},
		{"parse-or", va(vs(`{bad`), vk("d")), `:d`},
		{"parse-or", va(vi(1), vk("d")), `:d`},
		{"parse-or", va(vs(`[null]`), vk("d")), `[nil]`},
	})
	deep := strings.Repeat("[", jsonMaxDepth) + strings.Repeat("]", jsonMaxDepth)
	if got, _ := numCall(t, "ww/json", "parse", vs(deep)); strings.HasPrefix(got, "error") {
		t.Errorf("depth %d: %s", jsonMaxDepth, got)
	}
	deeper := "[" + deep + "]"
	if got, _ := numCall(t, "ww/json", "parse", vs(deeper)); !strings.Contains(got, "nesting too deep") {
		t.Errorf("depth %d: %.80s", jsonMaxDepth+1, got)
	}
}

func TestJSONEmit(t *testing.T) {
	m := value.NewMap(vk("a"), vv(vi(1), vs("x"), value.Nil))
	numRun(t, "ww/json", []numCase{
		{"emit", va(m), `"{\"a\":[1,\"x\",null]}"`},
		{"emit", va(vv(vf(1), vi(2))), `"[1.0,2]"`},
		{"emit", va(vv(value.True, value.False, vf(0.1), vf(1e21), vf(-0.0))), `"[true,false,0.1,1000000000000000000000.0,0.0]"`},
		{"emit", va(vs("q\"b\\n\n\r\t\b\f\u0001\u001f\u007f/é<")), `"\"q\\\"b\\\\n\\n\\r\\t\\b\\f\\u0001\\u001f\u007f/é<\""`},
		{"emit", va(vk("ns/k")), `"\"ns/k\""`},
		{"emit", va(value.Sym("s")), `"\"s\""`},
		{"emit", va(vl(vi(1))), `"[1]"`},
		{"emit", va(value.NewSet(vi(3), vi(1))), `"[3,1]"`},
		{"emit", va(value.NewMap(vs("s"), vi(1), value.Sym("y"), vi(2))), `"{\"s\":1,\"y\":2}"`},
		{"emit", va(value.EmptyVector), `"[]"`},
		{"emit", va(value.EmptyMap), `"{}"`},
		{"emit", va(value.Nil), `"null"`},
		{"emit", va(vf(math.NaN())), `error: [glia.error/invalid-argument] json: cannot encode NaN`},
		{"emit", va(vv(vf(math.Inf(-1)))), `error: [glia.error/invalid-argument] json: cannot encode -inf`},
		{"emit", va(value.NewMap(vi(1), vi(2))), `error: [glia.error/invalid-argument] json: cannot encode map key 1`},
		{"emit", va(vb(1)), `error: [glia.error/invalid-argument] json: cannot encode <1 bytes>`},
		{"emit", va(&value.Atom{Val: vi(1)}), `error: [glia.error/invalid-argument] json: cannot encode #<atom 1>`},
		{"emit-pretty", va(value.NewMap(vk("a"), vv(vi(1), vi(2)))), `"{\n  \"a\": [\n    1,\n    2\n  ]\n}"`},
		{"emit-pretty", va(value.NewMap(vk("a"), value.EmptyVector, vk("b"), value.EmptyMap, vk("c"), value.NewMap(vk("d"), vi(1)))),
			`"{\n  \"a\": [],\n  \"b\": {},\n  \"c\": {\n    \"d\": 1\n  }\n}"`},
		{"emit-pretty", va(vi(1)), `"1"`},
		{"emit-pretty", va(value.EmptyVector), `"[]"`},
	})
}

func TestJSONRoundTrip(t *testing.T) {
	in := value.NewVector(vi(1), value.NewMap(vs("k"), vv(value.False, vf(2.5))), vf(1), vs("é\u0000"), value.Nil)
	for _, emit := range []string{"emit", "emit-pretty"} {
		text, err := numLookup(t, "ww/json", emit).Fn(&numThread{}, va(in))
		if err != nil {
			t.Fatal(err)
		}
		back, err := numLookup(t, "ww/json", "parse").Fn(&numThread{}, va(text))
		if err != nil {
			t.Fatal(err)
		}
		if value.Repr(back) != value.Repr(in) {
			t.Errorf("%s round trip: %s", emit, value.Repr(back))
		}
	}
}
