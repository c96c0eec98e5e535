package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wetware/ww/runtime/internal/atomicfile"
)

// SourceKey returns a hex SHA-256 of everything `go build` reads to build
// the main package in dir as Build does: the go command's version and the
// settings that change its output (GOFLAGS, GOWASM, GOEXPERIMENT, Debug),
// and for every non-standard package in the dependency graph its import
// path, directory and the names and contents of its Go, assembly and
// embedded files, plus the go.mod of its module. Files under GOMODCACHE
// are immutable per module version, so there the directory (which names
// the version) stands for the contents.
func SourceKey(ctx context.Context, dir string, opts Options) (string, error) {
	gobin, err := GoCommand(opts.Go)
	if err != nil {
		return "", err
	}
	env := append(append(os.Environ(), opts.Env...), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	goOut := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, gobin, args...)
		cmd.Dir = dir
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go %s: %w\n%s", args[0], err, strings.TrimSpace(stderr.String()))
		}
		return out, nil
	}
	settings, err := goOut("env", "GOVERSION", "GOFLAGS", "GOWASM", "GOEXPERIMENT", "GOMODCACHE")
	if err != nil {
		return "", err
	}
	lines := strings.Split(string(settings), "\n")
	modCache := ""
	if len(lines) >= 5 && lines[4] != "" {
		modCache = filepath.Clean(lines[4]) + string(filepath.Separator)
	}
	const tmpl = `{{if not .Standard}}{{.ImportPath}}{{"\t"}}{{.Dir}}{{"\t"}}` +
		`{{join .GoFiles " "}} {{join .SFiles " "}} {{join .EmbedFiles " "}}{{"\t"}}{{with .Module}}{{.GoMod}}{{end}}{{"\n"}}{{end}}`
	list, err := goOut("list", "-deps", "-f", tmpl, ".")
	if err != nil {
		return "", err
	}

	h := sha256.New()
	fmt.Fprintf(h, "ww build v1\ndebug=%v\n%s\n", opts.Debug, settings)
	hashFile := func(path string) error {
		if modCache != "" && strings.HasPrefix(path, modCache) {
			fmt.Fprintf(h, "%s\n", path)
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\n", path)
		_, err = io.Copy(h, f)
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) != 4 {
			return "", fmt.Errorf("go list: unexpected line %q", line)
		}
		fmt.Fprintf(h, "%s\t%s\n", fields[0], fields[1])
		for _, name := range strings.Fields(fields[2]) {
			if err := hashFile(filepath.Join(fields[1], name)); err != nil {
				return "", err
			}
		}
		if fields[3] != "" {
			if err := hashFile(fields[3]); err != nil {
				return "", err
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Cached is Build through cacheDir (system design §12: `ww run` builds a
// Go main package mount once per source): if cacheDir holds the module of
// dir's SourceKey it is copied to out and hit is true; else dir is built
// to out and the module stored in cacheDir for the next time. out must be
// given. A source that cannot be keyed (go list fails) is built without
// the cache, so Build's error is reported.
func Cached(ctx context.Context, dir, out, cacheDir string, opts Options) (res Result, hit bool, err error) {
	key, kerr := SourceKey(ctx, dir, opts)
	if kerr != nil {
		res, err = Build(ctx, dir, out, opts)
		return res, false, err
	}
	entry := filepath.Join(cacheDir, key+".wasm")
	if data, err := os.ReadFile(entry); err == nil {
		if err := writeFile(out, data); err != nil {
			return Result{}, false, err
		}
		return Result{Path: out, Size: len(data), CID: CID(data)}, true, nil
	}
	if res, err = Build(ctx, dir, out, opts); err != nil {
		return res, false, err
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return res, false, err
	}
	// A failure to fill the cache only costs the next build.
	_ = writeFile(entry, data)
	return res, false, nil
}

// writeFile writes data to path atomically, creating the directory.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}
