package shell

import (
	"context"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/value"
)

// readChunk is the ByteStream.read size used to copy a child's stdout.
const readChunk = 64 << 10

// unboundCall is PATH lookup (Glia spec 17.3): args are already evaluated.
func (sh *Shell) unboundCall(s *eval.Session, name string, args []value.Value) (value.Value, bool, error) {
	argv := make([]string, 0, len(args)+1)
	argv = append(argv, name)
	for _, a := range args {
		if str, ok := a.(value.String); ok {
			argv = append(argv, string(str))
		} else {
			argv = append(argv, value.Repr(a))
		}
	}
	wasm, ok := sh.lookPath(name)
	if !ok {
		return nil, false, value.NewError("command-not-found", name+": command not found", "command", name)
	}
	code, err := sh.runCommand(s, runSpec{wasm: wasm, argv: argv})
	if err != nil {
		return nil, false, err
	}
	if code != 0 {
		return nil, false, value.NewError("command-failed", name+": exit code "+strconv.Itoa(int(code)),
			"command", name, "exit", int64(code))
	}
	return value.Nil, true, nil
}

// lookPath finds <dir>/<cmd>.wasm, then <dir>/<cmd>/main.wasm, in each
// PATH directory (relative ones against the cwd).
func (sh *Shell) lookPath(cmd string) ([]byte, bool) {
	if cmd == "" || strings.Contains(cmd, "/") {
		return nil, false
	}
	for _, dir := range strings.Split(sh.opts.Path, ":") {
		if dir == "" {
			continue
		}
		dir = sh.resolve(dir)
		for _, p := range []string{path.Join(dir, cmd+".wasm"), path.Join(dir, cmd, "main.wasm")} {
			if b, err := fs.ReadFile(sh.fsys, fsName(p)); err == nil {
				return b, true
			}
		}
	}
	return nil, false
}

// runSpec is a foreground run.
type runSpec struct {
	exec     system.Executor // null: the bound executor
	wasm     []byte
	argv     []string
	env      []string
	stdin    []byte
	memory   uint64
	timeoutM uint64
}

