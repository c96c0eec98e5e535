package mcp_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/bridge"
	"github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/capnp/system"
	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/image"
	"github.com/wetware/ww/runtime/mcp"
	"github.com/wetware/ww/runtime/node"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// kernelDir is an image directory holding std/kernel built once for the
// package, binDir a layer with the exitcode guest as /bin/exitcode.wasm,
// and cacheDir the compile cache the test nodes share.
var kernelDir, binDir, cacheDir string

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "ww-mcp-test-")
	if err != nil {
		panic(err)
	}
	kernelDir, binDir, cacheDir = filepath.Join(tmp, "kernel"), filepath.Join(tmp, "bin"), filepath.Join(tmp, "data")
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

var buildOnce sync.Once

// bootKernel starts a node on loopback, boots std/kernel as pid0 and
// returns the node and the kernel's root Shell.
func bootKernel(t testing.TB) (*node.Node, shell.Shell) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var buildErr error
	buildOnce.Do(func() {
		_, buildErr = build.Build(ctx, filepath.Join("..", "..", "std", "kernel"),
			filepath.Join(kernelDir, "boot", "main.wasm"), build.Options{})
		if buildErr == nil {
			_, buildErr = build.Build(ctx, filepath.Join("..", "..", "testdata", "guests", "exitcode"),
				filepath.Join(binDir, "bin", "exitcode.wasm"), build.Options{})
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	if _, err := os.Stat(filepath.Join(kernelDir, "boot", "main.wasm")); err != nil {
		t.Fatal("no kernel: ", err)
	}
	n := node.New(node.Config{
		Listen:  []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")},
		DataDir: cacheDir,
		Logger:  quiet(),
	})
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	mounts, err := image.ParseMounts([]string{kernelDir, binDir})
	if err != nil {
		t.Fatal(err)
	}
	img, err := image.Build(ctx, mounts, image.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { img.Close() })
	p, err := n.Boot(ctx, img, node.BootOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	go io.Copy(io.Discard, p.Stdout())
	sh, ok := p.Shell(ctx, 2*time.Minute)
	if !ok {
		t.Fatal("the kernel exports no Shell")
	}
	t.Cleanup(sh.Release)
	return n, sh
}

// newServer returns an MCP server over root.
func newServer(t testing.TB, root shell.Shell, opts mcp.Options) *mcp.Server {
	t.Helper()
	opts.Logger = quiet()
	srv, err := mcp.New(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// connect opens a client session to srv over in-memory transports.
func connect(t testing.TB, srv *mcp.Server, copts *sdk.ClientOptions) *sdk.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := sdk.NewInMemoryTransports()
	if _, err := srv.Connect(ctx, st); err != nil {
		t.Fatal(err)
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "v0"}, copts).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool and returns its text and isError.
func call(t testing.TB, cs *sdk.ClientSession, tool string, args map[string]any) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s %v: %v", tool, args, err)
	}
	return text(t, res), res.IsError
}

func eval(t testing.TB, cs *sdk.ClientSession, expr string) (string, bool) {
	t.Helper()
	return call(t, cs, "eval", map[string]any{"expression": expr})
}

func text(t testing.TB, res *sdk.CallToolResult) string {
	t.Helper()
	if len(res.Content) != 1 {
		t.Fatalf("content %v", res.Content)
	}
	tc, ok := res.Content[0].(*sdk.TextContent)
	if !ok {
		t.Fatalf("content %T", res.Content[0])
	}
	return tc.Text
}

// TestSession drives one MCP session against the real kernel: the
// server's identity, tools/list, eval results and errors, definitions
// kept across calls, describe and the resources.
func TestSession(t *testing.T) {
	n, root := bootKernel(t)
	cs := connect(t, newServer(t, root, mcp.Options{Version: "test"}), nil)
	ctx := context.Background()

	if info := cs.InitializeResult(); info != nil && info.ServerInfo.Name != mcp.Name {
		t.Errorf("server name %q", info.ServerInfo.Name)
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]*sdk.Tool{}
	for _, tool := range tools.Tools {
		names[tool.Name] = tool
	}
	if len(names) != 2 || names["eval"] == nil || names["describe"] == nil {
		t.Fatalf("tools %v", names)
	}
	if s, ok := names["eval"].InputSchema.(map[string]any); !ok || !strings.Contains(strings.Join(anyStrings(s["required"]), ","), "expression") {
		t.Errorf("eval input schema %v", names["eval"].InputSchema)
	}

	for expr, want := range map[string]string{
		"(host id)":               `"` + n.ID().String() + `"` + "\n",
		"(+ 1 2)":                 "3\n",
		`(executor echo "hi")`:    "\"Echo: hi\"\n",
		`(println "out") (+ 2 2)`: "out\nnil\n4\n",
		"(caps)":                  "[host executor ipfs routing identity fs]\n",
	} {
		got, isErr := eval(t, cs, expr)
		if isErr || got != want {
			t.Errorf("eval %s = %q (isError %v), want %q", expr, got, isErr, want)
		}
	}
	// Definitions last across calls; the printed form of the var is the
	// evaluator's business.
	if got, isErr := eval(t, cs, "(def x 41) (inc x)"); isErr || !strings.HasSuffix(got, "\n42\n") {
		t.Errorf("(def x 41) (inc x) = %q (isError %v)", got, isErr)
	}
	if got, isErr := eval(t, cs, "x"); isErr || got != "41\n" {
		t.Errorf("x in a later call = %q (isError %v)", got, isErr)
	}
	// Errors are tool errors with the one-line rendering.
	for _, expr := range []string{"(car)", "(undefined-fn 1)", "(+ 1"} {
		got, isErr := eval(t, cs, expr)
		if !isErr || !strings.HasPrefix(got, "[glia.error/") || strings.Count(strings.TrimSpace(got), "\n") != 0 {
			t.Errorf("eval %s = %q (isError %v), want a one-line [glia.error/…] error", expr, got, isErr)
		}
	}

	// describe: everything in scope, then one capability.
	all, isErr := call(t, cs, "describe", nil)
	if isErr || !strings.HasPrefix(all, bridge.ShellHelp) {
		t.Fatalf("describe: isError %v\n%s", isErr, all)
	}
	for _, want := range []string{
		"Capabilities in scope: host executor ipfs routing identity fs\n",
		"== host ==\n", "(host id)", "== executor ==\n", "(executor echo <",
		"interface:    Host @0x", "interface:    Executor @0x", "== fs ==\n",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("describe lacks %q:\n%s", want, all)
		}
	}
	host, isErr := call(t, cs, "describe", map[string]any{"capability": "host"})
	if isErr || !strings.HasPrefix(host, "== host ==\n") || strings.Contains(host, "== executor ==") ||
		!strings.Contains(host, "interface:    Host @0x"+hex16(system.Host_TypeID)+"\n") {
		t.Errorf("describe host: isError %v\n%s", isErr, host)
	}
	for _, bad := range []string{"nosuch", "host) (executor echo \"x\""} {
		if got, isErr := call(t, cs, "describe", map[string]any{"capability": bad}); !isErr {
			t.Errorf("describe %q: %q, not an error", bad, got)
		}
	}

	// Resources: the (help) text and the Glia specification.
	res, err := cs.ListResources(ctx, nil)
	if err != nil || len(res.Resources) != 2 {
		t.Fatalf("resources %v, %v", res, err)
	}
	for uri, check := range map[string]func(string) bool{
		mcp.HelpURI:     func(s string) bool { return s == bridge.ShellHelp },
		mcp.GliaSpecURI: func(s string) bool { return strings.HasPrefix(s, "# Glia — Language Specification\n") },
	} {
		r, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: uri})
		if err != nil || len(r.Contents) != 1 || !check(r.Contents[0].Text) {
			t.Errorf("resource %s: %v %v", uri, r, err)
		}
	}

	// (exit n) ends the shell session only; the next call gets a new one.
	if got, isErr := eval(t, cs, "(exit 3)"); isErr || !strings.Contains(got, "exited with code 3") {
		t.Errorf("(exit 3) = %q (isError %v)", got, isErr)
	}
	if got, isErr := eval(t, cs, "x"); !isErr || !strings.Contains(got, "unbound") {
		t.Errorf("x after (exit) = %q (isError %v)", got, isErr)
	}
	if got, _ := eval(t, cs, "(+ 1 2)"); got != "3\n" {
		t.Errorf("(+ 1 2) after (exit) = %q", got)
	}
}

func anyStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func hex16(id uint64) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 16)
	for i := 15; i >= 0; i-- {
		b[i] = digits[id&0xf]
		id >>= 4
	}
	return string(b)
}

// TestGrants: a session started with --grant host:id holds host with
// only its id method; executor and the others are unbound, and the other
// sessions of the same root are not affected.
func TestGrants(t *testing.T) {
	n, root := bootKernel(t)
	grants, err := mcp.ExpandGrants([]string{"host:id"})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, root, mcp.Options{Grants: grants})
	if err := srv.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv, nil)

	if got, isErr := eval(t, cs, "(host id)"); isErr || got != `"`+n.ID().String()+`"`+"\n" {
		t.Errorf("(host id) = %q (isError %v)", got, isErr)
	}
	if got, isErr := eval(t, cs, "(host addrs)"); !isErr || !strings.HasPrefix(got, "[glia.error/permission-denied] ") {
		t.Errorf("(host addrs) = %q (isError %v)", got, isErr)
	}
	for _, expr := range []string{`(executor echo "x")`, "(perform executor :echo \"x\")", `(ipfs cat "/ipfs/x")`} {
		if got, isErr := eval(t, cs, expr); !isErr || !strings.HasPrefix(got, "[glia.error/unbound-symbol] ") {
			t.Errorf("%s = %q (isError %v)", expr, got, isErr)
		}
	}
	if got, _ := eval(t, cs, "(caps)"); got != "[host]\n" {
		t.Errorf("(caps) = %q", got)
	}
	desc, isErr := call(t, cs, "describe", nil)
	if isErr || !strings.Contains(desc, "Capabilities in scope: host\n") || strings.Contains(desc, "== executor ==") {
		t.Errorf("describe with host:id:\n%s", desc)
	}
	// PATH commands need the executor.
	if got, isErr := eval(t, cs, "(exitcode 0)"); !isErr {
		t.Errorf("(exitcode 0) without executor = %q", got)
	}
	// With only executor:echo, they fail with permission-denied.
	echoOnly := connect(t, newServer(t, root, mcp.Options{Grants: []string{"executor:echo"}}), nil)
	if got, isErr := eval(t, echoOnly, `(executor echo "x")`); isErr || got != "\"Echo: x\"\n" {
		t.Errorf("executor:echo: %q (isError %v)", got, isErr)
	}
	if got, isErr := eval(t, echoOnly, "(exitcode 0)"); !isErr || !strings.HasPrefix(got, "[glia.error/permission-denied] ") {
		t.Errorf("(exitcode 0) with executor:echo = %q (isError %v)", got, isErr)
	}

	// The root is untouched: a session without grants holds everything.
	open := connect(t, newServer(t, root, mcp.Options{}), nil)
	if got, isErr := eval(t, open, `(executor echo "x")`); isErr || got != "\"Echo: x\"\n" {
		t.Errorf("unattenuated session: %q (isError %v)", got, isErr)
	}
	if got, isErr := eval(t, open, "(exitcode 0)"); isErr || got != "nil\n" {
		t.Errorf("(exitcode 0) unattenuated = %q (isError %v)", got, isErr)
	}

	// An unknown grant fails the check.
	bad := newServer(t, root, mcp.Options{Grants: []string{"nosuch"}})
	if err := bad.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("unknown grant: %v", err)
	}
	for _, g := range []string{":id", "host:", "host:id,,peers"} {
		if _, err := mcp.ExpandGrants([]string{g}); err == nil {
			t.Errorf("ExpandGrants(%q) accepted", g)
		}
	}
	if got, _ := mcp.ExpandGrants([]string{"host:id,addrs", "ipfs"}); strings.Join(got, " ") != "host:id host:addrs ipfs" {
		t.Errorf("ExpandGrants = %v", got)
	}
}

