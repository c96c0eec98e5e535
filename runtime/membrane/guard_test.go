package membrane

import (
	"errors"
	"testing"

	"capnproto.org/go/capnp/v3/exc"

	"github.com/wetware/ww/runtime/epoch"
)

func TestGuard(t *testing.T) {
	cell := epoch.NewCell(epoch.Epoch{Seq: 7})
	g := NewGuard(cell)
	if g.Seq() != 7 || g.Cell() != cell || !g.Valid() || g.Check() != nil {
		t.Fatalf("fresh guard: seq %d valid %v", g.Seq(), g.Valid())
	}
	cell.Advance(epoch.Epoch{Seq: 8})
	err := g.Check()
	if err == nil || err.Error() != StaleEpochReason || exc.TypeOf(err) != exc.Failed || !IsStaleEpoch(err) {
		t.Fatalf("stale guard: %v", err)
	}
	if g2 := NewGuard(cell); g2.Check() != nil {
		t.Fatal("guard issued after the advance is stale")
	}
	if GuardAt(cell, 8).Check() != nil || GuardAt(cell, 7).Check() == nil {
		t.Fatal("GuardAt")
	}
}

func TestReason(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"staleEpoch: session epoch no longer current", StaleEpochReason},
		{"system.capnp:Host.id: staleEpoch: session epoch no longer current", StaleEpochReason},
		{"system.capnp:Host.id: @0x9ea70c8c9aefb70c.@0: staleEpoch: session epoch no longer current", StaleEpochReason},
		{"rpc: connection closed", "rpc: connection closed"},
		{"x: invalidArgument: not a CID: \"a: b\"", "invalidArgument: not a CID: \"a: b\""},
	} {
		if got := Reason(errors.New(tc.in)); got != tc.want {
			t.Errorf("Reason(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if Reason(nil) != "" {
		t.Fatal("Reason(nil)")
	}
}

func TestErrorfAndCoded(t *testing.T) {
	err := Errorf(CodeNotFound, "no such path: %s", "/x")
	if err.Error() != "notFound: no such path: /x" || exc.TypeOf(err) != exc.Failed {
		t.Fatalf("Errorf: %v", err)
	}
	ctx := t.Context()
	// Coded errors keep their code and get its type.
	if e := coded(ctx, errors.New("rpc.capnp:X.y: resourceExhausted: busy"), "M", 0, CodeInternal, "d"); e.Error() != "resourceExhausted: busy" || exc.TypeOf(e) != exc.Overloaded {
		t.Fatalf("coded passthrough: %v", e)
	}
	// Plain errors get the default code and detail.
	if e := coded(ctx, errors.New("boom"), "M", 0, CodeUnavailable, "dial p"); e.Error() != "unavailable: dial p: boom" || exc.TypeOf(e) != exc.Disconnected {
		t.Fatalf("coded default: %v", e)
	}
	if e := coded(ctx, errors.New("boom"), "M", 0, CodeInternal, ""); e.Error() != "internal: boom" {
		t.Fatalf("coded without detail: %v", e)
	}
}

func TestValidators(t *testing.T) {
	for _, ok := range []string{"echo", "a", "A-b_c.d9", string(make([]byte, 0)) + "x"} {
		if ValidateProtocol(ok) != nil {
			t.Errorf("ValidateProtocol(%q) failed", ok)
		}
	}
	long := make([]byte, MaxProtocolLen+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, bad := range []string{"", "a/b", "a b", string(long)} {
		if err := ValidateProtocol(bad); err == nil || err.Error() != "invalidArgument: invalid protocol name" {
			t.Errorf("ValidateProtocol(%q) = %v", bad, err)
		}
	}
	if ValidateEnv([]string{"A=1", "B="}) != nil {
		t.Error("ValidateEnv rejected valid entries")
	}
	for _, bad := range []string{"A", "=1", ""} {
		if err := ValidateEnv([]string{bad}); err == nil || err.Error() != "invalidArgument: env entry must be KEY=VALUE" {
			t.Errorf("ValidateEnv(%q) = %v", bad, err)
		}
	}
}
