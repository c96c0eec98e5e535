package shell

import (
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/bridge"
	"github.com/wetware/ww/lang/value"
)

// surface installs the Glia forms of binary wire fields (design 8.3): peer
// ids are base58 text (16Uiu2HA…), multiaddrs are strings, in results and
// in arguments.
func surface(reg *bridge.Registry) {
	peerID := bridge.Converter{Read: peerText, Write: peerBytes}
	reg.Convert("peerId", peerID)
	reg.Convert("peer", peerID)
	reg.Convert("addrs", bridge.Converter{Read: mapVector(addrText), Write: mapVectorErr(addrBytes)})
	reg.Convert("addr", bridge.Converter{Read: addrText, Write: addrBytes})
}

func peerText(v value.Value) value.Value {
	b, ok := v.(value.Bytes)
	if !ok || len(b) == 0 {
		return v
	}
	id, err := peer.IDFromBytes([]byte(b))
	if err != nil {
		return v
	}
	return value.String(id.String())
}

func peerBytes(v value.Value) (value.Value, error) {
	switch x := v.(type) {
	case value.Bytes:
		return x, nil
	case value.String:
		id, err := peer.Decode(string(x))
		if err != nil {
			return nil, err
		}
		return value.MakeBytes([]byte(id)), nil
	}
	return nil, bridge.TypeMismatch("peer id string", v)
}

func addrText(v value.Value) value.Value {
	b, ok := v.(value.Bytes)
	if !ok {
		return v
	}
	a, err := ma.NewMultiaddrBytes([]byte(b))
	if err != nil {
		return v
	}
	return value.String(a.String())
}

func addrBytes(v value.Value) (value.Value, error) {
	switch x := v.(type) {
	case value.Bytes:
		return x, nil
	case value.String:
		a, err := ma.NewMultiaddr(string(x))
		if err != nil {
			return nil, err
		}
		return value.MakeBytes(a.Bytes()), nil
	}
	return nil, bridge.TypeMismatch("multiaddr string", v)
}

func mapVector(f func(value.Value) value.Value) func(value.Value) value.Value {
	return func(v value.Value) value.Value {
		vec, ok := v.(*value.Vector)
		if !ok {
			return v
		}
		b := value.NewVectorBuilder()
		vec.Each(func(x value.Value) bool { b.Append(f(x)); return true })
		return b.Vector()
	}
}

func mapVectorErr(f func(value.Value) (value.Value, error)) func(value.Value) (value.Value, error) {
	return func(v value.Value) (value.Value, error) {
		if !value.IsSeqable(v) || value.IsNil(v) {
			return nil, bridge.TypeMismatch("vector of multiaddr strings", v)
		}
		b := value.NewVectorBuilder()
		for _, x := range value.Elems(v) {
			y, err := f(x)
			if err != nil {
				return nil, err
			}
			b.Append(y)
		}
		return b.Vector(), nil
	}
}
