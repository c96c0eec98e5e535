// Package membrane serves Wetware's capabilities: the Membrane that grafts
// them, the epoch guards that revoke them, the Terminal that gates access
// to a session, and every capability server behind a graft (system design
// §6, §7, §17).
//
// # The model
//
// Authority is a capability: whoever holds a Membrane may graft, whoever
// holds a Host may use the node's network, and so on. Nothing is checked
// against an identity once a capability is in hand; the only question a
// guarded method asks is "is the epoch I was issued under still current?".
//
// The node's epoch lives in an [epoch.Cell]. [Membrane.Graft] (the
// Membrane.graft method) creates fresh servers for Identity, Host,
// Executor, ipfs.Client and Routing, each carrying a [Guard] stamped with
// the cell's current seq. A guarded method calls [Guard.Check] at entry
// and fails with exactly "staleEpoch: session epoch no longer current"
// (exception type failed, [ErrStaleEpoch]) once the cell has moved on.
// Objects obtained from a guarded object (Host.executor, Host.network's
// Listener and Dialer, ipfs.Client.unixfs, Identity.signer) carry the same
// guard, so one advance revokes a whole graft, including every copy handed
// to third parties: the check runs in the server, wherever the caller is.
// Work already running is not interrupted. Re-grafting is cheap and
// yields capabilities for the new epoch; several grafts of one epoch are
// all valid.
//
//	Guarded:     Host.*, Listener.listen, Dialer.dial, Executor.*,
//	             Identity.signer, Signer.sign, ipfs.Client.*, UnixFS.*,
//	             Routing.provide, Routing.findProviders
//	Not guarded: Membrane.*, Terminal.login, Process.*, ByteStream.*,
//	             Routing.hash, ProviderSink
//
// Membrane.nextEpoch(after) is a long poll over the cell: it returns as
// soon as the seq differs from after, otherwise the unchanged epoch after
// Options.NextEpochTimeout (60 s). Guests use it to re-graft.
//
// # Backends
//
// The servers are thin: they check the guard, validate arguments, apply
// the call timeout (Options.CallTimeout, 30 s) and map errors, then call a
// Go backend from [Services]: [HostBackend] (libp2p host), [NetworkBackend]
// (stream protocols), [ExecutorBackend] (wazero), [IPFSBackend] (boxo or
// Kubo), [RoutingBackend] (the DHT; go-libp2p's ContentRouting method set)
// and [IdentityBackend] (the node key; [KeyIdentity]). A nil backend makes
// its methods fail with "unimplemented: <Iface>.<method>" (after the guard
// check). Executor.echo and Routing.hash need no backend.
//
// Executor.runBytes with a null bootstrap hands the child a fresh Membrane
// over the same cell and services; a non-null one is passed as is. The
// backend returns a [Process] of Go pipes, served as a Process capability
// whose release kills the child. [Membrane.ReadStream],
// [Membrane.WriteStream] and [Membrane.DuplexStream] serve Go streams as
// ByteStream capabilities; [NewStreamReader] and [NewStreamWriter] adapt
// ByteStream capabilities back to io.
//
// # Errors
//
// Every failure is a Cap'n Proto exception whose reason reads
// "<code>: <detail>" with a [Code] of the catalogue and that code's
// exception type ([Errorf]). Backends may return such errors themselves;
// plain errors get the method's default code. capnp-go prefixes errors on
// the caller's side with the method name ("system.capnp:Host.id: …", plus
// "@0x…@N: " per proxying connection); [Reason] and [CodeOf] strip those
// prefixes.
//
// # Terminal
//
// A [Terminal] hands a session capability (typically a Membrane) to a
// caller that proves control of an allowed key (§7.6): login(signer) asks
// the caller's Signer to sign a fresh 64-bit nonce bound to the current
// epoch seq, verifies the libp2p signed envelope under the
// ww-terminal-membrane domain, its payload type and payload, checks that
// the epoch did not move meanwhile and that the signer's peer id is the
// node's own or configured, and only then returns the session. Failures
// are "unauthorized: …"; five failures per caller per minute and sixteen
// live sessions are the limits ("resourceExhausted: …"). The host's own
// Identity.signer("ww-terminal-membrane") passes. Old signatures are
// useless: the challenge binds nonce and epoch.
//
// # capnp-go caveats
//
// Server objects serve one call at a time unless a method calls
// server.Call.Go; every method here that waits (on a backend, the cell, a
// signer or a stream) does, so a long poll never holds up a graft. No lock
// is held across an RPC.
//
// capnp-go v3.1.0-alpha.2 leaks all capabilities of an RPC return except
// the last one: rpc/answer.go's destroy defers s.Release over a loop
// variable, and the module's go 1.19 loop semantics make every deferred
// call release the last snapshot. Over RPC a graft therefore pins four of
// its five servers (and Host.network its Listener) for the life of the
// process. Building with GOEXPERIMENT=loopvar gives the module per-iteration
// loop variables and fixes it; the tests detect the bug and say so.
//
// This package is host-only (system design §3): guests never import it,
// and it is not part of the wasip1 vet.
package membrane
