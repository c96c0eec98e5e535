package membrane

import (
	"context"
	"io"

	"capnproto.org/go/capnp/v3"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/identity"
)

// Services are the Go backends behind the capability servers. Each field
// is optional: a capability whose backend is nil still exists and still
// checks its guard, and then fails with "unimplemented: <Iface>.<method>".
// Backends are shared by every graft and must be safe for concurrent use.
//
// Backend errors may already carry a catalogue code (a "<code>: …" text,
// e.g. from Errorf); they are passed on with that code. Other errors are
// wrapped with the method's default code (documented per interface), and a
// context deadline becomes "deadlineExceeded: <Iface>.<method> after <d>".
type Services struct {
	// Host serves Host.id, addrs, peers and connect.
	Host HostBackend
	// Network serves Host.network's Listener and Dialer.
	Network NetworkBackend
	// Executor serves Executor.runBytes.
	Executor ExecutorBackend
	// IPFS serves ipfs.Client and UnixFS.
	IPFS IPFSBackend
	// Routing serves Routing.provide and Routing.findProviders.
	Routing RoutingBackend
	// Identity serves Identity.signer and Signer.sign.
	Identity IdentityBackend
}

// HostBackend supplies the node-level facts behind the Host capability
// (typically the libp2p host).
type HostBackend interface {
	// ID returns the node's peer id (Host.id).
	ID() peer.ID
	// Addrs returns the node's listen addresses (Host.addrs).
	Addrs() []ma.Multiaddr
	// Peers returns the connected peers, each with the remote addresses of
	// its open connections (Host.peers).
	Peers() []peer.AddrInfo
	// Connect dials pi (Host.connect). Plain errors become
	// "unavailable: dial <peer>: <err>".
	Connect(ctx context.Context, pi peer.AddrInfo) error
}

// NetworkBackend serves Listener.listen and Dialer.dial (the
// /ww/0.1.0/<protocol> stream protocols). Protocol names reach it already
// validated and without the /ww/0.1.0/ prefix.
type NetworkBackend interface {
	// Listen registers req.Protocol. On success the backend owns
	// req.Executor and must release it when the registration ends, which
	// it must do once the epoch moves past req.Epoch. A duplicate name
	// should fail with Errorf(CodeAlreadyExists, "protocol already
	// registered: %s", name); plain errors become "internal: listen: …".
	Listen(ctx context.Context, req ListenRequest) error
	// Dial opens a stream to peer on protocol. Plain errors become
	// "unavailable: dial <peer>: <err>".
	Dial(ctx context.Context, id peer.ID, protocol string) (Stream, error)
}

// ListenRequest is a validated Listener.listen call.
type ListenRequest struct {
	// Epoch is the seq the Listener was issued under.
	Epoch uint64
	// Protocol is the name registered as /ww/0.1.0/<Protocol>.
	Protocol string
	// Handler is the wasm module run per inbound stream.
	Handler []byte
	// Executor runs the handler; owned by the backend on success.
	Executor system.Executor
}

// Stream is a duplex byte stream such as a libp2p network.Stream or a
// *net.UnixConn. It is served as a ByteStream.
type Stream interface {
	io.Reader
	io.Writer
	// CloseWrite half-closes the stream (ByteStream.close).
	CloseWrite() error
	// Close closes both directions; called when the ByteStream is released.
	Close() error
}

// ExecutorBackend spawns guest processes (Executor.runBytes).
type ExecutorBackend interface {
	// Run admits, compiles and starts req.Wasm and returns at once. On
	// success the backend owns req.Bootstrap and must release it when the
	// process ends. Failures should carry their catalogue code
	// (invalidArgument, invalidWasm, resourceExhausted); plain errors
	// become "internal: runBytes: …".
	Run(ctx context.Context, req RunRequest) (Process, error)
}

// RunRequest is a validated Executor.runBytes call.
type RunRequest struct {
	// Epoch is the seq the Executor was issued under.
	Epoch uint64
	// Wasm is the module binary.
	Wasm []byte
	// Args is the full argv (empty: the backend's default).
	Args []string
	// Env holds KEY=VALUE entries (checked).
	Env []string
	// Limits lowers the node's limits; zero fields inherit.
	Limits Limits
	// Bootstrap is the capability the child's RPC channel bootstraps to:
	// the caller's, or a fresh Membrane over the same cell and services if
	// the caller passed none. Never null.
	Bootstrap capnp.Client
}

