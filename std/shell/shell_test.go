package shell_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"capnproto.org/go/capnp/v3"
	"capnproto.org/go/capnp/v3/rpc"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/wetware/ww/capnp/bridge"
	api "github.com/wetware/ww/capnp/shell"
	"github.com/wetware/ww/capnp/stem"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/runtime/epoch"
	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/membrane"
	"github.com/wetware/ww/std/shell"
)

type fixedHost struct{ id peer.ID }

func (h fixedHost) ID() peer.ID                                  { return h.id }
func (h fixedHost) Addrs() []ma.Multiaddr                        { return nil }
func (h fixedHost) Peers() []peer.AddrInfo                       { return nil }
func (h fixedHost) Connect(context.Context, peer.AddrInfo) error { return nil }

// graft serves a Membrane over a Cap'n Proto connection, grafts and
// returns the capabilities and the host's peer id.
func graft(t *testing.T) (shell.Caps, peer.ID) {
	return graftWith(t, nil)
}

// graftWith is graft with an executor backend.
func graftWith(t *testing.T, exec membrane.ExecutorBackend) (shell.Caps, peer.ID) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	m := membrane.New(epoch.NewCell(epoch.Epoch{}), membrane.Services{Host: fixedHost{key.PeerID()}, Identity: membrane.KeyIdentity(key), Executor: exec}, membrane.Options{})
	p1, p2 := net.Pipe()
	server := rpc.NewConn(rpc.NewStreamTransport(p1), &rpc.Options{BootstrapClient: capnp.Client(m.Client())})
	conn := rpc.NewConn(rpc.NewStreamTransport(p2), nil)
	mem := stem.Membrane(conn.Bootstrap(ctx))
	f, release := mem.Graft(ctx, nil)
	res, err := f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		release()
		mem.Release()
		conn.Close()
		server.Close()
	})
	return shell.Caps{Host: res.Host(), Executor: res.Executor(), IPFS: res.Ipfs(), Routing: res.Routing(), Identity: res.Identity()}, key.PeerID()
}

var image = fstest.MapFS{
	"etc/init.d/10-hello.glia":  {Data: []byte(`(def greeting "hi from init.d")` + "\n")},
	"etc/init.d/20-errors.glia": {Data: []byte("(def a 1)\n  (undefined-fn 1)\n(def b (+ a 1))\n(println \"init says hi\")\n")},
	"etc/init.d/30-bad.glia":    {Data: []byte("(def c 3)\n(def d \n")},
	"etc/init.d/README":         {Data: []byte(`(def readme true)`)},
	"etc/motd":                  {Data: []byte("hello\n")},
	"data/x/note.txt":           {Data: []byte("a note")},
	"bin/tool.wasm":             {Data: []byte("\x00asm\x01\x00\x00\x00")},
}

