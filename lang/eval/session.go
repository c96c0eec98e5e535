package eval

import (
	"bytes"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wetware/ww/lang/value"
)

// Namespace is a table of global variables: the session root, a module's
// namespace or the core layer.
type Namespace struct {
	Name  string
	mu    sync.Mutex
	vars  map[string]*Var
	order []*Var // definition order
	// aliases maps an import alias to the module namespace (spec 16.1).
	aliases map[string]*Namespace
	// module is true for module namespaces (capability fallback, 5.3 step 5).
	module bool
	// lazy holds definitions evaluated when their name is first looked up.
	lazy map[string]func()
}

// Var is a global binding. It exists unbound when code refers to a name
// before it is defined.
type Var struct {
	Name  string
	Val   value.Value
	Bound bool
	seq   int // definition order
}

// NewNamespace returns an empty namespace.
func NewNamespace(name string) *Namespace {
	return &Namespace{Name: name, vars: map[string]*Var{}, aliases: map[string]*Namespace{}}
}

// intern returns the namespace's variable for name, creating it unbound.
func (ns *Namespace) intern(name string) *Var {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	v := ns.vars[name]
	if v == nil {
		v = &Var{Name: name}
		ns.vars[name] = v
	}
	return v
}

// Lookup returns the bound variable for name, if any.
func (ns *Namespace) Lookup(name string) (*Var, bool) {
	ns.mu.Lock()
	v := ns.vars[name]
	load := ns.lazy[name]
	ns.mu.Unlock()
	if load != nil && (v == nil || !v.Bound) {
		load()
		ns.mu.Lock()
		v = ns.vars[name]
		ns.mu.Unlock()
	}
	return v, v != nil && v.Bound
}

// DefineLazy arranges for load to run, once, when name is first looked up;
// load is expected to define name. Startup then pays only for what a
// program uses.
func (ns *Namespace) DefineLazy(name string, load func()) {
	var once sync.Once
	ns.mu.Lock()
	if ns.lazy == nil {
		ns.lazy = map[string]func(){}
	}
	ns.lazy[name] = func() { once.Do(load) }
	ns.mu.Unlock()
}

// Define binds name to val.
func (ns *Namespace) Define(name string, val value.Value) *Var {
	v := ns.intern(name)
	ns.mu.Lock()
	if !v.Bound {
		v.Bound = true
		ns.order = append(ns.order, v)
		v.seq = len(ns.order)
	}
	v.Val = val
	ns.mu.Unlock()
	return v
}

// Bindings returns the bound variables in definition order.
func (ns *Namespace) Bindings() []*Var {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	out := make([]*Var, 0, len(ns.order))
	for _, v := range ns.order {
		if v.Bound {
			out = append(out, v)
		}
	}
	return out
}

// Names returns the bound names and those defined lazily, sorted.
func (ns *Namespace) Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range ns.Bindings() {
		seen[v.Name] = true
		out = append(out, v.Name)
	}
	ns.mu.Lock()
	for n := range ns.lazy {
		if !seen[n] {
			out = append(out, n)
		}
	}
	ns.mu.Unlock()
	sort.Strings(out)
	return out
}

// Aliases returns the module aliases registered in the namespace.
func (ns *Namespace) Aliases() map[string]*Namespace {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	out := make(map[string]*Namespace, len(ns.aliases))
	for k, v := range ns.aliases {
		out[k] = v
	}
	return out
}

// Interp is what sessions of one process share: the core layer, the module
// loader and the module cache.
type Interp struct {
	core *Namespace
	// Read turns source text into forms (the reader); injected so that the
	// evaluator does not depend on a particular reader.
	Read func(src, file string) ([]value.Value, error)
	// ReadOne reads the first form of src (read-string).
	ReadOne func(src, file string) (value.Value, error)
	// NextID returns the next number of the process-wide gensym counter.
	NextID func() int64
	// Load finds a module that is not built in (spec 16.2); nil means no
	// file modules. dir is the importing file's directory ("" for -e/stdin).
	Load func(path, dir string) (src []byte, file string, err error)

	mu       sync.Mutex
	builtins map[string]string // built-in module sources by path (ww/...)
	natives  map[string][]*value.Builtin
	modules  map[string]*module
	aliased  map[string][]string // modules that re-export core names
	lazyErrs []error
}

// NewInterp returns an interpreter with an empty core layer.
func NewInterp() *Interp {
	ip := &Interp{
		core:     NewNamespace("core"),
		builtins: map[string]string{},
		natives:  map[string][]*value.Builtin{},
		modules:  map[string]*module{},
		aliased:  map[string][]string{},
	}
	installSpecialBuiltins(ip)
	return ip
}

// Core returns the core layer.
func (ip *Interp) Core() *Namespace { return ip.core }

// DefineCore binds a name in the core layer.
func (ip *Interp) DefineCore(name string, v value.Value) { ip.core.Define(name, v) }

// AddModule registers a built-in module: Glia source evaluated on first
// import after the natives are defined in its namespace.
func (ip *Interp) AddModule(path, src string, natives []*value.Builtin) {
	ip.mu.Lock()
	defer ip.mu.Unlock()
	ip.builtins[path] = src
	ip.natives[path] = natives
}

// DefineCoreLazy registers a core definition whose source is evaluated
// when name is first looked up. line is where src starts in file, so that
// positions stay right.
func (ip *Interp) DefineCoreLazy(name, src, file string, line int) {
	ip.core.DefineLazy(name, func() {
		s := ip.NewSession()
		s.ns = ip.core
		if _, err := s.EvalString(strings.Repeat("\n", line-1)+src, file); err != nil {
			ip.mu.Lock()
			ip.lazyErrs = append(ip.lazyErrs, err)
			ip.mu.Unlock()
		}
	})
}

