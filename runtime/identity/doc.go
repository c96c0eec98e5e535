// Package identity holds the node key: a secp256k1 secret from which the
// node's libp2p peer id and Ethereum address are derived, and with which the
// host signs login challenges (system design §11, §7.6).
//
// # Keys and files
//
// A [Key] is an opaque secp256k1 private key. It is created by [Generate],
// read by [Load] (or [Parse]) and chosen for a node by [Resolve]. A key file
// holds the 32-byte secret as base58btc text plus a newline and is written
// with mode 0600 by [Save]. Loading trims surrounding whitespace and accepts
// base58 text that decodes to exactly 32 bytes, else 64 hex digits; the two
// cannot be confused, because any 64-character base58 string decodes to more
// than 32 bytes. A file readable or writable by group or others still loads,
// with a warning. Every failure names the file: `identity: <path>: <reason>`.
//
// Selection ([Resolve]) follows a fixed order: an explicit path (the
// --identity flag, then WW_IDENTITY), which must exist; otherwise
// <data-dir>/identity if present; otherwise a fresh in-memory key, with a
// warning, since remote Terminal logins then succeed only for keys listed
// with --authorized-peer.
//
// # What is derived from the key
//
//   - [Key.PeerID]: go-libp2p's peer.IDFromPrivateKey. For secp256k1 this is
//     the identity multihash of the protobuf-encoded compressed public key,
//     which prints in base58btc as "16Uiu2HA…".
//   - [Key.EthereumAddress]: go-ethereum's crypto.PubkeyToAddress (Keccak-256
//     of the uncompressed public key, last 20 bytes); its String form is the
//     EIP-55 checksummed hex `ww stem` uses.
//
// # Signing
//
// [Key.Signer] returns a [Signer] bound to one signing domain (1–64
// characters of [a-z0-9.-], alphanumeric first). [Signer.Sign] seals a
// libp2p signed envelope (go-libp2p core/record) whose payload type is
// "/<domain>/challenge" and whose payload is the big-endian nonce followed
// by the big-endian epoch sequence number ([Challenge]). The signature
// covers the domain, the payload type and the payload, so an envelope made
// for one domain never verifies under another. [Verify] is the opposite
// side, used by the Terminal: it checks the signature under a domain and the
// payload type, and returns the signer's peer id and the payload. Any libp2p
// key type verifies; only signing is limited to the node key.
// [TerminalDomain] is the domain of Terminal logins.
//
// # The secret stays on the host
//
// The key never enters WASM: it is not in any guest file, environment
// variable or argument, and guests reach it only through the Identity and
// Signer capabilities, which sign challenges but cannot reveal it. To keep
// that promise easy to audit, nothing in this package hands the secret out
// except [Save] and [Encode], which write it in the key-file format (for a
// file, or for `ww keygen` to print). A Key's String, GoString and slog
// forms show only the peer id.
package identity
