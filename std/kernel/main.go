//go:build wasip1

package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"capnproto.org/go/capnp/v3"
	"github.com/ipfs/go-cid"

	api "github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/std/shell"
	"github.com/wetware/ww/std/system"
)

// exitGrace lets the reply to the eval that ran (exit n) reach the host
// before the kernel exits.
const exitGrace = 200 * time.Millisecond

func main() {
	g := newGate()
	export := capnp.Client(api.Shell_ServerToClient(g))
	system.Serve(export, func(ctx context.Context, s *system.Session) error {
		caps := s.Caps()
		path := os.Getenv("PATH")
		if path == "" {
			path = "/bin"
		}
		sh, err := shell.New(shell.Caps{
			Host:     caps.Host,
			Executor: caps.Executor,
			IPFS:     caps.IPFS,
			Routing:  caps.Routing,
			Identity: caps.Identity,
		}, shell.Options{
			FS:      os.DirFS("/"),
			Path:    path,
			Out:     os.Stdout,
			Log:     os.Stderr,
			Context: ctx,
			Epoch:   epochOf(s.Membrane),
		})
		if err != nil {
			return fmt.Errorf("kernel: root session: %w", err)
		}
		if exited, code := sh.RunInitD(); exited {
			os.Exit(code)
		}
		g.open(sh)
		go watch(ctx, s, sh)

		stdin := make(chan struct{})
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			close(stdin)
		}()
		select {
		case <-stdin:
			return nil
		case code := <-g.exited:
			time.Sleep(exitGrace)
			os.Exit(code)
		}
		return nil
	})
}

// watch is the epoch watcher (design §7.4): it long-polls
// Membrane.nextEpoch and, when the epoch advances, re-grafts and rebinds
// the root session's capabilities.
func watch(ctx context.Context, s *system.Session, sh *shell.Shell) {
	after := uint64(math.MaxUint64) // the first poll returns the current epoch
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		f, release := s.Membrane.NextEpoch(ctx, func(p stem.Membrane_nextEpoch_Params) error {
			p.SetAfter(after)
			return nil
		})
		res, err := f.Struct()
		if err != nil {
			release()
			time.Sleep(backoff)
			if backoff *= 2; backoff > 5*time.Second {
				backoff = 5 * time.Second
			}
			continue
		}
		backoff = 100 * time.Millisecond
		var seq uint64
		var ev value.Value = value.Nil
		if e, err := res.Epoch(); err == nil {
			seq, ev = e.Seq(), epochValue(e)
		}
		release()
		if after != math.MaxUint64 && seq != after {
			caps, err := s.Graft(ctx)
			if err != nil {
				fmt.Fprintln(os.Stderr, "level=warn msg=\"kernel: re-graft failed\" err="+fmt.Sprintf("%q", err.Error()))
				continue // retried at the next poll
			}
			if err := sh.Bind(shell.Caps{Host: caps.Host, Executor: caps.Executor, IPFS: caps.IPFS,
				Routing: caps.Routing, Identity: caps.Identity}); err != nil {
				fmt.Fprintln(os.Stderr, "level=warn msg=\"kernel: rebind failed\" err="+fmt.Sprintf("%q", err.Error()))
			}
			for _, err := range sh.EpochAdvanced(ev) {
				fmt.Fprintln(os.Stderr, "level=warn msg=\"kernel: on-epoch hook failed\" err="+fmt.Sprintf("%q", value.RenderWithPos(err)))
			}
		}
		after = seq
	}
}

// epochOf answers (epoch) from the Membrane: nextEpoch with an impossible
// "after" returns the current epoch at once.
func epochOf(m stem.Membrane) func(ctx context.Context) (value.Value, error) {
	return func(ctx context.Context) (value.Value, error) {
		f, release := m.NextEpoch(ctx, func(p stem.Membrane_nextEpoch_Params) error {
			p.SetAfter(math.MaxUint64)
			return nil
		})
		defer release()
		res, err := f.Struct()
		if err != nil {
			return nil, value.NewError("cap-call-failed", "epoch failed: "+err.Error())
		}
		e, err := res.Epoch()
		if err != nil {
			return nil, err
		}
		return epochValue(e), nil
	}
}

// epochValue is an epoch as (epoch) returns it: {:seq n :head "/ipfs/…"|nil
// :block n}.
func epochValue(e stem.Epoch) value.Value {
	var head value.Value = value.Nil
	if h, _ := e.Head(); len(h) > 0 {
		if c, err := cid.Cast(h); err == nil {
			head = value.MakeString("/ipfs/" + c.String())
		}
	}
	return value.NewMap(value.KW("seq"), value.MakeInt(int64(e.Seq())), value.KW("head"), head,
		value.KW("block"), value.MakeInt(int64(e.AdoptedBlock())))
}
