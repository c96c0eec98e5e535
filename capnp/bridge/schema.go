package bridge

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/schemas"
	"capnproto.org/go/capnp/v3/std/capnp/schema"

	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/lang/value"
)

// Registry holds the decoded schema nodes of the project's interfaces.
type Registry struct {
	nodes map[uint64]schema.Node
	mu    sync.Mutex
	ifcs  map[uint64]*Interface
	conv  map[string]Converter
}

// Converter adapts a field between its wire form and the form Glia code
// sees, by field name: a host's surface (design 8.3) shows binary peer
// ids as base58 text and binary multiaddrs as strings.
type Converter struct {
	// Read turns the converted wire value into the Glia value.
	Read func(value.Value) value.Value
	// Write turns a Glia argument into the value written on the wire.
	Write func(value.Value) (value.Value, error)
}

// Convert installs c for every field named name (the schema name, e.g.
// "peerId"). Call it before the registry is used.
func (r *Registry) Convert(name string, c Converter) {
	if r.conv == nil {
		r.conv = map[string]Converter{}
	}
	r.conv[name] = c
}

// Interface describes one Cap'n Proto interface.
type Interface struct {
	ID      uint64
	Name    string // e.g. "Host"
	Methods []*Method
	// Identity is the CID of the canonical schema node (base32 CIDv1, raw
	// codec, sha2-256): the schema identity of capability values.
	Identity string
	// Schema is the canonical encoding of the interface's schema node.
	Schema []byte
}

// Method describes one method.
type Method struct {
	Name    string // schema name, e.g. "findProviders"
	Keyword string // Glia name, e.g. "find-providers"
	Ordinal uint16
	Params  *Struct
	Results *Struct
	iface   *Interface
}

// Struct describes a struct's layout.
type Struct struct {
	ID        uint64
	Name      string
	DataWords uint16
	Pointers  uint16
	Fields    []*Field
	discOff   uint32
	hasDisc   bool
}

// Field describes one field of a struct.
type Field struct {
	Name    string // schema name
	Keyword string // kebab-case
	Type    *Type
	Offset  uint32 // in units of the field's size (bits for Bool); pointer index for pointers
	disc    uint16 // discriminant value, or noDisc
	group   *Struct
}

const noDisc = 0xffff

// Kind is a field type's kind.
type Kind int

// The kinds of field types the bridge converts.
const (
	KVoid Kind = iota
	KBool
	KInt8
	KInt16
	KInt32
	KInt64
	KUint8
	KUint16
	KUint32
	KUint64
	KFloat32
	KFloat64
	KText
	KData
	KList
	KEnum
	KStruct
	KInterface
	KAnyPointer
)

// Type is a field or list element type.
type Type struct {
	Kind   Kind
	Elem   *Type    // KList
	Struct *Struct  // KStruct
	Iface  uint64   // KInterface
	Enum   []string // KEnum: enumerant names (kebab-case)
	name   string   // for messages
}

// NewRegistry decodes the schemas of the project's Cap'n Proto files.
func NewRegistry() (*Registry, error) {
	reg := &schemas.Registry{}
	for _, register := range []func(*schemas.Registry){
		system.RegisterSchema, stem.RegisterSchema, ipfs.RegisterSchema,
		routing.RegisterSchema, shell.RegisterSchema,
	} {
		register(reg)
	}
	r := &Registry{nodes: map[uint64]schema.Node{}, ifcs: map[uint64]*Interface{}}
	for _, file := range []uint64{system.Host_TypeID, stem.Membrane_TypeID, ipfs.Client_TypeID,
		routing.Routing_TypeID, shell.Shell_TypeID} {
		data, err := reg.Find(file)
		if err != nil {
			return nil, fmt.Errorf("bridge: schema %#x: %w", file, err)
		}
		msg, err := capnp.Unmarshal(data)
		if err != nil {
			return nil, fmt.Errorf("bridge: schema %#x: %w", file, err)
		}
		req, err := schema.ReadRootCodeGeneratorRequest(msg)
		if err != nil {
			return nil, err
		}
		nodes, err := req.Nodes()
		if err != nil {
			return nil, err
		}
		for i := 0; i < nodes.Len(); i++ {
			n := nodes.At(i)
			r.nodes[n.Id()] = n
		}
	}
	return r, nil
}

// Interface returns the description of interface id.
func (r *Registry) Interface(id uint64) (*Interface, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ifc := r.ifcs[id]; ifc != nil {
		return ifc, nil
	}
	n, ok := r.nodes[id]
	if !ok || n.Which() != schema.Node_Which_interface {
		return nil, fmt.Errorf("bridge: no interface %#x", id)
	}
	ifc := &Interface{ID: id, Name: shortName(n)}
	canon, err := capnp.Canonicalize(capnp.Struct(n))
	if err != nil {
		return nil, err
	}
	ifc.Schema = canon
	ifc.Identity = rawCID(canon)
	ms, err := n.Interface().Methods()
	if err != nil {
		return nil, err
	}
	for i := 0; i < ms.Len(); i++ {
		m := ms.At(i)
		name, _ := m.Name()
		params, err := r.structOf(m.ParamStructType())
		if err != nil {
			return nil, err
		}
		results, err := r.structOf(m.ResultStructType())
		if err != nil {
			return nil, err
		}
		ifc.Methods = append(ifc.Methods, &Method{Name: name, Keyword: kebab(name), Ordinal: uint16(i),
			Params: params, Results: results, iface: ifc})
	}
	r.ifcs[id] = ifc
	return ifc, nil
}

