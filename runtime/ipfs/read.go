package ipfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ipfs/boxo/ipld/merkledag"
	"github.com/ipfs/boxo/ipld/unixfs"
	uio "github.com/ipfs/boxo/ipld/unixfs/io"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"

	"github.com/wetware/ww/runtime/membrane"
)

// ParsePath splits an IPFS path, "/ipfs/<cid>[/…]", "/ipns/<name>[/…]" or
// a bare "<cid>[/…]", into its namespace ("ipfs" or "ipns"), root and the
// segments below the root (empty segments dropped). A root that is not a
// CID in the ipfs namespace is "invalidArgument: not a CID: <root>".
func ParsePath(p string) (ns, root string, segs []string, err error) {
	rest := p
	switch {
	case strings.HasPrefix(p, "/ipfs/"):
		ns, rest = "ipfs", p[len("/ipfs/"):]
	case strings.HasPrefix(p, "/ipns/"):
		ns, rest = "ipns", p[len("/ipns/"):]
	case strings.HasPrefix(p, "/"):
		return "", "", nil, membrane.Errorf(membrane.CodeInvalidArgument, "not an IPFS path: %s", p)
	default:
		ns = "ipfs"
	}
	for _, s := range strings.Split(rest, "/") {
		if s == "" || s == "." {
			continue
		}
		if root == "" {
			root = s
			continue
		}
		segs = append(segs, s)
	}
	if root == "" {
		return "", "", nil, membrane.Errorf(membrane.CodeInvalidArgument, "not an IPFS path: %s", p)
	}
	if ns == "ipfs" {
		if _, err := cid.Decode(root); err != nil {
			return "", "", nil, membrane.Errorf(membrane.CodeInvalidArgument, "not a CID: %s", root)
		}
	}
	return ns, root, segs, nil
}

// walk resolves p as far as it goes: the deepest node reached and the
// segments left over (non-empty when a segment is missing or the path
// continues below a file). Failing to fetch the root is an error.
func (n *Node) walk(ctx context.Context, p string) (ipld.Node, []string, error) {
	ns, root, segs, err := ParsePath(p)
	if err != nil {
		return nil, nil, err
	}
	if ns == "ipns" {
		target, err := n.resolveName(ctx, root)
		if err != nil {
			return nil, nil, err
		}
		if ns, root, segs, err = ParsePath(strings.Join(append([]string{target}, segs...), "/")); err != nil {
			return nil, nil, err
		}
		if ns != "ipfs" {
			return nil, nil, membrane.Errorf(membrane.CodeUnavailable, "ipns: %s resolves to %s", p, target)
		}
	}
	c, err := cid.Decode(root)
	if err != nil {
		return nil, nil, err
	}
	nd, err := n.get(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	for i, s := range segs {
		dir, err := uio.NewDirectoryFromNode(n.dag, nd)
		if err != nil {
			return nd, segs[i:], nil // not a directory
		}
		child, err := dir.Find(ctx, s)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return nd, segs[i:], nil
		case err != nil:
			return nil, nil, n.fetchErr(ctx, err)
		}
		nd = child
	}
	return nd, nil, nil
}

// resolve is walk requiring the whole path: a leftover is
// "notFound: no such path: <p>".
func (n *Node) resolve(ctx context.Context, p string) (ipld.Node, error) {
	nd, rest, err := n.walk(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, membrane.Errorf(membrane.CodeNotFound, "no such path: %s", p)
	}
	return nd, nil
}

// get fetches a node, from the blockstore or through bitswap.
func (n *Node) get(ctx context.Context, c cid.Cid) (ipld.Node, error) {
	nd, err := n.dag.Get(ctx, c)
	if err != nil {
		return nil, n.fetchErr(ctx, err)
	}
	return nd, nil
}

// fetchErr keeps deadline errors recognizable (the membrane turns them
// into deadlineExceeded) and labels the rest "ipfs: …".
func (n *Node) fetchErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("ipfs: %w", ctx.Err())
	}
	if membrane.CodeOf(err) != "" {
		return err
	}
	return fmt.Errorf("ipfs: %w", err)
}

