package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// watImage builds the committed testdata/wat/<name>.wat with wat2wasm
// (Debian package wabt) into a fresh image's boot/main.wasm. Without
// wat2wasm the test is skipped, unless WW_REQUIRE_WABT=1 (CI).
func watImage(t *testing.T, name string) string {
	t.Helper()
	tool, err := exec.LookPath("wat2wasm")
	if err != nil {
		if os.Getenv("WW_REQUIRE_WABT") == "1" {
			t.Fatal("wat2wasm not found and WW_REQUIRE_WABT=1 (apt-get install wabt)")
		}
		t.Skip("wat2wasm not found (apt-get install wabt)")
	}
	img := t.TempDir()
	out := filepath.Join(img, "boot", "main.wasm")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("..", "..", "testdata", "wat", name+".wat")
	if b, err := exec.Command(tool, src, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("wat2wasm %s: %v\n%s", src, err, b)
	}
	return img
}

// TestRunWAT (system design §18.2.8): a module written in another language
// (WAT, importing only WASI) runs as pid0 in passthrough mode: its stdout
// is ww's and its exit code ww's.
func TestRunWAT(t *testing.T) {
	img := watImage(t, "passthrough")
	r := runWWIn(t, "", append([]string{"run"}, append(loopback, img)...)...)
	if r.code != 3 || r.stdout != "hello from wat\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 3 and \"hello from wat\\n\"", r.code, r.stdout, r.stderr)
	}
}
