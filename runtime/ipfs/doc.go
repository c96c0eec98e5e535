// Package ipfs is the node's embedded IPFS peer (system design §10): no
// separate daemon, the node itself speaks bitswap on its own libp2p host
// under its own peer id.
//
// Storage: blocks in a flatfs blockstore at <data>/ipfs/blocks (keyed by
// multihash, Kubo's next-to-last/2 sharding), pins in pebble at
// <data>/ipfs/meta; both in memory when there is no data directory.
// Exchange: bitswap over the host serves every stored block to anyone and
// fetches missing ones from connected peers and, when the node has a
// content router (the DHT), from the providers it finds. Pinned roots are
// announced at start and every ReprovideInterval; what is added is
// announced at once.
//
// Import follows `ipfs add` with Kubo's defaults exactly: CIDv0, 256 KiB
// size chunks, dag-pb leaves, balanced layout with 174 links per node;
// ImportOptions.CidVersion 1 gives CIDv1 with raw leaves. Directories
// (AddDir, `ipfs add -r`) skip hidden entries, keep symbolic links as
// UnixFS symlinks and switch to HAMT shards when Kubo's link-size estimate
// passes 256 KiB. testdata/ipfs/kubo-vectors.json pins the parity with
// CIDs published by Kubo's own tests. Everything added is pinned (under
// the empty pin name); Pin fetches and pins a root under a name of its own
// (the node's stem head), and Unpin removes only a pin of that name, so it
// never drops what was added. Other fetched content is only cached.
//
// Reads stream: Open and Fetch's file system read a file block by block
// (no whole-file buffer), and every fetch is bounded, so content that no
// reachable peer has fails with an error instead of hanging.
//
// Node implements membrane.IPFSBackend (the IPFS capability) and
// image.Fetcher (/ipfs and /ipns image layers, read lazily through
// Fetch's fs.FS).
package ipfs
