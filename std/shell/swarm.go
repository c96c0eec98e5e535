package shell

import (
	"context"
	"io/fs"
	"sync"
	"unicode/utf8"

	"capnproto.org/go/capnp/v3"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"

	"github.com/wetware/ww/capnp/bridge"
	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/lang/value"
)

// The swarm surface of design §8.3: (host listen "<proto>" <wasm>),
// (host dial "<peer>" "<proto>") → stream, (routing provide "<key>"),
// (routing find "<key>" [:count n]) → providers, and the stream methods
// :read [n], :read-all, :write, :close. Everything else goes to the
// bridge's generic handler.

// streamReadSize is the default and largest :read size (64 KiB, the
// ByteStream chunk).
const streamReadSize = 64 << 10

// network returns the Listener or Dialer (field) of host's network(),
// renamed after host so that errors read "host.<method> failed: …". The
// caller releases it.
func (sh *Shell) network(host *value.Cap, field string) (*value.Cap, error) {
	v, err := sh.reg.Call(sh.callContext(), host, []value.Value{value.KW("network")})
	if err != nil {
		return nil, err
	}
	m, _ := v.(*value.Map)
	var out *value.Cap
	if m != nil {
		m.Each(func(k, x value.Value) bool {
			c, ok := x.(*value.Cap)
			if !ok {
				return true
			}
			if isMethod(k, field) {
				out = &value.Cap{Name: host.Name, Schema: c.Schema, Impl: c.Impl}
			} else {
				releaseCap(c)
			}
			return true
		})
	}
	if out == nil {
		return nil, value.NewError("cap-call-failed", host.Name+".network failed: no "+field, "cap", host.Name)
	}
	return out, nil
}

func releaseCap(c *value.Cap) {
	if ref, ok := c.Impl.(*bridge.Ref); ok {
		ref.Client.Release()
	}
}

// hostListen is (host listen "<proto>" <wasm>): the session's executor
// runs the handler; <wasm> is bytes or a path in the image.
func (sh *Shell) hostListen(_ value.Thread, host *value.Cap, args []value.Value) (value.Value, error) {
	const ctx = "host :listen"
	if len(args) != 2 {
		return nil, value.ArityError(ctx, "2", len(args))
	}
	proto, ok := args[0].(value.String)
	if !ok {
		return nil, value.TypeError(ctx, "string", args[0])
	}
	wasm, err := sh.wasmArg(ctx, args[1])
	if err != nil {
		return nil, err
	}
	sh.stateMu.Lock()
	exec := sh.caps.Executor
	sh.stateMu.Unlock()
	if !capnp.Client(exec).IsValid() {
		return nil, value.NewError("permission-denied", "permission denied: host.listen needs the executor", "cap", "host", "method", "listen")
	}
	execCap, err := sh.reg.NewCap("executor", capnp.Client(exec), system.Executor_TypeID)
	if err != nil {
		return nil, err
	}
	l, err := sh.network(host, "listener")
	if err != nil {
		return nil, err
	}
	defer releaseCap(l)
	return sh.reg.Call(sh.callContext(), l, []value.Value{value.KW("listen"), execCap, proto, value.MakeBytes(wasm)})
}

// wasmArg reads a module given as bytes or as an image path.
func (sh *Shell) wasmArg(ctx string, v value.Value) ([]byte, error) {
	switch w := v.(type) {
	case value.Bytes:
		return []byte(w), nil
	case value.String:
		abs := sh.resolve(string(w))
		b, err := fs.ReadFile(sh.fsys, fsName(abs))
		if err != nil {
			return nil, value.NewError("io", "load: "+abs+": "+osErr(err), "path", abs)
		}
		return b, nil
	}
	return nil, value.TypeError(ctx, "bytes or string", v)
}

// hostDial is (host dial "<peer>" "<proto>") → stream.
func (sh *Shell) hostDial(_ value.Thread, host *value.Cap, args []value.Value) (value.Value, error) {
	if len(args) != 2 {
		return nil, value.ArityError("host :dial", "2", len(args))
	}
	d, err := sh.network(host, "dialer")
	if err != nil {
		return nil, err
	}
	defer releaseCap(d)
	return sh.reg.Call(sh.callContext(), d, []value.Value{value.KW("dial"), args[0], args[1]})
}

// routingKey is key as a CID: a CID as is, anything else hashed first
// (Routing.hash), so that names work as service keys.
func routingKey(ctx string, v value.Value) (value.Value, error) {
	s, ok := v.(value.String)
	if !ok {
		return nil, value.TypeError(ctx, "string", v)
	}
	if _, err := cid.Decode(string(s)); err == nil {
		return s, nil
	}
	sum, err := mh.Sum([]byte(s), mh.SHA2_256, -1)
	if err != nil {
		return nil, err
	}
	return value.String(cid.NewCidV1(cid.Raw, sum).String()), nil
}

// routingProvide is (routing provide "<key>").
func (sh *Shell) routingProvide(_ value.Thread, r *value.Cap, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("routing :provide", "1", len(args))
	}
	key, err := routingKey("routing :provide", args[0])
	if err != nil {
		return nil, err
	}
	return sh.reg.Call(sh.callContext(), r, []value.Value{value.KW("provide"), key})
}

