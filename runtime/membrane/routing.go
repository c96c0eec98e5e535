package membrane

import (
	"context"

	"capnproto.org/go/capnp/v3/flowcontrol"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	mh "github.com/multiformats/go-multihash"

	"github.com/wetware/ww/capnp/routing"
)

// Routing.findProviders bounds.
const (
	// DefaultProviderCount is the count used when findProviders gets 0.
	DefaultProviderCount = 20
	// MaxProviderCount is the largest count findProviders honours.
	MaxProviderCount = 100
	// SinkFlowLimit is the flow limit put on ProviderSink clients.
	SinkFlowLimit = 1 << 20
)

// Hash returns the key Routing.hash gives data: the CIDv1 of data with the
// raw codec (0x55) and a sha2-256 multihash, as base32 text.
func Hash(data []byte) string {
	sum, err := mh.Sum(data, mh.SHA2_256, -1)
	if err != nil {
		panic(err) // sha2-256 is always registered
	}
	return cid.NewCidV1(cid.Raw, sum).String()
}

// parseKey decodes a routing key, which must be a CID.
func parseKey(key string) (cid.Cid, error) {
	c, err := cid.Decode(key)
	if err != nil {
		return cid.Undef, Errorf(CodeInvalidArgument, "not a CID: %q", key)
	}
	return c, nil
}

// routingServer serves routing.Routing. provide and findProviders are
// guarded; hash is not.
type routingServer struct {
	g Guard
	m *Membrane
}

func (s *routingServer) Hash(_ context.Context, call routing.Routing_hash) error {
	data, err := call.Args().Data()
	if err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetKey(Hash(data))
}

func (s *routingServer) Provide(ctx context.Context, call routing.Routing_provide) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.Routing
	if b == nil {
		return unimplemented("Routing.provide")
	}
	key, err := call.Args().Key()
	if err != nil {
		return err
	}
	c, err := parseKey(key)
	if err != nil {
		return err
	}
	call.Go()
	ctx, cancel := s.m.callContext(ctx)
	defer cancel()
	err = b.Provide(ctx, c, true)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		// "returns when done or at the deadline": the record is stored
		// locally and the announcement continues to be retried by the DHT.
		s.m.log.Debug("routing: provide hit the call deadline", "key", key, "err", err)
		return nil
	}
	return s.m.coded(ctx, err, "Routing.provide", CodeUnavailable, "provide")
}

func (s *routingServer) FindProviders(ctx context.Context, call routing.Routing_findProviders) error {
	if err := s.g.Check(); err != nil {
		return err
	}
	b := s.m.svc.Routing
	if b == nil {
		return unimplemented("Routing.findProviders")
	}
	args := call.Args()
	key, err := args.Key()
	if err != nil {
		return err
	}
	c, err := parseKey(key)
	if err != nil {
		return err
	}
	count := int(args.Count())
	switch {
	case count == 0:
		count = DefaultProviderCount
	case count > MaxProviderCount:
		count = MaxProviderCount
	}
	sink := args.Sink()
	if !sink.IsValid() {
		return Errorf(CodeInvalidArgument, "missing sink")
	}
	sink = sink.AddRef()
	defer sink.Release()
	sink.SetFlowLimiter(flowcontrol.NewFixedLimiter(SinkFlowLimit))

	call.Go()
	// The search runs under the call timeout; the sink calls run under the
	// caller's context so that ending the search does not cancel them.
	sctx, cancel := s.m.callContext(ctx)
	defer cancel()

	sent := 0
	seen := make(map[peer.ID]struct{})
	var sinkErr error
	for pi := range b.FindProvidersAsync(sctx, c, count) {
		if sent >= count || sinkErr != nil {
			continue // drain until the backend notices the cancellation
		}
		if _, dup := seen[pi.ID]; dup || len(pi.Addrs) == 0 {
			continue
		}
		seen[pi.ID] = struct{}{}
		sinkErr = sink.Provider(ctx, func(p routing.ProviderSink_provider_Params) error {
			return fillProvider(p, pi)
		})
		sent++
		if sent >= count || sinkErr != nil {
			cancel()
		}
	}
	if sinkErr == nil {
		sinkErr = sink.WaitStreaming()
	}
	if ctx.Err() != nil {
		return ctx.Err() // the caller went away
	}
	if sinkErr != nil {
		return Errorf(CodeUnavailable, "provider sink: %v", sinkErr)
	}

	// done() follows the last provider, also when the deadline ended the
	// search.
	f, release := sink.Done(ctx, nil)
	defer release()
	if _, err := f.Struct(); err != nil {
		return Errorf(CodeUnavailable, "provider sink: %v", err)
	}
	return nil
}

func fillProvider(p routing.ProviderSink_provider_Params, pi peer.AddrInfo) error {
	info, err := p.NewInfo()
	if err != nil {
		return err
	}
	if err := info.SetPeerId([]byte(pi.ID)); err != nil {
		return err
	}
	addrs, err := info.NewAddrs(int32(len(pi.Addrs)))
	if err != nil {
		return err
	}
	for i, a := range pi.Addrs {
		if err := addrs.Set(i, a.Bytes()); err != nil {
			return err
		}
	}
	return nil
}
