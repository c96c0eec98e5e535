package wasm_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/wetware/ww/runtime/wasm"
)

// sharedCache is the compile cache of tests that do not test the cache, so
// each guest is compiled by wazero once per run. TestMain removes it.
var sharedCacheDir struct {
	once sync.Once
	dir  string
}

func sharedCache() string {
	sharedCacheDir.once.Do(func() {
		dir, err := os.MkdirTemp("", "ww-wasm-cache-")
		if err != nil {
			panic(err)
		}
		sharedCacheDir.dir = dir
	})
	return sharedCacheDir.dir
}

func newEngine(t *testing.T, cfg wasm.Config) *wasm.Engine {
	t.Helper()
	if cfg.CacheDir == "" {
		cfg.CacheDir = sharedCache()
	}
	e, err := wasm.NewEngine(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			t.Errorf("engine close: %v", err)
		}
	})
	return e
}

func spawn(t *testing.T, e *wasm.Engine, name string, args, env []string, opts wasm.SpawnOptions) *wasm.Process {
	t.Helper()
	p, err := e.Spawn(context.Background(), guest(t, name), args, env, opts)
	if err != nil {
		t.Fatalf("spawn %s: %v", name, err)
	}
	t.Cleanup(p.Kill)
	return p
}

func wait(t *testing.T, p *wasm.Process, within time.Duration) (int32, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	code, reason, err := p.Wait(ctx)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return code, reason
}

// runGuest runs a guest to completion with stdin closed and returns its
// stdout, exit code and reason.
func runGuest(t *testing.T, e *wasm.Engine, name string, args, env []string, opts wasm.SpawnOptions) (string, int32, string) {
	t.Helper()
	p := spawn(t, e, name, args, env, opts)
	p.Stdin().Close()
	out, err := io.ReadAll(p.Stdout())
	if err != nil {
		t.Fatalf("read stdout: %v", err)
	}
	code, reason := wait(t, p, 30*time.Second)
	return string(out), code, reason
}

func TestEchoStdioAndArgs(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "echo", []string{"echo", "a b", "c"}, nil, wasm.SpawnOptions{})

	// Interleave: read the args, then a line per write, proving the pipes
	// stream rather than buffer to exit.
	r := bufio.NewReader(p.Stdout())
	for _, want := range []string{"arg: echo\n", "arg: a b\n", "arg: c\n"} {
		if got, err := r.ReadString('\n'); err != nil || got != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
	for _, line := range []string{"hello\n", "world\n"} {
		if _, err := io.WriteString(p.Stdin(), line); err != nil {
			t.Fatal(err)
		}
		if got, err := r.ReadString('\n'); err != nil || got != line {
			t.Fatalf("got %q, %v; want %q", got, err, line)
		}
	}
	p.Stdin().Close()
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Fatalf("after EOF: %q, %v", rest, err)
	}
	if code, reason := wait(t, p, 10*time.Second); code != 0 || reason != "" {
		t.Fatalf("exit %d %q, want 0", code, reason)
	}
	// Wait is idempotent.
	if code, _ := wait(t, p, time.Second); code != 0 {
		t.Fatalf("second wait: %d", code)
	}
	// Stderr was kept for readers.
	se, err := io.ReadAll(p.Stderr())
	if err != nil || string(se) != "echo: started\necho: done\n" {
		t.Fatalf("stderr %q, %v", se, err)
	}
}

func TestDefaultArgv0(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	out, code, _ := runGuest(t, e, "echo", nil, nil, wasm.SpawnOptions{})
	if code != 0 || out != "arg: main\n" {
		t.Fatalf("exit %d, stdout %q; want argv [main]", code, out)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	for _, tc := range []struct {
		arg  string
		code int32
	}{{"0", 0}, {"7", 7}, {"255", 255}, {"panic", 2}} {
		_, code, reason := runGuest(t, e, "exitcode", []string{"exitcode", tc.arg}, nil, wasm.SpawnOptions{})
		if code != tc.code || reason != "" {
			t.Errorf("exitcode %s: got %d %q, want %d", tc.arg, code, reason, tc.code)
		}
	}
}

// trapWasm is a minimal command module whose _start executes unreachable.
var trapWasm = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: () -> ()
	0x03, 0x02, 0x01, 0x00, // func 0: type 0
	0x07, 0x0a, 0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00, // export _start
	0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // code: unreachable; end
}

