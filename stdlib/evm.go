package stdlib

import (
	"encoding/hex"
	"math/bits"
	"strconv"

	"github.com/wetware/ww/lang/value"
)

// The native functions of ww/evm (spec 16.6): the byte encodings of 13.10
// plus Ethereum helpers — addresses and their EIP-55 checksum, ABI
// selectors and words, and RLP.

func init() {
	moduleTables["ww/evm"] = append(moduleTables["ww/evm"],
		bytesHexEncodeDef, bytesHexDecodeDef, bytesBase58EncodeDef, bytesBase58DecodeDef, bytesKeccakDef,
		Def{"address?", 1, 1, evmIsAddress, "True for a string of 0x and 40 hex digits."},
		Def{"checksum-address", 1, 1, evmChecksum, "EIP-55 mixed-case form of an address (string or 20 bytes)."},
		Def{"encode-function-selector", 1, 1, evmSelector, "First 4 bytes of the Keccak-256 of a function signature."},
		Def{"encode-uint256", 1, 1, evmUint256, "32-byte big-endian encoding of a non-negative int."},
		Def{"encode-address", 1, 1, evmEncodeAddress, "32-byte ABI word of an address, left-padded with zeros."},
		Def{"rlp-encode", 1, 1, evmRLPEncode, "RLP of bytes, strings, non-negative ints and lists or vectors of those."},
		Def{"rlp-decode", 1, 1, evmRLPDecode, "Value of RLP bytes: bytes for strings, lists for lists."},
	)
}

// evmMaxDepth bounds the list nesting rlp-decode accepts.
const evmMaxDepth = 10000

// evmHexAddress reports whether s is 0x followed by 40 hex digits.
func evmHexAddress(s string) bool {
	if len(s) != 42 || s[0] != '0' || s[1] != 'x' {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func evmIsAddress(_ value.Thread, args []value.Value) (value.Value, error) {
	s, ok := args[0].(value.String)
	return value.MakeBool(ok && evmHexAddress(string(s))), nil
}

// evmAddressArg unpacks an address: 20 bytes, or 40 hex digits with an
// optional 0x prefix.
func evmAddressArg(ctx string, v value.Value) ([]byte, error) {
	switch x := v.(type) {
	case value.Bytes:
		if len(x) == 20 {
			return []byte(x), nil
		}
	case value.String:
		s := string(x)
		if len(s) == 40 {
			s = "0x" + s
		} else if len(s) == 42 && s[1] == 'X' {
			s = "0x" + s[2:]
		}
		if evmHexAddress(s) {
			b, _ := hex.DecodeString(s[2:])
			return b, nil
		}
	default:
		return nil, value.TypeError(ctx, "string or bytes", v)
	}
	return nil, value.ArgError(ctx, "invalid address "+value.Repr(v))
}

// evmChecksumHex is the EIP-55 form of a 20-byte address.
func evmChecksumHex(addr []byte) string {
	lower := hex.EncodeToString(addr)
	hash := bytesKeccak256([]byte(lower))
	out := []byte("0x" + lower)
	for i := 0; i < len(lower); i++ {
		nibble := hash[i/2] >> 4
		if i%2 == 1 {
			nibble = hash[i/2] & 0xf
		}
		if c := lower[i]; c >= 'a' && nibble >= 8 {
			out[i+2] = c - 'a' + 'A'
		}
	}
	return string(out)
}

func evmChecksum(_ value.Thread, args []value.Value) (value.Value, error) {
	addr, err := evmAddressArg("checksum-address", args[0])
	if err != nil {
		return nil, err
	}
	return value.MakeString(evmChecksumHex(addr)), nil
}

func evmSelector(_ value.Thread, args []value.Value) (value.Value, error) {
	sig, err := strArg("encode-function-selector", args[0])
	if err != nil {
		return nil, err
	}
	return value.MakeBytes(bytesKeccak256([]byte(sig))[:4]), nil
}

func evmUint256(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "encode-uint256"
	n, err := numIntArg(ctx, args[0])
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, value.ArgError(ctx, "negative value "+strconv.FormatInt(n, 10))
	}
	var w [32]byte
	for i := 31; n != 0; i-- {
		w[i] = byte(n)
		n >>= 8
	}
	return value.MakeBytes(w[:]), nil
}

func evmEncodeAddress(_ value.Thread, args []value.Value) (value.Value, error) {
	addr, err := evmAddressArg("encode-address", args[0])
	if err != nil {
		return nil, err
	}
	var w [32]byte
	copy(w[12:], addr)
	return value.MakeBytes(w[:]), nil
}

// evmRLPHeader appends the header of an item whose payload has n bytes;
// offset is 0x80 for strings, 0xc0 for lists.
func evmRLPHeader(buf []byte, offset byte, n int) []byte {
	if n < 56 {
		return append(buf, offset+byte(n))
	}
	size := (bits.Len64(uint64(n)) + 7) / 8
	buf = append(buf, offset+55+byte(size))
	for i := size - 1; i >= 0; i-- {
		buf = append(buf, byte(uint64(n)>>(8*i)))
	}
	return buf
}

func evmRLPString(buf []byte, s string) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(buf, s[0])
	}
	return append(evmRLPHeader(buf, 0x80, len(s)), s...)
}

