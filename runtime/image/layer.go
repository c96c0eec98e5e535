package image

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"time"
)

// ErrSymlinkEscape is the error (inside an *fs.PathError naming the guest
// path) for a path whose lookup in its layer follows a symbolic link out of
// that layer, or an absolute one. errors.Is(err, fs.ErrPermission) also
// holds.
var ErrSymlinkEscape error = escapeError{}

type escapeError struct{}

func (escapeError) Error() string        { return "symlink escapes its layer" }
func (escapeError) Is(target error) bool { return target == fs.ErrPermission }

// osEscape is the text of os.Root's (unexported) error for a lookup that
// leaves the root through "..", a symbolic link or an absolute link.
const osEscape = "path escapes from parent"

// kind classifies what a layer holds at a path.
type kind int8

const (
	absent  kind = iota // nothing (or something other than a file or dir)
	file                // a regular file
	dir                 // a directory
	refused             // a lookup error, e.g. ErrSymlinkEscape
)

// layer is one source mapped into the guest tree. Lookups resolve inside
// fsys under base; for a local directory fsys is an os.Root, which follows
// symbolic links only while they stay inside it.
type layer struct {
	fsys   fs.FS
	base   string // fs name of the layer's root inside fsys ("." for all of it)
	target string // guest mount point as an fs name ("." for a root layer)
	closer io.Closer
}

// rel maps guest name to a name inside the layer. ancestor is true when
// name is a proper ancestor of the mount point (the layer then contributes
// a synthesized directory); ok is false when the layer has nothing there.
func (l *layer) rel(name string) (p string, ancestor, ok bool) {
	switch {
	case l.target == ".":
		return path.Join(l.base, name), false, true
	case name == l.target:
		return l.base, false, true
	case strings.HasPrefix(name, l.target+"/"):
		return path.Join(l.base, name[len(l.target)+1:]), false, true
	case name == "." || strings.HasPrefix(l.target, name+"/"):
		return "", true, true
	}
	return "", false, false
}

// stat classifies what the layer holds at guest name. info is nil for a
// synthesized ancestor directory.
func (l *layer) stat(name string) (fs.FileInfo, kind, error) {
	p, anc, ok := l.rel(name)
	if !ok {
		return nil, absent, nil
	}
	if anc {
		return nil, dir, nil
	}
	fi, err := fs.Stat(l.fsys, p)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil, absent, nil
	case isEscape(err):
		return nil, refused, ErrSymlinkEscape
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, refused, err
	}
	switch {
	case fi.IsDir():
		return fi, dir, nil
	case fi.Mode().IsRegular():
		return fi, file, nil
	}
	return nil, absent, nil // devices, pipes, sockets: not part of an image
}

// names lists the names the layer holds in guest directory name, which
// stat has classified as a directory.
func (l *layer) names(name string) ([]string, error) {
	p, anc, ok := l.rel(name)
	if !ok {
		return nil, nil
	}
	if anc {
		rest := l.target
		if name != "." {
			rest = l.target[len(name)+1:]
		}
		first, _, _ := strings.Cut(rest, "/")
		return []string{first}, nil
	}
	ents, err := fs.ReadDir(l.fsys, p)
	out := make([]string, len(ents))
	for i, e := range ents {
		out[i] = e.Name()
	}
	return out, err
}

func isEscape(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Err.Error() == osEscape
}

// info is the guest view of a file or directory: its guest name and
// permissions without write bits; nothing host-specific (Sys is nil).
type info struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
}

func newInfo(name string, fi fs.FileInfo) *info {
	base := path.Base(name)
	if fi == nil { // synthesized directory
		return &info{name: base, mode: fs.ModeDir | 0o555}
	}
	mode := fi.Mode() &^ 0o222
	var size int64
	if !fi.IsDir() {
		size = fi.Size()
	}
	return &info{name: base, size: size, mode: mode, modTime: fi.ModTime()}
}

func (i *info) Name() string               { return i.name }
func (i *info) Size() int64                { return i.size }
func (i *info) Mode() fs.FileMode          { return i.mode }
func (i *info) ModTime() time.Time         { return i.modTime }
func (i *info) IsDir() bool                { return i.mode.IsDir() }
func (i *info) Sys() any                   { return nil }
func (i *info) Type() fs.FileMode          { return i.mode.Type() }
func (i *info) Info() (fs.FileInfo, error) { return i, nil }
func (i *info) String() string             { return fs.FormatFileInfo(i) }
