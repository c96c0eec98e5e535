// Package node assembles one Wetware node (system design §1): a libp2p host
// (§9), the wazero engine (§5), the epoch cell and the Membrane (§7), and
// boots pid0 from an image (§5.3, §8.1).
//
// A node contacts no address it was not given: there is no bootstrap list,
// no mDNS and no NAT port mapping, relay or hole punching unless
// Config.Swarm (bootstrap peers, "amino", mDNS) or Config.NAT ask for them.
// The swarm (swarm.go, network.go, terminal.go) adds the Kademlia DHT, the
// /ww/0.1.0/<name> stream subprotocols and the Terminal on /ww/0.1.0.
package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/mr-tron/base58"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/wasm"
)

// DefaultPort is the swarm port of `ww run` (TCP and QUIC).
const DefaultPort = 2025

// UserAgent is the identify agent version the node announces.
const UserAgent = "wetware/0.1.0"

// Connection manager watermarks (§9).
const (
	connLow  = 100
	connHigh = 400
)

// Config configures a Node. The zero value is an ephemeral-key node on an
// ephemeral port of every interface with an in-memory compile cache.
type Config struct {
	// Port is the swarm port used when Listen is empty: TCP and QUIC on
	// 0.0.0.0 and, if the machine has IPv6, ::. 0 means any free port;
	// `ww run` passes DefaultPort unless told otherwise.
	Port int
	// Listen replaces the addresses derived from Port. Every bind must
	// succeed.
	Listen []ma.Multiaddr
	// Key is the node key (identity.Resolve); nil means a fresh in-memory
	// key.
	Key *identity.Key
	// DataDir is WW_HOME; the compile cache lives in DataDir/cache/wazero.
	// Empty: compiled code is cached in memory only.
	DataDir string
	// NAT enables UPnP/NAT-PMP port mapping and hole punching (--nat).
	NAT bool
	// Engine configures the wazero engine; its CacheDir defaults from
	// DataDir and its Logger from Logger.
	Engine wasm.Config
	// Membrane tunes the Membrane; its Logger defaults from Logger.
	Membrane membrane.Options
	// LogLevel is passed to pid0 as WW_LOG ("info" if empty).
	LogLevel string
	// Logger receives the node's logs (slog.Default() if nil).
	Logger *slog.Logger

	// Swarm configures discovery and routing (swarm.go).
	Swarm SwarmConfig
	// IPFS configures the embedded IPFS node (ipfs.go).
	IPFS IPFSConfig
	// Stem configures the epoch pipeline (stem.go).
	Stem StemConfig
}

// Node is a running node. Create it with New, then Start it; Close stops
// everything Start started.
type Node struct {
	cfg Config
	log *slog.Logger

	key      *identity.Key
	host     host.Host
	engine   *wasm.Engine
	cell     *epoch.Cell
	membrane *membrane.Membrane

	swarm swarmState
	ipfs  ipfsState
	stem  stemState

	closeOnce sync.Once
	closeErr  error
}

// New returns an unstarted node.
func New(cfg Config) *Node {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Node{cfg: cfg, log: log}
}

// Start brings up the libp2p host, the engine, the epoch cell (epoch 0)
// and the Membrane. On failure everything started so far is closed.
func (n *Node) Start(ctx context.Context) (err error) {
	if n.host != nil {
		return errors.New("node already started")
	}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	n.key = n.cfg.Key
	if n.key == nil {
		if n.key, err = identity.Generate(); err != nil {
			return err
		}
	}
	if n.host, err = newHost(n.cfg, n.key, n.log); err != nil {
		return err
	}
	if err = n.startSwarm(ctx); err != nil {
		return err
	}
	if err = n.startIPFS(ctx); err != nil {
		return err
	}

	ecfg := n.cfg.Engine
	if ecfg.CacheDir == "" && n.cfg.DataDir != "" {
		ecfg.CacheDir = filepath.Join(n.cfg.DataDir, "cache", "wazero")
	}
	if ecfg.Logger == nil {
		ecfg.Logger = n.log
	}
	if n.engine, err = wasm.NewEngine(ctx, ecfg); err != nil {
		return err
	}

	n.cell = epoch.NewCell(epoch.Epoch{})
	mopts := n.cfg.Membrane
	if mopts.Logger == nil {
		mopts.Logger = n.log
	}
	svc := membrane.Services{
		Host:     HostBackend{n.host},
		Executor: ExecutorBackend{n.engine},
		Identity: membrane.KeyIdentity(n.key),
	}
	n.swarm.services(&svc)
	n.ipfs.services(&svc)
	n.membrane = membrane.New(n.cell, svc, mopts)
	if err = n.startStem(ctx); err != nil {
		return err
	}
	n.log.Info("node started", "peer", n.host.ID().String(), "addrs", n.host.Addrs(), "epoch", n.cell.Seq())
	return nil
}

