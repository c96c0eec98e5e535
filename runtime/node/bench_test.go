package node_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/image"
	"github.com/wetware/ww/runtime/node"
	"github.com/wetware/ww/runtime/wasm"
)

// BenchmarkBootToFirstResult measures design §16's boot-to-first-result:
// start a node, boot std/kernel as pid0, find its Shell and evaluate
// (+ 1 2). The kernel is built once, outside the timer. "warm" shares one
// compile cache directory, populated before the timer starts; "cold" gives
// every iteration a fresh, empty one, so wazero compiles the kernel each
// time.
//
//	go test -run '^$' -bench BootToFirstResult -benchtime=3x ./runtime/node/
func BenchmarkBootToFirstResult(b *testing.B) {
	img := kernelImage(b)
	b.Run("warm", func(b *testing.B) {
		cache := b.TempDir()
		bootAndEval(b, img, cache) // populate the cache
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			bootAndEval(b, img, cache)
		}
	})
	b.Run("cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			cache, err := os.MkdirTemp(b.TempDir(), "cache-")
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			bootAndEval(b, img, cache)
		}
	})
}

// kernelImage builds std/kernel into a fresh image directory.
func kernelImage(b *testing.B) *image.Image {
	b.Helper()
	b.Setenv("GOTOOLCHAIN", "local")
	dir := b.TempDir()
	src := filepath.Join("..", "..", "std", "kernel")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := build.Build(ctx, src, filepath.Join(dir, "boot", "main.wasm"), build.Options{}); err != nil {
		b.Fatal(err)
	}
	mounts, err := image.ParseMounts([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	img, err := image.Build(ctx, mounts, image.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { img.Close() })
	return img
}

// bootAndEval starts a node whose compile cache is cacheDir, boots img,
// evaluates (+ 1 2) through pid0's Shell and checks the result. Shutting
// the node down is not timed.
func bootAndEval(b *testing.B, img *image.Image, cacheDir string) {
	b.Helper()
	stopped := false
	defer func() { // runs after every other deferred shutdown step
		if stopped {
			b.StartTimer()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n := node.New(node.Config{
		Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")},
		Engine: wasm.Config{CacheDir: cacheDir},
		Logger: quiet(),
	})
	if err := n.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	p, err := n.Boot(ctx, img, node.BootOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Kill()
	sh, ok := p.Shell(ctx, time.Minute)
	if !ok {
		b.Fatal("std/kernel exports no Shell")
	}
	defer sh.Release()
	res, err := node.Eval(ctx, sh, "(+ 1 2)", false)
	if err != nil {
		b.Fatal(err)
	}
	if res.IsError || strings.TrimSpace(res.Result) != "3" {
		b.Fatalf("(+ 1 2) = %+v", res)
	}
	b.StopTimer() // the deferred shutdown is not timed
	stopped = true
}
