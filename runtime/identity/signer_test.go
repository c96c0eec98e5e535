package identity

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
	recordpb "github.com/libp2p/go-libp2p/core/record/pb"
	"google.golang.org/protobuf/proto"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	k := mustGenerate(t)
	for _, domain := range []string{TerminalDomain, "a", "example.org", "x-1.y", strings.Repeat("z", 64)} {
		s, err := k.Signer(domain)
		if err != nil {
			t.Fatalf("%q: %v", domain, err)
		}
		if s.Domain() != domain || s.PeerID() != k.PeerID() {
			t.Fatalf("signer %q/%s", s.Domain(), s.PeerID())
		}
		env, err := s.Sign(0xdeadbeefcafef00d, 42)
		if err != nil {
			t.Fatal(err)
		}
		id, payload, err := Verify(domain, env)
		if err != nil {
			t.Fatalf("%q: %v", domain, err)
		}
		if id != k.PeerID() {
			t.Errorf("signer %s, want %s", id, k.PeerID())
		}
		want := []byte{0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xf0, 0x0d, 0, 0, 0, 0, 0, 0, 0, 42}
		if !bytes.Equal(payload, want) || !bytes.Equal(payload, Challenge(0xdeadbeefcafef00d, 42)) {
			t.Errorf("payload %x, want %x", payload, want)
		}
		// The wire form is a plain libp2p envelope with the documented type.
		e, err := record.ConsumeTypedEnvelope(env, &challengeRecord{domain: domain})
		if err != nil || string(e.PayloadType) != "/"+domain+"/challenge" {
			t.Errorf("envelope payload type %q (%v)", e.PayloadType, err)
		}
	}
}

func TestVerifyWrongDomain(t *testing.T) {
	s, _ := mustGenerate(t).Signer("ww-other")
	env, _ := s.Sign(1, 2)
	_, _, err := Verify(TerminalDomain, env)
	if !errors.Is(err, ErrInvalidEnvelope) || !strings.HasPrefix(err.Error(), "invalid signed envelope: ") {
		t.Fatalf("envelope for another domain: %v", err)
	}
}

func TestVerifyTampered(t *testing.T) {
	s, _ := mustGenerate(t).Signer(TerminalDomain)
	env, _ := s.Sign(7, 9)
	payload := Challenge(7, 9)
	at := bytes.Index(env, payload)
	if at < 0 {
		t.Fatal("payload not found in envelope")
	}
	for name, mutate := range map[string]func([]byte){
		"payload":   func(b []byte) { b[at+15] ^= 1 }, // epochSeq 9 -> 8
		"signature": func(b []byte) { b[len(b)-1] ^= 0x40 },
		"pubkey":    func(b []byte) { b[10] ^= 1 },
	} {
		bad := bytes.Clone(env)
		mutate(bad)
		if _, _, err := Verify(TerminalDomain, bad); !errors.Is(err, ErrInvalidEnvelope) {
			t.Errorf("%s tampered: %v", name, err)
		}
	}
	for _, junk := range [][]byte{nil, {}, []byte("not an envelope"), env[:len(env)/2]} {
		if _, _, err := Verify(TerminalDomain, junk); !errors.Is(err, ErrInvalidEnvelope) {
			t.Errorf("malformed %q: %v", junk, err)
		}
	}
}

// foreignRecord lets tests seal envelopes with any payload type and key.
type foreignRecord struct{ domain, codec, payload string }

func (r *foreignRecord) Domain() string                 { return r.domain }
func (r *foreignRecord) Codec() []byte                  { return []byte(r.codec) }
func (r *foreignRecord) MarshalRecord() ([]byte, error) { return []byte(r.payload), nil }
func (r *foreignRecord) UnmarshalRecord([]byte) error   { return nil }

func TestVerifyPayloadTypeMismatch(t *testing.T) {
	k := mustGenerate(t)
	env, err := record.Seal(&foreignRecord{TerminalDomain, "/ww-terminal-membrane/other", string(Challenge(1, 2))}, k.priv)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := env.Marshal()
	if _, _, err := Verify(TerminalDomain, b); err != ErrPayloadTypeMismatch || err.Error() != "payload type mismatch" {
		t.Fatalf("payload type mismatch: %v", err)
	}
}

// TestVerifyAnyKeyType: logins accept any libp2p key, here Ed25519.
func TestVerifyAnyKeyType(t *testing.T) {
	priv, pub, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := record.Seal(&foreignRecord{TerminalDomain, PayloadType(TerminalDomain), string(Challenge(3, 4))}, priv)
	b, _ := env.Marshal()
	id, payload, err := Verify(TerminalDomain, b)
	want, _ := peer.IDFromPublicKey(pub)
	if err != nil || id != want || !bytes.Equal(payload, Challenge(3, 4)) {
		t.Fatalf("ed25519 envelope: %s %x %v", id, payload, err)
	}
}

func TestInvalidDomains(t *testing.T) {
	k := mustGenerate(t)
	env, _ := mustSigner(t, k, TerminalDomain).Sign(1, 1)
	for _, d := range []string{"", "-ww", ".ww", "WW", "ww_term", "ww/term", "ww term", "wé", strings.Repeat("a", 65), "a\x00"} {
		if _, err := k.Signer(d); err == nil || err.Error() != "invalidArgument: invalid signing domain" || err != ErrInvalidDomain {
			t.Errorf("Signer(%q): %v", d, err)
		}
		if _, _, err := Verify(d, env); err != ErrInvalidDomain {
			t.Errorf("Verify(%q): %v", d, err)
		}
	}
	for _, d := range []string{"0", "a-", "a.", "9.b-c", strings.Repeat("a", 64)} {
		if err := ValidateDomain(d); err != nil {
			t.Errorf("ValidateDomain(%q): %v", d, err)
		}
	}
}

func mustSigner(t *testing.T, k *Key, domain string) *Signer {
	t.Helper()
	s, err := k.Signer(domain)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSignatureFormat checks the signature by hand against §7.6: secp256k1
// DER ECDSA over SHA-256 of uvarint(len d)‖d‖uvarint(len t)‖t‖uvarint(len p)‖p,
// so that other implementations can verify it.
func TestSignatureFormat(t *testing.T) {
	k, err := Parse([]byte(oneHex))
	if err != nil {
		t.Fatal(err)
	}
	env, err := mustSigner(t, k, TerminalDomain).Sign(5, 6)
	if err != nil {
		t.Fatal(err)
	}
	e, err := record.UnmarshalEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	var msg recordpb.Envelope
	if err := proto.Unmarshal(env, &msg); err != nil {
		t.Fatal(err)
	}
	var unsigned []byte
	for _, field := range []string{TerminalDomain, "/ww-terminal-membrane/challenge", string(Challenge(5, 6))} {
		unsigned = binary.AppendUvarint(unsigned, uint64(len(field)))
		unsigned = append(unsigned, field...)
	}
	digest := sha256.Sum256(unsigned)
	sig, err := decredecdsa.ParseDERSignature(msg.Signature)
	if err != nil {
		t.Fatalf("signature is not DER: %v", err)
	}
	g, _ := hex.DecodeString(generatorG)
	pub, err := secp256k1.ParsePubKey(g)
	if err != nil {
		t.Fatal(err)
	}
	if !sig.Verify(digest[:], pub) {
		t.Fatal("signature does not verify over the §7.6 byte layout")
	}
	if !e.PublicKey.Equals(k.PublicKey()) {
		t.Fatal("envelope carries another public key")
	}
}
