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
