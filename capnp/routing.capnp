# routing.capnp: content routing (design §6.4).
#
# File ID, declaration names, nesting and method ordinals are those of the
# seed schema, so every type ID is unchanged; additions take new ordinals
# only.
#
# Errors travel as "<code>: <detail>" (design §17). GUARDED methods fail
# with exactly "staleEpoch: session epoch no longer current" once the
# epoch differs from the one they were issued under (design §7.2).

@0xa7c3e8f1d4b29065;

using Go = import "/go.capnp";
$Go.package("routing");
$Go.import("github.com/wetware/ww/capnp/routing");

struct ProviderInfo {
  # A peer that provides some content.
  peerId @0 :Data;        # binary libp2p peer id
  addrs  @1 :List(Data);  # binary multiaddrs
}

interface ProviderSink {
  # Receives the results of Routing.findProviders. Not guarded. Callers
  # put a flow limiter (1 MiB) on the client.

  provider @0 (info :ProviderInfo) -> stream;
  # One distinct provider with known addresses (a streaming call, so the
  # sender is back-pressured).

  done @1 ();
  # No more providers will follow.
}

interface Routing {
  provide @0 (key :Text) -> ();
  # GUARDED. Announce this node as a provider of `key`, which must be a
  # CID ("invalidArgument: not a CID"). Returns when done or at the
  # deadline.

  findProviders @1 (key :Text, count :UInt32, sink :ProviderSink) -> ();
  # GUARDED. Send up to `count` providers (0 means 20, at most 100) to
  # `sink`, then call sink.done(), then return. At the deadline it calls
  # done() and returns.

  hash @2 (data :Data) -> (key :Text);
  # Not guarded. The CIDv1 (raw codec, sha2-256, base32) of `data`.
}
