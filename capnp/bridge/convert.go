package bridge

import (
	"errors"
	"math"

	"capnproto.org/go/capnp/v3"

	"github.com/wetware/ww/lang/value"
)

// Ref is what a capability value made by the bridge holds: the client and
// the interface it speaks.
type Ref struct {
	Client capnp.Client
	Iface  *Interface
}

// errType reports a Glia value of the wrong type for a field.
type errType struct {
	expected string
	got      value.Value
}

func (e *errType) Error() string { return "expected " + e.expected + ", got " + value.TypeName(e.got) }

// NewCap wraps a client as a capability value named name.
func (r *Registry) NewCap(name string, client capnp.Client, iface uint64) (*value.Cap, error) {
	ifc, err := r.Interface(iface)
	if err != nil {
		return nil, err
	}
	return &value.Cap{Name: name, Schema: ifc.Identity, Impl: &Ref{Client: client, Iface: ifc}}, nil
}

// readStruct converts a struct to a map of its (active) fields.
func (r *Registry) readStruct(s capnp.Struct, d *Struct) (value.Value, error) {
	m := value.EmptyMap
	for _, f := range d.Fields {
		if !d.active(s, f) {
			continue
		}
		v, err := r.readField(s, f)
		if err != nil {
			return nil, err
		}
		m = m.Assoc(value.KW(f.Keyword), v)
	}
	return m, nil
}

func (d *Struct) active(s capnp.Struct, f *Field) bool {
	return f.disc == noDisc || !d.hasDisc || s.Uint16(capnp.DataOffset(d.discOff*2)) == f.disc
}

func (r *Registry) readField(s capnp.Struct, f *Field) (value.Value, error) {
	if f.group != nil {
		return r.readStruct(s, f.group)
	}
	t, off := f.Type, f.Offset
	switch t.Kind {
	case KVoid:
		return value.Nil, nil
	case KBool:
		return value.MakeBool(s.Bit(capnp.BitOffset(off))), nil
	case KInt8:
		return value.MakeInt(int64(int8(s.Uint8(capnp.DataOffset(off))))), nil
	case KInt16:
		return value.MakeInt(int64(int16(s.Uint16(capnp.DataOffset(off * 2))))), nil
	case KInt32:
		return value.MakeInt(int64(int32(s.Uint32(capnp.DataOffset(off * 4))))), nil
	case KInt64:
		return value.MakeInt(int64(s.Uint64(capnp.DataOffset(off * 8)))), nil
	case KUint8:
		return value.MakeInt(int64(s.Uint8(capnp.DataOffset(off)))), nil
	case KUint16:
		return value.MakeInt(int64(s.Uint16(capnp.DataOffset(off * 2)))), nil
	case KUint32:
		return value.MakeInt(int64(s.Uint32(capnp.DataOffset(off * 4)))), nil
	case KUint64:
		return value.MakeInt(int64(s.Uint64(capnp.DataOffset(off * 8)))), nil
	case KFloat32:
		return value.MakeFloat(float64(math.Float32frombits(s.Uint32(capnp.DataOffset(off * 4))))), nil
	case KFloat64:
		return value.MakeFloat(math.Float64frombits(s.Uint64(capnp.DataOffset(off * 8)))), nil
	case KEnum:
		i := int(s.Uint16(capnp.DataOffset(off * 2)))
		if i < len(t.Enum) {
			return value.KW(t.Enum[i]), nil
		}
		return value.MakeInt(int64(i)), nil
	}
	p, err := s.Ptr(uint16(off))
	if err != nil {
		return nil, err
	}
	v, err := r.readPtr(p, t, f.Keyword)
	if c, ok := r.conv[f.Name]; ok && c.Read != nil && err == nil {
		v = c.Read(v)
	}
	return v, err
}

