package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wetware/ww/runtime/build"
	"github.com/wetware/ww/runtime/ipfs"
)

func writeFile(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPush: ww push adds an image directory to the data directory's
// blockstore, pins it and prints its CID (v0 by default, v1 on request);
// hidden files stay out; the directory must be an image; a held data
// directory is refused.
func TestPush(t *testing.T) {
	home := t.TempDir()
	img := t.TempDir()
	writeFile(t, filepath.Join(img, "boot", "main.wasm"), "\x00asm\x01\x00\x00\x00")
	writeFile(t, filepath.Join(img, "etc", "motd"), "hello\n")
	writeFile(t, filepath.Join(img, ".git", "HEAD"), "ref: main\n")

	r := runWW(t, "push", "--data-dir", home, img)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	v0 := strings.TrimSpace(r.stdout)
	if !regexp.MustCompile(`^Qm[1-9A-HJ-NP-Za-km-z]{44}$`).MatchString(v0) {
		t.Fatalf("stdout %q is not a CIDv0", r.stdout)
	}
	if !strings.Contains(r.stderr, "pushed") {
		t.Errorf("no final progress line on stderr: %q", r.stderr)
	}
	r = runWW(t, "push", "--data-dir", home, "--cid-version", "1", img)
	if v1 := strings.TrimSpace(r.stdout); r.code != 0 || !strings.HasPrefix(v1, "bafybei") {
		t.Fatalf("--cid-version 1: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}

	// The blocks and the pin are in the data directory.
	ctx := context.Background()
	n, err := ipfs.New(ctx, nil, ipfs.Config{DataDir: home})
	if err != nil {
		t.Fatal(err)
	}
	pinned, err := n.Pinned(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range pinned {
		found = found || c.String() == v0
	}
	if !found {
		t.Errorf("%s not pinned: %v", v0, pinned)
	}
	if got, err := n.Cat(ctx, "/ipfs/"+v0+"/etc/motd"); err != nil || string(got) != "hello\n" {
		t.Errorf("cat etc/motd = %q, %v", got, err)
	}
	if _, err := n.Cat(ctx, "/ipfs/"+v0+"/.git/HEAD"); err == nil {
		t.Error("the hidden .git directory was added")
	}

	// Held data directory: refused while open.
	unlock, err := lockDataDir(home)
	if err != nil {
		t.Fatal(err)
	}
	r = runWW(t, "push", "--data-dir", home, img)
	unlock()
	n.Close()
	if r.code != 1 || !strings.Contains(r.stderr, "data directory in use: "+home) {
		t.Errorf("held data dir: exit %d, stderr %q", r.code, r.stderr)
	}

	// Not an image.
	r = runWW(t, "push", "--data-dir", home, filepath.Join(img, "etc"))
	if r.code != 1 || !strings.Contains(r.stderr, "image has no boot/main.wasm") {
		t.Errorf("non-image: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestPushThenRun: ww run /ipfs/<cid> boots an image that ww push put in
// the data directory, running its init.d.
func TestPushThenRun(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "local")
	img := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := build.Build(ctx, filepath.Join("..", "..", "std", "kernel"), filepath.Join(img, "boot", "main.wasm"), build.Options{}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(img, "etc", "init.d", "10-hello.glia"), "(def pushed \"booted from /ipfs\")\n")
	home := t.TempDir()
	r := runWW(t, "push", "--data-dir", home, img)
	if r.code != 0 {
		t.Fatalf("push: exit %d: %s", r.code, r.stderr)
	}
	root := strings.TrimSpace(r.stdout)

	args := append([]string{"run", "--data-dir", home}, append(loopback, "/ipfs/"+root)...)
	rr := runWWIn(t, "pushed\n(fs read-str \"/etc/init.d/10-hello.glia\")\n", args...)
	if rr.code != 0 || !strings.Contains(rr.stdout, "\"booted from /ipfs\"\n") || !strings.Contains(rr.stdout, `(def pushed`) {
		t.Fatalf("run /ipfs/%s: exit %d\nstdout: %s\nstderr: %s", root, rr.code, rr.stdout, rr.stderr)
	}
}
