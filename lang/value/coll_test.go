package value

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// The tests in this file compare Vector, Map and Set with simple reference
// models (Go slices, ordered slices) over fixed-seed random operation
// sequences, and at the sizes where the 32-way vector tries (also used for
// the maps' insertion order) change shape. They also check the structures'
// internal invariants, and that old versions are never affected by updates
// to newer ones (structural sharing).

// Sizes on both sides of the trie boundaries: the first leaf (32), the
// first root split (1056 = 32*32 + 32) and the second (32800 = 32^3 + 32).
var vecSizes = []int{0, 1, 2, 4, 5, 31, 32, 33, 63, 64, 65, 1023, 1024, 1025, 1055, 1056, 1057, 1088, 1089,
	32767, 32768, 32769, 32799, 32800, 32801, 32832, 32833}

func isVecBoundary(n int) bool { return slices.Contains(vecSizes, n) }

// ---- Vector ----

func checkVecInvariants(t *testing.T, v *pvec[Value]) {
	t.Helper()
	off := tailOff(v.count)
	if v.count > 0 && (len(v.tail) != v.count-off || len(v.tail) == 0 || len(v.tail) > vwidth) {
		t.Fatalf("count %d: tail length %d", v.count, len(v.tail))
	}
	if v.count == 0 && len(v.tail) != 0 {
		t.Fatalf("empty vector with tail %d", len(v.tail))
	}
	if (v.root == nil) != (off == 0) || (v.root == nil) != (v.shift == 0) {
		t.Fatalf("count %d: root %v shift %d", v.count, v.root != nil, v.shift)
	}
	if off > 0 {
		capOf := func(shift uint) int { return 1 << (shift + vbits) }
		if off > capOf(v.shift) || (v.shift > vbits && off <= capOf(v.shift-vbits)) {
			t.Fatalf("count %d: shift %d not minimal", v.count, v.shift)
		}
	}
	if v.claim != nil && int(v.claim.Load()) < len(v.tail) {
		t.Fatalf("claim %d below tail length %d", v.claim.Load(), len(v.tail))
	}
}

func checkVec(t *testing.T, v *Vector, model []Value) {
	t.Helper()
	checkVecInvariants(t, &v.pvec)
	if v.Count() != len(model) {
		t.Fatalf("Count = %d, want %d", v.Count(), len(model))
	}
	for i, x := range model {
		if got := v.Nth(i); !Equal(got, x) {
			t.Fatalf("size %d: Nth(%d) = %s, want %s", len(model), i, Repr(got), Repr(x))
		}
	}
	if got := v.Slice(); !slices.EqualFunc(got, model, Equal) {
		t.Fatalf("size %d: Slice differs", len(model))
	}
	i := 0
	v.Each(func(x Value) bool {
		if !Equal(x, model[i]) {
			t.Fatalf("size %d: Each at %d = %s, want %s", len(model), i, Repr(x), Repr(model[i]))
		}
		i++
		return true
	})
	if i != len(model) {
		t.Fatalf("Each visited %d of %d", i, len(model))
	}
	for _, j := range []int{-1, len(model), len(model) + 1} {
		if x, ok := v.Get(j); ok || x != Nil {
			t.Fatalf("Get(%d) = %v, %v; want Nil, false", j, x, ok)
		}
	}
	if len(model) > 0 {
		if x, ok := v.Get(len(model) - 1); !ok || !Equal(x, model[len(model)-1]) {
			t.Fatalf("Get(last) = %v, %v", x, ok)
		}
	}
}

// checkVecQuick checks the count and a few elements.
func checkVecQuick(t *testing.T, r *rand.Rand, v *Vector, model []Value) {
	t.Helper()
	if v.Count() != len(model) {
		t.Fatalf("Count = %d, want %d", v.Count(), len(model))
	}
	if len(model) == 0 {
		return
	}
	for _, i := range []int{0, len(model) - 1, r.IntN(len(model))} {
		if got := v.Nth(i); !Equal(got, model[i]) {
			t.Fatalf("size %d: Nth(%d) = %s, want %s", len(model), i, Repr(got), Repr(model[i]))
		}
	}
}

func TestVectorConjPopBoundaries(t *testing.T) {
	max := vecSizes[len(vecSizes)-1]
	var model []Value
	v := EmptyVector
	versions := map[int]*Vector{}
	for n := 0; ; n++ {
		if isVecBoundary(n) {
			checkVec(t, v, model)
			versions[n] = v
		}
		if n == max {
			break
		}
		x := MakeInt(int64(n*3 + 1))
		v = v.Conj(x)
		model = append(model, x)
	}
	// Pop all the way down, checking every step lightly and the boundaries
	// fully; the versions built on the way up must be unaffected.
	r := rand.New(rand.NewPCG(1, 2))
	for n := max; n > 0; n-- {
		v = v.Pop()
		model = model[:n-1]
		checkVecQuick(t, r, v, model)
		if isVecBoundary(n - 1) {
			checkVec(t, v, model)
			if !Equal(v, versions[n-1]) || Hash(v) != Hash(versions[n-1]) {
				t.Fatalf("popped vector of %d differs from built one", n-1)
			}
		}
	}
	if v != EmptyVector {
		t.Fatalf("popping everything gave %v", v)
	}
	full := make([]Value, max)
	for i := range full {
		full[i] = MakeInt(int64(i*3 + 1))
	}
	for n, old := range versions {
		checkVec(t, old, full[:n])
	}
}

