package membrane

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"log/slog"
	"sync"
	"time"

	"capnproto.org/go/capnp/v3"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
)

// Defaults of TerminalConfig (system design §7.6).
const (
	// DefaultSignTimeout bounds the signer's sign call.
	DefaultSignTimeout = 10 * time.Second
	// DefaultMaxFailures failed logins per caller per DefaultFailureWindow
	// are allowed.
	DefaultMaxFailures = 5
	// DefaultFailureWindow is the rate limiter's window.
	DefaultFailureWindow = time.Minute
	// DefaultMaxSessions is the number of live sessions allowed.
	DefaultMaxSessions = 16
)

// TerminalConfig configures a Terminal. Zero fields take the defaults.
type TerminalConfig struct {
	// Self is the node's own peer id; it is always allowed.
	Self peer.ID
	// Authorized lists further allowed peers (--authorized-peer).
	Authorized []peer.ID
	// SignTimeout bounds the signer's sign call (DefaultSignTimeout).
	SignTimeout time.Duration
	// MaxFailures failed logins per caller within FailureWindow make
	// further logins fail with resourceExhausted until the window slides
	// (DefaultMaxFailures per DefaultFailureWindow).
	MaxFailures int
	// FailureWindow is the rate limiter's sliding window.
	FailureWindow time.Duration
	// MaxSessions is the number of sessions alive at once
	// (DefaultMaxSessions).
	MaxSessions int
	// Now is the clock of the rate limiter (time.Now).
	Now func() time.Time
	// Logger receives login outcomes at debug level (slog.Default()).
	Logger *slog.Logger
}

// Terminal gates a session capability behind a challenge signed with an
// allowed key (system design §7.6). It is the Go object behind any number
// of Terminal capabilities; they share the allow set, the rate limiter and
// the session count. Terminal.login itself is not guarded.
type Terminal struct {
	cell    *epoch.Cell
	session capnp.Client
	cfg     TerminalConfig
	allow   map[peer.ID]struct{}
	log     *slog.Logger

	mu       sync.Mutex
	failures map[string][]time.Time // per caller, within the window
	sessions int
	closed   bool
}

// NewTerminal returns a Terminal handing out session (typically a Membrane
// capability) to callers that pass login. It takes ownership of session;
// Close releases it.
func NewTerminal(cell *epoch.Cell, session capnp.Client, cfg TerminalConfig) *Terminal {
	if cfg.SignTimeout <= 0 {
		cfg.SignTimeout = DefaultSignTimeout
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.FailureWindow <= 0 {
		cfg.FailureWindow = DefaultFailureWindow
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	allow := make(map[peer.ID]struct{}, 1+len(cfg.Authorized))
	if cfg.Self != "" {
		allow[cfg.Self] = struct{}{}
	}
	for _, id := range cfg.Authorized {
		allow[id] = struct{}{}
	}
	return &Terminal{
		cell:     cell,
		session:  session,
		cfg:      cfg,
		allow:    allow,
		log:      log,
		failures: make(map[string][]time.Time),
	}
}

// Client returns a Terminal capability for callers without a transport
// identity (a local pipe); they share one rate-limit bucket. The caller
// releases it.
func (t *Terminal) Client() stem.Terminal {
	return stem.Terminal_ServerToClient(&terminalServer{t: t, caller: ""})
}

// ClientFor returns a Terminal capability for a connection from remote
// (the libp2p peer on the other end of the stream); failed logins count
// against remote. The caller releases it.
func (t *Terminal) ClientFor(remote peer.ID) stem.Terminal {
	return stem.Terminal_ServerToClient(&terminalServer{t: t, caller: string(remote)})
}

// Sessions returns the number of sessions handed out and not yet released.
func (t *Terminal) Sessions() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sessions
}

// Close releases the session capability; later logins fail with
// "unavailable: terminal closed". Sessions already handed out keep working
// until released.
func (t *Terminal) Close() {
	t.mu.Lock()
	closed := t.closed
	t.closed = true
	t.mu.Unlock()
	if !closed {
		t.session.Release()
	}
}

// Login failure details, after "unauthorized: ".
const (
	reasonMissingSigner  = "missing signer"
	reasonPayloadType    = "login auth failed: payload type mismatch"
	reasonChallenge      = "login auth failed: challenge mismatch"
	reasonEpochAdvanced  = "login auth failed: epoch advanced during authentication"
	reasonNotAuthorized  = "login auth failed: key not authorized"
	reasonSignerFailed   = "login auth failed: signer failed"
	reasonTooManySession = "too many sessions (limit %d)"
)

// limited reports whether caller has used up its failed logins.
func (t *Terminal) limited(caller string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.pruneLocked(caller)) >= t.cfg.MaxFailures
}

func (t *Terminal) pruneLocked(caller string) []time.Time {
	cutoff := t.cfg.Now().Add(-t.cfg.FailureWindow)
	fs := t.failures[caller]
	i := 0
	for i < len(fs) && !fs[i].After(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, caller)
	} else {
		t.failures[caller] = fs
	}
	return fs
}

