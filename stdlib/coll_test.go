package stdlib

import (
	"testing"

	"github.com/wetware/ww/lang/value"
)

func TestCollConstruction(t *testing.T) {
	collTestCheck(t, []collTestCase{
		{`(list 1 2 3)`, `(1 2 3)`},
		{`(list)`, `()`},
		{`[(hash-map :a 1) (vector 1 2) (vector)]`, `[{:a 1} [1 2] []]`},
		{`(hash-map :a 1 :b)`, `error: [glia.error/arity-mismatch] hash-map: expected an even number of arg(s), got 3`},
		{`(hash-map :a 1 :b 2 :a 3)`, `{:a 3 :b 2}`},
		{`[(hash-set 1 2 1) (set [3 1 3 2])]`, `[#{1 2} #{3 1 2}]`},
		{`(vec nil)`, `[]`},
		{`[(vec '(1 2)) (vec {:a 1}) (vec "ab") (vec #{:x})]`, `[[1 2] [[:a 1]] ["a" "b"] [:x]]`},
		{`(vec 1)`, `error: [glia.error/type-mismatch] vec: expected sequence, got int`},
		{`(set 1)`, `error: [glia.error/type-mismatch] set: expected sequence, got int`},
		{`(set nil)`, `#{}`},
		{`[(cons 1 nil) (cons 1 '(2)) (cons 1 [2 3]) (cons 1 "ab")]`, `[(1) (1 2) (1 2 3) (1 "a" "b")]`},
		{`(cons 1 2)`, `error: [glia.error/type-mismatch] cons second arg: expected sequence, got int`},
	})
}

func TestCollConj(t *testing.T) {
	collTestCheck(t, []collTestCase{
		{`(conj (list 2 3) 1)`, `(1 2 3)`},
		{`(conj (list 1) 2 3)`, `(3 2 1)`},
		{`(conj [1] 2 3)`, `[1 2 3]`},
		{`(conj #{:z} :a :m :a)`, `#{:z :a :m}`},
		{`(conj {:a 1} [:b 2])`, `{:a 1 :b 2}`},
		{`(conj {:a 1 :b 2} [:a 3] {:c 4 :b 5})`, `{:a 3 :b 5 :c 4}`},
		{`(conj {} [:a])`, `error: [glia.error/type-mismatch] conj map entry: expected [key val] vector, got vector`},
		{`(conj {} '(:a 1))`, `error: [glia.error/type-mismatch] conj map entry: expected [key val] vector, got list`},
		{`(conj nil 1)`, `(1)`},
		{`(conj nil 1 2)`, `(2 1)`},
		{`(conj 1 2)`, `error: [glia.error/type-mismatch] conj: expected collection, got int`},
		{`(conj "a" 2)`, `error: [glia.error/type-mismatch] conj: expected collection, got string`},
		{`(conj [])`, `error: [glia.error/arity-mismatch] conj: expected at least 2 arg(s), got 1`},
	})
}

