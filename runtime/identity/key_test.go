package identity

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/mr-tron/base58"
)

// Known vectors for the secret 0x00…01, whose public key is the generator G.
const (
	oneHex      = "0000000000000000000000000000000000000000000000000000000000000001"
	oneBase58   = "11111111111111111111111111111112"
	oneAddress  = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
	onePeerID   = "16Uiu2HAm3cuhhRL2msUuLF62KRSfneFDx94RsuouyW25Ho42cFMq"
	generatorG  = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
	orderHex    = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
	orderM1Hex  = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"
	noZerosHex  = "123456789abcdef1123456789abcdef1123456789abcdef1123456789abcdef1"
	noZerosUHex = "123456789ABCDEF1123456789ABCDEF1123456789ABCDEF1123456789ABCDEF1"
)

// captureLog points the default slog logger at a buffer for the test.
func captureLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

func writeFile(t *testing.T, name, text string, mode fs.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask-proof
		t.Fatal(err)
	}
	return p
}

func secretOf(t *testing.T, k *Key) []byte {
	t.Helper()
	b, err := k.priv.Raw()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKnownVectorSecretOne(t *testing.T) {
	for _, text := range []string{oneHex, oneBase58, "  " + oneBase58 + "\n\n", "\t" + oneHex + "\r\n"} {
		k, err := Load(writeFile(t, "identity", text, 0o600))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if got := k.EthereumAddress().Hex(); got != oneAddress {
			t.Errorf("%q: address %s, want %s", text, got, oneAddress)
		}
		if got := k.EthereumAddress().String(); got != oneAddress {
			t.Errorf("%q: address String %s, want %s", text, got, oneAddress)
		}
		if got := k.PeerID().String(); got != onePeerID {
			t.Errorf("%q: peer id %s, want %s", text, got, onePeerID)
		}
		var buf bytes.Buffer
		if err := Encode(&buf, k); err != nil || buf.String() != oneBase58+"\n" {
			t.Errorf("%q: Encode = %q, %v", text, buf.String(), err)
		}
	}
}

// TestPeerIDByHand derives the peer id of the secret 1 without go-libp2p:
// the identity multihash (code 0x00, length) of the protobuf PublicKey
// message {Type: Secp256k1 (2), Data: compressed G}, in base58btc.
func TestPeerIDByHand(t *testing.T) {
	g, _ := hex.DecodeString(generatorG)
	pb := append([]byte{0x08, 0x02, 0x12, byte(len(g))}, g...)
	mh := append([]byte{0x00, byte(len(pb))}, pb...)
	if got := base58btc(mh); got != onePeerID {
		t.Fatalf("hand-derived peer id %s, want %s", got, onePeerID)
	}
	k, err := Parse([]byte(oneHex))
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := k.PublicKey().Raw()
	if !bytes.Equal(pub, g) {
		t.Fatalf("public key %x, want G", pub)
	}
	if string(k.PeerID()) != string(mh) {
		t.Fatalf("peer id bytes %x, want %x", []byte(k.PeerID()), mh)
	}
}

// base58btc encodes b with the Bitcoin alphabet, independently of the
// base58 package the code under test uses.
func base58btc(b []byte) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int).SetBytes(b)
	var out []byte
	for mod, base := new(big.Int), big.NewInt(58); n.Sign() > 0; {
		n.DivMod(n, base, mod)
		out = append([]byte{alphabet[mod.Int64()]}, out...)
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append([]byte{'1'}, out...)
	}
	return string(out)
}

func TestGeneratedKeys(t *testing.T) {
	for range 8 {
		k, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if id := k.PeerID().String(); !strings.HasPrefix(id, "16Uiu2HA") {
			t.Errorf("peer id %s lacks the 16Uiu2HA prefix", id)
		}
		want, err := peer.IDFromPublicKey(k.PublicKey())
		if err != nil || want != k.PeerID() {
			t.Errorf("peer id %s, IDFromPublicKey %s (%v)", k.PeerID(), want, err)
		}
		// The address equals go-ethereum's, derived from the secret alone.
		ecdsaKey, err := ethcrypto.ToECDSA(secretOf(t, k))
		if err != nil {
			t.Fatal(err)
		}
		if want := ethcrypto.PubkeyToAddress(ecdsaKey.PublicKey); want != k.EthereumAddress() {
			t.Errorf("address %s, go-ethereum %s", k.EthereumAddress(), want)
		}
	}
}

func TestLoadBase58AndHexAgree(t *testing.T) {
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	secret := secretOf(t, k)
	for _, text := range []string{
		base58.Encode(secret) + "\n",
		hex.EncodeToString(secret),
		strings.ToUpper(hex.EncodeToString(secret)) + "\n",
	} {
		got, err := Load(writeFile(t, "k", text, 0o600))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if got.PeerID() != k.PeerID() || got.EthereumAddress() != k.EthereumAddress() {
			t.Errorf("%q: loaded %s/%s, want %s/%s", text, got.PeerID(), got.EthereumAddress(), k.PeerID(), k.EthereumAddress())
		}
	}
}

