// Package shell implements Wetware's shell sessions (Glia spec 17, system
// design §8): a Glia session holding the node's capabilities as values,
// one <name>-handler per capability, the built-ins cd, load, caps, epoch,
// help, schema and doc, a read-only fs capability served in-process over
// an fs.FS, PATH lookup of unbound command heads, per-form handler
// wrapping, the init.d runner and a Cap'n Proto Shell server.
//
// The package builds for the host and for GOOS=wasip1: the kernel (pid0,
// std/kernel) uses it inside the guest, tests drive it on the host.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"capnproto.org/go/capnp/v3"

	"github.com/wetware/ww/capnp/bridge"
	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/stdlib"
)

// Caps are the Cap'n Proto capabilities a shell binds. Invalid (null)
// clients are left unbound. The shell does not take ownership: the caller
// releases them.
type Caps struct {
	Host     system.Host
	Executor system.Executor
	IPFS     ipfs.Client
	Routing  routing.Routing
	Identity stem.Identity
}

// Options configure a shell.
type Options struct {
	// FS is the guest filesystem (the image) that fs, load, cd and PATH
	// lookup see; nil is an empty one.
	FS fs.FS
	// Path is the PATH variable (':'-separated); "" means /bin.
	Path string
	// Out receives output printed outside Eval (init.d); nil discards it.
	Out io.Writer
	// Log receives init.d error lines; nil means os.Stderr.
	Log io.Writer
	// Context is the base context of capability calls outside Eval (init.d);
	// nil means context.Background().
	Context context.Context
	// Epoch answers (epoch); nil answers {:seq 0 :head nil :block 0}.
	Epoch func(ctx context.Context) (value.Value, error)
}

// FSSchema is the schema identity of the in-guest fs capability.
const FSSchema = "wetware/fs/v1"

// capOrder is the binding (and wrapping) order of Glia spec 17.1.
var capOrder = []string{"host", "executor", "ipfs", "routing", "identity", "fs"}

// Shell is a shell session. It evaluates one submission at a time.
type Shell struct {
	mu   sync.Mutex // held during evaluation
	sess *eval.Session
	reg  *bridge.Registry
	fsys fs.FS
	opts Options

	stateMu sync.Mutex
	cwd     string
	ctx     context.Context // of the running evaluation
	caps    Caps
	bound   []string // bound capability names, in capOrder
	// ranForeground is set when an (executor run …) finished (batch
	// images, Glia spec 18 step 4).
	ranForeground bool
	// allow holds the grants of a fork (nil: everything).
	allow map[string]map[string]bool
	forks []*Shell
	hooks []value.Value // (on-epoch f)

	loadHandler value.Value    // the :load layer's handler form
	derived     []derivedLayer // handlers of returned capabilities (swarm.go)
}