func TestCollAccess(t *testing.T) {
	collTestCheck(t, []collTestCase{
		{`(first (list 1 2 3))`, `1`},
		{`[(first [7 8]) (first (list)) (first nil) (first "abc") (first {:a 1}) (first #{:x}) (first [])]`, `[7 nil nil "a" [:a 1] :x nil]`},
		{`(first 1)`, `error: [glia.error/type-mismatch] first: expected sequence, got int`},
		{`[(second [1 2 3]) (last '(1 2 3)) (butlast [1 2 3]) (butlast [1]) (butlast nil)]`, `[2 3 (1 2) nil nil]`},
		{`[(second nil) (second [1]) (last "héé") (last {:a 1 :b 2}) (last []) (last nil)]`, `[nil nil "é" [:b 2] nil nil]`},
		{`(last 5)`, `error: [glia.error/type-mismatch] last: expected sequence, got int`},
		{`[(rest (list 1 2 3)) (rest nil) (rest [1]) (rest [1 2]) (rest "abc") (rest {:a 1 :b 2})]`, `[(2 3) () () (2) ("b" "c") ([:b 2])]`},
		{`(rest 42)`, `error: [glia.error/type-mismatch] rest: expected sequence, got int`},
		{`[(next [1]) (next nil) (next '(1 2)) (next "ab")]`, `[nil nil (2) ("b")]`},
		{`(next 1)`, `error: [glia.error/type-mismatch] next: expected sequence, got int`},
		{`[(nth [1 2] 1) (nth '(1 2 3) 2) (nth "abc" 0)]`, `[2 3 "a"]`},
		{`[(nth [1 2 3] 1 :none) (nth [1 2 3] 5 :none) (nth nil 0) (nth nil 0 :d)]`, `[2 :none nil :d]`},
		{`(nth [1 2] 5)`, `error: [glia.error/index-out-of-bounds] nth: index 5 out of bounds (count 2)`},
		{`(nth '(1 2) -1)`, `error: [glia.error/index-out-of-bounds] nth: index -1 out of bounds (count 2)`},
		{`(nth "日本" 2)`, `error: [glia.error/index-out-of-bounds] nth: index 2 out of bounds (count 2)`},
		{`(nth [1] :a)`, `error: [glia.error/type-mismatch] nth: expected int, got keyword`},
		{`(nth {:a 1} 0)`, `error: [glia.error/type-mismatch] nth: expected sequential collection, got map`},
		{`(nth #{1} 0)`, `error: [glia.error/type-mismatch] nth: expected sequential collection, got set`},
		{`(nth "日本" 1)`, `"本"`},
		{`(count (list 1 2 3))`, `3`},
		{`[(count nil) (count "日本") (count {:a 1}) (count #{1 2}) (count [])]`, `[0 2 1 2 0]`},
		{`(count 42)`, `error: [glia.error/type-mismatch] count: expected sequence, got int`},
		{`(count)`, `error: [glia.error/arity-mismatch] count: expected 1 arg(s), got 0`},
		{`[(empty? nil) (empty? (list)) (empty? (list 1)) (empty? "") (empty? {}) (empty? #{}) (empty? [])]`, `[true true false true true true true]`},
		{`(empty? 0)`, `error: [glia.error/type-mismatch] empty?: expected sequence, got int`},
		{`[(seq {:a 1}) (seq "ab") (seq []) (seq nil) (seq "") (seq '(1)) (seq #{2})]`, `[([:a 1]) ("a" "b") nil nil nil (1) (2)]`},
		{`(seq 1)`, `error: [glia.error/type-mismatch] seq: expected sequence, got int`},
		{`[(empty [1]) (empty '(1)) (empty {:a 1}) (empty #{1}) (empty "ab") (empty 1) (empty nil)]`, `[[] () {} #{} nil nil nil]`},
		{`[(not-empty [1]) (not-empty []) (not-empty nil) (not-empty "") (not-empty "a")]`, `[[1] nil nil nil "a"]`},
		{`(not-empty 1)`, `error: [glia.error/type-mismatch] not-empty: expected sequence, got int`},
	})
}

func TestCollGet(t *testing.T) {
	collTestCheck(t, []collTestCase{
		{`(get {:a 1 :b 2} :b)`, `2`},
		{`[(get [1 2] 5) (get [1 2] -1) (get [1 2] 1)]`, `[nil nil 2]`},
		{`[(get nil :a) (get 42 0) (get [1] :a) (get '(1) 0) (get {:a 1} :b :d)]`, `[nil nil nil nil :d]`},
		{`[(get #{1 2} 2) (get #{1} 3 :no) (get "abc" 1) (get "abc" 3 :no)]`, `[2 :no "b" :no]`},
		{`(get {nil 1} nil)`, `1`},
		{`(get {[1 2] :v} '(1 2))`, `:v`},
		{`(get {:a nil} :a :d)`, `nil`},
		{`[(get-in {:a {:b [10 20]}} [:a :b 1]) (get-in {:a 1} [:x :y] :d) (get-in {:a 1} [])]`, `[20 :d {:a 1}]`},
		{`[(get-in {:a nil} [:a] :d) (get-in {:a nil} [:a :b] :d) (get-in nil [:a])]`, `[nil :d nil]`},
		{`(get-in {} 1)`, `error: [glia.error/type-mismatch] get-in: expected sequence, got int`},
		{`[(contains? #{1 2} 2) (contains? #{1 2} 3)]`, `[true false]`},
		{`[(contains? [:x :y] 1) (contains? [:x :y] 2) (contains? [:x :y] -1) (contains? [:x] :x)]`, `[true false false false]`},
		{`[(contains? "abc" 1) (contains? '(1) 0) (contains? nil 1) (contains? {:a nil} :a) (contains? {} :a)]`, `[true true false true false]`},
		{`(contains? 42 1)`, `error: [glia.error/type-mismatch] contains?: expected collection, got int`},
		{`[(find {:a 1} :a) (find {:a 1} :b) (find nil :a) (find [5 6] 1) (find [5] 3)]`, `[[:a 1] nil nil [1 6] nil]`},
		{`(find 1 1)`, `error: [glia.error/type-mismatch] find: expected map, got int`},
		{`[(keys {:a 1 :b 2}) (vals {:a 1 :b 2}) (keys {}) (vals nil)]`, `[(:a :b) (1 2) nil nil]`},
		{`(keys [1])`, `error: [glia.error/type-mismatch] keys: expected map, got vector`},
	})
}

