package main

import (
	"context"
	"sync"

	api "github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/std/shell"
)

// gate is the exported Shell. It exists before the graft (the export is
// part of the connection), so every call waits until the root session is
// ready, i.e. init.d has run. An (exit n) of the root session is reported
// on exited.
type gate struct {
	ready  chan struct{}
	sh     *shell.Shell
	once   sync.Once
	exited chan int
}

func newGate() *gate {
	return &gate{ready: make(chan struct{}), exited: make(chan int, 1)}
}

// open makes sh the served session.
func (g *gate) open(sh *shell.Shell) {
	g.sh = sh
	close(g.ready)
}

func (g *gate) wait(ctx context.Context) (shell.Server, error) {
	select {
	case <-g.ready:
		return shell.Server{Shell: g.sh, OnExit: g.exit}, nil
	case <-ctx.Done():
		return shell.Server{}, ctx.Err()
	}
}

func (g *gate) Eval(ctx context.Context, call api.Shell_eval) error {
	s, err := g.wait(ctx)
	if err != nil {
		return err
	}
	return s.Eval(ctx, call)
}

// exit reports the first (exit n) of the root session.
func (g *gate) exit(code int) {
	g.once.Do(func() { g.exited <- code })
}

func (g *gate) Fork(ctx context.Context, call api.Shell_fork) error {
	s, err := g.wait(ctx)
	if err != nil {
		return err
	}
	return s.Fork(ctx, call)
}

func (g *gate) Cwd(ctx context.Context, call api.Shell_cwd) error {
	s, err := g.wait(ctx)
	if err != nil {
		return err
	}
	return s.Cwd(ctx, call)
}

func (g *gate) Complete(ctx context.Context, call api.Shell_complete) error {
	s, err := g.wait(ctx)
	if err != nil {
		return err
	}
	return s.Complete(ctx, call)
}
