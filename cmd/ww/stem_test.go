package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"

	"github.com/wetware/ww/runtime/identity"
	"github.com/wetware/ww/runtime/stem"
	"github.com/wetware/ww/runtime/stem/anvil"
)

// fundedKey writes a new identity file and funds its address on ch.
func fundedKey(t *testing.T, ch *anvil.Chain) (string, *identity.Key) {
	t.Helper()
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "identity")
	if err := identity.Save(path, key, false); err != nil {
		t.Fatal(err)
	}
	ch.Fund(key.EthereumAddress())
	return path, key
}

func testHeadCID(s string) cid.Cid {
	h, _ := mh.Sum([]byte(s), mh.SHA2_256, -1)
	return cid.NewCidV1(cid.Raw, h)
}

var txLine = regexp.MustCompile(`^0x[0-9a-f]{64} (\d+)\n$`)

// TestPushStem: ww push --stem adds the image, sets it as the Atom's head
// (signed with the node key), prints only the CID on stdout and logs the
// transaction and seq on stderr; ww stem head then shows that CID.
func TestPushStem(t *testing.T) {
	ch := anvil.Start(t)
	keyFile, _ := fundedKey(t, ch)
	base := []string{"--rpc-url", ch.URL, "--identity", keyFile}
	r := runWW(t, append([]string{"stem", "deploy"}, base...)...)
	if r.code != 0 {
		t.Fatalf("deploy: exit %d, stderr %q", r.code, r.stderr)
	}
	withStem := append([]string{"--stem", strings.TrimSpace(r.stdout)}, base...)
	img := t.TempDir()
	writeFile(t, filepath.Join(img, "boot", "main.wasm"), "\x00asm\x01\x00\x00\x00")
	home := t.TempDir()

	r = runWW(t, append([]string{"push", "--data-dir", home, "--cid-version", "1", img}, withStem...)...)
	pushed := strings.TrimSuffix(r.stdout, "\n")
	if _, err := cid.Decode(pushed); r.code != 0 || err != nil {
		t.Fatalf("push --stem: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`stem head set.*tx=0x[0-9a-f]{64} seq=1`).MatchString(r.stderr) {
		t.Errorf("no tx/seq log on stderr: %q", r.stderr)
	}
	if r := runWW(t, append([]string{"stem", "head"}, withStem...)...); r.code != 0 || r.stdout != "1 "+pushed+"\n" {
		t.Fatalf("head after push: exit %d, stdout %q, want 1 %s", r.code, r.stdout, pushed)
	}

	// A bad --stem fails before anything is added.
	r = runWW(t, "push", "--data-dir", home, "--stem", "nope", img)
	if r.code != 1 || !strings.Contains(r.stderr, "--stem nope: not an address") || r.stdout != "" {
		t.Errorf("bad --stem: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestStemCmd: ww stem deploy / head / set against anvil, signed with the
// node key (§15.1).
func TestStemCmd(t *testing.T) {
	ch := anvil.Start(t)
	keyFile, key := fundedKey(t, ch)
	base := []string{"--rpc-url", ch.URL, "--identity", keyFile}
	initial := testHeadCID("initial")

	r := runWW(t, append([]string{"stem", "deploy", "--initial", initial.String()}, base...)...)
	if r.code != 0 || !common.IsHexAddress(strings.TrimSpace(r.stdout)) {
		t.Fatalf("deploy: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	addr := strings.TrimSpace(r.stdout)
	owner, err := stem.ReadOwner(context.Background(), ch.Client, common.HexToAddress(addr))
	if err != nil || owner != key.EthereumAddress() {
		t.Fatalf("owner %s (%v), node key %s", owner, err, key.EthereumAddress())
	}
	withStem := append([]string{"--stem", addr}, base...)

	if r := runWW(t, append([]string{"stem", "head"}, withStem...)...); r.code != 0 || r.stdout != "0 "+initial.String()+"\n" {
		t.Fatalf("head: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	next := testHeadCID("next")
	r = runWW(t, append([]string{"stem", "set", "/ipfs/" + next.String()}, withStem...)...)
	if m := txLine.FindStringSubmatch(r.stdout); r.code != 0 || m == nil || m[1] != "1" {
		t.Fatalf("set: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runWW(t, append([]string{"stem", "head"}, withStem...)...); r.stdout != "1 "+next.String()+"\n" {
		t.Fatalf("head after set: %q, stderr %q", r.stdout, r.stderr)
	}
	r = runWW(t, append([]string{"stem", "set", "0xc0ffee"}, withStem...)...)
	if m := txLine.FindStringSubmatch(r.stdout); r.code != 0 || m == nil || m[1] != "2" {
		t.Fatalf("set hex: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runWW(t, append([]string{"stem", "head"}, withStem...)...); r.stdout != "2 0xc0ffee\n" {
		t.Fatalf("head after hex set: %q", r.stdout)
	}

	// Errors: the same head again, another key, no identity, bad input.
	if r := runWW(t, append([]string{"stem", "set", "0xc0ffee"}, withStem...)...); r.code != 1 || !strings.Contains(r.stderr, "NoChange") {
		t.Errorf("same head: exit %d, stderr %q", r.code, r.stderr)
	}
	otherFile, _ := fundedKey(t, ch)
	if r := runWW(t, "stem", "set", "0x01", "--stem", addr, "--rpc-url", ch.URL, "--identity", otherFile); r.code != 1 || !strings.Contains(r.stderr, "NotOwner") {
		t.Errorf("other key: exit %d, stderr %q", r.code, r.stderr)
	}
	t.Setenv("WW_IDENTITY", "")
	if r := runWW(t, "stem", "set", "0x01", "--stem", addr, "--rpc-url", ch.URL); r.code != 1 || !strings.Contains(r.stderr, "no identity") {
		t.Errorf("no identity: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runWW(t, append([]string{"stem", "set", "not-a-cid"}, withStem...)...); r.code != 1 || !strings.Contains(r.stderr, "not a CID") {
		t.Errorf("bad head: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runWW(t, "stem", "head", "--rpc-url", ch.URL); r.code != 1 || !strings.Contains(r.stderr, "--stem is required") {
		t.Errorf("no --stem: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestRunStemKernel is §18.5.5 through the CLI: `ww run --stem <addr>
// --confirmation-depth 2` runs std/kernel on anvil with an image CID (from
// `ww push`) as head, which is the base layer; after setHead to a second
// image and two more blocks, (epoch) reads seq 1, a host captured before
// the advance is revoked, the rebound host works and the second image is
// visible.
func TestRunStemKernel(t *testing.T) {
	kernel := filepath.Join("..", "..", "std", "kernel")
	if _, err := os.Stat(filepath.Join(kernel, "main.go")); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	t.Setenv("WW_HOME", home)
	t.Setenv("WW_LOG", "warn")
	t.Setenv("GOTOOLCHAIN", "local")
	// Two stem head images, pushed to the node's blockstore: the root
	// layer (the kernel) supplies boot/main.wasm, the head /lib/v.txt.
	var heads []cid.Cid
	for _, v := range []string{"A", "B"} {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "boot"), 0o755)
		os.MkdirAll(filepath.Join(dir, "lib"), 0o755)
		os.WriteFile(filepath.Join(dir, "boot", "main.wasm"), []byte("unused"), 0o644)
		os.WriteFile(filepath.Join(dir, "lib", "v.txt"), []byte(v), 0o644)
		var o, e syncBuffer
		if code := run([]string{"push", dir}, strings.NewReader(""), &o, &e); code != 0 {
			t.Fatalf("push: exit %d: %s", code, e.String())
		}
		c, err := cid.Decode(strings.TrimSpace(o.String()))
		if err != nil {
			t.Fatalf("push printed %q: %v", o.String(), err)
		}
		heads = append(heads, c)
	}

	ch := anvil.Start(t)
	w := &stem.Writer{Backend: ch.Client, Key: anvil.DevKey(t)}
	ctx := context.Background()
	addr, tx, err := w.Deploy(ctx, heads[0].Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stem.WaitMined(ctx, ch.Client, tx, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ch.Mine(2) // the initial head is K deep when the node starts
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "identity")
	if err := identity.Save(keyFile, key, false); err != nil {
		t.Fatal(err)
	}

	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdinW.Close()
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		args := append([]string{"run", "--identity", keyFile, "--stem", addr.Hex(), "--rpc-url", ch.URL,
			"--ws-url", ch.WSURL, "--confirmation-depth", "2"}, append(loopback, kernel)...)
		done <- run(args, stdinR, out, errb)
		stdinR.Close()
	}()
	waitOut := func(want string) {
		t.Helper()
		deadline := time.After(3 * time.Minute)
		for !strings.Contains(out.String(), want) {
			select {
			case code := <-done:
				t.Fatalf("exited %d waiting for %q\nstdout: %s\nstderr: %s", code, want, out.String(), errb.String())
			case <-deadline:
				t.Fatalf("no %q\nstdout: %s\nstderr: %s", want, out.String(), errb.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	stdinW.WriteString("(def h host)\n[:before (h id) (:seq (epoch))]\n[:image (fs read-str \"/lib/v.txt\")]\n")
	waitOut("[:image \"A\"]")

	tx, err = w.SetHead(ctx, addr, heads[1].Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stem.WaitMined(ctx, ch.Client, tx, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ch.Mine(2)
	// The advance reaches the kernel asynchronously: ask until it shows.
	for i := 0; !strings.Contains(out.String(), "[:seq 1]"); i++ {
		stdinW.WriteString("[:seq (:seq (epoch))]\n")
		select {
		case code := <-done:
			t.Fatalf("exited %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
		case <-time.After(200 * time.Millisecond):
		}
		if i > 900 {
			t.Fatalf("epoch never advanced\nstdout: %s\nstderr: %s", out.String(), errb.String())
		}
	}
	stdinW.WriteString("(h id)\n[:after (host id)]\n[:image (fs read-str \"/lib/v.txt\")]\n")
	stdinW.Close()
	var code int
	select {
	case code = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("ww run did not exit at the end of stdin")
	}
	if code != 1 {
		t.Errorf("exit %d, want 1 (one failed form)", code)
	}
	// §7.4: a value captured before the advance fails as epoch-expired.
	if e := errb.String(); !strings.Contains(e, "[glia.error/epoch-expired] epoch expired for cap 'host'") {
		t.Errorf("captured host did not fail with epoch-expired\nstderr: %s", e)
	}
	before := regexp.MustCompile(`\[:before (\S+) 0\]`).FindStringSubmatch(out.String())
	after := regexp.MustCompile(`\[:after (\S+)\]`).FindStringSubmatch(out.String())
	if before == nil || after == nil || before[1] != after[1] {
		t.Errorf("host id before %v and after %v the advance\nstdout: %s", before, after, out.String())
	}
	if !strings.Contains(out.String(), "[:image \"B\"]") {
		t.Errorf("the new head's image is not visible\nstdout: %s\nstderr: %s", out.String(), errb.String())
	}
}