func TestCollUpdate(t *testing.T) {
	collTestCheck(t, []collTestCase{
		{`(assoc {:a 1} :a 99)`, `{:a 99}`},
		{`(assoc {:a 1 :b 2} :a 3)`, `{:a 3 :b 2}`},
		{`(assoc {} :a 1 :b 2)`, `{:a 1 :b 2}`},
		{`(assoc nil :a 1)`, `{:a 1}`},
		{`(assoc [1 2] 0 5)`, `[5 2]`},
		{`(assoc [1 2] 2 3 3 4)`, `[1 2 3 4]`},
		{`(assoc [1 2] 5 0)`, `error: [glia.error/index-out-of-bounds] assoc: index 5 out of bounds (count 2)`},
		{`(assoc [1 2] :a 0)`, `error: [glia.error/type-mismatch] assoc: expected int, got keyword`},
		{`(assoc {} :a)`, `error: [glia.error/arity-mismatch] assoc: expected map + key-value pairs (odd total) arg(s), got 2`},
		{`(assoc)`, `error: [glia.error/arity-mismatch] assoc: expected map + key-value pairs (odd total) arg(s), got 0`},
		{`(assoc '(1) 0 1)`, `error: [glia.error/type-mismatch] assoc: expected map or vector, got list`},
		{`[(dissoc {:a 1 :b 2 :c 3} :a :c) (dissoc nil :a) (dissoc {:a 1})]`, `[{:b 2} nil {:a 1}]`},
		{`(assoc (dissoc {:a 1 :b 2} :a) :a 3)`, `{:b 2 :a 3}`},
		{`(dissoc [1] 0)`, `error: [glia.error/type-mismatch] dissoc: expected map, got vector`},
		{`[(disj #{1 2 3} 2) (disj #{1 2} 3 1) (disj nil 1)]`, `[#{1 3} #{2} nil]`},
		{`(disj [1] 1)`, `error: [glia.error/type-mismatch] disj: expected set, got vector`},
		{`[(assoc-in {} [:a :b] 1) (assoc-in {:a {:x 1}} [:a :y] 2) (assoc-in [[1 2]] [0 1] 3) (assoc-in nil [:a] 1)]`, `[{:a {:b 1}} {:a {:x 1 :y 2}} [[1 3]] {:a 1}]`},
		{`(assoc-in {:a 1} [:a :b] 2)`, `error: [glia.error/type-mismatch] assoc-in: expected map or vector, got int`},
		{`(assoc-in {} [] 2)`, `error: [glia.error/invalid-argument] assoc-in: key path must not be empty`},
		{`[(update {:n 1} :n + 10) (update {} :k nil?) (update [1 2] 0 inc)]`, `[{:n 11} {:k true} [2 2]]`},
		{`(update 5 :a nil?)`, `error: [glia.error/type-mismatch] update: expected map or vector, got int`},
		{`(update {:a 1} :a boom)`, `error: [glia.error/test] boom`},
		{`[(update-in {:a {:n 1}} [:a :n] inc) (update-in {} [:a :b] nil?) (update-in {:a [1 2]} [:a 1] + 1 2)]`, `[{:a {:n 2}} {:a {:b true}} {:a [1 5]}]`},
		{`(update-in {} [] nil?)`, `error: [glia.error/invalid-argument] update-in: key path must not be empty`},
		{`[(merge) (merge nil) (merge {:a 1} nil {:b 2 :a 3}) (merge nil {:a 1}) (merge {} {:a 1})]`, `[nil nil {:a 3 :b 2} {:a 1} {:a 1}]`},
		{`(merge {:a 1} [:b 2])`, `error: [glia.error/type-mismatch] merge: expected map, got vector`},
		{`[(merge-with + {:a 1 :b 2} {:a 10 :c 3} nil {:a 100}) (merge-with +) (merge-with + {:a 1})]`, `[{:a 111 :b 2 :c 3} nil {:a 1}]`},
		{`(merge-with boom {:a 1} {:a 2})`, `error: [glia.error/test] boom`},
		{`(select-keys {:a 1 :b 2 :c 3} [:a :c :z])`, `{:a 1 :c 3}`},
		{`[(select-keys {:a 1 :b 2 :c 3} [:c :a]) (select-keys nil [:a]) (select-keys {:a nil} [:a])]`, `[{:c 3 :a 1} {} {:a nil}]`},
		{`(select-keys {} 1)`, `error: [glia.error/type-mismatch] select-keys: expected sequence, got int`},
		{`(select-keys [1] [0])`, `error: [glia.error/type-mismatch] select-keys: expected map, got vector`},
		{`[(zipmap [:a :b :c] [1 2]) (zipmap [:a :a] [1 2]) (zipmap nil [1])]`, `[{:a 1 :b 2} {:a 2} {}]`},
		{`(zipmap 1 [1])`, `error: [glia.error/type-mismatch] zipmap: expected sequence, got int`},
		{`[(into #{} [1 2 1]) (into {} [[:a 1]]) (into '() [1 2]) (into nil [1 2]) (into [0] '(1 2)) (into [] "ab")]`, `[#{1 2} {:a 1} (2 1) (2 1) [0 1 2] ["a" "b"]]`},
		{`[(into {:a 1} {:b 2}) (into {} [{:a 1} {:b 2}]) (into [] nil)]`, `[{:a 1 :b 2} {:a 1 :b 2} []]`},
		{`(into 1 [1])`, `error: [glia.error/type-mismatch] into: expected collection, got int`},
		{`(into [] 1)`, `error: [glia.error/type-mismatch] into: expected sequence, got int`},
		{`(into {} [1])`, `error: [glia.error/type-mismatch] into map entry: expected [key val] vector, got int`},
	})
}

