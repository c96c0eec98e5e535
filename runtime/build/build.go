// Package build compiles a Go main package into a Wetware guest image entry
// point, as `ww build` does (system design §15.1): `go build` with
// GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 -trimpath (and -ldflags=-s -w unless
// debugging) to DIR/boot/main.wasm.
package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// Entrypoint is where Build writes the module inside DIR by default.
const Entrypoint = "boot/main.wasm"

// ErrNoToolchain is returned when neither WW_GO nor `go` on PATH names a
// Go toolchain.
var ErrNoToolchain = errors.New("go toolchain not found")

// Options tune Build. The zero value builds a stripped module.
type Options struct {
	// Debug keeps DWARF and symbols (--wasm-debug): no -ldflags=-s -w.
	Debug bool
	// Go is the go command; empty means $WW_GO, else `go` on PATH.
	Go string
	// Env is extra KEY=VALUE entries for the go command (after the
	// process environment, before the wasip1 settings).
	Env []string
	// Progress, if set, is called when go build starts (elapsed 0) and
	// then every ProgressEvery while it runs, on a goroutine of its own;
	// Build returns only after the last call has returned.
	Progress func(elapsed time.Duration)
	// ProgressEvery is the interval of Progress calls; 0 means 5 s.
	ProgressEvery time.Duration
}

// DefaultProgressEvery is the interval of Options.Progress calls when
// Options.ProgressEvery is 0: an info line every 5 s (system design §15.3).
const DefaultProgressEvery = 5 * time.Second

// Result describes a built module.
type Result struct {
	// Path is the written file.
	Path string
	// Size is its length in bytes.
	Size int
	// CID is the module's CIDv1 (raw, sha2-256), in base32.
	CID cid.Cid
}

// String is the line `ww build` prints: `built <path> (<N> bytes, <cid>)`.
func (r Result) String() string {
	return fmt.Sprintf("built %s (%d bytes, %s)", r.Path, r.Size, r.CID)
}

// GoCommand returns the go command Build uses: goCmd if set, else $WW_GO,
// else `go` on PATH, else ErrNoToolchain.
func GoCommand(goCmd string) (string, error) {
	if goCmd == "" {
		goCmd = os.Getenv("WW_GO")
	}
	if goCmd == "" {
		goCmd = "go"
	}
	p, err := exec.LookPath(goCmd)
	if err != nil {
		return "", ErrNoToolchain
	}
	return p, nil
}

// Build compiles the Go main package in dir to out (dir/boot/main.wasm if
// out is empty), creating out's directory. The go command's output is
// returned in the error if it fails.
func Build(ctx context.Context, dir, out string, opts Options) (Result, error) {
	gobin, err := GoCommand(opts.Go)
	if err != nil {
		return Result{}, err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return Result{}, err
	}
	if out == "" {
		out = filepath.Join(absDir, filepath.FromSlash(Entrypoint))
	}
	if out, err = filepath.Abs(out); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return Result{}, err
	}
	args := []string{"build", "-trimpath"}
	if !opts.Debug {
		args = append(args, "-ldflags=-s -w")
	}
	args = append(args, "-o", out, ".")
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = absDir
	cmd.Env = append(append(os.Environ(), opts.Env...), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	stop := reportProgress(opts)
	err = cmd.Run()
	stop()
	if err != nil {
		msg := strings.TrimSpace(buf.String())
		if msg == "" {
			return Result{}, fmt.Errorf("go build %s: %w", dir, err)
		}
		return Result{}, fmt.Errorf("go build %s: %w\n%s", dir, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return Result{}, err
	}
	return Result{Path: out, Size: len(data), CID: CID(data)}, nil
}

// reportProgress calls opts.Progress now and then every interval until
// the returned stop function is called; stop waits for a call under way.
func reportProgress(opts Options) (stop func()) {
	if opts.Progress == nil {
		return func() {}
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = DefaultProgressEvery
	}
	start := time.Now()
	opts.Progress(0)
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				opts.Progress(time.Since(start))
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// CID returns the CIDv1 (raw codec, sha2-256) of a module binary.
func CID(data []byte) cid.Cid {
	mh, err := multihash.Sum(data, multihash.SHA2_256, -1)
	if err != nil {
		panic(err) // sha2-256 is always available
	}
	return cid.NewCidV1(cid.Raw, mh)
}

// IsMainPackage reports whether dir holds the non-test Go files of a main
// package.
func IsMainPackage(dir string) bool {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, m, nil, parser.PackageClauseOnly)
		if err == nil && f.Name.Name == "main" {
			return true
		}
	}
	return false
}

// NeedsBuild reports whether dir is a Go main package without a built
// boot/main.wasm, i.e. a root layer `ww run` builds first (§12).
func NeedsBuild(dir string) bool {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return false
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(Entrypoint))); err == nil {
		return false
	}
	return IsMainPackage(dir)
}
