package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Fetcher opens IPFS and IPNS trees. The IPFS node (runtime/ipfs)
// implements it; [Build] without one refuses IPFS and IPNS layers.
type Fetcher interface {
	// Fetch resolves root, "/ipfs/<cid>" or "/ipns/<name>" (an IPNS name
	// is resolved once, here), and returns the tree it names, read lazily.
	// Sub paths of a mount are looked up inside the returned FS. If the
	// FS also implements io.Closer, Image.Close closes it.
	Fetch(ctx context.Context, root string) (fs.FS, error)
}

// Options configures [Build].
type Options struct {
	// Fetcher opens IPFS and IPNS layers; nil refuses them with
	// `ipfs mounts need an IPFS node`.
	Fetcher Fetcher
	// Base, if set, is an /ipfs/ or /ipns/ path (the stem head) merged
	// below every root layer.
	Base string
	// IdentityFlag is the --identity value; a mount targeting
	// /etc/identity conflicts with it.
	IdentityFlag string
}

// ErrNoEntrypoint is the error of an image without /boot/main.wasm. The
// message gains a hint when /bin/main.wasm exists; errors.Is still
// matches.
var ErrNoEntrypoint = errors.New("image has no boot/main.wasm")

// ErrNoIPFS is the error of an IPFS or IPNS layer when no Fetcher is
// configured.
var ErrNoIPFS = errors.New("ipfs mounts need an IPFS node")

// ErrIdentityConflict is the error of an /etc/identity mount given
// together with --identity.
var ErrIdentityConflict = errors.New("/etc/identity mount conflicts with --identity")

// IdentityMount takes the identity selection out of mounts: it returns the
// host path of the last mount targeting /etc/identity ("" if there is
// none) and the other mounts, in order. Such a mount must be a local file
// that exists, and cannot be combined with flagPath (the --identity
// value). The node needs its key before it can fetch IPFS layers, so
// `ww run` calls this before [Build]; Build calls it too, so an identity
// mount never reaches an image.
func IdentityMount(mounts []Mount, flagPath string) (string, []Mount, error) {
	var id string
	rest := make([]Mount, 0, len(mounts))
	for _, m := range mounts {
		if m.Target != IdentityPath {
			rest = append(rest, m)
			continue
		}
		if flagPath != "" {
			return "", nil, ErrIdentityConflict
		}
		if m.Kind != Local {
			return "", nil, fmt.Errorf("%s mount must be a local file: %s", IdentityPath, m.Source)
		}
		fi, err := os.Stat(m.Source)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", nil, fmt.Errorf("mount source not found: %s", m.Source)
		case err != nil:
			return "", nil, fmt.Errorf("mount source %s: %w", m.Source, err)
		case !fi.Mode().IsRegular():
			return "", nil, fmt.Errorf("%s mount must be a local file: %s", IdentityPath, m.Source)
		}
		id = m.Source
	}
	return id, rest, nil
}

// Image is the merged, read-only guest tree. It implements fs.FS,
// fs.StatFS, fs.ReadDirFS and fs.ReadFileFS; names are guest paths
// without the leading "/" ("." is the root, "boot/main.wasm" is
// /boot/main.wasm), as io/fs requires. It is safe for concurrent use.
type Image struct {
	layers   []*layer // top (latest) first; replaced whole by SwapBase
	identity string
	base     baseState // the stem head layer (base.go)
}

// Build merges mounts into an image (system design §12): Options.Base,
// then the root layers in order, then the targeted mounts in order; later
// wins per path, directories union, a file hides every earlier directory
// at its path and a directory every earlier file. A mount targeting
// /etc/identity is consumed (see [IdentityMount] and [Image.Identity]);
// /etc/identity and /dev/ww are masked in every layer. Local layers are
// read in place, their symbolic links followed only within the layer. The
// image must contain /boot/main.wasm. Close the image when done.
func Build(ctx context.Context, mounts []Mount, opts Options) (*Image, error) {
	id, mounts, err := IdentityMount(mounts, opts.IdentityFlag)
	if err != nil {
		return nil, err
	}
	var order []Mount
	if opts.Base != "" {
		b, err := ParseMount(opts.Base)
		if err != nil {
			return nil, err
		}
		if b.Kind == Local || b.Targeted() {
			return nil, fmt.Errorf("base layer must be an IPFS path: %s", opts.Base)
		}
		order = append(order, b)
	}
	for _, m := range mounts {
		if !m.Targeted() {
			order = append(order, m)
		}
	}
	for _, m := range mounts {
		if m.Targeted() {
			order = append(order, m)
		}
	}
	im := &Image{identity: id}
	for _, m := range order {
		l, err := openLayer(ctx, m, opts.Fetcher)
		if err != nil {
			im.Close()
			return nil, err
		}
		im.layers = append(im.layers, l)
	}
	slices.Reverse(im.layers)
	im.base.has = opts.Base != ""
	if err := im.checkEntrypoint(); err != nil {
		im.Close()
		return nil, err
	}
	return im, nil
}

