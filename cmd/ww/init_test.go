package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitScaffold: `ww init DIR` creates DIR with main.go (a valid Go
// main package on std/system), bin/ and etc/init.d/; it never overwrites
// main.go and refuses a DIR that has boot/, writing nothing.
func TestInitScaffold(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "guest")
	r := runWWIn(t, "", "init", dir)
	if r.code != 0 || r.stdout != "initialized "+dir+"\n" || r.stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for name, want := range map[string]string{
		"main.go":                  scaffoldMain,
		"etc/init.d/10-hello.glia": scaffoldInitD,
	} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "bin")); err != nil || !fi.IsDir() {
		t.Errorf("bin/: %v", err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, "main.go"), nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name.Name != "main" || !importsPath(f.Imports, "github.com/wetware/ww/std/system") {
		t.Errorf("main.go: package %s, imports %v", f.Name.Name, f.Imports)
	}

	// A second init keeps the existing main.go.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runWWIn(t, "", "init", dir)
	if r.code != 1 || r.stderr != "ww: "+filepath.Join(dir, "main.go")+" exists: not overwriting it\n" {
		t.Errorf("existing main.go: exit %d, stderr %q", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(got) != "package main\n" {
		t.Errorf("main.go overwritten: %q", got)
	}

	// Any existing scaffold file stops init before it writes.
	partial := t.TempDir()
	script := filepath.Join(partial, "etc", "init.d", "10-hello.glia")
	if err := os.MkdirAll(filepath.Dir(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte("(println 1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runWWIn(t, "", "init", partial)
	if r.code != 1 || r.stderr != "ww: "+script+" exists: not overwriting it\n" {
		t.Errorf("existing init.d script: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(partial, "main.go")); err == nil {
		t.Error("refused init wrote main.go")
	}

	// A directory with boot/ is an image already: nothing is written.
	img := t.TempDir()
	if err := os.Mkdir(filepath.Join(img, "boot"), 0o755); err != nil {
		t.Fatal(err)
	}
	r = runWWIn(t, "", "init", img)
	if r.code != 1 || r.stderr != "ww: "+filepath.Join(img, "boot")+" exists: "+img+" is already an image\n" {
		t.Errorf("existing boot/: exit %d, stderr %q", r.code, r.stderr)
	}
	if ents, _ := os.ReadDir(img); len(ents) != 1 {
		t.Errorf("refused init wrote into %s: %v", img, ents)
	}

	// DIR defaults to the working directory.
	cwd := t.TempDir()
	t.Chdir(cwd)
	if r := runWWIn(t, "", "init"); r.code != 0 || r.stdout != "initialized .\n" {
		t.Fatalf("init .: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(cwd, "main.go")); err != nil {
		t.Error(err)
	}
}

func importsPath(specs []*ast.ImportSpec, path string) bool {
	for _, s := range specs {
		if s.Path.Value == `"`+path+`"` {
			return true
		}
	}
	return false
}

// TestInitBuildRun: the scaffold builds for wasip1 inside this module
// (`ww build`), boots as pid0 (`ww run DIR`), and with std/kernel layered
// over it the kernel runs the scaffold's init.d, whose definition reaches
// the shell.
func TestInitBuildRun(t *testing.T) {
	// Under the repository, so that the guest's imports resolve to this
	// module.
	dir, err := os.MkdirTemp("testdata", "tmp-init-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if r := runWWIn(t, "", "init", dir); r.code != 0 {
		t.Fatalf("init: exit %d, stderr %q", r.code, r.stderr)
	}
	abs, err := filepath.Abs(filepath.Join(dir, "boot", "main.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	r := runWWIn(t, "", "build", dir)
	if m := builtLine.FindStringSubmatch(r.stdout); r.code != 0 || m == nil || m[1] != abs {
		t.Fatalf("build: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runWWIn(t, "", "init", dir); r.code != 1 || !strings.Contains(r.stderr, "is already an image") {
		t.Errorf("init after build: exit %d, stderr %q", r.code, r.stderr)
	}

	r = runWWIn(t, "", append([]string{"run"}, append(loopback, dir)...)...)
	if r.code != 0 || r.stdout != "Echo: hello from the guest\n" {
		t.Fatalf("run guest: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	kernel := filepath.Join("..", "..", "std", "kernel")
	r = runWWIn(t, "greeting\n", append([]string{"run"}, append(loopback, dir, kernel)...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "hello from init.d\n") || !strings.Contains(r.stdout, `"hello from init.d"`) {
		t.Fatalf("run with kernel: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