func TestTrap(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{CacheDir: t.TempDir()})
	p, err := e.Spawn(context.Background(), trapWasm, nil, nil, wasm.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	code, reason := wait(t, p, 10*time.Second)
	if code != wasm.ExitTrap || reason != "trap: unreachable" {
		t.Fatalf("got %d %q, want 134 \"trap: unreachable\"", code, reason)
	}
}

func TestKill(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	for _, mode := range []string{"spin", "sleep"} {
		p := spawn(t, e, "loop", []string{"loop", mode}, nil, wasm.SpawnOptions{})
		if line, err := bufio.NewReader(p.Stdout()).ReadString('\n'); err != nil || line != "looping\n" {
			t.Fatalf("%s: %q, %v", mode, line, err)
		}
		p.Kill()
		code, reason := wait(t, p, 5*time.Second)
		if code != wasm.ExitKilled || reason != wasm.ReasonKilled {
			t.Fatalf("%s: got %d %q, want 137 killed", mode, code, reason)
		}
		p.Kill() // no-op after exit
		if code, _ := wait(t, p, time.Second); code != wasm.ExitKilled {
			t.Fatalf("%s: exit changed to %d", mode, code)
		}
	}
}

func TestKillWhileBlockedOnStdin(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "echo", nil, nil, wasm.SpawnOptions{})
	r := bufio.NewReader(p.Stdout())
	if line, err := r.ReadString('\n'); err != nil || line != "arg: main\n" {
		t.Fatalf("%q, %v", line, err)
	}
	p.Kill()
	if code, reason := wait(t, p, 5*time.Second); code != wasm.ExitKilled || reason != wasm.ReasonKilled {
		t.Fatalf("got %d %q, want 137 killed", code, reason)
	}
}

func TestDeadline(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{Timeout: time.Minute})
	for _, mode := range []string{"spin", "sleep"} {
		start := time.Now()
		p := spawn(t, e, "loop", []string{"loop", mode}, nil, wasm.SpawnOptions{Timeout: 500 * time.Millisecond})
		code, reason := wait(t, p, 10*time.Second)
		if code != wasm.ExitDeadline || reason != wasm.ReasonDeadline {
			t.Fatalf("%s: got %d %q, want 124 deadline", mode, code, reason)
		}
		if d := time.Since(start); d < 500*time.Millisecond {
			t.Fatalf("%s: stopped after %v, before its deadline", mode, d)
		}
	}
}

func TestMemoryCap(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	p := spawn(t, e, "memhog", nil, nil, wasm.SpawnOptions{MemoryLimit: 64 << 20})
	p.Stdin().Close()
	out, _ := io.ReadAll(p.Stdout())
	code, reason := wait(t, p, 30*time.Second)
	if code != wasm.ExitKilled || reason != wasm.ReasonMemory {
		t.Fatalf("got %d %q, want 137 memory; stdout:\n%s", code, reason, out)
	}
	// It got somewhere, but not past the cap.
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "allocated ") {
		t.Fatalf("memhog made no progress: %q", out)
	}
	if slices.Contains(lines, "allocated 64 MiB") {
		t.Fatalf("memhog allocated 64 MiB under a 64 MiB cap:\n%s", out)
	}
}

// bigMinWasm is a command module whose memory starts at two pages (128 KiB)
// and whose _start returns at once.
var bigMinWasm = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: () -> ()
	0x03, 0x02, 0x01, 0x00, // func 0: type 0
	0x05, 0x03, 0x01, 0x00, 0x02, // memory: min 2 pages
	0x07, 0x0a, 0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00, // export _start
	0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // code: end
}

