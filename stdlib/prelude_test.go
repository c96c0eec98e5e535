package stdlib

import "testing"

// TestPreludeLoads evaluates every lazily registered prelude definition
// and checks that each defines the name it was registered under.
func TestPreludeLoads(t *testing.T) {
	defs := splitPrelude(prelude)
	if len(defs) < 30 {
		t.Fatalf("split the prelude into only %d definitions", len(defs))
	}
	ip, err := NewInterp(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range defs {
		if _, ok := ip.Core().Lookup(d.name); !ok {
			t.Errorf("%s (prelude.glia:%d) is not defined after loading", d.name, d.line)
		}
	}
	for _, err := range ip.LazyErrors() {
		t.Error(err)
	}
}

// TestPreludeSplitMatchesReader checks the splitter against the reader:
// both see the same top-level forms, in the same places.
func TestPreludeSplitMatchesReader(t *testing.T) {
	ip, _ := NewInterp(Options{})
	forms, err := ip.Read(prelude, "prelude.glia")
	if err != nil {
		t.Fatal(err)
	}
	defs := splitPrelude(prelude)
	if len(forms) != len(defs) {
		t.Fatalf("reader sees %d forms, splitter %d", len(forms), len(defs))
	}
	for _, d := range defs {
		one, err := ip.Read(d.src, "x")
		if err != nil || len(one) != 1 {
			t.Fatalf("%s: %v", d.name, err)
		}
	}
}
