package ipfs

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	uio "github.com/ipfs/boxo/ipld/unixfs/io"
)

// The Kubo parity vectors (testdata/ipfs/kubo-vectors.json, whose comment
// says where each CID comes from and how content is regenerated).

type content struct {
	Text   *string     `json:"text"`
	Random *randomSpec `json:"random"`
}

// randomSpec is the sharness `random SIZE SEED`.
type randomSpec struct {
	Size int64 `json:"size"`
	Seed int64 `json:"seed"`
}

func (c content) reader() io.Reader {
	if c.Random != nil {
		return io.LimitReader(newGoRandom(c.Random.Seed), c.Random.Size)
	}
	return bytes.NewReader([]byte(*c.Text))
}

type fileVector struct {
	content
	Name      string `json:"name"`
	SHA1      string `json:"sha1"`
	CIDv0     string `json:"cidv0"`
	CIDv1     string `json:"cidv1"`
	Expensive bool   `json:"expensive"`
	Source    string `json:"source"`
}

type dirVector struct {
	Name     string             `json:"name"`
	Entries  map[string]content `json:"entries"`
	Numbered *struct {
		From int    `json:"from"`
		To   int    `json:"to"`
		Name string `json:"name"`
	} `json:"numbered"`
	HAMTThreshold int                   `json:"hamt_threshold"`
	CIDv0         string                `json:"cidv0"`
	CIDv1         string                `json:"cidv1"`
	Paths         map[string]string     `json:"paths"`
	Ls            map[string][][]string `json:"ls"`
	Source        string                `json:"source"`
}

type vectors struct {
	Files []fileVector `json:"files"`
	Dirs  []dirVector  `json:"dirs"`
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ipfs", "kubo-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// goRandom is the sharness `random SIZE SEED` stream (jbenet/go-random):
// math/rand seeded with SEED, each Uint32 written as 4 little-endian bytes.
type goRandom struct {
	r   *rand.Rand
	buf [4]byte
	off int
}

func newGoRandom(seed int64) *goRandom {
	return &goRandom{r: rand.New(rand.NewSource(seed)), off: 4}
}

func (g *goRandom) Read(p []byte) (int, error) {
	for i := range p {
		if g.off == 4 {
			n := g.r.Uint32()
			g.buf = [4]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}
			g.off = 0
		}
		p[i] = g.buf[g.off]
		g.off++
	}
	return len(p), nil
}

func offlineNode(t testing.TB) *Node {
	t.Helper()
	n, err := New(context.Background(), nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func TestKuboFileVectors(t *testing.T) {
	ctx := context.Background()
	n := offlineNode(t)
	for _, v := range loadVectors(t).Files {
		t.Run(v.Name, func(t *testing.T) {
			if v.Expensive && testing.Short() {
				t.Skip("100 MB vector skipped with -short")
			}
			if v.SHA1 != "" {
				h := sha1.New()
				if _, err := io.Copy(h, v.reader()); err != nil {
					t.Fatal(err)
				}
				if got := hex.EncodeToString(h.Sum(nil)); got != v.SHA1 {
					t.Fatalf("generated content sha1 %s, the sharness test pins %s", got, v.SHA1)
				}
			}
			for version, want := range []string{v.CIDv0, v.CIDv1} {
				if want == "" {
					continue
				}
				c, err := n.AddReader(ctx, v.reader(), ImportOptions{CidVersion: version})
				if err != nil {
					t.Fatal(err)
				}
				if c.String() != want {
					t.Errorf("CIDv%d = %s, Kubo (%s) gives %s", version, c, v.Source, want)
				}
			}
		})
	}
}

func writeTree(t *testing.T, v dirVector) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, r io.Reader) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, c := range v.Entries {
		write(name, c.reader())
	}
	if nb := v.Numbered; nb != nil {
		for i := nb.From; i <= nb.To; i++ {
			write(fmt.Sprintf(nb.Name, i), bytes.NewReader([]byte(strconv.Itoa(i)+"\n")))
		}
	}
	return root
}

func TestKuboDirVectors(t *testing.T) {
	ctx := context.Background()
	n := offlineNode(t)
	for _, v := range loadVectors(t).Dirs {
		t.Run(v.Name, func(t *testing.T) {
			root := writeTree(t, v)
			if v.HAMTThreshold != 0 {
				old := uio.HAMTShardingSize
				uio.HAMTShardingSize = v.HAMTThreshold
				defer func() { uio.HAMTShardingSize = old }()
			}
			for version, want := range []string{v.CIDv0, v.CIDv1} {
				if want == "" {
					continue
				}
				c, err := n.AddDir(ctx, root, ImportOptions{CidVersion: version})
				if err != nil {
					t.Fatal(err)
				}
				if c.String() != want {
					t.Errorf("CIDv%d = %s, Kubo (%s) gives %s", version, c, v.Source, want)
				}
			}
			for p, want := range v.Paths {
				got, rest, err := n.ResolvePath(ctx, "/ipfs/"+v.CIDv0+"/"+p)
				if err != nil {
					t.Fatal(err)
				}
				if got != "/ipfs/"+want || len(rest) != 0 {
					t.Errorf("resolve %s = %s %q, want /ipfs/%s", p, got, rest, want)
				}
			}
			for p, want := range v.Ls {
				ents, err := n.Ls(ctx, "/ipfs/"+v.CIDv0+"/"+p)
				if err != nil {
					t.Fatal(err)
				}
				var got [][]string
				for _, e := range ents {
					size := strconv.FormatUint(e.Size, 10)
					if e.Dir {
						size = "-"
					}
					got = append(got, []string{e.Name, size, e.Cid.String()})
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("ls %q =\n%v\nKubo prints\n%v", p, got, want)
				}
			}
		})
	}
}