func TestInitialMemoryOverCap(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{CacheDir: t.TempDir()})
	p, err := e.Spawn(context.Background(), bigMinWasm, nil, nil, wasm.SpawnOptions{MemoryLimit: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if code, reason := wait(t, p, 10*time.Second); code != wasm.ExitKilled || reason != wasm.ReasonMemory {
		t.Fatalf("got %d %q, want 137 memory", code, reason)
	}
	p, err = e.Spawn(context.Background(), bigMinWasm, nil, nil, wasm.SpawnOptions{MemoryLimit: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if code, reason := wait(t, p, 10*time.Second); code != 0 || reason != "" {
		t.Fatalf("within the cap: got %d %q, want 0", code, reason)
	}
}

func TestEngineMemoryLimitIsCeiling(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{MemoryLimit: 48 << 20})
	// Asking for more than the engine allows does not raise the cap.
	p := spawn(t, e, "memhog", nil, nil, wasm.SpawnOptions{MemoryLimit: 1 << 30})
	p.Stdin().Close()
	out, _ := io.ReadAll(p.Stdout())
	if code, reason := wait(t, p, 30*time.Second); code != wasm.ExitKilled || reason != wasm.ReasonMemory {
		t.Fatalf("got %d %q, want 137 memory\n%s", code, reason, out)
	}
	if bytes.Contains(out, []byte("allocated 48 MiB")) {
		t.Fatalf("memhog passed the engine's 48 MiB cap:\n%s", out)
	}
}

func TestSandbox(t *testing.T) {
	t.Setenv("WW_HOST_SECRET", "leaked") // in the host's env, must not reach the guest
	e := newEngine(t, wasm.Config{})

	// No FS: nothing on the host is reachable.
	out, code, _ := runGuest(t, e, "sandbox",
		[]string{"sandbox", "read:/etc/passwd", "read:etc/passwd", "write:/tmp/x", "env", "clock", "rand"},
		[]string{"A=1", "B=two=2", "EMPTY="}, wasm.SpawnOptions{})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, p := range []string{"/etc/passwd", "etc/passwd"} {
		if !strings.Contains(out, "read "+p+": error ") {
			t.Errorf("guest without FS read %s:\n%s", p, out)
		}
	}
	if !strings.Contains(out, "write /tmp/x: error ") {
		t.Errorf("guest without FS wrote /tmp/x:\n%s", out)
	}
	if !strings.Contains(out, "env A=1\nenv B=two=2\nenv EMPTY=\nenv end\n") || strings.Contains(out, "WW_HOST_SECRET") {
		t.Errorf("guest env is not exactly the given one:\n%s", out)
	}
	if strings.Count(out, "\nenv ") != 4 {
		t.Errorf("guest sees extra env entries:\n%s", out)
	}
	for _, want := range []string{"clock ok", "rand ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q (real clocks and randomness):\n%s", want, out)
		}
	}

	// A host directory as FS: the guest reads inside it, never beside it,
	// and cannot write.
	root := t.TempDir()
	img := filepath.Join(root, "image")
	if err := os.MkdirAll(filepath.Join(img, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(img, "etc", "motd"), []byte("inside"), 0o644)
	os.WriteFile(filepath.Join(root, "secret"), []byte("outside"), 0o644)
	out, code, _ = runGuest(t, e, "sandbox",
		[]string{"sandbox", "read:/etc/motd", "read:/etc/passwd", "read:/../secret", "read:../secret",
			"read:" + filepath.Join(root, "secret"), "write:/etc/motd", "write:/new"},
		nil, wasm.SpawnOptions{FS: os.DirFS(img)})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "read /etc/motd: ok inside\n") {
		t.Errorf("guest cannot read its image:\n%s", out)
	}
	if strings.Contains(out, "outside") || strings.Contains(out, "root:") {
		t.Errorf("guest read a host file outside its FS:\n%s", out)
	}
	for _, p := range []string{"/etc/passwd", "/../secret", "../secret", filepath.Join(root, "secret")} {
		if !strings.Contains(out, "read "+p+": error ") {
			t.Errorf("read %s did not fail:\n%s", p, out)
		}
	}
	for _, p := range []string{"/etc/motd", "/new"} {
		if !strings.Contains(out, "write "+p+": error ") {
			t.Errorf("write %s did not fail:\n%s", p, out)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(img, "etc", "motd")); string(b) != "inside" {
		t.Errorf("image file changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(img, "new")); err == nil {
		t.Errorf("guest created a file in its image")
	}

	// Any fs.FS works.
	out, _, _ = runGuest(t, e, "sandbox", []string{"sandbox", "read:/hello.txt"}, nil,
		wasm.SpawnOptions{FS: fstest.MapFS{"hello.txt": {Data: []byte("hi")}}})
	if !strings.Contains(out, "read /hello.txt: ok hi\n") {
		t.Errorf("MapFS not mounted at /:\n%s", out)
	}
}

func TestInvalidEnv(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{})
	for _, env := range [][]string{{"NOEQUALS"}, {"=v"}} {
		_, err := e.Spawn(context.Background(), trapWasm, nil, env, wasm.SpawnOptions{})
		if err == nil || err.Error() != "invalidArgument: env entry must be KEY=VALUE" {
			t.Errorf("env %q: %v", env, err)
		}
	}
}

func TestAdmission(t *testing.T) {
	t.Parallel()
	e := newEngine(t, wasm.Config{MaxWasmSize: 1 << 20, CacheDir: t.TempDir()})
	big := guest(t, "echo") // a few MiB
	_, err := e.Spawn(context.Background(), big, nil, nil, wasm.SpawnOptions{})
	want := "invalidArgument: wasm binary too large (" + strconv.Itoa(len(big)) + " bytes > 1048576)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if wasm.ErrorCode(err) != wasm.CodeInvalidArgument {
		t.Fatalf("code %q", wasm.ErrorCode(err))
	}

	_, err = e.Spawn(context.Background(), []byte("\x00asm\x01\x00\x00\x00garbage"), nil, nil, wasm.SpawnOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "invalidWasm: compile: ") {
		t.Fatalf("garbage: %v", err)
	}
	_, err = e.Compile(context.Background(), []byte("not wasm at all"))
	if err == nil || !strings.HasPrefix(err.Error(), "invalidWasm: compile: ") {
		t.Fatalf("not wasm: %v", err)
	}

	// Only wasi_snapshot_preview1 may be imported.
	envImport := []byte{
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
		0x02, 0x0b, 0x01, 0x03, 'e', 'n', 'v', 0x03, 'f', 'o', 'o', 0x00, 0x00, // import env.foo
	}
	_, err = e.Spawn(context.Background(), envImport, nil, nil, wasm.SpawnOptions{})
	if err == nil || err.Error() != "invalidWasm: unsupported import env.foo" {
		t.Fatalf("env import: %v", err)
	}
	if s := e.Stats(); s.Live != 0 {
		t.Fatalf("refused spawns left %d live processes", s.Live)
	}
}

