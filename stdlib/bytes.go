package stdlib

import (
	"encoding/hex"
	"strconv"
	"strings"

	"golang.org/x/crypto/sha3"

	"github.com/wetware/ww/lang/value"
)

// Bytes and encodings (spec 13.10). The same functions are also exported
// by ww/evm (evm.go).

func init() { tables = append(tables, bytesDefs) }

var bytesDefs = []Def{
	{"bytes", 1, 1, bytesMake, "UTF-8 bytes of a string, bytes of a seqable of ints 0-255, or bytes unchanged."},
	bytesHexEncodeDef,
	bytesHexDecodeDef,
	bytesBase58EncodeDef,
	bytesBase58DecodeDef,
	bytesKeccakDef,
}

var (
	bytesHexEncodeDef    = Def{"hex-encode", 1, 1, bytesHexEncode, "Lowercase hex of bytes or of a string's UTF-8, no prefix."}
	bytesHexDecodeDef    = Def{"hex-decode", 1, 1, bytesHexDecode, "Bytes of an even-length hex string, optional 0x prefix, either case."}
	bytesBase58EncodeDef = Def{"base58-encode", 1, 1, bytesBase58Encode, "Base58 (Bitcoin alphabet) of bytes or of a string's UTF-8."}
	bytesBase58DecodeDef = Def{"base58-decode", 1, 1, bytesBase58Decode, "Bytes of a base58 (Bitcoin alphabet) string."}
	bytesKeccakDef       = Def{"keccak256", 1, 1, bytesKeccak, "32-byte Keccak-256 (Ethereum's) of bytes or of a string's UTF-8."}
)

// bytesArg unpacks a bytes argument, or a string as its UTF-8.
func bytesArg(ctx string, v value.Value) (string, error) {
	switch x := v.(type) {
	case value.Bytes:
		return string(x), nil
	case value.String:
		return string(x), nil
	}
	return "", value.TypeError(ctx, "bytes or string", v)
}

func bytesMake(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "bytes"
	switch x := args[0].(type) {
	case value.Bytes:
		return x, nil
	case value.String:
		return value.Bytes(x), nil
	}
	if !value.IsSeqable(args[0]) {
		return nil, value.TypeError(ctx, "string, bytes or sequence", args[0])
	}
	n := value.Count(args[0])
	buf := make([]byte, 0, max(n, 0))
	var err error
	value.Each(args[0], func(x value.Value) bool {
		i, ok := x.(value.Int)
		switch {
		case !ok:
			err = value.TypeError(ctx, "int", x)
		case i < 0 || i > 255:
			err = value.ArgError(ctx, "byte value out of range: "+strconv.FormatInt(int64(i), 10))
		default:
			buf = append(buf, byte(i))
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return value.MakeBytes(buf), nil
}

func bytesHexEncode(_ value.Thread, args []value.Value) (value.Value, error) {
	b, err := bytesArg("hex-encode", args[0])
	if err != nil {
		return nil, err
	}
	return value.MakeString(hex.EncodeToString([]byte(b))), nil
}

// bytesFromHex decodes even-length hex with an optional 0x or 0X prefix.
func bytesFromHex(s string) ([]byte, bool) {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}

func bytesHexDecode(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "hex-decode"
	s, err := strArg(ctx, args[0])
	if err != nil {
		return nil, err
	}
	b, ok := bytesFromHex(s)
	if !ok {
		return nil, value.NewError("parse", ctx+": invalid hex string")
	}
	return value.MakeBytes(b), nil
}

const bytesB58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var bytesB58Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(bytesB58Alphabet); i++ {
		t[bytesB58Alphabet[i]] = int8(i)
	}
	return
}()

// bytesToBase58 encodes b in the Bitcoin alphabet, each leading zero byte
// as '1'.
func bytesToBase58(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// log(256)/log(58) < 1.38
	size := (len(b)-zeros)*138/100 + 1
	digits := make([]byte, size) // base-58 digits, most significant first
	high := size - 1
	for _, c := range b[zeros:] {
		carry := int(c)
		j := size - 1
		for ; j >= 0 && (j > high || carry != 0); j-- {
			carry += 256 * int(digits[j])
			digits[j] = byte(carry % 58)
			carry /= 58
		}
		high = j
	}
	i := 0
	for i < size && digits[i] == 0 {
		i++
	}
	var sb strings.Builder
	sb.Grow(zeros + size - i)
	for range zeros {
		sb.WriteByte('1')
	}
	for _, d := range digits[i:] {
		sb.WriteByte(bytesB58Alphabet[d])
	}
	return sb.String()
}

// bytesFromBase58 decodes a Bitcoin-alphabet base58 string.
func bytesFromBase58(s string) ([]byte, bool) {
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// log(58)/log(256) < 0.733
	size := (len(s)-zeros)*733/1000 + 1
	buf := make([]byte, size) // big-endian
	for i := zeros; i < len(s); i++ {
		d := bytesB58Index[s[i]]
		if d < 0 {
			return nil, false
		}
		carry := int(d)
		for j := size - 1; j >= 0; j-- {
			carry += 58 * int(buf[j])
			buf[j] = byte(carry)
			carry >>= 8
		}
		if carry != 0 {
			return nil, false
		}
	}
	i := 0
	for i < size && buf[i] == 0 {
		i++
	}
	out := make([]byte, zeros+size-i)
	copy(out[zeros:], buf[i:])
	return out, true
}

func bytesBase58Encode(_ value.Thread, args []value.Value) (value.Value, error) {
	b, err := bytesArg("base58-encode", args[0])
	if err != nil {
		return nil, err
	}
	return value.MakeString(bytesToBase58([]byte(b))), nil
}

func bytesBase58Decode(_ value.Thread, args []value.Value) (value.Value, error) {
	const ctx = "base58-decode"
	s, err := strArg(ctx, args[0])
	if err != nil {
		return nil, err
	}
	b, ok := bytesFromBase58(s)
	if !ok {
		return nil, value.NewError("parse", ctx+": invalid base58 string")
	}
	return value.MakeBytes(b), nil
}

// bytesKeccak256 is Ethereum's Keccak-256 (the original padding, not SHA3-256).
func bytesKeccak256(data ...[]byte) []byte {
	h := sha3.NewLegacyKeccak256()
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil)
}

func bytesKeccak(_ value.Thread, args []value.Value) (value.Value, error) {
	b, err := bytesArg("keccak256", args[0])
	if err != nil {
		return nil, err
	}
	return value.MakeBytes(bytesKeccak256([]byte(b))), nil
}
