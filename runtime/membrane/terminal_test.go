package membrane

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/exc"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"

	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/runtime/identity"
)

// signFunc is a client-side Signer.
type signFunc func(ctx context.Context, nonce, seq uint64) ([]byte, error)

func (f signFunc) Sign(ctx context.Context, call stem.Signer_sign) error {
	call.Go()
	sig, err := f(ctx, call.Args().Nonce(), call.Args().EpochSeq())
	if err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetSig(sig)
}

// keySigner signs like the host's Identity.signer for the Terminal domain.
func keySigner(t *testing.T, k *identity.Key) signFunc {
	t.Helper()
	s, err := k.Signer(identity.TerminalDomain)
	if err != nil {
		t.Fatal(err)
	}
	return func(_ context.Context, nonce, seq uint64) ([]byte, error) { return s.Sign(nonce, seq) }
}

// login calls Terminal.login; a zero signer sends a null one. The caller
// releases the returned Membrane.
func login(ctx context.Context, term stem.Terminal, signer stem.Signer) (stem.Membrane, error) {
	f, release := term.Login(ctx, func(p stem.Terminal_login_Params) error {
		if !signer.IsValid() {
			return nil
		}
		return p.SetSigner(signer)
	})
	defer release()
	res, err := f.Struct()
	if err != nil {
		return stem.Membrane{}, err
	}
	ptr, err := res.Session()
	if err != nil {
		return stem.Membrane{}, err
	}
	return stem.Membrane(ptr.Interface().Client().AddRef()), nil
}

func loginWith(ctx context.Context, term stem.Terminal, f signFunc) (stem.Membrane, error) {
	return login(ctx, term, stem.Signer_ServerToClient(f))
}

// termEnv is a node serving Terminal(Membrane) over a transport.
type termEnv struct {
	n      *node
	term   *Terminal
	remote stem.Terminal
}

func newTermEnv(t *testing.T, tr transport, cfg TerminalConfig) *termEnv {
	t.Helper()
	n := newNode(t, Options{})
	cfg.Self = n.key.PeerID()
	term := NewTerminal(n.cell, capnp.Client(n.m.Client()), cfg)
	t.Cleanup(term.Close) // runs after the connection is closed
	return &termEnv{n: n, term: term, remote: stem.Terminal(connect(t, tr, capnp.Client(term.Client())))}
}

// TestTerminalHostSigner is the §18.6 scenario over every transport: the
// node key logs in, grafts, echoes; an advance revokes that executor;
// re-graft works; the host's own Identity.signer output passes login;
// login after an advance works.
func TestTerminalHostSigner(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			env := newTermEnv(t, tr, TerminalConfig{})
			ctx := testContext(t)

			mem, err := loginWith(ctx, env.remote, keySigner(t, env.n.key))
			if err != nil {
				t.Fatalf("login with the node key: %v", err)
			}
			defer mem.Release()
			c := graftOver(t, ctx, mem)
			if got, err := echo(ctx, c.exec, "hi"); err != nil || got != "Echo: hi" {
				t.Fatalf("echo = %q, %v", got, err)
			}

			// The host's own Identity.signer("ww-terminal-membrane").
			sf, srel := c.identity.Signer(ctx, func(p stem.Identity_signer_Params) error {
				return p.SetDomain(identity.TerminalDomain)
			})
			defer srel()
			mem2, err := login(ctx, env.remote, sf.Signer().AddRef())
			if err != nil {
				t.Fatalf("login with Identity.signer: %v", err)
			}
			defer mem2.Release()
			c2 := graftOver(t, ctx, mem2)
			if _, err := echo(ctx, c2.exec, "x"); err != nil {
				t.Fatal(err)
			}

			env.n.cell.Bump()
			_, err = echo(ctx, c.exec, "x")
			wantStale(t, "executor after advance", err)
			c3 := graftOver(t, ctx, mem)
			if _, err := echo(ctx, c3.exec, "x"); err != nil {
				t.Fatalf("re-graft: %v", err)
			}

			mem3, err := loginWith(ctx, env.remote, keySigner(t, env.n.key))
			if err != nil {
				t.Fatalf("login after advance: %v", err)
			}
			defer mem3.Release()
			c4 := graftOver(t, ctx, mem3)
			if _, err := echo(ctx, c4.exec, "x"); err != nil {
				t.Fatal(err)
			}
			if n := env.term.Sessions(); n != 3 {
				t.Fatalf("%d sessions, want 3", n)
			}
		})
	}
}

// foreignRecord seals a challenge under the Terminal domain with another
// payload type.
type foreignRecord struct{ payload []byte }

