package ipfs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/wetware/ww/runtime/membrane"
)

// KuboClient speaks Kubo's HTTP RPC API (/api/v0, POST, URL-encoded
// arguments) for --ipfs-api: it implements membrane.IPFSBackend and
// image.Fetcher like Node, on an external daemon that does the storing,
// pinning and announcing.
type KuboClient struct {
	base string // http://host:port
	http *http.Client
}

// NewKuboClient returns a client of the Kubo API at api, an http(s) URL or
// a multiaddr such as /ip4/127.0.0.1/tcp/5001.
func NewKuboClient(api string) (*KuboClient, error) {
	base := strings.TrimRight(api, "/")
	if strings.HasPrefix(api, "/") {
		m, err := ma.NewMultiaddr(api)
		if err != nil {
			return nil, fmt.Errorf("--ipfs-api %s: %w", api, err)
		}
		addr, err := manet.ToNetAddr(m)
		if err != nil {
			return nil, fmt.Errorf("--ipfs-api %s: %w", api, err)
		}
		base = "http://" + addr.String()
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--ipfs-api %s: not an http URL or multiaddr", api)
	}
	return &KuboClient{base: base, http: &http.Client{}}, nil
}

// call POSTs /api/v0/<cmd>?<args> with body (a multipart form when not
// nil) and returns the response body. Kubo's error objects
// ({"Message": …}) become "unavailable: ipfs: <cmd>: <message>", or the
// catalogue code the message implies.
func (k *KuboClient) call(ctx context.Context, cmd string, args url.Values, body io.Reader, contentType string) (io.ReadCloser, error) {
	u := k.base + "/api/v0/" + cmd
	if len(args) > 0 {
		u += "?" + args.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := k.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, membrane.Errorf(membrane.CodeUnavailable, "ipfs: %s: %v", cmd, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp.Body, nil
	}
	defer resp.Body.Close()
	var e struct{ Message string }
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(data, &e) != nil || e.Message == "" {
		e.Message = strings.TrimSpace(string(data))
	}
	switch {
	case strings.Contains(e.Message, "is a directory"):
		return nil, membrane.Errorf(membrane.CodeInvalidArgument, "is a directory")
	case strings.Contains(e.Message, "no link named"), strings.Contains(e.Message, "not found"):
		return nil, membrane.Errorf(membrane.CodeNotFound, "no such path: %s", args.Get("arg"))
	case strings.Contains(e.Message, "invalid path"), strings.Contains(e.Message, "invalid cid"):
		return nil, membrane.Errorf(membrane.CodeInvalidArgument, "not a CID: %s", args.Get("arg"))
	}
	return nil, membrane.Errorf(membrane.CodeUnavailable, "ipfs: %s: %s", cmd, e.Message)
}

// callJSON is call decoding the last JSON value of the response (add
// streams one object per added entry, the root last).
func (k *KuboClient) callJSON(ctx context.Context, cmd string, args url.Values, body io.Reader, contentType string, out any) error {
	rc, err := k.call(ctx, cmd, args, body, contentType)
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	var last json.RawMessage
	for {
		var v json.RawMessage
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			return membrane.Errorf(membrane.CodeUnavailable, "ipfs: %s: %v", cmd, err)
		}
		last = v
	}
	if last == nil {
		return membrane.Errorf(membrane.CodeUnavailable, "ipfs: %s: empty response", cmd)
	}
	return json.Unmarshal(last, out)
}

func arg(p string) url.Values { return url.Values{"arg": {p}} }

// ipfsPath checks p as ParsePath does and gives Kubo's form of it.
func ipfsPath(p string) (string, error) {
	ns, root, segs, err := ParsePath(p)
	if err != nil {
		return "", err
	}
	return "/" + path.Join(append([]string{ns, root}, segs...)...), nil
}

// Open streams the file at p (Kubo's cat).
func (k *KuboClient) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	kp, err := ipfsPath(p)
	if err != nil {
		return nil, err
	}
	// The body outlives the call's context: it is read until closed.
	return k.call(context.WithoutCancel(ctx), "cat", arg(kp), nil, "")
}

// Cat returns the whole file at p, at most membrane.MaxCatSize bytes.
func (k *KuboClient) Cat(ctx context.Context, p string) ([]byte, error) {
	kp, err := ipfsPath(p)
	if err != nil {
		return nil, err
	}
	rc, err := k.call(ctx, "cat", arg(kp), nil, "")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, membrane.MaxCatSize+1))
	if err != nil {
		return nil, fmt.Errorf("ipfs: cat: %w", err)
	}
	if len(data) > membrane.MaxCatSize {
		return nil, membrane.Errorf(membrane.CodeResourceExhausted, "file too large")
	}
	return data, nil
}

