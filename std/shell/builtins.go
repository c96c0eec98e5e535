package shell

import (
	"errors"
	"io/fs"
	"unicode/utf8"

	"github.com/wetware/ww/lang/value"
)

// builtins are the commands of Glia spec 17.2 and system design §8.4
// (exit is the core's; help, schema and doc come from the bridge).
func (sh *Shell) builtins() []*value.Builtin {
	return []*value.Builtin{
		{Name: "cd", Doc: "change the working directory", Fn: sh.builtinCd},
		{Name: "load", Doc: "the bytes of a file of the image", Fn: sh.builtinLoad},
		{Name: "caps", Doc: "the bound capability names", Fn: sh.builtinCaps},
		{Name: "epoch", Doc: "the current epoch", Fn: sh.builtinEpoch},
		{Name: "on-epoch", Doc: "call f with the new epoch after each epoch advance", Fn: sh.builtinOnEpoch},
	}
}

// pathArg accepts a string or a symbol.
func pathArg(ctx string, v value.Value) (string, error) {
	switch p := v.(type) {
	case value.String:
		return string(p), nil
	case value.Symbol:
		return p.Name, nil
	}
	return "", value.TypeError(ctx, "string or symbol", v)
}

func (sh *Shell) builtinCd(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) > 1 {
		return nil, value.ArityError("cd", "0-1", len(args))
	}
	dir := "/"
	if len(args) == 1 {
		p, err := pathArg("cd", args[0])
		if err != nil {
			return nil, err
		}
		dir = sh.resolve(p)
		if dir != "/" {
			st, err := fs.Stat(sh.fsys, fsName(dir))
			if err != nil || !st.IsDir() {
				return nil, value.NewError("io", "cd: "+p+": no such directory", "path", dir)
			}
		}
	}
	sh.stateMu.Lock()
	sh.cwd = dir
	sh.stateMu.Unlock()
	return value.Nil, nil
}

// osErr is the bare error text of an fs error ("file does not exist").
func osErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (sh *Shell) builtinLoad(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("load", "1", len(args))
	}
	p, err := pathArg("load", args[0])
	if err != nil {
		return nil, err
	}
	abs := sh.resolve(p)
	b, err := fs.ReadFile(sh.fsys, fsName(abs))
	if err != nil {
		return nil, value.NewError("io", "load: "+abs+": "+osErr(err), "path", abs)
	}
	return value.MakeBytes(b), nil
}

func (sh *Shell) builtinCaps(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 0 {
		return nil, value.ArityError("caps", "0", len(args))
	}
	sh.stateMu.Lock()
	defer sh.stateMu.Unlock()
	out := make([]value.Value, len(sh.bound))
	for i, n := range sh.bound {
		out[i] = value.Sym(n)
	}
	return value.NewVector(out...), nil
}

func (sh *Shell) builtinEpoch(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 0 {
		return nil, value.ArityError("epoch", "0", len(args))
	}
	if sh.opts.Epoch != nil {
		return sh.opts.Epoch(sh.callContext())
	}
	return value.NewMap(value.KW("seq"), value.MakeInt(0), value.KW("head"), value.Nil,
		value.KW("block"), value.MakeInt(0)), nil
}

// fsHandler serves the fs capability in-process (design §8.3): read,
// read-str, ls, stat and exists?, paths relative to the cwd, read-only.
func (sh *Shell) fsHandler(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 2 {
		return nil, value.ArityError("fs-handler", "2", len(args))
	}
	v, err := sh.fsCall(value.Elems(args[0]))
	if err != nil {
		return nil, err
	}
	return t.Call(args[1], []value.Value{v})
}

func (sh *Shell) fsCall(data []value.Value) (value.Value, error) {
	if len(data) == 0 {
		return nil, value.ArityError("fs", "at least 1", 0)
	}
	var m string
	switch k := data[0].(type) {
	case *value.Keyword:
		m = k.Name
	case value.Symbol:
		m = k.Name
	default:
		return nil, value.TypeError("fs method", "keyword or symbol", data[0])
	}
	switch m {
	case "read", "read-str", "ls", "stat", "exists?":
	default:
		return nil, value.NewError("cap-call-failed", "fs."+m+" failed: unknown method :"+m,
			"cap", "fs", "method", m, "code", "notFound")
	}
	ctx := "fs :" + m
	if len(data) != 2 {
		return nil, value.ArityError(ctx, "1", len(data)-1)
	}
	p, err := pathArg(ctx, data[1])
	if err != nil {
		return nil, err
	}
	abs := sh.resolve(p)
	name := fsName(abs)
	fail := func(err error) error {
		return value.NewError("io", "fs."+m+": "+abs+": "+osErr(err), "cap", "fs", "method", m, "path", abs)
	}
	switch m {
	case "read", "read-str":
		b, err := fs.ReadFile(sh.fsys, name)
		if err != nil {
			return nil, fail(err)
		}
		if m == "read" {
			return value.MakeBytes(b), nil
		}
		if !utf8.Valid(b) {
			return nil, value.NewError("io", "fs.read-str: "+abs+": not UTF-8", "cap", "fs", "path", abs)
		}
		return value.MakeString(string(b)), nil
	case "ls":
		ents, err := fs.ReadDir(sh.fsys, name)
		if err != nil {
			return nil, fail(err)
		}
		out := make([]value.Value, 0, len(ents))
		for _, e := range ents {
			var size int64
			if info, err := e.Info(); err == nil {
				size = info.Size()
			}
			out = append(out, value.NewMap(value.KW("name"), value.MakeString(e.Name()),
				value.KW("size"), value.MakeInt(size), value.KW("type"), fileType(e.IsDir())))
		}
		return value.NewVector(out...), nil
	case "stat":
		st, err := fs.Stat(sh.fsys, name)
		if err != nil {
			return nil, fail(err)
		}
		return value.NewMap(value.KW("size"), value.MakeInt(st.Size()), value.KW("type"), fileType(st.IsDir())), nil
	default: // exists?
		_, err := fs.Stat(sh.fsys, name)
		return value.MakeBool(err == nil), nil
	}
}

func fileType(dir bool) value.Value {
	if dir {
		return value.KW("dir")
	}
	return value.KW("file")
}

func (sh *Shell) builtinOnEpoch(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("on-epoch", "1", len(args))
	}
	sh.stateMu.Lock()
	sh.hooks = append(sh.hooks, args[0])
	sh.stateMu.Unlock()
	return value.Nil, nil
}

// EpochAdvanced runs the (on-epoch f) hooks with epoch (an (epoch) map),
// each as a wrapped top-level form (f epoch), after the capabilities were
// rebound; it returns the hooks' errors. Hook output goes to Options.Out.
func (sh *Shell) EpochAdvanced(epoch value.Value) []error {
	sh.stateMu.Lock()
	hooks := append([]value.Value(nil), sh.hooks...)
	sh.stateMu.Unlock()
	var errs []error
	for _, f := range hooks {
		form := value.NewList(f, value.NewList(value.Sym("quote"), epoch))
		if _, err := sh.EvalForm(form); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
