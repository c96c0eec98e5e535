package build

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCached: a second build of the same source is served from the cache
// (same module, no go build); a changed source or Debug is a miss.
func TestCached(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "-mod=mod")
	ctx := context.Background()
	dir := writeGuest(t)
	cache := t.TempDir()
	out := func() string { return filepath.Join(t.TempDir(), "boot", "main.wasm") }

	k1, err := SourceKey(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k, err := SourceKey(ctx, dir, Options{}); err != nil || k != k1 {
		t.Fatalf("key not stable: %s then %s (%v)", k1, k, err)
	}
	if k, _ := SourceKey(ctx, dir, Options{Debug: true}); k == k1 {
		t.Error("Debug does not change the key")
	}

	first, hit, err := Cached(ctx, dir, out(), cache, Options{})
	if err != nil || hit {
		t.Fatalf("first build: hit %v, err %v", hit, err)
	}
	second, hit, err := Cached(ctx, dir, out(), cache, Options{})
	if err != nil || !hit {
		t.Fatalf("second build: hit %v, err %v", hit, err)
	}
	if second.CID != first.CID || second.Size != first.Size {
		t.Errorf("cached module %+v differs from the built one %+v", second, first)
	}
	if data, err := os.ReadFile(second.Path); err != nil || CID(data) != first.CID {
		t.Errorf("cached module not written to %s: %v", second.Path, err)
	}

	// A changed source is another key and another module.
	main := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"changed\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if k, _ := SourceKey(ctx, dir, Options{}); k == k1 {
		t.Error("a changed main.go does not change the key")
	}
	third, hit, err := Cached(ctx, dir, out(), cache, Options{})
	if err != nil || hit || third.CID == first.CID {
		t.Fatalf("changed source: hit %v, cid %s, err %v", hit, third.CID, err)
	}
}
