package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p-kad-dht/dual"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/routing"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/runtime/membrane"
)

// DHT modes (--dht-mode, §9).
const (
	// DHTAuto is server mode unless the node joins the public network
	// (bootstrap "amino"), then the public table starts in client mode
	// until the node is publicly reachable.
	DHTAuto = "auto"
	// DHTServer answers queries. Private and test networks: one unfiltered
	// table, so that discovery works between nodes on 127.0.0.1.
	DHTServer = "server"
	// DHTClient only queries.
	DHTClient = "client"
)

// BootstrapAmino names go-libp2p's public bootstrap list (--bootstrap
// amino); BootstrapNone is the default, no bootstrap peer at all.
const (
	BootstrapAmino = "amino"
	BootstrapNone  = "none"
)

// MDNSService is the mDNS service name nodes announce and look for.
const MDNSService = "wetware"

// bootstrapTimeout bounds each bootstrap dial.
const bootstrapTimeout = 10 * time.Second

// SwarmConfig configures discovery and routing (§9). The zero value is a
// server-mode DHT with no bootstrap peer and no mDNS: the node contacts no
// address it was not given.
type SwarmConfig struct {
	// Bootstrap lists peers to join: multiaddrs ending in /p2p/<id>,
	// BootstrapAmino or BootstrapNone (ignored). Unreachable peers are
	// logged, not fatal.
	Bootstrap []string
	// DHTMode is DHTAuto (""), DHTServer or DHTClient.
	DHTMode string
	// MDNS connects to peers announcing MDNSService on the local network.
	MDNS bool
	// Authorized are the peers, besides the node itself, whose keys may
	// log in through the Terminal on /ww/0.1.0 (--authorized-peer).
	Authorized []peer.ID
	// MaxHandlers bounds the concurrent handler processes of each stream
	// protocol (DefaultMaxHandlers if zero); streams beyond it are reset.
	MaxHandlers int
}

// ParseBootstrap validates bootstrap entries (multiaddrs with a peer id,
// "amino" or "none") and returns the peers they name; amino reports
// whether the public list was asked for.
func ParseBootstrap(entries []string) (peers []peer.AddrInfo, amino bool, err error) {
	for _, e := range entries {
		switch e = strings.TrimSpace(e); e {
		case "", BootstrapNone:
			continue
		case BootstrapAmino:
			amino = true
			continue
		}
		addr, err := ma.NewMultiaddr(e)
		if err != nil {
			return nil, false, fmt.Errorf("bootstrap %s: %w", e, err)
		}
		pi, err := peer.AddrInfoFromP2pAddr(addr)
		if err != nil {
			return nil, false, fmt.Errorf("bootstrap %s: %w", e, err)
		}
		peers = append(peers, *pi)
	}
	return peers, amino, nil
}