func TestVectorPopThenConj(t *testing.T) {
	// Popping across every boundary and conjing again, from each size.
	for _, n := range vecSizes {
		if n == 0 {
			continue
		}
		model := make([]Value, n)
		for i := range model {
			model[i] = MakeInt(int64(i))
		}
		v := NewVector(model...)
		p := v.Pop()
		checkVec(t, p, model[:n-1])
		c := p.Conj(String("x"))
		want := append(slices.Clone(model[:n-1]), String("x"))
		checkVec(t, c, want)
		checkVec(t, v, model)      // unchanged
		checkVec(t, p, want[:n-1]) // unchanged
		if n >= 2 {
			pp := p.Pop().Conj(String("y")).Conj(String("z"))
			checkVec(t, pp, append(slices.Clone(model[:n-2]), String("y"), String("z")))
			checkVec(t, c, want)
		}
	}
}

func TestVectorAssocEveryIndex(t *testing.T) {
	for _, n := range vecSizes {
		if n == 0 {
			continue
		}
		model := make([]Value, n)
		b := NewVectorBuilder()
		for i := range model {
			model[i] = MakeInt(int64(i))
			b.Append(model[i])
		}
		base := b.Vector()
		v := base
		for i := 0; i < n; i++ {
			x := String(fmt.Sprint("a", i))
			w := v.Assoc(i, x)
			if !Equal(w.Nth(i), x) || !Equal(v.Nth(i), model[i]) || w.Count() != n {
				t.Fatalf("size %d: Assoc(%d) wrong", n, i)
			}
			model[i] = x
			v = w
		}
		checkVec(t, v, model)
		for i := range model {
			model[i] = MakeInt(int64(i))
		}
		checkVec(t, base, model)
		// Assoc at Count appends.
		checkVec(t, base.Assoc(n, Nil), append(model, Nil))
	}
}

func TestVectorBuilderMatchesConj(t *testing.T) {
	for _, n := range vecSizes {
		model := make([]Value, n)
		for i := range model {
			model[i] = MakeInt(int64(i) - 500)
		}
		b := NewVectorBuilder()
		v := EmptyVector
		for _, x := range model {
			b.Append(x)
			v = v.Conj(x)
		}
		bv := b.Vector()
		checkVec(t, bv, model)
		checkVec(t, NewVector(model...), model)
		if bv.shift != v.shift || !Equal(bv, v) || Hash(bv) != Hash(v) {
			t.Fatalf("size %d: builder and Conj differ", n)
		}
		// The built vector keeps growing correctly.
		checkVec(t, bv.Conj(True).Conj(False), append(slices.Clone(model), True, False))
		checkVec(t, bv, model)
	}
}

func TestVectorTailSharing(t *testing.T) {
	// Two vectors conj'd onto the same base must not see each other's
	// elements, whichever size the base's tail has.
	for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 40, 63, 64, 65} {
		base := EmptyVector
		var model []Value
		for i := 0; i < n; i++ {
			base = base.Conj(MakeInt(int64(i)))
			model = append(model, MakeInt(int64(i)))
		}
		a := base.Conj(String("a")).Conj(String("aa"))
		b := base.Conj(String("b"))
		c := base.Conj(String("c")).Conj(String("cc")).Conj(String("ccc"))
		checkVec(t, base, model)
		checkVec(t, a, append(slices.Clone(model), String("a"), String("aa")))
		checkVec(t, b, append(slices.Clone(model), String("b")))
		checkVec(t, c, append(slices.Clone(model), String("c"), String("cc"), String("ccc")))
		checkVec(t, b.Conj(String("bb")), append(slices.Clone(model), String("b"), String("bb")))
		checkVec(t, a, append(slices.Clone(model), String("a"), String("aa")))
	}
}

func TestVectorConcurrentConj(t *testing.T) {
	base := EmptyVector
	for i := 0; i < 40; i++ {
		base = base.Conj(MakeInt(int64(i)))
	}
	var wg sync.WaitGroup
	errs := make([]string, 8)
	for g := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := base
			for i := 0; i < 200; i++ {
				v = v.Conj(MakeInt(int64(g*1000 + i)))
			}
			for i := 0; i < 200; i++ {
				if got := v.Nth(40 + i); !Equal(got, MakeInt(int64(g*1000+i))) {
					errs[g] = fmt.Sprintf("goroutine %d: Nth(%d) = %s", g, 40+i, Repr(got))
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Fatal(e)
		}
	}
}

type vecSnap struct {
	v     *Vector
	model []Value
}