func (t *Terminal) recordFailure(caller string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[caller] = append(t.pruneLocked(caller), t.cfg.Now())
}

// acquire reserves a session slot.
func (t *Terminal) acquire() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return Errorf(CodeUnavailable, "terminal closed")
	}
	if t.sessions >= t.cfg.MaxSessions {
		return Errorf(CodeResourceExhausted, reasonTooManySession, t.cfg.MaxSessions)
	}
	t.sessions++
	return nil
}

func (t *Terminal) releaseSlot() {
	t.mu.Lock()
	t.sessions--
	t.mu.Unlock()
}

// terminalServer serves stem.Terminal for one caller identity.
type terminalServer struct {
	t      *Terminal
	caller string
}

func (s *terminalServer) Login(ctx context.Context, call stem.Terminal_login) error {
	t := s.t
	if t.limited(s.caller) {
		return Errorf(CodeResourceExhausted, "too many failed logins (limit %d per %s)", t.cfg.MaxFailures, t.cfg.FailureWindow)
	}
	signer := call.Args().Signer()
	if !signer.IsValid() {
		return s.fail(reasonMissingSigner)
	}
	signer = signer.AddRef()
	defer signer.Release()
	call.Go() // the signer may take up to SignTimeout

	// (2) challenge: current seq E and 64 random bits n.
	seq := t.cell.Seq()
	var nb [8]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return Errorf(CodeInternal, "nonce: %v", err)
	}
	nonce := binary.BigEndian.Uint64(nb[:])

	// (3) sig = signer.sign(n, E) within SignTimeout.
	sig, err := s.sign(ctx, signer, nonce, seq)
	if err != nil {
		return err
	}

	// (4), (5) envelope under the Terminal domain, payload type.
	id, payload, err := identity.Verify(identity.TerminalDomain, sig)
	switch {
	case errors.Is(err, identity.ErrPayloadTypeMismatch):
		return s.fail(reasonPayloadType)
	case err != nil:
		return s.fail(err.Error()) // "invalid signed envelope: …"
	}
	// (6) payload = n_be ‖ E_be.
	if !bytes.Equal(payload, identity.Challenge(nonce, seq)) {
		return s.fail(reasonChallenge)
	}
	// (7) the epoch must not have moved while the signer worked. Not the
	// caller's fault, so it does not count against the rate limit.
	if t.cell.Seq() != seq {
		return Errorf(CodeUnauthorized, reasonEpochAdvanced)
	}
	// (8) allow set.
	if _, ok := t.allow[id]; !ok {
		return s.fail(reasonNotAuthorized)
	}
	// (9) the session, counted until released.
	if err := t.acquire(); err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		t.releaseSlot()
		return err
	}
	sess := capnp.NewClient(&sessionHook{c: t.session.AddRef(), done: t.releaseSlot})
	t.log.Debug("terminal: login", "peer", id, "caller", peer.ID(s.caller), "epoch", seq)
	return res.SetSession(sess.EncodeAsPtr(res.Segment()))
}

// sign asks the caller's signer to sign the challenge.
func (s *terminalServer) sign(ctx context.Context, signer stem.Signer, nonce, seq uint64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.t.cfg.SignTimeout)
	defer cancel()
	f, release := signer.Sign(ctx, func(p stem.Signer_sign_Params) error {
		p.SetNonce(nonce)
		p.SetEpochSeq(seq)
		return nil
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			s.t.recordFailure(s.caller)
			return nil, deadline("Signer.sign", s.t.cfg.SignTimeout)
		}
		return nil, s.fail(reasonSignerFailed + ": " + err.Error())
	}
	sig, err := res.Sig()
	if err != nil {
		return nil, s.fail(reasonSignerFailed + ": " + err.Error())
	}
	return bytes.Clone(sig), nil
}

// fail counts a failed login against the caller and returns
// "unauthorized: <detail>".
func (s *terminalServer) fail(detail string) error {
	s.t.recordFailure(s.caller)
	s.t.log.Debug("terminal: login failed", "caller", peer.ID(s.caller), "reason", detail)
	return Errorf(CodeUnauthorized, "%s", detail)
}

// sessionHook forwards every call to the session and frees the session
// slot when the last reference to this login's capability is released.
type sessionHook struct {
	c    capnp.Client
	done func()
	once sync.Once
}

func (h *sessionHook) Send(ctx context.Context, s capnp.Send) (*capnp.Answer, capnp.ReleaseFunc) {
	return h.c.SendCall(ctx, s)
}

func (h *sessionHook) Recv(ctx context.Context, r capnp.Recv) capnp.PipelineCaller {
	return h.c.RecvCall(ctx, r)
}

func (h *sessionHook) Brand() capnp.Brand { return capnp.Brand{Value: h} }

func (h *sessionHook) Shutdown() {
	h.once.Do(func() {
		h.c.Release()
		h.done()
	})
}

func (h *sessionHook) String() string { return "membrane.session(" + h.c.String() + ")" }