// New returns a root shell session holding caps.
func New(caps Caps, opts Options) (*Shell, error) {
	reg, err := bridge.NewRegistry()
	if err != nil {
		return nil, err
	}
	surface(reg)
	ip, err := stdlib.NewInterp(stdlib.Options{})
	if err != nil {
		return nil, err
	}
	if opts.FS == nil {
		opts.FS = emptyFS{}
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	if opts.Path == "" {
		opts.Path = "/bin"
	}
	sh := &Shell{reg: reg, fsys: opts.FS, opts: opts, cwd: "/"}
	sh.sess = stdlib.NewSession(ip, opts.Out, nil)
	sh.sess.UnboundCall = sh.unboundCall
	sh.sess.Tick = tick()
	lh, err := ip.ReadOne(`(fn [path resume] (resume (load path)))`, "<shell>")
	if err != nil {
		return nil, err
	}
	sh.loadHandler = lh
	if err := sh.derivedLayers(); err != nil {
		return nil, err
	}
	for _, b := range bridge.Builtins() {
		sh.sess.Define(b.Name, b)
	}
	for _, b := range sh.builtins() {
		sh.sess.Define(b.Name, b)
	}
	if err := sh.bind(caps); err != nil {
		return nil, err
	}
	return sh, nil
}

// Session returns the underlying Glia session.
func (sh *Shell) Session() *eval.Session { return sh.sess }

// Bind rebinds the capability values and their handlers, e.g. after a
// re-graft (design §7.4); it waits for a running evaluation to finish.
// The fs capability is always bound.
func (sh *Shell) Bind(caps Caps) error {
	sh.mu.Lock()
	err := sh.bind(caps)
	sh.mu.Unlock()
	if err != nil {
		return err
	}
	sh.stateMu.Lock()
	forks := append([]*Shell(nil), sh.forks...)
	sh.stateMu.Unlock()
	for _, f := range forks {
		if err := f.Bind(caps); err != nil {
			return err
		}
	}
	return nil
}

func (sh *Shell) bind(caps Caps) error {
	clients := map[string]struct {
		c  capnp.Client
		id uint64
	}{
		"host":     {capnp.Client(caps.Host), system.Host_TypeID},
		"executor": {capnp.Client(caps.Executor), system.Executor_TypeID},
		"ipfs":     {capnp.Client(caps.IPFS), ipfs.Client_TypeID},
		"routing":  {capnp.Client(caps.Routing), routing.Routing_TypeID},
		"identity": {capnp.Client(caps.Identity), stem.Identity_TypeID},
	}
	var bound []string
	for _, name := range capOrder {
		if !sh.granted(name) {
			clients[name] = struct {
				c  capnp.Client
				id uint64
			}{}
			switch name { // a fork of this session cannot regain it
			case "host":
				caps.Host = system.Host{}
			case "executor":
				caps.Executor = system.Executor{}
			case "ipfs":
				caps.IPFS = ipfs.Client{}
			case "routing":
				caps.Routing = routing.Routing{}
			case "identity":
				caps.Identity = stem.Identity{}
			}
			continue
		}
		if name == "fs" {
			c := &value.Cap{Name: "fs", Schema: FSSchema, Impl: sh}
			sh.sess.Define("fs", c)
			sh.sess.Define("fs-handler", sh.restrict("fs", &value.Builtin{Name: "fs-handler", Fn: sh.fsHandler}))
			bound = append(bound, name)
			continue
		}
		cl := clients[name]
		if !cl.c.IsValid() {
			continue
		}
		// The value holds its own reference, released once the value is
		// unreachable: a value captured before a re-graft must keep failing
		// with staleEpoch (design §7.4), not as a released client.
		ref := cl.c.AddRef()
		v, err := sh.reg.NewCap(name, ref, cl.id)
		if err != nil {
			ref.Release()
			return fmt.Errorf("shell: bind %s: %w", name, err)
		}
		runtime.AddCleanup(v, capnp.Client.Release, ref)
		sh.sess.Define(name, v)
		h := shimHandler(sh.reg.Handler(name+"-handler", v, sh.callContext), sh.shims(name))
		sh.sess.Define(name+"-handler", sh.restrict(name, h))
		bound = append(bound, name)
	}
	sh.stateMu.Lock()
	sh.caps = caps
	sh.bound = bound
	sh.stateMu.Unlock()
	return nil
}

// callContext is the context of capability calls: the running Eval's, or
// the base context.
func (sh *Shell) callContext() context.Context {
	sh.stateMu.Lock()
	defer sh.stateMu.Unlock()
	if sh.ctx != nil {
		return sh.ctx
	}
	return sh.opts.Context
}

// Cwd returns the session's working directory.
func (sh *Shell) Cwd() string {
	sh.stateMu.Lock()
	defer sh.stateMu.Unlock()
	return sh.cwd
}

// resolve turns p into an absolute, clean path against the cwd.
func (sh *Shell) resolve(p string) string {
	if !path.IsAbs(p) {
		p = path.Join(sh.Cwd(), p)
	}
	return path.Clean(p)
}

// fsName turns an absolute path into an fs.FS name.
func fsName(abs string) string {
	if abs == "/" {
		return "."
	}
	return strings.TrimPrefix(abs, "/")
}

// Complete returns the bound names starting with prefix, sorted.
func (sh *Shell) Complete(prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, ns := range []*eval.Namespace{sh.sess.Root(), sh.sess.Interp().Core()} {
		for _, n := range ns.Names() {
			if strings.HasPrefix(n, prefix) && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Result is the outcome of Eval.
type Result struct {
	// Output is what the submission printed followed by each non-nil
	// value's printed form on its own line; on error it ends with the
	// error's one-line rendering "[tag] message".
	Output   string
	IsError  bool
	Exited   bool
	ExitCode int
}

// Eval evaluates every form of text in order, stopping at the first error
// or (exit). Cancelling ctx interrupts the evaluation.
func (sh *Shell) Eval(ctx context.Context, text string, printNil bool) Result {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var buf strings.Builder
	var res Result
	forms, err := sh.sess.Interp().Read(text, "<shell>")
	if err != nil {
		res.Output, res.IsError = err.Error(), true
		return res
	}
	sh.stateMu.Lock()
	sh.ctx = ctx
	sh.stateMu.Unlock()
	sh.sess.SetOutput(&buf)
	finished, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		sh.interruptOnCancel(ctx, finished)
		close(stopped)
	}()
	defer func() {
		close(finished)
		<-stopped
		if ctx.Err() != nil {
			_, _ = sh.sess.EvalTop(value.Nil) // clears a pending interrupt
		}
		sh.sess.SetOutput(sh.opts.Out)
		sh.stateMu.Lock()
		sh.ctx = nil
		sh.stateMu.Unlock()
	}()
	newline := func() {
		if s := buf.String(); s != "" && !strings.HasSuffix(s, "\n") {
			buf.WriteByte('\n')
		}
	}
	for _, f := range forms {
		var v value.Value
		err := ctx.Err()
		if err != nil {
			err = value.NewError("interrupted", "interrupted")
		} else {
			v, err = sh.evalForm(f)
		}
		if err != nil {
			var ee *eval.ExitError
			if errors.As(err, &ee) {
				res.Exited, res.ExitCode = true, ee.Code
				break
			}
			newline()
			buf.WriteString(err.Error())
			res.IsError = true
			if e, ok := err.(*value.Error); ok {
				sh.sess.Define("*e", e.Val)
			}
			break
		}
		sh.remember(v)
		if v == nil || v == value.Nil {
			if !printNil {
				continue
			}
			v = value.Nil
		}
		newline()
		buf.WriteString(value.Repr(v))
		buf.WriteByte('\n')
	}
	res.Output = buf.String()
	return res
}

// remember shifts *1 *2 *3 (Glia spec 17.5, 19.4).
func (sh *Shell) remember(v value.Value) {
	if v == nil {
		v = value.Nil
	}
	root := sh.sess.Root()
	get := func(n string) value.Value {
		if x, ok := root.Lookup(n); ok {
			return x.Val
		}
		return value.Nil
	}
	sh.sess.Define("*3", get("*2"))
	sh.sess.Define("*2", get("*1"))
	sh.sess.Define("*1", v)
}

// interruptOnCancel interrupts the session once ctx ends, and again every
// few milliseconds until finished closes (each top-level form clears the
// interrupt flag when it starts).
func (sh *Shell) interruptOnCancel(ctx context.Context, finished <-chan struct{}) {
	select {
	case <-finished:
		return
	case <-ctx.Done():
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		sh.sess.Interrupt()
		select {
		case <-finished:
			return
		case <-t.C:
		}
	}
}

// EvalForm evaluates one top-level form wrapped in the capability handlers
// (Glia spec 17.4), output going to the session's current output.
func (sh *Shell) EvalForm(form value.Value) (value.Value, error) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.evalForm(form)
}

var (
	symWEH  = value.Sym("with-effect-handler")
	symDo   = value.Sym("do")
	kwLoad  = value.KW("load")
	symMacx = "macroexpand"
)

// evalForm expands form, splits a top-level do and runs each part inside
// the handler layers, resolved by name when it runs.
func (sh *Shell) evalForm(form value.Value) (value.Value, error) {
	pos := value.PosOf(form)
	if mx, ok := sh.sess.Interp().Core().Lookup(symMacx); ok {
		exp, err := sh.sess.Call(mx.Val, []value.Value{form})
		if err != nil {
			return value.Nil, withPos(err, pos)
		}
		form = exp
	}
	if l, ok := form.(*value.List); ok && l.Count() > 0 {
		if s, ok := l.First().(value.Symbol); ok && s.Name == symDo.Name {
			var last value.Value = value.Nil
			for c := l.Rest(); c.Count() > 0; c = c.Rest() {
				v, err := sh.evalForm(c.First())
				if err != nil {
					return value.Nil, err
				}
				last = v
			}
			return last, nil
		}
	}
	wrapped := value.NewListPos([]value.Value{symWEH, kwLoad, sh.loadHandler, form}, pos)
	wrapped = sh.streamLayers(wrapped, pos)
	sh.stateMu.Lock()
	bound := append([]string(nil), sh.bound...)
	sh.stateMu.Unlock()
	for i := len(bound) - 1; i >= 0; i-- {
		wrapped = value.NewListPos([]value.Value{symWEH, value.Sym(bound[i]), value.Sym(bound[i] + "-handler"), wrapped}, pos)
	}
	v, err := sh.sess.EvalTop(wrapped)
	return v, withPos(err, pos)
}

func withPos(err error, pos *value.Pos) error {
	if e, ok := err.(*value.Error); ok && e.Pos == nil && pos != nil {
		e.Pos = pos
	}
	return err
}

// emptyFS has no files.
type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