// Limits mirrors system.Limits. Zero means inherit.
type Limits struct {
	// MemoryBytes caps the process's linear memory.
	MemoryBytes uint64
	// TimeoutMillis is a wall-clock deadline for the process.
	TimeoutMillis uint64
}

// Process is a running or finished guest as the executor backend sees it.
// It is served as a Process capability; releasing the last reference to
// that capability calls Kill.
type Process interface {
	// Stdin is the write end of the child's stdin; closing it is EOF.
	Stdin() io.WriteCloser
	// Stdout is the read end of the child's stdout.
	Stdout() io.ReadCloser
	// Stderr reads the child's buffered stderr.
	Stderr() io.ReadCloser
	// Wait blocks until the process exits or ctx ends, and is idempotent.
	Wait(ctx context.Context) (exitCode int32, reason string, err error)
	// Bootstrap returns a new reference to the child's exported
	// capability, which the caller releases, or a null client if the child
	// exports none.
	Bootstrap(ctx context.Context) (capnp.Client, error)
	// Kill terminates the child (exit code 137); a no-op after exit.
	Kill()
}

// IPFSBackend serves ipfs.Client and UnixFS. Paths are /ipfs/<cid>[/…],
// /ipns/<name>[/…] or a bare CID. Plain errors become "unavailable: ipfs:
// …"; a missing path should be Errorf(CodeNotFound, "no such path: %s").
type IPFSBackend interface {
	// ResolvePath returns the deepest resolvable /ipfs/<cid> prefix of
	// path and the rest.
	ResolvePath(ctx context.Context, path string) (resolved string, remainder []string, err error)
	// ResolveNode returns the raw block at path.
	ResolveNode(ctx context.Context, path string) ([]byte, error)
	// Cat returns a whole file; a directory is Errorf(CodeInvalidArgument,
	// "is a directory"), a file over MaxCatSize is
	// Errorf(CodeResourceExhausted, "file too large").
	Cat(ctx context.Context, path string) ([]byte, error)
	// Ls lists a directory's links in DAG order.
	Ls(ctx context.Context, path string) ([]Entry, error)
	// Add imports data with the Kubo defaults, pins and announces it, and
	// returns the root CID.
	Add(ctx context.Context, data []byte) (string, error)
	// Open streams a file of any size.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// AddStream is Add reading r to EOF.
	AddStream(ctx context.Context, r io.Reader) (string, error)
}

// MaxCatSize is the largest file UnixFS.cat returns (32 MiB); larger files
// need UnixFS.open.
const MaxCatSize = 32 << 20

// Entry is one directory link of UnixFS.ls.
type Entry struct {
	// Name is the link name.
	Name string
	// Size is the UnixFS file size, not Tsize.
	Size uint64
	// Dir is true for directories; everything else is a file.
	Dir bool
	// Cid is the link's target.
	Cid cid.Cid
}

// RoutingBackend serves Routing.provide and Routing.findProviders. Its
// method set is go-libp2p's routing.ContentRouting, so a kad-dht (or dual)
// DHT satisfies it as is.
type RoutingBackend interface {
	// Provide announces the node as a provider of key. Plain errors become
	// "unavailable: provide: …"; the call deadline is not an error.
	Provide(ctx context.Context, key cid.Cid, announce bool) error
	// FindProvidersAsync streams up to count providers of key and closes
	// the channel when done or when ctx ends.
	FindProvidersAsync(ctx context.Context, key cid.Cid, count int) <-chan peer.AddrInfo
}

// IdentityBackend hands out host-side signers (Identity.signer). The key
// itself never leaves the host: guests get a Signer capability that can
// only call Sign.
type IdentityBackend interface {
	// Signer returns a signer for an already validated domain.
	Signer(domain string) (SignerBackend, error)
}

// SignerBackend signs challenges (Signer.sign). *identity.Signer
// implements it: a libp2p signed envelope over nonce_be‖epochSeq_be with
// payload type /<domain>/challenge.
type SignerBackend interface {
	// Sign returns a marshalled signed envelope over the challenge.
	Sign(nonce, epochSeq uint64) ([]byte, error)
}

// KeyIdentity adapts the node key to an IdentityBackend.
func KeyIdentity(k *identity.Key) IdentityBackend { return keyIdentity{k} }

type keyIdentity struct{ k *identity.Key }

func (ki keyIdentity) Signer(domain string) (SignerBackend, error) {
	s, err := ki.k.Signer(domain)
	if err != nil {
		return nil, err
	}
	return s, nil
}
