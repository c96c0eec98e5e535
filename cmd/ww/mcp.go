package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/spf13/cobra"

	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/runtime/mcp"
	"github.com/wetware/ww/runtime/node"
)

type mcpOptions struct {
	run         runOptions
	connect     string
	http        string
	httpPublic  bool
	grants      []string
	evalTimeout time.Duration
}

func newMCPCmd() *cobra.Command {
	var o mcpOptions
	c := &cobra.Command{
		Use:   "mcp [OPTIONS] [MOUNT]...",
		Short: "Serve a node's shell to agents over MCP",
		Long: `Boot a node as ww run --daemon does and serve the Model Context Protocol:
over stdin/stdout (stdout then carries only MCP frames; pid0's output is
logged), or over streamable HTTP at /mcp with --http. Every MCP session gets
its own fork of the kernel shell holding the --grant capabilities; the tools
are eval (Glia in the session) and describe (the capabilities in scope).
With --connect, ww mcp boots nothing: it logs in to a running node through
its Terminal with the local identity (which that node must authorize with
--authorized-peer) and forks that node's shell for each session.`,
		Annotations: map[string]string{
			annArguments: "[MOUNT]...\tImage layers: DIR, /ipfs/CID, /ipns/NAME or SOURCE:/guest/path [default: .]",
		},
		Args: cobra.ArbitraryArgs,
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return runMCP(cmd, args, &o)
		}),
	}
	f := c.Flags()
	o.run.addFlags(f)
	f.MarkHidden("daemon") // ww mcp always runs until its client or a signal ends it
	f.StringVar(&o.connect, "connect", "", "Serve a running node's shell: log in through its Terminal with --identity instead of booting (`MULTIADDR`)")
	f.StringVar(&o.http, "http", "", "Serve streamable HTTP at http://ADDR/mcp instead of stdio (`ADDR`)")
	f.BoolVar(&o.httpPublic, "http-public", false, "Allow --http on a non-loopback address")
	f.StringArrayVar(&o.grants, "grant", nil, "Capability granted to each session, optionally only some methods; repeatable (`CAP[:METHOD,...]`)")
	f.SetAnnotation("grant", annDefault, []string{"all"})
	f.DurationVar(&o.evalTimeout, "eval-timeout", mcp.DefaultEvalTimeout, "Time limit of one eval (`DURATION`)")
	return c
}

func runMCP(cmd *cobra.Command, args []string, o *mcpOptions) error {
	grants, err := mcp.ExpandGrants(o.grants)
	if err != nil {
		return err
	}
	if o.evalTimeout <= 0 {
		return fmt.Errorf("--eval-timeout %s: must be positive", o.evalTimeout)
	}
	if o.connect != "" && len(args) > 0 {
		return errors.New("--connect logs in to a running node: it takes no MOUNT")
	}
	var ln net.Listener
	if o.http != "" {
		if ln, err = listenMCP(o.http, o.httpPublic); err != nil {
			return err
		}
		defer ln.Close()
	}

	var mu sync.Mutex
	stdout := lockedWriter{&mu, cmd.OutOrStdout()}
	stderr := lockedWriter{&mu, cmd.ErrOrStderr()}
	log := newLogger(stderr)
	slog.SetDefault(log)

	ctx, stop := signalContext()
	defer stop()

	var t *mcpTarget
	if o.connect != "" {
		t, err = connectMCP(ctx, cmd, o)
	} else {
		// In stdio mode stdout belongs to MCP: pid0's output is logged.
		pid0Out := func(r io.Reader) { io.Copy(stdout, r) }
		if ln == nil {
			pid0Out = func(r io.Reader) { logLines(log, "pid0 stdout", r) }
		}
		t, err = bootMCP(ctx, cmd, args, o, log, pid0Out, stderr)
	}
	if err != nil {
		return err
	}
	defer t.close()

	srv, err := mcp.New(t.root, mcp.Options{Grants: grants, EvalTimeout: o.evalTimeout, Version: version, Logger: log})
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Check(ctx); err != nil {
		return fmt.Errorf("--grant: %w", err)
	}

	served := make(chan error, 1)
	var hs *http.Server
	if ln != nil {
		mux := http.NewServeMux()
		mux.Handle("/mcp", srv.Handler())
		hs = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { served <- hs.Serve(ln) }()
		log.Info("mcp serving", "url", "http://"+ln.Addr().String()+"/mcp", "peer", t.peer)
	} else {
		go func() { served <- srv.Serve(ctx, mcp.Stdio(cmd.InOrStdin(), stdout)) }()
		log.Debug("mcp serving on stdio", "peer", t.peer)
	}

	select {
	case err := <-served:
		if err != nil && ctx.Err() == nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("mcp session ended", "err", err)
		}
	case <-ctx.Done():
	case <-t.done:
		return t.gone()
	}
	if hs != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		hs.Shutdown(sctx)
		cancel()
	}
	return t.finish() // a signal or the end of the client's input is a clean stop
}

