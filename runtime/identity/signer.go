package identity

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
)

// TerminalDomain is the signing domain of Terminal logins (§7.6).
const TerminalDomain = "ww-terminal-membrane"

// MaxDomainLen is the longest valid signing domain.
const MaxDomainLen = 64

// Errors reported by signing and verification. Verify wraps the underlying
// cause in ErrInvalidEnvelope, so its message reads
// "invalid signed envelope: …".
var (
	ErrInvalidDomain       = errors.New("invalidArgument: invalid signing domain")
	ErrInvalidEnvelope     = errors.New("invalid signed envelope")
	ErrPayloadTypeMismatch = errors.New("payload type mismatch")
)

// ValidateDomain returns ErrInvalidDomain unless domain is 1–64 characters
// of [a-z0-9.-] beginning with a letter or digit.
func ValidateDomain(domain string) error {
	if len(domain) == 0 || len(domain) > MaxDomainLen {
		return ErrInvalidDomain
	}
	for i := 0; i < len(domain); i++ {
		c := domain[i]
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '-') {
			return ErrInvalidDomain
		}
	}
	return nil
}

// PayloadType returns the envelope payload type of challenges signed under
// domain: "/<domain>/challenge".
func PayloadType(domain string) string { return "/" + domain + "/challenge" }

// Challenge returns the payload a Signer signs: nonce then epochSeq, each
// as 8 big-endian bytes.
func Challenge(nonce, epochSeq uint64) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, nonce)
	binary.BigEndian.PutUint64(b[8:], epochSeq)
	return b
}

// Signer signs login challenges with a node key under one domain. It is
// the host side of the Signer capability; guests hold only a capability
// that calls Sign.
type Signer struct {
	key    *Key
	domain string
}

// Signer returns a signer for domain, or ErrInvalidDomain.
func (k *Key) Signer(domain string) (*Signer, error) {
	if err := ValidateDomain(domain); err != nil {
		return nil, err
	}
	return &Signer{key: k, domain: domain}, nil
}

// Domain returns the signer's domain.
func (s *Signer) Domain() string { return s.domain }

// PeerID returns the peer id of the signing key.
func (s *Signer) PeerID() peer.ID { return s.key.PeerID() }

// Sign returns a marshalled libp2p signed envelope sealed with the node key
// under the signer's domain, with payload type PayloadType(domain) and
// payload Challenge(nonce, epochSeq).
func (s *Signer) Sign(nonce, epochSeq uint64) ([]byte, error) {
	rec := &challengeRecord{
		domain:  s.domain,
		codec:   []byte(PayloadType(s.domain)),
		payload: Challenge(nonce, epochSeq),
	}
	env, err := record.Seal(rec, s.key.priv)
	if err != nil {
		return nil, fmt.Errorf("identity: sign: %w", err)
	}
	return env.Marshal()
}

// Verify opens a marshalled signed envelope under domain. It checks the
// signature (any libp2p key type), then that the payload type is
// PayloadType(domain), and returns the signer's peer id and the payload.
// Errors are ErrInvalidDomain, ErrPayloadTypeMismatch, or wrap
// ErrInvalidEnvelope. The caller compares the payload with the Challenge it
// issued.
func Verify(domain string, envelope []byte) (peer.ID, []byte, error) {
	if err := ValidateDomain(domain); err != nil {
		return "", nil, err
	}
	rec := &challengeRecord{domain: domain}
	env, err := record.ConsumeTypedEnvelope(envelope, rec)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrInvalidEnvelope, err)
	}
	if !bytes.Equal(env.PayloadType, []byte(PayloadType(domain))) {
		return "", nil, ErrPayloadTypeMismatch
	}
	id, err := peer.IDFromPublicKey(env.PublicKey)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrInvalidEnvelope, err)
	}
	return id, rec.payload, nil
}

// challengeRecord is the record.Record sealed by Sign. It is not registered
// with record.RegisterType: Verify names it explicitly, so the process-wide
// registry holds no entry per domain.
type challengeRecord struct {
	domain  string
	codec   []byte
	payload []byte
}

func (r *challengeRecord) Domain() string                 { return r.domain }
func (r *challengeRecord) Codec() []byte                  { return r.codec }
func (r *challengeRecord) MarshalRecord() ([]byte, error) { return r.payload, nil }
func (r *challengeRecord) UnmarshalRecord(b []byte) error {
	r.payload = bytes.Clone(b)
	return nil
}
