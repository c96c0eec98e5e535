# ipfs.capnp: the IPFS core API as capabilities (design §6.3).
#
# File ID, declaration names, nesting and method ordinals are those of the
# seed schema, so every type ID is unchanged; additions take new ordinals
# only.
#
# Errors travel as "<code>: <detail>" (design §17). GUARDED methods fail
# with exactly "staleEpoch: session epoch no longer current" once the
# epoch differs from the one they were issued under (design §7.2).

@0xba1bf6f9b41aac9a;

using Go = import "/go.capnp";
$Go.package("ipfs");
$Go.import("github.com/wetware/ww/capnp/ipfs");

using System = import "system.capnp";

interface Client {
  # Accessors for the sub-APIs. Every method is GUARDED. Only unixfs,
  # resolvePath and resolveNode are implemented; the other accessors fail
  # with unimplemented.

  unixfs      @0  () -> (api :UnixFS);
  block       @1  () -> (api :Block);
  dag         @2  () -> (api :Dag);
  name        @3  () -> (api :Name);
  key         @4  () -> (api :Key);
  pin         @5  () -> (api :Pin);
  object      @6  () -> (api :Object);
  swarm       @7  () -> (api :Swarm);
  pubSub      @8  () -> (api :PubSub);
  routing     @9  () -> (api :Routing);

  resolvePath @10 (path :Text) -> (resolved :Text, remainder :List(Text));
  # The deepest resolvable /ipfs/<cid> prefix of `path` and the rest.

  resolveNode @11 (path :Text) -> (node :Data);
  # The raw block at `path`.
}

interface UnixFS {
  # Files and directories. Every method is GUARDED. Paths are
  # /ipfs/<cid>[/...], /ipns/<name>[/...] or a bare CID.

  cat @0 (path :Text) -> (data :Data);
  # A whole file (directories fail with invalidArgument; files over
  # 32 MiB with resourceExhausted: use open).

  ls @1 (path :Text) -> (entries :List(Entry));
  # Directory links in DAG order.

  add @2 (data :Data) -> (cid :Text);
  # Import with the Kubo defaults (CIDv0), pin, announce the root.

  open @3 (path :Text) -> (stream :System.ByteStream);
  # (new) Stream a file of any size in 64 KiB chunks.

  addStream @4 (source :System.ByteStream) -> (cid :Text);
  # (new) Like add, reading `source` to EOF without buffering it whole.

  struct Entry {
    name @0 :Text;
    size @1 :UInt64;     # UnixFS file size (as `ipfs ls` prints), not Tsize
    type @2 :EntryType;  # anything but a directory is `file`
    cid  @3 :Data;       # binary CID

    enum EntryType {
      file      @0;
      directory @1;
    }
  }
}

# Sub-APIs without methods yet; their accessors are unimplemented.
interface Block {}
interface Dag {}
interface Name {}
interface Key {}
interface Pin {}
interface Object {}
interface Swarm {}
interface PubSub {}
interface Routing {}