func evmRLPAppend(buf []byte, v value.Value) ([]byte, error) {
	const ctx = "rlp-encode"
	switch x := v.(type) {
	case value.Bytes:
		return evmRLPString(buf, string(x)), nil
	case value.String:
		return evmRLPString(buf, string(x)), nil
	case value.Int:
		if x < 0 {
			return nil, value.ArgError(ctx, "negative integer "+strconv.FormatInt(int64(x), 10))
		}
		var be [8]byte
		size := (bits.Len64(uint64(x)) + 7) / 8
		for i := 0; i < size; i++ {
			be[7-i] = byte(uint64(x) >> (8 * i))
		}
		return evmRLPString(buf, string(be[8-size:])), nil
	case *value.List, *value.Vector:
		var payload []byte
		var err error
		value.Each(v, func(el value.Value) bool {
			payload, err = evmRLPAppend(payload, el)
			return err == nil
		})
		if err != nil {
			return nil, err
		}
		return append(evmRLPHeader(buf, 0xc0, len(payload)), payload...), nil
	}
	return nil, value.TypeError(ctx, "bytes, string, int or list", v)
}

func evmRLPEncode(_ value.Thread, args []value.Value) (value.Value, error) {
	b, err := evmRLPAppend(nil, args[0])
	if err != nil {
		return nil, err
	}
	return value.MakeBytes(b), nil
}

func evmRLPError(detail string) error {
	return value.NewError("parse", "rlp-decode: "+detail)
}

// evmRLPItem splits the first item off b: whether it is a list, its
// payload and the bytes after it. Non-canonical encodings are rejected.
func evmRLPItem(b []byte) (list bool, payload, rest []byte, err error) {
	if len(b) == 0 {
		return false, nil, nil, evmRLPError("unexpected end of input")
	}
	p := b[0]
	var n uint64
	hdr := 1
	switch {
	case p < 0x80:
		return false, b[:1], b[1:], nil
	case p < 0xb8, p >= 0xc0 && p < 0xf8:
		list = p >= 0xc0
		n = uint64(p - 0x80)
		if list {
			n = uint64(p - 0xc0)
		}
	default:
		list = p >= 0xc0
		size := int(p - 0xb7)
		if list {
			size = int(p - 0xf7)
		}
		if len(b) < 1+size {
			return false, nil, nil, evmRLPError("unexpected end of input")
		}
		if b[1] == 0 {
			return false, nil, nil, evmRLPError("non-canonical size")
		}
		for _, c := range b[1 : 1+size] {
			n = n<<8 | uint64(c)
		}
		if n < 56 {
			return false, nil, nil, evmRLPError("non-canonical size")
		}
		hdr += size
	}
	if n > uint64(len(b)-hdr) {
		return false, nil, nil, evmRLPError("unexpected end of input")
	}
	payload, rest = b[hdr:hdr+int(n)], b[hdr+int(n):]
	if !list && n == 1 && payload[0] < 0x80 {
		return false, nil, nil, evmRLPError("non-canonical single byte")
	}
	return list, payload, rest, nil
}

func evmRLPValue(b []byte, depth int) (value.Value, []byte, error) {
	list, payload, rest, err := evmRLPItem(b)
	if err != nil {
		return nil, nil, err
	}
	if !list {
		return value.MakeBytes(payload), rest, nil
	}
	if depth >= evmMaxDepth {
		return nil, nil, evmRLPError("nesting too deep")
	}
	var items []value.Value
	for len(payload) > 0 {
		var v value.Value
		if v, payload, err = evmRLPValue(payload, depth+1); err != nil {
			return nil, nil, err
		}
		items = append(items, v)
	}
	return value.NewList(items...), rest, nil
}

func evmRLPDecode(_ value.Thread, args []value.Value) (value.Value, error) {
	b, ok := args[0].(value.Bytes)
	if !ok {
		return nil, value.TypeError("rlp-decode", "bytes", args[0])
	}
	v, rest, err := evmRLPValue([]byte(b), 0)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, evmRLPError("trailing bytes after the first item")
	}
	return v, nil
}
