package shell

import (
	"fmt"
	"io"
	"strings"

	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/stdlib"
)

// Fork returns a new session for a remote or MCP login (design §8.5,
// §6.5). It starts with a snapshot of the parent's definitions (later
// ones are not seen), its own working directory (starting at /) and only
// the granted capabilities: "<cap>" grants a capability, "<cap>:<method>"
// only that method of it; no grants means all the parent holds. A fork
// never holds more than its parent. (exit n) in a fork ends only that
// session. Forks are rebound when their parent is.
func (sh *Shell) Fork(grants []string) (*Shell, error) {
	allow, err := parseGrants(grants)
	if err != nil {
		return nil, err
	}
	allow = narrow(sh.allow, allow)
	sh.stateMu.Lock()
	caps := sh.caps
	sh.stateMu.Unlock()
	opts := sh.opts
	opts.Out = io.Discard
	child := &Shell{reg: sh.reg, fsys: sh.fsys, opts: opts, cwd: "/", loadHandler: sh.loadHandler, allow: allow}
	child.sess = stdlib.NewSession(sh.sess.Interp(), io.Discard, nil)
	child.sess.UnboundCall = child.unboundCall
	child.sess.Tick = tick()
	if err := child.derivedLayers(); err != nil {
		return nil, err
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	skip := map[string]bool{}
	for _, n := range capOrder {
		skip[n], skip[n+"-handler"] = true, true
	}
	for _, v := range sh.sess.Root().Bindings() {
		if !skip[v.Name] {
			child.sess.Define(v.Name, v.Val)
		}
	}
	for _, b := range child.builtins() {
		child.sess.Define(b.Name, b)
	}
	if err := child.bind(caps); err != nil {
		return nil, err
	}
	sh.stateMu.Lock()
	sh.forks = append(sh.forks, child)
	sh.stateMu.Unlock()
	return child, nil
}

// dropFork forgets child: it is no longer rebound after a re-graft.
func (sh *Shell) dropFork(child *Shell) {
	sh.stateMu.Lock()
	defer sh.stateMu.Unlock()
	for i, f := range sh.forks {
		if f == child {
			sh.forks = append(sh.forks[:i], sh.forks[i+1:]...)
			return
		}
	}
}

// parseGrants maps each granted capability to its granted methods (nil:
// all); no grants is nil (everything).
func parseGrants(grants []string) (map[string]map[string]bool, error) {
	if len(grants) == 0 {
		return nil, nil
	}
	known := map[string]bool{}
	for _, n := range capOrder {
		known[n] = true
	}
	allow := map[string]map[string]bool{}
	whole := map[string]bool{}
	for _, g := range grants {
		name, method, hasMethod := strings.Cut(g, ":")
		if !known[name] || (hasMethod && method == "") {
			return nil, fmt.Errorf("invalidArgument: unknown grant %q", g)
		}
		if !hasMethod {
			whole[name] = true
			allow[name] = nil
			continue
		}
		if whole[name] {
			continue
		}
		if allow[name] == nil {
			allow[name] = map[string]bool{}
		}
		allow[name][method] = true
	}
	return allow, nil
}

// narrow limits a fork's grants (nil: everything) to its parent's.
func narrow(parent, child map[string]map[string]bool) map[string]map[string]bool {
	if parent == nil {
		return child
	}
	if child == nil {
		return parent
	}
	out := map[string]map[string]bool{}
	for name, methods := range child {
		pm, ok := parent[name]
		if !ok {
			continue
		}
		switch {
		case pm == nil:
			out[name] = methods
		case methods == nil:
			out[name] = pm
		default:
			m := map[string]bool{}
			for k := range methods {
				if pm[k] {
					m[k] = true
				}
			}
			out[name] = m
		}
	}
	return out
}

// granted reports whether capability name is bound in this session.
func (sh *Shell) granted(name string) bool {
	if sh.allow == nil {
		return true
	}
	_, ok := sh.allow[name]
	return ok
}

// restrict wraps a handler so that only the granted methods pass.
func (sh *Shell) restrict(name string, h *value.Builtin) *value.Builtin {
	methods := sh.allow[name]
	if methods == nil {
		return h
	}
	return &value.Builtin{Name: h.Name, Fn: func(t value.Thread, args []value.Value) (value.Value, error) {
		if len(args) == 2 {
			if data := value.Elems(args[0]); len(data) > 0 {
				m := ""
				switch k := data[0].(type) {
				case *value.Keyword:
					m = k.Name
				case value.Symbol:
					m = k.Name
				}
				if !methods[m] {
					return nil, value.NewError("permission-denied", "permission denied: "+name+"."+m+" not granted",
						"cap", name, "method", m)
				}
			}
		}
		return h.Fn(t, args)
	}}
}