// TestCollImmutable checks that updates never change their inputs.
func TestCollImmutable(t *testing.T) {
	v := value.NewVector(value.MakeInt(1), value.MakeInt(2))
	m := value.NewMap(value.KW("a"), value.MakeInt(1))
	th := collTestThread{}
	if _, err := collAssocFn(th, []value.Value{v, value.MakeInt(0), value.MakeInt(9)}); err != nil {
		t.Fatal(err)
	}
	if _, err := collConjFn(th, []value.Value{v, value.MakeInt(3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := collAssocFn(th, []value.Value{m, value.KW("a"), value.MakeInt(9)}); err != nil {
		t.Fatal(err)
	}
	if _, err := collMerge(th, []value.Value{m, value.NewMap(value.KW("b"), value.MakeInt(2))}); err != nil {
		t.Fatal(err)
	}
	if got := value.Repr(v) + value.Repr(m); got != "[1 2]{:a 1}" {
		t.Errorf("inputs changed: %s", got)
	}
}

// TestCollLarge exercises the trie representations of vectors and maps.
func TestCollLarge(t *testing.T) {
	th := collTestThread{}
	const n = 5000
	var v value.Value = value.EmptyVector
	var m value.Value = value.EmptyMap
	var err error
	for i := 0; i < n; i++ {
		if v, err = collConjFn(th, []value.Value{v, value.MakeInt(int64(i))}); err != nil {
			t.Fatal(err)
		}
		if m, err = collAssocFn(th, []value.Value{m, value.MakeInt(int64(i)), value.MakeInt(int64(2 * i))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, i := range []int{0, 31, 32, 1023, 1024, n - 1} {
		x, err := collNthFn(th, []value.Value{v, value.MakeInt(int64(i))})
		if err != nil || x != value.MakeInt(int64(i)) {
			t.Errorf("nth %d = %v, %v", i, x, err)
		}
		y, _ := collGetFn(th, []value.Value{m, value.MakeInt(int64(i))})
		if y != value.MakeInt(int64(2*i)) {
			t.Errorf("get %d = %v", i, y)
		}
	}
	c, _ := collCount(th, []value.Value{m})
	l, _ := collLast(th, []value.Value{v})
	if c != value.MakeInt(n) || l != value.MakeInt(n-1) {
		t.Errorf("count %v last %v", c, l)
	}
	sum := value.Value(value.MakeInt(0))
	plus := collTestEnv["+"]
	if sum, err = seqReduce(th, []value.Value{plus, sum, v}); err != nil || sum != value.MakeInt(n*(n-1)/2) {
		t.Errorf("reduce = %v, %v", sum, err)
	}
}

func benchVector(b *testing.B, n int) value.Value {
	th := collTestThread{}
	var v value.Value = value.EmptyVector
	for i := 0; i < n; i++ {
		v, _ = collConjFn(th, []value.Value{v, value.MakeInt(int64(i))})
	}
	return v
}

func BenchmarkCollConjVector(b *testing.B) {
	for b.Loop() {
		benchVector(b, 100000)
	}
}

func BenchmarkCollAssocMap(b *testing.B) {
	th := collTestThread{}
	for b.Loop() {
		var m value.Value = value.EmptyMap
		for i := 0; i < 100000; i++ {
			m, _ = collAssocFn(th, []value.Value{m, value.MakeInt(int64(i)), value.MakeInt(int64(i))})
		}
	}
}

func BenchmarkCollReduceVector(b *testing.B) {
	v := benchVector(b, 100000)
	th := collTestThread{}
	plus := collTestEnv["+"]
	for b.Loop() {
		if _, err := seqReduce(th, []value.Value{plus, value.MakeInt(0), v}); err != nil {
			b.Fatal(err)
		}
	}
}