// swarmState is the node's DHT, mDNS service and stream network.
type swarmState struct {
	n       *Node
	routing contentRouter
	mdns    mdns.Service
	net     *streamNetwork
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// contentRouter is what the node needs of a DHT (single or dual).
type contentRouter interface {
	routing.Routing
	Close() error
}

// startSwarm starts the DHT, connects the bootstrap peers and starts mDNS.
func (n *Node) startSwarm(ctx context.Context) error {
	cfg := n.cfg.Swarm
	boots, amino, err := ParseBootstrap(cfg.Bootstrap)
	if err != nil {
		return err
	}
	if amino {
		boots = append(boots, dht.GetDefaultBootstrapPeerAddrInfos()...)
	}
	log := n.log.With("subsystem", "swarm")
	s := &n.swarm
	s.n = n
	if s.routing, err = newDHT(n.host, cfg.DHTMode, amino); err != nil {
		return fmt.Errorf("dht: %w", err)
	}
	s.net = newStreamNetwork(n, cfg.MaxHandlers, log)
	var sctx context.Context
	sctx, s.cancel = context.WithCancel(context.Background())

	connectBootstrap(ctx, n.host, boots, log)
	if len(boots) > 0 {
		if err := s.routing.Bootstrap(sctx); err != nil {
			log.Warn("dht bootstrap", "err", err)
		}
		if !amino {
			// A connected peer enters the routing table only once identify
			// has confirmed it speaks the DHT; wait for that, so that the
			// node's first provide or find already reaches its peers.
			wctx, cancel := context.WithTimeout(ctx, bootstrapWait)
			for _, pi := range boots {
				if n.host.Network().Connectedness(pi.ID) == network.Connected {
					n.waitRoutingTable(wctx, pi.ID)
				}
			}
			cancel()
		}
	}
	if cfg.MDNS {
		svc := mdns.NewMdnsService(n.host, MDNSService, &mdnsNotifee{ctx: sctx, h: n.host, log: log, wg: &s.wg})
		if err := svc.Start(); err != nil {
			return fmt.Errorf("mdns: %w", err)
		}
		s.mdns = svc
	}
	return nil
}

// newDHT builds the DHT of mode (§9). Server mode (and auto without the
// public network) runs one unfiltered table on the LAN protocol
// /ipfs/lan/kad/1.0.0: the dual DHT's LAN table drops loopback addresses,
// which would make discovery on 127.0.0.1 impossible.
func newDHT(h host.Host, mode string, amino bool) (contentRouter, error) {
	switch mode {
	case "", DHTAuto:
		if !amino {
			return newServerDHT(h)
		}
		return dual.New(h, dual.WanDHTOption(dht.Mode(dht.ModeAuto)))
	case DHTServer:
		return newServerDHT(h)
	case DHTClient:
		return dual.New(h, dual.DHTOption(dht.Mode(dht.ModeClient)))
	}
	return nil, fmt.Errorf("invalid dht mode %q (auto, server or client)", mode)
}

func newServerDHT(h host.Host) (*dht.IpfsDHT, error) {
	return dht.New(h,
		dht.Mode(dht.ModeServer),
		dht.ProtocolExtension(dual.LanExtension),
		dht.QueryFilter(func(any, peer.AddrInfo) bool { return true }),
		dht.RoutingTableFilter(func(any, peer.ID) bool { return true }),
	)
}

// connectBootstrap dials the bootstrap peers in parallel and waits for
// them; failures are logged.
func connectBootstrap(ctx context.Context, h host.Host, peers []peer.AddrInfo, log *slog.Logger) {
	var wg sync.WaitGroup
	for _, pi := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, bootstrapTimeout)
			defer cancel()
			if err := h.Connect(cctx, pi); err != nil {
				log.Warn("bootstrap peer unreachable", "peer", pi.ID.String(), "err", err)
				return
			}
			log.Debug("bootstrap peer connected", "peer", pi.ID.String())
		}()
	}
	wg.Wait()
}

// mdnsNotifee connects the peers mDNS finds.
type mdnsNotifee struct {
	ctx context.Context
	h   host.Host
	log *slog.Logger
	wg  *sync.WaitGroup
}

func (m *mdnsNotifee) HandlePeerFound(pi peer.AddrInfo) {
	if pi.ID == m.h.ID() || m.ctx.Err() != nil {
		return
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		ctx, cancel := context.WithTimeout(m.ctx, bootstrapTimeout)
		defer cancel()
		if err := m.h.Connect(ctx, pi); err != nil {
			m.log.Debug("mdns peer unreachable", "peer", pi.ID.String(), "err", err)
		}
	}()
}

// stopSwarm ends every stream registration and stops mDNS and the DHT.
func (n *Node) stopSwarm() error {
	s := &n.swarm
	if s.cancel == nil {
		return nil
	}
	var errs []error
	if s.net != nil {
		s.net.close()
	}
	if s.mdns != nil {
		errs = append(errs, s.mdns.Close())
	}
	s.cancel()
	s.wg.Wait()
	if s.routing != nil {
		errs = append(errs, s.routing.Close())
	}
	return errors.Join(errs...)
}

// services installs the Network and Routing backends.
func (s *swarmState) services(svc *membrane.Services) {
	if s.routing != nil {
		svc.Routing = s.routing
	}
	if s.net != nil {
		svc.Network = s.net
	}
}

// bootstrapWait bounds how long Start waits for connected bootstrap peers
// to enter the DHT routing table.
const bootstrapWait = 5 * time.Second

// InRoutingTable reports whether id is in the node's DHT routing table (in
// either table of a dual DHT).
func (n *Node) InRoutingTable(id peer.ID) bool {
	switch r := n.swarm.routing.(type) {
	case *dht.IpfsDHT:
		return r.RoutingTable().Find(id) != ""
	case *dual.DHT:
		return r.LAN.RoutingTable().Find(id) != "" || r.WAN.RoutingTable().Find(id) != ""
	}
	return false
}

// waitRoutingTable polls until id is in the routing table or ctx ends,
// and reports which.
func (n *Node) waitRoutingTable(ctx context.Context, id peer.ID) bool {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for !n.InRoutingTable(id) {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

// Routing is the node's content routing (the DHT), or nil before Start.
// The IPFS node provides and finds blocks through it.
func (n *Node) Routing() routing.Routing {
	if n.swarm.routing == nil {
		return nil
	}
	return n.swarm.routing
}