// mcpTarget is the Shell that ww mcp serves: pid0's of a node it booted,
// or a Terminal session on a remote node.
type mcpTarget struct {
	root shell.Shell
	peer string
	// done is closed when the shell goes away (pid0 exits, the remote
	// connection ends); gone is then ww's result.
	done   <-chan struct{}
	gone   func() error
	finish func() error // a clean stop
	close  func()
}

// bootMCP boots a node as ww run --daemon does and takes pid0's Shell.
func bootMCP(ctx context.Context, cmd *cobra.Command, args []string, o *mcpOptions, log *slog.Logger, pid0Out func(io.Reader), stderr io.Writer) (*mcpTarget, error) {
	b, err := bootNode(ctx, cmd, args, &o.run, log, false)
	if err != nil {
		return nil, err
	}
	sh, ok := b.pid0.Shell(ctx, 0)
	if !ok {
		b.Close()
		return nil, errors.New("pid0 exports no Shell: ww mcp needs a kernel image (such as std/kernel)")
	}
	go pid0Out(b.pid0.Stdout())
	go func() {
		r := b.pid0.Stderr()
		io.Copy(stderr, r)
		r.Close()
	}()
	d := &driver{pid0: b.pid0}
	return &mcpTarget{
		root: sh,
		peer: b.node.ID().String(),
		done: b.pid0.Done(),
		gone: func() error {
			code, reason, _ := b.pid0.Wait(context.Background())
			log.Warn("pid0 exited", "code", code, "reason", reason)
			return statusOf(int(code))
		},
		finish: func() error { return d.finish(0) },
		close: func() {
			sh.Release()
			b.Close()
		},
	}, nil
}

// connectMCP logs in to the node at --connect through its Terminal
// (§7.6) with the local identity; each MCP session forks the remote
// session's Shell.
func connectMCP(ctx context.Context, cmd *cobra.Command, o *mcpOptions) (*mcpTarget, error) {
	addr, err := ma.NewMultiaddr(o.connect)
	if err != nil {
		return nil, fmt.Errorf("--connect %s: %w", o.connect, err)
	}
	pi, err := peer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("--connect %s: %w (the address must end in /p2p/<peer-id>)", o.connect, err)
	}
	dir, err := dataDir(cmd)
	if err != nil {
		return nil, err
	}
	key, _, err := resolveKey(o.run.identity, dir, slog.Default())
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	rs, err := node.Login(lctx, *pi, key)
	if err != nil {
		return nil, err
	}
	root := shell.Shell(rs.Session.AddRef())
	return &mcpTarget{
		root:   root,
		peer:   pi.ID.String(),
		done:   rs.Done(),
		gone:   func() error { return fmt.Errorf("connection to %s lost", pi.ID) },
		finish: func() error { return nil },
		close: func() {
			root.Release()
			rs.Close()
		},
	}, nil
}

// listenMCP listens on addr for --http, refusing a non-loopback address
// unless public.
func listenMCP(addr string, public bool) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--http %s: %w", addr, err)
	}
	if !public {
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("--http %s: not a loopback address (add --http-public to serve it)", addr)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--http %s: %w", addr, err)
	}
	return ln, nil
}

// logLines logs each line read from r.
func logLines(log *slog.Logger, msg string, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		log.Info(msg, "line", sc.Text())
	}
}
