package node_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/boxo/ipns"
	"github.com/ipfs/boxo/path"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	mh "github.com/multiformats/go-multihash"

	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/image"
	iipfs "github.com/wetware/ww/runtime/ipfs"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/node"
)

// startIPFSNode starts a loopback node with its own data directory;
// tweak adjusts the config first.
func startIPFSNode(t *testing.T, tweak func(*node.Config)) *node.Node {
	t.Helper()
	cfg := node.Config{
		Listen:  []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")},
		DataDir: t.TempDir(),
		Logger:  quiet(),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	n := node.New(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// pair starts A and B, B connected only to A.
func pair(t *testing.T, tweakB func(*node.Config)) (a, b *node.Node) {
	t.Helper()
	a, b = startIPFSNode(t, nil), startIPFSNode(t, tweakB)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Host().Connect(ctx, a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func unixfsOf(t *testing.T, ctx context.Context, n *node.Node) ipfs.UnixFS {
	t.Helper()
	g := n.Membrane().Graft()
	t.Cleanup(g.Release)
	f, rel := g.IPFS.Unixfs(ctx, nil)
	t.Cleanup(rel)
	res, err := f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	return res.Api()
}

func capAdd(t *testing.T, ctx context.Context, u ipfs.UnixFS, data []byte) string {
	t.Helper()
	f, rel := u.Add(ctx, func(p ipfs.UnixFS_add_Params) error { return p.SetData(data) })
	defer rel()
	res, err := f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := res.Cid()
	return c
}

func capCat(ctx context.Context, u ipfs.UnixFS, path string) ([]byte, error) {
	f, rel := u.Cat(ctx, func(p ipfs.UnixFS_cat_Params) error { return p.SetPath(path) })
	defer rel()
	res, err := f.Struct()
	if err != nil {
		return nil, err
	}
	data, err := res.Data()
	return append([]byte(nil), data...), err
}

// TestIPFSBitswap (design §18.4.3): A adds content through its IPFS
// capability; B, connected only to A, cats it. A 3 MB file streamed in
// with addStream comes back byte-identical through B's open.
func TestIPFSBitswap(t *testing.T) {
	a, b := pair(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ua, ub := unixfsOf(t, ctx, a), unixfsOf(t, ctx, b)

	id := capAdd(t, ctx, ua, []byte("hello from A"))
	got, err := capCat(ctx, ub, "/ipfs/"+id)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "hello from A" {
		t.Fatalf("B cat = %q", got)
	}

	big := make([]byte, 3<<20)
	rand.New(rand.NewSource(7)).Read(big)
	src := a.Membrane().ReadStream(io.NopCloser(bytes.NewReader(big)))
	af, arel := ua.AddStream(ctx, func(p ipfs.UnixFS_addStream_Params) error { return p.SetSource(src) })
	ares, err := af.Struct()
	if err != nil {
		t.Fatal(err)
	}
	bigID, _ := ares.Cid()
	arel()
	// The CID is the one the importer gives for the same bytes offline.
	off, err := iipfs.New(ctx, nil, iipfs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if want, err := off.AddStream(ctx, bytes.NewReader(big)); err != nil || want != bigID {
		t.Fatalf("addStream CID %s, offline import %s (%v)", bigID, want, err)
	}

	of, orel := ub.Open(ctx, func(p ipfs.UnixFS_open_Params) error { return p.SetPath("/ipfs/" + bigID) })
	defer orel()
	ores, err := of.Struct()
	if err != nil {
		t.Fatal(err)
	}
	r := membrane.NewStreamReader(ctx, ores.Stream().AddRef())
	defer r.Close()
	back, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(back) != sha256.Sum256(big) {
		t.Fatalf("3 MB round trip differs: %d bytes back", len(back))
	}
	// B cached what it fetched: ls of nothing but a file fails cleanly.
	if _, err := capCat(ctx, ub, "/ipfs/"+bigID+"/nope"); membrane.CodeOf(err) != membrane.CodeNotFound {
		t.Errorf("cat below a file: %v, want notFound", err)
	}
}

// TestIPFSMissingCID: content nobody has fails with a clear error within
// the call timeout (and the image fetch timeout), never hangs.
func TestIPFSMissingCID(t *testing.T) {
	_, b := pair(t, func(c *node.Config) {
		c.Membrane.CallTimeout = 2 * time.Second
		c.IPFS.FetchTimeout = 2 * time.Second
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	missing := missingCID(t)

	_, err := capCat(ctx, unixfsOf(t, ctx, b), "/ipfs/"+missing)
	if membrane.Reason(err) != "deadlineExceeded: UnixFS.cat after 2s" {
		t.Errorf("cat of a missing CID: %v", err)
	}
	if _, err := capCat(ctx, unixfsOf(t, ctx, b), "/ipfs/not-a-cid"); membrane.Reason(err) != "invalidArgument: not a CID: not-a-cid" {
		t.Errorf("cat of a bad CID: %v", err)
	}
	mounts, err := image.ParseMounts([]string{"/ipfs/" + missing})
	if err != nil {
		t.Fatal(err)
	}
	_, err = image.Build(ctx, mounts, image.Options{Fetcher: b.IPFSFetcher()})
	if err == nil || !strings.Contains(err.Error(), "/ipfs/"+missing+": not found within 2s") {
		t.Errorf("image from a missing CID: %v", err)
	}
}

// missingCID is the CID of content no node has.
func missingCID(t *testing.T) string {
	sum, err := mh.Sum([]byte("nobody has this"), mh.SHA2_256, -1)
	if err != nil {
		t.Fatal(err)
	}
	return cid.NewCidV0(sum).String()
}

// TestIPFSImage (design §18.4.4): A adds an image directory (the kernel
// with an init.d script); B, connected only to A, boots it from
// /ipfs/<cid>, runs its init.d, and its shell reaches A's content with
// (ipfs cat/ls/add/resolve); a missing CID fails within the call timeout.
func TestIPFSImage(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	a, b := pair(t, func(c *node.Config) { c.Membrane.CallTimeout = 3 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	dir := t.TempDir()
	if _, err := build.Build(ctx, filepath.Join("..", "..", "std", "kernel"), filepath.Join(dir, "boot", "main.wasm"), build.Options{}); err != nil {
		t.Fatal(err)
	}
	initd := filepath.Join(dir, "etc", "init.d")
	if err := os.MkdirAll(initd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(initd, "10-hello.glia"), []byte(`(def from-ipfs "booted from ipfs")`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "note.txt"), []byte("layer note\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := a.IPFS().AddDir(ctx, dir, iipfs.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hello, err := a.IPFS().Add(ctx, []byte("hello from A"))
	if err != nil {
		t.Fatal(err)
	}
	note, err := a.IPFS().Add(ctx, []byte("layer note\n"))
	if err != nil {
		t.Fatal(err)
	}

	mounts, err := image.ParseMounts([]string{"/ipfs/" + root.String()})
	if err != nil {
		t.Fatal(err)
	}
	img, err := image.Build(ctx, mounts, image.Options{Fetcher: b.IPFSFetcher()})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	p, err := b.Boot(ctx, img, node.BootOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	sh, ok := p.Shell(ctx, time.Minute)
	if !ok {
		t.Fatal("the kernel from IPFS exports no Shell")
	}
	defer sh.Release()
	for _, tc := range []struct{ form, want string }{
		{`from-ipfs`, `"booted from ipfs"`},
		{`(fs read-str "/note.txt")`, `"layer note\n"`},
		{`(ipfs cat "/ipfs/` + hello + `")`, `"hello from A"`},
		{`(ipfs add "hello from A")`, `"` + hello + `"`},
		{`(ipfs resolve "/ipfs/` + root.String() + `/note.txt")`, `"/ipfs/` + note + `"`},
		{`(map :name (ipfs ls "/ipfs/` + root.String() + `"))`, `("boot" "etc" "note.txt")`},
		{`(:type (first (ipfs ls "/ipfs/` + root.String() + `")))`, `:dir`},
		{`(:size (last (ipfs ls "/ipfs/` + root.String() + `")))`, `11`},
	} {
		res, err := node.Eval(ctx, sh, tc.form, false)
		if err != nil {
			t.Fatalf("%s: %v", tc.form, err)
		}
		if res.IsError || strings.TrimSpace(res.Result) != tc.want {
			t.Errorf("%s = %q (error %v), want %s", tc.form, res.Result, res.IsError, tc.want)
		}
	}
	for _, tc := range []struct{ form, want string }{
		{`(ipfs cat "/ipfs/not-a-cid")`, "ipfs.cat failed: invalidArgument: not a CID: not-a-cid"},
		{`(ipfs cat "/ipfs/` + root.String() + `")`, "ipfs.cat failed: invalidArgument: is a directory"},
		{`(ipfs resolve "/ipfs/` + root.String() + `/nope")`, "ipfs.resolve failed: notFound: no such path"},
		{`(ipfs cat "/ipfs/` + missingCID(t) + `")`, "ipfs.cat failed: deadlineExceeded: UnixFS.open after 3s"},
	} {
		res, err := node.Eval(ctx, sh, tc.form, false)
		if err != nil {
			t.Fatalf("%s: %v", tc.form, err)
		}
		if !res.IsError || !strings.Contains(res.Result, tc.want) {
			t.Errorf("%s = %q (error %v), want an error with %q", tc.form, res.Result, res.IsError, tc.want)
		}
	}
}

// TestIPFSThroughDHT (design §18.4.3, §18.4.4): on a three-node test
// network (B and C bootstrapped to A), C adds content that only C holds
// and B cats it, finding C through the DHT; A publishes an IPNS record
// for its key and B mounts the /ipns/ path as an image layer.
func TestIPFSThroughDHT(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tn, err := node.StartTestNet(ctx, 3, node.Config{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	a, b, c := tn.Nodes[0], tn.Nodes[1], tn.Nodes[2]
	if a.Routing() == nil {
		t.Fatal("the node has no DHT")
	}

	id, err := c.IPFS().Add(ctx, []byte("only C has this"))
	if err != nil {
		t.Fatal(err)
	}
	// C announces in the background: wait until the DHT has its record.
	waitProvider(ctx, t, b, id, c.ID())
	// Whatever the DHT connected, B starts without a connection to C.
	b.Host().Network().ClosePeer(c.ID())
	c.Host().Network().ClosePeer(b.ID())
	got, err := capCat(ctx, unixfsOf(t, ctx, b), "/ipfs/"+id)
	if err != nil || string(got) != "only C has this" {
		t.Fatalf("B cat of C's content = %q, %v", got, err)
	}

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "boot"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "boot", "main.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := a.IPFS().AddDir(ctx, dir, iipfs.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	value, err := path.NewPath("/ipfs/" + root.String())
	if err != nil {
		t.Fatal(err)
	}
	sk := a.Host().Peerstore().PrivKey(a.ID())
	rec, err := ipns.NewRecord(sk, value, 1, time.Now().Add(time.Hour), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	data, err := ipns.MarshalRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	name := ipns.NameFromPeer(a.ID())
	if err := a.Routing().PutValue(ctx, string(name.RoutingKey()), data); err != nil {
		t.Fatal(err)
	}
	mounts, err := image.ParseMounts([]string{"/ipns/" + name.String()})
	if err != nil {
		t.Fatal(err)
	}
	img, err := image.Build(ctx, mounts, image.Options{Fetcher: b.IPFSFetcher()})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	wasm, err := img.ReadFile("boot/main.wasm")
	if err != nil || string(wasm) != "\x00asm\x01\x00\x00\x00" {
		t.Fatalf("boot/main.wasm through /ipns/ = %q, %v", wasm, err)
	}
}

// waitProvider polls n's content routing until it names want as a provider
// of key (a CID string), or fails the test when ctx ends.
func waitProvider(ctx context.Context, t *testing.T, n *node.Node, key string, want peer.ID) {
	t.Helper()
	c, err := cid.Decode(key)
	if err != nil {
		t.Fatal(err)
	}
	for {
		for p := range n.Routing().FindProvidersAsync(ctx, c, 0) {
			if p.ID == want {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never became a provider of %s", want, key)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
