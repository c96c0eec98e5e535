package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/identity"
)

// kernelImage builds std/kernel into a fresh image directory, with an
// init.d script that prints to pid0's stdout.
func kernelImage(t *testing.T) string {
	t.Helper()
	t.Setenv("GOTOOLCHAIN", "local")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := build.Build(ctx, filepath.Join("..", "..", "std", "kernel"), filepath.Join(dir, "boot", "main.wasm"), build.Options{}); err != nil {
		t.Fatal(err)
	}
	initd := filepath.Join(dir, "etc", "init.d")
	if err := os.MkdirAll(initd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(initd, "10-hi.glia"), []byte(`(println "init.d says hi")`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// wwCommand returns the real ww binary (this test binary under the name
// ww, see TestMain) running args with an isolated WW_HOME.
func wwCommand(t *testing.T, ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ww := filepath.Join(t.TempDir(), "ww")
	if err := os.Symlink(exe, ww); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, ww, args...)
	cmd.Env = append(os.Environ(), "WW_HOME="+t.TempDir(), "WW_LOG=info", "GOTOOLCHAIN=local")
	return cmd
}

func TestMCPHelp(t *testing.T) {
	r := runWW(t, "mcp", "--help")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"Usage: ww mcp [OPTIONS] [MOUNT]...\n", "--http <ADDR>", "--http-public", "--grant <CAP[:METHOD,...]>",
		"--eval-timeout <DURATION>", "[default: 1m0s]", "--connect <MULTIADDR>", "--port <PORT>", "--listen <MULTIADDR>", "--identity <PATH>",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "    --daemon") {
		t.Errorf("help lists --daemon:\n%s", r.stdout)
	}
	if r := runWWIn(t, "", "mcp", "--http", "0.0.0.0:0", t.TempDir()); r.code != 1 ||
		!strings.Contains(r.stderr, "ww: --http 0.0.0.0:0: not a loopback address") {
		t.Errorf("public --http: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runWWIn(t, "", "mcp", "--grant", "host:", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, `ww: --grant "host:": empty method`) {
		t.Errorf("bad --grant: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestMCPStdioPipe pipes raw JSON-RPC lines into `ww mcp` as a shell
// does (stdin ends right after the last request): every request is
// answered, stdout holds nothing but JSON-RPC frames (init.d's output goes
// to the log on stderr), eval (host id) answers the peer id, (car) is a
// tool error, and ww exits 0. A second run with --grant host:id is driven
// by the SDK client over the same stdio.
func TestMCPStdioPipe(t *testing.T) {
	img := kernelImage(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := wwCommand(t, ctx, append([]string{"mcp"}, append(loopback, img)...)...)
	cmd.Stdin = strings.NewReader(strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"sh","version":"0"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"eval","arguments":{"expression":"(host id)"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"eval","arguments":{"expression":"(car)"}}}`,
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"eval","arguments":{"expression":"(+ 1 2)"}}}`,
	}, "\n") + "\n")
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ww mcp: %v\nstderr: %s", err, stderr.String())
	}
	answers := map[float64]map[string]any{}
	for _, l := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n") {
		var f map[string]any
		if err := json.Unmarshal([]byte(l), &f); err != nil || f["jsonrpc"] != "2.0" {
			t.Fatalf("stdout line is not a JSON-RPC frame: %q", l)
		}
		if id, ok := f["id"].(float64); ok {
			answers[id] = f
		}
	}
	if len(answers) != 5 {
		t.Fatalf("%d answers:\n%s\nstderr: %s", len(answers), stdout.String(), stderr.String())
	}
	if name, _ := dig(answers[1], "result", "serverInfo", "name").(string); name != "wetware" {
		t.Errorf("initialize: %v", answers[1])
	}
	var names []string
	tools, _ := dig(answers[2], "result", "tools").([]any)
	for _, tool := range tools {
		name, _ := dig(tool, "name").(string)
		names = append(names, name)
	}
	if len(names) != 2 || !slices.Contains(names, "eval") || !slices.Contains(names, "describe") {
		t.Errorf("tools/list: %v", names)
	}
	if txt, _ := dig(answers[3], "result", "content", 0, "text").(string); !regexp.MustCompile(`^"16Uiu2HA[1-9A-HJ-NP-Za-km-z]+"\n$`).MatchString(txt) ||
		dig(answers[3], "result", "isError") == true {
		t.Errorf("(host id): %v", answers[3])
	}
	if txt, _ := dig(answers[4], "result", "content", 0, "text").(string); !strings.HasPrefix(txt, "[glia.error/") || dig(answers[4], "result", "isError") != true {
		t.Errorf("(car): %v", answers[4])
	}
	if txt, _ := dig(answers[5], "result", "content", 0, "text").(string); txt != "3\n" {
		t.Errorf("(+ 1 2): %v", answers[5])
	}
	if !strings.Contains(stderr.String(), "init.d says hi") {
		t.Errorf("pid0's stdout is not in the log:\n%s", stderr.String())
	}

	// The SDK client over stdio, with an attenuated session.
	cmd = wwCommand(t, ctx, append([]string{"mcp", "--grant", "host:id"}, append(loopback, img)...)...)
	stderr = syncBuffer{}
	cmd.Stderr = &stderr
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "v0"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("%v\nstderr: %s", err, stderr.String())
	}
	defer cs.Close()
	for expr, want := range map[string]string{"(host id)": `"16Uiu2HA`, `(executor echo "x")`: "[glia.error/unbound-symbol] ", "(host addrs)": "[glia.error/permission-denied] "} {
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "eval", Arguments: map[string]any{"expression": expr}})
		if err != nil {
			t.Fatal(err)
		}
		txt := res.Content[0].(*sdk.TextContent).Text
		if !strings.HasPrefix(txt, want) || res.IsError != strings.HasPrefix(want, "[") {
			t.Errorf("%s = %q (isError %v)", expr, txt, res.IsError)
		}
	}
}

