package node_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/image"
	"github.com/wetware/ww/runtime/ipfs"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/node"
	"github.com/wetware/ww/runtime/stem"
	"github.com/wetware/ww/runtime/stem/anvil"
)

const stemDepth = 2

// stemChain is anvil with an Atom deployed by the dev account.
type stemChain struct {
	*anvil.Chain
	w    *stem.Writer
	atom common.Address
}

func startStemChain(t testing.TB) *stemChain {
	t.Helper()
	ch := anvil.Start(t)
	w := &stem.Writer{Backend: ch.Client, Key: anvil.DevKey(t)}
	addr, tx, err := w.Deploy(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stem.WaitMined(context.Background(), ch.Client, tx, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	return &stemChain{Chain: ch, w: w, atom: addr}
}

// set mines setHead(head) (one block: anvil automines).
func (c *stemChain) set(t testing.TB, head []byte) {
	t.Helper()
	tx, err := c.w.SetHead(context.Background(), c.atom, head)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stem.WaitMined(context.Background(), c.Client, tx, 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func startStemNode(t testing.TB, c *stemChain) *node.Node {
	t.Helper()
	n := node.New(node.Config{
		Listen:  []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")},
		DataDir: t.TempDir(),
		Logger:  quiet(),
		Stem: node.StemConfig{
			Contract: c.atom,
			RPCURL:   c.URL,
			WSURL:    c.WSURL,
			Depth:    stemDepth,
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func hostID(ctx context.Context, g membrane.Graft) error {
	f, rel := g.Host.Id(ctx, nil)
	defer rel()
	_, err := f.Struct()
	return err
}

// waitEpoch waits for the cell to reach seq; the bound only turns a hang
// into a failure.
func waitEpoch(t testing.TB, cell *epoch.Cell, seq uint64) epoch.Epoch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		e, changed := cell.Watch()
		if e.Seq >= seq {
			return e
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("epoch stuck at %d, want %d", e.Seq, seq)
		}
	}
}

// TestStemEndToEnd (§18.5.5 at the node level): a node following an Atom
// on anvil with K = 2. Setting the head to an image added to the node's
// IPFS, then mining K blocks, advances the epoch: a capability grafted
// before fails with staleEpoch, a fresh graft works, and the image's base
// layer is the new head.
func TestStemEndToEnd(t *testing.T) {
	c := startStemChain(t)
	n := startStemNode(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "boot"), 0o755)
	os.WriteFile(filepath.Join(root, "boot", "main.wasm"), []byte("local"), 0o644)
	mounts, _ := image.ParseMounts([]string{root})
	img, err := image.Build(ctx, mounts, image.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	n.FollowImage(img)

	headDir := t.TempDir()
	os.MkdirAll(filepath.Join(headDir, "lib"), 0o755)
	os.WriteFile(filepath.Join(headDir, "lib", "head.glia"), []byte("(def head 1)"), 0o644)
	headCID, err := n.IPFS().AddDir(ctx, headDir, ipfs.ImportOptions{CidVersion: 1})
	if err != nil {
		t.Fatal(err)
	}

	old := n.Membrane().Graft()
	defer old.Release()
	if err := hostID(ctx, old); err != nil {
		t.Fatalf("before the advance: %v", err)
	}
	c.set(t, headCID.Bytes())
	evBlock := c.Tip()
	c.Mine(stemDepth - 1)
	if got := n.Cell().Seq(); got != 0 {
		t.Fatalf("adopted one block early: seq %d", got)
	}
	c.Mine(1)
	e := waitEpoch(t, n.Cell(), 1)
	if e.AdoptedBlock != evBlock || string(e.Head) != string(headCID.Bytes()) {
		t.Fatalf("epoch %v, want head %s at block %d", e, headCID, evBlock)
	}
	err = hostID(ctx, old)
	if err == nil || !strings.Contains(err.Error(), "staleEpoch: session epoch no longer current") {
		t.Fatalf("old capability after the advance: %v", err)
	}
	fresh := n.Membrane().Graft()
	defer fresh.Release()
	if err := hostID(ctx, fresh); err != nil {
		t.Fatalf("fresh graft: %v", err)
	}
	b, err := img.ReadFile("lib/head.glia")
	if err != nil || string(b) != "(def head 1)" {
		t.Fatalf("new head not visible in the image: %q, %v", b, err)
	}
}

// TestStemPinsHead (§7.3, §10): a node following the chain pins each new
// head, fetching all its blocks from the peer that added it, and unpins
// the previous head; what the node added itself stays pinned, also when
// it was the head and a newer head replaced it.
func TestStemPinsHead(t *testing.T) {
	c := startStemChain(t)
	provider, n := pair(t, func(cfg *node.Config) {
		cfg.Stem = node.StemConfig{Contract: c.atom, RPCURL: c.URL, WSURL: c.WSURL, Depth: stemDepth}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	h1, h2 := addHeadDir(t, provider, "h1"), addHeadDir(t, provider, "h2")
	own := addHeadDir(t, n, "own")

	seq := uint64(0)
	advance := func(head cid.Cid, want ...cid.Cid) {
		t.Helper()
		c.set(t, head.Bytes())
		c.Mine(stemDepth)
		seq++
		waitEpoch(t, n.Cell(), seq) // pinning precedes the publication
		if got := pinnedSet(t, n); !sameSet(got, want) {
			t.Fatalf("head %s: pinned %v, want %v", head, got, want)
		}
	}
	advance(h1, own, h1)
	advance(own, own)
	advance(h2, own, h2)

	provider.Close()
	b, err := n.IPFS().Cat(ctx, "/ipfs/"+h2.String()+"/big")
	if err != nil || !bytes.Equal(b, bigHeadFile) {
		t.Fatalf("pinned head not local: %d bytes, %v", len(b), err)
	}
}

// TestStemPinsInitialHead: the initial head is pinned at start, and a
// restart on the same data directory with a newer head drops the pin of
// the head the previous run held.
func TestStemPinsInitialHead(t *testing.T) {
	c := startStemChain(t)
	provider := startIPFSNode(t, nil)
	h1, h2 := addHeadDir(t, provider, "h1"), addHeadDir(t, provider, "h2")
	info := provider.AddrInfo()
	boot, err := peer.AddrInfoToP2pAddrs(&info)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	follow := func() *node.Node {
		return startIPFSNode(t, func(cfg *node.Config) {
			cfg.DataDir = dir
			cfg.Swarm.Bootstrap = []string{boot[0].String()}
			cfg.Stem = node.StemConfig{Contract: c.atom, RPCURL: c.URL, Depth: stemDepth}
		})
	}
	c.set(t, h1.Bytes())
	c.Mine(stemDepth)
	n := follow()
	waitPinned(t, n, h1)
	n.Close()

	c.set(t, h2.Bytes())
	c.Mine(stemDepth)
	n = follow()
	if e := n.Cell().Current(); e.Seq != 2 {
		t.Fatalf("initial epoch after the restart: %v", e)
	}
	waitPinned(t, n, h2)
}

// bigHeadFile spans three chunks, so pinning a head needs several blocks.
var bigHeadFile = func() []byte {
	b := make([]byte, 600<<10)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

// addHeadDir adds an image directory (a name file and bigHeadFile) to
// nd's IPFS.
func addHeadDir(t *testing.T, nd *node.Node, name string) cid.Cid {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "name"), []byte(name), 0o644)
	os.WriteFile(filepath.Join(dir, "big"), bigHeadFile, 0o644)
	c, err := nd.IPFS().AddDir(context.Background(), dir, ipfs.ImportOptions{CidVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pinnedSet(t *testing.T, nd *node.Node) []cid.Cid {
	t.Helper()
	pinned, err := nd.IPFS().Pinned(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return pinned
}

func sameSet(got, want []cid.Cid) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, w.Equals) {
			return false
		}
	}
	return true
}

// waitPinned waits until nd's pins are exactly want (the initial head is
// pinned in the background); the bound only turns a hang into a failure.
func waitPinned(t *testing.T, nd *node.Node, want ...cid.Cid) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := pinnedSet(t, nd)
		if sameSet(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pinned %v, want %v", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStemRestartSameEpoch: a node restarted on the same data directory
// starts at the cursor's epoch and adopts nothing twice.
func TestStemRestartSameEpoch(t *testing.T) {
	c := startStemChain(t)
	c.set(t, []byte("v1"))
	c.Mine(stemDepth)
	dir := t.TempDir()
	cfg := node.Config{
		Listen:  []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")},
		DataDir: dir,
		Logger:  quiet(),
		Stem:    node.StemConfig{Contract: c.atom, RPCURL: c.URL, Depth: stemDepth},
	}
	var epochs []epoch.Epoch
	for range 2 {
		n := node.New(cfg)
		if err := n.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		epochs = append(epochs, n.Cell().Current())
		n.Close()
		c.Mine(3)
	}
	if epochs[0].Seq != 1 || !epochs[0].Equal(epochs[1]) {
		t.Fatalf("epochs across the restart: %v", epochs)
	}
}

// BenchmarkStemRevocation measures, per epoch advance, the time from the
// return of the evm_mine that makes a setHead K deep (the finalizing
// block) to the first failing call of a capability grafted before: the
// newHeads notification, head() at the safe block, the cell advance and
// one guarded call (WebSocket follower, anvil, K = 2).
func BenchmarkStemRevocation(b *testing.B) {
	c := startStemChain(b)
	n := startStemNode(b, c)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		g := n.Membrane().Graft()
		seq := n.Cell().Seq()
		c.set(b, []byte{byte(i), byte(i >> 8), 0xee})
		c.Mine(stemDepth - 1)
		time.Sleep(50 * time.Millisecond) // let the follower drain earlier heads
		c.Mine(1)
		b.StartTimer()
		for {
			changed := n.Cell().Changed()
			if hostID(ctx, g) != nil {
				break
			}
			<-changed
		}
		b.StopTimer()
		if n.Cell().Seq() != seq+1 {
			b.Fatalf("seq %d after advance from %d", n.Cell().Seq(), seq)
		}
		g.Release()
		b.StartTimer()
	}
}
