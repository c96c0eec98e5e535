//go:build !wasip1

package shell_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/node"
	"github.com/wetware/ww/std/shell"
)

// TestSwarmSurface drives design §8.3's host and routing surface from Glia
// on three loopback nodes (B and C know only A): B provides a name and
// serves a wasm echo handler from its image; C finds B, dials it and reads
// the echo back; a forked session does the same.
func TestSwarmSurface(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	wasmPath := filepath.Join(dir, "echo.wasm")
	if _, err := build.Build(ctx, filepath.Join("..", "..", "testdata", "guests", "streamecho"), wasmPath, build.Options{}); err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := node.StartTestNet(ctx, 3, node.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Swarm: node.SwarmConfig{DHTMode: node.DHTServer}})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	b, c := tn.Nodes[1], tn.Nodes[2]
	fsys := fstest.MapFS{"bin/echo.wasm": {Data: wasm}}
	session := func(n *node.Node) *shell.Shell {
		g := n.Membrane().Graft()
		t.Cleanup(g.Release)
		sh, err := shell.New(shell.Caps{Host: g.Host, Executor: g.Executor, IPFS: g.IPFS, Routing: g.Routing, Identity: g.Identity},
			shell.Options{FS: fsys, Context: ctx})
		if err != nil {
			t.Fatal(err)
		}
		return sh
	}
	shB, shC := session(b), session(c)
	run := func(sh *shell.Shell, src, want string) {
		t.Helper()
		r := sh.Eval(ctx, src, false)
		if r.IsError || r.Output != want {
			t.Fatalf("%s = %q (error %v), want %q", src, r.Output, r.IsError, want)
		}
	}
	fail := func(sh *shell.Shell, src, want string) {
		t.Helper()
		r := sh.Eval(ctx, src, false)
		if !r.IsError || !strings.Contains(r.Output, want) {
			t.Fatalf("%s = %q (error %v), want an error with %q", src, r.Output, r.IsError, want)
		}
	}

	run(shB, `(routing provide "echo-svc")`, "")
	shC.Session().Define("b-id", value.String(b.ID().String()))
	run(shC, `(count (def provs (routing find "echo-svc" :count 5)))`, "1\n")
	run(shC, `(= [b-id] (mapv :peer-id provs))`, "true\n")
	run(shC, `(string? (first (:addrs (first provs))))`, "true\n")
	// A CID key is used as is: the name's hash finds the same provider.
	run(shC, `(= provs (routing find (routing hash "echo-svc")))`, "true\n")

	run(shB, `(host listen "echo" "/bin/echo.wasm")`, "")
	fail(shB, `(host listen "echo" (load "/bin/echo.wasm"))`, "alreadyExists: protocol already registered: echo")
	fail(shB, `(host listen "no/slash" (load "/bin/echo.wasm"))`, "invalidArgument: invalid protocol name")
	fail(shC, `(host dial b-id "bad name")`, "invalidArgument: invalid protocol name")

	run(shC, `(def s (host dial b-id "echo")) nil`, "#<cap stream>\n")
	run(shC, `(s :write "hello") (s :close) (s :read-all)`, "\"hello\"\n")
	r := shC.Eval(ctx, `(let [s (host dial b-id "echo")] (s :write "?env\n") (s :close) (s :read-all))`, false)
	if want := `"ARGV=echo\nWW_HANDLER=1\nWW_PROTOCOL=echo\nWW_REMOTE_PEER=` + c.ID().String() + `\nPATH=/bin\n`; r.IsError || !strings.HasPrefix(r.Output, want) {
		t.Fatalf("handler environment %q, want it to start with %q", r.Output, want)
	}
	run(shC, `(let [s (host dial b-id "echo")] (s :write (bytes [1 2 255])) (s :close) [(= (bytes [1 2 255]) (s :read)) (s :read)])`, "[true nil]\n")

	// Forked sessions (remote shells) have the same surface.
	fork, err := shC.Fork(nil)
	if err != nil {
		t.Fatal(err)
	}
	fork.Session().Define("b-id", value.String(b.ID().String()))
	run(fork, `(let [s (host dial b-id "echo")] (s :write "from a fork") (s :close) (s :read-all))`, "\"from a fork\"\n")
}
