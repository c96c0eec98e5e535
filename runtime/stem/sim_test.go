package stem

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"

	"github.com/wetware/ww/runtime/epoch"
)

// simChain is a simulated chain with two funded accounts and, once
// deployed, an Atom owned by the first.
type simChain struct {
	t       *testing.T
	ctx     context.Context
	sim     *simulated.Backend
	client  simulated.Client
	owner   *ecdsa.PrivateKey
	other   *ecdsa.PrivateKey
	atom    common.Address
	deployN uint64 // block of the deployment
}

func newSimChain(t *testing.T) *simChain {
	t.Helper()
	owner, _ := crypto.GenerateKey()
	other, _ := crypto.GenerateKey()
	fund := new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18))
	sim := simulated.NewBackend(types.GenesisAlloc{
		crypto.PubkeyToAddress(owner.PublicKey): {Balance: fund},
		crypto.PubkeyToAddress(other.PublicKey): {Balance: fund},
	})
	t.Cleanup(func() { sim.Close() })
	return &simChain{t: t, ctx: context.Background(), sim: sim, client: sim.Client(), owner: owner, other: other}
}

func (c *simChain) writer(k *ecdsa.PrivateKey) *Writer { return &Writer{Backend: c.client, Key: k} }

// deploy deploys an Atom with head initial and mines it.
func (c *simChain) deploy(initial []byte) {
	c.t.Helper()
	addr, tx, err := c.writer(c.owner).Deploy(c.ctx, initial)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sim.Commit()
	r, err := WaitMined(c.ctx, c.client, tx, 10*time.Millisecond)
	if err != nil {
		c.t.Fatal(err)
	}
	c.atom, c.deployN = addr, r.BlockNumber.Uint64()
}

// setHead sends setHead(cid) from the owner without mining.
func (c *simChain) setHead(cid []byte) *types.Transaction {
	c.t.Helper()
	tx, err := c.writer(c.owner).SetHead(c.ctx, c.atom, cid)
	if err != nil {
		c.t.Fatal(err)
	}
	c.awaitNonce(tx.Nonce() + 1)
	return tx
}

// awaitNonce waits until the pool has admitted the owner's transactions
// below nonce, so that the next Commit includes them (the pool admits
// asynchronously).
func (c *simChain) awaitNonce(nonce uint64) {
	c.t.Helper()
	owner := crypto.PubkeyToAddress(c.owner.PublicKey)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := c.client.PendingNonceAt(c.ctx, owner)
		if err != nil {
			c.t.Fatal(err)
		}
		if got >= nonce {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("pending nonce %d, want %d", got, nonce)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// replace sends, from the owner at nonce, a transaction to `to` with data
// and a tip high enough to replace whatever the pool holds at that nonce.
func (c *simChain) replace(nonce uint64, to common.Address, data []byte) {
	c.t.Helper()
	chainID, _ := c.client.ChainID(c.ctx)
	head, err := c.client.HeaderByNumber(c.ctx, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	tip := big.NewInt(50e9)
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: tip,
		GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))),
		Gas:       2_000_000, To: &to, Data: data,
	})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(chainID), c.owner)
	if err != nil {
		c.t.Fatal(err)
	}
	// After a Fork the pool resets to the new head asynchronously; until
	// then it refuses the nonce as too low.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		err := c.client.SendTransaction(c.ctx, signed)
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "nonce too low") || time.Now().After(deadline) {
			c.t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, pending, err := c.client.TransactionByHash(c.ctx, signed.Hash()); err == nil && pending {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("replacement %s never reached the pool", signed.Hash())
		}
	}
}

func (c *simChain) tip() uint64 {
	n, err := c.client.BlockNumber(c.ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

func (c *simChain) header(n uint64) *types.Header {
	h, err := c.client.HeaderByNumber(c.ctx, new(big.Int).SetUint64(n))
	if err != nil {
		c.t.Fatal(err)
	}
	return h
}

func (c *simChain) head() Head {
	h, err := ReadHead(c.ctx, c.client, c.atom, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return h
}

// testCID returns a CIDv1 raw-leaf CID of s.
func testCID(s string) []byte {
	h, _ := mh.Sum([]byte(s), mh.SHA2_256, -1)
	return cid.NewCidV1(cid.Raw, h).Bytes()
}

// recorder collects the hooks' calls.
type recorder struct {
	adopted  []epoch.Epoch
	prepared []epoch.Epoch
}

func (c *simChain) follower(k uint64, cell *epoch.Cell, dir string, rec *recorder) *Follower {
	c.t.Helper()
	cfg := Config{
		Contract:  c.atom,
		Chain:     c.client,
		Depth:     k,
		Cell:      cell,
		CursorDir: dir,
	}
	if rec != nil {
		cfg.Adopted = func(e epoch.Epoch) { rec.adopted = append(rec.adopted, e) }
		cfg.Prepare = func(_ context.Context, e epoch.Epoch) {
			if cell.Seq() >= e.Seq {
				c.t.Errorf("Prepare(%v) after the epoch was published", e)
			}
			rec.prepared = append(rec.prepared, e)
		}
	}
	f, err := NewFollower(c.ctx, cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	return f
}

// step mines one block and lets f catch up (the HTTP path).
func (c *simChain) step(f *Follower) {
	c.t.Helper()
	c.sim.Commit()
	c.sync(f)
}

func (c *simChain) sync(f *Follower) {
	c.t.Helper()
	if err := f.catchUp(c.ctx); err != nil {
		c.t.Fatal(err)
	}
}
