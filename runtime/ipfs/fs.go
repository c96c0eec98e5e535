package ipfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	uio "github.com/ipfs/boxo/ipld/unixfs/io"
	ipld "github.com/ipfs/go-ipld-format"
)

// Fetch resolves root ("/ipfs/<cid>" or "/ipns/<name>", an IPNS name being
// resolved once, here) and returns the UnixFS tree it names as a read-only
// fs.FS that fetches blocks lazily (image.Fetcher). Every block fetch is
// bounded by Config.FetchTimeout; content nobody serves fails with an
// error naming the CID.
func (n *Node) Fetch(ctx context.Context, root string) (fs.FS, error) {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.FetchTimeout)
	defer cancel()
	nd, rest, err := n.walk(ctx, root)
	if err != nil {
		return nil, n.timeoutErr(ctx, root, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%s: %w", root, fs.ErrNotExist)
	}
	u := &unixFS{n: n, root: nd, name: root, stop: make(chan struct{})}
	go u.progress()
	return u, nil
}

// FetchProgressEvery is how often an image layer being read logs how much
// it has read (system design §15.3).
const FetchProgressEvery = 5 * time.Second

// progress logs the bytes read from the layer every FetchProgressEvery
// while reads go on, until Close.
func (u *unixFS) progress() {
	t := time.NewTicker(FetchProgressEvery)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-u.stop:
			return
		case <-u.n.ctx.Done():
			return
		case <-t.C:
			if k := u.read.Load(); k != last {
				last = k
				u.n.log.Info("ipfs: fetching", "layer", u.name, "read", fmt.Sprintf("%.1f MiB", float64(k)/(1<<20)))
			}
		}
	}
}

// Close stops the progress log; open files stay usable.
func (u *unixFS) Close() error {
	u.closeOnce.Do(func() { close(u.stop) })
	return nil
}

// timeoutErr turns a fetch deadline into a readable error.
func (n *Node) timeoutErr(ctx context.Context, what string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("ipfs: %s: not found within %s (no connected peer or provider has it)", what, n.cfg.FetchTimeout)
	}
	return err
}

// unixFS is a UnixFS DAG as an fs.FS (and fs.StatFS, fs.ReadDirFS,
// fs.ReadLinkFS).
type unixFS struct {
	n         *Node
	root      ipld.Node
	name      string       // the layer's root path, for logs
	read      atomic.Int64 // bytes read from its files
	stop      chan struct{}
	closeOnce sync.Once
}

var (
	_ fs.StatFS     = (*unixFS)(nil)
	_ fs.ReadDirFS  = (*unixFS)(nil)
	_ fs.ReadLinkFS = (*unixFS)(nil)
)

// maxLinks bounds the symbolic links one lookup follows.
const maxLinks = 40

// errEscape is the error of a symbolic link leading out of the tree (an
// absolute target, or ".." above the root).
var errEscape = fmt.Errorf("symlink escapes the tree: %w", fs.ErrPermission)

// lookup resolves an fs name below the root, following symbolic links
// inside the tree (the last one only if follow).
func (u *unixFS) lookup(op, name string, follow bool) (ipld.Node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	nd, err := u.walk(name, follow, 0)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return nd, nil
}

func (u *unixFS) walk(name string, follow bool, links int) (ipld.Node, error) {
	nd := u.root
	if name == "." {
		return nd, nil
	}
	segs := strings.Split(name, "/")
	for i, s := range segs {
		ctx, cancel := context.WithTimeout(u.n.ctx, u.n.cfg.FetchTimeout)
		dir, err := uio.NewDirectoryFromNode(u.n.dag, nd)
		if err != nil {
			cancel()
			return nil, fs.ErrNotExist
		}
		child, err := dir.Find(ctx, s)
		if err != nil {
			err = u.n.timeoutErr(ctx, nd.Cid().String()+"/"+s, err)
			cancel()
			if errors.Is(err, fs.ErrNotExist) {
				err = fs.ErrNotExist
			}
			return nil, err
		}
		cancel()
		nd = child
		if st := statNode(nd); st.symlink && (follow || i < len(segs)-1) {
			if links++; links > maxLinks {
				return nil, errors.New("too many levels of symbolic links")
			}
			target := st.target
			if path.IsAbs(target) {
				return nil, errEscape
			}
			full := path.Join(path.Join(segs[:i]...), target)
			if full == ".." || strings.HasPrefix(full, "../") {
				return nil, errEscape
			}
			if rest := segs[i+1:]; len(rest) > 0 {
				full = path.Join(full, path.Join(rest...))
			}
			return u.walk(full, follow, links)
		}
	}
	return nd, nil
}

func (u *unixFS) Stat(name string) (fs.FileInfo, error) {
	nd, err := u.lookup("stat", name, true)
	if err != nil {
		return nil, err
	}
	return newInfo(path.Base(name), statNode(nd)), nil
}