// Close stops the engine (killing every process) and the host. It is
// idempotent.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		var errs []error
		errs = append(errs, n.stopStem())
		if n.engine != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			errs = append(errs, n.engine.Close(ctx))
			cancel()
		}
		errs = append(errs, n.stopIPFS(), n.stopSwarm())
		if n.host != nil {
			errs = append(errs, n.host.Close())
		}
		n.closeErr = errors.Join(errs...)
	})
	return n.closeErr
}

// ID is the node's peer id.
func (n *Node) ID() peer.ID { return n.host.ID() }

// Key is the node key.
func (n *Node) Key() *identity.Key { return n.key }

// Addrs are the host's listen addresses.
func (n *Node) Addrs() []ma.Multiaddr { return n.host.Addrs() }

// AddrInfo is the node's peer id and addresses, for Connect.
func (n *Node) AddrInfo() peer.AddrInfo {
	return peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()}
}

// Host is the libp2p host.
func (n *Node) Host() host.Host { return n.host }

// Engine is the wazero engine.
func (n *Node) Engine() *wasm.Engine { return n.engine }

// Cell is the node's epoch cell.
func (n *Node) Cell() *epoch.Cell { return n.cell }

// Membrane is the Go Membrane whose Client pid0 bootstraps to.
func (n *Node) Membrane() *membrane.Membrane { return n.membrane }

// ListenAddrs returns the addresses Config.Port implies (§9): TCP and QUIC
// on 0.0.0.0 and ::.
func ListenAddrs(port int) (v4, v6 []ma.Multiaddr) {
	mk := func(s string) ma.Multiaddr { return ma.StringCast(s) }
	v4 = []ma.Multiaddr{
		mk(fmt.Sprintf("/ip4/0.0.0.0/tcp/%d", port)),
		mk(fmt.Sprintf("/ip4/0.0.0.0/udp/%d/quic-v1", port)),
	}
	v6 = []ma.Multiaddr{
		mk(fmt.Sprintf("/ip6/::/tcp/%d", port)),
		mk(fmt.Sprintf("/ip6/::/udp/%d/quic-v1", port)),
	}
	return v4, v6
}

func newHost(cfg Config, key *identity.Key, log *slog.Logger) (host.Host, error) {
	priv, err := libp2pKey(key)
	if err != nil {
		return nil, err
	}
	if len(cfg.Listen) > 0 {
		return listenHost(cfg, priv, cfg.Listen)
	}
	v4, v6 := ListenAddrs(cfg.Port)
	h, err := listenHost(cfg, priv, append(append([]ma.Multiaddr{}, v4...), v6...))
	if err == nil {
		return h, nil
	}
	h, err4 := listenHost(cfg, priv, v4)
	if err4 != nil {
		return nil, err
	}
	log.Warn("IPv6 listen addresses skipped", "err", err)
	return h, nil
}

func listenHost(cfg Config, priv crypto.PrivKey, addrs []ma.Multiaddr) (host.Host, error) {
	cm, err := connmgr.NewConnManager(connLow, connHigh)
	if err != nil {
		return nil, err
	}
	opts := []libp2p.Option{
		libp2p.Identity(priv),
		libp2p.ListenAddrs(addrs...),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Security(libp2ptls.ID, libp2ptls.New),
		libp2p.UserAgent(UserAgent),
		libp2p.ConnectionManager(cm),
		libp2p.DisableMetrics(),
	}
	if cfg.NAT {
		opts = append(opts, libp2p.NATPortMap(), libp2p.EnableHolePunching())
	} else {
		opts = append(opts, libp2p.DisableRelay())
	}
	h, err := libp2p.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("swarm: %w", err)
	}
	// libp2p tolerates some failed binds; the design does not (§9).
	if got := h.Network().ListenAddresses(); len(got) < len(addrs) {
		h.Close()
		return nil, fmt.Errorf("swarm: listen on %v: only %v bound", addrs, got)
	}
	return h, nil
}

// libp2pKey derives the libp2p private key from the node key. The identity
// package exports no crypto.PrivKey (by design, the secret leaves it only
// through Save and Encode), so the key is re-read from its key-file form;
// the resulting peer id is checked against Key.PeerID.
func libp2pKey(key *identity.Key) (crypto.PrivKey, error) {
	var buf bytes.Buffer
	if err := identity.Encode(&buf, key); err != nil {
		return nil, err
	}
	secret, err := base58.Decode(strings.TrimSpace(buf.String()))
	buf.Reset()
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	priv, err := crypto.UnmarshalSecp256k1PrivateKey(secret)
	clear(secret)
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	id, err := peer.IDFromPrivateKey(priv)
	if err != nil || id != key.PeerID() {
		return nil, fmt.Errorf("node key: peer id mismatch (%s, %v)", id, err)
	}
	return priv, nil
}