func TestProcessLimit(t *testing.T) {
	t.Parallel()
	const limit = 3
	e := newEngine(t, wasm.Config{MaxProcs: limit})
	var echos []*wasm.Process
	for range limit {
		echos = append(echos, spawn(t, e, "echo", nil, nil, wasm.SpawnOptions{}))
	}
	_, err := e.Spawn(context.Background(), guest(t, "echo"), nil, nil, wasm.SpawnOptions{})
	if err == nil || err.Error() != "resourceExhausted: too many processes (limit 3)" {
		t.Fatalf("spawn %d: %v", limit+1, err)
	}
	// The running processes keep answering.
	for i, p := range echos {
		r := bufio.NewReader(p.Stdout())
		r.ReadString('\n') // arg: main
		msg := "ping " + strconv.Itoa(i) + "\n"
		io.WriteString(p.Stdin(), msg)
		if got, err := r.ReadString('\n'); err != nil || got != msg {
			t.Fatalf("process %d: %q, %v", i, got, err)
		}
	}
	// A slot freed by an exit is reusable.
	echos[0].Stdin().Close()
	if code, _ := wait(t, echos[0], 10*time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	p, err := e.Spawn(context.Background(), guest(t, "echo"), nil, nil, wasm.SpawnOptions{})
	if err != nil {
		t.Fatalf("spawn after an exit: %v", err)
	}
	p.Kill()
	wait(t, p, 5*time.Second)
	if s := e.Stats(); s.Live != limit-1 {
		t.Fatalf("live %d, want %d", s.Live, limit-1)
	}
}

func TestEngineCloseKillsProcesses(t *testing.T) {
	t.Parallel()
	e, err := wasm.NewEngine(context.Background(), wasm.Config{CacheDir: sharedCache()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Spawn(context.Background(), guest(t, "loop"), nil, nil, wasm.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if code, reason := wait(t, p, time.Second); code != wasm.ExitKilled || reason != wasm.ReasonKilled {
		t.Fatalf("got %d %q, want 137 killed", code, reason)
	}
	_, err = e.Spawn(context.Background(), guest(t, "loop"), nil, nil, wasm.SpawnOptions{})
	if wasm.ErrorCode(err) != wasm.CodeUnavailable {
		t.Fatalf("spawn after close: %v", err)
	}
}

// cacheFiles lists the files under dir with their sizes and mod times.
func cacheFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files[path] = strconv.Itoa(int(info.Size())) + " " + info.ModTime().String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestCompileCacheAcrossEngines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := guest(t, "exitcode")
	ctx := context.Background()

	e1, err := wasm.NewEngine(ctx, wasm.Config{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	id, err := e1.Compile(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	if id != wasm.IDOf(bin) {
		t.Fatalf("id %s", id)
	}
	// The in-memory cache serves a second admission on the same engine.
	if _, err := e1.Compile(ctx, bin); err != nil {
		t.Fatal(err)
	}
	if s := e1.Stats(); s.Compiles != 1 || s.CacheHits != 1 {
		t.Fatalf("engine 1 stats %+v, want 1 compile and 1 hit", s)
	}
	if err := e1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	before := cacheFiles(t, dir)
	if len(before) == 0 {
		t.Fatal("the first engine wrote no compiled code to the cache dir")
	}

	// A fresh engine over the same dir: wazero loads the compiled code
	// instead of compiling, so the cache dir is unchanged, file by file.
	e2 := newEngine(t, wasm.Config{CacheDir: dir})
	_, code, _ := runGuest(t, e2, "exitcode", []string{"exitcode", "3"}, nil, wasm.SpawnOptions{})
	if code != 3 {
		t.Fatalf("exit %d", code)
	}
	after := cacheFiles(t, dir)
	if !mapsEqual(before, after) {
		t.Fatalf("the second engine changed the cache:\nbefore %v\nafter  %v", before, after)
	}

	// Sanity check of the method: a different module does add files.
	if _, err := e2.Compile(ctx, guest(t, "echo")); err != nil {
		t.Fatal(err)
	}
	if n := len(cacheFiles(t, dir)); n <= len(before) {
		t.Fatalf("compiling a new module added no cache file (%d files)", n)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestStderrLogged(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEngine(t, wasm.Config{Logger: log})
	p := spawn(t, e, "echo", nil, nil, wasm.SpawnOptions{Name: "echo-test"})
	p.Stdin().Close()
	io.ReadAll(p.Stdout())
	wait(t, p, 10*time.Second)
	pid := "pid=" + strconv.Itoa(int(p.PID()))
	var found int
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level=DEBUG") && strings.Contains(line, "guest stderr") &&
			strings.Contains(line, pid) && strings.Contains(line, "name=echo-test") &&
			(strings.Contains(line, `line="echo: started"`) || strings.Contains(line, `line="echo: done"`)) {
			found++
		}
	}
	if found != 2 {
		t.Fatalf("want 2 stderr lines logged with %s, got %d:\n%s", pid, found, logs.String())
	}
}
