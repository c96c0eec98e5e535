// Package stem ties a node's epoch to an on-chain head pointer, the Atom
// contract (system design §13).
//
// The contract (runtime/stem/contract) holds a monotonic seq and a head, a
// binary IPFS CID; only its owner may move the head, and every move emits
// HeadUpdated. [Writer] deploys it and sets the head; [ReadHead] reads it
// at any block.
//
// A [Follower] watches one contract and advances the node's epoch cell
// (runtime/epoch) when a new head is final. Finality is decided from
// contract state, not from logs: on every new block (and after each
// backfill chunk) it reads head() at the safe block tip − K, K being the
// confirmation depth, and adopts {seq, cid, safe} if seq exceeds the
// current epoch. A head set and then reorganized away before it is K
// blocks deep is therefore never adopted, a re-included transaction is
// adopted once, and seq never decreases: a head() below the current epoch
// (a reorg deeper than K) is logged and ignored. HeadUpdated logs feed a
// pending set keyed by (tx hash, log index) that tracks what is not final
// yet; removed logs, logs whose block left the canonical chain and logs
// the state at the safe block supersedes leave it.
//
// Logs arrive by WebSocket subscription when one is configured, with HTTP
// backfill in 1000-block chunks from a cursor persisted under the data
// directory (<data>/chain/<chainId>-<address>.json), so a restart neither
// misses nor repeats an epoch. Without WebSocket, or while it is
// reconnecting with backoff (1 s to 60 s, ±20 % jitter), the follower
// polls HTTP every 2 s.
package stem
