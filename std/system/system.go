package system

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/rpc"

	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/capnp/routing"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/capnp/system"
)

// ErrNoChannel is returned when the process has no RPC channel: it does
// not run under Wetware, or not as a wasip1 guest.
var ErrNoChannel = errors.New("system: no RPC channel (WW_RPC_FD unset)")

// Caps are the capabilities of one graft, all stamped with the epoch
// current at the time: after an epoch advance they fail with staleEpoch
// and Session.Graft fetches fresh ones.
type Caps struct {
	Host     system.Host
	Executor system.Executor
	IPFS     ipfs.Client
	Routing  routing.Routing
	Identity stem.Identity

	release capnp.ReleaseFunc
}

// Session is a guest's connection to its host.
type Session struct {
	// Membrane is the host's bootstrap capability.
	Membrane stem.Membrane

	mu   sync.Mutex
	caps Caps
	conn *rpc.Conn
}

// Caps returns the capabilities of the newest graft. They stay owned by
// the session: use AddRef to keep one beyond the next Graft.
func (s *Session) Caps() Caps {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caps
}

// Graft calls Membrane.graft (with a null signer) and makes the result the
// session's capabilities, releasing the previous ones.
func (s *Session) Graft(ctx context.Context) (Caps, error) {
	f, release := s.Membrane.Graft(ctx, nil)
	res, err := f.Struct()
	if err != nil {
		release()
		return Caps{}, fmt.Errorf("system: graft: %w", err)
	}
	caps := Caps{
		Host:     res.Host(),
		Executor: res.Executor(),
		IPFS:     res.Ipfs(),
		Routing:  res.Routing(),
		Identity: res.Identity(),
		release:  release,
	}
	s.mu.Lock()
	old := s.caps
	s.caps = caps
	s.mu.Unlock()
	if old.release != nil {
		old.release()
	}
	return caps, nil
}

// Run connects to the host, grafts and runs main with the session; it
// then closes the connection and exits: 0 if main returned nil, else 1
// after printing the error to stderr.
func Run(main func(ctx context.Context, s *Session) error) {
	Serve(capnp.Client{}, main)
}

// Serve is Run that also exports export to the host, which obtains it
// with Process.Bootstrap. Serve takes ownership of export.
func Serve(export capnp.Client, main func(ctx context.Context, s *Session) error) {
	if err := serve(context.Background(), export, main); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serve(ctx context.Context, export capnp.Client, main func(context.Context, *Session) error) error {
	rw, err := dial()
	if err != nil {
		export.Release()
		return err
	}
	s, err := connect(ctx, rw, export)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Graft(ctx); err != nil {
		return err
	}
	return main(ctx, s)
}

// connect starts a Cap'n Proto connection over rw, exporting export
// (which it takes), and bootstraps the host's Membrane.
func connect(ctx context.Context, rw io.ReadWriteCloser, export capnp.Client) (*Session, error) {
	var opts rpc.Options
	if export.IsValid() {
		opts.BootstrapClient = export
	}
	conn := rpc.NewConn(newTransport(rw), &opts)
	m := stem.Membrane(conn.Bootstrap(ctx))
	if err := m.Resolve(ctx); err != nil {
		m.Release()
		_ = conn.Close()
		return nil, fmt.Errorf("system: bootstrap: %w", err)
	}
	return &Session{Membrane: m, conn: conn}, nil
}

// Close releases the session's capabilities and closes the connection.
func (s *Session) Close() error {
	s.mu.Lock()
	caps := s.caps
	s.caps = Caps{}
	s.mu.Unlock()
	if caps.release != nil {
		caps.release()
	}
	s.Membrane.Release()
	return s.conn.Close()
}
