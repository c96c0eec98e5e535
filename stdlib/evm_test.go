package stdlib

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/wetware/ww/lang/value"
)

// evmHex calls ww/evm's name and returns the hex of its bytes result, or
// the error rendering.
func evmHex(t *testing.T, name string, args ...value.Value) string {
	t.Helper()
	v, err := numLookup(t, "ww/evm", name).Builtin().Fn(&numThread{}, args)
	if err != nil {
		return "error: " + err.Error()
	}
	b, ok := v.(value.Bytes)
	if !ok {
		t.Fatalf("%s returned %s", name, value.Repr(v))
	}
	return hex.EncodeToString([]byte(b))
}

func vhex(s string) value.Value {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return value.MakeBytes(b)
}

func TestEVMAddress(t *testing.T) {
	eip55 := []string{
		"0x52908400098527886E0F7030069857D2E4169EE7",
		"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
		"0xde709f2102306220921060314715629080e2fb77",
		"0x27b1fdb04752bbc536007a920d24acb045561c26",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	}
	var cases []numCase
	for _, a := range eip55 {
		q := `"` + a + `"`
		cases = append(cases,
			numCase{"checksum-address", va(vs(strings.ToLower(a))), q},
			numCase{"checksum-address", va(vs("0X" + strings.ToUpper(a[2:]))), q},
			numCase{"checksum-address", va(vs(a[2:])), q},
			numCase{"checksum-address", va(vhex(strings.ToLower(a[2:]))), q},
			numCase{"address?", va(vs(a)), "true"},
		)
	}
	cases = append(cases, []numCase{
		{"address?", va(vs("0x123")), "false"},
		{"address?", va(vi(42)), "false"},
		{"address?", va(vs("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")), "false"},
		{"address?", va(vs("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg")), "false"},
		{"checksum-address", va(vs("0x123")), `error: [glia.error/invalid-argument] checksum-address: invalid address "0x123"`},
		{"checksum-address", va(vb(1, 2)), `error: [glia.error/invalid-argument] checksum-address: invalid address <2 bytes>`},
		{"checksum-address", va(vi(1)), `error: [glia.error/type-mismatch] checksum-address: expected string or bytes, got int`},
	}...)
	numRun(t, "ww/evm", cases)
}

