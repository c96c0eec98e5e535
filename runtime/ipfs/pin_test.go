package ipfs

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// TestPinNames: Pin and Unpin act only on pins of their name, so added
// content stays pinned whatever is pinned or unpinned under another name;
// named pins persist in the pin store across a restart.
func TestPinNames(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	n, err := New(ctx, nil, Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { n.Close() }()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("inside"), 0o644)
	root, err := n.AddDir(ctx, dir, ImportOptions{CidVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := n.ResolvePath(ctx, "/ipfs/"+root.String()+"/f")
	if err != nil {
		t.Fatal(err)
	}
	inner := cid.MustParse(strings.TrimPrefix(p, "/ipfs/")) // local, not pinned itself

	pins := func(name string, want ...cid.Cid) {
		t.Helper()
		got, err := n.PinnedAs(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		same := len(got) == len(want)
		for _, w := range want {
			same = same && slices.Contains(got, w)
		}
		if !same {
			t.Fatalf("pins named %q: %v, want %v", name, got, want)
		}
	}
	if err := n.Pin(ctx, inner, ""); err == nil {
		t.Fatal("Pin with the empty name succeeded")
	}
	if err := n.Pin(ctx, inner, "head"); err != nil {
		t.Fatal(err)
	}
	if err := n.Pin(ctx, root, "head"); err != nil {
		t.Fatal(err)
	}
	pins("head", inner)
	pins("", root)

	if err := n.Unpin(ctx, root, "head"); err != nil {
		t.Fatal(err)
	}
	pins("", root)

	n.Close()
	if n, err = New(ctx, nil, Config{DataDir: data}); err != nil {
		t.Fatal(err)
	}
	pins("head", inner)
	if err := n.Unpin(ctx, inner, "head"); err != nil {
		t.Fatal(err)
	}
	pins("head")
	pins("", root)

	h, err := mh.Sum([]byte("stored nowhere"), mh.SHA2_256, -1)
	if err != nil {
		t.Fatal(err)
	}
	missing := cid.NewCidV1(cid.Raw, h)
	if err := n.Pin(ctx, missing, "head"); err == nil {
		t.Fatal("pinned a root whose blocks are nowhere")
	}
}