// Lstat is Stat without following a final symbolic link (fs.ReadLinkFS).
func (u *unixFS) Lstat(name string) (fs.FileInfo, error) {
	nd, err := u.lookup("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return newInfo(path.Base(name), statNode(nd)), nil
}

// ReadLink returns a symbolic link's target (fs.ReadLinkFS).
func (u *unixFS) ReadLink(name string) (string, error) {
	nd, err := u.lookup("readlink", name, false)
	if err != nil {
		return "", err
	}
	st := statNode(nd)
	if !st.symlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return st.target, nil
}

func (u *unixFS) Open(name string) (fs.File, error) {
	nd, err := u.lookup("open", name, true)
	if err != nil {
		return nil, err
	}
	st := statNode(nd)
	fi := newInfo(path.Base(name), st)
	if st.dir {
		return &dirFile{u: u, nd: nd, info: fi, name: name}, nil
	}
	if st.symlink {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("is a symbolic link")}
	}
	f, err := u.n.openFile(name, nd, fi)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f.count = &u.read
	return f, nil
}

func (u *unixFS) ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := u.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, ok := f.(*dirFile)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	ents, err := d.ReadDir(-1)
	// HAMT shards list in hash order; fs.ReadDirFS promises names.
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return ents, err
}

// file is an open UnixFS file. Blocks are fetched (and prefetched) under
// a context that lives until Close; a read that makes no progress within
// Config.FetchTimeout cancels it and fails.
type file struct {
	n      *Node
	name   string
	info   *info
	mu     sync.Mutex
	r      uio.DagReader
	cancel context.CancelFunc
	count  *atomic.Int64 // if set, adds the bytes read
}

func (n *Node) openFile(name string, nd ipld.Node, fi *info) (*file, error) {
	ctx, cancel := context.WithCancel(n.ctx)
	r, err := n.reader(ctx, nd)
	if err != nil {
		cancel()
		return nil, err
	}
	return &file{n: n, name: name, info: fi, r: r, cancel: cancel}, nil
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }

func (f *file) Close() error {
	f.cancel()
	return f.r.Close()
}

func (f *file) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.read(p)
}

func (f *file) read(p []byte) (int, error) {
	var timedOut atomic.Bool
	t := time.AfterFunc(f.n.cfg.FetchTimeout, func() {
		timedOut.Store(true)
		f.cancel()
	})
	k, err := f.r.Read(p)
	t.Stop()
	if f.count != nil {
		f.count.Add(int64(k))
	}
	switch {
	case err == io.EOF && k > 0:
		err = nil
	case err != nil && err != io.EOF && timedOut.Load():
		err = &fs.PathError{Op: "read", Path: f.name, Err: f.n.timeoutErr(context.Background(), f.name, context.DeadlineExceeded)}
	case err != nil && err != io.EOF:
		err = &fs.PathError{Op: "read", Path: f.name, Err: err}
	}
	return k, err
}

func (f *file) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.r.Seek(offset, whence)
}

// ReadAt reads at off without moving the read position.
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	pos, err := f.r.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	defer f.r.Seek(pos, io.SeekStart)
	if _, err := f.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	k, err := f.read(p)
	if err == nil && k < len(p) {
		err = io.EOF
	}
	return k, err
}

// dirFile is an open UnixFS directory; its entries are listed (and each
// child's root block fetched) on the first ReadDir.
type dirFile struct {
	u      *unixFS
	nd     ipld.Node
	name   string
	info   *info
	ents   []fs.DirEntry
	loaded bool
	off    int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}

func (d *dirFile) ReadDir(count int) ([]fs.DirEntry, error) {
	if !d.loaded {
		if err := d.load(); err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: d.name, Err: err}
		}
	}
	rest := d.ents[d.off:]
	if count <= 0 {
		d.off = len(d.ents)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(count, len(rest))]
	d.off += len(rest)
	return rest, nil
}

func (d *dirFile) load() error {
	ctx, cancel := context.WithTimeout(d.u.n.ctx, d.u.n.cfg.FetchTimeout)
	defer cancel()
	links, err := d.u.n.links(ctx, d.nd)
	if err != nil {
		return d.u.n.timeoutErr(ctx, d.nd.Cid().String(), err)
	}
	ents := make([]fs.DirEntry, 0, len(links))
	for _, l := range links {
		child, err := d.u.n.get(ctx, l.Cid)
		if err != nil {
			return d.u.n.timeoutErr(ctx, l.Cid.String(), err)
		}
		ents = append(ents, newInfo(l.Name, statNode(child)))
	}
	d.ents, d.loaded = ents, true
	return nil
}

// info describes a UnixFS node: files 0444, directories 0555, symbolic
// links as such; no modification times.
type info struct {
	name string
	st   nodeStat
}

func newInfo(name string, st nodeStat) *info { return &info{name: name, st: st} }

func (i *info) Name() string { return i.name }
func (i *info) Size() int64 {
	if i.st.dir {
		return 0
	}
	return int64(i.st.size)
}
func (i *info) Mode() fs.FileMode {
	switch {
	case i.st.dir:
		return fs.ModeDir | 0o555
	case i.st.symlink:
		return fs.ModeSymlink | 0o444
	}
	return 0o444
}
func (i *info) ModTime() time.Time         { return time.Time{} }
func (i *info) IsDir() bool                { return i.st.dir }
func (i *info) Sys() any                   { return nil }
func (i *info) Type() fs.FileMode          { return i.Mode().Type() }
func (i *info) Info() (fs.FileInfo, error) { return i, nil }