func TestEVMEncode(t *testing.T) {
	lorem := "Lorem ipsum dolor sit amet, consectetur adipisicing elit"
	cases := []struct {
		name string
		arg  value.Value
		want string
	}{
		{"encode-function-selector", vs("transfer(address,uint256)"), "a9059cbb"},
		{"encode-function-selector", vs("balanceOf(address)"), "70a08231"},
		{"encode-function-selector", vi(1), "error: [glia.error/type-mismatch] encode-function-selector: expected string, got int"},
		{"encode-uint256", vi(255), strings.Repeat("0", 62) + "ff"},
		{"encode-uint256", vi(0), strings.Repeat("0", 64)},
		{"encode-uint256", vi(1<<63 - 1), strings.Repeat("0", 48) + "7fffffffffffffff"},
		{"encode-uint256", vi(-1), "error: [glia.error/invalid-argument] encode-uint256: negative value -1"},
		{"encode-uint256", vf(1), "error: [glia.error/type-mismatch] encode-uint256: expected int, got float"},
		{"encode-address", vs("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), strings.Repeat("0", 24) + "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
		{"encode-address", vs("0x12"), `error: [glia.error/invalid-argument] encode-address: invalid address "0x12"`},
		{"rlp-encode", vv(vs("cat"), vs("dog")), "c88363617483646f67"},
		{"rlp-encode", vs(""), "80"},
		{"rlp-encode", vs("d"), "64"},
		{"rlp-encode", vb(0x80), "8180"},
		{"rlp-encode", vb(0), "00"},
		{"rlp-encode", vi(0), "80"},
		{"rlp-encode", vi(15), "0f"},
		{"rlp-encode", vi(127), "7f"},
		{"rlp-encode", vi(128), "8180"},
		{"rlp-encode", vi(1024), "820400"},
		{"rlp-encode", vi(1<<63 - 1), "887fffffffffffffff"},
		{"rlp-encode", value.EmptyVector, "c0"},
		{"rlp-encode", vl(value.EmptyList, vl(value.EmptyList), vl(value.EmptyList, vl(value.EmptyList))), "c7c0c1c0c3c0c1c0"},
		{"rlp-encode", vs(lorem), "b838" + hex.EncodeToString([]byte(lorem))},
		{"rlp-encode", vi(-1), "error: [glia.error/invalid-argument] rlp-encode: negative integer -1"},
		{"rlp-encode", vv(vk("a")), "error: [glia.error/type-mismatch] rlp-encode: expected bytes, string, int or list, got keyword"},
		{"rlp-encode", value.Nil, "error: [glia.error/type-mismatch] rlp-encode: expected bytes, string, int or list, got nil"},
		{"keccak256", vs(""), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"hex-decode", vs("0xab"), "ab"},
		{"base58-decode", vs("Cn8eVZg"), hex.EncodeToString([]byte("hello"))},
	}
	for _, c := range cases {
		if got := evmHex(t, c.name, c.arg); got != c.want {
			t.Errorf("(%s %s) = %s, want %s", c.name, value.Repr(c.arg), got, c.want)
		}
	}
	long := make([]value.Value, 60)
	for i := range long {
		long[i] = vs("")
	}
	if got := evmHex(t, "rlp-encode", vv(long...)); got != "f83c"+strings.Repeat("80", 60) {
		t.Errorf("long list: %s", got)
	}
	numRun(t, "ww/evm", []numCase{
		{"hex-encode", va(vs("hi")), `"6869"`},
		{"base58-encode", va(vs("hello")), `"Cn8eVZg"`},
	})
}

func TestEVMRLPDecode(t *testing.T) {
	lorem := hex.EncodeToString([]byte("Lorem ipsum dolor sit amet, consectetur adipisicing elit"))
	numRun(t, "ww/evm", []numCase{
		{"rlp-decode", va(vhex("c88363617483646f67")), "(<3 bytes> <3 bytes>)"},
		{"rlp-decode", va(vhex("c7c0c1c0c3c0c1c0")), "(() (()) (() (())))"},
		{"rlp-decode", va(vhex("80")), "<0 bytes>"},
		{"rlp-decode", va(vhex("7f")), "<1 bytes>"},
		{"rlp-decode", va(vhex("820400")), "<2 bytes>"},
		{"rlp-decode", va(vhex("b838" + lorem)), "<56 bytes>"},
		{"rlp-decode", va(vhex("f83c" + strings.Repeat("80", 60))), "(" + strings.TrimSpace(strings.Repeat("<0 bytes> ", 60)) + ")"},
		{"rlp-decode", va(vhex("")), "error: [glia.error/parse] rlp-decode: unexpected end of input"},
		{"rlp-decode", va(vhex("836361")), "error: [glia.error/parse] rlp-decode: unexpected end of input"},
		{"rlp-decode", va(vhex("c883636174")), "error: [glia.error/parse] rlp-decode: unexpected end of input"},
		{"rlp-decode", va(vhex("8100")), "error: [glia.error/parse] rlp-decode: non-canonical single byte"},
		{"rlp-decode", va(vhex("b801ff")), "error: [glia.error/parse] rlp-decode: non-canonical size"},
		{"rlp-decode", va(vhex("b90000")), "error: [glia.error/parse] rlp-decode: non-canonical size"},
		{"rlp-decode", va(vhex("bfffffffffffffffff")), "error: [glia.error/parse] rlp-decode: unexpected end of input"},
		{"rlp-decode", va(vhex("8080")), "error: [glia.error/parse] rlp-decode: trailing bytes after the first item"},
		{"rlp-decode", va(vs("c0")), "error: [glia.error/type-mismatch] rlp-decode: expected bytes, got string"},
	})
	nest := func(depth int) value.Value {
		enc := []byte{0xc0}
		for range depth {
			enc = append(evmRLPHeader(nil, 0xc0, len(enc)), enc...)
		}
		return value.MakeBytes(enc)
	}
	if got, _ := numCall(t, "ww/evm", "rlp-decode", nest(evmMaxDepth-1)); strings.HasPrefix(got, "error") {
		t.Errorf("depth %d: %.60s", evmMaxDepth, got)
	}
	if got, _ := numCall(t, "ww/evm", "rlp-decode", nest(evmMaxDepth)); !strings.Contains(got, "nesting too deep") {
		t.Errorf("depth %d: %.60s", evmMaxDepth+1, got)
	}
	// Round trip.
	v := vv(vs("cat"), vv(vi(0), vi(1024), vb()), vs(strings.Repeat("x", 300)))
	enc, err := numLookup(t, "ww/evm", "rlp-encode").Fn(&numThread{}, va(v))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := numCall(t, "ww/evm", "rlp-decode", enc)
	if got != "(<3 bytes> (<0 bytes> <2 bytes> <0 bytes>) <300 bytes>)" {
		t.Errorf("round trip: %s", got)
	}
}
