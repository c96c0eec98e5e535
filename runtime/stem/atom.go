package stem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/wetware/ww/runtime/stem/contract"
)

// Topic0 is the full 32-byte topic of HeadUpdated(uint64,address,bytes,bytes32).
var Topic0 = common.HexToHash("0x85f2cb2e69cdbc779032c9439dbb51c7a51f823b898e6068e18b896e87bd29d0")

// Function selectors of the Atom contract (§13.1).
var (
	SelectorHead    = [4]byte{0x8f, 0x7d, 0xcf, 0xa3}
	SelectorSetHead = [4]byte{0x43, 0xea, 0xe8, 0x23}
	SelectorSeq     = [4]byte{0x68, 0x57, 0xab, 0x40}
	SelectorOwner   = [4]byte{0x8d, 0xa5, 0xcb, 0x5b}
)

// Errors the contract reverts with, recognized in call and estimation
// errors by [RevertReason].
var (
	ErrNotOwner = errors.New("stem: NotOwner (only the contract owner may set the head)")
	ErrNoChange = errors.New("stem: NoChange (the head already has this value)")
)

// atomABI is the parsed contract ABI.
var atomABI, atomABIErr = abi.JSON(strings.NewReader(contract.ABI))

func parsedABI() (*abi.ABI, error) {
	if atomABIErr != nil {
		return nil, fmt.Errorf("stem: Atom.abi: %w", atomABIErr)
	}
	return &atomABI, nil
}

// HeadUpdated is one decoded HeadUpdated log.
type HeadUpdated struct {
	Seq     uint64
	Writer  common.Address
	CID     []byte
	CIDHash common.Hash

	Block     uint64
	BlockHash common.Hash
	TxHash    common.Hash
	LogIndex  uint
	Removed   bool
}

// DecodeHeadUpdated decodes a HeadUpdated log of any contract: topic0
// must be [Topic0] (checked here, whatever the filter said), topics 1-3
// hold seq, writer and cidHash, the data the ABI-encoded cid.
func DecodeHeadUpdated(l types.Log) (HeadUpdated, error) {
	a, err := parsedABI()
	if err != nil {
		return HeadUpdated{}, err
	}
	if len(l.Topics) != 4 || l.Topics[0] != Topic0 {
		return HeadUpdated{}, fmt.Errorf("stem: log %s/%d is not HeadUpdated", l.TxHash, l.Index)
	}
	seq := new(big.Int).SetBytes(l.Topics[1][:])
	if !seq.IsUint64() || !bytes.Equal(l.Topics[2][:12], make([]byte, 12)) {
		return HeadUpdated{}, fmt.Errorf("stem: log %s/%d: malformed topics", l.TxHash, l.Index)
	}
	out, err := a.Events["HeadUpdated"].Inputs.NonIndexed().Unpack(l.Data)
	if err != nil {
		return HeadUpdated{}, fmt.Errorf("stem: log %s/%d: %w", l.TxHash, l.Index, err)
	}
	cid, _ := out[0].([]byte)
	return HeadUpdated{
		Seq:       seq.Uint64(),
		Writer:    common.BytesToAddress(l.Topics[2][12:]),
		CID:       cid,
		CIDHash:   l.Topics[3],
		Block:     l.BlockNumber,
		BlockHash: l.BlockHash,
		TxHash:    l.TxHash,
		LogIndex:  l.Index,
		Removed:   l.Removed,
	}, nil
}

// FilterQuery returns the log filter of HeadUpdated on addr over
// [from, to] (to nil: open-ended).
func FilterQuery(addr common.Address, from uint64, to *uint64) ethereum.FilterQuery {
	q := ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from),
		Addresses: []common.Address{addr},
		Topics:    [][]common.Hash{{Topic0}},
	}
	if to != nil {
		q.ToBlock = new(big.Int).SetUint64(*to)
	}
	return q
}

// Head is the contract state head() returns.
type Head struct {
	Seq uint64
	CID []byte
}

// PackHead returns the calldata of head().
func PackHead() []byte { return SelectorHead[:] }

// UnpackHead decodes the return data of head().
func UnpackHead(ret []byte) (Head, error) {
	a, err := parsedABI()
	if err != nil {
		return Head{}, err
	}
	out, err := a.Unpack("head", ret)
	if err != nil {
		return Head{}, fmt.Errorf("stem: head(): %w", err)
	}
	seq, ok1 := out[0].(uint64)
	cid, ok2 := out[1].([]byte)
	if !ok1 || !ok2 {
		return Head{}, errors.New("stem: head(): unexpected return types")
	}
	return Head{Seq: seq, CID: cid}, nil
}

// PackSetHead returns the calldata of setHead(cid).
func PackSetHead(cid []byte) ([]byte, error) {
	a, err := parsedABI()
	if err != nil {
		return nil, err
	}
	return a.Pack("setHead", cid)
}

// DeployData returns the creation code followed by the ABI-encoded
// constructor argument initialCid.
func DeployData(initial []byte) ([]byte, error) {
	a, err := parsedABI()
	if err != nil {
		return nil, err
	}
	bin, err := contract.Bin()
	if err != nil {
		return nil, err
	}
	args, err := a.Pack("", initial)
	if err != nil {
		return nil, err
	}
	return append(bin, args...), nil
}

// ReadHead calls head() on addr at block (nil: latest).
func ReadHead(ctx context.Context, c ethereum.ContractCaller, addr common.Address, block *big.Int) (Head, error) {
	ret, err := c.CallContract(ctx, ethereum.CallMsg{To: &addr, Data: PackHead()}, block)
	if err != nil {
		return Head{}, fmt.Errorf("stem: head() at %s: %w", blockName(block), err)
	}
	if len(ret) == 0 {
		return Head{}, fmt.Errorf("stem: head() at %s: no contract at %s", blockName(block), addr)
	}
	return UnpackHead(ret)
}

// ReadOwner calls owner() on addr at the latest block.
func ReadOwner(ctx context.Context, c ethereum.ContractCaller, addr common.Address) (common.Address, error) {
	ret, err := c.CallContract(ctx, ethereum.CallMsg{To: &addr, Data: SelectorOwner[:]}, nil)
	if err != nil {
		return common.Address{}, fmt.Errorf("stem: owner(): %w", err)
	}
	if len(ret) != 32 {
		return common.Address{}, fmt.Errorf("stem: owner(): %d bytes returned", len(ret))
	}
	return common.BytesToAddress(ret[12:]), nil
}

func blockName(b *big.Int) string {
	if b == nil {
		return "latest"
	}
	return "block " + b.String()
}

// CIDHash is keccak256(cid), the cidHash topic.
func CIDHash(cid []byte) common.Hash { return crypto.Keccak256Hash(cid) }

// RevertReason maps an error carrying the contract's revert data
// (NotOwner, NoChange) to ErrNotOwner or ErrNoChange; other errors are
// returned unchanged.
func RevertReason(err error) error {
	if err == nil {
		return nil
	}
	var de interface{ ErrorData() interface{} }
	if !errors.As(err, &de) {
		return err
	}
	var data []byte
	switch v := de.ErrorData().(type) {
	case string:
		data = common.FromHex(v)
	case []byte:
		data = v
	}
	if len(data) < 4 {
		return err
	}
	a, aerr := parsedABI()
	if aerr != nil {
		return err
	}
	notOwner, noChange := a.Errors["NotOwner"].ID, a.Errors["NoChange"].ID
	switch {
	case bytes.Equal(data[:4], notOwner[:4]):
		return ErrNotOwner
	case bytes.Equal(data[:4], noChange[:4]):
		return ErrNoChange
	}
	return err
}