// LazyErrors returns the errors of lazily evaluated core definitions (a
// defect in the prelude); tests check that there are none.
func (ip *Interp) LazyErrors() []error {
	ip.mu.Lock()
	defer ip.mu.Unlock()
	return append([]error(nil), ip.lazyErrs...)
}

// Session is one evaluation context: a root namespace, a handler stack, an
// output writer and the evaluator's stacks. A session evaluates one form at
// a time; it implements value.Thread for native functions.
type Session struct {
	ip   *Interp
	root *Namespace
	ns   *Namespace // namespace that analysis defines into

	handlers *hframe
	target   value.Value // of the perform whose handler runs
	depth    int
	out      io.Writer
	outStack []io.Writer

	vs   vstack
	ints value.IntBox

	// Dir is the directory relative imports resolve against.
	Dir string
	// UnboundCall, when set, is consulted for a call whose head is an
	// unbound symbol (shell sessions' PATH lookup, spec 17.3).
	UnboundCall func(s *Session, name string, args []value.Value) (value.Value, bool, error)
	// Tick, when set, is called every 4096 loop iterations and tail calls,
	// where the evaluator also checks for an interrupt. A host without
	// preemption (a wasip1 guest) uses it to let its other goroutines run,
	// so that the request to interrupt can arrive at all.
	Tick func()

	frames []*frame
	fp     int
	stop   atomic.Bool
	ticks  uint32
}

const maxDepth = 10000

// NewSession returns a plain session over the interpreter's core layer.
func (ip *Interp) NewSession() *Session {
	s := &Session{ip: ip, root: NewNamespace("user"), out: io.Discard}
	s.ns = s.root
	return s
}

// Root returns the session's root namespace.
func (s *Session) Root() *Namespace { return s.root }

// Interp returns the interpreter the session belongs to.
func (s *Session) Interp() *Interp { return s.ip }

// SetOutput sets the session's standard output.
func (s *Session) SetOutput(w io.Writer) { s.out = w }

// Out implements value.Thread.
func (s *Session) Out() io.Writer { return s.out }

// Define binds name in the session root.
func (s *Session) Define(name string, v value.Value) { s.root.Define(name, v) }

// Interrupt asks the running evaluation to stop with an error; it is safe
// to call from another goroutine.
func (s *Session) Interrupt() { s.stop.Store(true) }

// ExitError reports (exit n).
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return "exit" }

// EvalString reads src completely and evaluates its forms in order as
// top-level forms, returning the last value.
func (s *Session) EvalString(src, file string) (value.Value, error) {
	forms, err := s.ip.Read(src, file)
	if err != nil {
		return value.Nil, err
	}
	return s.EvalForms(forms)
}

// EvalForms evaluates forms in order as top-level forms.
func (s *Session) EvalForms(forms []value.Value) (value.Value, error) {
	var last value.Value = value.Nil
	for _, f := range forms {
		v, err := s.EvalTop(f)
		if err != nil {
			return value.Nil, err
		}
		last = v
	}
	return last, nil
}

// EvalTop evaluates one top-level form (spec 1.3).
func (s *Session) EvalTop(form value.Value) (value.Value, error) {
	if l, ok := form.(*value.List); ok && l.Count() > 0 {
		if sym, ok := l.First().(value.Symbol); ok && sym.Name == "do" {
			var last value.Value = value.Nil
			for c := l.Rest(); c.Count() > 0; c = c.Rest() {
				v, err := s.EvalTop(c.First())
				if err != nil {
					return value.Nil, err
				}
				last = v
			}
			return last, nil
		}
	}
	s.stop.Store(false)
	c, nslots, err := s.analyzeTop(form)
	if err == nil {
		var v value.Value
		if v, err = s.run(c, nslots); err == nil {
			return v, nil
		}
	}
	if e, ok := err.(*value.Error); ok && e.Pos == nil {
		e.Pos = value.PosOf(form)
	}
	return value.Nil, err
}

func (s *Session) run(c code, nslots int) (value.Value, error) {
	base := s.vs.mark()
	fr := s.pushFrame(s.vs.alloc(nslots), nil)
	v, err := c(fr)
	s.fp--
	s.vs.release(base)
	if err != nil {
		return value.Nil, s.finish(err)
	}
	return v, nil
}

// finish turns whatever escaped a top-level form into the error reported.
func (s *Session) finish(err error) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee
	}
	switch e := err.(type) {
	case *value.Error:
		return e
	case *unwind:
		return value.Errorf("internal", "internal error in effects: escaped unwind")
	case *resumeSig:
		return value.Errorf("continuation", "continuation no longer active")
	}
	return err
}

// Capture redirects the session's output while f runs and returns what
// was written (with-out-str).
func (s *Session) Capture(f func() (value.Value, error)) (string, value.Value, error) {
	var buf bytes.Buffer
	prev := s.out
	s.out = &buf
	v, err := f()
	s.out = prev
	return buf.String(), v, err
}

// stopped reports whether the evaluation was interrupted. It runs Tick
// every 4096 calls.
func (s *Session) stopped() bool {
	if s.ticks++; s.ticks&0xfff == 0 && s.Tick != nil {
		s.Tick()
	}
	return s.stop.Load()
}
