package stem

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

func TestABIConstants(t *testing.T) {
	a, err := parsedABI()
	if err != nil {
		t.Fatal(err)
	}
	if want := crypto.Keccak256Hash([]byte("HeadUpdated(uint64,address,bytes,bytes32)")); Topic0 != want || a.Events["HeadUpdated"].ID != want {
		t.Fatalf("topic0 %s, keccak %s, abi %s", Topic0, want, a.Events["HeadUpdated"].ID)
	}
	for name, sel := range map[string][4]byte{"head": SelectorHead, "setHead": SelectorSetHead, "seq": SelectorSeq, "owner": SelectorOwner} {
		if !bytes.Equal(a.Methods[name].ID, sel[:]) {
			t.Errorf("%s selector %x, abi %x", name, sel, a.Methods[name].ID)
		}
	}
	q := FilterQuery(common.HexToAddress("0x01"), 5, nil)
	if len(q.Topics) != 1 || len(q.Topics[0]) != 1 || q.Topics[0][0] != Topic0 || len(q.Topics[0][0]) != 32 {
		t.Fatalf("filter topics %v", q.Topics)
	}
}

// word returns n as a 32-byte big-endian ABI word.
func word(n uint64) []byte { return common.LeftPadBytes(new(big.Int).SetUint64(n).Bytes(), 32) }

func headLog(seq uint64, writer common.Address, cid []byte, data []byte) types.Log {
	return types.Log{
		Topics:      []common.Hash{Topic0, common.BytesToHash(word(seq)), common.BytesToHash(writer.Bytes()), CIDHash(cid)},
		Data:        data,
		BlockNumber: 7,
		Index:       2,
	}
}

