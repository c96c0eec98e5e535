package membrane

import (
	"context"
	"log/slog"
	"time"

	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/epoch"
)

// Defaults of Options.
const (
	// DefaultNextEpochTimeout is how long Membrane.nextEpoch waits for a
	// change before returning the unchanged epoch.
	DefaultNextEpochTimeout = 60 * time.Second
	// DefaultCallTimeout bounds every host-served method (--call-timeout).
	DefaultCallTimeout = 30 * time.Second
)

// Options tune a Membrane. The zero value uses the defaults.
type Options struct {
	// NextEpochTimeout is the long-poll period of Membrane.nextEpoch
	// (DefaultNextEpochTimeout if zero).
	NextEpochTimeout time.Duration
	// CallTimeout bounds each host-served method (DefaultCallTimeout if
	// zero, none if negative). Membrane.nextEpoch and UnixFS.addStream are
	// exempt; ByteStream.read and Process.wait then fail with a retryable
	// deadlineExceeded and no side effects.
	CallTimeout time.Duration
	// Logger receives debug logs (slog.Default() if nil).
	Logger *slog.Logger
}

// Membrane hands out epoch-guarded capabilities over one epoch cell and
// one set of backends. It is the Go object behind any number of Membrane
// capabilities (Client); holding such a capability is the authority to
// graft.
type Membrane struct {
	cell *epoch.Cell
	svc  Services
	opts Options
	log  *slog.Logger
}

// New returns a Membrane over cell and svc.
func New(cell *epoch.Cell, svc Services, opts Options) *Membrane {
	if opts.NextEpochTimeout <= 0 {
		opts.NextEpochTimeout = DefaultNextEpochTimeout
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Membrane{cell: cell, svc: svc, opts: opts, log: log}
}

// Cell returns the membrane's epoch cell.
func (m *Membrane) Cell() *epoch.Cell { return m.cell }

// Client returns a new Membrane capability served by m. The caller
// releases it.
func (m *Membrane) Client() stem.Membrane {
	return stem.Membrane_ServerToClient(&membraneServer{m: m})
}

// Graft is one set of capabilities stamped with the same epoch seq.
type Graft struct {
	// Epoch is the seq the capabilities were issued under.
	Epoch uint64
	// Identity hands out guarded Signers.
	Identity stem.Identity
	// Host is the node; Host.executor returns Executor.
	Host system.Host
	// Executor spawns processes.
	Executor system.Executor
	// IPFS is the IPFS client.
	IPFS ipfs.Client
	// Routing is content routing.
	Routing routing.Routing
}

// Release releases the five capabilities.
func (g Graft) Release() {
	g.Identity.Release()
	g.Host.Release()
	g.Executor.Release()
	g.IPFS.Release()
	g.Routing.Release()
}

// Graft creates fresh servers for the five capabilities, guarded by the
// current epoch seq. It is what Membrane.graft returns; the caller
// releases the result.
func (m *Membrane) Graft() Graft {
	g := NewGuard(m.cell)
	exec := system.Executor_ServerToClient(&executorServer{g: g, m: m})
	return Graft{
		Epoch:    g.Seq(),
		Identity: stem.Identity_ServerToClient(&identityServer{g: g, m: m}),
		Host:     system.Host_ServerToClient(&hostServer{g: g, m: m, exec: exec.AddRef()}),
		Executor: exec,
		IPFS:     ipfs.Client_ServerToClient(&ipfsServer{g: g, m: m}),
		Routing:  routing.Routing_ServerToClient(&routingServer{g: g, m: m}),
	}
}

// callContext applies the call timeout to a host-served method.
func (m *Membrane) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if m.opts.CallTimeout < 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, m.opts.CallTimeout)
}

// coded maps a backend error of method (see the package errors).
func (m *Membrane) coded(ctx context.Context, err error, method string, code Code, detail string) error {
	return coded(ctx, err, method, m.opts.CallTimeout, code, detail)
}

// membraneServer serves stem.Membrane. Not guarded.
type membraneServer struct{ m *Membrane }

func (s *membraneServer) Graft(_ context.Context, call stem.Membrane_graft) error {
	// The signer argument is ignored: holding the Membrane is the
	// authority (gating is the Terminal's job).
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	g := s.m.Graft()
	// The Set* methods steal the references.
	if err := res.SetIdentity(g.Identity); err != nil {
		return err
	}
	if err := res.SetHost(g.Host); err != nil {
		return err
	}
	if err := res.SetExecutor(g.Executor); err != nil {
		return err
	}
	if err := res.SetIpfs(g.IPFS); err != nil {
		return err
	}
	return res.SetRouting(g.Routing)
}

func (s *membraneServer) NextEpoch(ctx context.Context, call stem.Membrane_nextEpoch) error {
	after := call.Args().After()
	call.Go() // a long poll must not hold up other calls on this Membrane

	wctx, cancel := context.WithTimeout(ctx, s.m.opts.NextEpochTimeout)
	defer cancel()
	e, err := s.m.cell.Wait(wctx, after)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the caller went away
		}
		e = s.m.cell.Current() // long-poll period over: unchanged epoch
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	out, err := res.NewEpoch()
	if err != nil {
		return err
	}
	out.SetSeq(e.Seq)
	out.SetAdoptedBlock(e.AdoptedBlock)
	return out.SetHead(e.Head)
}