type kuboLink struct {
	Name string
	Hash string
	Size uint64
	Type int // UnixFS type: 1 directory, 5 HAMT shard, 2 file…
}

// Ls lists the directory at p (Kubo's ls with types and sizes).
func (k *KuboClient) Ls(ctx context.Context, p string) ([]membrane.Entry, error) {
	kp, err := ipfsPath(p)
	if err != nil {
		return nil, err
	}
	args := arg(kp)
	args.Set("resolve-type", "true")
	args.Set("size", "true")
	var res struct{ Objects []struct{ Links []kuboLink } }
	if err := k.callJSON(ctx, "ls", args, nil, "", &res); err != nil {
		return nil, err
	}
	var out []membrane.Entry
	for _, o := range res.Objects {
		for _, l := range o.Links {
			c, err := cid.Decode(l.Hash)
			if err != nil {
				return nil, membrane.Errorf(membrane.CodeUnavailable, "ipfs: ls: %v", err)
			}
			dir := l.Type == 1 || l.Type == 5
			size := l.Size
			if dir {
				size = 0
			}
			out = append(out, membrane.Entry{Name: l.Name, Size: size, Dir: dir, Cid: c})
		}
	}
	return out, nil
}

// Add imports data with Kubo's defaults, pinned.
func (k *KuboClient) Add(ctx context.Context, data []byte) (string, error) {
	return k.AddStream(ctx, strings.NewReader(string(data)))
}

// AddStream is Add reading r to EOF; the upload streams.
func (k *KuboClient) AddStream(ctx context.Context, r io.Reader) (string, error) {
	return k.upload(ctx, 0, func(w *multipart.Writer) error {
		part, err := w.CreateFormFile("file", "file")
		if err != nil {
			return err
		}
		_, err = io.Copy(part, r)
		return err
	})
}

