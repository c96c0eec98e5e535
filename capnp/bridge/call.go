package bridge

import (
	"context"
	"errors"
	"strings"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/exc"

	"github.com/wetware/ww/lang/value"
)

// Call performs (cap method arg …) as an RPC; data holds the method (a
// keyword or symbol) and the arguments.
func (r *Registry) Call(ctx context.Context, c *value.Cap, data []value.Value) (value.Value, error) {
	ref, ok := capRef(c)
	if !ok || ref.Iface == nil {
		return nil, value.NewError("cap-call-failed", c.Name+" failed: not a Cap'n Proto capability", "cap", c.Name)
	}
	if len(data) == 0 {
		return nil, value.ArityError(c.Name, "at least 1", 0)
	}
	var name string
	switch m := data[0].(type) {
	case *value.Keyword:
		name = m.Name
	case value.Symbol:
		name = m.Name
	default:
		return nil, value.TypeError(c.Name+" method", "keyword or symbol", m)
	}
	m := ref.Iface.Method(name)
	if m == nil {
		return nil, value.NewError("cap-call-failed", c.Name+"."+name+" failed: unknown method :"+name,
			"cap", c.Name, "method", name, "code", "notFound")
	}
	place, err := r.placeArgs(c.Name, m, data[1:])
	if err != nil {
		return nil, err
	}
	ans, release := ref.Client.SendCall(ctx, capnp.Send{
		Method: capnp.Method{
			InterfaceID:   ref.Iface.ID,
			MethodID:      m.Ordinal,
			InterfaceName: ref.Iface.Name,
			MethodName:    m.Name,
		},
		ArgsSize:  capnp.ObjectSize{DataSize: capnp.Size(m.Params.DataWords) * 8, PointerCount: m.Params.Pointers},
		PlaceArgs: place,
	})
	defer release()
	res, err := ans.Struct()
	if err != nil {
		return nil, callError(c.Name, m.Keyword, err)
	}
	return r.results(res, m)
}

// placeArgs checks the arguments against the parameter struct and returns
// the function that writes them: positional arguments fill fields in
// declaration order, trailing :field value pairs name the others.
func (r *Registry) placeArgs(capName string, m *Method, args []value.Value) (func(capnp.Struct) error, error) {
	fields := m.Params.Fields
	ctx := capName + " :" + m.Keyword
	set := map[*Field]value.Value{}
	pos := len(args)
	for i := 0; i < len(args); i++ {
		if k, ok := args[i].(*value.Keyword); ok && i+1 < len(args) {
			if f := m.Params.field(k); f != nil {
				pos = i
				break
			}
		}
	}
	if pos > len(fields) || (pos < len(fields) && pos == len(args)) {
		return nil, value.ArityError(ctx, itoa(len(fields)), len(args))
	}
	for i := 0; i < pos; i++ {
		set[fields[i]] = args[i]
	}
	for i := pos; i < len(args); i += 2 {
		f := m.Params.field(args[i])
		if f == nil || i+1 >= len(args) {
			return nil, value.ArgError(ctx, "unknown option "+value.Repr(args[i]))
		}
		set[f] = args[i+1]
	}
	// Check types now, so that a bad argument fails before the call.
	check, seg, err := capnp.NewMessage(capnp.SingleSegment(nil))
	if err != nil {
		return nil, err
	}
	probe, err := capnp.NewRootStruct(seg, capnp.ObjectSize{DataSize: capnp.Size(m.Params.DataWords) * 8, PointerCount: m.Params.Pointers})
	if err != nil {
		return nil, err
	}
	write := func(s capnp.Struct) error {
		for _, f := range fields {
			if v, ok := set[f]; ok {
				if err := r.writeField(s, f, v); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := write(probe); err != nil {
		var te *errType
		if errors.As(err, &te) {
			return nil, value.TypeError(ctx, te.expected, te.got)
		}
		return nil, value.ArgError(ctx, err.Error())
	}
	releaseCaps(check)
	return write, nil
}

// releaseCaps drops the references a probe message took.
func releaseCaps(msg *capnp.Message) {
	ct := msg.CapTable()
	for i := 0; i < ct.Len(); i++ {
		ct.At(i).Release()
	}
}

// results converts a result struct: nothing for no fields, the value for
// one, a map for several.
func (r *Registry) results(res capnp.Struct, m *Method) (value.Value, error) {
	switch len(m.Results.Fields) {
	case 0:
		return value.Nil, nil
	case 1:
		return r.readField(res, m.Results.Fields[0])
	}
	return r.readStruct(res, m.Results)
}

// codes are the error codes of the design's error catalogue.
var codes = []string{"staleEpoch", "unauthorized", "invalidArgument", "invalidWasm", "notFound",
	"alreadyExists", "deadlineExceeded", "resourceExhausted", "unavailable", "unimplemented", "internal"}

// callError maps an RPC failure onto Glia's error shapes (spec 15.2).
func callError(capName, method string, err error) *value.Error {
	msg := err.Error()
	code, detail := "", msg
	for _, c := range codes {
		if i := strings.Index(msg, c+": "); i >= 0 && (code == "" || i < strings.Index(msg, code+": ")) {
			code, detail = c, msg[i:]
		}
	}
	switch {
	case code == "staleEpoch":
		return value.NewError("epoch-expired", "epoch expired for cap '"+capName+"'",
			"cap", capName, "method", method, "code", "staleEpoch")
	case code == "" && exc.TypeOf(err) == exc.Disconnected:
		return value.NewError("rpc-error", capName+"."+method+" failed: "+msg,
			"cap", capName, "method", method, "code", "unavailable")
	}
	if code == "" {
		code = strings.ToLower(exc.TypeOf(err).String())
		if e := (*exc.Exception)(nil); errors.As(err, &e) {
			detail = e.Cause.Error()
		}
	}
	return value.NewError("cap-call-failed", capName+"."+method+" failed: "+detail,
		"cap", capName, "method", method, "code", code)
}

func itoa(n int) string { return value.Repr(value.MakeInt(int64(n))) }

// Handler returns the native effect handler that serves capability calls
// as RPCs: it calls the capability the perform targeted (falling back to
// bound when the session cannot tell) and resumes with the result.
func (r *Registry) Handler(name string, bound *value.Cap, ctx func() context.Context) *value.Builtin {
	return &value.Builtin{Name: name, Fn: func(t value.Thread, args []value.Value) (value.Value, error) {
		if len(args) != 2 {
			return nil, value.ArityError(name, "2", len(args))
		}
		c := bound
		if pt, ok := t.(interface{ PerformTarget() value.Value }); ok {
			if tc, ok := pt.PerformTarget().(*value.Cap); ok {
				c = tc
			}
		}
		v, err := r.Call(ctx(), c, value.Elems(args[0]))
		if err != nil {
			return nil, err
		}
		return t.Call(args[1], []value.Value{v})
	}}
}
