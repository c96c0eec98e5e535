package wasm_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// The test guests are Go programs under testdata/guests, built once per
// test run for GOOS=wasip1 GOARCH=wasm in a single go build invocation.
var guestNames = []string{"echo", "exitcode", "loop", "memhog", "sandbox", "flood", "spawner", "pollprobe", "rpcclient", "rpcserve", "rpcblock", "rpcepoch"}

var guests struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
	bins map[string][]byte
}

// TestMain removes the guests' build directory and the shared compile cache.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range []string{guests.dir, sharedCacheDir.dir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// guest returns the wasm binary of testdata/guests/<name>, building every
// guest the first time. A missing Go toolchain fails the test: nothing is
// skipped silently.
func guest(t testing.TB, name string) []byte {
	t.Helper()
	guests.once.Do(func() {
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(gobin); err != nil {
			if gobin, err = exec.LookPath("go"); err != nil {
				guests.err = err
				return
			}
		}
		guests.dir, guests.err = os.MkdirTemp("", "ww-wasm-guests-")
		if guests.err != nil {
			return
		}
		args := []string{"build", "-trimpath", "-o", guests.dir + string(filepath.Separator)}
		for _, n := range guestNames {
			args = append(args, "./testdata/guests/"+n)
		}
		cmd := exec.Command(gobin, args...)
		cmd.Dir = filepath.Join("..", "..") // the module root
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOTOOLCHAIN=local")
		if guests.out, guests.err = cmd.CombinedOutput(); guests.err != nil {
			return
		}
		guests.bins = make(map[string][]byte)
		for _, n := range guestNames {
			b, err := os.ReadFile(filepath.Join(guests.dir, n))
			if err != nil {
				guests.err = err
				return
			}
			guests.bins[n] = b
		}
	})
	if guests.err != nil {
		t.Fatalf("building test guests: %v\n%s", guests.err, guests.out)
	}
	b, ok := guests.bins[name]
	if !ok {
		t.Fatalf("no test guest %q", name)
	}
	return bytes.Clone(b)
}
