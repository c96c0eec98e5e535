package stdlib

import (
	"math"
	"testing"

	"github.com/wetware/ww/lang/value"
)

func TestPred(t *testing.T) {
	cap := &value.Cap{Name: "exec", Schema: "cid-exec"}
	native := numLookup(t, "", "+").Builtin()
	all := []value.Value{value.Nil, value.True, value.False, vi(0), vf(math.NaN()), vs(""), vk("k"),
		value.Sym("s"), value.EmptyList, value.EmptyVector, value.EmptyMap, value.EmptySet,
		value.MakeBytes(nil), cap, native, &value.Atom{Val: value.Nil}}
	// want lists, per predicate, the indexes in all for which it is true.
	want := map[string][]int{
		"nil?":     {0},
		"some?":    {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		"true?":    {1},
		"false?":   {2},
		"not":      {0, 2},
		"boolean?": {1, 2},
		"number?":  {3, 4},
		"int?":     {3},
		"float?":   {4},
		"string?":  {5},
		"keyword?": {6},
		"symbol?":  {7},
		"list?":    {8},
		"vector?":  {9},
		"map?":     {10},
		"set?":     {11},
		"bytes?":   {12},
		"cap?":     {13},
		"seq?":     {8},
		"coll?":    {8, 9, 10, 11},
		"fn?":      {14},
	}
	for name, idx := range want {
		expect := make([]bool, len(all))
		for _, i := range idx {
			expect[i] = true
		}
		for i, v := range all {
			got, _ := numCall(t, "", name, v)
			if w := value.Repr(value.MakeBool(expect[i])); got != w {
				t.Errorf("(%s %s) = %s, want %s", name, value.Repr(v), got, w)
			}
		}
	}
	types := []string{":nil", ":bool", ":bool", ":int", ":float", ":str", ":keyword", ":sym", ":list",
		":vector", ":map", ":set", ":bytes", ":cap", ":native-fn", ":atom"}
	for i, v := range all {
		if got, _ := numCall(t, "", "type", v); got != types[i] {
			t.Errorf("(type %s) = %s, want %s", value.Repr(v), got, types[i])
		}
	}
	numRun(t, "", []numCase{
		{"type", va(), "error: [glia.error/arity-mismatch] type: expected 1 arg(s), got 0"},
		{"nil?", va(vi(1), vi(2)), "error: [glia.error/arity-mismatch] nil?: expected 1 arg(s), got 2"},
	})
}