func (r *Registry) readPtr(p capnp.Ptr, t *Type, name string) (value.Value, error) {
	if !p.IsValid() {
		switch t.Kind {
		case KText:
			return value.String(""), nil
		case KData:
			return value.Bytes(""), nil
		case KList:
			return value.EmptyVector, nil
		}
		return value.Nil, nil
	}
	switch t.Kind {
	case KText:
		return value.String(p.Text()), nil
	case KData:
		return value.MakeBytes(p.Data()), nil
	case KStruct:
		return r.readStruct(p.Struct(), t.Struct)
	case KInterface:
		c := p.Interface().Client()
		if !c.IsValid() {
			return value.Nil, nil
		}
		return r.NewCap(name, c.AddRef(), t.Iface)
	case KList:
		return r.readList(p.List(), t.Elem, name)
	}
	if ifc := p.Interface(); ifc.IsValid() {
		return &value.Cap{Name: name, Schema: "capnp:any", Impl: &Ref{Client: ifc.Client().AddRef()}}, nil
	}
	return value.Nil, nil
}

func (r *Registry) readList(l capnp.List, t *Type, name string) (value.Value, error) {
	b := value.NewVectorBuilder()
	for i := 0; i < l.Len(); i++ {
		var v value.Value
		var err error
		switch t.Kind {
		case KText:
			v, err = readAt(capnp.TextList(l).BytesAt, i, func(x []byte) value.Value { return value.String(x) })
		case KData:
			v, err = readAt(capnp.DataList(l).At, i, func(x []byte) value.Value { return value.MakeBytes(x) })
		case KStruct:
			v, err = r.readStruct(l.Struct(i), t.Struct)
		case KBool:
			v = value.MakeBool(capnp.BitList(l).At(i))
		case KInt8, KInt16, KInt32, KInt64, KUint8, KUint16, KUint32, KUint64:
			v = value.MakeInt(readIntAt(l, t.Kind, i))
		case KFloat32:
			v = value.MakeFloat(float64(capnp.Float32List(l).At(i)))
		case KFloat64:
			v = value.MakeFloat(capnp.Float64List(l).At(i))
		case KEnum:
			v = value.KW(t.Enum[min(int(capnp.UInt16List(l).At(i)), len(t.Enum)-1)])
		default:
			var p capnp.Ptr
			if p, err = capnp.PointerList(l).At(i); err == nil {
				v, err = r.readPtr(p, t, name)
			}
		}
		if err != nil {
			return nil, err
		}
		b.Append(v)
	}
	return b.Vector(), nil
}

func readAt(at func(int) ([]byte, error), i int, conv func([]byte) value.Value) (value.Value, error) {
	x, err := at(i)
	if err != nil {
		return nil, err
	}
	return conv(x), nil
}

func readIntAt(l capnp.List, k Kind, i int) int64 {
	switch k {
	case KInt8:
		return int64(capnp.Int8List(l).At(i))
	case KInt16:
		return int64(capnp.Int16List(l).At(i))
	case KInt32:
		return int64(capnp.Int32List(l).At(i))
	case KInt64:
		return capnp.Int64List(l).At(i)
	case KUint8:
		return int64(capnp.UInt8List(l).At(i))
	case KUint16:
		return int64(capnp.UInt16List(l).At(i))
	case KUint32:
		return int64(capnp.UInt32List(l).At(i))
	}
	return int64(capnp.UInt64List(l).At(i))
}

