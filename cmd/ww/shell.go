package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/spf13/cobra"

	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/repl"
	"github.com/wetware/ww/runtime/node"
)

// loginTimeout bounds connecting, logging in and forking the session.
const loginTimeout = 30 * time.Second

type shellOptions struct {
	identity string
	eval     string
	timeout  time.Duration
}

func newShellCmd() *cobra.Command {
	var o shellOptions
	c := &cobra.Command{
		Use:   "shell [OPTIONS] [MULTIADDR]",
		Short: "Open a shell on a running node",
		Long: `Open a shell on a running node: log in through its Terminal on /ww/0.1.0
with the local identity, fork a session of its kernel shell and drive it
with the same REPL as ww run (script mode when stdin is not a terminal).
Without MULTIADDR the node is found through the run files of the data
directory. (exit) ends only this session; the node keeps running.`,
		Annotations: map[string]string{
			annArguments: "[MULTIADDR]\tThe node, /ip4/…/tcp/…/p2p/<peer-id> [default: the local node]",
		},
		Args: cobra.MaximumNArgs(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return runShell(cmd, args, &o)
		}),
	}
	f := c.Flags()
	f.SortFlags = false
	f.StringVar(&o.identity, "identity", "", "secp256k1 identity file (`PATH`)")
	f.SetAnnotation("identity", annEnv, []string{"WW_IDENTITY"})
	f.StringVarP(&o.eval, "eval", "e", "", "Evaluate EXPR, print the result and exit (`EXPR`)")
	f.DurationVar(&o.timeout, "timeout", 60*time.Second, "Timeout of each evaluation (`DURATION`)")
	return c
}

func runShell(cmd *cobra.Command, args []string, o *shellOptions) error {
	stdin := cmd.InOrStdin()
	var mu sync.Mutex
	stdout := lockedWriter{&mu, cmd.OutOrStdout()}
	stderr := lockedWriter{&mu, cmd.ErrOrStderr()}
	log := newLogger(stderr)
	slog.SetDefault(log) // identity logs through the default

	ctx, stop := signalContext()
	defer stop()

	dir, err := dataDir(cmd)
	if err != nil {
		return err
	}
	key, _, err := resolveKey(o.identity, dir, log)
	if err != nil {
		return err
	}
	var target peer.AddrInfo
	if len(args) == 1 {
		addr, err := ma.NewMultiaddr(args[0])
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		pi, err := peer.AddrInfoFromP2pAddr(addr)
		if err != nil {
			return fmt.Errorf("%s: %w (the address must end in /p2p/<peer-id>)", args[0], err)
		}
		target = *pi
	} else if target, err = localNode(dir, key.PeerID()); err != nil {
		return err
	}

	lctx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	rs, err := node.Login(lctx, target, key)
	if err != nil {
		return err
	}
	defer rs.Close()
	sh, err := fork(lctx, shell.Shell(rs.Session.AddRef()))
	if err != nil {
		return err
	}
	defer sh.Release()

	d := &driver{ctx: ctx, sh: sh, stdout: stdout, stderr: stderr, log: log, timeout: o.timeout, gone: rs.Done()}
	switch {
	case cmd.Flags().Changed("eval"):
		failed, exited, code := d.eval(ctx, o.eval, "")
		if exited {
			return statusOf(code)
		}
		if failed {
			return exitStatus(1)
		}
		return nil
	case isTTY(stdin):
		return statusOf(repl.Run(repl.Config{
			Eval:        &shellEvaluator{d: d},
			HistoryFile: filepath.Join(dir, "history"),
			Stdin:       replStdin(stdin),
			Stdout:      stdout,
			Stderr:      stderr,
		}))
	default:
		code, _ := d.script(stdin)
		return statusOf(code)
	}
}

// fork calls Shell.fork with no grant restriction (§8.5: every remote
// session is a fork). The caller releases the result.
func fork(ctx context.Context, root shell.Shell) (shell.Shell, error) {
	defer root.Release()
	f, release := root.Fork(ctx, func(p shell.Shell_fork_Params) error {
		_, err := p.NewGrants(0)
		return err
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return shell.Shell{}, fmt.Errorf("fork: %w", err)
	}
	return res.Shell().AddRef(), nil
}

// localNode reads the run files of dir (§9): the one node running there,
// or, of several, the one with the local identity.
func localNode(dir string, self peer.ID) (peer.AddrInfo, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "run", "*.json"))
	sort.Strings(files)
	var nodes []peer.AddrInfo
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var rf runFile
		if err := json.Unmarshal(data, &rf); err != nil {
			continue
		}
		var pi peer.AddrInfo
		for _, s := range rf.Addrs {
			addr, err := ma.NewMultiaddr(s)
			if err != nil {
				continue
			}
			if p, err := peer.AddrInfoFromP2pAddr(addr); err == nil {
				pi.ID = p.ID
				pi.Addrs = append(pi.Addrs, p.Addrs...)
			}
		}
		if pi.ID == "" {
			continue
		}
		if pi.ID == self {
			return pi, nil
		}
		nodes = append(nodes, pi)
	}
	switch len(nodes) {
	case 0:
		return peer.AddrInfo{}, fmt.Errorf("no running node found in %s (give a MULTIADDR)", filepath.Join(dir, "run"))
	case 1:
		return nodes[0], nil
	}
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID.String()
	}
	return peer.AddrInfo{}, fmt.Errorf("several running nodes (%s): give a MULTIADDR", strings.Join(ids, ", "))
}