// TestHTTPSessions: over streamable HTTP each MCP session has its own
// shell session, so definitions do not cross.
func TestHTTPSessions(t *testing.T) {
	_, root := bootKernel(t)
	srv := newServer(t, root, mcp.Options{})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ctx := context.Background()
	sessions := make([]*sdk.ClientSession, 2)
	for i := range sessions {
		cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "v0"}, nil).
			Connect(ctx, &sdk.StreamableClientTransport{Endpoint: hs.URL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close() })
		sessions[i] = cs
	}
	a, b := sessions[0], sessions[1]
	if a.ID() == "" || a.ID() == b.ID() {
		t.Fatalf("session ids %q %q", a.ID(), b.ID())
	}
	eval(t, a, "(def x :a)")
	eval(t, b, "(def x :b)")
	eval(t, a, "(def only-a 1)")
	if got, _ := eval(t, a, "x"); got != ":a\n" {
		t.Errorf("x in a = %q", got)
	}
	if got, _ := eval(t, b, "x"); got != ":b\n" {
		t.Errorf("x in b = %q", got)
	}
	if got, isErr := eval(t, b, "only-a"); !isErr || !strings.HasPrefix(got, "[glia.error/unbound-symbol] ") {
		t.Errorf("only-a in b = %q (isError %v)", got, isErr)
	}
	if got, _ := eval(t, a, "(+ 1 2)"); got != "3\n" {
		t.Errorf("(+ 1 2) = %q", got)
	}
}