func TestVectorRandomOps(t *testing.T) {
	for _, start := range []int{0, 20, 31, 33, 1040, 1060, 32760, 32790, 32805} {
		r := rand.New(rand.NewPCG(uint64(start), 7))
		model := make([]Value, start)
		for i := range model {
			model[i] = MakeInt(int64(i))
		}
		v := NewVector(model...)
		var snaps []vecSnap
		for op := 0; op < 3000; op++ {
			switch k := r.IntN(10); {
			case k < 4:
				x := MakeInt(r.Int64N(1 << 40))
				v, model = v.Conj(x), append(model, x)
			case k < 7 && len(model) > 0:
				v, model = v.Pop(), model[:len(model)-1]
			case len(model) > 0:
				i, x := r.IntN(len(model)), String(fmt.Sprint(op))
				v = v.Assoc(i, x)
				model = slices.Clone(model)
				model[i] = x
			}
			checkVecQuick(t, r, v, model)
			if op%500 == 0 {
				checkVec(t, v, model)
			}
			if op%293 == 0 {
				snaps = append(snaps, vecSnap{v, slices.Clone(model)})
			}
		}
		checkVec(t, v, model)
		for _, s := range snaps {
			checkVec(t, s.v, s.model)
		}
	}
}

func TestVectorEqualHash(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 32, 33, 1057, 2000} {
		model := make([]Value, n)
		for i := range model {
			model[i] = MakeInt(r.Int64N(100))
		}
		a := NewVector(model...)
		// Built differently: via a longer vector popped back down, and via
		// assoc over a vector of placeholders.
		b := NewVector(append(slices.Clone(model), Nil, Nil, Nil)...).Pop().Pop().Pop()
		c := NewVector(make([]Value, n)...)
		for i := range model {
			c = c.Assoc(i, model[i])
		}
		for _, w := range []*Vector{b, c} {
			if !Equal(a, w) || !Equal(w, a) || Hash(a) != Hash(w) {
				t.Fatalf("size %d: equal vectors disagree", n)
			}
		}
		if !Equal(a, NewList(model...)) {
			t.Fatalf("size %d: vector != list", n)
		}
		if n > 0 && Equal(a, a.Assoc(n-1, String("z"))) {
			t.Fatalf("size %d: different vectors equal", n)
		}
	}
}

// ---- Map and Set ----

// collKey is a test key whose hash is chosen by the test, to force partial
// and full hash collisions. Keys with the same id are equal; tag tells
// equal keys apart.
type collKey struct {
	id   int
	tag  int
	hash uint64
}

func (collKey) Kind() Kind { return CellKind }

func (k collKey) Equal(o Value) bool {
	ok, is := o.(collKey)
	return is && ok.id == k.id
}

func (k collKey) Hash() uint64 { return k.hash }

// keyUniverse returns n distinct keys of the given kind.
func keyUniverse(kind string, n int) []Value {
	ks := make([]Value, n)
	for i := range ks {
		switch kind {
		case "int":
			ks[i] = MakeInt(int64(i) * 7919)
		case "mixed":
			switch i % 5 {
			case 0:
				ks[i] = MakeInt(int64(i))
			case 1:
				ks[i] = String(fmt.Sprint("s", i))
			case 2:
				ks[i] = KW(fmt.Sprint("coll-test-", i))
			case 3:
				ks[i] = NewVector(MakeInt(int64(i)), String("v"))
			case 4:
				ks[i] = Float(float64(i) + 0.5)
			}
		case "coll3": // three distinct hashes: collision nodes
			ks[i] = collKey{id: i, hash: uint64(i%3) * 0x9e3779b97f4a7c15}
		case "prefix": // same low 20 bits: chains of one-child nodes, then spread
			ks[i] = collKey{id: i, hash: 0xabcde | uint64(i)<<20}
		case "prefix2": // hashes equal in threes, sharing 10 low bits
			ks[i] = collKey{id: i, hash: 0x155 | uint64(i/3)<<10}
		case "top": // 16 hashes differing only in the top 4 bits (last levels)
			ks[i] = collKey{id: i, hash: 0xbcdef12 | uint64(i%16)<<28}
		case "fold": // distinct 64-bit hashes that fold to the same 32 bits
			ks[i] = collKey{id: i, hash: uint64(i)<<32 | uint64(i)}
		case "same": // one hash for all
			ks[i] = collKey{id: i, hash: 42}
		default:
			panic(kind)
		}
	}
	return ks
}

// mapModel is the reference: keys in insertion order, by id into the key
// universe, with removed ones left as -1.
type mapModel struct {
	ids  []int
	vals []Value
	pos  map[int]int
	n    int
}

func newMapModel() *mapModel { return &mapModel{pos: map[int]int{}} }

func (m *mapModel) assoc(id int, v Value) {
	if p, ok := m.pos[id]; ok {
		m.vals[p] = v
		return
	}
	m.pos[id] = len(m.ids)
	m.ids = append(m.ids, id)
	m.vals = append(m.vals, v)
	m.n++
}

func (m *mapModel) dissoc(id int) {
	if p, ok := m.pos[id]; ok {
		m.ids[p] = -1
		delete(m.pos, id)
		m.n--
	}
}

func (m *mapModel) clone() *mapModel {
	c := &mapModel{ids: slices.Clone(m.ids), vals: slices.Clone(m.vals), pos: make(map[int]int, len(m.pos)), n: m.n}
	for k, v := range m.pos {
		c.pos[k] = v
	}
	return c
}

func (m *mapModel) entries(keys []Value) []Entry {
	var out []Entry
	for i, id := range m.ids {
		if id >= 0 {
			out = append(out, Entry{keys[id], m.vals[i]})
		}
	}
	return out
}

