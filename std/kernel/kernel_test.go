//go:build !wasip1

package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"capnproto.org/go/capnp/v3"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	api "github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/wasm"
)

type fixedHost struct{ id peer.ID }

func (h fixedHost) ID() peer.ID                                  { return h.id }
func (h fixedHost) Addrs() []ma.Multiaddr                        { return nil }
func (h fixedHost) Peers() []peer.AddrInfo                       { return nil }
func (h fixedHost) Connect(context.Context, peer.AddrInfo) error { return nil }

// buildKernel compiles this package for wasip1 (a missing toolchain fails
// the test: nothing is skipped silently).
func buildKernel(t *testing.T) []byte {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "kernel.wasm")
	cmd := exec.Command(gobin, "build", "-trimpath", "-o", out, ".")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOTOOLCHAIN=local")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the kernel: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// kernel is a booted kernel process and its exported Shell.
type kernel struct {
	t    *testing.T
	ctx  context.Context
	p    *wasm.Process
	sh   api.Shell
	id   peer.ID
	cell *epoch.Cell
}

// boot runs the kernel under runtime/wasm with a Membrane bootstrap and
// image mounted at /, and bootstraps its Shell.
func boot(t *testing.T, image fstest.MapFS) *kernel {
	t.Helper()
	kernelBin.once.Do(func() { kernelBin.b = buildKernel(t) })
	if kernelBin.b == nil {
		t.Fatal("no kernel binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cell := epoch.NewCell(epoch.Epoch{})
	m := membrane.New(cell, membrane.Services{Host: fixedHost{key.PeerID()}, Identity: membrane.KeyIdentity(key)}, membrane.Options{})
	bc := capnp.Client(m.Client())
	t.Cleanup(bc.Release)
	e, err := wasm.NewEngine(ctx, wasm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	p, err := e.Spawn(ctx, kernelBin.b, []string{"kernel"}, []string{"PATH=/bin", "WW_ROOT=/"},
		wasm.SpawnOptions{FS: image, Bootstrap: bc, Name: "kernel"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	k := &kernel{t: t, ctx: ctx, p: p, id: key.PeerID(), cell: cell}
	c, err := p.Bootstrap(ctx)
	if err != nil {
		t.Fatalf("bootstrap: %v\nstderr: %s", err, k.stderr())
	}
	k.sh = api.Shell(c)
	t.Cleanup(k.sh.Release)
	return k
}

var kernelBin struct {
	once sync.Once
	b    []byte
}

func (k *kernel) stderr() string {
	r := k.p.Stderr()
	defer r.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

// eval calls Shell.eval.
func (k *kernel) eval(src string) (string, bool, bool, int32) {
	k.t.Helper()
	f, release := k.sh.Eval(k.ctx, func(p api.Shell_eval_Params) error { return p.SetText(src) })
	defer release()
	res, err := f.Struct()
	if err != nil {
		k.t.Fatalf("eval %s: %v\nstderr: %s", src, err, k.stderr())
	}
	out, _ := res.Result()
	return out, res.IsError(), res.Exited(), res.ExitCode()
}

// TestKernel boots the kernel with an image whose init.d defines
// greeting, then drives its exported Shell.
func TestKernel(t *testing.T) {
	k := boot(t, fstest.MapFS{
		"etc/init.d/10-hello.glia": {Data: []byte(`(def greeting "hi from init.d")` + "\n")},
		"etc/init.d/20-out.glia":   {Data: []byte(`(println "init.d ran")` + "\n")},
	})
	for src, want := range map[string]string{
		`(executor echo "hi")`: "\"Echo: hi\"\n",
		`greeting`:             "\"hi from init.d\"\n",
		`(caps)`:               "[host executor ipfs routing identity fs]\n",
		`(fs exists? "/etc/init.d/10-hello.glia")`: "true\n",
		`(epoch)`:                          "{:seq 0 :head nil :block 0}\n",
		`(host id)`:                        "\"" + k.id.String() + "\"\n",
		`(= (host id) (host id))`:          "true\n",
		`(cd "etc") (fs exists? "init.d")`: "true\n",
	} {
		if out, isErr, _, _ := k.eval(src); isErr || out != want {
			t.Errorf("%s = %q (error %v), want %q", src, out, isErr, want)
		}
	}
	if out, isErr, _, _ := k.eval(`(nope)`); !isErr || out != "[glia.error/command-not-found] nope: command not found" {
		t.Errorf("(nope): %q", out)
	}

	// Closing stdin ends the kernel with 0; init.d output went to stdout.
	k.p.Stdin().Close()
	stdout, _ := io.ReadAll(k.p.Stdout())
	code, reason, err := k.p.Wait(k.ctx)
	if err != nil || code != 0 {
		t.Fatalf("exit %d %q %v\nstderr: %s", code, reason, err, k.stderr())
	}
	if string(stdout) != "init.d ran\n" {
		t.Errorf("stdout %q", stdout)
	}
}

// TestKernelExit: (exit n) in the root session ends the kernel with n.
func TestKernelExit(t *testing.T) {
	k := boot(t, fstest.MapFS{})
	out, isErr, exited, code := k.eval(`(println "bye") (exit 5)`)
	if out != "bye\n" || isErr || !exited || code != 5 {
		t.Fatalf("eval: %q %v %v %d", out, isErr, exited, code)
	}
	if c, reason, err := k.p.Wait(k.ctx); err != nil || c != 5 {
		t.Fatalf("exit %d %q %v", c, reason, err)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestKernelRegraft: after an epoch advance the watcher re-grafts and the
// root session's capabilities work again.
func TestKernelRegraft(t *testing.T) {
	k := boot(t, fstest.MapFS{
		"etc/init.d/hook.glia": {Data: []byte(`(def seen (atom [])) (on-epoch (fn [e] (swap! seen conj (:seq e))))`)},
	})
	if out, isErr, _, _ := k.eval(`(executor echo "one")`); isErr || out != "\"Echo: one\"\n" {
		t.Fatalf("before: %q", out)
	}
	time.Sleep(200 * time.Millisecond) // let the watcher reach its long poll
	k.cell.Bump()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, isErr, _, _ := k.eval(`[(executor echo "two") (:seq (epoch)) @seen]`)
		if !isErr && out == "[\"Echo: two\" 1 [1]]\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the advance: %q\nstderr: %s", out, k.stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
