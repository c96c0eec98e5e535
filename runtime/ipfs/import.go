package ipfs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	chunker "github.com/ipfs/boxo/chunker"
	"github.com/ipfs/boxo/ipld/merkledag"
	"github.com/ipfs/boxo/ipld/unixfs"
	"github.com/ipfs/boxo/ipld/unixfs/importer/balanced"
	"github.com/ipfs/boxo/ipld/unixfs/importer/helpers"
	uio "github.com/ipfs/boxo/ipld/unixfs/io"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
)

// ImportOptions tune an import. The zero value is `ipfs add` with Kubo's
// defaults: CIDv0, dag-pb leaves, 256 KiB chunks, balanced layout with
// 174 links per node.
type ImportOptions struct {
	// CidVersion 1 gives CIDv1 nodes and raw leaves (`--cid-version=1`).
	CidVersion int
	// Progress, if set, is called with the number of file bytes each read
	// consumed.
	Progress func(n int64)
}

func (o ImportOptions) prefix() (cid.Prefix, error) {
	switch o.CidVersion {
	case 0:
		return merkledag.V0CidPrefix(), nil
	case 1:
		return merkledag.V1CidPrefix(), nil
	}
	return cid.Prefix{}, fmt.Errorf("ipfs: unknown CID version %d", o.CidVersion)
}

// Add imports data as one file (Kubo defaults), pins and announces it and
// returns its CIDv0 text.
func (n *Node) Add(ctx context.Context, data []byte) (string, error) {
	return n.AddStream(ctx, bytes.NewReader(data))
}

// AddStream is Add reading r to EOF, 256 KiB at a time.
func (n *Node) AddStream(ctx context.Context, r io.Reader) (string, error) {
	c, err := n.AddReader(ctx, r, ImportOptions{})
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

// AddReader imports r as one file with opts, pins and announces it.
func (n *Node) AddReader(ctx context.Context, r io.Reader, opts ImportOptions) (cid.Cid, error) {
	nd, err := n.importFile(ctx, r, opts)
	if err != nil {
		return cid.Undef, err
	}
	return n.commit(ctx, nd)
}

// AddDir imports the directory tree at dir as `ipfs add -r` does: hidden
// entries (names starting with ".") are skipped, symbolic links are stored
// as UnixFS symlinks (not followed), directories switch to HAMT shards
// above Kubo's 256 KiB size estimate. The root is pinned and announced.
func (n *Node) AddDir(ctx context.Context, dir string, opts ImportOptions) (cid.Cid, error) {
	fi, err := os.Lstat(dir)
	if err != nil {
		return cid.Undef, err
	}
	if !fi.IsDir() {
		return cid.Undef, fmt.Errorf("%s: not a directory", dir)
	}
	nd, err := n.importPath(ctx, dir, fi, opts)
	if err != nil {
		return cid.Undef, err
	}
	return n.commit(ctx, nd)
}

func (n *Node) commit(ctx context.Context, nd ipld.Node) (cid.Cid, error) {
	if err := n.pin(ctx, nd); err != nil {
		return cid.Undef, err
	}
	n.announce(nd.Cid())
	return nd.Cid(), nil
}

// importFile chunks r into a balanced DAG, stored through a buffered DAG.
func (n *Node) importFile(ctx context.Context, r io.Reader, opts ImportOptions) (ipld.Node, error) {
	prefix, err := opts.prefix()
	if err != nil {
		return nil, err
	}
	if opts.Progress != nil {
		r = &countingReader{r: r, f: opts.Progress}
	}
	bdag := ipld.NewBufferedDAG(ctx, n.dag)
	params := helpers.DagBuilderParams{
		Dagserv:    bdag,
		Maxlinks:   helpers.DefaultLinksPerBlock,
		RawLeaves:  opts.CidVersion == 1,
		CidBuilder: prefix,
	}
	db, err := params.New(chunker.NewSizeSplitter(r, chunker.DefaultBlockSize))
	if err != nil {
		return nil, fmt.Errorf("ipfs: add: %w", err)
	}
	nd, err := balanced.Layout(db)
	if err != nil {
		return nil, fmt.Errorf("ipfs: add: %w", err)
	}
	if err := bdag.Commit(); err != nil {
		return nil, fmt.Errorf("ipfs: add: %w", err)
	}
	return nd, nil
}

// importPath imports one entry of a tree.
func (n *Node) importPath(ctx context.Context, p string, fi os.FileInfo, opts ImportOptions) (ipld.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix, err := opts.prefix()
	if err != nil {
		return nil, err
	}
	switch mode := fi.Mode(); {
	case mode.IsRegular():
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		nd, err := n.importFile(ctx, f, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return nd, nil
	case mode&os.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return nil, err
		}
		data, err := unixfs.SymlinkData(target)
		if err != nil {
			return nil, err
		}
		nd := merkledag.NodeWithData(data)
		if err := nd.SetCidBuilder(prefix); err != nil {
			return nil, err
		}
		return nd, n.dag.Add(ctx, nd)
	case mode.IsDir():
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		dir, err := uio.NewDirectory(n.dag, uio.WithCidBuilder(prefix))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			cp := filepath.Join(p, e.Name())
			cfi, err := os.Lstat(cp)
			if err != nil {
				return nil, err
			}
			child, err := n.importPath(ctx, cp, cfi, opts)
			if err != nil {
				return nil, err
			}
			if err := dir.AddChild(ctx, e.Name(), child); err != nil {
				return nil, fmt.Errorf("%s: %w", cp, err)
			}
		}
		nd, err := dir.GetNode()
		if err != nil {
			return nil, err
		}
		return nd, n.dag.Add(ctx, nd)
	default:
		return nil, fmt.Errorf("unrecognized file type for %s: %s", p, mode.Type())
	}
}

type countingReader struct {
	r io.Reader
	f func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	if k > 0 {
		c.f(int64(k))
	}
	return k, err
}