// TestCancel: a client that cancels a running eval gets control back at
// once, the kernel stops evaluating (the session answers the next call),
// and progress notifications arrive while it runs.
func TestCancel(t *testing.T) {
	_, root := bootKernel(t)
	progress := make(chan *sdk.ProgressNotificationParams, 16)
	srv := newServer(t, root, mcp.Options{ProgressInterval: 20 * time.Millisecond, EvalTimeout: 30 * time.Second})
	cs := connect(t, srv, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
			select {
			case progress <- req.Params:
			default:
			}
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		params := &sdk.CallToolParams{Name: "eval", Arguments: map[string]any{"expression": "(loop [] (recur))"}}
		params.SetProgressToken("loop")
		_, err := cs.CallTool(ctx, params)
		done <- err
	}()
	var first *sdk.ProgressNotificationParams
	select {
	case first = <-progress:
	case err := <-done:
		t.Fatalf("the loop returned: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("no progress notification")
	}
	if first.ProgressToken != "loop" || first.Progress <= 0 || !strings.HasPrefix(first.Message, "evaluating for ") {
		t.Errorf("progress %+v", first)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled call succeeded")
	}
	// The same session answers again: the kernel interrupted the loop.
	if got, isErr := eval(t, cs, "(+ 1 2)"); isErr || got != "3\n" {
		t.Errorf("after cancel: %q (isError %v): the kernel did not interrupt the cancelled loop", got, isErr)
	}
}

// TestEvalTimeout: an eval running past the eval timeout is interrupted
// and reported as a tool error; the session stays usable.
func TestEvalTimeout(t *testing.T) {
	_, root := bootKernel(t)
	cs := connect(t, newServer(t, root, mcp.Options{EvalTimeout: 300 * time.Millisecond}), nil)
	got, isErr := eval(t, cs, "(loop [] (recur))")
	if !isErr || !strings.HasPrefix(got, "[glia.error/interrupted] ") || !strings.Contains(got, "eval timeout (300ms)") {
		t.Errorf("timeout: %q (isError %v)", got, isErr)
	}
	if got, isErr := eval(t, cs, "(+ 1 2)"); isErr || got != "3\n" {
		t.Errorf("after the timeout: %q (isError %v): the kernel did not interrupt the loop", got, isErr)
	}
}

// BenchmarkEvalRoundTrip measures one trivial eval through MCP: client
// tools/call over an in-memory transport, the server's Shell.eval into
// the kernel guest and back.
func BenchmarkEvalRoundTrip(b *testing.B) {
	_, root := bootKernel(b)
	cs := connect(b, newServer(b, root, mcp.Options{}), nil)
	ctx := context.Background()
	params := &sdk.CallToolParams{Name: "eval", Arguments: map[string]any{"expression": "(+ 1 2)"}}
	if got, _ := eval(b, cs, "(+ 1 2)"); got != "3\n" {
		b.Fatalf("(+ 1 2) = %q", got)
	}
	for b.Loop() {
		if _, err := cs.CallTool(ctx, params); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShellEval is the baseline of BenchmarkEvalRoundTrip: the same
// eval as a direct Shell.eval call, without MCP.
func BenchmarkShellEval(b *testing.B) {
	_, root := bootKernel(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := node.Eval(ctx, root, "(+ 1 2)", true); err != nil {
			b.Fatal(err)
		}
	}
}