func entriesEqual(a, b []Entry) bool {
	return slices.EqualFunc(a, b, func(x, y Entry) bool { return Equal(x.Key, y.Key) && Equal(x.Val, y.Val) })
}

// checkTrie checks a CHAMP node below the given hash path and appends its
// entries to out.
func checkTrie(t *testing.T, n *cnode, shift uint, root bool, path func(uint32) bool, out *[]*centry) {
	t.Helper()
	kids := 0
	for f, k := range n.kids {
		if (k != nil) != (n.nodemap&(1<<f) != 0) {
			t.Fatalf("kid %d present: %v, nodemap %b", f, k != nil, n.nodemap)
		}
		if k != nil {
			kids++
		}
	}
	if n.isCollision() {
		if len(n.entries) < 2 || kids != 0 {
			t.Fatalf("collision node with %d entries, %d kids", len(n.entries), kids)
		}
		for i := range n.entries {
			e := &n.entries[i]
			if e.hash != n.entries[0].hash || !path(e.hash) || e.hash != keyHash(e.key) {
				t.Fatalf("collision node entry with hash %x", e.hash)
			}
			*out = append(*out, e)
		}
		return
	}
	if bits.OnesCount32(n.datamap) != len(n.entries) || n.datamap&n.nodemap != 0 || n.datamap|n.nodemap >= 1<<cwidth {
		t.Fatalf("bitmaps %b %b for %d entries", n.datamap, n.nodemap, len(n.entries))
	}
	if !root && (len(n.entries)+kids == 0 || len(n.entries) == 1 && kids == 0) {
		t.Fatalf("non-canonical node: %d entries, %d kids", len(n.entries), kids)
	}
	for i := range n.entries {
		e := &n.entries[i]
		f := fragOf(e.hash, shift)
		if n.datamap&(1<<f) == 0 || bitIndex(n.datamap, f) != i || !path(e.hash) || e.hash != keyHash(e.key) {
			t.Fatalf("entry %d misplaced at shift %d", i, shift)
		}
		*out = append(*out, e)
	}
	for f, k := range n.kids {
		if k != nil {
			sub := func(h uint32) bool { return path(h) && fragOf(h, shift) == uint(f) }
			checkTrie(t, k, shift+cbits, false, sub, out)
		}
	}
}

func checkMapInvariants(t *testing.T, m *Map) {
	t.Helper()
	if m.index == nil {
		if m.order.count != m.count || m.count > smallMapMax || m.holes != 0 || m.stale != 0 || m.order.root != nil {
			t.Fatalf("small map: count %d order %d holes %d stale %d", m.count, m.order.count, m.holes, m.stale)
		}
		for i, e := range m.order.tail {
			for _, f := range m.order.tail[:i] {
				if Equal(e.Key, f.Key) {
					t.Fatalf("small map: key %s twice", Repr(e.Key))
				}
			}
		}
		return
	}
	checkOrderInvariants(t, &m.order)
	var es []*centry
	checkTrie(t, m.index, 0, true, func(uint32) bool { return true }, &es)
	if len(es) != m.count {
		t.Fatalf("trie holds %d entries, count %d", len(es), m.count)
	}
	stale, seen := 0, map[int]bool{}
	for _, e := range es {
		if e.stale() {
			stale++
		}
		if seen[e.seq()] || e.seq() >= m.order.count {
			t.Fatalf("bad seq %d", e.seq())
		}
		seen[e.seq()] = true
		o := m.order.nth(e.seq())
		if !Equal(o.Key, e.key) || !e.stale() && !Equal(o.Val, e.val) {
			t.Fatalf("order slot %d holds %s, trie %s", e.seq(), Repr(o.Key), Repr(e.key))
		}
	}
	holes := 0
	m.order.chunks(func(_ int, c []Entry) bool {
		for _, e := range c {
			if e.Key == nil {
				holes++
			}
		}
		return true
	})
	if stale != m.stale || holes != m.holes || m.order.count != m.count+m.holes {
		t.Fatalf("stale %d/%d holes %d/%d order %d count %d", stale, m.stale, holes, m.holes, m.order.count, m.count)
	}
	if m.order.nth(m.order.count-1).Key == nil {
		t.Fatal("order ends with a hole")
	}
	if m.holes > 32 && m.holes > m.count {
		t.Fatalf("%d holes for %d entries", m.holes, m.count)
	}
}

func checkOrderInvariants(t *testing.T, v *pvec[Entry]) {
	t.Helper()
	off := tailOff(v.count)
	if len(v.tail) != v.count-off || (v.root == nil) != (off == 0) {
		t.Fatalf("order vector: count %d tail %d", v.count, len(v.tail))
	}
}