// Method finds a method by its Glia (kebab-case) or schema name.
func (ifc *Interface) Method(name string) *Method {
	for _, m := range ifc.Methods {
		if m.Keyword == name || m.Name == name {
			return m
		}
	}
	return nil
}

func (r *Registry) structOf(id uint64) (*Struct, error) {
	n, ok := r.nodes[id]
	if !ok || n.Which() != schema.Node_Which_structNode {
		return nil, fmt.Errorf("bridge: no struct %#x", id)
	}
	sn := n.StructNode()
	st := &Struct{ID: id, Name: shortName(n), DataWords: sn.DataWordCount(), Pointers: sn.PointerCount()}
	if sn.DiscriminantCount() > 0 {
		st.hasDisc, st.discOff = true, sn.DiscriminantOffset()
	}
	fs, err := sn.Fields()
	if err != nil {
		return nil, err
	}
	for i := 0; i < fs.Len(); i++ {
		f := fs.At(i)
		name, _ := f.Name()
		fd := &Field{Name: name, Keyword: kebab(name), disc: f.DiscriminantValue()}
		switch f.Which() {
		case schema.Field_Which_slot:
			slot := f.Slot()
			t, err := slot.Type()
			if err != nil {
				return nil, err
			}
			if fd.Type, err = r.typeOf(t); err != nil {
				return nil, err
			}
			fd.Offset = slot.Offset()
		case schema.Field_Which_group:
			g, err := r.structOf(f.Group().TypeId())
			if err != nil {
				return nil, err
			}
			fd.group = g
			fd.Type = &Type{Kind: KStruct, Struct: g, name: g.Name}
		}
		st.Fields = append(st.Fields, fd)
	}
	return st, nil
}

func (r *Registry) typeOf(t schema.Type) (*Type, error) {
	switch t.Which() {
	case schema.Type_Which_void:
		return &Type{Kind: KVoid, name: "void"}, nil
	case schema.Type_Which_bool:
		return &Type{Kind: KBool, name: "bool"}, nil
	case schema.Type_Which_int8:
		return &Type{Kind: KInt8, name: "int"}, nil
	case schema.Type_Which_int16:
		return &Type{Kind: KInt16, name: "int"}, nil
	case schema.Type_Which_int32:
		return &Type{Kind: KInt32, name: "int"}, nil
	case schema.Type_Which_int64:
		return &Type{Kind: KInt64, name: "int"}, nil
	case schema.Type_Which_uint8:
		return &Type{Kind: KUint8, name: "int"}, nil
	case schema.Type_Which_uint16:
		return &Type{Kind: KUint16, name: "int"}, nil
	case schema.Type_Which_uint32:
		return &Type{Kind: KUint32, name: "int"}, nil
	case schema.Type_Which_uint64:
		return &Type{Kind: KUint64, name: "int"}, nil
	case schema.Type_Which_float32:
		return &Type{Kind: KFloat32, name: "float"}, nil
	case schema.Type_Which_float64:
		return &Type{Kind: KFloat64, name: "float"}, nil
	case schema.Type_Which_text:
		return &Type{Kind: KText, name: "string"}, nil
	case schema.Type_Which_data:
		return &Type{Kind: KData, name: "bytes"}, nil
	case schema.Type_Which_list:
		et, err := t.List().ElementType()
		if err != nil {
			return nil, err
		}
		elem, err := r.typeOf(et)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: KList, Elem: elem, name: "[" + elem.name + "]"}, nil
	case schema.Type_Which_enum:
		n, ok := r.nodes[t.Enum().TypeId()]
		if !ok {
			return nil, fmt.Errorf("bridge: no enum %#x", t.Enum().TypeId())
		}
		es, err := n.Enum().Enumerants()
		if err != nil {
			return nil, err
		}
		names := make([]string, es.Len())
		for i := range names {
			nm, _ := es.At(i).Name()
			names[i] = kebab(nm)
		}
		return &Type{Kind: KEnum, Enum: names, name: "keyword"}, nil
	case schema.Type_Which_structType:
		st, err := r.structOf(t.StructType().TypeId())
		if err != nil {
			return nil, err
		}
		return &Type{Kind: KStruct, Struct: st, name: "map"}, nil
	case schema.Type_Which_interface:
		id := t.Interface().TypeId()
		name := "cap"
		if n, ok := r.nodes[id]; ok {
			name = kebab(shortName(n))
		}
		return &Type{Kind: KInterface, Iface: id, name: name}, nil
	}
	return &Type{Kind: KAnyPointer, name: "any"}, nil
}

// shortName is a node's name without its file prefix ("Host", "UnixFS.Entry").
func shortName(n schema.Node) string {
	dn, _ := n.DisplayName()
	return dn[n.DisplayNamePrefixLength():]
}

// kebab turns a schema name into a Glia name: findProviders ->
// find-providers, peerId -> peer-id.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rawCID is the CIDv1 (raw codec, sha2-256) of data in base32, the form
// IPFS tools print.
func rawCID(data []byte) string {
	sum := sha256.Sum256(data)
	bin := append([]byte{0x01, 0x55, 0x12, 0x20}, sum[:]...)
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	var b strings.Builder
	b.WriteByte('b')
	var acc uint32
	bits := 0
	for _, c := range bin {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			b.WriteByte(alphabet[(acc>>(bits-5))&31])
			bits -= 5
		}
	}
	if bits > 0 {
		b.WriteByte(alphabet[(acc<<(5-bits))&31])
	}
	return b.String()
}
