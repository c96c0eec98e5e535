package shell

import (
	"context"

	api "github.com/wetware/ww/capnp/shell"
)

// Client returns a Cap'n Proto Shell capability served by sh.
func (sh *Shell) Client() api.Shell { return api.Shell_ServerToClient(Server{Shell: sh}) }

// Server serves the Shell interface (system design §6.5) over a Shell.
type Server struct {
	Shell *Shell
	// OnExit, if set, is called after an eval that ran (exit n), with n:
	// the root session's exit ends the node (design §8.5).
	OnExit func(code int)
}

var _ api.Shell_Server = Server{}

// Eval implements Shell.eval.
func (s Server) Eval(ctx context.Context, call api.Shell_eval) error {
	text, err := call.Args().Text()
	if err != nil {
		return err
	}
	r := s.Shell.Eval(ctx, text, call.Args().PrintNil())
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	if err := res.SetResult(r.Output); err != nil {
		return err
	}
	res.SetIsError(r.IsError)
	res.SetExited(r.Exited)
	res.SetExitCode(int32(r.ExitCode))
	if r.Exited && s.OnExit != nil {
		s.OnExit(r.ExitCode)
	}
	return nil
}

// Fork implements Shell.fork (see Shell.Fork).
func (s Server) Fork(_ context.Context, call api.Shell_fork) error {
	l, err := call.Args().Grants()
	if err != nil {
		return err
	}
	grants := make([]string, l.Len())
	for i := range grants {
		if grants[i], err = l.At(i); err != nil {
			return err
		}
	}
	child, err := s.Shell.Fork(grants)
	if err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetShell(api.Shell_ServerToClient(forkServer{Server{Shell: child}, s.Shell}))
}

// forkServer serves a forked session; when its last reference is released
// (the remote or MCP session ended) the fork is dropped from its parent.
type forkServer struct {
	Server
	parent *Shell
}

// Shutdown implements server.Shutdowner.
func (f forkServer) Shutdown() { f.parent.dropFork(f.Shell) }

// Cwd implements Shell.cwd.
func (s Server) Cwd(_ context.Context, call api.Shell_cwd) error {
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetPath(s.Shell.Cwd())
}

// Complete implements Shell.complete.
func (s Server) Complete(_ context.Context, call api.Shell_complete) error {
	prefix, err := call.Args().Prefix()
	if err != nil {
		return err
	}
	cands := s.Shell.Complete(prefix)
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	l, err := res.NewCandidates(int32(len(cands)))
	if err != nil {
		return err
	}
	for i, c := range cands {
		if err := l.Set(i, c); err != nil {
			return err
		}
	}
	return nil
}
