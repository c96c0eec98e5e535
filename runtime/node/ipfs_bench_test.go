package node_test

import (
	"context"
	"io"
	"math/rand"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/ipfs"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/node"
)

// size100MB is the sharness `random 104857600 42` file whose CIDv0 Kubo
// pins (testdata/ipfs/kubo-vectors.json).
const (
	size100MB = 104857600
	cid100MB  = "QmU9SWAPPmNEKZB8umYMmjYvN7VyHqABNvdA6GUi4MMEz3"
)

// goRandom is the sharness `random SIZE SEED` stream: math/rand seeded
// with SEED, each Uint32 as 4 little-endian bytes.
type goRandom struct{ r *rand.Rand }

func (g goRandom) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 4 {
		n := g.r.Uint32()
		for j := 0; j < 4 && i+j < len(p); j++ {
			p[i+j] = byte(n >> (8 * j))
		}
	}
	return len(p), nil
}

func random100MB() io.ReadCloser {
	return io.NopCloser(io.LimitReader(goRandom{rand.New(rand.NewSource(42))}, size100MB))
}

// BenchmarkIPFS100MB moves 100 MB through the IPFS capability in 64 KiB
// stream chunks: "add" is UnixFS.addStream (import, store, pin), "cat" is
// UnixFS.open read to EOF on the node that holds it, "cat-remote" the
// same on a second node that fetches every block from the first over
// bitswap. MB/s is the payload rate.
//
//	go test -run '^$' -bench IPFS100MB -benchtime=1x ./runtime/node/
func BenchmarkIPFS100MB(b *testing.B) {
	a := benchNode(b)
	ctx := context.Background()
	ua := benchUnixFS(b, a)

	b.Run("add", func(b *testing.B) {
		b.SetBytes(size100MB)
		for i := 0; i < b.N; i++ {
			src := a.Membrane().ReadStream(random100MB())
			f, rel := ua.AddStream(ctx, func(p ipfs.UnixFS_addStream_Params) error { return p.SetSource(src) })
			res, err := f.Struct()
			if err != nil {
				b.Fatal(err)
			}
			if id, _ := res.Cid(); id != cid100MB {
				b.Fatalf("CID %s, Kubo gives %s", id, cid100MB)
			}
			rel()
		}
	})
	cat := func(remote bool) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(size100MB)
			for i := 0; i < b.N; i++ {
				u := ua
				if remote { // a fresh node each time, so nothing is cached
					b.StopTimer()
					c := benchNode(b)
					cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					if err := c.Host().Connect(cctx, a.AddrInfo()); err != nil {
						b.Fatal(err)
					}
					cancel()
					u = benchUnixFS(b, c)
					b.StartTimer()
				}
				f, rel := u.Open(ctx, func(p ipfs.UnixFS_open_Params) error { return p.SetPath("/ipfs/" + cid100MB) })
				res, err := f.Struct()
				if err != nil {
					b.Fatal(err)
				}
				r := membrane.NewStreamReader(ctx, res.Stream().AddRef())
				k, err := io.Copy(io.Discard, r)
				r.Close()
				rel()
				if err != nil || k != size100MB {
					b.Fatalf("read %d bytes: %v", k, err)
				}
			}
		}
	}
	b.Run("cat", cat(false))
	b.Run("cat-remote", cat(true))
}

func benchNode(b *testing.B) *node.Node {
	b.Helper()
	n := node.New(node.Config{
		DataDir: b.TempDir(),
		Logger:  quiet(),
		Listen:  []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	return n
}

func benchUnixFS(b *testing.B, n *node.Node) ipfs.UnixFS {
	b.Helper()
	g := n.Membrane().Graft()
	b.Cleanup(g.Release)
	f, rel := g.IPFS.Unixfs(context.Background(), nil)
	b.Cleanup(rel)
	res, err := f.Struct()
	if err != nil {
		b.Fatal(err)
	}
	return res.Api()
}
