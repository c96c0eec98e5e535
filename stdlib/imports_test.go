package stdlib

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureImports enforces the layering rule: the language and its library
// reach no files, network or processes. Our packages import none of the
// OS-facing packages, and nothing they depend on pulls in os/exec or net.
func TestPureImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}:{{join .Imports \",\"}}",
		"github.com/wetware/ww/lang/...", "github.com/wetware/ww/stdlib").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	forbiddenDirect := map[string]bool{"os": true, "os/exec": true, "os/signal": true, "net": true,
		"net/http": true, "syscall": true, "io/ioutil": true, "path/filepath": true, "plugin": true}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list gave too little: %q", out)
	}
	for _, line := range lines {
		pkg, imports, _ := strings.Cut(line, ":")
		if pkg == "os/exec" || pkg == "net" || strings.HasPrefix(pkg, "net/") {
			t.Errorf("%s is in the dependencies of lang/ or stdlib/", pkg)
		}
		if !strings.HasPrefix(pkg, "github.com/wetware/ww/") {
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			if forbiddenDirect[imp] {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
}

// TestLayering walks the import graph of the whole module and checks the
// design's import rules (system design 3): imports only point downward.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}:{{join .Imports \",\"}}",
		"github.com/wetware/ww/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	const mod = "github.com/wetware/ww/"
	layer := func(p string) string {
		rest := strings.TrimPrefix(p, mod)
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[:i]
		}
		return rest
	}
	// allowed[from] lists the layers a layer may import.
	allowed := map[string][]string{
		"lang":    {"lang"},
		"stdlib":  {"lang", "stdlib"},
		"capnp":   {"capnp", "lang"},
		"std":     {"std", "capnp", "lang", "stdlib"},
		"repl":    {"repl", "lang"},
		"runtime": {"runtime", "capnp", "lang", "stdlib"},
		"cmd":     {"cmd", "runtime", "capnp", "lang", "stdlib", "repl", "std"},
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 20 {
		t.Fatalf("go list gave too little: %q", out)
	}
	for _, line := range lines {
		pkg, imports, _ := strings.Cut(line, ":")
		from := layer(pkg)
		for _, imp := range strings.Split(imports, ",") {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			to := layer(imp)
			ok := false
			for _, a := range allowed[from] {
				ok = ok || a == to
			}
			if !ok {
				t.Errorf("%s imports %s: %s/ may not import %s/", pkg, imp, from, to)
			}
		}
		if from == "cmd" {
			continue
		}
		if from == "std" || from == "lang" || from == "stdlib" || from == "capnp" {
			for _, imp := range strings.Split(imports, ",") {
				if imp == "github.com/chzyer/readline" {
					t.Errorf("%s imports readline, which is host-only", pkg)
				}
			}
		}
	}
}