func openLayer(ctx context.Context, m Mount, f Fetcher) (*layer, error) {
	l := &layer{target: "."}
	if m.Targeted() {
		l.target = strings.TrimPrefix(m.Target, "/")
		if l.target == "" {
			l.target = "."
		}
	}
	var isDir bool
	switch m.Kind {
	case Local:
		fi, err := os.Stat(m.Source)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("mount source not found: %s", m.Source)
		case err != nil:
			return nil, fmt.Errorf("mount source %s: %w", m.Source, err)
		case !fi.IsDir() && !fi.Mode().IsRegular():
			return nil, fmt.Errorf("mount source is not a file or directory: %s", m.Source)
		}
		isDir = fi.IsDir()
		// The source path itself is the user's choice: resolve its links
		// on the host, then confine lookups to what it names.
		real, err := filepath.EvalSymlinks(m.Source)
		if err != nil {
			return nil, fmt.Errorf("mount source %s: %w", m.Source, err)
		}
		dirPath, base := real, "."
		if !isDir {
			dirPath, base = filepath.Dir(real), filepath.Base(real)
		}
		root, err := os.OpenRoot(dirPath)
		if err != nil {
			return nil, fmt.Errorf("mount source %s: %w", m.Source, err)
		}
		l.fsys, l.base, l.closer = root.FS(), base, root
	case IPFS, IPNS:
		if f == nil {
			return nil, ErrNoIPFS
		}
		root, sub, _ := splitNetPath(m.Source)
		fsys, err := f.Fetch(ctx, root)
		if err != nil {
			return nil, fmt.Errorf("mount %s: %w", m.Source, err)
		}
		l.fsys, l.base = fsys, sub
		if c, ok := fsys.(io.Closer); ok {
			l.closer = c
		}
		fi, err := fs.Stat(fsys, sub)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			l.close()
			return nil, fmt.Errorf("mount source not found: %s", m.Source)
		case err != nil:
			l.close()
			return nil, fmt.Errorf("mount %s: %w", m.Source, err)
		}
		isDir = fi.IsDir()
	default:
		return nil, fmt.Errorf("mount %s: unknown source kind", m.Source)
	}
	switch {
	case !isDir && !m.Targeted():
		l.close()
		return nil, fmt.Errorf("root layer is not a directory: %s", m.Source)
	case !isDir && l.target == ".":
		l.close()
		return nil, fmt.Errorf("cannot mount a file at /: %s", m.Source)
	}
	return l, nil
}

func (l *layer) close() {
	if l.closer != nil {
		l.closer.Close()
	}
}

func (im *Image) checkEntrypoint() error {
	entry := strings.TrimPrefix(Entrypoint, "/")
	if fi, err := im.Stat(entry); err == nil && fi.Mode().IsRegular() {
		return nil
	}
	if fi, err := im.Stat("bin/main.wasm"); err == nil && fi.Mode().IsRegular() {
		return fmt.Errorf("%w (hint: bin/main.wasm exists; the entrypoint is boot/main.wasm, bin/ holds PATH commands)", ErrNoEntrypoint)
	}
	return ErrNoEntrypoint
}

// Identity is the host path of the key file selected by a mount targeting
// /etc/identity, or "" if there was none. The file is not in the image.
func (im *Image) Identity() string { return im.identity }

// Close releases the layers (open directory handles, IPFS sessions).
// Files already opened stay usable until closed.
func (im *Image) Close() error {
	for _, l := range im.allLayers() {
		l.close()
	}
	return nil
}

// node is a resolved guest path: a file from one layer, or a directory
// that is the union of a run of layers.
type node struct {
	name   string
	info   *info
	isDir  bool
	layers []*layer // top first; for a file, its layer
	rel    string   // for a file, its name inside layers[0].fsys
}

