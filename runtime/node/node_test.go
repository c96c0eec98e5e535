package node_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/image"
	"github.com/wetware/ww/runtime/node"
)

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func startNode(t *testing.T, key *identity.Key) *node.Node {
	t.Helper()
	n := node.New(node.Config{
		Listen: []ma.Multiaddr{
			ma.StringCast("/ip4/127.0.0.1/tcp/0"),
			ma.StringCast("/ip4/127.0.0.1/udp/0/quic-v1"),
		},
		Key:     key,
		DataDir: t.TempDir(),
		Logger:  quiet(),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// TestHostThroughMembrane: Host.id, addrs, connect and peers of a graft
// reflect the libp2p host, between two nodes on loopback.
func TestHostThroughMembrane(t *testing.T) {
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	a, b := startNode(t, key), startNode(t, nil)
	if a.ID() != key.PeerID() {
		t.Fatalf("host id %s, key peer id %s", a.ID(), key.PeerID())
	}
	if len(a.Addrs()) != 2 {
		t.Fatalf("addrs %v", a.Addrs())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	g := a.Membrane().Graft()
	defer g.Release()
	idf, rel := g.Host.Id(ctx, nil)
	defer rel()
	idr, err := idf.Struct()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := idr.PeerId()
	if peer.ID(raw) != a.ID() {
		t.Errorf("Host.id %x, want %s", raw, a.ID())
	}

	af, rel2 := g.Host.Addrs(ctx, nil)
	defer rel2()
	ar, err := af.Struct()
	if err != nil {
		t.Fatal(err)
	}
	list, _ := ar.Addrs()
	got := map[string]bool{}
	for i := 0; i < list.Len(); i++ {
		d, _ := list.At(i)
		m, err := ma.NewMultiaddrBytes(d)
		if err != nil {
			t.Fatal(err)
		}
		got[m.String()] = true
	}
	for _, m := range a.Addrs() {
		if !got[m.String()] {
			t.Errorf("Host.addrs %v lacks %s", got, m)
		}
	}

	// Dial b over TCP through a's Host.connect.
	var tcpAddr ma.Multiaddr
	for _, m := range b.Addrs() {
		if _, err := m.ValueForProtocol(ma.P_TCP); err == nil {
			tcpAddr = m
		}
	}
	p2p, _ := ma.NewComponent("p2p", b.ID().String())
	target := tcpAddr.Encapsulate(p2p.Multiaddr())
	cf, rel3 := g.Host.Connect(ctx, func(p system.Host_connect_Params) error {
		return p.SetAddr(target.Bytes())
	})
	defer rel3()
	if _, err := cf.Struct(); err != nil {
		t.Fatalf("connect %s: %v", target, err)
	}

	pf, rel4 := g.Host.Peers(ctx, nil)
	defer rel4()
	pr, err := pf.Struct()
	if err != nil {
		t.Fatal(err)
	}
	peers, _ := pr.Peers()
	found := false
	for i := 0; i < peers.Len(); i++ {
		id, _ := peers.At(i).PeerId()
		if peer.ID(id) == b.ID() {
			found = true
		}
	}
	if !found {
		t.Errorf("Host.peers lacks %s", b.ID())
	}
}

// buildImage builds testdata/guests/<name> of this module into a fresh
// image directory and returns the image.
func buildImage(t *testing.T, name string) *image.Image {
	t.Helper()
	t.Setenv("GOTOOLCHAIN", "local")
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "guests", name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := build.Build(ctx, src, filepath.Join(dir, "boot", "main.wasm"), build.Options{}); err != nil {
		t.Fatal(err)
	}
	mounts, err := image.ParseMounts([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	img, err := image.Build(ctx, mounts, image.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { img.Close() })
	return img
}

// TestBootGuest boots a real std/system guest as pid0: it grafts through
// the Membrane, calls Executor.echo and Host.id, prints both and exits 0.
// It exports no Shell, so it runs in passthrough mode.
func TestBootGuest(t *testing.T) {
	n := startNode(t, nil)
	img := buildImage(t, "rpcclient")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := n.Boot(ctx, img, node.BootOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sh, ok := p.Shell(ctx, 0); ok {
		sh.Release()
		t.Fatal("rpcclient exports a Shell")
	}
	var out, errb bytes.Buffer
	code, reason, err := p.Passthrough(ctx, nil, &out, &errb)
	if err != nil || code != 0 {
		t.Fatalf("exit %d %q %v\nstderr: %s", code, reason, err, errb.String())
	}
	want := "Echo: hi\nid: " + hex.EncodeToString([]byte(n.ID())) + "\n"
	if out.String() != want {
		t.Fatalf("stdout %q, want %q", out.String(), want)
	}
}

// TestBootPassthrough: pid0 runs with argv ["kernel"], and in
// passthrough mode host stdin reaches it and its stdout comes back.
func TestBootPassthrough(t *testing.T) {
	n := startNode(t, nil)
	img := buildImage(t, "echo")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := n.Boot(ctx, img, node.BootOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code, reason, err := p.Passthrough(ctx, bytes.NewReader([]byte("hello\n")), &out, &errb)
	if err != nil || code != 0 {
		t.Fatalf("exit %d %q %v\nstderr: %s", code, reason, err, errb.String())
	}
	if want := "arg: kernel\nhello\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if want := "echo: started\necho: done\n"; errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}
