package shell

import (
	"capnproto.org/go/capnp/v3"

	"github.com/wetware/ww/capnp/bridge"
	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/lang/value"
)

// A shim serves one method of a capability's Glia surface (design §8.3)
// in the shell instead of as a single schema call: target is the
// capability the perform named, args the method's arguments.
type shim func(t value.Thread, target *value.Cap, args []value.Value) (value.Value, error)

// shims returns the methods of capability name that the shell serves
// itself, or nil. Every other method goes to the bridge's handler.
func (sh *Shell) shims(name string) map[string]shim {
	switch name {
	case "executor":
		// A foreground runBytes whose stdout goes to the session output,
		// returning the exit code.
		return map[string]shim{
			"run": func(t value.Thread, c *value.Cap, args []value.Value) (value.Value, error) {
				return sh.execRun(t, system.Executor(client(c)), args)
			},
		}
	case "ipfs":
		m := map[string]shim{}
		for _, method := range []string{"cat", "ls", "add", "resolve"} {
			m[method] = func(_ value.Thread, c *value.Cap, args []value.Value) (value.Value, error) {
				return ipfsCall(sh.callContext(), ipfs.Client(client(c)), method, args)
			}
		}
		return m
	case "host":
		return map[string]shim{"listen": sh.hostListen, "dial": sh.hostDial}
	case "routing":
		return map[string]shim{"find": sh.routingFind, "provide": sh.routingProvide}
	case "stream":
		return map[string]shim{"read": sh.streamRead, "read-all": sh.streamReadAll}
	}
	return nil
}

// shimHandler serves the methods in shims itself and passes the rest to
// next (the handler is next itself when there are no shims).
func shimHandler(next *value.Builtin, shims map[string]shim) *value.Builtin {
	if len(shims) == 0 {
		return next
	}
	return &value.Builtin{Name: next.Name, Fn: func(t value.Thread, args []value.Value) (value.Value, error) {
		if len(args) != 2 {
			return next.Fn(t, args)
		}
		data := value.Elems(args[0])
		if len(data) == 0 {
			return next.Fn(t, args)
		}
		var f shim
		for m, s := range shims {
			if isMethod(data[0], m) {
				f = s
				break
			}
		}
		target := performTarget(t)
		if f == nil || target == nil {
			return next.Fn(t, args)
		}
		v, err := f(t, target, data[1:])
		if err != nil {
			return nil, err
		}
		return t.Call(args[1], []value.Value{v})
	}}
}

// performTarget is the bridged capability the running perform targeted,
// or nil.
func performTarget(t value.Thread) *value.Cap {
	if pt, ok := t.(interface{ PerformTarget() value.Value }); ok {
		if c, ok := pt.PerformTarget().(*value.Cap); ok {
			if _, ok := c.Impl.(*bridge.Ref); ok {
				return c
			}
		}
	}
	return nil
}

// client is the Cap'n Proto client behind a capability that
// performTarget returned.
func client(c *value.Cap) capnp.Client { return c.Impl.(*bridge.Ref).Client }
