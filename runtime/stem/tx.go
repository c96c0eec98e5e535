package stem

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/mr-tron/base58"

	"github.com/wetware/ww/runtime/identity"
)

// TxBackend is what sending a transaction needs; ethclient.Client and the
// simulated backend's client satisfy it.
type TxBackend interface {
	ethereum.ChainIDReader
	ethereum.GasEstimator
	ethereum.TransactionSender
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// maxTxGas is the per-transaction gas cap of EIP-7825; the estimate's
// safety margin stops there.
const maxTxGas = 1 << 24

// PrivateKey returns the node key as an ECDSA key for signing
// transactions; its address is k.EthereumAddress(). The identity package
// lets the secret out only in its key-file form, so it is re-read from
// there.
func PrivateKey(k *identity.Key) (*ecdsa.PrivateKey, error) {
	var buf bytes.Buffer
	if err := identity.Encode(&buf, k); err != nil {
		return nil, err
	}
	secret, err := base58.Decode(strings.TrimSpace(buf.String()))
	buf.Reset()
	if err != nil {
		return nil, fmt.Errorf("stem: node key: %w", err)
	}
	priv, err := crypto.ToECDSA(secret)
	clear(secret)
	if err != nil {
		return nil, fmt.Errorf("stem: node key: %w", err)
	}
	if crypto.PubkeyToAddress(priv.PublicKey) != k.EthereumAddress() {
		return nil, errors.New("stem: node key: address mismatch")
	}
	return priv, nil
}

// Writer signs and sends Atom transactions from one account.
type Writer struct {
	Backend TxBackend
	Key     *ecdsa.PrivateKey
}

// From is the sending account.
func (w *Writer) From() common.Address { return crypto.PubkeyToAddress(w.Key.PublicKey) }

// Deploy sends the creation transaction of an Atom whose head starts as
// initial, and returns the future contract address and the transaction.
// The contract exists once the transaction is mined ([WaitMined]).
func (w *Writer) Deploy(ctx context.Context, initial []byte) (common.Address, *types.Transaction, error) {
	data, err := DeployData(initial)
	if err != nil {
		return common.Address{}, nil, err
	}
	tx, err := w.send(ctx, nil, data)
	if err != nil {
		return common.Address{}, nil, fmt.Errorf("stem: deploy: %w", err)
	}
	return crypto.CreateAddress(w.From(), tx.Nonce()), tx, nil
}

// SetHead sends setHead(cid) to the contract at addr. The gas estimate
// runs the call first, so NotOwner and NoChange come back as ErrNotOwner
// and ErrNoChange without a transaction being sent.
func (w *Writer) SetHead(ctx context.Context, addr common.Address, cid []byte) (*types.Transaction, error) {
	data, err := PackSetHead(cid)
	if err != nil {
		return nil, err
	}
	tx, err := w.send(ctx, &addr, data)
	if err != nil {
		return nil, fmt.Errorf("stem: setHead: %w", err)
	}
	return tx, nil
}

func (w *Writer) send(ctx context.Context, to *common.Address, data []byte) (*types.Transaction, error) {
	from := w.From()
	chainID, err := w.Backend.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	nonce, err := w.Backend.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, err
	}
	gas, err := w.Backend.EstimateGas(ctx, ethereum.CallMsg{From: from, To: to, Data: data})
	if err != nil {
		return nil, RevertReason(err)
	}
	tip, err := w.Backend.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, err
	}
	head, err := w.Backend.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID:   chainID,
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       max(gas, min(gas+gas/5, maxTxGas)),
		To:        to,
		Data:      data,
	})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(chainID), w.Key)
	if err != nil {
		return nil, err
	}
	if err := w.Backend.SendTransaction(ctx, signed); err != nil {
		return nil, RevertReason(err)
	}
	return signed, nil
}

// WaitMined polls for the receipt of tx every interval until it is mined
// or ctx ends, and fails if the transaction reverted.
func WaitMined(ctx context.Context, b TxBackend, tx *types.Transaction, interval time.Duration) (*types.Receipt, error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := b.TransactionReceipt(ctx, tx.Hash())
		switch {
		case err == nil && r.Status != types.ReceiptStatusSuccessful:
			return r, fmt.Errorf("stem: transaction %s reverted", tx.Hash())
		case err == nil:
			return r, nil
		case !errors.Is(err, ethereum.NotFound):
			return nil, fmt.Errorf("stem: receipt of %s: %w", tx.Hash(), err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stem: waiting for %s: %w", tx.Hash(), ctx.Err())
		case <-t.C:
		}
	}
}
