package stdlib

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/wetware/ww/lang/value"
)

func vb(b ...byte) value.Value { return value.MakeBytes(b) }

func TestBytes(t *testing.T) {
	numRun(t, "", []numCase{
		{"bytes", va(vs("hi")), "<2 bytes>"},
		{"bytes", va(vs("héllo")), "<6 bytes>"},
		{"bytes", va(vv(vi(104), vi(105))), "<2 bytes>"},
		{"bytes", va(value.Nil), "<0 bytes>"},
		{"bytes", va(vb(1, 2, 3)), "<3 bytes>"},
		{"bytes", va(vl(vi(0), vi(255))), "<2 bytes>"},
		{"bytes", va(vv(vi(256))), "error: [glia.error/invalid-argument] bytes: byte value out of range: 256"},
		{"bytes", va(vv(vi(-1))), "error: [glia.error/invalid-argument] bytes: byte value out of range: -1"},
		{"bytes", va(vv(vs("a"))), "error: [glia.error/type-mismatch] bytes: expected int, got string"},
		{"bytes", va(vi(1)), "error: [glia.error/type-mismatch] bytes: expected string, bytes or sequence, got int"},
		{"hex-encode", va(vs("hi")), `"6869"`},
		{"hex-encode", va(vb(0, 0xab, 0xff)), `"00abff"`},
		{"hex-encode", va(vb()), `""`},
		{"hex-encode", va(vi(1)), "error: [glia.error/type-mismatch] hex-encode: expected bytes or string, got int"},
		{"hex-decode", va(vs("0x6869")), "<2 bytes>"},
		{"hex-decode", va(vs("6A6B")), "<2 bytes>"},
		{"hex-decode", va(vs("0X00")), "<1 bytes>"},
		{"hex-decode", va(vs("")), "<0 bytes>"},
		{"hex-decode", va(vs("0x")), "<0 bytes>"},
		{"hex-decode", va(vs("zz")), "error: [glia.error/parse] hex-decode: invalid hex string"},
		{"hex-decode", va(vs("abc")), "error: [glia.error/parse] hex-decode: invalid hex string"},
		{"hex-decode", va(vs("0x0x00")), "error: [glia.error/parse] hex-decode: invalid hex string"},
		{"hex-decode", va(vb()), "error: [glia.error/type-mismatch] hex-decode: expected string, got bytes"},
		{"base58-encode", va(vs("hello")), `"Cn8eVZg"`},
		{"base58-encode", va(vb(0, 0, 1)), `"112"`},
		{"base58-encode", va(vb()), `""`},
		{"base58-encode", va(vb(0)), `"1"`},
		{"base58-encode", va(vs("Hello World!")), `"2NEpo7TZRRrLZSi2U"`},
		{"base58-encode", va(vb(0, 0, 0, 0x28, 0x7f, 0xb4, 0xcd)), `"111233QC4"`},
		{"base58-decode", va(vs("Cn8eVZg")), "<5 bytes>"},
		{"base58-decode", va(vs("0OIl")), "error: [glia.error/parse] base58-decode: invalid base58 string"},
		{"base58-decode", va(vs("")), "<0 bytes>"},
		{"base58-decode", va(vi(1)), "error: [glia.error/type-mismatch] base58-decode: expected string, got int"},
		{"keccak256", va(vs("")), "<32 bytes>"},
		{"keccak256", va(value.Nil), "error: [glia.error/type-mismatch] keccak256: expected bytes or string, got nil"},
	})
	hexOf := func(name string, args ...value.Value) string {
		t.Helper()
		v, err := numLookup(t, "", name).Fn(&numThread{}, args)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, _ := numCall(t, "", "hex-encode", v)
		return r
	}
	for _, c := range []struct{ got, want string }{
		{hexOf("keccak256", vs("")), `"c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"`},
		{hexOf("keccak256", vb()), `"c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"`},
		{hexOf("keccak256", vs("abc")), `"4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"`},
		{hexOf("base58-decode", vs("Cn8eVZg")), `"68656c6c6f"`},
		{hexOf("base58-decode", vs("112")), `"000001"`},
		{hexOf("base58-decode", vs("111233QC4")), `"000000287fb4cd"`},
		{hexOf("hex-decode", vs("0xDEADbeef")), `"deadbeef"`},
		{hexOf("bytes", vs("é")), `"c3a9"`},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

func TestBase58RoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 300; n++ {
		b := make([]byte, r.Intn(70))
		r.Read(b)
		for i := 0; i < len(b) && r.Intn(3) == 0; i++ {
			b[i] = 0
		}
		s := bytesToBase58(b)
		back, ok := bytesFromBase58(s)
		if !ok || !bytes.Equal(back, b) {
			t.Fatalf("round trip of %x via %q gave %x, %v", b, s, back, ok)
		}
	}
}