func newShell(t *testing.T) (*shell.Shell, peer.ID, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	caps, id := graft(t)
	var out, log bytes.Buffer
	sh, err := shell.New(caps, shell.Options{FS: image, Out: &out, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	return sh, id, &out, &log
}

func eval(t *testing.T, sh *shell.Shell, src string) shell.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return sh.Eval(ctx, src, false)
}

func TestCapabilities(t *testing.T) {
	sh, id, _, _ := newShell(t)
	// Peer ids read as their base58 text (design 8.3).
	sh.Session().Define("expected-id", value.String(id.String()))
	if r := eval(t, sh, `(= (host id) expected-id)`); r.IsError || r.Output != "true\n" {
		t.Fatalf("(host id): %q", r.Output)
	}
	for src, want := range map[string]string{
		`(executor echo "hi")`:          `"Echo: hi"` + "\n",
		`(perform executor :echo "yo")`: `"Echo: yo"` + "\n",
		`(caps)`:                        "[host executor ipfs routing identity fs]\n",
		`(println "x") 1 nil 2`:         "x\n1\n2\n",
		`(print "a") 5`:                 "a\n5\n",
		`(epoch)`:                       "{:seq 0 :head nil :block 0}\n",
		`(= host (with-effect-handler host host-handler host))`: "true\n",
	} {
		r := eval(t, sh, src)
		if r.IsError || r.Output != want {
			t.Errorf("%s = %q (error %v), want %q", src, r.Output, r.IsError, want)
		}
	}
}

func TestHelp(t *testing.T) {
	sh, _, _, _ := newShell(t)
	r := eval(t, sh, `(help)`)
	if r.IsError || r.Output != bridge.ShellHelp {
		t.Fatalf("(help) = %q", r.Output)
	}
	r = eval(t, sh, `(help executor)`)
	if r.IsError || !strings.HasPrefix(r.Output, "== executor ==\n") || !strings.Contains(r.Output, "(executor echo <message:string>)") {
		t.Fatalf("(help executor) = %q", r.Output)
	}
	r = eval(t, sh, `(doc host)`)
	if r.IsError || !strings.Contains(r.Output, "cap-name: host") {
		t.Fatalf("(doc host) = %q", r.Output)
	}
	r = eval(t, sh, `(bytes? (schema host))`)
	if r.IsError || r.Output != "true\n" {
		t.Fatalf("(schema host) = %q", r.Output)
	}
}

func TestInitD(t *testing.T) {
	sh, _, out, log := newShell(t)
	if exited, _ := sh.RunInitD(); exited {
		t.Fatal("init.d exited")
	}
	for src, want := range map[string]string{
		`greeting`: `"hi from init.d"` + "\n",
		`b`:        "2\n",
	} {
		if r := eval(t, sh, src); r.IsError || r.Output != want {
			t.Errorf("%s = %q (%v), want %q", src, r.Output, r.IsError, want)
		}
	}
	// A script with a read error is skipped entirely; non-.glia entries
	// are ignored.
	for _, src := range []string{`c`, `readme`} {
		if r := eval(t, sh, src); !r.IsError || !strings.Contains(r.Output, "unbound") {
			t.Errorf("%s = %q (%v), want an error", src, r.Output, r.IsError)
		}
	}
	if out.String() != "init says hi\n" {
		t.Errorf("init.d output %q", out.String())
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log %q", log.String())
	}
	if !strings.HasPrefix(lines[0], "/etc/init.d/20-errors.glia:2:3: [glia.error/") {
		t.Errorf("form error line %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "/etc/init.d/30-bad.glia:") || !strings.Contains(lines[1], "[glia.error/parse]") {
		t.Errorf("parse error line %q", lines[1])
	}
}

func TestInitDExit(t *testing.T) {
	caps, _ := graft(t)
	img := fstest.MapFS{
		"etc/init.d/01.glia": {Data: []byte("(def x 1)\n(exit 7)\n(def y 2)\n")},
	}
	sh, err := shell.New(caps, shell.Options{FS: img, Log: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	if exited, code := sh.RunInitD(); !exited || code != 7 {
		t.Fatalf("RunInitD = %v %d", exited, code)
	}
}

func TestFilesystem(t *testing.T) {
	sh, _, _, _ := newShell(t)
	for _, c := range []struct{ src, want string }{
		{`(load "etc/motd")`, "<6 bytes>\n"},
		{`(fs read-str "/etc/motd")`, `"hello\n"` + "\n"},
		{`(cd "data")`, ""},
		{`(fs read-str "x/note.txt")`, `"a note"` + "\n"},
		{`(fs exists? "x/nope")`, "false\n"},
		{`(fs exists? "x")`, "true\n"},
		{`(fs stat "x/note.txt")`, "{:size 6 :type :file}\n"},
		{`(fs ls "x")`, "[{:name \"note.txt\" :size 6 :type :file}]\n"},
		{`(cd 'x)`, ""},
		{`(perform :load "note.txt")`, "<6 bytes>\n"},
		{`(cd "/nope")`, "[glia.error/io] cd: /nope: no such directory"},
		{`(load "missing")`, "[glia.error/io] load: /data/x/missing: file does not exist"},
		{`(fs frob "x")`, "[glia.error/cap-call-failed] fs.frob failed: unknown method :frob"},
		{`(cd "..")`, ""},
	} {
		r := eval(t, sh, c.src)
		if r.Output != c.want {
			t.Errorf("%s = %q, want %q", c.src, r.Output, c.want)
		}
	}
	if got := sh.Cwd(); got != "/data" {
		t.Errorf("cwd %q", got)
	}
	if r := eval(t, sh, `(cd)`); r.IsError || sh.Cwd() != "/" {
		t.Errorf("(cd) %q %q", r.Output, sh.Cwd())
	}
}

func TestCommands(t *testing.T) {
	sh, _, _, _ := newShell(t)
	r := eval(t, sh, `(frobnicate 1 "x")`)
	if !r.IsError || r.Output != "[glia.error/command-not-found] frobnicate: command not found" {
		t.Errorf("not found: %q", r.Output)
	}
	// bin/tool.wasm is found; the test Membrane has no executor backend,
	// so runBytes fails as unimplemented.
	r = eval(t, sh, `(tool "-l")`)
	if !r.IsError || !strings.Contains(r.Output, "unimplemented") {
		t.Errorf("tool: %q", r.Output)
	}
	// A bound name wins over a command; errors stop the submission.
	r = eval(t, sh, `(defn tool [] :mine) (tool) (nope) 3`)
	if !strings.Contains(r.Output, ":mine\n[glia.error/command-not-found] nope: command not found") || strings.HasSuffix(r.Output, "3\n") {
		t.Errorf("stop at first error: %q", r.Output)
	}
}

func TestExitAndParseErrors(t *testing.T) {
	sh, _, _, _ := newShell(t)
	r := eval(t, sh, `(println "bye") (exit 3) (println "not reached")`)
	if !r.Exited || r.ExitCode != 3 || r.Output != "bye\n" {
		t.Errorf("exit: %+v", r)
	}
	r = eval(t, sh, `(exit)`)
	if !r.Exited || r.ExitCode != 0 {
		t.Errorf("exit 0: %+v", r)
	}
	r = eval(t, sh, `(+ 1`)
	if !r.IsError || !strings.HasPrefix(r.Output, "[glia.error/parse] ") {
		t.Errorf("parse: %+v", r)
	}
	if r := sh.Eval(context.Background(), `nil`, true); r.Output != "nil\n" {
		t.Errorf("printNil: %q", r.Output)
	}
	eval(t, sh, `1`)
	eval(t, sh, `2 3`)
	eval(t, sh, `(undefined-command)`)
	if r := eval(t, sh, `[*1 *2 *3 (:glia.error/type *e)]`); r.Output != "[3 2 1 :glia.error/command-not-found]\n" {
		t.Errorf("*1 *2 *3 *e: %q", r.Output)
	}
}

// TestHandlerRebinding: the per-form layers resolve the handler names
// when the form runs (Glia spec 17.4, 15.3).
func TestHandlerRebinding(t *testing.T) {
	sh, _, _, _ := newShell(t)
	r := eval(t, sh, `(def executor-handler (fn [req k] (k [:intercepted req])))`)
	if r.IsError {
		t.Fatal(r.Output)
	}
	r = eval(t, sh, `(executor echo "hi")`)
	if r.IsError || r.Output != "[:intercepted (:echo \"hi\")]\n" {
		t.Errorf("rebound handler: %q", r.Output)
	}
	// Macros defined in one form work in the next (forms are expanded
	// before wrapping).
	r = eval(t, sh, `(defmacro twice [x] (list 'do x x)) (twice (def q 9)) q`)
	if r.IsError || !strings.HasSuffix(r.Output, "9\n") {
		t.Errorf("macro: %q", r.Output)
	}
}

// TestServer drives the Shell interface over a Cap'n Proto connection.
func TestServer(t *testing.T) {
	sh, _, _, _ := newShell(t)
	p1, p2 := net.Pipe()
	server := rpc.NewConn(rpc.NewStreamTransport(p1), &rpc.Options{BootstrapClient: capnp.Client(sh.Client())})
	conn := rpc.NewConn(rpc.NewStreamTransport(p2), nil)
	defer server.Close()
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := api.Shell(conn.Bootstrap(ctx))
	defer c.Release()

	f, release := c.Eval(ctx, func(p api.Shell_eval_Params) error { return p.SetText(`(executor echo "hi") (exit 4)`) })
	res, err := f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := res.Result()
	if out != "\"Echo: hi\"\n" || res.IsError() || !res.Exited() || res.ExitCode() != 4 {
		t.Errorf("eval: %q %v %v %d", out, res.IsError(), res.Exited(), res.ExitCode())
	}
	release()

	f, release = c.Eval(ctx, func(p api.Shell_eval_Params) error { return p.SetText(`(cd "etc") (undefined-thing)`) })
	res, err = f.Struct()
	if err != nil {
		t.Fatal(err)
	}
	out, _ = res.Result()
	if !res.IsError() || out != "[glia.error/command-not-found] undefined-thing: command not found" {
		t.Errorf("error: %q", out)
	}
	release()

	cf, crel := c.Cwd(ctx, nil)
	cr, err := cf.Struct()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := cr.Path(); p != "/etc" {
		t.Errorf("cwd %q", p)
	}
	crel()

	kf, krel := c.Complete(ctx, func(p api.Shell_complete_Params) error { return p.SetPrefix("execu") })
	kr, err := kf.Struct()
	if err != nil {
		t.Fatal(err)
	}
	l, _ := kr.Candidates()
	var got []string
	for i := 0; i < l.Len(); i++ {
		s, _ := l.At(i)
		got = append(got, s)
	}
	krel()
	if strings.Join(got, " ") != "executor executor-handler" {
		t.Errorf("complete: %q", got)
	}

	// A fork with grants: a snapshot of the root's definitions, only the
	// granted capabilities and methods, its own cwd and exit.
	if r := eval(t, sh, `(def shared 41)`); r.IsError {
		t.Fatal(r.Output)
	}
	ff, frel := c.Fork(ctx, func(p api.Shell_fork_Params) error {
		l, err := p.NewGrants(2)
		if err != nil {
			return err
		}
		l.Set(0, "executor:echo")
		l.Set(1, "fs")
		return nil
	})
	child := ff.Shell().AddRef()
	frel()
	defer child.Release()
	for _, c := range []struct{ src, want string }{
		{`(inc shared)`, "42\n"},
		{`(caps)`, "[executor fs]\n"},
		{`(executor echo "f")`, "\"Echo: f\"\n"},
		{`(executor run-bytes (bytes "x") [] [] {} nil)`, "[glia.error/permission-denied] permission denied: executor.run-bytes not granted"},
		{`(cd "etc") (fs exists? "motd")`, "true\n"}, // a fork starts at /
		{`(tool)`, "[glia.error/permission-denied] permission denied: tool: executor.run not granted"},
		{`(def mine 1) (exit 2)`, "1\n"},
	} {
		f, release := child.Eval(ctx, func(p api.Shell_eval_Params) error { return p.SetText(c.src) })
		res, err := f.Struct()
		if err != nil {
			t.Fatal(err)
		}
		out, _ := res.Result()
		if out != c.want {
			t.Errorf("fork %s = %q, want %q", c.src, out, c.want)
		}
		release()
	}
	// A fork of the fork cannot widen its grants.
	gf, grel := child.Fork(ctx, func(p api.Shell_fork_Params) error {
		l, _ := p.NewGrants(2)
		l.Set(0, "executor")
		return l.Set(1, "host")
	})
	grand := gf.Shell().AddRef()
	grel()
	defer grand.Release()
	for _, c := range []struct{ src, want string }{
		{`(caps)`, "[executor]\n"},
		{`(executor echo "g")`, "\"Echo: g\"\n"},
		{`(perform executor :run-bytes (bytes "x") [] [] {} nil)`, "[glia.error/permission-denied] permission denied: executor.run-bytes not granted"},
	} {
		f, release := grand.Eval(ctx, func(p api.Shell_eval_Params) error { return p.SetText(c.src) })
		res, err := f.Struct()
		if err != nil {
			t.Fatal(err)
		}
		out, _ := res.Result()
		if out != c.want {
			t.Errorf("grandchild %s = %q, want %q", c.src, out, c.want)
		}
		release()
	}
	if r := eval(t, sh, `(host id) mine`); !r.IsError || !strings.Contains(r.Output, "mine") {
		t.Errorf("root after fork: %q", r.Output)
	}
	if sh.Cwd() != "/etc" {
		t.Errorf("root cwd %q", sh.Cwd())
	}
	// Without any executor grant a PATH command is not permitted either
	// (design §14), and releasing a fork drops it from its parent.
	nf, nrel := c.Fork(ctx, func(p api.Shell_fork_Params) error {
		l, _ := p.NewGrants(1)
		return l.Set(0, "fs")
	})
	noexec := nf.Shell().AddRef()
	nrel()
	ef, erel := noexec.Eval(ctx, func(p api.Shell_eval_Params) error { return p.SetText(`(tool)`) })
	if res, err := ef.Struct(); err != nil {
		t.Fatal(err)
	} else if out, _ := res.Result(); out != "[glia.error/permission-denied] permission denied: tool: executor.run not granted" {
		t.Errorf("fork without executor: (tool) = %q", out)
	}
	erel()
	forks := func() int { return shell.ForkCount(sh) }
	before := forks()
	noexec.Release()
	for deadline := time.Now().Add(10 * time.Second); forks() != before-1 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := forks(); n != before-1 {
		t.Errorf("forks after release: %d, want %d", n, before-1)
	}

	bf, brel := c.Fork(ctx, func(p api.Shell_fork_Params) error {
		l, _ := p.NewGrants(1)
		return l.Set(0, "nosuch")
	})
	if _, err := bf.Struct(); err == nil || !strings.Contains(err.Error(), "unknown grant") {
		t.Errorf("bad grant: %v", err)
	}
	brel()
}

// fakeExecutor runs "commands" in-process: the child prints its argv and
// the wasm it was given, and exits with the length of its argv minus one
// when the first argument is "fail".
type fakeExecutor struct{}

func (fakeExecutor) Run(_ context.Context, req membrane.RunRequest) (membrane.Process, error) {
	req.Bootstrap.Release()
	code := int32(0)
	if len(req.Args) > 1 && req.Args[1] == "fail" {
		code = int32(len(req.Args) - 1)
	}
	out := "argv: " + strings.Join(req.Args, " ") + "\nwasm: " + string(req.Wasm) + "\n"
	return &fakeProc{out: io.NopCloser(strings.NewReader(out)), code: code}, nil
}

type fakeProc struct {
	out  io.ReadCloser
	code int32
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (nopWriter) Close() error                { return nil }

func (p *fakeProc) Stdin() io.WriteCloser { return nopWriter{} }
func (p *fakeProc) Stdout() io.ReadCloser { return p.out }
func (p *fakeProc) Stderr() io.ReadCloser { return io.NopCloser(strings.NewReader("")) }
func (p *fakeProc) Wait(context.Context) (int32, string, error) {
	return p.code, "", nil
}
func (p *fakeProc) Bootstrap(context.Context) (capnp.Client, error) { return capnp.Client{}, nil }
func (p *fakeProc) Kill()                                           {}

// TestPathRun: PATH lookup finds <dir>/<cmd>.wasm, then
// <dir>/<cmd>/main.wasm, runs it through the executor with argv
// [cmd, args...] and copies its stdout to the session output.
func TestPathRun(t *testing.T) {
	caps, _ := graftWith(t, fakeExecutor{})
	img := fstest.MapFS{
		"bin/hello.wasm":       {Data: []byte("HELLO")},
		"bin/status/main.wasm": {Data: []byte("STATUS")},
		"opt/tools/local.wasm": {Data: []byte("LOCAL")},
		"opt/tools/hello.wasm": {Data: []byte("SHADOWED")},
	}
	sh, err := shell.New(caps, shell.Options{FS: img, Path: "/bin:tools"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ src, want string }{
		{`(hello "x" 42 :k)`, "argv: hello x 42 :k\nwasm: HELLO\n"},
		{`(status)`, "argv: status\nwasm: STATUS\n"},
		{`(with-out-str (hello))`, "\"argv: hello\\nwasm: HELLO\\n\"\n"},
		{`(local)`, "[glia.error/command-not-found] local: command not found"},
		{`(cd "/opt") (local)`, "argv: local\nwasm: LOCAL\n"},
		{`(hello "fail" 1 2)`, "argv: hello fail 1 2\nwasm: HELLO\n[glia.error/command-failed] hello: exit code 3"},
		{`(try (hello "fail") (catch :glia.error/command-failed e :caught))`, "argv: hello fail\nwasm: HELLO\n:caught\n"},
	} {
		r := eval(t, sh, c.src)
		if r.Output != c.want {
			t.Errorf("%s = %q, want %q", c.src, r.Output, c.want)
		}
	}
}

// TestCancel: cancelling Eval's context interrupts the evaluation.
func TestCancel(t *testing.T) {
	sh, _, _, _ := newShell(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan shell.Result, 1)
	go func() { done <- sh.Eval(ctx, `(loop [i 0] (recur (inc i))) (println "not reached")`, false) }()
	select {
	case r := <-done:
		if !r.IsError || r.Output != "[glia.error/interrupted] interrupted" {
			t.Fatalf("interrupted loop: %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("loop not interrupted")
	}
	if r := eval(t, sh, `(+ 1 2)`); r.Output != "3\n" {
		t.Fatalf("after interrupt: %+v", r)
	}
}

// TestExecutorRun: (executor run …) is a foreground runBytes whose stdout
// goes to the session output and whose value is the exit code.
func TestExecutorRun(t *testing.T) {
	caps, _ := graftWith(t, fakeExecutor{})
	img := fstest.MapFS{"bin/job.wasm": {Data: []byte("JOB")}}
	sh, err := shell.New(caps, shell.Options{FS: img})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ src, want string }{
		{`(executor run (bytes "W"))`, "argv: main\nwasm: W\n0\n"},
		{`(executor run "/bin/job.wasm" :args ["fail" 2] :env {:A "b"})`, "argv: main fail 2\nwasm: JOB\n2\n"},
		{`(perform executor :run "bin/job.wasm")`, "argv: main\nwasm: JOB\n0\n"},
		{`(executor run 42)`, "[glia.error/type-mismatch] executor :run: expected bytes or string, got int"},
		{`(executor echo "still")`, "\"Echo: still\"\n"},
	} {
		if r := eval(t, sh, c.src); r.Output != c.want {
			t.Errorf("%s = %q, want %q", c.src, r.Output, c.want)
		}
	}
}

// TestInitDBatch: an init.d form whose value is an integer and during
// which a foreground run finished marks a batch image (Glia spec 18.4).
func TestInitDBatch(t *testing.T) {
	caps, _ := graftWith(t, fakeExecutor{})
	var out bytes.Buffer
	img := fstest.MapFS{
		"bin/job.wasm":       {Data: []byte("JOB")},
		"etc/init.d/10.glia": {Data: []byte("(def n 5)\n(executor run \"/bin/job.wasm\" :args [\"fail\" 1 2])\n")},
		"etc/init.d/20.glia": {Data: []byte("7\n(do (executor run \"/bin/job.wasm\") :not-an-int)\n")},
	}
	sh, err := shell.New(caps, shell.Options{FS: img, Out: &out, Log: &out})
	if err != nil {
		t.Fatal(err)
	}
	if exited, code := sh.RunInitD(); !exited || code != 3 {
		t.Fatalf("RunInitD = %v %d\n%s", exited, code, out.String())
	}
	// Without a run, integers do not make a batch image.
	sh, err = shell.New(caps, shell.Options{FS: fstest.MapFS{"etc/init.d/1.glia": {Data: []byte("(def n 5)\n5\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	if exited, _ := sh.RunInitD(); exited {
		t.Fatal("plain integers made a batch image")
	}
}

// TestOnEpoch: hooks registered with on-epoch run with the new epoch and
// can call capabilities.
func TestOnEpoch(t *testing.T) {
	sh, _, out, _ := newShell(t)
	r := eval(t, sh, `(def seen (atom [])) (on-epoch (fn [e] (swap! seen conj [(:seq e) (executor echo "e")])))`)
	if r.IsError {
		t.Fatal(r.Output)
	}
	ep := value.NewMap(value.KW("seq"), value.MakeInt(3), value.KW("head"), value.Nil, value.KW("block"), value.MakeInt(9))
	if errs := sh.EpochAdvanced(ep); len(errs) != 0 {
		t.Fatal(errs)
	}
	if r := eval(t, sh, `@seen`); r.Output != "[[3 \"Echo: e\"]]\n" {
		t.Errorf("seen %q (%s)", r.Output, out.String())
	}
}
