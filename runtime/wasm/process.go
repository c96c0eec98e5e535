package wasm

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"capnproto.org/go/capnp/v3"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/sys"
)

// Exit codes of the system design's §5.4 that the host assigns; a guest's
// own proc_exit(n) is reported as n.
const (
	ExitInternal = 1   // broken channel or host error ("internal: <msg>")
	ExitDeadline = 124 // wall-clock deadline ("deadline")
	ExitTrap     = 134 // trap: unreachable, out of bounds, stack exhaustion ("trap: <msg>")
	ExitKilled   = 137 // Kill, engine shutdown ("killed"), refused memory ("memory")
)

// Reasons of host-assigned exits.
const (
	ReasonKilled   = "killed"
	ReasonDeadline = "deadline"
	ReasonMemory   = "memory"
)

// DefaultArgv0 is argv[0] when Spawn is given no args.
const DefaultArgv0 = "main"

// SpawnOptions are per-process settings. Zero fields inherit the engine's.
type SpawnOptions struct {
	// FS, if set, is mounted read-only at / (the only preopen). Without it
	// the guest has no filesystem at all.
	FS fs.FS
	// MemoryLimit lowers the engine's per-process memory cap, in bytes.
	MemoryLimit uint64
	// Timeout lowers (or, if the engine has none, sets) the wall-clock
	// deadline.
	Timeout time.Duration
	// Name is logged with the process (e.g. the image path); optional.
	Name string
	// Bootstrap, if valid, gives the process an RPC channel (system design
	// §5.5): a socketpair whose guest end is the entry RPCName of the
	// preopen RPCDir at fd RPCFD, announced to the guest as WW_RPC_FD and WW_ABI (which replace
	// any such entries of env). The host end carries a Cap'n Proto
	// connection whose bootstrap capability is Bootstrap (Spawn takes its
	// own reference); Process.Bootstrap returns the guest's export. The
	// channel closes with the process.
	Bootstrap capnp.Client
}

// Process is a running or finished guest. Its stdio are OS pipes: the
// guest ends are owned by wazero, the host ends by the Process.
type Process struct {
	e   *Engine
	pid uint64
	id  ModuleID
	log *slog.Logger

	stdinW, stdoutR, stderrR *os.File // host ends
	stdinR, stdoutW, stderrW *os.File // guest ends
	stderr                   *stderrLog
	ch                       *channel // nil without SpawnOptions.Bootstrap
	poll                     *poller  // poll_oneoff state (poll.go)

	ctx    context.Context
	cancel context.CancelFunc
	mem    *memoryCap
	killed chan struct{} // closed by the first kill; wakes sleeps

	deadline *time.Timer // nil without a timeout

	mu       sync.Mutex
	reason   string // host-assigned reason once killed; "" otherwise
	done     chan struct{}
	code     int32
	exitText string
}

// stdio is the set of OS pipes behind a process. Later work adds the RPC
// channel's socketpair here (system design §5.5): everything a guest sees
// must be an OS object, never an io.Pipe.
type stdio struct {
	stdinR, stdinW, stdoutR, stdoutW, stderrR, stderrW *os.File
}

func newStdio() (*stdio, error) {
	var s stdio
	var err error
	if s.stdinR, s.stdinW, err = os.Pipe(); err != nil {
		return nil, err
	}
	if s.stdoutR, s.stdoutW, err = os.Pipe(); err != nil {
		s.close()
		return nil, err
	}
	if s.stderrR, s.stderrW, err = os.Pipe(); err != nil {
		s.close()
		return nil, err
	}
	return &s, nil
}

func (s *stdio) close() {
	for _, f := range []*os.File{s.stdinR, s.stdinW, s.stdoutR, s.stdoutW, s.stderrR, s.stderrW} {
		if f != nil {
			_ = f.Close()
		}
	}
}

