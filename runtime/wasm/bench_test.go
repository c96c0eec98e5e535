package wasm_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/rpc"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	api "github.com/wetware/ww/capnp/system"
	wwepoch "github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/runtime/wasm"
)

// Design §16 budgets: a warm spawn costs at most 1.5x a bare wazero
// instantiation of the same module, and a no-op guest<->host RPC at most
// 2x the same call between two Go endpoints over a pipe. Compare
//
//	go test -run '^$' -bench 'SpawnWarm|BareInstantiate' -benchtime=20x ./runtime/wasm/
//	go test -run '^$' -bench 'RPCNop|RawCapnpPipe' -benchtime=200x ./runtime/wasm/

// benchEngine is newEngine for benchmarks.
func benchEngine(b *testing.B) *wasm.Engine {
	b.Helper()
	e, err := wasm.NewEngine(context.Background(), wasm.Config{CacheDir: sharedCache(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			b.Errorf("engine close: %v", err)
		}
	})
	return e
}

// BenchmarkSpawnWarm spawns the exitcode guest, already compiled, and
// waits for it to exit.
func BenchmarkSpawnWarm(b *testing.B) {
	bin := guest(b, "exitcode")
	e := benchEngine(b)
	ctx := context.Background()
	if _, err := e.Compile(ctx, bin); err != nil {
		b.Fatal(err)
	}
	args := []string{"exitcode", "0"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := e.Spawn(ctx, bin, args, nil, wasm.SpawnOptions{})
		if err != nil {
			b.Fatal(err)
		}
		code, reason, err := p.Wait(ctx)
		if err != nil || code != 0 {
			b.Fatalf("exit %d %q %v", code, reason, err)
		}
		p.Kill() // releases the host ends of the pipes
	}
}

// BenchmarkBareInstantiate instantiates the exitcode guest with a bare
// wazero runtime: the floor BenchmarkSpawnWarm is measured against.
func BenchmarkBareInstantiate(b *testing.B) {
	bin := guest(b, "exitcode")
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	b.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	cm, err := rt.CompileModule(ctx, bin)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		mc := wazero.NewModuleConfig().WithName("").WithArgs("exitcode", "0")
		mod, err := rt.InstantiateModule(ctx, cm, mc)
		var exit *sys.ExitError
		if errors.As(err, &exit) {
			if exit.ExitCode() != 0 {
				b.Fatalf("exit %d", exit.ExitCode())
			}
		} else if err != nil {
			b.Fatal(err)
		}
		if mod != nil {
			mod.Close(ctx)
		}
	}
}

// goExecutor is the rpcserve guest's Executor, in Go.
type goExecutor struct{}

func (goExecutor) RunBytes(context.Context, api.Executor_runBytes) error {
	return fmt.Errorf("unimplemented: runBytes")
}

func (goExecutor) Echo(_ context.Context, call api.Executor_echo) error {
	msg, err := call.Args().Message_()
	if err != nil {
		return err
	}
	res, err := call.AllocResults()
	if err != nil {
		return err
	}
	return res.SetResponse("guest: " + msg)
}

// echoNop calls exec.echo("") once.
func echoNop(b *testing.B, ctx context.Context, exec api.Executor) {
	f, release := exec.Echo(ctx, func(p api.Executor_echo_Params) error { return p.SetMessage_("") })
	res, err := f.Struct()
	if err != nil {
		release()
		b.Fatal(err)
	}
	if got, _ := res.Response(); got != "guest: " {
		release()
		b.Fatalf("echo = %q", got)
	}
	release()
}

// BenchmarkRPCNop: the host calls the rpcserve guest's Executor.echo with
// an empty message, through Process.Bootstrap.
func BenchmarkRPCNop(b *testing.B) {
	bin := guest(b, "rpcserve")
	key, err := identity.Generate()
	if err != nil {
		b.Fatal(err)
	}
	m := membrane.New(wwepoch.NewCell(wwepoch.Epoch{}), membrane.Services{Host: fixedHost{key.PeerID()}, Identity: membrane.KeyIdentity(key)}, membrane.Options{})
	boot := capnp.Client(m.Client())
	defer boot.Release()
	e := benchEngine(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := e.Spawn(ctx, bin, nil, nil, wasm.SpawnOptions{Bootstrap: boot})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Kill()
	if line, err := bufio.NewReader(p.Stdout()).ReadString('\n'); err != nil || line != "serving\n" {
		b.Fatalf("first line %q %v", line, err)
	}
	c, err := p.Bootstrap(ctx)
	if err != nil {
		b.Fatal(err)
	}
	exec := api.Executor(c)
	defer exec.Release()
	echoNop(b, ctx, exec) // warm up
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		echoNop(b, ctx, exec)
	}
}

// pipeRWC is one end of a duplex stream made of two os.Pipe pairs.
type pipeRWC struct {
	r *os.File
	w *os.File
}

func (p pipeRWC) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p pipeRWC) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p pipeRWC) Close() error                { return errors.Join(p.r.Close(), p.w.Close()) }

var _ io.ReadWriteCloser = pipeRWC{}

// BenchmarkRawCapnpPipe: the same echo call between two Go rpc.Conns over
// an os.Pipe pair, with no WASM.
func BenchmarkRawCapnpPipe(b *testing.B) {
	ar, bw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	br, aw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	srv := rpc.NewConn(rpc.NewStreamTransport(pipeRWC{r: br, w: bw}), &rpc.Options{
		BootstrapClient: capnp.Client(api.Executor_ServerToClient(goExecutor{})),
	})
	defer srv.Close()
	cli := rpc.NewConn(rpc.NewStreamTransport(pipeRWC{r: ar, w: aw}), nil)
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	exec := api.Executor(cli.Bootstrap(ctx))
	defer exec.Release()
	echoNop(b, ctx, exec) // warm up
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		echoNop(b, ctx, exec)
	}
}