func (r *foreignRecord) Domain() string                 { return identity.TerminalDomain }
func (r *foreignRecord) Codec() []byte                  { return []byte("/other/challenge") }
func (r *foreignRecord) MarshalRecord() ([]byte, error) { return r.payload, nil }
func (r *foreignRecord) UnmarshalRecord(b []byte) error { r.payload = b; return nil }

func TestTerminalFailures(t *testing.T) {
	other := mustKey(t)
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		// signer builds the client-side signer; nil means a null signer.
		signer func(t *testing.T, env *termEnv) signFunc
		want   string
		prefix bool
	}{
		{"missing signer", nil, "unauthorized: missing signer", false},
		{"wrong key", func(t *testing.T, _ *termEnv) signFunc { return keySigner(t, other) },
			"unauthorized: login auth failed: key not authorized", false},
		{"malformed bytes", func(*testing.T, *termEnv) signFunc {
			return func(context.Context, uint64, uint64) ([]byte, error) { return bytes.Repeat([]byte{0xFF}, 64), nil }
		}, "unauthorized: invalid signed envelope: ", true},
		{"payload type mismatch", func(*testing.T, *termEnv) signFunc {
			return func(_ context.Context, n, e uint64) ([]byte, error) {
				env, err := record.Seal(&foreignRecord{identity.Challenge(n, e)}, priv)
				if err != nil {
					return nil, err
				}
				return env.Marshal()
			}
		}, "unauthorized: login auth failed: payload type mismatch", false},
		{"epoch 999", func(t *testing.T, env *termEnv) signFunc {
			s := keySigner(t, env.n.key)
			return func(ctx context.Context, n, _ uint64) ([]byte, error) { return s(ctx, n, 999) }
		}, "unauthorized: login auth failed: challenge mismatch", false},
		{"replayed signature", func(t *testing.T, env *termEnv) signFunc {
			// Capture the envelope of an earlier, successful login.
			var captured []byte
			s := keySigner(t, env.n.key)
			ctx := testContext(t)
			mem, err := loginWith(ctx, env.remote, func(ctx context.Context, n, e uint64) ([]byte, error) {
				sig, err := s(ctx, n, e)
				captured = sig
				return sig, err
			})
			if err != nil {
				t.Fatalf("first login: %v", err)
			}
			mem.Release()
			return func(context.Context, uint64, uint64) ([]byte, error) { return captured, nil }
		}, "unauthorized: login auth failed: challenge mismatch", false},
		{"epoch advanced while signing", func(t *testing.T, env *termEnv) signFunc {
			s := keySigner(t, env.n.key)
			return func(ctx context.Context, n, e uint64) ([]byte, error) {
				env.n.cell.Bump()
				return s(ctx, n, e)
			}
		}, "unauthorized: login auth failed: epoch advanced during authentication", false},
		{"signer error", func(*testing.T, *termEnv) signFunc {
			return func(context.Context, uint64, uint64) ([]byte, error) { return nil, errors.New("no") }
		}, "unauthorized: login auth failed: signer failed: ", true},
	}
	for _, tr := range transports {
		for _, tc := range cases {
			t.Run(tr.name+"/"+tc.name, func(t *testing.T) {
				env := newTermEnv(t, tr, TerminalConfig{})
				ctx := testContext(t)
				var signer stem.Signer
				if tc.signer != nil {
					signer = stem.Signer_ServerToClient(tc.signer(t, env))
				}
				mem, err := login(ctx, env.remote, signer)
				if err == nil {
					mem.Release()
					t.Fatalf("login succeeded, want %q", tc.want)
				}
				r := wireReason(err)
				if tc.prefix && !strings.HasPrefix(r, tc.want) || !tc.prefix && r != tc.want {
					t.Fatalf("login: %q, want %q", r, tc.want)
				}
				if exc.TypeOf(err) != exc.Failed {
					t.Fatalf("exception type %v, want failed", exc.TypeOf(err))
				}
				// A valid login still works afterwards (one failure is
				// below the rate limit).
				mem, err = loginWith(ctx, env.remote, keySigner(t, env.n.key))
				if err != nil {
					t.Fatalf("valid login after failure: %v", err)
				}
				mem.Release()
			})
		}
	}
}

// TestTerminalAuthorizedPeer: a configured peer may log in with its own
// key (any key type).
func TestTerminalAuthorizedPeer(t *testing.T) {
	other := mustKey(t)
	env := newTermEnv(t, transports[1], TerminalConfig{Authorized: []peer.ID{other.PeerID()}})
	ctx := testContext(t)
	mem, err := loginWith(ctx, env.remote, keySigner(t, other))
	if err != nil {
		t.Fatalf("authorized peer: %v", err)
	}
	mem.Release()
}