// Spawn admits and compiles wasm, then starts it as a new process with the
// given argv (empty: ["main"]) and environment (KEY=VALUE entries, and
// nothing else). It returns once the process is running; ctx bounds only
// admission and compilation, not the process, which lives until it exits,
// is killed, hits a limit or the engine closes.
func (e *Engine) Spawn(ctx context.Context, wasm []byte, args, env []string, opts SpawnOptions) (*Process, error) {
	envKV, err := splitEnv(env)
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		args = []string{DefaultArgv0}
	}

	// Reserve a process slot before compiling so that an overloaded node
	// does no work for a refused spawn.
	e.procMu.Lock()
	if e.closed {
		e.procMu.Unlock()
		return nil, errorf(CodeUnavailable, "engine closed")
	}
	if e.live.Load() >= int64(e.cfg.MaxProcs) {
		e.procMu.Unlock()
		return nil, errorf(CodeResourceExhausted, "too many processes (limit %d)", e.cfg.MaxProcs)
	}
	e.live.Add(1)
	e.wg.Add(1)
	e.procMu.Unlock()
	reserved := true
	defer func() {
		if reserved {
			e.live.Add(-1)
			e.wg.Done()
		}
	}()

	ent, err := e.acquire(ctx, wasm)
	if err != nil {
		return nil, err
	}
	s, err := newStdio()
	if err != nil {
		e.release(ent)
		return nil, errorf(CodeInternal, "spawn: %v", err)
	}
	var ch *channel
	if opts.Bootstrap.IsValid() {
		if ch, err = newChannel(opts.Bootstrap); err != nil {
			s.close()
			e.release(ent)
			return nil, errorf(CodeInternal, "spawn: %v", err)
		}
		kept := envKV[:0]
		for _, kv := range envKV {
			if kv[0] != "WW_RPC_FD" && kv[0] != "WW_ABI" {
				kept = append(kept, kv)
			}
		}
		envKV = append(kept, [2]string{"WW_RPC_FD", strconv.Itoa(RPCFD)}, [2]string{"WW_ABI", ABIVersion})
	}

	memLimit := e.cfg.MemoryLimit
	if opts.MemoryLimit > 0 && opts.MemoryLimit < memLimit {
		memLimit = opts.MemoryLimit
	}
	timeout := e.cfg.Timeout
	if opts.Timeout > 0 && (timeout == 0 || opts.Timeout < timeout) {
		timeout = opts.Timeout
	}

	var chGuest *os.File
	if ch != nil {
		chGuest = ch.guest
	}
	pid := e.nextPID.Add(1)
	attrs := []any{"pid", pid, "module", string(ent.id[:12])}
	if opts.Name != "" {
		attrs = append(attrs, "name", opts.Name)
	}
	p := &Process{
		e:       e,
		pid:     pid,
		id:      ent.id,
		log:     e.cfg.Logger.With(attrs...),
		stdinW:  s.stdinW,
		stdoutR: s.stdoutR,
		stderrR: s.stderrR,
		stdinR:  s.stdinR,
		stdoutW: s.stdoutW,
		stderrW: s.stderrW,
		stderr:  newStderrLog(e.cfg.StderrBuffer),
		ch:      ch,
		poll:    newPoller(s.stdinR, s.stdoutW, s.stderrW, chGuest),
		mem:     &memoryCap{limit: memLimit, pool: e.mem, hint: &ent.memHint},
		killed:  make(chan struct{}),
		done:    make(chan struct{}),
	}
	p.ctx, p.cancel = context.WithCancel(e.ctx)
	p.mem.tooLarge = func() { p.kill(ReasonMemory) }

	mc := wazero.NewModuleConfig().
		WithName(""). // anonymous: many instances of one module may run
		WithArgs(args...).
		WithStdin(s.stdinR).
		WithStdout(s.stdoutW).
		WithStderr(s.stderrW).
		WithSysWalltime().
		WithSysNanotime().
		WithNanosleep(p.nanosleep).
		WithRandSource(rand.Reader)
	for _, kv := range envKV {
		mc = mc.WithEnv(kv[0], kv[1])
	}
	if ch != nil || opts.FS != nil {
		// The channel, if any, is the first preopen (fd 3).
		fc := wazero.NewFSConfig()
		if ch != nil {
			fc = fc.(sysfs.FSConfig).WithSysFSMount(&rpcFS{f: ch.guest}, RPCDir)
		}
		if opts.FS != nil {
			fc = fc.WithFSMount(opts.FS, "/")
		}
		mc = mc.WithFSConfig(fc)
	}

	e.procMu.Lock()
	if e.closed {
		e.procMu.Unlock()
		s.close()
		if ch != nil {
			ch.close()
		}
		e.release(ent)
		return nil, errorf(CodeUnavailable, "engine closed")
	}
	e.procs[pid] = p
	e.procMu.Unlock()
	reserved = false

	drained := make(chan struct{})
	go func() {
		defer close(drained)
		p.stderr.drain(p.stderrR, p.log)
	}()
	if timeout > 0 {
		p.deadline = time.AfterFunc(timeout, func() { p.kill(ReasonDeadline) })
	}
	p.log.Debug("process started", "args", len(args), "env", len(env), "mem_limit", memLimit, "timeout", timeout)
	go p.run(ent, mc, drained)
	return p, nil
}

