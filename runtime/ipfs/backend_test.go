package ipfs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	uio "github.com/ipfs/boxo/ipld/unixfs/io"

	"github.com/wetware/ww/runtime/membrane"
)

// TestBackendErrors: the capability backend's failures carry the
// catalogue codes of design §6.3 and §17.
func TestBackendErrors(t *testing.T) {
	ctx := context.Background()
	n := offlineNode(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := n.AddDir(ctx, dir, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	big, err := n.AddReader(ctx, io.LimitReader(newGoRandom(1), membrane.MaxCatSize+1), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := "/ipfs/" + root.String()
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"cat dir", errOf(n.Cat(ctx, r)), "invalidArgument: is a directory"},
		{"cat big", errOf(n.Cat(ctx, "/ipfs/"+big.String())), "resourceExhausted: file too large"},
		{"cat missing path", errOf(n.Cat(ctx, r+"/nope")), "notFound: no such path: " + r + "/nope"},
		{"cat bad cid", errOf(n.Cat(ctx, "/ipfs/xyz")), "invalidArgument: not a CID: xyz"},
		{"cat bad path", errOf(n.Cat(ctx, "/foo/bar")), "invalidArgument: not an IPFS path: /foo/bar"},
		{"ls file", errOf(n.Ls(ctx, r+"/f")), "invalidArgument: not a directory"},
		{"open dir", errOf(n.Open(ctx, r)), "invalidArgument: is a directory"},
		{"ipns without routing", errOf(n.Cat(ctx, "/ipns/k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8")), "unavailable: ipns: k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8: no routing to resolve names"},
	} {
		if got := membrane.Reason(tc.err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// A bare CID works as a path; resolvePath reports what did not resolve.
	if got, err := n.Cat(ctx, root.String()+"/f"); err != nil || string(got) != "x" {
		t.Errorf("bare CID cat = %q, %v", got, err)
	}
	res, rest, err := n.ResolvePath(ctx, r+"/f/deeper/still")
	if err != nil || res == r || len(rest) != 2 || rest[0] != "deeper" {
		t.Errorf("resolvePath = %s %q %v", res, rest, err)
	}
	raw, err := n.ResolveNode(ctx, r+"/f")
	if err != nil || !bytes.Contains(raw, []byte("x")) {
		t.Errorf("resolveNode = %x, %v", raw, err)
	}
}

func errOf[T any](_ T, err error) error { return err }

// TestFetchFS: Fetch's file system passes io/fs's conformance checks on a
// nested tree (with a HAMT-sharded directory, symbolic links followed
// inside the tree, never out of it); a file root seeks and
// reads at offsets across blocks.
func TestFetchFS(t *testing.T) {
	ctx := context.Background()
	n := offlineNode(t)
	v := dirVector{
		Entries: map[string]content{
			"a.txt":      {Text: ptr("alpha\n")},
			"sub/b.txt":  {Text: ptr("beta\n")},
			"sub/c/d":    {Text: ptr("")},
			"etc/motd":   {Text: ptr("hi\n")},
			"etc/.hide":  {Text: ptr("hidden\n")},
			"empty/.dot": {Text: ptr("hidden\n")},
		},
	}
	root := writeTree(t, v)
	for i := range 300 { // sharded at a 1 KiB threshold below
		if err := os.WriteFile(filepath.Join(root, "sub", "c", "n"+string(rune('a'+i%26))+string(rune('a'+i/26))), []byte("n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.txt", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}

	old := uio.HAMTShardingSize
	uio.HAMTShardingSize = 1024
	c, err := n.AddDir(ctx, root, ImportOptions{CidVersion: 1})
	uio.HAMTShardingSize = old
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := n.Fetch(ctx, "/ipfs/"+c.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(fsys, "a.txt", "sub/b.txt", "sub/c/d", "sub/c/naa", "etc/motd", "empty"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(fsys, "etc/.hide"); err == nil {
		t.Error("hidden file was added")
	}
	fi, err := fs.Lstat(fsys, "link")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("lstat link: %v, %v", fi, err)
	}
	if data, err := fs.ReadFile(fsys, "link"); err != nil || string(data) != "alpha\n" {
		t.Errorf("read through link: %q, %v", data, err)
	}
	esc := t.TempDir()
	if err := os.Symlink("../outside", filepath.Join(esc, "out")); err != nil {
		t.Fatal(err)
	}
	ec, err := n.AddDir(ctx, esc, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	escFS, err := n.Fetch(ctx, "/ipfs/"+ec.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := escFS.Open("out"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("open of an escaping link: %v", err)
	}

	want, _ := io.ReadAll(io.LimitReader(newGoRandom(41), 5<<20))
	big, err := n.AddReader(ctx, bytes.NewReader(want), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bigFS, err := n.Fetch(ctx, "/ipfs/"+big.String())
	if err != nil {
		t.Fatal(err)
	}
	f, err := bigFS.Open(".")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ra := f.(io.ReaderAt)
	buf := make([]byte, 1000)
	for _, off := range []int64{0, 262143, 3 << 20, 5<<20 - 1000} {
		if k, err := ra.ReadAt(buf, off); err != nil || k != 1000 || !bytes.Equal(buf, want[off:off+1000]) {
			t.Errorf("ReadAt %d: %d %v", off, k, err)
		}
	}
	if _, err := f.(io.Seeker).Seek(4<<20, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(rest, want[4<<20:]) {
		t.Errorf("read after seek: %d bytes, %v", len(rest), err)
	}
}

func ptr(s string) *string { return &s }
