package image

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readString(t *testing.T, im *Image, name string) string {
	t.Helper()
	b, err := im.ReadFile(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(b)
}

// SwapBase puts a new stem head below the root layers: root layers still
// win, new lookups see the new base, an open file keeps the old one.
func TestSwapBase(t *testing.T) {
	root := writeTree(t, map[string]string{"boot/main.wasm": "root", "etc/motd": "root motd"})
	mounts, err := ParseMounts([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	im, err := Build(context.Background(), mounts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if _, err := im.Stat("lib/v.glia"); err == nil {
		t.Fatal("lib/v.glia before any base")
	}

	v1 := writeTree(t, map[string]string{"lib/v.glia": "v1", "etc/motd": "v1 motd", "boot/main.wasm": "v1"})
	if err := im.SwapBase(os.DirFS(v1)); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, im, "lib/v.glia"); got != "v1" {
		t.Fatalf("lib/v.glia = %q", got)
	}
	if got := readString(t, im, "etc/motd"); got != "root motd" {
		t.Fatalf("root layer lost to the base: etc/motd = %q", got)
	}
	open, err := im.Open("lib/v.glia")
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()

	v2 := writeTree(t, map[string]string{"lib/v.glia": "v2", "lib/new.glia": "new"})
	if err := im.SwapBase(os.DirFS(v2)); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, im, "lib/v.glia"); got != "v2" {
		t.Fatalf("after the second swap lib/v.glia = %q", got)
	}
	if got := readString(t, im, "lib/new.glia"); got != "new" {
		t.Fatalf("lib/new.glia = %q", got)
	}
	if got := len(im.stack()); got != 2 {
		t.Fatalf("%d layers after two swaps, want 2 (root + base)", got)
	}
	if b, err := io.ReadAll(open); err != nil || string(b) != "v1" {
		t.Fatalf("file opened before the swap reads %q, %v", b, err)
	}
	if err := im.SwapBase(os.DirFS(filepath.Join(v2, "lib", "v.glia"))); err == nil {
		t.Fatal("a file accepted as base layer")
	}
}