// splitEnv checks and splits KEY=VALUE entries.
func splitEnv(env []string) ([][2]string, error) {
	out := make([][2]string, 0, len(env))
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.ContainsRune(kv, 0) {
			return nil, errorf(CodeInvalidArgument, "env entry must be KEY=VALUE")
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// run executes the guest: _start runs inside InstantiateModule, on this
// goroutine, so every process has its own.
func (p *Process) run(ent *moduleEntry, mc wazero.ModuleConfig, drained chan struct{}) {
	e := p.e
	ctx := context.WithValue(experimental.WithMemoryAllocator(p.ctx, p.mem), procKey{}, p)
	mod, err := e.rt.InstantiateModule(ctx, ent.cm, mc)
	if mod != nil {
		_ = mod.Close(context.Background())
	}
	if p.deadline != nil {
		p.deadline.Stop()
	}
	// The guest ends close with the module (wazero closes its files); close
	// them again in case it did not, so host readers see EOF.
	_ = p.stdinR.Close()
	_ = p.stdoutW.Close()
	_ = p.stderrW.Close()
	if p.ch != nil {
		p.ch.close()
	}
	p.poll.close()
	<-drained

	code, text := p.exitStatus(err)
	// The slot is free before Wait returns, so a waiter can spawn again.
	e.release(ent)
	e.procMu.Lock()
	delete(e.procs, p.pid)
	e.procMu.Unlock()
	e.live.Add(-1)

	p.mu.Lock()
	p.code, p.exitText = code, text
	close(p.done)
	p.mu.Unlock()
	p.cancel()
	p.log.Debug("process exited", "code", code, "reason", text)
	e.wg.Done()
}

// exitStatus maps the outcome of InstantiateModule to §5.4's table.
func (p *Process) exitStatus(err error) (int32, string) {
	p.mu.Lock()
	reason := p.reason
	p.mu.Unlock()
	switch reason {
	case ReasonKilled:
		return ExitKilled, ReasonKilled
	case ReasonDeadline:
		return ExitDeadline, ReasonDeadline
	case ReasonMemory:
		return ExitKilled, ReasonMemory
	}
	if err == nil {
		return 0, ""
	}
	var code int32
	var text string
	var exit *sys.ExitError
	switch {
	case errors.As(err, &exit):
		switch exit.ExitCode() {
		case sys.ExitCodeContextCanceled, sys.ExitCodeDeadlineExceeded:
			// Cancelled without a recorded reason: the engine shut down.
			return ExitKilled, ReasonKilled
		}
		code = int32(exit.ExitCode())
	case strings.Contains(err.Error(), "wasm error: "):
		msg := err.Error()
		msg = msg[strings.Index(msg, "wasm error: ")+len("wasm error: "):]
		if !p.e.cfg.DebugInfo {
			msg, _, _ = strings.Cut(msg, "\n")
		}
		code, text = ExitTrap, "trap: "+msg
	default:
		code, text = ExitInternal, "internal: "+err.Error()
	}
	if code != 0 && p.mem.refused.Load() {
		return ExitKilled, ReasonMemory
	}
	return code, text
}

// nanosleep is the guest's sleep (and poll_oneoff's clock wait): real
// time, cut short when the process is killed so kill and deadlines stop a
// sleeping guest at once.
func (p *Process) nanosleep(ns int64) {
	if ns <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(ns))
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.killed:
	}
}

// PID returns the process's engine-local id (1, 2, …), also logged as "pid".
func (p *Process) PID() uint64 { return p.pid }

// Module returns the ID of the module the process runs.
func (p *Process) Module() ModuleID { return p.id }

// Stdin returns the write end of the guest's stdin; closing it is EOF for
// the guest.
func (p *Process) Stdin() io.WriteCloser { return p.stdinW }

// Stdout returns the read end of the guest's stdout. It reaches EOF once
// the guest has exited and its output has been read.
func (p *Process) Stdout() io.ReadCloser { return p.stdoutR }

// Stderr returns a new reader over the guest's stderr as kept by the
// engine (the first Config.StderrBuffer bytes); it reaches EOF once the
// guest has exited. Every line is also logged at debug level.
func (p *Process) Stderr() io.ReadCloser { return p.stderr.reader() }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait blocks until the process exits or ctx ends and returns the exit
// code and reason of §5.4 ("" for a guest's own exit). It is idempotent;
// err is ctx's error if ctx ended first.
func (p *Process) Wait(ctx context.Context) (code int32, reason string, err error) {
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.code, p.exitText, nil
	case <-ctx.Done():
		return 0, "", ctx.Err()
	}
}

// Kill terminates the process with exit code 137 (reason "killed") and
// closes the host ends of its pipes and its RPC channel. After exit it only closes the pipes
// the host still holds, so calling Kill is also how a caller releases a
// finished process.
func (p *Process) Kill() { p.kill(ReasonKilled) }

// kill records why the process is being stopped (first reason wins, and
// only while it runs), cancels its context, which wazero observes at the
// next function call or loop iteration, wakes sleeps, and closes the host
// ends of the pipes, which ends any host fd_read or fd_write the guest is
// blocked in.
func (p *Process) kill(reason string) {
	p.mu.Lock()
	select {
	case <-p.done:
		p.mu.Unlock()
		if reason == ReasonKilled {
			p.closeHostEnds()
		}
		return
	default:
	}
	first := p.reason == ""
	if first {
		p.reason = reason
		close(p.killed)
	}
	p.mu.Unlock()
	if !first {
		return
	}
	p.log.Debug("process stopping", "reason", reason)
	p.cancel()
	p.poll.wake()
	p.closeHostEnds()
}

func (p *Process) closeHostEnds() {
	_ = p.stdinW.Close()
	_ = p.stdoutR.Close()
	// stderrR belongs to the drain goroutine; closing it ends the drain.
	_ = p.stderrR.Close()
	if p.ch != nil {
		p.ch.closeHost()
	}
}
