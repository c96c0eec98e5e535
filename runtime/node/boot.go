package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"capnproto.org/go/capnp/v3"

	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/runtime/wasm"
)

// Entrypoint is pid0's module inside the image.
const Entrypoint = "boot/main.wasm"

// DefaultProbeTimeout is how long Pid0.Shell waits for pid0 to export a
// Shell and answer a Shell.cwd probe before deciding passthrough (§8.7).
const DefaultProbeTimeout = 2 * time.Second

// BootOptions tune Boot.
type BootOptions struct {
	// TTY adds WW_TTY=1 to pid0's environment (interactive mode).
	TTY bool
	// Name is logged with the process (e.g. the mounts); optional.
	Name string
}

// Pid0 is the node's first process.
type Pid0 struct {
	*wasm.Process
}

// Boot spawns image's boot/main.wasm as pid0 (§5.3): argv ["kernel"], env
// PATH=/bin, WW_ROOT=/, WW_PEER_ID, WW_LOG (and WW_TTY=1 with opts.TTY),
// plus the engine's WW_RPC_FD and WW_ABI; the image mounted read-only at /;
// the channel bootstrapping to a new Membrane capability.
func (n *Node) Boot(ctx context.Context, image fs.FS, opts BootOptions) (*Pid0, error) {
	if n.engine == nil {
		return nil, errors.New("node not started")
	}
	wasmBin, err := fs.ReadFile(image, Entrypoint)
	if err != nil {
		return nil, fmt.Errorf("image has no boot/main.wasm: %w", err)
	}
	level := n.cfg.LogLevel
	if level == "" {
		level = "info"
	}
	env := []string{
		"PATH=/bin",
		"WW_ROOT=/",
		"WW_PEER_ID=" + n.host.ID().String(),
		"WW_LOG=" + level,
	}
	if opts.TTY {
		env = append(env, "WW_TTY=1")
	}
	boot := n.membrane.Client()
	defer boot.Release() // Spawn takes its own reference
	name := opts.Name
	if name == "" {
		name = "pid0"
	}
	p, err := n.engine.Spawn(ctx, wasmBin, []string{"kernel"}, env, wasm.SpawnOptions{
		FS:        image,
		Name:      name,
		Bootstrap: capnp.Client(boot),
	})
	if err != nil {
		return nil, err
	}
	n.log.Debug("pid0 started", "pid", p.PID(), "module", p.Module())
	return &Pid0{p}, nil
}

// Shell returns pid0's exported Shell, or ok=false if pid0 exports
// nothing, or something that does not answer a Shell.cwd probe, within
// timeout (DefaultProbeTimeout if zero); such a pid0 runs in passthrough
// mode. The caller releases the Shell.
func (p *Pid0) Shell(ctx context.Context, timeout time.Duration) (sh shell.Shell, ok bool) {
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := p.Bootstrap(ctx)
	if err != nil || !c.IsValid() {
		c.Release()
		return shell.Shell{}, false
	}
	sh = shell.Shell(c)
	f, release := sh.Cwd(ctx, nil)
	_, err = f.Struct()
	release()
	if err != nil {
		sh.Release()
		return shell.Shell{}, false
	}
	return sh, true
}

// EvalResult is one Shell.eval result.
type EvalResult struct {
	Result   string
	IsError  bool
	Exited   bool
	ExitCode int32
}

// Eval calls sh.eval(text, printNil).
func Eval(ctx context.Context, sh shell.Shell, text string, printNil bool) (EvalResult, error) {
	f, release := sh.Eval(ctx, func(p shell.Shell_eval_Params) error {
		p.SetPrintNil(printNil)
		return p.SetText(text)
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return EvalResult{}, err
	}
	out, err := res.Result()
	if err != nil {
		return EvalResult{}, err
	}
	return EvalResult{Result: out, IsError: res.IsError(), Exited: res.Exited(), ExitCode: res.ExitCode()}, nil
}

// Passthrough copies stdin to pid0's stdin (closing it at EOF) and pid0's
// stdout and stderr to stdout and stderr, and returns pid0's exit code once
// it has exited and its output is drained.
func (p *Pid0) Passthrough(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) (int32, string, error) {
	if stdin != nil {
		go func() {
			w := p.Stdin()
			io.Copy(w, stdin)
			w.Close()
		}()
	} else {
		p.Stdin().Close()
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(stdout, p.Stdout()); done <- struct{}{} }()
	go func() {
		r := p.Stderr()
		io.Copy(stderr, r)
		r.Close()
		done <- struct{}{}
	}()
	code, reason, err := p.Wait(ctx)
	if err != nil {
		return code, reason, err
	}
	for range 2 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	return code, reason, nil
}
