package image

import (
	"errors"
	"io"
	"io/fs"
)

// roFile is an open image file: reads only, with the guest's FileInfo.
type roFile struct {
	f    fs.File
	info *info
}

func (f *roFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *roFile) Read(p []byte) (int, error) { return f.f.Read(p) }
func (f *roFile) Close() error               { return f.f.Close() }

// ReadAt reads at an offset when the layer's file supports it.
func (f *roFile) ReadAt(p []byte, off int64) (int, error) {
	if r, ok := f.f.(io.ReaderAt); ok {
		return r.ReadAt(p, off)
	}
	return 0, &fs.PathError{Op: "readat", Path: f.info.name, Err: errors.ErrUnsupported}
}

// Seek repositions when the layer's file supports it.
func (f *roFile) Seek(offset int64, whence int) (int64, error) {
	if s, ok := f.f.(io.Seeker); ok {
		return s.Seek(offset, whence)
	}
	return 0, &fs.PathError{Op: "seek", Path: f.info.name, Err: errors.ErrUnsupported}
}

// dirFile is an open image directory listing the merged view, computed
// on the first ReadDir.
type dirFile struct {
	im     *Image
	n      *node
	ents   []fs.DirEntry
	loaded bool
	off    int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.n.info, nil }
func (d *dirFile) Close() error               { return nil }

func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.n.name, Err: errIsDir}
}

// ReadDir follows fs.ReadDirFile: n > 0 returns at most n entries and
// io.EOF at the end; n <= 0 returns the rest.
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.loaded {
		ents, err := d.im.entries(d.n)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: d.n.name, Err: unwrapPath(err)}
		}
		d.ents, d.loaded = ents, true
	}
	rest := d.ents[d.off:]
	if n <= 0 {
		d.off = len(d.ents)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.off += len(rest)
	return rest, nil
}

var (
	_ fs.ReadDirFile = (*dirFile)(nil)
	_ io.ReaderAt    = (*roFile)(nil)
	_ io.Seeker      = (*roFile)(nil)
)
