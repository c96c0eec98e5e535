// Package capnp holds Wetware's Cap'n Proto schemas and, one package per
// schema, the Go code generated from them (system design §6).
//
// # Layout
//
//	capnp/system.capnp   capnp/system   PeerInfo, Limits, Host, Listener, Dialer,
//	                                    Executor, Process, ByteStream
//	capnp/stem.capnp     capnp/stem     Epoch, Signer, Identity, Membrane, Terminal(Session)
//	capnp/ipfs.capnp     capnp/ipfs     Client, UnixFS (with UnixFS.Entry), the empty sub-APIs
//	capnp/routing.capnp  capnp/routing  ProviderInfo, ProviderSink, Routing
//	capnp/shell.capnp    capnp/shell    Shell
//
// Each package is a single generated file, <name>/<name>.capnp.go, that is
// committed and never edited by hand (gofmt checks skip *.capnp.go). stem
// imports system, ipfs and routing for the results of Membrane.graft, and
// ipfs imports system for ByteStream.
//
// The four seed schemas keep the seed's file IDs, declaration names,
// nesting and method ordinals, so every type ID is the seed's; additions
// take new ordinals and appended fields only, which keeps old and new
// peers wire-compatible. shell.capnp uses upstream's later file ID.
// testdata/seed-type-ids.txt lists the IDs and TestSeedTypeIDs checks the
// generated constants against it. The schemas carry no annotations other
// than $Go.package and $Go.import.
//
// capnpc-go renders the generic parameter of Terminal(Session) and the
// :Capability fields (Executor.runBytes's bootstrap, Process.bootstrap) as
// capnp.Ptr and capnp.Client; typed wrappers belong beside the generated
// code, not in it.
//
// # Regenerating
//
// The recipe is gen.sh (also run by go generate ./capnp):
//
//	apt-get install -y capnproto   # Debian's capnp compiler (0.9.x)
//	bash capnp/gen.sh              # rewrites capnp/<name>/<name>.capnp.go
//
// It compiles every *.capnp file in this directory with
//
//	capnp compile --no-standard-import -I<capnp-go module>/std \
//	    -o<go tool -n capnpc-go>:<name> <name>.capnp
//
// where the capnp-go module is the one go.mod requires
// (capnproto.org/go/capnp/v3 v3.1.0-alpha.2) and capnpc-go is the same
// version, pinned by go.mod's tool directive. Debian's capnp ships no
// include files, so /go.capnp and /capnp/stream.capnp (needed by
// ProviderSink.provider's "-> stream") come from the module's std/
// directory. Never use capnp-go's @latest: the module proxy resolves it to
// an old alpha.
//
// TestGeneratedCodeUpToDate runs the same script into a temporary
// directory and fails if any committed file differs. It needs capnp on
// PATH and fails without it, unless WW_SKIP_CAPNP_DRIFT=1 is set.
//
// # Guards
//
// The schema comments say which methods are guarded: they fail with
// "staleEpoch: session epoch no longer current" once the epoch differs
// from the one they were issued under (design §7.2). Guarded: Host.*,
// Listener.listen, Dialer.dial, Executor.*, Identity.signer, Signer.sign,
// ipfs Client.*, UnixFS.*, Routing.provide and Routing.findProviders. Not
// guarded: Membrane.*, Terminal.login, Process.*, ByteStream.*,
// Routing.hash, Shell.* and ProviderSink.
//
// Everything here builds for GOOS=wasip1 as well as for the host.
package capnp

//go:generate bash gen.sh