// fakeClock is the rate limiter's clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestTerminalRateLimit: 5 failed logins per caller per minute.
func TestTerminalRateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	env := newTermEnv(t, transports[0], TerminalConfig{Now: clock.Now})
	ctx := testContext(t)
	bad := func(context.Context, uint64, uint64) ([]byte, error) { return bytes.Repeat([]byte{0xFF}, 64), nil }

	for i := range DefaultMaxFailures {
		if _, err := loginWith(ctx, env.remote, bad); CodeOf(err) != CodeUnauthorized {
			t.Fatalf("failure %d: %v", i+1, err)
		}
		clock.Add(time.Second)
	}
	// Even a valid signer is refused now, without being asked to sign.
	asked := false
	good := keySigner(t, env.n.key)
	_, err := loginWith(ctx, env.remote, func(ctx context.Context, n, e uint64) ([]byte, error) {
		asked = true
		return good(ctx, n, e)
	})
	if wireReason(err) != "resourceExhausted: too many failed logins (limit 5 per 1m0s)" || exc.TypeOf(err) != exc.Overloaded {
		t.Fatalf("6th login: %v (type %v)", err, exc.TypeOf(err))
	}
	if asked {
		t.Fatal("rate-limited login asked the signer")
	}

	// Another caller (another remote peer) has its own budget.
	other := stem.Terminal(connect(t, transports[0], capnp.Client(env.term.ClientFor(mustKey(t).PeerID()))))
	mem, err := loginWith(ctx, other, good)
	if err != nil {
		t.Fatalf("other caller: %v", err)
	}
	mem.Release()

	// The window slides: after a minute the caller may try again.
	clock.Add(time.Minute)
	mem, err = loginWith(ctx, env.remote, good)
	if err != nil {
		t.Fatalf("after the window: %v", err)
	}
	mem.Release()
}

// TestTerminalSessionLimit: at most MaxSessions live sessions; releasing
// one frees its slot.
func TestTerminalSessionLimit(t *testing.T) {
	env := newTermEnv(t, transports[1], TerminalConfig{MaxSessions: 2})
	ctx := testContext(t)
	good := keySigner(t, env.n.key)

	a, err := loginWith(ctx, env.remote, good)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := loginWith(ctx, env.remote, good)
	if err != nil {
		t.Fatal(err)
	}
	_, err = loginWith(ctx, env.remote, good)
	if wireReason(err) != "resourceExhausted: too many sessions (limit 2)" || exc.TypeOf(err) != exc.Overloaded {
		t.Fatalf("third session: %v", err)
	}

	b.Release()
	deadline := time.Now().Add(5 * time.Second)
	for env.term.Sessions() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("released session still counted: %d", env.term.Sessions())
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := loginWith(ctx, env.remote, good)
	if err != nil {
		t.Fatalf("login after a release: %v", err)
	}
	c.Release()
}

// TestTerminalDefaultDefaults pins the §7.6 numbers.
func TestTerminalDefaults(t *testing.T) {
	term := NewTerminal(nil, capnp.Client{}, TerminalConfig{})
	defer term.Close()
	if term.cfg.SignTimeout != 10*time.Second || term.cfg.MaxFailures != 5 ||
		term.cfg.FailureWindow != time.Minute || term.cfg.MaxSessions != 16 {
		t.Fatalf("defaults %+v", term.cfg)
	}
}

// TestTerminalSignTimeout: a signer that never answers fails the login at
// the sign timeout.
func TestTerminalSignTimeout(t *testing.T) {
	env := newTermEnv(t, transports[2], TerminalConfig{SignTimeout: 100 * time.Millisecond})
	ctx := testContext(t)
	_, err := loginWith(ctx, env.remote, func(ctx context.Context, _, _ uint64) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if wireReason(err) != "deadlineExceeded: Signer.sign after 100ms" {
		t.Fatalf("login: %v", err)
	}
}

// TestTerminalConcurrentLogins: logins wait for their signers
// concurrently (a barrier that needs all of them signing at once).
func TestTerminalConcurrentLogins(t *testing.T) {
	const n = 4
	env := newTermEnv(t, transports[0], TerminalConfig{})
	ctx := testContext(t)
	good := keySigner(t, env.n.key)

	var barrier sync.WaitGroup
	barrier.Add(n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mem, err := loginWith(ctx, env.remote, func(ctx context.Context, nonce, seq uint64) ([]byte, error) {
				barrier.Done()
				barrier.Wait()
				return good(ctx, nonce, seq)
			})
			if err != nil {
				t.Error(err)
				return
			}
			mem.Release()
		}()
	}
	wg.Wait()
}
