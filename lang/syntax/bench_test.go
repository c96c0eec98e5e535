package syntax

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

var bench20K = strings.Repeat(benchSample, 20000/len(benchSample)+1)

// BenchmarkScan20K is the scanner alone, with a builder that does nothing.
func BenchmarkScan20K(b *testing.B) {
	b.SetBytes(int64(len(bench20K)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Scan(bench20K, "bench", false, &nopBuilder{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse20K builds the syntax tree.
func BenchmarkParse20K(b *testing.B) {
	b.SetBytes(int64(len(bench20K)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bench20K, "bench", false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParticiple20K builds the same tree with participle's parser.
func BenchmarkParticiple20K(b *testing.B) {
	b.SetBytes(int64(len(bench20K)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parser().ParseString("bench", bench20K); err != nil {
			b.Fatal(err)
		}
	}
}
