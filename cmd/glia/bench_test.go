package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// BenchmarkPrograms runs the benchmark programs of testdata/bench in
// process, checking each one's output.
func BenchmarkPrograms(b *testing.B) {
	for _, name := range []string{"startup", "fib25", "fib30", "loop", "colls", "strings"} {
		src, err := os.ReadFile("../../testdata/bench/" + name + ".glia")
		if err != nil {
			b.Fatal(err)
		}
		want, err := os.ReadFile("../../testdata/bench/" + name + ".out")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var out, errb bytes.Buffer
				if code := run([]string{"-"}, bytes.NewReader(src), &out, &errb); code != 0 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
				if strings.TrimSpace(out.String()) != strings.TrimSpace(string(want)) {
					b.Fatalf("output %q, want %q", out.String(), want)
				}
			}
		})
	}
}
