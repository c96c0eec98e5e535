package membrane

import "github.com/wetware/ww/runtime/epoch"

// Guard ties a capability to the epoch it was issued under (system design
// §7.2). A guarded method calls Check first and fails with ErrStaleEpoch
// once the cell's seq differs from the issued one. Objects obtained from a
// guarded object carry a copy of its Guard, so they are revoked together.
//
// The check happens at entry only: work a method already started keeps
// running after an advance.
type Guard struct {
	cell   *epoch.Cell
	issued uint64
}

// NewGuard returns a guard stamped with cell's current seq.
func NewGuard(cell *epoch.Cell) Guard { return Guard{cell: cell, issued: cell.Seq()} }

// GuardAt returns a guard stamped with seq.
func GuardAt(cell *epoch.Cell, seq uint64) Guard { return Guard{cell: cell, issued: seq} }

// Seq returns the seq the guard was issued under.
func (g Guard) Seq() uint64 { return g.issued }

// Cell returns the epoch cell the guard checks.
func (g Guard) Cell() *epoch.Cell { return g.cell }

// Valid reports whether the issued seq is still the current one.
func (g Guard) Valid() bool { return g.cell.Seq() == g.issued }

// Check returns nil while the guard is valid and ErrStaleEpoch after.
func (g Guard) Check() error {
	if !g.Valid() {
		return ErrStaleEpoch
	}
	return nil
}