// writeField stores a Glia value into a field.
func (r *Registry) writeField(s capnp.Struct, f *Field, v value.Value) error {
	if c, ok := r.conv[f.Name]; ok && c.Write != nil {
		w, err := c.Write(v)
		if err != nil {
			return err
		}
		v = w
	}
	t, off := f.Type, f.Offset
	if f.group != nil {
		m, ok := v.(*value.Map)
		if !ok {
			return &errType{"map", v}
		}
		return r.writeStruct(s, f.group, m)
	}
	switch t.Kind {
	case KVoid:
		return nil
	case KBool:
		b, ok := v.(value.Bool)
		if !ok {
			return &errType{"bool", v}
		}
		s.SetBit(capnp.BitOffset(off), bool(b))
		return nil
	case KInt8, KInt16, KInt32, KInt64, KUint8, KUint16, KUint32, KUint64:
		n, err := intIn(t.Kind, v)
		if err != nil {
			return err
		}
		switch t.Kind {
		case KInt8, KUint8:
			s.SetUint8(capnp.DataOffset(off), uint8(n))
		case KInt16, KUint16:
			s.SetUint16(capnp.DataOffset(off*2), uint16(n))
		case KInt32, KUint32:
			s.SetUint32(capnp.DataOffset(off*4), uint32(n))
		default:
			s.SetUint64(capnp.DataOffset(off*8), uint64(n))
		}
		return nil
	case KFloat32, KFloat64:
		x, ok := value.ToFloat(v)
		if !ok {
			return &errType{"number", v}
		}
		if t.Kind == KFloat32 {
			s.SetUint32(capnp.DataOffset(off*4), math.Float32bits(float32(x)))
		} else {
			s.SetUint64(capnp.DataOffset(off*8), math.Float64bits(x))
		}
		return nil
	case KEnum:
		i, err := enumIndex(t, v)
		if err != nil {
			return err
		}
		s.SetUint16(capnp.DataOffset(off*2), uint16(i))
		return nil
	}
	p, err := r.newPtr(s.Segment(), t, v)
	if err != nil {
		return err
	}
	return s.SetPtr(uint16(off), p)
}

func intIn(k Kind, v value.Value) (int64, error) {
	n, ok := v.(value.Int)
	if !ok {
		return 0, &errType{"int", v}
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch k {
	case KInt8:
		lo, hi = math.MinInt8, math.MaxInt8
	case KInt16:
		lo, hi = math.MinInt16, math.MaxInt16
	case KInt32:
		lo, hi = math.MinInt32, math.MaxInt32
	case KUint8:
		lo, hi = 0, math.MaxUint8
	case KUint16:
		lo, hi = 0, math.MaxUint16
	case KUint32:
		lo, hi = 0, math.MaxUint32
	case KUint64:
		lo = 0
	}
	if int64(n) < lo || int64(n) > hi {
		return 0, &errType{"int in range", v}
	}
	return int64(n), nil
}

func enumIndex(t *Type, v value.Value) (int, error) {
	var name string
	switch x := v.(type) {
	case *value.Keyword:
		name = x.Name
	case value.Symbol:
		name = x.Name
	case value.String:
		name = string(x)
	default:
		return 0, &errType{"keyword", v}
	}
	for i, n := range t.Enum {
		if n == name {
			return i, nil
		}
	}
	return 0, &errType{"one of " + joinKW(t.Enum), v}
}

func joinKW(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += " "
		}
		out += ":" + n
	}
	return out
}

func (r *Registry) writeStruct(s capnp.Struct, d *Struct, m *value.Map) error {
	var err error
	m.Each(func(k, v value.Value) bool {
		f := d.field(k)
		if f == nil {
			err = errors.New("unknown field " + value.Repr(k))
			return false
		}
		if d.hasDisc && f.disc != noDisc {
			s.SetUint16(capnp.DataOffset(d.discOff*2), f.disc)
		}
		err = r.writeField(s, f, v)
		return err == nil
	})
	return err
}

func (d *Struct) field(k value.Value) *Field {
	var name string
	switch k := k.(type) {
	case *value.Keyword:
		name = k.Name
	case value.String:
		name = string(k)
	case value.Symbol:
		name = k.Name
	}
	for _, f := range d.Fields {
		if f.Keyword == name || f.Name == name {
			return f
		}
	}
	return nil
}

