package identity

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	ethcommon "github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/mr-tron/base58"

	"github.com/wetware/ww/runtime/internal/atomicfile"
)

// SecretSize is the length in bytes of a secp256k1 secret.
const SecretSize = 32

// FileMode is the permission Save gives a key file.
const FileMode fs.FileMode = 0o600

// curveOrder is n, the order of the secp256k1 group, big-endian. A secret
// must lie in [1, n-1].
var curveOrder = [SecretSize]byte{
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
	0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
}

// Key is a node's secp256k1 private key together with the peer id and
// Ethereum address derived from it. It is safe for concurrent use. Its
// printed forms show the peer id, never the secret.
type Key struct {
	priv *crypto.Secp256k1PrivateKey
	id   peer.ID
	addr ethcommon.Address
}

// Generate returns a new random key.
func Generate() (*Key, error) {
	priv, _, err := crypto.GenerateSecp256k1Key(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("identity: generate: %w", err)
	}
	return newKey(priv.(*crypto.Secp256k1PrivateKey))
}

// Parse decodes the contents of a key file: base58btc text that decodes to
// exactly 32 bytes, else 64 hex digits, with surrounding whitespace ignored.
// The secret must be a valid secp256k1 scalar (non-zero, below the group
// order).
func Parse(text []byte) (*Key, error) {
	s := strings.TrimSpace(string(text))
	if s == "" {
		return nil, errors.New("empty key file")
	}
	secret, err := decodeSecret(s)
	if err != nil {
		return nil, err
	}
	defer clear(secret)
	if isZero(secret) || bytes.Compare(secret, curveOrder[:]) >= 0 {
		return nil, errors.New("secret is not a valid secp256k1 scalar")
	}
	priv, err := crypto.UnmarshalSecp256k1PrivateKey(secret)
	if err != nil {
		return nil, err
	}
	return newKey(priv.(*crypto.Secp256k1PrivateKey))
}

func decodeSecret(s string) ([]byte, error) {
	b58, b58err := base58.Decode(s)
	if b58err == nil && len(b58) == SecretSize {
		return b58, nil
	}
	n := len(b58)
	clear(b58)
	if isHex(s) {
		if len(s) != 2*SecretSize {
			return nil, fmt.Errorf("wrong length: %d hex digits, want %d", len(s), 2*SecretSize)
		}
		return hex.DecodeString(s)
	}
	if b58err == nil {
		return nil, fmt.Errorf("wrong length: base58 text decodes to %d bytes, want %d", n, SecretSize)
	}
	return nil, errors.New("not base58 or hex text")
}

// Load reads the key file at path (see Parse). A file whose permissions
// give group or others any access still loads, with a warning on the
// default slog logger. Errors read `identity: <path>: <reason>`.
func Load(path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, pathError(path, err)
	}
	if info.IsDir() {
		return nil, pathError(path, errors.New("is a directory"))
	}
	text, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, pathError(path, err)
	}
	defer clear(text)
	k, err := Parse(text)
	if err != nil {
		return nil, pathError(path, err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 && runtime.GOOS != "windows" {
		slog.Warn("identity: key file is accessible to other users; run chmod 600",
			"path", path, "mode", fmt.Sprintf("%04o", mode))
	}
	return k, nil
}

// Save writes k to path as base58btc text plus a newline, with mode 0600,
// creating missing parent directories (mode 0700). It refuses to replace
// an existing file unless force is set; that error matches fs.ErrExist.
// A forced write replaces the file atomically.
func Save(path string, k *Key, force bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return pathError(path, err)
	}
	text := k.text()
	defer clear(text)
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
		if err != nil {
			return pathError(path, err)
		}
		if _, err = f.Write(text); err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return pathError(path, err)
		}
		return nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return pathError(path, errors.New("is a directory"))
	}
	if err := atomicfile.Write(path, text, FileMode); err != nil {
		return pathError(path, err)
	}
	return nil
}

// Encode writes k to w in the key-file format, base58btc text plus a
// newline. With Save it is the only way the secret leaves this package;
// `ww keygen` uses it to print a new key.
func Encode(w io.Writer, k *Key) error {
	text := k.text()
	defer clear(text)
	_, err := w.Write(text)
	return err
}

// text returns the key-file form of the secret.
func (k *Key) text() []byte {
	secret, _ := k.priv.Raw() // never fails for secp256k1
	defer clear(secret)
	return append([]byte(base58.Encode(secret)), '\n')
}

func newKey(priv *crypto.Secp256k1PrivateKey) (*Key, error) {
	id, err := peer.IDFromPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	compressed, err := priv.GetPublic().Raw()
	if err != nil {
		return nil, err
	}
	pub, err := ethcrypto.DecompressPubkey(compressed)
	if err != nil {
		return nil, err
	}
	return &Key{priv: priv, id: id, addr: ethcrypto.PubkeyToAddress(*pub)}, nil
}

// PeerID returns the key's libp2p peer id (peer.IDFromPrivateKey), whose
// base58btc form starts with "16Uiu2HA".
func (k *Key) PeerID() peer.ID { return k.id }

// PublicKey returns the key's public half.
func (k *Key) PublicKey() crypto.PubKey { return k.priv.GetPublic() }

// EthereumAddress returns the key's Ethereum account address
// (go-ethereum crypto.PubkeyToAddress). Its String and Hex methods give the
// EIP-55 checksummed form.
func (k *Key) EthereumAddress() ethcommon.Address { return k.addr }

// String returns the peer id in base58btc, so that printing a key never
// reveals the secret.
func (k *Key) String() string { return k.id.String() }

// GoString is like String, for %#v.
func (k *Key) GoString() string { return "identity.Key(" + k.id.String() + ")" }

// LogValue makes slog record the peer id only.
func (k *Key) LogValue() slog.Value { return slog.StringValue(k.id.String()) }

// pathError formats a failure concerning the key file at path as
// `identity: <path>: <reason>`, keeping the cause for errors.Is.
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return fmt.Errorf("identity: %s: %w", path, err)
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
