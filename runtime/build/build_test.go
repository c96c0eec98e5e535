package build

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"
)

func writeGuest(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.com/hello\n\ngo 1.21\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuild(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "-mod=mod")
	dir := writeGuest(t)
	if !NeedsBuild(dir) {
		t.Fatal("NeedsBuild is false for a fresh main package")
	}
	res, err := Build(context.Background(), dir, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "boot", "main.wasm")
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != want || res.Size != len(data) {
		t.Errorf("result %+v, file %s of %d bytes", res, want, len(data))
	}
	if string(data[:4]) != "\x00asm" {
		t.Errorf("not a wasm module: % x", data[:4])
	}
	if res.CID != CID(data) {
		t.Errorf("cid %s", res.CID)
	}
	re := regexp.MustCompile(`^built .*/boot/main\.wasm \(\d+ bytes, bafkrei[a-z2-7]+\)$`)
	if !re.MatchString(res.String()) {
		t.Errorf("line %q", res.String())
	}
	if NeedsBuild(dir) {
		t.Error("NeedsBuild is true after building")
	}

	out := filepath.Join(t.TempDir(), "x", "y.wasm")
	dbg, err := Build(context.Background(), dir, out, Options{Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	if dbg.Path != out || dbg.Size <= res.Size {
		t.Errorf("debug build %+v not larger than stripped %d", dbg, res.Size)
	}
}

func TestNoToolchain(t *testing.T) {
	t.Setenv("WW_GO", filepath.Join(t.TempDir(), "nope"))
	if _, err := Build(context.Background(), t.TempDir(), "", Options{}); err != ErrNoToolchain {
		t.Fatalf("err %v", err)
	}
}

func TestBuildFailure(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	dir := writeGuest(t)
	os.WriteFile(filepath.Join(dir, "bad.go"), []byte("package main\n\nvar x int = \"s\"\n"), 0o644)
	if _, err := Build(context.Background(), dir, "", Options{}); err == nil {
		t.Fatal("no error")
	}
}

func TestCIDFixture(t *testing.T) {
	// The IPFS raw-leaf CIDv1 of "hello world\n" (design §10).
	if got := CID([]byte("hello world\n")).String(); got != "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4" {
		t.Errorf("got %s", got)
	}
}

// TestProgress: Progress is called when go build starts, with 0, and then
// with increasing elapsed times.
func TestProgress(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "-mod=mod")
	dir := writeGuest(t)
	for _, every := range []time.Duration{time.Hour, time.Millisecond} {
		var mu sync.Mutex
		var calls []time.Duration
		_, err := Build(context.Background(), dir, filepath.Join(t.TempDir(), "m.wasm"), Options{
			ProgressEvery: every,
			Progress: func(d time.Duration) {
				mu.Lock()
				calls = append(calls, d)
				mu.Unlock()
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := slices.Clone(calls)
		mu.Unlock()
		if len(got) == 0 || got[0] != 0 {
			t.Fatalf("every %v: calls %v, want a first call with 0", every, got)
		}
		if every == time.Hour && len(got) != 1 {
			t.Errorf("every hour: calls %v, want only the first", got)
		}
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Errorf("every %v: elapsed not increasing: %v", every, got)
			}
		}
	}
}
