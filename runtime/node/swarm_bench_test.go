package node_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	libnet "github.com/libp2p/go-libp2p/core/network"

	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/node"
)

const benchChunk = 1 << 20

// pump writes b.N chunks of benchChunk bytes to w (then closes its write
// side) while reading as many back from r.
func pump(b *testing.B, w io.Writer, closeWrite func() error, r io.Reader) {
	b.Helper()
	b.SetBytes(benchChunk)
	chunk := make([]byte, benchChunk)
	errc := make(chan error, 1)
	b.ResetTimer()
	go func() {
		for range b.N {
			if _, err := w.Write(chunk); err != nil {
				errc <- err
				return
			}
		}
		errc <- closeWrite()
	}()
	n, err := io.CopyN(io.Discard, r, int64(b.N)*benchChunk)
	if err != nil {
		b.Fatalf("read %d bytes: %v", n, err)
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStreamThroughput is bytes per second through an echo between
// two local nodes: a /ww/0.1.0 subprotocol served by the wasm handler
// (raw libp2p client stream, and through the Dialer's ByteStream), a raw
// libp2p stream echoed in Go, and raw loopback TCP.
//
//	go test -run '^$' -bench StreamThroughput ./runtime/node/
func BenchmarkStreamThroughput(b *testing.B) {
	nodes := testNet(b, 2, 0)
	a, c := nodes[0], nodes[1]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ga := graft(b, a)
	la, _ := netCaps(ctx, b, ga)
	if err := listen(ctx, ga, la, "echo", streamEcho(b)); err != nil {
		b.Fatal(err)
	}
	a.Host().SetStreamHandler("/bench/echo", func(s libnet.Stream) {
		io.Copy(s, s)
		s.CloseWrite()
		s.Close()
	})

	b.Run("subprotocol-wasm", func(b *testing.B) {
		s, err := c.Host().NewStream(ctx, a.ID(), node.SubprotocolID("echo"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		pump(b, s, s.CloseWrite, s)
	})
	b.Run("subprotocol-wasm-bytestream", func(b *testing.B) {
		_, dc := netCaps(ctx, b, graft(b, c))
		s, err := dial(ctx, dc, a.ID(), "echo")
		if err != nil {
			b.Fatal(err)
		}
		defer s.Release()
		b.SetBytes(benchChunk)
		chunk := make([]byte, membrane.ChunkSize)
		errc := make(chan error, 1)
		b.ResetTimer()
		go func() {
			for range b.N * (benchChunk / membrane.ChunkSize) {
				if err := write(ctx, s, chunk); err != nil {
					errc <- err
					return
				}
			}
			errc <- closeWrite(ctx, s)
		}()
		got, err := readAll(ctx, s)
		if err != nil || len(got) != b.N*benchChunk {
			b.Fatalf("read %d bytes: %v", len(got), err)
		}
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	})
	b.Run("libp2p-raw", func(b *testing.B) {
		s, err := c.Host().NewStream(ctx, a.ID(), "/bench/echo")
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		pump(b, s, s.CloseWrite, s)
	})
	b.Run("tcp-loopback", func(b *testing.B) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		go func() {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			io.Copy(conn, conn)
			conn.(*net.TCPConn).CloseWrite()
			conn.Close()
		}()
		conn, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		tc := conn.(*net.TCPConn)
		pump(b, tc, tc.CloseWrite, tc)
	})
}

// BenchmarkFindProviders is the latency of Routing.findProviders (count
// 1) in a 10-node loopback network: node 1 provides a fresh key (outside
// the timer), node 9 finds it.
//
//	go test -run '^$' -bench FindProviders ./runtime/node/
func BenchmarkFindProviders(b *testing.B) {
	nodes := testNet(b, 10, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	gp, gf := graft(b, nodes[1]), graft(b, nodes[9])
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		key := membrane.Hash([]byte(fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)))
		if err := provide(ctx, gp, key); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		provs, err := findProviders(ctx, gf, key, 1)
		if err != nil || len(provs) != 1 || provs[0].ID != nodes[1].ID() {
			b.Fatalf("providers %v, %v", provs, err)
		}
	}
}