func TestDecodeHeadUpdated(t *testing.T) {
	writer := common.HexToAddress("0x1234567890abcdef1234567890abcdef12345678")
	cid := []byte("hello, world")
	padded := common.RightPadBytes(cid, 32)

	// Standard encoding: offset 0x20, length, data.
	std := append(append(word(32), word(uint64(len(cid)))...), padded...)
	ev, err := DecodeHeadUpdated(headLog(3, writer, cid, std))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Seq != 3 || ev.Writer != writer || !bytes.Equal(ev.CID, cid) || ev.CIDHash != CIDHash(cid) || ev.Block != 7 || ev.LogIndex != 2 {
		t.Fatalf("decoded %+v", ev)
	}

	// A non-32 offset: 0x40, one word of padding before the bytes.
	odd := append(append(append(word(64), make([]byte, 32)...), word(uint64(len(cid)))...), padded...)
	ev, err = DecodeHeadUpdated(headLog(4, writer, cid, odd))
	if err != nil || !bytes.Equal(ev.CID, cid) || ev.Seq != 4 {
		t.Fatalf("offset 0x40: %+v, %v", ev, err)
	}

	// Out-of-bounds length and offset, wrong topic0, missing topics.
	for name, l := range map[string]types.Log{
		"length beyond data": headLog(1, writer, cid, append(append(word(32), word(1000)...), padded...)),
		"offset beyond data": headLog(1, writer, cid, append(word(4096), word(1)...)),
		"empty data":         headLog(1, writer, cid, nil),
		"wrong topic0": func() types.Log {
			l := headLog(1, writer, cid, std)
			l.Topics[0] = crypto.Keccak256Hash([]byte("HeadUpdated(uint64,address,bytes)"))
			return l
		}(),
		"three topics": func() types.Log { l := headLog(1, writer, cid, std); l.Topics = l.Topics[:3]; return l }(),
	} {
		if _, err := DecodeHeadUpdated(l); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func TestUnpackHeadBounds(t *testing.T) {
	cid := bytes.Repeat([]byte{0xab}, 40)
	ret := append(append(append(word(9), word(64)...), word(40)...), common.RightPadBytes(cid, 64)...)
	h, err := UnpackHead(ret)
	if err != nil || h.Seq != 9 || !bytes.Equal(h.CID, cid) {
		t.Fatalf("head %+v, %v", h, err)
	}
	for name, bad := range map[string][]byte{
		"truncated":          ret[:100],
		"seq over 64 bits":   append(append(common.LeftPadBytes([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0}, 32), word(64)...), ret[64:]...),
		"offset beyond data": append(append(word(1), word(1<<20)...), ret[64:]...),
		"empty":              nil,
	} {
		if _, err := UnpackHead(bad); err == nil {
			t.Errorf("%s: unpacked", name)
		}
	}
}

func cids(t *testing.T) map[string][]byte {
	t.Helper()
	h, _ := mh.Sum([]byte("payload"), mh.SHA2_256, -1)
	return map[string][]byte{
		"CIDv0":   cid.NewCidV0(h).Bytes(),
		"CIDv1":   cid.NewCidV1(cid.DagProtobuf, h).Bytes(),
		"raw":     []byte("not a cid at all"),
		"4KiB":    bytes.Repeat([]byte{0x5a}, 4096),
		"empty→1": {1},
	}
}

func TestContract(t *testing.T) {
	c := newSimChain(t)
	initial := testCID("initial")
	c.deploy(initial)

	owner, err := ReadOwner(c.ctx, c.client, c.atom)
	if err != nil || owner != crypto.PubkeyToAddress(c.owner.PublicKey) {
		t.Fatalf("owner %s, %v", owner, err)
	}
	if h := c.head(); h.Seq != 0 || !bytes.Equal(h.CID, initial) {
		t.Fatalf("after deploy: head %+v", h)
	}
	logs, err := c.client.FilterLogs(c.ctx, ethereum.FilterQuery{Addresses: []common.Address{c.atom}, FromBlock: big.NewInt(0)})
	if err != nil || len(logs) != 0 {
		t.Fatalf("constructor logs %v, %v", logs, err)
	}
	if _, err := c.writer(c.owner).SetHead(c.ctx, c.atom, initial); !errors.Is(err, ErrNoChange) {
		t.Fatalf("setHead(initial): %v", err)
	}
	if _, err := c.writer(c.other).SetHead(c.ctx, c.atom, testCID("x")); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("setHead by another account: %v", err)
	}

	first := testCID("first")
	c.setHead(first)
	c.sim.Commit()
	logs, err = c.client.FilterLogs(c.ctx, FilterQuery(c.atom, 0, nil))
	if err != nil || len(logs) != 1 {
		t.Fatalf("logs %v, %v", logs, err)
	}
	ev, err := DecodeHeadUpdated(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	if ev.Seq != 1 || ev.Writer != owner || !bytes.Equal(ev.CID, first) || ev.CIDHash != crypto.Keccak256Hash(first) {
		t.Fatalf("event %+v", ev)
	}
	if _, err := c.writer(c.owner).SetHead(c.ctx, c.atom, first); !errors.Is(err, ErrNoChange) {
		t.Fatalf("setHead(first) again: %v", err)
	}

	seq := uint64(1)
	for name, v := range cids(t) {
		c.setHead(v)
		c.sim.Commit()
		seq++
		if h := c.head(); h.Seq != seq || !bytes.Equal(h.CID, v) {
			t.Fatalf("%s: head %d %x", name, h.Seq, h.CID)
		}
	}
	logs, err = c.client.FilterLogs(c.ctx, FilterQuery(c.atom, 0, nil))
	if err != nil || uint64(len(logs)) != seq {
		t.Fatalf("%d logs, %v", len(logs), err)
	}
	if s := strings.TrimSpace(HeadString(initial)); !strings.HasPrefix(s, "b") {
		t.Fatalf("HeadString(CIDv1) = %q", s)
	}
	if s := HeadString([]byte("xyz")); s != "0x78797a" {
		t.Fatalf("HeadString(raw) = %q", s)
	}
}

func TestThreeUpdates(t *testing.T) {
	c := newSimChain(t)
	c.deploy(nil)
	for i, s := range []string{"a", "b", "c"} {
		c.setHead(testCID(s))
		c.sim.Commit()
		if h := c.head(); h.Seq != uint64(i+1) {
			t.Fatalf("seq %d after %d updates", h.Seq, i+1)
		}
	}
}
