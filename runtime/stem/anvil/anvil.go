// Package anvil starts a local Ethereum chain for integration tests
// (system design §18.5): anvil, from the npm package
// @foundry-rs/anvil-linux-amd64 pinned in runtime/stem/contract
// (`npm ci` there), on a free 127.0.0.1 port.
//
// The binary is found through WW_ANVIL, then PATH, then the npm install
// directory. Tests that need it skip when it is absent, unless
// WW_REQUIRE_CHAIN=1, where its absence fails them. The chain automines
// one block per transaction; Mine adds empty blocks, Snapshot and Revert
// (evm_snapshot/evm_revert) make reorgs.
package anvil

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// DevKeyHex is the secret of anvil's first well-known dev account.
const DevKeyHex = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

// DevKey returns the key of anvil's first dev account, funded at genesis.
func DevKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := crypto.HexToECDSA(DevKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Find returns the anvil binary: $WW_ANVIL, anvil on PATH, or the one
// `npm ci` installs in runtime/stem/contract.
func Find() (string, error) {
	if p := os.Getenv("WW_ANVIL"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("WW_ANVIL: %w", err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("anvil"); err == nil {
		return p, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if ok {
		p := filepath.Join(filepath.Dir(file), "..", "contract", "node_modules", ".bin", "anvil")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("anvil not found (set WW_ANVIL, put it on PATH or run npm ci in runtime/stem/contract)")
}

// Chain is a running anvil.
type Chain struct {
	// URL and WSURL are its HTTP and WebSocket endpoints.
	URL, WSURL string
	// Client is an HTTP client of it.
	Client *ethclient.Client
	rpc    *rpc.Client
	t      testing.TB
}

// Start starts anvil on a free loopback port and stops it when the test
// ends. Without anvil it skips t, or fails it if WW_REQUIRE_CHAIN=1.
func Start(t testing.TB) *Chain {
	t.Helper()
	bin, err := Find()
	if err != nil {
		if os.Getenv("WW_REQUIRE_CHAIN") == "1" {
			t.Fatalf("WW_REQUIRE_CHAIN=1: %v", err)
		}
		t.Skip(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start anvil: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	c := &Chain{
		URL:   fmt.Sprintf("http://127.0.0.1:%d", port),
		WSURL: fmt.Sprintf("ws://127.0.0.1:%d", port),
		t:     t,
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c.rpc, err = rpc.DialContext(ctx, c.URL)
		if err == nil {
			c.Client = ethclient.NewClient(c.rpc)
			_, err = c.Client.BlockNumber(ctx)
		}
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("anvil on port %d not ready within 10 s: %v", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(c.rpc.Close)
	return c
}

func (c *Chain) call(result any, method string, args ...any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.rpc.CallContext(ctx, result, method, args...); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// Mine mines n empty blocks (evm_mine).
func (c *Chain) Mine(n int) {
	c.t.Helper()
	for range n {
		c.call(nil, "evm_mine")
	}
}

// Tip returns the latest block number.
func (c *Chain) Tip() uint64 {
	c.t.Helper()
	n, err := c.Client.BlockNumber(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

// Snapshot saves the chain state (evm_snapshot) and returns its id.
func (c *Chain) Snapshot() string {
	c.t.Helper()
	var id string
	c.call(&id, "evm_snapshot")
	return id
}

// Revert returns the chain to snapshot id (evm_revert), dropping every
// block mined since.
func (c *Chain) Revert(id string) {
	c.t.Helper()
	var ok bool
	c.call(&ok, "evm_revert", id)
	if !ok {
		c.t.Fatalf("evm_revert %s refused", id)
	}
}

// Fund gives addr 100 ether (anvil_setBalance).
func (c *Chain) Fund(addr common.Address) {
	c.t.Helper()
	c.call(nil, "anvil_setBalance", addr, (*hexutil.Big)(new(big.Int).Mul(big.NewInt(100), big.NewInt(1e18))))
}
