package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/spf13/cobra"

	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/image"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/node"
	"github.com/wetware/ww/runtime/wasm"
)

// bootedNode is a started node with pid0 running: what `ww run` and
// `ww mcp` share before they choose how to drive it.
type bootedNode struct {
	node *node.Node
	pid0 *node.Pid0
	// dir is the data directory (locked while the node runs).
	dir     string
	closers []func()
}

// Close kills pid0 and stops the node, in the reverse order of boot.
func (b *bootedNode) Close() {
	for i := len(b.closers) - 1; i >= 0; i-- {
		b.closers[i]()
	}
	b.closers = nil
}

func (b *bootedNode) defer_(f func()) { b.closers = append(b.closers, f) }

// bootNode validates o, locks the data directory, resolves the identity,
// starts the node, merges the image from the mounts in args and boots
// pid0 (§1, §8.1, §12). tty marks pid0 interactive (WW_TTY=1). On error
// everything started is stopped.
func bootNode(ctx context.Context, cmd *cobra.Command, args []string, o *runOptions, log *slog.Logger, tty bool) (_ *bootedNode, err error) {
	b := &bootedNode{}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	cfg, err := o.nodeConfig(log)
	if err != nil {
		return nil, err
	}

	if b.dir, err = dataDir(cmd); err != nil {
		return nil, err
	}
	unlock, err := lockDataDir(b.dir)
	if err != nil {
		return nil, err
	}
	b.defer_(unlock)
	cfg.DataDir = b.dir

	if len(args) == 0 {
		args = []string{"."}
	}
	mounts, err := image.ParseMounts(args)
	if err != nil {
		return nil, err
	}
	idPath, mounts, err := image.IdentityMount(mounts, o.identity)
	if err != nil {
		return nil, err
	}
	flagID := o.identity
	if flagID == "" {
		flagID = idPath
	}
	if cfg.Key, _, err = resolveKey(flagID, b.dir, log); err != nil {
		return nil, err
	}

	mounts, cleanup, err := buildMounts(ctx, mounts, o.wasmDebug, filepath.Join(b.dir, "cache", "build"), log)
	b.defer_(cleanup)
	if err != nil {
		return nil, err
	}

	n := node.New(cfg)
	if err := n.Start(ctx); err != nil {
		return nil, err
	}
	b.node = n
	b.defer_(func() { n.Close() })
	if remove, err := writeRunFile(b.dir, n); err != nil {
		log.Warn("run file not written", "err", err)
	} else {
		b.defer_(remove)
	}

	img, err := image.Build(ctx, mounts, image.Options{IdentityFlag: o.identity, Fetcher: n.IPFSFetcher(), Base: n.StemBase()})
	if err != nil {
		return nil, err
	}
	b.defer_(func() { img.Close() })

	n.FollowImage(img) // the base layer follows the stem head (§7.3)
	if b.pid0, err = n.Boot(ctx, img, node.BootOptions{TTY: tty, Name: strings.Join(args, " ")}); err != nil {
		return nil, err
	}
	b.defer_(b.pid0.Kill)
	return b, nil
}

// resolveKey selects the node key (§11): the flag (or an /etc/identity
// mount), else WW_IDENTITY, else <data>/identity, else an ephemeral key.
func resolveKey(flagPath, dir string, log *slog.Logger) (*identity.Key, identity.Source, error) {
	key, src, err := identity.Resolve(flagPath, os.Getenv("WW_IDENTITY"), dir)
	if err == nil {
		log.Debug("identity", "source", src.String())
	}
	return key, src, err
}

// nodeConfig validates the options and turns them into a node.Config
// (without key and data directory).
func (o *runOptions) nodeConfig(log *slog.Logger) (node.Config, error) {
	memLimit, err := parseSize(o.memLimit)
	if err != nil {
		return node.Config{}, fmt.Errorf("--mem-limit: %w", err)
	}
	maxWasm, err := parseSize(o.maxWasmSize)
	if err != nil {
		return node.Config{}, fmt.Errorf("--max-wasm-size: %w", err)
	}
	var listen []ma.Multiaddr
	for _, s := range o.listen {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			return node.Config{}, fmt.Errorf("--listen %s: %w", s, err)
		}
		listen = append(listen, m)
	}
	boots := o.bootstrap
	if len(boots) == 0 && os.Getenv("WW_BOOTSTRAP") != "" {
		boots = strings.Split(os.Getenv("WW_BOOTSTRAP"), ",")
	}
	if _, _, err := node.ParseBootstrap(boots); err != nil {
		return node.Config{}, fmt.Errorf("--%w", err)
	}
	switch o.dhtMode {
	case node.DHTAuto, node.DHTServer, node.DHTClient:
	default:
		return node.Config{}, fmt.Errorf("--dht-mode %s: want auto, server or client", o.dhtMode)
	}
	var authorized []peer.ID
	for _, s := range o.authorized {
		id, err := peer.Decode(s)
		if err != nil {
			return node.Config{}, fmt.Errorf("--authorized-peer %s: %w", s, err)
		}
		authorized = append(authorized, id)
	}
	stemCfg, err := o.stemConfig()
	if err != nil {
		return node.Config{}, err
	}
	return node.Config{
		Port:   o.port,
		Listen: listen,
		NAT:    o.nat,
		Engine: wasm.Config{
			MemoryLimit: memLimit,
			MaxWasmSize: int(maxWasm),
			MaxProcs:    o.maxProcs,
			Timeout:     o.procTimeout,
			DebugInfo:   o.wasmDebug,
		},
		Membrane: membrane.Options{CallTimeout: o.callTimeout},
		Stem:     stemCfg,
		IPFS:     node.IPFSConfig{API: ipfsAPI(o.ipfsAPI)},
		Swarm: node.SwarmConfig{
			Bootstrap:  boots,
			DHTMode:    o.dhtMode,
			MDNS:       o.mdns,
			Authorized: authorized,
		},
		LogLevel: os.Getenv("WW_LOG"),
		Logger:   log,
	}, nil
}