// runCommand spawns a process through the executor, writes spec.stdin to
// it and closes its stdin, copies its stdout to the session output as it
// arrives and returns its exit code.
func (sh *Shell) runCommand(s value.Thread, spec runSpec) (int32, error) {
	exec := spec.exec
	wasm, argv := spec.wasm, spec.argv
	cmd := argv[0]
	if !exec.IsValid() {
		// PATH commands need the executor with a run grant.
		if m, ok := sh.allow["executor"]; sh.allow != nil && (!ok || m != nil && !m["run"] && !m["run-bytes"]) {
			return 0, value.NewError("permission-denied", "permission denied: "+cmd+": executor.run not granted", "command", cmd)
		}
		sh.stateMu.Lock()
		exec = sh.caps.Executor
		sh.stateMu.Unlock()
	}
	failed := func(err error) error {
		return value.NewError("cap-call-failed", "executor.run-bytes failed: "+err.Error(),
			"cap", "executor", "method", "run-bytes", "command", cmd, "code", errCode(err))
	}
	if !exec.IsValid() {
		return 0, value.NewError("cap-call-failed", cmd+": no executor capability", "command", cmd)
	}
	ctx, cancel := context.WithCancel(sh.callContext())
	defer cancel()
	f, release := exec.RunBytes(ctx, func(p system.Executor_runBytes_Params) error {
		if err := p.SetWasm(wasm); err != nil {
			return err
		}
		l, err := p.NewArgs(int32(len(argv)))
		if err != nil {
			return err
		}
		for i, a := range argv {
			if err := l.Set(i, a); err != nil {
				return err
			}
		}
		if len(spec.env) > 0 {
			el, err := p.NewEnv(int32(len(spec.env)))
			if err != nil {
				return err
			}
			for i, kv := range spec.env {
				if err := el.Set(i, kv); err != nil {
					return err
				}
			}
		}
		if spec.memory != 0 || spec.timeoutM != 0 {
			lim, err := p.NewLimits()
			if err != nil {
				return err
			}
			lim.SetMemoryBytes(spec.memory)
			lim.SetTimeoutMillis(spec.timeoutM)
		}
		return nil
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return 0, failed(err)
	}
	proc := res.Process().AddRef()
	defer proc.Release()
	finished := false
	defer func() {
		if !finished { // an error or a cancellation: kill the foreground child
			kf, kr := proc.Kill(context.Background(), nil)
			_, _ = kf.Struct()
			kr()
		}
	}()
	// stdin: spec.stdin, then closed.
	inF, inRel := proc.Stdin(ctx, nil)
	in := inF.Stream()
	if len(spec.stdin) > 0 {
		wf, wr := in.Write(ctx, func(p system.ByteStream_write_Params) error { return p.SetData(spec.stdin) })
		_, werr := wf.Struct()
		wr()
		if werr != nil {
			inRel()
			return 0, failed(werr)
		}
	}
	cf, cr := in.Close(ctx, nil)
	_, _ = cf.Struct()
	cr()
	inRel()
	// stdout copied as it arrives.
	outF, outRel := proc.Stdout(ctx, nil)
	out := outF.Stream().AddRef()
	outRel()
	defer out.Release()
	for {
		rf, rr := out.Read(ctx, func(p system.ByteStream_read_Params) error {
			p.SetMaxBytes(readChunk)
			return nil
		})
		r, err := rf.Struct()
		if err != nil {
			rr()
			if errCode(err) == "deadlineExceeded" {
				continue
			}
			return 0, failed(err)
		}
		data, _ := r.Data()
		if len(data) == 0 {
			rr()
			break
		}
		_, werr := s.Out().Write(data)
		rr()
		if werr != nil {
			return 0, werr
		}
	}
	for {
		wf, wr := proc.Wait(ctx, nil)
		w, err := wf.Struct()
		if err != nil {
			wr()
			if errCode(err) == "deadlineExceeded" && ctx.Err() == nil {
				continue
			}
			return 0, failed(err)
		}
		code := w.ExitCode()
		wr()
		finished = true
		return code, nil
	}
}

// errCode extracts the catalogue code of an RPC error, or "internal".
func errCode(err error) string {
	msg := err.Error()
	for _, c := range []string{"staleEpoch", "unauthorized", "invalidArgument", "invalidWasm", "notFound",
		"alreadyExists", "deadlineExceeded", "resourceExhausted", "unavailable", "unimplemented", "internal"} {
		if strings.Contains(msg, c+": ") {
			return c
		}
	}
	return "internal"
}

func isMethod(v value.Value, name string) bool {
	switch m := v.(type) {
	case *value.Keyword:
		return m.Name == name
	case value.Symbol:
		return m.Name == name
	}
	return false
}

// execRun is (executor run <wasm> [:args v :env m :stdin s :timeout-ms n
// :memory n]).
func (sh *Shell) execRun(t value.Thread, exec system.Executor, args []value.Value) (value.Value, error) {
	const ctx = "executor :run"
	if len(args) == 0 || len(args)%2 != 1 {
		return nil, value.ArityError(ctx, "1 + option pairs", len(args))
	}
	spec := runSpec{exec: exec, argv: []string{"main"}}
	switch w := args[0].(type) {
	case value.Bytes:
		spec.wasm = []byte(w)
	case value.String:
		abs := sh.resolve(string(w))
		b, err := fs.ReadFile(sh.fsys, fsName(abs))
		if err != nil {
			return nil, value.NewError("io", "load: "+abs+": "+osErr(err), "path", abs)
		}
		spec.wasm = b
	default:
		return nil, value.TypeError(ctx, "bytes or string", args[0])
	}
	for i := 1; i < len(args); i += 2 {
		k, ok := args[i].(*value.Keyword)
		if !ok {
			return nil, value.ArgError(ctx, "unknown option "+value.Repr(args[i]))
		}
		v := args[i+1]
		switch k.Name {
		case "args":
			for _, a := range value.Elems(v) {
				if str, ok := a.(value.String); ok {
					spec.argv = append(spec.argv, string(str))
				} else {
					spec.argv = append(spec.argv, value.Repr(a))
				}
			}
		case "env":
			m, ok := v.(*value.Map)
			if !ok {
				return nil, value.TypeError(ctx+" :env", "map", v)
			}
			m.Each(func(k, v value.Value) bool {
				spec.env = append(spec.env, argString(k)+"="+argString(v))
				return true
			})
		case "stdin":
			switch in := v.(type) {
			case value.String:
				spec.stdin = []byte(in)
			case value.Bytes:
				spec.stdin = []byte(in)
			default:
				return nil, value.TypeError(ctx+" :stdin", "string or bytes", v)
			}
		case "timeout-ms", "memory":
			n, ok := v.(value.Int)
			if !ok || n < 0 {
				return nil, value.TypeError(ctx+" :"+k.Name, "non-negative int", v)
			}
			if k.Name == "memory" {
				spec.memory = uint64(n)
			} else {
				spec.timeoutM = uint64(n)
			}
		default:
			return nil, value.ArgError(ctx, "unknown option :"+k.Name)
		}
	}
	code, err := sh.runCommand(t, spec)
	if err != nil {
		return nil, err
	}
	sh.stateMu.Lock()
	sh.ranForeground = true
	sh.stateMu.Unlock()
	return value.MakeInt(int64(code)), nil
}

// argString converts an :env key or value: strings and keywords' names
// raw, other values printed readably.
func argString(v value.Value) string {
	switch a := v.(type) {
	case value.String:
		return string(a)
	case *value.Keyword:
		return a.Name
	}
	return value.Repr(v)
}