// newPtr builds the pointer value of a Text, Data, list, struct or
// capability field.
func (r *Registry) newPtr(seg *capnp.Segment, t *Type, v value.Value) (capnp.Ptr, error) {
	if value.IsNil(v) {
		return capnp.Ptr{}, nil
	}
	switch t.Kind {
	case KText:
		s, ok := v.(value.String)
		if !ok {
			return capnp.Ptr{}, &errType{"string", v}
		}
		l, err := capnp.NewText(seg, string(s))
		return l.ToPtr(), err
	case KData:
		var b []byte
		switch x := v.(type) {
		case value.Bytes:
			b = []byte(x)
		case value.String:
			b = []byte(x)
		default:
			return capnp.Ptr{}, &errType{"bytes or string", v}
		}
		l, err := capnp.NewData(seg, b)
		return l.ToPtr(), err
	case KStruct:
		m, ok := v.(*value.Map)
		if !ok {
			return capnp.Ptr{}, &errType{"map", v}
		}
		st, err := capnp.NewStruct(seg, capnp.ObjectSize{DataSize: capnp.Size(t.Struct.DataWords) * 8, PointerCount: t.Struct.Pointers})
		if err != nil {
			return capnp.Ptr{}, err
		}
		if err := r.writeStruct(st, t.Struct, m); err != nil {
			return capnp.Ptr{}, err
		}
		return st.ToPtr(), nil
	case KInterface, KAnyPointer:
		c, ok := v.(*value.Cap)
		ref, ok2 := capRef(c)
		if !ok || !ok2 {
			return capnp.Ptr{}, &errType{t.name, v}
		}
		id := seg.Message().CapTable().Add(ref.Client.AddRef())
		return capnp.NewInterface(seg, id).ToPtr(), nil
	case KList:
		return r.newList(seg, t.Elem, v)
	}
	return capnp.Ptr{}, &errType{t.name, v}
}

func capRef(c *value.Cap) (*Ref, bool) {
	if c == nil {
		return nil, false
	}
	ref, ok := c.Impl.(*Ref)
	return ref, ok
}

func (r *Registry) newList(seg *capnp.Segment, t *Type, v value.Value) (capnp.Ptr, error) {
	switch v.(type) {
	case *value.Vector, *value.List, *value.Set:
	default:
		return capnp.Ptr{}, &errType{"vector", v}
	}
	elems := value.Elems(v)
	n := int32(len(elems))
	switch t.Kind {
	case KText:
		l, err := capnp.NewTextList(seg, n)
		for i, e := range elems {
			s, ok := e.(value.String)
			if !ok {
				return capnp.Ptr{}, &errType{"vector of strings", v}
			}
			if err == nil {
				err = l.Set(i, string(s))
			}
		}
		return l.ToPtr(), err
	case KData:
		l, err := capnp.NewDataList(seg, n)
		for i, e := range elems {
			var b []byte
			switch x := e.(type) {
			case value.Bytes:
				b = []byte(x)
			case value.String:
				b = []byte(x)
			default:
				return capnp.Ptr{}, &errType{"vector of bytes", v}
			}
			if err == nil {
				err = l.Set(i, b)
			}
		}
		return l.ToPtr(), err
	case KStruct:
		l, err := capnp.NewCompositeList(seg, capnp.ObjectSize{DataSize: capnp.Size(t.Struct.DataWords) * 8, PointerCount: t.Struct.Pointers}, n)
		if err != nil {
			return capnp.Ptr{}, err
		}
		for i, e := range elems {
			m, ok := e.(*value.Map)
			if !ok {
				return capnp.Ptr{}, &errType{"vector of maps", v}
			}
			if err := r.writeStruct(l.Struct(i), t.Struct, m); err != nil {
				return capnp.Ptr{}, err
			}
		}
		return l.ToPtr(), nil
	case KUint8:
		l, err := capnp.NewUInt8List(seg, n)
		for i, e := range elems {
			x, ierr := intIn(KUint8, e)
			if ierr != nil {
				return capnp.Ptr{}, ierr
			}
			l.Set(i, uint8(x))
		}
		return l.ToPtr(), err
	case KInterface:
		l, err := capnp.NewPointerList(seg, n)
		for i, e := range elems {
			p, perr := r.newPtr(seg, t, e)
			if perr != nil {
				return capnp.Ptr{}, perr
			}
			if err == nil {
				err = l.Set(i, p)
			}
		}
		return l.ToPtr(), err
	}
	return capnp.Ptr{}, &errType{"list of " + t.name + " (unsupported)", v}
}

// TypeMismatch is the error a Converter's Write returns for an argument of
// the wrong type; the call reports it as a type-mismatch of the method.
func TypeMismatch(expected string, got value.Value) error { return &errType{expected, got} }
