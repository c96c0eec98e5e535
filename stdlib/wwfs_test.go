package stdlib

import (
	"crypto/sha256"
	"encoding/base32"
	"testing"
)

func TestWWFS(t *testing.T) {
	b32 := func(b []byte) string {
		return "b" + base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding).EncodeToString(b)
	}
	digest := sha256.Sum256([]byte("hello"))
	mh := append([]byte{0x12, 0x20}, digest[:]...)
	v0 := bytesToBase58(mh)
	raw := append([]byte{0x01, 0x55}, mh...)            // CIDv1 raw
	dagpb := append([]byte{0x01, 0x70}, mh...)          // CIDv1 dag-pb
	bigCodec := append([]byte{0x01, 0x91, 0x01}, mh...) // two-byte codec varint
	cases := []numCase{
		{"ipfs-path", va(vs("Qm1")), `"/ipfs/Qm1"`},
		{"ipfs-path", va(vs("/ipfs/Qm1")), `"/ipfs/Qm1"`},
		{"ipns-path", va(vs("k51")), `"/ipns/k51"`},
		{"ipns-path", va(vk("k")), `error: [glia.error/type-mismatch] ipns-path: expected string, got keyword`},
		{"cid?", va(vs("Qmabc")), "false"},
		{"cid?", va(vi(1)), "false"},
		{"cid?", va(vs("")), "false"},
		{"cid?", va(vs("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")), "true"},
		{"cid?", va(vs("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd0")), "false"},
		{"cid?", va(vs(v0)), "true"},
		{"cid?", va(vs("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")), "true"},
		{"cid?", va(vs("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA")), "true"},
		{"cid?", va(vs(b32(raw))), "true"},
		{"cid?", va(vs(b32(dagpb))), "true"},
		{"cid?", va(vs(b32(bigCodec))), "true"},
		{"cid?", va(vs("z" + bytesToBase58(raw))), "true"},
		{"cid?", va(vs(b32(raw[:len(raw)-1]))), "false"},                                       // short digest
		{"cid?", va(vs(b32(append(append([]byte{}, raw...), 0)))), "false"},                    // extra byte
		{"cid?", va(vs(b32(append([]byte{0x02}, raw[1:]...)))), "false"},                       // version 2
		{"cid?", va(vs(b32(append([]byte{0x01, 0x80, 0x00}, mh...)))), "false"},                // non-minimal varint
		{"cid?", va(vs(b32(mh))), "false"},                                                     // v0 multihash in base32
		{"cid?", va(vs(b32(append([]byte{0x01, 0x55, 0x12, 0x10}, digest[:16]...)))), "false"}, // sha2-256 of 16 bytes
		{"cid?", va(vs(b32(append([]byte{0x01, 0x55, 0x00, 0x03}, 'a', 'b', 'c')))), "true"},   // identity multihash
		{"cid?", va(vs("B" + b32(raw)[1:])), "false"},
		{"cid?", va(vs(b32(raw) + "\n")), "false"},
		{"cid?", va(vs(b32(raw) + "=")), "false"},
		{"cid?", va(vs("f01551220" + "00")), "false"},
		{"cid?", va(vs("b")), "false"},
		{"cid?", va(vs("z")), "false"},
	}
	numRun(t, "ww/fs", cases)
}