// checkMap compares m with the model fully.
func checkMap(t *testing.T, m *Map, model *mapModel, keys []Value, absent []Value) {
	t.Helper()
	checkMapInvariants(t, m)
	if m.Count() != model.n {
		t.Fatalf("Count = %d, want %d", m.Count(), model.n)
	}
	want := model.entries(keys)
	if got := m.Entries(); !entriesEqual(got, want) {
		t.Fatalf("size %d: entries differ (first %v)", model.n, firstDiff(got, want))
	}
	for _, e := range want {
		if v, ok := m.Get(e.Key); !ok || !Equal(v, e.Val) {
			t.Fatalf("Get(%s) = %s, %v; want %s", Repr(e.Key), Repr(v), ok, Repr(e.Val))
		}
		if l, ok := m.Lookup(e.Key); !ok || !Equal(l.Key, e.Key) || !Equal(l.Val, e.Val) {
			t.Fatalf("Lookup(%s) = %v, %v", Repr(e.Key), l, ok)
		}
	}
	for _, k := range absent {
		if v, ok := m.Get(k); ok || v != Nil {
			t.Fatalf("Get(absent %s) = %v, %v; want Nil, false", Repr(k), v, ok)
		}
		if l, ok := m.Lookup(k); ok || l.Key != Nil || l.Val != Nil {
			t.Fatalf("Lookup(absent %s) = %v, %v", Repr(k), l, ok)
		}
	}
	// Stopping early visits a prefix.
	if model.n > 0 {
		stop := model.n / 2
		var got []Entry
		m.Each(func(k, v Value) bool { got = append(got, Entry{k, v}); return len(got) <= stop })
		if !entriesEqual(got, want[:stop+1]) {
			t.Fatalf("Each stopping after %d: wrong prefix", stop+1)
		}
	}
}

func firstDiff(a, b []Entry) string {
	for i := range min(len(a), len(b)) {
		if !Equal(a[i].Key, b[i].Key) || !Equal(a[i].Val, b[i].Val) {
			return fmt.Sprintf("at %d: %s=%s vs %s=%s", i, Repr(a[i].Key), Repr(a[i].Val), Repr(b[i].Key), Repr(b[i].Val))
		}
	}
	return fmt.Sprintf("lengths %d, %d", len(a), len(b))
}

// checkMapQuick checks the count and a few keys.
func checkMapQuick(t *testing.T, r *rand.Rand, m *Map, model *mapModel, keys []Value) {
	t.Helper()
	if m.Count() != model.n {
		t.Fatalf("Count = %d, want %d", m.Count(), model.n)
	}
	for range 3 {
		id := r.IntN(len(keys))
		v, ok := m.Get(keys[id])
		p, in := model.pos[id]
		if ok != in || in && !Equal(v, model.vals[p]) || !in && v != Nil {
			t.Fatalf("Get(%s) = %s, %v; model %v", Repr(keys[id]), Repr(v), ok, in)
		}
	}
}

// mapSizes are the sizes at which the map tests check everything: around
// the small-map limit and the order vector's trie boundaries.
var mapSizes = []int{0, 1, smallMapMax, smallMapMax + 1, 31, 32, 33, 1055, 1056, 1057, 1088, 32767, 32768, 32799, 32800, 32801}

var keyKinds = []string{"int", "mixed", "coll3", "prefix", "prefix2", "top", "fold", "same"}

func TestMapGrowBoundaries(t *testing.T) {
	for _, kind := range keyKinds {
		n := 32833
		switch kind {
		case "same", "coll3", "top", "fold":
			n = 1100 // collision nodes are searched linearly
		case "mixed", "prefix":
			n = 1200
		}
		keys := keyUniverse(kind, n+10)
		absent := keys[n:]
		model := newMapModel()
		m := EmptyMap
		type snap struct {
			m     *Map
			model *mapModel
		}
		var snaps []snap
		for i := 0; i <= n; i++ {
			if slices.Contains(mapSizes, i) {
				checkMap(t, m, model, keys, absent)
				snaps = append(snaps, snap{m, model.clone()})
			}
			if i == n {
				break
			}
			m = m.Assoc(keys[i], MakeInt(int64(i)))
			model.assoc(i, MakeInt(int64(i)))
		}
		// Update two keys in three (their entries become stale), then remove
		// them all.
		for i := 0; i < n; i += 1 + i%3 {
			m = m.Assoc(keys[i], String("u"))
			model.assoc(i, String("u"))
		}
		checkMap(t, m, model, keys, absent)
		for i := n - 1; i >= 0; i-- {
			m = m.Dissoc(keys[(i*7)%n])
			model.dissoc((i * 7) % n)
			if slices.Contains(mapSizes, i) {
				checkMap(t, m, model, keys, absent)
			}
		}
		if m.Count() != 0 {
			t.Fatalf("%s: %d left", kind, m.Count())
		}
		for _, s := range snaps {
			checkMap(t, s.m, s.model, keys, absent)
		}
	}
}