// ResolvePath returns "/ipfs/<cid>" of the deepest node p resolves to and
// the segments below it that did not resolve.
func (n *Node) ResolvePath(ctx context.Context, p string) (string, []string, error) {
	nd, rest, err := n.walk(ctx, p)
	if err != nil {
		return "", nil, err
	}
	if rest == nil {
		rest = []string{}
	}
	return "/ipfs/" + nd.Cid().String(), rest, nil
}

// ResolveNode returns the raw block at p.
func (n *Node) ResolveNode(ctx context.Context, p string) ([]byte, error) {
	nd, err := n.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	return nd.RawData(), nil
}

// Cat returns the whole file at p; directories fail with "is a directory"
// and files over membrane.MaxCatSize with "file too large".
func (n *Node) Cat(ctx context.Context, p string) ([]byte, error) {
	nd, err := n.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	st := statNode(nd)
	if st.dir {
		return nil, membrane.Errorf(membrane.CodeInvalidArgument, "is a directory")
	}
	if st.size > membrane.MaxCatSize {
		return nil, membrane.Errorf(membrane.CodeResourceExhausted, "file too large")
	}
	r, err := n.reader(ctx, nd)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, st.size)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, n.fetchErr(ctx, err)
	}
	return buf, nil
}

// Open streams the file at p. The stream outlives ctx (which only bounds
// the resolution); each read fetches what it needs within
// Config.FetchTimeout.
func (n *Node) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	nd, err := n.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	return n.openFile(p, nd, nil)
}

func (n *Node) reader(ctx context.Context, nd ipld.Node) (uio.DagReader, error) {
	// A bitswap session asks the peers that had earlier blocks first.
	r, err := uio.NewDagReader(ctx, nd, merkledag.NewSession(ctx, n.dag))
	switch {
	case errors.Is(err, uio.ErrIsDir):
		return nil, membrane.Errorf(membrane.CodeInvalidArgument, "is a directory")
	case err != nil:
		return nil, n.fetchErr(ctx, err)
	}
	return r, nil
}

// Ls lists the directory at p in DAG order, with each entry's UnixFS file
// size and type (which fetches each child's root block).
func (n *Node) Ls(ctx context.Context, p string) ([]membrane.Entry, error) {
	nd, err := n.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	links, err := n.links(ctx, nd)
	if err != nil {
		return nil, err
	}
	out := make([]membrane.Entry, 0, len(links))
	for _, l := range links {
		child, err := n.get(ctx, l.Cid)
		if err != nil {
			return nil, err
		}
		st := statNode(child)
		out = append(out, membrane.Entry{Name: l.Name, Size: st.size, Dir: st.dir, Cid: l.Cid})
	}
	return out, nil
}

// links lists a directory's entries (the shard entries of a HAMT).
func (n *Node) links(ctx context.Context, nd ipld.Node) ([]*ipld.Link, error) {
	dir, err := uio.NewDirectoryFromNode(n.dag, nd)
	if err != nil {
		return nil, membrane.Errorf(membrane.CodeInvalidArgument, "not a directory")
	}
	links, err := dir.Links(ctx)
	if err != nil {
		return nil, n.fetchErr(ctx, err)
	}
	return links, nil
}

// nodeStat is what a UnixFS node's root block says about it.
type nodeStat struct {
	dir     bool
	symlink bool
	target  string // of a symlink
	size    uint64 // file size; 0 for directories
}

func statNode(nd ipld.Node) nodeStat {
	switch nd := nd.(type) {
	case *merkledag.RawNode:
		return nodeStat{size: uint64(len(nd.RawData()))}
	case *merkledag.ProtoNode:
		fsn, err := unixfs.FSNodeFromBytes(nd.Data())
		if err != nil {
			return nodeStat{size: uint64(len(nd.Data()))}
		}
		switch fsn.Type() {
		case unixfs.TDirectory, unixfs.THAMTShard:
			return nodeStat{dir: true}
		case unixfs.TSymlink:
			return nodeStat{symlink: true, target: string(fsn.Data()), size: uint64(len(fsn.Data()))}
		}
		return nodeStat{size: fsn.FileSize()}
	}
	return nodeStat{size: uint64(len(nd.RawData()))}
}