// dig walks decoded JSON by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// TestMCPHTTP: `ww mcp --http 127.0.0.1:0` logs its URL and serves
// streamable HTTP sessions with their own definitions; pid0's stdout stays
// on ww's stdout in this mode.
func TestMCPHTTP(t *testing.T) {
	img := kernelImage(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := wwCommand(t, ctx, append([]string{"mcp", "--http", "127.0.0.1:0"}, append(loopback, img)...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	urlRe := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/mcp)`)
	sc := bufio.NewScanner(stderr)
	url := ""
	var log strings.Builder
	for url == "" && sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no url logged:\n%s", log.String())
	}
	go io.Copy(io.Discard, stderr)

	var sessions []*sdk.ClientSession
	for range 2 {
		cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "v0"}, nil).
			Connect(ctx, &sdk.StreamableClientTransport{Endpoint: url}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		sessions = append(sessions, cs)
	}
	evalText := func(cs *sdk.ClientSession, expr string) string {
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "eval", Arguments: map[string]any{"expression": expr}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Content[0].(*sdk.TextContent).Text
	}
	evalText(sessions[0], "(def who :first)")
	evalText(sessions[1], "(def who :second)")
	if a, b := evalText(sessions[0], "who"), evalText(sessions[1], "who"); a != ":first\n" || b != ":second\n" {
		t.Errorf("who: %q and %q", a, b)
	}
	if !strings.Contains(out.String(), "init.d says hi") {
		t.Errorf("in HTTP mode pid0's stdout is ww's: %q", out.String())
	}
}

// TestMCPConnect: `ww mcp --connect` logs in to a running node through
// its Terminal and serves that node's shell; an unauthorized identity
// fails at start.
func TestMCPConnect(t *testing.T) {
	keys := map[string]string{}
	var friend *identity.Key
	for _, name := range []string{"friend", "stranger"} {
		k, err := identity.Generate()
		if err != nil {
			t.Fatal(err)
		}
		if name == "friend" {
			friend = k
		}
		keys[name] = filepath.Join(t.TempDir(), name)
		if err := identity.Save(keys[name], k, false); err != nil {
			t.Fatal(err)
		}
	}
	a := startDaemon(t, "A", "--authorized-peer", friend.PeerID().String())
	requests := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"sh","version":"0"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"eval","arguments":{"expression":"(host id)"}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"eval","arguments":{"expression":"(executor echo \"x\")"}}}`,
	}, "\n") + "\n"
	mcpRun := func(args ...string) result {
		var out, errb syncBuffer
		code := run(append([]string{"mcp", "--data-dir", t.TempDir()}, args...), strings.NewReader(requests), &out, &errb)
		return result{code, out.String(), errb.String()}
	}

	r := mcpRun("--connect", a.addr(), "--identity", keys["friend"], "--grant", "host:id")
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	answers := map[float64]any{}
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		var f map[string]any
		if err := json.Unmarshal([]byte(l), &f); err != nil || f["jsonrpc"] != "2.0" {
			t.Fatalf("stdout line is not a JSON-RPC frame: %q", l)
		}
		if id, ok := f["id"].(float64); ok {
			answers[id] = f
		}
	}
	if txt, _ := dig(answers[2], "result", "content", 0, "text").(string); txt != fmt.Sprintf("%q\n", a.rf.PeerID) {
		t.Errorf("(host id) = %v, want the daemon's id %s", answers[2], a.rf.PeerID)
	}
	if txt, _ := dig(answers[3], "result", "content", 0, "text").(string); !strings.HasPrefix(txt, "[glia.error/unbound-symbol] ") {
		t.Errorf("(executor echo) with --grant host:id = %v", answers[3])
	}

	r = mcpRun("--connect", a.addr(), "--identity", keys["stranger"])
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "key not authorized") {
		t.Errorf("stranger: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := mcpRun("--connect", a.addr(), t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "takes no MOUNT") {
		t.Errorf("--connect with a mount: exit %d, stderr %q", r.code, r.stderr)
	}
	a.eval("(+ 2 2)", "4\n") // the node runs on
}
