package reader

import (
	"strings"
	"testing"
)

const benchSample = `(defmacro when [test & body] ` + "`" + `(if ~test (do ~@body) nil))
(defn map-indexed [f coll]
  (loop [i 0 xs (seq coll) acc []]
    (if xs
      (recur (inc i) (next xs) (conj acc (f i (first xs))))
      acc)))
;; a comment line with some text
(def config {:port 2025 :key-file "~/.ww/key" :flags #{:verbose :debug} :peers ["a" "b" "c"]})
(defmacro cond [& clauses]
  (when clauses
    (list 'if (first clauses)
          (if (next clauses) (second clauses) (throw "cond requires an even number of forms"))
          (cons 'cond (next (next clauses))))))
`

func BenchmarkReadAll20K(b *testing.B) {
	src := strings.Repeat(benchSample, 20000/len(benchSample)+1)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadAll(src, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