// masked reports whether guest name is hidden in every layer.
func masked(name string) bool {
	for _, p := range []string{IdentityPath, ReservedPath} {
		p = p[1:]
		if name == p || strings.HasPrefix(name, p+"/") {
			return true
		}
	}
	return false
}

// resolve finds guest name among candidates (top first): the topmost layer
// that has it decides. A file is returned alone; a directory unions with
// the directories below it down to the first layer that has a file there
// (or refuses the lookup). Layers without the name are skipped.
func resolve(candidates []*layer, name string) (*node, error) {
	if masked(name) {
		return nil, fs.ErrNotExist
	}
	var n *node
	for _, l := range candidates {
		fi, k, err := l.stat(name)
		if k == absent {
			continue
		}
		if n == nil {
			switch k {
			case refused:
				return nil, err
			case file:
				p, _, _ := l.rel(name)
				return &node{name: name, info: newInfo(name, fi), layers: []*layer{l}, rel: p}, nil
			}
			n = &node{name: name, info: newInfo(name, fi), isDir: true}
		} else if k != dir {
			break
		}
		n.layers = append(n.layers, l)
	}
	if n == nil {
		return nil, fs.ErrNotExist
	}
	return n, nil
}

// lookup resolves guest name one element at a time, so that a file in a
// later layer cuts off what earlier layers have beneath it.
func (im *Image) lookup(name string) (*node, error) {
	n, err := resolve(im.stack(), ".")
	if err != nil || name == "." {
		return n, err
	}
	for i := 0; ; {
		if !n.isDir {
			return nil, fs.ErrNotExist
		}
		j := strings.IndexByte(name[i:], '/')
		end := len(name)
		if j >= 0 {
			end = i + j
		}
		if n, err = resolve(n.layers, name[:end]); err != nil {
			return nil, err
		}
		if end == len(name) {
			return n, nil
		}
		i = end + 1
	}
}

// entries lists directory node n: the union of its layers' names, each
// resolved as a lookup would, sorted; names that do not resolve (masked,
// refused, hidden) are left out.
func (im *Image) entries(n *node) ([]fs.DirEntry, error) {
	seen := map[string]bool{}
	var out []fs.DirEntry
	for _, l := range n.layers {
		names, err := l.names(n.name)
		if err != nil {
			return nil, err
		}
		for _, c := range names {
			if seen[c] {
				continue
			}
			seen[c] = true
			child, err := resolve(n.layers, path.Join(n.name, c))
			if err != nil {
				continue
			}
			out = append(out, child.info)
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

func (im *Image) find(op, name string) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n, err := im.lookup(name)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return n, nil
}

// Open opens name read-only. Directories list the merged view.
func (im *Image) Open(name string) (fs.File, error) {
	n, err := im.find("open", name)
	if err != nil {
		return nil, err
	}
	if n.isDir {
		return &dirFile{im: im, n: n}, nil
	}
	f, err := n.layers[0].fsys.Open(n.rel)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: unwrapPath(err)}
	}
	return &roFile{f: f, info: n.info}, nil
}

// Stat describes name as the guest sees it.
func (im *Image) Stat(name string) (fs.FileInfo, error) {
	n, err := im.find("stat", name)
	if err != nil {
		return nil, err
	}
	return n.info, nil
}

// ReadDir lists directory name, sorted by name.
func (im *Image) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := im.find("readdir", name)
	if err != nil {
		return nil, err
	}
	if !n.isDir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	ents, err := im.entries(n)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: unwrapPath(err)}
	}
	return ents, nil
}

// ReadFile reads file name.
func (im *Image) ReadFile(name string) ([]byte, error) {
	n, err := im.find("read", name)
	if err != nil {
		return nil, err
	}
	if n.isDir {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errIsDir}
	}
	b, err := fs.ReadFile(n.layers[0].fsys, n.rel)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: unwrapPath(err)}
	}
	return b, nil
}

var (
	errIsDir  = errors.New("is a directory")
	errNotDir = errors.New("not a directory")
)

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Err.Error() == osEscape {
			return ErrSymlinkEscape
		}
		return pe.Err
	}
	return err
}

var (
	_ fs.FS         = (*Image)(nil)
	_ fs.StatFS     = (*Image)(nil)
	_ fs.ReadDirFS  = (*Image)(nil)
	_ fs.ReadFileFS = (*Image)(nil)
)
