# system.capnp: the per-node capabilities a graft hands out (design §6.1).
#
# File ID, declaration names, nesting and method ordinals are those of the
# seed schema, so every type ID is unchanged; additions take new ordinals
# and appended fields only (wire-compatible in both directions).
#
# Errors travel as exception reasons of the form "<code>: <detail>"
# (design §17). A method marked GUARDED checks at entry that the session
# epoch it was issued under is still current and otherwise fails with
# exactly "staleEpoch: session epoch no longer current" (design §7.2).
# Work already running when the epoch advances keeps running.

@0xbf5147b78c0e6a2f;

using Go = import "/go.capnp";
$Go.package("system");
$Go.import("github.com/wetware/ww/capnp/system");

struct PeerInfo {
  # A peer as seen by this node.
  peerId @0 :Data;        # binary libp2p peer id
  addrs  @1 :List(Data);  # binary multiaddrs
}

struct Limits {
  # Resource limits for a spawned process (new). Zero means "inherit the
  # caller's or the node's default".
  memoryBytes   @0 :UInt64;
  timeoutMillis @1 :UInt64;
}

interface Host {
  # Node-level operations. Every method is GUARDED; objects obtained from
  # a Host (executor, listener, dialer) inherit its guard.

  id @0 () -> (peerId :Data);
  # This node's binary peer id.

  addrs @1 () -> (addrs :List(Data));
  # The node's listen addresses as binary multiaddrs.

  peers @2 () -> (peers :List(PeerInfo));
  # Connected peers, each with the remote addresses of its open
  # connections.

  executor @3 () -> (executor :Executor);
  # The executor of the graft this Host belongs to.

  network @4 () -> (listener :Listener, dialer :Dialer);
  # Stream-protocol registration and dialing.

  connect @5 (addr :Data) -> ();
  # (new) Dial a binary multiaddr that ends in /p2p/<id>.
}

interface Listener {
  listen @0 (executor :Executor, protocol :Text, handler :Data) -> ();
  # GUARDED. Register /ww/0.1.0/<protocol> (name: 1-64 characters of
  # [A-Za-z0-9._-], no duplicates). The handler wasm is compiled at
  # registration; each inbound stream spawns it through `executor` with
  # the stream wired to its stdin and stdout. The registration ends when
  # the epoch advances or the registering process exits; open streams
  # continue.
}

interface Dialer {
  dial @0 (peer :Data, protocol :Text) -> (stream :ByteStream);
  # GUARDED. Open a stream to `peer` (binary peer id) on
  # /ww/0.1.0/<protocol>; same protocol name rules as Listener.listen.
}

interface Executor {
  # Spawns guest processes. Every method is GUARDED.

  runBytes @0 (wasm :Data, args :List(Text), env :List(Text),
               limits :Limits, bootstrap :Capability) -> (process :Process);
  # Admit, compile and start a wasm module and return at once.
  # `limits` and `bootstrap` are new. A null `bootstrap` gives the child a
  # fresh Membrane over the same epoch cell and services; a non-null one is
  # handed to the child as is (attenuation is the caller's business).

  echo @1 (message :Text) -> (response :Text);
  # Diagnostic: returns "Echo: " followed by `message`.
}

interface Process {
  # A running (or finished) guest. Not guarded: a process outlives the
  # epoch it was started in.

  stdin @0 () -> (stream :ByteStream);
  # Write-only; close() delivers EOF to the child.

  stdout @1 () -> (stream :ByteStream);
  # Read-only; output nobody reads blocks the child once the pipe fills.

  stderr @2 () -> (stream :ByteStream);
  # Read-only view of a bounded ring buffer (the host always drains it).

  wait @3 () -> (exitCode :Int32, reason :Text);
  # Block until exit; idempotent. `reason` is new.

  bootstrap @4 () -> (cap :Capability);
  # (new) The capability the child exported; notFound if none.

  kill @5 () -> ();
  # (new) Terminate the child (exit code 137); a no-op after exit.
}

interface ByteStream {
  # An ordered byte stream. Not guarded. Concurrent reads (and concurrent
  # writes) are serialized.

  read @0 (maxBytes :UInt32) -> (data :Data);
  # Up to min(maxBytes, 64 KiB) bytes; empty data means EOF.
  # maxBytes = 0 fails with invalidArgument.

  write @1 (data :Data) -> ();
  # Write all of `data`; empty data is a no-op.

  close @2 () -> ();
  # Close the write side; idempotent.
}
