package stdlib

import (
	"testing"

	"github.com/wetware/ww/lang/value"
)

func TestAtom(t *testing.T) {
	collTestCheck(t, []collTestCase{
		{`(atom 1)`, `#<atom 1>`},
		{`(atom [1 "a"])`, `#<atom [1 "a"]>`},
		{`(deref (atom 42))`, `42`},
		{`(swap! (atom 1) * 3)`, `3`},
		{`(swap! (atom 1) + 1 2 3)`, `7`},
		{`(swap! (atom [1]) conj 2)`, `[1 2]`},
		{`(reset! (atom 1) 5)`, `5`},
		{`(deref 1)`, `error: [glia.error/type-mismatch] deref: expected atom, got int`},
		{`(reset! [] 1)`, `error: [glia.error/type-mismatch] reset!: expected atom, got vector`},
		{`(swap! nil inc)`, `error: [glia.error/type-mismatch] swap!: expected atom, got nil`},
		{`(swap! (atom 1) boom)`, `error: [glia.error/test] boom`},
		{`(swap! (atom 1))`, `error: [glia.error/arity-mismatch] swap!: expected at least 2 arg(s), got 1`},
		{`(atom)`, `error: [glia.error/arity-mismatch] atom: expected 1 arg(s), got 0`},
	})
}

// TestAtomState checks that swap! and reset! update the atom itself and
// that a failing swap! leaves it unchanged.
func TestAtomState(t *testing.T) {
	th := collTestThread{}
	a, _ := atomNew(th, []value.Value{value.MakeInt(1)})
	if _, err := atomSwap(th, []value.Value{a, collTestEnv["inc"]}); err != nil {
		t.Fatal(err)
	}
	if _, err := atomSwap(th, []value.Value{a, collTestEnv["boom"]}); err == nil {
		t.Fatal("swap! with a failing function succeeded")
	}
	if v, _ := atomDeref(th, []value.Value{a}); v != value.MakeInt(2) {
		t.Errorf("after swap!: %v", value.Repr(v))
	}
	if _, err := atomReset(th, []value.Value{a, value.KW("k")}); err != nil {
		t.Fatal(err)
	}
	if got := value.Repr(a); got != "#<atom :k>" {
		t.Errorf("after reset!: %s", got)
	}
}
