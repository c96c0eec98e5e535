package stdlib

import (
	"strconv"
	"strings"
	"testing"

	"github.com/wetware/ww/lang/value"
)

func TestWWString(t *testing.T) {
	numRun(t, "ww/string", []numCase{
		{"join", va(vs("-"), vv(vi(1), vk("k"), value.Nil)), `"1-:k-"`},
		{"join", va(vv(vi(1), vi(2), vi(3))), `"123"`},
		{"join", va(vs(", "), vl(vs("a"), vv(vs("b")))), `"a, [\"b\"]"`},
		{"join", va(vs(","), value.Nil), `""`},
		{"join", va(vs(","), vs("abc")), `"a,b,c"`},
		{"join", va(vs(","), value.NewMap(vk("a"), vi(1))), `"[:a 1]"`},
		{"join", va(vs(","), vi(1)), `error: [glia.error/type-mismatch] join: expected sequence, got int`},
		{"join", va(vi(1), vv()), `error: [glia.error/type-mismatch] join: expected string, got int`},
		{"split", va(vs("a,b,,c"), vs(",")), `["a" "b" "" "c"]`},
		{"split", va(vs("héllo"), vs("")), `["h" "é" "l" "l" "o"]`},
		{"split", va(vs("abc"), vs("x")), `["abc"]`},
		{"split", va(vs(""), vs(",")), `[""]`},
		{"split", va(vs("a::b"), vs("::")), `["a" "b"]`},
		{"split", va(vs("a"), vk("b")), `error: [glia.error/type-mismatch] split: expected string, got keyword`},
		{"blank?", va(value.Nil), "true"},
		{"blank?", va(vs("")), "true"},
		{"blank?", va(vs(" \t\n")), "true"},
		{"blank?", va(vs("x")), "false"},
		{"blank?", va(vi(1)), `error: [glia.error/type-mismatch] blank?: expected string, got int`},
		{"repeat-str", va(vs("ab"), vi(3)), `"ababab"`},
		{"repeat-str", va(vs("ab"), vi(0)), `""`},
		{"repeat-str", va(vs("ab"), vi(-2)), `""`},
		{"repeat-str", va(vs("ab"), vi(1<<62)), `error: [glia.error/invalid-argument] repeat-str: result too large`},
		{"repeat-str", va(vs("ab"), vs("3")), `error: [glia.error/type-mismatch] repeat-str: expected int, got string`},
		{"upper-case", va(vs("a")), `"A"`},
		{"upper-case", va(vs("mixed Case é ß")), `"MIXED CASE É ß"`},
		{"lower-case", va(vs("HeLLo É")), `"hello é"`},
		{"upper-case", va(vk("a")), `error: [glia.error/type-mismatch] upper-case: expected string, got keyword`},
		{"trim", va(vs("  hi \n")), `"hi"`},
		{"trim", va(vs("\u00a0x\u3000")), `"x"`},
		{"replace-str", va(vs("a-b-c"), vs("-"), vs("+")), `"a+b+c"`},
		{"replace-str", va(vs("aaa"), vs("aa"), vs("b")), `"ba"`},
		{"replace-str", va(vs("ab"), vs(""), vs("-")), `"-a-b-"`},
		{"replace-str", va(vs("ab"), vs("a"), vi(1)), `error: [glia.error/type-mismatch] replace-str: expected string, got int`},
		{"includes?", va(vs("hello"), vs("ell")), "true"},
		{"includes?", va(vs("hello"), vs("")), "true"},
		{"includes?", va(vs("hello"), vs("x")), "false"},
		{"starts-with?", va(vs("hello"), vs("he")), "true"},
		{"starts-with?", va(vs("hello"), vs("lo")), "false"},
		{"ends-with?", va(vs("hello"), vs("lo")), "true"},
		{"ends-with?", va(value.Nil, vs("lo")), `error: [glia.error/type-mismatch] ends-with?: expected string, got nil`},
		{"char-at", va(vs("héllo"), vi(1)), `"é"`},
		{"char-at", va(vs("héllo"), vi(4)), `"o"`},
		{"char-at", va(vs("héllo"), vi(5)), `error: [glia.error/index-out-of-bounds] char-at: index 5 out of bounds (count 5)`},
		{"char-at", va(vs("abc"), vi(-1)), `error: [glia.error/index-out-of-bounds] char-at: index -1 out of bounds (count 3)`},
		{"char-at", va(vs("abc"), vf(1)), `error: [glia.error/type-mismatch] char-at: expected int, got float`},
		{"length", va(vs("héllo")), "5"},
		{"length", va(vs("")), "0"},
		{"length", va(vv()), `error: [glia.error/type-mismatch] length: expected string, got vector`},
		{"substring", va(vs("héllo"), vi(1), vi(3)), `"él"`},
		{"substring", va(vs("héllo"), vi(2)), `"llo"`},
		{"substring", va(vs("abc"), vi(1), vi(4)), `error: [glia.error/index-out-of-bounds] substring: index 4 out of bounds (count 3)`},
		{"join", va(), `error: [glia.error/arity-mismatch] join: expected 1-2 arg(s), got 0`},
	})
}

func TestJoinLarge(t *testing.T) {
	const n = 100000
	b := value.NewVectorBuilder()
	for i := 0; i < n; i++ {
		b.Append(vi(int64(i)))
	}
	v, err := numLookup(t, "ww/string", "join").Fn(&numThread{}, va(vs(","), b.Vector()))
	if err != nil {
		t.Fatal(err)
	}
	s := string(v.(value.String))
	if len(s) != 588889 || !strings.HasSuffix(s, ","+strconv.Itoa(n-1)) {
		t.Errorf("len = %d", len(s))
	}
}

func BenchmarkJoin100k(b *testing.B) {
	vb := value.NewVectorBuilder()
	for i := 0; i < 100000; i++ {
		vb.Append(vi(int64(i)))
	}
	coll := vb.Vector()
	th := &numThread{}
	for i := 0; i < b.N; i++ {
		_, _ = wwsJoin(th, va(vs(","), coll))
	}
}