// AddDir adds the tree at dir as `ipfs add -r` does, hidden entries
// skipped, and returns the root CID.
func (k *KuboClient) AddDir(ctx context.Context, dir string, opts ImportOptions) (string, error) {
	base := filepath.Base(filepath.Clean(dir))
	return k.upload(ctx, opts.CidVersion, func(w *multipart.Writer) error {
		return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			name := path.Join(base, filepath.ToSlash(rel))
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="file"; filename="`+url.PathEscape(name)+`"`)
			switch {
			case d.IsDir():
				h.Set("Content-Type", "application/x-directory")
				_, err := w.CreatePart(h)
				return err
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Readlink(p)
				if err != nil {
					return err
				}
				h.Set("Content-Type", "application/symlink")
				part, err := w.CreatePart(h)
				if err != nil {
					return err
				}
				_, err = io.WriteString(part, target)
				return err
			case d.Type().IsRegular():
				h.Set("Content-Type", "application/octet-stream")
				part, err := w.CreatePart(h)
				if err != nil {
					return err
				}
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				defer f.Close()
				if opts.Progress != nil {
					_, err = io.Copy(part, &countingReader{r: f, f: opts.Progress})
				} else {
					_, err = io.Copy(part, f)
				}
				return err
			}
			return fmt.Errorf("unrecognized file type for %s: %s", p, d.Type())
		})
	})
}

// upload POSTs a streamed multipart form to add and returns the root's
// CID (the last entry Kubo reports).
func (k *KuboClient) upload(ctx context.Context, cidVersion int, write func(*multipart.Writer) error) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := write(mw)
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	args := url.Values{"cid-version": {strconv.Itoa(cidVersion)}, "pin": {"true"}, "progress": {"false"}}
	var res struct{ Hash string }
	err := k.callJSON(ctx, "add", args, pr, mw.FormDataContentType(), &res)
	pr.CloseWithError(errors.New("upload ended"))
	if err != nil {
		return "", err
	}
	return res.Hash, nil
}

// resolve is Kubo's dag/resolve: the CID the deepest resolvable prefix
// of p names and the rest.
func (k *KuboClient) resolve(ctx context.Context, p string) (cid.Cid, []string, error) {
	kp, err := ipfsPath(p)
	if err != nil {
		return cid.Undef, nil, err
	}
	var res struct {
		Cid struct {
			Slash string `json:"/"`
		}
		RemPath string
	}
	if err := k.callJSON(ctx, "dag/resolve", arg(kp), nil, "", &res); err != nil {
		return cid.Undef, nil, err
	}
	c, err := cid.Decode(res.Cid.Slash)
	if err != nil {
		return cid.Undef, nil, membrane.Errorf(membrane.CodeUnavailable, "ipfs: dag/resolve: %v", err)
	}
	rest := []string{}
	for _, s := range strings.Split(res.RemPath, "/") {
		if s != "" {
			rest = append(rest, s)
		}
	}
	return c, rest, nil
}

// ResolvePath returns "/ipfs/<cid>" of the deepest node p resolves to and
// the rest.
func (k *KuboClient) ResolvePath(ctx context.Context, p string) (string, []string, error) {
	c, rest, err := k.resolve(ctx, p)
	if err != nil {
		return "", nil, err
	}
	return "/ipfs/" + c.String(), rest, nil
}

// ResolveNode returns the raw block at p (Kubo's block/get).
func (k *KuboClient) ResolveNode(ctx context.Context, p string) ([]byte, error) {
	c, rest, err := k.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, membrane.Errorf(membrane.CodeNotFound, "no such path: %s", p)
	}
	rc, err := k.call(ctx, "block/get", arg(c.String()), nil, "")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(bufio.NewReader(rc))
}

// Fetch resolves root (an /ipns/ name once, with Kubo's name/resolve) and
// returns the tree as an fs.FS read through the API.
func (k *KuboClient) Fetch(ctx context.Context, root string) (fs.FS, error) {
	ctx, cancel := context.WithTimeout(ctx, NameTimeout)
	defer cancel()
	ns, name, segs, err := ParsePath(root)
	if err != nil {
		return nil, err
	}
	if ns == "ipns" {
		var res struct{ Path string }
		if err := k.callJSON(ctx, "name/resolve", arg("/ipns/"+name), nil, "", &res); err != nil {
			return nil, err
		}
		root = res.Path
	} else {
		root = "/" + path.Join(append([]string{ns, name}, segs...)...)
	}
	c, rest, err := k.resolve(ctx, root)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%s: %w", root, fs.ErrNotExist)
	}
	return &kuboFS{k: k, root: "/ipfs/" + c.String()}, nil
}

// kuboFS is a UnixFS tree read through the Kubo API: files/stat for
// metadata, ls for directories, cat for contents.
type kuboFS struct {
	k    *KuboClient
	root string
}

func (f *kuboFS) full(name string) string {
	if name == "." {
		return f.root
	}
	return f.root + "/" + name
}

func (f *kuboFS) stat(op, name string) (*info, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultFetchTimeout)
	defer cancel()
	var res struct {
		Type string
		Size uint64
	}
	if err := f.k.callJSON(ctx, "files/stat", arg(f.full(name)), nil, "", &res); err != nil {
		if membrane.CodeOf(err) == membrane.CodeNotFound {
			err = fs.ErrNotExist
		}
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	st := nodeStat{size: res.Size}
	switch res.Type {
	case "directory":
		st = nodeStat{dir: true}
	case "symlink":
		st.symlink = true
	}
	return newInfo(path.Base(name), st), nil
}

func (f *kuboFS) Stat(name string) (fs.FileInfo, error) { return f.stat("stat", name) }

func (f *kuboFS) Open(name string) (fs.File, error) {
	fi, err := f.stat("open", name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return &kuboDir{f: f, name: name, info: fi}, nil
	}
	rc, err := f.k.call(context.Background(), "cat", arg(f.full(name)), nil, "")
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &kuboFile{ReadCloser: rc, info: fi}, nil
}

type kuboFile struct {
	io.ReadCloser
	info *info
}

func (f *kuboFile) Stat() (fs.FileInfo, error) { return f.info, nil }

type kuboDir struct {
	f    *kuboFS
	name string
	info *info
	ents []fs.DirEntry
	done bool
}

func (d *kuboDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *kuboDir) Close() error               { return nil }
func (d *kuboDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}

func (d *kuboDir) ReadDir(count int) ([]fs.DirEntry, error) {
	if !d.done {
		ctx, cancel := context.WithTimeout(context.Background(), DefaultFetchTimeout)
		defer cancel()
		ents, err := d.f.k.Ls(ctx, d.f.full(d.name))
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: d.name, Err: err}
		}
		for _, e := range ents {
			d.ents = append(d.ents, newInfo(e.Name, nodeStat{dir: e.Dir, size: e.Size}))
		}
		d.done = true
	}
	if count <= 0 {
		rest := d.ents
		d.ents = nil
		return rest, nil
	}
	if len(d.ents) == 0 {
		return nil, io.EOF
	}
	n := min(count, len(d.ents))
	rest := d.ents[:n]
	d.ents = d.ents[n:]
	return rest, nil
}
