package ipfs

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wetware/ww/runtime/membrane"
)

// kuboAPI serves the subset of Kubo's HTTP RPC API that KuboClient uses,
// in Kubo's shapes (POST /api/v0/<cmd>?arg=…, JSON objects with Kubo's
// field names, errors as HTTP 500 {"Message","Code","Type"}), backed by a
// real Node.
func kuboAPI(t *testing.T, n *Node) *httptest.Server {
	fail := func(w http.ResponseWriter, err error) {
		w.WriteHeader(http.StatusInternalServerError)
		json.NewEncoder(w).Encode(map[string]any{"Message": err.Error(), "Code": 0, "Type": "error"})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		ctx := r.Context()
		p := r.URL.Query().Get("arg")
		enc := json.NewEncoder(w)
		switch strings.TrimPrefix(r.URL.Path, "/api/v0/") {
		case "cat":
			rc, err := n.Open(ctx, p)
			if err != nil {
				fail(w, err)
				return
			}
			defer rc.Close()
			io.Copy(w, rc)
		case "ls":
			ents, err := n.Ls(ctx, p)
			if err != nil {
				fail(w, err)
				return
			}
			var links []map[string]any
			for _, e := range ents {
				typ := 2
				if e.Dir {
					typ = 1
				}
				links = append(links, map[string]any{"Name": e.Name, "Hash": e.Cid.String(), "Size": e.Size, "Type": typ, "Target": ""})
			}
			enc.Encode(map[string]any{"Objects": []any{map[string]any{"Hash": p, "Links": links}}})
		case "dag/resolve":
			nd, rest, err := n.walk(ctx, p)
			if err != nil {
				fail(w, err)
				return
			}
			enc.Encode(map[string]any{"Cid": map[string]string{"/": nd.Cid().String()}, "RemPath": strings.Join(rest, "/")})
		case "files/stat":
			nd, err := n.resolve(ctx, p)
			if err != nil {
				fail(w, err)
				return
			}
			st, typ := statNode(nd), "file"
			if st.dir {
				typ = "directory"
			}
			enc.Encode(map[string]any{"Hash": nd.Cid().String(), "Size": st.size, "Type": typ})
		case "add":
			version, _ := strconv.Atoi(r.URL.Query().Get("cid-version"))
			mr, err := r.MultipartReader()
			if err != nil {
				fail(w, err)
				return
			}
			tmp := t.TempDir()
			var top string
			for {
				part, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					fail(w, err)
					return
				}
				name, _ := url.PathUnescape(part.FileName())
				dst := filepath.Join(tmp, filepath.FromSlash(name))
				if top == "" {
					top = strings.Split(name, "/")[0]
				}
				if part.Header.Get("Content-Type") == "application/x-directory" {
					os.MkdirAll(dst, 0o755)
					continue
				}
				os.MkdirAll(filepath.Dir(dst), 0o755)
				data, _ := io.ReadAll(part)
				os.WriteFile(dst, data, 0o644)
			}
			root := filepath.Join(tmp, top)
			var id string
			if fi, err := os.Stat(root); err == nil && fi.IsDir() {
				c, err := n.AddDir(ctx, root, ImportOptions{CidVersion: version})
				if err != nil {
					fail(w, err)
					return
				}
				id = c.String()
			} else {
				f, _ := os.Open(root)
				c, err := n.AddReader(ctx, f, ImportOptions{CidVersion: version})
				f.Close()
				if err != nil {
					fail(w, err)
					return
				}
				id = c.String()
			}
			enc.Encode(map[string]any{"Name": top, "Hash": id, "Size": "0"})
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestKuboClient: the --ipfs-api client adds, cats, lists, resolves and
// mounts through Kubo's RPC API shapes, and a directory it uploads gets
// Kubo's CID.
func TestKuboClient(t *testing.T) {
	ctx := context.Background()
	srv := kuboAPI(t, offlineNode(t))
	k, err := NewKuboClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKuboClient("/ip4/127.0.0.1/tcp/5001"); err != nil {
		t.Errorf("multiaddr API: %v", err)
	}

	id, err := k.Add(ctx, []byte("hello world\n"))
	if err != nil || id != "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o" {
		t.Fatalf("add = %s, %v", id, err)
	}
	if got, err := k.Cat(ctx, "/ipfs/"+id); err != nil || string(got) != "hello world\n" {
		t.Fatalf("cat = %q, %v", got, err)
	}

	var v dirVector
	for _, d := range loadVectors(t).Dirs {
		if d.Name == "testData" {
			v = d
		}
	}
	root := writeTree(t, v)
	dir := filepath.Join(filepath.Dir(root), "testData")
	if err := os.Rename(root, dir); err != nil {
		t.Fatal(err)
	}
	got, err := k.AddDir(ctx, dir, ImportOptions{})
	if err != nil || got != v.CIDv0 {
		t.Fatalf("add -r = %s, %v; Kubo gives %s", got, err, v.CIDv0)
	}
	ents, err := k.Ls(ctx, "/ipfs/"+got+"/d2")
	if err != nil || len(ents) != 2 || ents[0].Name != "1024" || ents[0].Size != 1024 || ents[0].Dir {
		t.Fatalf("ls d2 = %+v, %v", ents, err)
	}
	if res, rest, err := k.ResolvePath(ctx, "/ipfs/"+got+"/d1"); err != nil || res != "/ipfs/"+v.Paths["d1"] || len(rest) != 0 {
		t.Errorf("resolve d1 = %s %q %v", res, rest, err)
	}
	if _, err := k.Cat(ctx, "/ipfs/"+got); membrane.Reason(err) != "invalidArgument: is a directory" {
		t.Errorf("cat of a directory: %v", err)
	}

	fsys, err := k.Fetch(ctx, "/ipfs/"+got)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := fs.ReadFile(fsys, "d1/a"); err != nil || string(data) != "hello\n" {
		t.Errorf("fs d1/a = %q, %v", data, err)
	}
	names, err := fs.ReadDir(fsys, ".")
	if err != nil || len(names) != 4 || !names[0].IsDir() || names[3].Name() != "f2" {
		t.Errorf("fs readdir = %v, %v", names, err)
	}
	if _, err := fs.Stat(fsys, "nope"); err == nil {
		t.Error("stat of a missing name succeeded")
	}
}
