package value

import (
	"runtime"
	"testing"
)

func TestIntBox(t *testing.T) {
	var b IntBox
	var vs []Value
	for i := int64(-5000); i < 5000; i++ {
		vs = append(vs, b.Make(i*1000003))
	}
	runtime.GC()
	for i, v := range vs {
		want := int64(i-5000) * 1000003
		if v.(Int) != Int(want) || !Equal(v, MakeInt(want)) || Hash(v) != Hash(MakeInt(want)) {
			t.Fatalf("box %d: got %v want %d", i, v, want)
		}
	}
}

func BenchmarkIntBox(b *testing.B) {
	var box IntBox
	var sink Value
	for i := 0; i < b.N; i++ {
		sink = box.Make(int64(i) + 100000)
	}
	_ = sink
}

func BenchmarkMakeInt(b *testing.B) {
	var sink Value
	for i := 0; i < b.N; i++ {
		sink = MakeInt(int64(i) + 100000)
	}
	_ = sink
}