// routingFind is (routing find "<key>" [:count n]) → a vector of
// {:peer-id s :addrs [s…]}.
func (sh *Shell) routingFind(_ value.Thread, r *value.Cap, args []value.Value) (value.Value, error) {
	const ctx = "routing :find"
	if len(args) != 1 && len(args) != 3 {
		return nil, value.ArityError(ctx, "1 or 3", len(args))
	}
	key, err := routingKey(ctx, args[0])
	if err != nil {
		return nil, err
	}
	count := value.Value(value.MakeInt(0))
	if len(args) == 3 {
		if !isMethod(args[1], "count") {
			return nil, value.ArgError(ctx, "unknown option "+value.Repr(args[1]))
		}
		n, ok := args[2].(value.Int)
		if !ok || n < 0 {
			return nil, value.TypeError(ctx+" :count", "non-negative int", args[2])
		}
		count = n
	}
	s := &providerSink{}
	client := capnp.Client(routing.ProviderSink_ServerToClient(s))
	defer client.Release()
	// The bridge only passes the sink on (its schema, with a streaming
	// method, is not needed).
	sinkCap := &value.Cap{Name: "sink", Schema: "capnp:any", Impl: &bridge.Ref{Client: client}}
	if _, err := sh.reg.Call(sh.callContext(), r, []value.Value{value.KW("find-providers"), key, count, sinkCap}); err != nil {
		return nil, err
	}
	return s.result(), nil
}

// providerSink collects the providers findProviders streams, as Glia
// maps in arrival order.
type providerSink struct {
	mu  sync.Mutex
	got []value.Value
}

func (s *providerSink) Provider(_ context.Context, call routing.ProviderSink_provider) error {
	info, err := call.Args().Info()
	if err != nil {
		return err
	}
	raw, err := info.PeerId()
	if err != nil {
		return err
	}
	list, err := info.Addrs()
	if err != nil {
		return err
	}
	addrs := value.NewVectorBuilder()
	for i := 0; i < list.Len(); i++ {
		b, err := list.At(i)
		if err != nil {
			return err
		}
		addrs.Append(addrText(value.MakeBytes(b)))
	}
	m := value.NewMap(value.KW("peer-id"), peerText(value.MakeBytes(raw)), value.KW("addrs"), addrs.Vector())
	s.mu.Lock()
	s.got = append(s.got, m)
	s.mu.Unlock()
	return nil
}

func (s *providerSink) Done(context.Context, routing.ProviderSink_done) error { return nil }

func (s *providerSink) result() value.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := value.NewVectorBuilder()
	for _, v := range s.got {
		b.Append(v)
	}
	return b.Vector()
}

// streamLayers wraps form in handlers for the capabilities that calls
// return rather than the session binds (streams and processes), so that
// (s :read-all) or (p :wait) on such a value is served.
func (sh *Shell) streamLayers(form *value.List, pos *value.Pos) *value.List {
	for _, l := range sh.derived {
		form = value.NewListPos([]value.Value{symWEH, l.proto, l.handler, form}, pos)
	}
	return form
}

// derivedLayer is one handler for a derived interface: proto carries the
// interface's schema identity (its client is null).
type derivedLayer struct {
	proto   *value.Cap
	handler *value.Builtin
}

// derivedLayers builds the handlers of streamLayers.
func (sh *Shell) derivedLayers() error {
	for _, d := range []struct {
		name string
		id   uint64
	}{{"process", system.Process_TypeID}, {"stream", system.ByteStream_TypeID}} {
		proto, err := sh.reg.NewCap(d.name, capnp.Client{}, d.id)
		if err != nil {
			return err
		}
		h := shimHandler(sh.reg.Handler(d.name+"-handler", proto, sh.callContext), sh.shims(d.name))
		sh.derived = append(sh.derived, derivedLayer{proto: proto, handler: h})
	}
	return nil
}

// streamRead is (stream :read [n]) → bytes, nil at EOF.
func (sh *Shell) streamRead(_ value.Thread, s *value.Cap, args []value.Value) (value.Value, error) {
	n := value.Value(value.MakeInt(streamReadSize))
	switch len(args) {
	case 0:
	case 1:
		n = args[0]
	default:
		return nil, value.ArityError("stream :read", "0-1", len(args))
	}
	v, err := sh.reg.Call(sh.callContext(), s, []value.Value{value.KW("read"), n})
	if err != nil {
		return nil, err
	}
	if b, ok := v.(value.Bytes); ok && len(b) == 0 {
		return value.Nil, nil
	}
	return v, nil
}

// streamReadAll is (stream :read-all): everything up to EOF, a string if
// it is UTF-8, else bytes.
func (sh *Shell) streamReadAll(_ value.Thread, s *value.Cap, args []value.Value) (value.Value, error) {
	if len(args) != 0 {
		return nil, value.ArityError("stream :read-all", "0", len(args))
	}
	var buf []byte
	for {
		v, err := sh.reg.Call(sh.callContext(), s, []value.Value{value.KW("read"), value.MakeInt(streamReadSize)})
		if err != nil {
			return nil, err
		}
		b, ok := v.(value.Bytes)
		if !ok {
			return nil, value.TypeError("stream :read-all", "bytes", v)
		}
		if len(b) == 0 {
			break
		}
		buf = append(buf, b...)
	}
	if utf8.Valid(buf) {
		return value.String(buf), nil
	}
	return value.MakeBytes(buf), nil
}
