package value

import "strings"

// Cap is a capability: an opaque host value with a display name, a schema
// identity (equality and handler matching use it, spec 4.2 and 11.1) and a
// reference to the service behind it. Glia code can bind, pass, compare and
// call capabilities but not look inside; hosts serve the calls through
// effect handlers.
type Cap struct {
	Name   string // display name: host, executor, ipfs ...
	Schema string // schema identity, e.g. the CID of the Cap'n Proto schema
	// Impl is the host's service reference (a Cap'n Proto client, a Go
	// object); the language never looks at it.
	Impl any
}

// Kind implements Value.
func (*Cap) Kind() Kind { return CapKind }

// Equal implements Equaler: capabilities are equal by schema identity.
func (c *Cap) Equal(o Value) bool {
	d, ok := o.(*Cap)
	return ok && c.Schema == d.Schema
}

// Hash implements Hasher.
func (c *Cap) Hash() uint64 { return hashString(c.Schema) ^ 0xcafe }

// Print implements Printer.
func (c *Cap) Print(b *strings.Builder) {
	b.WriteString("#<cap ")
	b.WriteString(c.Name)
	b.WriteByte('>')
}

// Cell bundles WASM bytes, an optional schema and the capabilities visible
// where it was made (spec 15.4).
type Cell struct {
	Wasm   Bytes
	Schema Value // Bytes or Nil
	Caps   []CellCap
}

// CellCap is one captured capability of a cell, under the name it was bound to.
type CellCap struct {
	Name string
	Cap  *Cap
}

// Kind implements Value.
func (*Cell) Kind() Kind { return CellKind }

// Equal implements Equaler: cells are equal by wasm and schema bytes.
func (c *Cell) Equal(o Value) bool {
	d, ok := o.(*Cell)
	return ok && c.Wasm == d.Wasm && Equal(c.Schema, d.Schema)
}

// Hash implements Hasher.
func (c *Cell) Hash() uint64 { return hashString(string(c.Wasm)) ^ Hash(c.Schema) }

// Print implements Printer.
func (c *Cell) Print(b *strings.Builder) {
	b.WriteString("#<cell ")
	b.WriteString(itoa(len(c.Wasm)))
	b.WriteString(" bytes")
	if s, ok := c.Schema.(Bytes); ok {
		b.WriteString(", schema ")
		b.WriteString(itoa(len(s)))
		b.WriteString(" bytes")
	}
	if len(c.Caps) > 0 {
		b.WriteString(", caps [")
		for i, cc := range c.Caps {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(cc.Name)
		}
		b.WriteByte(']')
	}
	b.WriteByte('>')
}