func TestMapOrder(t *testing.T) {
	for _, n := range []int{3, 8, 9, 40, 2000} {
		keys := keyUniverse("mixed", n)
		m := EmptyMap
		for i, k := range keys {
			m = m.Assoc(k, MakeInt(int64(i)))
		}
		// Updating keeps the place; the stored key stays the first one.
		m2 := m.Assoc(keys[0], String("first")).Assoc(keys[n-1], String("last"))
		es := m2.Entries()
		if !Equal(es[0].Val, String("first")) || !Equal(es[n-1].Val, String("last")) || !Equal(es[0].Key, keys[0]) {
			t.Fatalf("size %d: update moved keys: %v", n, es[0])
		}
		// Dissoc then re-add goes last.
		m3 := m2.Dissoc(keys[0]).Assoc(keys[0], True)
		es = m3.Entries()
		if m3.Count() != n || !Equal(es[n-1].Key, keys[0]) || !Equal(es[n-1].Val, True) || !Equal(es[0].Key, keys[1]) {
			t.Fatalf("size %d: re-added key not last", n)
		}
		// Dissoc of an absent key returns the map itself.
		if m3.Dissoc(String("absent")) != m3 {
			t.Fatalf("size %d: Dissoc(absent) copied", n)
		}
		// The stored key is the first one given.
		ck := keyUniverse("coll3", n)
		cm := EmptyMap
		for _, k := range ck {
			cm = cm.Assoc(k, Nil)
		}
		k1 := ck[n/2].(collKey)
		k1.tag = 1
		cm = cm.Assoc(k1, True)
		if e, ok := cm.Lookup(k1); !ok || e.Key.(collKey).tag != 0 || e.Val != True {
			t.Fatalf("size %d: Lookup after update = %v", n, e)
		}
	}
}

func TestMapRandomOps(t *testing.T) {
	type cfg struct {
		kind      string
		universe  int
		ops       int
		fullEvery int
	}
	var cfgs []cfg
	for _, u := range []int{6, 10, 12, 40, 45, 1100, 1400} {
		for _, kind := range keyKinds {
			cfgs = append(cfgs, cfg{kind, u, 4000, 500})
		}
	}
	cfgs = append(cfgs, cfg{"int", 33000, 20000, 5000}, cfg{"prefix2", 33000, 20000, 5000})
	for ci, c := range cfgs {
		r := rand.New(rand.NewPCG(uint64(ci), 99))
		keys := keyUniverse(c.kind, c.universe)
		// Pre-fill big universes to start near their size.
		model := newMapModel()
		m := EmptyMap
		if c.universe > 1000 {
			var kvs []Value
			for i := 0; i < c.universe*3/4; i++ {
				kvs = append(kvs, keys[i], MakeInt(int64(i)))
				model.assoc(i, MakeInt(int64(i)))
			}
			m = NewMap(kvs...)
		}
		type snap struct {
			m     *Map
			model *mapModel
		}
		var snaps []snap
		// Bias towards growth or shrinking in phases, to cross the small/large
		// and compaction thresholds many times.
		grow := 6
		for op := 0; op < c.ops; op++ {
			if op%200 == 0 {
				grow = 3 + r.IntN(5)
			}
			id := r.IntN(c.universe)
			switch k := r.IntN(10); {
			case k < grow:
				v := MakeInt(r.Int64N(1000))
				m = m.Assoc(keys[id], v)
				model.assoc(id, v)
			default:
				m = m.Dissoc(keys[id])
				model.dissoc(id)
			}
			checkMapQuick(t, r, m, model, keys)
			if op%c.fullEvery == 0 || op%53 == 0 && c.universe < 100 {
				checkMap(t, m, model, keys, nil)
			}
			if op%(c.ops/12+1) == 0 {
				snaps = append(snaps, snap{m, model.clone()})
			}
		}
		checkMap(t, m, model, keys, nil)
		for _, s := range snaps {
			checkMap(t, s.m, s.model, keys, nil)
		}
	}
}

func TestMapStaleIteration(t *testing.T) {
	// Maps whose values were updated after insertion iterate with their
	// current values, also when stopping early, and get back to the fast
	// path once the updated entries are gone.
	const n = 3000
	keys := keyUniverse("int", n)
	m := EmptyMap
	model := newMapModel()
	for i, k := range keys {
		m = m.Assoc(k, MakeInt(int64(i)))
		model.assoc(i, MakeInt(int64(i)))
	}
	r := rand.New(rand.NewPCG(5, 6))
	var updated []int
	for range 500 {
		id := r.IntN(n)
		m = m.Assoc(keys[id], String(fmt.Sprint("v", id)))
		model.assoc(id, String(fmt.Sprint("v", id)))
		updated = append(updated, id)
	}
	if m.stale == 0 {
		t.Fatal("no stale entries")
	}
	checkMap(t, m, model, keys, nil)
	want := model.entries(keys)
	for _, stop := range []int{0, 1, eachLookups - 1, eachLookups, eachLookups + 1, 100, n - 1} {
		var got []Entry
		m.Each(func(k, v Value) bool { got = append(got, Entry{k, v}); return len(got) <= stop })
		if !entriesEqual(got, want[:stop+1]) {
			t.Fatalf("stop %d: %s", stop, firstDiff(got, want[:stop+1]))
		}
	}
	for _, id := range updated {
		m = m.Dissoc(keys[id])
		model.dissoc(id)
	}
	if m.stale != 0 {
		t.Fatalf("stale = %d after removing the updated keys", m.stale)
	}
	checkMap(t, m, model, keys, nil)
}

