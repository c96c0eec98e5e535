package membrane

import (
	"context"
	"strings"
	"sync"

	"capnproto.org/go/capnp/v3"

	"github.com/wetware/ww/capnp/system"
)

// ValidateEnv returns "invalidArgument: env entry must be KEY=VALUE"
// unless every entry has a non-empty key followed by '='.
func ValidateEnv(env []string) error {
	for _, e := range env {
		if i := strings.IndexByte(e, '='); i <= 0 {
			return Errorf(CodeInvalidArgument, "env entry must be KEY=VALUE")
		}
	}
	return nil
}

// executorServer serves system.Executor. Every method is guarded.
type executorServer struct {
	g Guard
	m *Membrane
}

func (s *executorServer) Echo(_ context.Context, call system.Executor_echo) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	msg, err := call.Args().Message_()
	if err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetResponse("Echo: " + msg)
}

func (s *executorServer) RunBytes(ctx context.Context, call system.Executor_runBytes) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.Executor
	if b == nil {
		return unimplemented("Executor.runBytes")
	}
	args := call.Args()
	wasm, err := args.Wasm()
	if err != nil {
		return err
	}
	argv, err := textList(args.Args())
	if err != nil {
		return err
	}
	env, err := textList(args.Env())
	if err != nil {
		return err
	}
	if err := ValidateEnv(env); err != nil {
		return err
	}
	var limits Limits
	if args.HasLimits() {
		l, err := args.Limits()
		if err != nil {
			return err
		}
		limits = Limits{MemoryBytes: l.MemoryBytes(), TimeoutMillis: l.TimeoutMillis()}
	}
	boot := args.Bootstrap()
	if boot.IsValid() {
		boot = boot.AddRef() // caller-side attenuation: hand it over as is
	} else {
		boot = capnp.Client(s.m.Client()) // a fresh Membrane over the same cell
	}
	req := RunRequest{
		Epoch:     s.g.Seq(),
		Wasm:      append([]byte(nil), wasm...),
		Args:      argv,
		Env:       env,
		Limits:    limits,
		Bootstrap: boot,
	}

	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	proc, err := b.Run(ctx, req)
	if err != nil {
		boot.Release()
		return s.m.coded(ctx, err, "Executor.runBytes", CodeInternal, "runBytes")
	}
	res, err := call.AllocResults()
	if err != nil {
		proc.Kill()
		return err
	}
	return res.SetProcess(s.m.ProcessClient(proc))
}

func textList(l capnp.TextList, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	out := make([]string, l.Len())
	for i := range out {
		if out[i], err = l.At(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ProcessClient serves p as a Process capability (not guarded: a process
// outlives the epoch it was started in). Releasing the last reference
// kills the process. The caller releases the result.
func (m *Membrane) ProcessClient(p Process) system.Process {
	return system.Process_ServerToClient(&processServer{m: m, p: p})
}

// processServer serves system.Process. Each of stdin, stdout and stderr is
// one ByteStream object, created on first use and shared by later calls.
type processServer struct {
	m *Membrane
	p Process

	mu                    sync.Mutex
	stdin, stdout, stderr system.ByteStream
}

func (s *processServer) Shutdown() {
	s.p.Kill()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stdin.Release()
	s.stdout.Release()
	s.stderr.Release()
}

// stream returns a new reference to *slot, creating it with mk.
func (s *processServer) stream(slot *system.ByteStream, mk func() system.ByteStream) system.ByteStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slot.IsValid() {
		*slot = mk()
	}
	return slot.AddRef()
}

func (s *processServer) Stdin(_ context.Context, call system.Process_stdin) error {
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetStream(s.stream(&s.stdin, func() system.ByteStream { return s.m.WriteStream(s.p.Stdin()) }))
}

func (s *processServer) Stdout(_ context.Context, call system.Process_stdout) error {
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetStream(s.stream(&s.stdout, func() system.ByteStream { return s.m.ReadStream(s.p.Stdout()) }))
}

func (s *processServer) Stderr(_ context.Context, call system.Process_stderr) error {
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetStream(s.stream(&s.stderr, func() system.ByteStream { return s.m.ReadStream(s.p.Stderr()) }))
}

func (s *processServer) Wait(ctx context.Context, call system.Process_wait) error {
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	code, reason, err := s.p.Wait(ctx)
	if err != nil {
		return s.m.coded(ctx, err, "Process.wait", CodeInternal, "wait")
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	res.SetExitCode(code)
	return res.SetReason(reason)
}

func (s *processServer) Bootstrap(ctx context.Context, call system.Process_bootstrap) error {
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	c, err := s.p.Bootstrap(ctx)
	if err != nil {
		return s.m.coded(ctx, err, "Process.bootstrap", CodeInternal, "bootstrap")
	}
	if !c.IsValid() {
		return Errorf(CodeNotFound, "no exported capability")
	}
	res, err := call.AllocResults()
	if err != nil {
		c.Release()
		return err
	}
	return res.SetCap(c)
}

func (s *processServer) Kill(context.Context, system.Process_kill) error {
	s.p.Kill()
	return nil
}