// TestHexWithoutZeros: a hex key without '0' digits is also valid base58
// text, but 64 base58 characters decode to more than 32 bytes, so the rule
// "base58 of exactly 32 bytes, else 64-char hex" reads it as hex.
func TestHexWithoutZeros(t *testing.T) {
	for _, text := range []string{noZerosHex, noZerosUHex} {
		if strings.ContainsRune(text, '0') {
			t.Fatal("fixture contains 0")
		}
		b58, err := base58.Decode(text)
		if err != nil {
			t.Fatalf("%s should be valid base58: %v", text, err)
		}
		if len(b58) == SecretSize {
			t.Fatalf("%s decodes as base58 to %d bytes", text, len(b58))
		}
		k, err := Load(writeFile(t, "k", text+"\n", 0o600))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := hex.DecodeString(text)
		if got := secretOf(t, k); !bytes.Equal(got, want) {
			t.Fatalf("secret %x, want the hex value %x", got, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	b31 := base58.Encode(bytes.Repeat([]byte{7}, 31))
	b33 := base58.Encode(bytes.Repeat([]byte{7}, 33))
	for _, c := range []struct{ name, text, reason string }{
		{"empty", " \n", "empty key file"},
		{"hex62", oneHex[2:], "wrong length: 62 hex digits, want 64"},
		{"hex66", "00" + oneHex, "wrong length: 66 hex digits, want 64"},
		{"base58-31", b31, "wrong length: base58 text decodes to 31 bytes, want 32"},
		{"base58-33", b33, "wrong length: base58 text decodes to 33 bytes, want 32"},
		{"encoding", "not a key!", "not base58 or hex text"},
		{"hex64-bad", strings.Repeat("g", 63) + "0", "not base58 or hex text"},
		{"zero", strings.Repeat("0", 64), "secret is not a valid secp256k1 scalar"},
		{"order", orderHex, "secret is not a valid secp256k1 scalar"},
	} {
		p := writeFile(t, "identity", c.text, 0o600)
		_, err := Load(p)
		if want := "identity: " + p + ": " + c.reason; err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", c.name, err, want)
		}
	}
	if _, err := Load(orderM1Hex); err == nil {
		t.Error("Load took its argument as key text")
	}
	if _, err := Parse([]byte(orderM1Hex)); err != nil {
		t.Errorf("n-1 is a valid secret: %v", err)
	}

	missing := filepath.Join(t.TempDir(), "nope")
	_, err := Load(missing)
	if want := "identity: " + missing + ": no such file or directory"; err == nil || err.Error() != want || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want %q", err, want)
	}
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || err.Error() != "identity: "+dir+": is a directory" {
		t.Errorf("directory: %v", err)
	}
}

func TestSaveWritesBase58Mode0600(t *testing.T) {
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "sub", "identity")
	if err := Save(p, k, false); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	text, _ := os.ReadFile(p)
	if want := base58.Encode(secretOf(t, k)) + "\n"; string(text) != want {
		t.Errorf("file %q, want %q", text, want)
	}
	// The same file always gives the same peer id and address.
	for range 3 {
		got, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if got.PeerID() != k.PeerID() || got.EthereumAddress() != k.EthereumAddress() {
			t.Fatalf("reload gave %s/%s, want %s/%s", got.PeerID(), got.EthereumAddress(), k.PeerID(), k.EthereumAddress())
		}
	}
}

func TestSaveRefusesOverwriteWithoutForce(t *testing.T) {
	k1, _ := Generate()
	k2, _ := Generate()
	p := writeFile(t, "identity", "keep me\n", 0o644)
	err := Save(p, k1, false)
	if err == nil || !errors.Is(err, fs.ErrExist) || err.Error() != "identity: "+p+": file exists" {
		t.Fatalf("Save over existing file: %v", err)
	}
	if text, _ := os.ReadFile(p); string(text) != "keep me\n" {
		t.Fatalf("file changed to %q", text)
	}
	if err := Save(p, k2, true); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(p)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("forced write left mode %v, want 0600", info.Mode().Perm())
	}
	got, err := Load(p)
	if err != nil || got.PeerID() != k2.PeerID() {
		t.Fatalf("after force: %v, %v", got, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := Save(t.TempDir(), k1, true); err == nil {
		t.Error("forced Save replaced a directory")
	}
}

func TestLooseModeWarns(t *testing.T) {
	log := captureLog(t)
	p := writeFile(t, "identity", oneBase58+"\n", 0o644)
	k, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if k.PeerID().String() != onePeerID {
		t.Fatal("loose file loaded a different key")
	}
	out := log.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "accessible to other users") ||
		!strings.Contains(out, "path="+p) || !strings.Contains(out, "mode=0644") {
		t.Errorf("missing or wrong warning: %q", out)
	}

	log.Reset()
	if _, err := Load(writeFile(t, "identity", oneBase58+"\n", 0o600)); err != nil {
		t.Fatal(err)
	}
	if log.Len() != 0 {
		t.Errorf("0600 file logged %q", log.String())
	}
}

func TestPrintingHidesSecret(t *testing.T) {
	log := captureLog(t)
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	slog.Info("key", "key", k)
	secret := secretOf(t, k)
	var printed bytes.Buffer
	for _, s := range []string{k.String(), k.GoString(), log.String()} {
		printed.WriteString(s)
	}
	for _, enc := range []string{base58.Encode(secret), hex.EncodeToString(secret)} {
		if strings.Contains(printed.String(), enc) {
			t.Fatalf("secret printed: %s", printed.String())
		}
	}
	if !strings.Contains(log.String(), k.PeerID().String()) {
		t.Errorf("log lacks the peer id: %s", log.String())
	}
}