func TestMapNewMapRepeats(t *testing.T) {
	for _, n := range []int{3, 8, 9, 20, 100} {
		var kvs []Value
		for i := 0; i < n; i++ {
			kvs = append(kvs, MakeInt(int64(i)), MakeInt(int64(i)))
		}
		// Repeat every third key with a new value.
		for i := 0; i < n; i += 3 {
			kvs = append(kvs, MakeInt(int64(i)), String("again"))
		}
		m := NewMap(kvs...)
		checkMapInvariants(t, m)
		if m.Count() != n {
			t.Fatalf("count %d, want %d", m.Count(), n)
		}
		i := 0
		m.Each(func(k, v Value) bool {
			want := Value(MakeInt(int64(i)))
			if i%3 == 0 {
				want = String("again")
			}
			if !Equal(k, MakeInt(int64(i))) || !Equal(v, want) {
				t.Fatalf("entry %d: %s %s", i, Repr(k), Repr(v))
			}
			i++
			return true
		})
	}
}

func TestMapEqualHash(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, kind := range keyKinds {
		for _, n := range []int{0, 1, 7, 8, 9, 33, 500} {
			keys := keyUniverse(kind, n)
			vals := make([]Value, n)
			for i := range vals {
				vals[i] = MakeInt(r.Int64N(10))
			}
			var a, b *Map = EmptyMap, EmptyMap
			for i := range keys {
				a = a.Assoc(keys[i], vals[i])
			}
			// b: a different order, via extra keys, updates and removals.
			extra := make([]Value, 50)
			for i := range extra {
				extra[i] = String(fmt.Sprint("extra-", i))
			}
			for _, k := range extra {
				b = b.Assoc(k, Nil)
			}
			for _, i := range r.Perm(n) {
				b = b.Assoc(keys[i], String("tmp"))
			}
			for _, i := range r.Perm(n) {
				b = b.Assoc(keys[i], vals[i])
			}
			for _, k := range extra {
				b = b.Dissoc(k)
			}
			c := NewMap(func() []Value {
				var kvs []Value
				for _, i := range r.Perm(n) {
					kvs = append(kvs, keys[i], vals[i])
				}
				return kvs
			}()...)
			for _, x := range []*Map{b, c} {
				if !Equal(a, x) || !Equal(x, a) || Hash(a) != Hash(x) {
					t.Fatalf("%s %d: equal maps disagree (hash %x %x)", kind, n, Hash(a), Hash(x))
				}
			}
			if n > 0 {
				d := a.Assoc(keys[0], String("other"))
				if Equal(a, d) || Equal(d, a) {
					t.Fatalf("%s %d: different maps equal", kind, n)
				}
				if Equal(a, a.Dissoc(keys[n-1])) {
					t.Fatalf("%s %d: maps of different size equal", kind, n)
				}
			}
			// Sets.
			sa, sb := NewSet(keys...), EmptySet
			for _, k := range extra {
				sb = sb.Conj(k)
			}
			for _, i := range r.Perm(n) {
				sb = sb.Conj(keys[i])
			}
			for _, k := range extra {
				sb = sb.Disj(k)
			}
			if !Equal(sa, sb) || !Equal(sb, sa) || Hash(sa) != Hash(sb) || sa.Count() != n {
				t.Fatalf("%s %d: equal sets disagree", kind, n)
			}
			if n > 0 && Equal(sa, sa.Disj(keys[0]).Conj(String("zz"))) {
				t.Fatalf("%s %d: different sets equal", kind, n)
			}
		}
	}
}

// checkSet compares s with the model, whose ids are the elements.
func checkSet(t *testing.T, s *Set, model *mapModel, keys []Value) {
	t.Helper()
	checkMapInvariants(t, &s.m)
	var want []Value
	for _, id := range model.ids {
		if id >= 0 {
			want = append(want, keys[id])
		}
	}
	if s.Count() != len(want) || !slices.EqualFunc(s.Slice(), want, Equal) {
		t.Fatalf("set of %d: elements differ", len(want))
	}
	for id, k := range keys {
		x, ok := s.Get(k)
		_, in := model.pos[id]
		if ok != in || in && !Equal(x, k) || !in && x != Nil {
			t.Fatalf("Get(%s) = %v, %v; want present=%v", Repr(k), x, ok, in)
		}
	}
}

func TestSetRandomOps(t *testing.T) {
	for ci, kind := range keyKinds {
		for _, u := range []int{7, 12, 50, 1200} {
			r := rand.New(rand.NewPCG(uint64(ci), uint64(u)))
			keys := keyUniverse(kind, u)
			model := newMapModel()
			s := EmptySet
			type snap struct {
				s     *Set
				model *mapModel
			}
			var snaps []snap
			for op := 0; op < 3000; op++ {
				id := r.IntN(u)
				if r.IntN(10) < 6 {
					s2 := s.Conj(keys[id])
					if _, in := model.pos[id]; in && s2 != s {
						t.Fatal("Conj of a present element copied the set")
					}
					s = s2
					model.assoc(id, keys[id])
				} else {
					s = s.Disj(keys[id])
					model.dissoc(id)
				}
				if op%250 == 0 {
					checkSet(t, s, model, keys)
				}
				if op%401 == 0 {
					snaps = append(snaps, snap{s, model.clone()})
				}
			}
			checkSet(t, s, model, keys)
			for _, sn := range snaps {
				checkSet(t, sn.s, sn.model, keys)
			}
		}
	}
}

