package stdlib

import (
	"strings"

	"github.com/wetware/ww/lang/value"
)

// The pure native helpers of ww/fs (spec 16.7): IPFS and IPNS paths and CID
// recognition. The file operations (read, ls ...) are Glia code performing
// on the caller's fs capability (glia/fs.glia).
//
// cid? decodes just enough of the multiformats to recognise a CID:
//
//   - CIDv0: 46 base58 characters starting "Qm" that decode to a 34-byte
//     sha2-256 multihash (0x12 0x20 and 32 digest bytes);
//   - CIDv1: multibase prefix 'b' (RFC 4648 base32, lower case, no padding)
//     or 'z' (base58btc), decoding to the varint version 1, a codec varint
//     and a multihash: a code varint, a length varint and exactly that many
//     digest bytes (32 for sha2-256).
//
// Varints are unsigned LEB128, minimally encoded, at most 9 bytes.

func init() {
	moduleTables["ww/fs"] = append(moduleTables["ww/fs"],
		Def{"ipfs-path", 1, 1, wwfsPath("ipfs-path", "/ipfs/"), "The /ipfs/ path of a CID (a path already starting /ipfs/ is kept)."},
		Def{"ipns-path", 1, 1, wwfsPath("ipns-path", "/ipns/"), "The /ipns/ path of a name (a path already starting /ipns/ is kept)."},
		Def{"cid?", 1, 1, wwfsIsCID, "True for a string that is a CIDv0 or a CIDv1 (base32 or base58btc)."},
	)
}

func wwfsPath(name, prefix string) value.BuiltinFunc {
	return func(_ value.Thread, args []value.Value) (value.Value, error) {
		s, err := strArg(name, args[0])
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(s, prefix) {
			return value.MakeString(s), nil
		}
		return value.MakeString(prefix + s), nil
	}
}

func wwfsIsCID(_ value.Thread, args []value.Value) (value.Value, error) {
	s, ok := args[0].(value.String)
	return value.MakeBool(ok && wwfsCID(string(s))), nil
}

// wwfsBase32 decodes RFC 4648 base32 in lower case without padding,
// rejecting impossible lengths and non-zero trailing bits.
func wwfsBase32(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s)*5/8)
	var acc uint32
	var nbits uint
	for i := 0; i < len(s); i++ {
		var d byte
		switch c := s[i]; {
		case 'a' <= c && c <= 'z':
			d = c - 'a'
		case '2' <= c && c <= '7':
			d = c - '2' + 26
		default:
			return nil, false
		}
		acc = acc<<5 | uint32(d)
		nbits += 5
		if nbits >= 8 {
			nbits -= 8
			out = append(out, byte(acc>>nbits))
			acc &= 1<<nbits - 1
		}
	}
	return out, nbits < 5 && acc == 0
}

// wwfsCID reports whether s is a CIDv0 or a CIDv1 in base32 or base58btc.
func wwfsCID(s string) bool {
	if len(s) == 46 && strings.HasPrefix(s, "Qm") {
		b, ok := bytesFromBase58(s)
		return ok && len(b) == 34 && b[0] == 0x12 && b[1] == 0x20
	}
	if len(s) < 2 {
		return false
	}
	var b []byte
	switch s[0] {
	case 'b':
		var ok bool
		if b, ok = wwfsBase32(s[1:]); !ok {
			return false
		}
	case 'z':
		var ok bool
		if b, ok = bytesFromBase58(s[1:]); !ok {
			return false
		}
	default:
		return false
	}
	version, b, ok := wwfsVarint(b)
	if !ok || version != 1 {
		return false
	}
	if _, b, ok = wwfsVarint(b); !ok { // codec
		return false
	}
	code, b, ok := wwfsVarint(b)
	if !ok {
		return false
	}
	n, b, ok := wwfsVarint(b)
	if !ok || uint64(len(b)) != n {
		return false
	}
	return code != 0x12 || n == 32
}

// wwfsVarint reads a minimally encoded unsigned varint of at most 9 bytes.
func wwfsVarint(b []byte) (uint64, []byte, bool) {
	var x uint64
	for i := 0; i < len(b) && i < 9; i++ {
		c := b[i]
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			if c == 0 && i > 0 {
				return 0, nil, false // not minimal
			}
			return x, b[i+1:], true
		}
	}
	return 0, nil, false
}
