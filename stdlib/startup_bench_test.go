package stdlib

import "testing"

func BenchmarkNewInterp(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := NewInterp(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