func TestSetKeepsFirst(t *testing.T) {
	for _, n := range []int{3, 9, 100} {
		keys := keyUniverse("coll3", n)
		var elems []Value
		elems = append(elems, keys...)
		for _, k := range keys {
			k := k.(collKey)
			k.tag = 1
			elems = append(elems, k)
		}
		s := NewSet(elems...)
		s2 := EmptySet
		for _, e := range elems {
			s2 = s2.Conj(e)
		}
		for _, set := range []*Set{s, s2} {
			if set.Count() != n {
				t.Fatalf("count %d", set.Count())
			}
			set.Each(func(x Value) bool {
				if x.(collKey).tag != 0 {
					t.Fatalf("set kept a later element")
				}
				return true
			})
			k1 := keys[1].(collKey)
			k1.tag = 5
			if x, ok := set.Get(k1); !ok || x.(collKey).tag != 0 {
				t.Fatalf("Get = %v, %v", x, ok)
			}
		}
	}
}

func TestAbsentIsNil(t *testing.T) {
	for _, n := range []int{0, 3, 20} {
		keys := keyUniverse("int", n)
		s := NewSet(keys...)
		if x, ok := s.Get(String("nope")); ok || x != Nil {
			t.Fatalf("Set.Get(absent) = %v, %v", x, ok)
		}
		m := EmptyMap
		for _, k := range keys {
			m = m.Assoc(k, k)
		}
		if x, ok := m.Get(String("nope")); ok || x != Nil {
			t.Fatalf("Map.Get(absent) = %v, %v", x, ok)
		}
		if e, ok := m.Lookup(String("nope")); ok || e.Key != Nil || e.Val != Nil {
			t.Fatalf("Map.Lookup(absent) = %v, %v", e, ok)
		}
		v := NewVector(keys...)
		if x, ok := v.Get(n); ok || x != Nil {
			t.Fatalf("Vector.Get(out of range) = %v, %v", x, ok)
		}
	}
	if x, ok := EmptySet.Get(Nil); ok || x != Nil {
		t.Fatalf("EmptySet.Get(nil) = %v, %v", x, ok)
	}
}

// ---- Benchmarks ----

func benchKeys(n int) []Value {
	ks := make([]Value, n)
	for i := range ks {
		ks[i] = MakeInt(int64(i))
	}
	return ks
}

func benchMap(ks []Value) *Map {
	m := EmptyMap
	for _, k := range ks {
		m = m.Assoc(k, k)
	}
	return m
}

// BenchmarkMapAssoc100k builds a map of 100k int keys by Assoc; one op is
// the whole build.
func BenchmarkMapAssoc100k(b *testing.B) {
	ks := benchKeys(100000)
	b.ReportAllocs()
	for b.Loop() {
		benchMap(ks)
	}
}

// BenchmarkMapAssoc1k builds a map of 1000 int keys by Assoc.
func BenchmarkMapAssoc1k(b *testing.B) {
	ks := benchKeys(1000)
	b.ReportAllocs()
	for b.Loop() {
		benchMap(ks)
	}
}

// BenchmarkMapAssocExisting updates existing keys of a 100k map.
func BenchmarkMapAssocExisting(b *testing.B) {
	ks := benchKeys(100000)
	m := benchMap(ks)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m = m.Assoc(ks[i], Nil)
		i = (i + 7919) % len(ks)
	}
}

// BenchmarkMapDissoc removes and re-adds keys of a 100k map.
func BenchmarkMapDissoc(b *testing.B) {
	ks := benchKeys(100000)
	m := benchMap(ks)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m = m.Dissoc(ks[i]).Assoc(ks[i], ks[i])
		i = (i + 7919) % len(ks)
	}
}

func BenchmarkMapGet(b *testing.B) {
	ks := benchKeys(100000)
	m := benchMap(ks)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := m.Get(ks[i]); !ok {
			b.Fatal("missing")
		}
		i = (i + 7919) % len(ks)
	}
}

// BenchmarkMapEach iterates over a 100k map; one op is the whole map.
func BenchmarkMapEach(b *testing.B) {
	ks := benchKeys(100000)
	m := benchMap(ks)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		m.Each(func(k, v Value) bool { n++; return true })
		if n != len(ks) {
			b.Fatal(n)
		}
	}
}

// BenchmarkSmallMapAssoc builds 8-key keyword maps.
func BenchmarkSmallMapAssoc(b *testing.B) {
	ks := make([]Value, 8)
	for i := range ks {
		ks[i] = KW(fmt.Sprint("bench-", i))
	}
	b.ReportAllocs()
	for b.Loop() {
		m := EmptyMap
		for _, k := range ks {
			m = m.Assoc(k, k)
		}
		m.Assoc(ks[3], Nil)
	}
}

// BenchmarkVectorConj100k builds a vector of 100k elements by Conj; one op
// is the whole build.
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

// BenchmarkVectorPop pops 64 elements off a vector of 100001 (crossing two
// leaf boundaries); one op is the 64 pops.
func BenchmarkVectorPop(b *testing.B) {
	v0 := NewVector(benchKeys(100001)...)
	b.ReportAllocs()
	for b.Loop() {
		v := v0
		for range 64 {
			v = v.Pop()
		}
	}
}
