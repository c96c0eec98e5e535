package eval

import (
	"path"

	"github.com/wetware/ww/lang/value"
)

// module is a loaded module: its namespace, once evaluated.
type module struct {
	ns   *Namespace
	done chan struct{}
	err  error
}

// importModule loads (or takes from the cache) the module named by p
// (spec 16.2) and returns its namespace.
func (s *Session) importModule(p string) (*Namespace, error) {
	ip := s.ip
	ip.mu.Lock()
	src, builtin := ip.builtins[p]
	natives := ip.natives[p]
	ip.mu.Unlock()
	key, file, dir := p, p, ""
	if !builtin {
		if ip.Load == nil {
			return nil, importErr("import: module not found: "+p, p)
		}
		b, f, err := ip.Load(p, s.Dir)
		if err != nil {
			if e, ok := err.(*value.Error); ok {
				return nil, e
			}
			return nil, importErr("import: module not found: "+p, p)
		}
		src, key, file, dir = string(b), f, f, path.Dir(f)
	}
	ip.mu.Lock()
	m := ip.modules[key]
	if m != nil {
		ip.mu.Unlock()
		<-m.done
		if m.err != nil {
			return nil, m.err
		}
		return m.ns, nil
	}
	m = &module{ns: NewNamespace(p), done: make(chan struct{})}
	m.ns.module = true
	ip.modules[key] = m
	ip.mu.Unlock()
	defer close(m.done)

	for _, b := range natives {
		m.ns.Define(b.Name, b)
	}
	ip.mu.Lock()
	reexports := ip.aliased[p]
	ip.mu.Unlock()
	for _, n := range reexports {
		if v, ok := ip.core.Lookup(n); ok {
			m.ns.Define(n, v.Val)
		}
	}
	ms := &Session{ip: ip, root: s.root, ns: m.ns, out: s.out, Dir: dir}
	if _, err := ms.EvalString(src, file); err != nil {
		ip.mu.Lock()
		delete(ip.modules, key)
		ip.mu.Unlock()
		m.err = importErr("import: error in "+p+": "+err.Error(), p)
		return nil, m.err
	}
	return m.ns, nil
}

func importErr(msg, p string) *value.Error {
	return value.NewError("import", msg, "module", p)
}

var (
	kwAs    = value.KW("as")
	kwRefer = value.KW("refer")
)

// builtinImport is the import function (spec 16.1).
func builtinImport(t value.Thread, args []value.Value) (value.Value, error) {
	s := t.(*Session)
	if len(args) < 1 {
		return nil, value.ArityError("import", "at least 1", len(args))
	}
	p, ok := args[0].(value.String)
	if !ok {
		return nil, value.TypeError("import", "string", args[0])
	}
	var alias string
	var refer []value.Value
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case value.Value(kwAs):
			if i+1 >= len(args) {
				return nil, value.ArgError("import", "unknown option "+value.Repr(args[i]))
			}
			i++
			switch a := args[i].(type) {
			case value.Symbol:
				alias = a.Name
			case value.String:
				alias = string(a)
			case *value.Keyword:
				alias = a.Name
			default:
				return nil, value.TypeError("import :as", "symbol", a)
			}
		case value.Value(kwRefer):
			if i+1 >= len(args) {
				return nil, value.ArgError("import", "unknown option "+value.Repr(args[i]))
			}
			i++
			if !value.IsSeqable(args[i]) {
				return nil, value.TypeError("import :refer", "sequence", args[i])
			}
			refer = value.Elems(args[i])
		default:
			return nil, value.ArgError("import", "unknown option "+value.Repr(args[i]))
		}
	}
	ns, err := s.importModule(string(p))
	if err != nil {
		return nil, err
	}
	cur := s.ns
	if alias != "" {
		cur.mu.Lock()
		cur.aliases[alias] = ns
		cur.mu.Unlock()
	}
	for _, r := range refer {
		var name string
		switch r := r.(type) {
		case value.Symbol:
			name = r.Name
		case value.String:
			name = string(r)
		case *value.Keyword:
			name = r.Name
		}
		v, ok := ns.Lookup(name)
		if !ok {
			return nil, value.NewError("import", "import: "+string(p)+" does not define "+name, "module", string(p))
		}
		cur.Define(name, v.Val)
	}
	return moduleMap(ns), nil
}

// moduleMap is the module's top-level definitions as a map of keywords.
func moduleMap(ns *Namespace) value.Value {
	m := value.EmptyMap
	for _, v := range ns.Bindings() {
		m = m.Assoc(value.KW(v.Name), v.Val)
	}
	return m
}

// DefineModule registers a built-in module whose namespace is made of
// core values (ww/core, ww/coll re-export core names); it is built on
// first import.
func (ip *Interp) DefineModule(p string, names []string) {
	ip.mu.Lock()
	ip.builtins[p] = ""
	ip.aliased[p] = names
	ip.mu.Unlock()
}
