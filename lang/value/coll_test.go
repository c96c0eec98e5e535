package value

import "testing"

func benchKeys(n int) []Value {
	ks := make([]Value, n)
	for i := range ks {
		ks[i] = MakeInt(int64(i))
	}
	return ks
}

func BenchmarkMapAssoc100k(b *testing.B) {
	ks := benchKeys(100000)
	b.ReportAllocs()
	for b.Loop() {
		m := EmptyMap
		for _, k := range ks {
			m = m.Assoc(k, k)
		}
	}
}

func BenchmarkMapAssocExisting(b *testing.B) {
	ks := benchKeys(100000)
	m := EmptyMap
	for _, k := range ks {
		m = m.Assoc(k, k)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m = m.Assoc(ks[i], Nil)
		i = (i + 7919) % len(ks)
	}
}

func BenchmarkMapGet(b *testing.B) {
	ks := benchKeys(100000)
	m := EmptyMap
	for _, k := range ks {
		m = m.Assoc(k, k)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := m.Get(ks[i]); !ok {
			b.Fatal("missing")
		}
		i = (i + 7919) % len(ks)
	}
}

func BenchmarkMapEach(b *testing.B) {
	ks := benchKeys(100000)
	m := EmptyMap
	for _, k := range ks {
		m = m.Assoc(k, k)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		m.Each(func(k, v Value) bool { n++; return true })
		if n != len(ks) {
			b.Fatal(n)
		}
	}
}

func BenchmarkVectorConj100k(b *testing.B) {
	ks := benchKeys(100000)
	b.ReportAllocs()
	for b.Loop() {
		v := EmptyVector
		for _, k := range ks {
			v = v.Conj(k)
		}
	}
}
