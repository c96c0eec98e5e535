package image

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// mk creates a directory tree in a new temporary directory and returns its
// path. Keys are slash-separated paths; a key ending in "/" is a directory;
// a value starting with "->" makes a symbolic link to the rest.
func mk(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, v := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(v, "->"); ok {
			err = os.Symlink(filepath.FromSlash(target), p)
		} else {
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// bootLayer is a root layer holding only the entrypoint.
func bootLayer(t *testing.T) string {
	return mk(t, map[string]string{"boot/main.wasm": "wasm"})
}

func build(t *testing.T, opts Options, args ...string) (*Image, error) {
	t.Helper()
	ms, err := ParseMounts(args)
	if err != nil {
		t.Fatalf("ParseMounts(%q): %v", args, err)
	}
	im, err := Build(context.Background(), ms, opts)
	if err == nil {
		t.Cleanup(func() { im.Close() })
	}
	return im, err
}

func mustBuild(t *testing.T, args ...string) *Image {
	t.Helper()
	im, err := build(t, Options{}, args...)
	if err != nil {
		t.Fatalf("Build(%q): %v", args, err)
	}
	return im
}

// ls lists a directory, marking directories with a trailing "/".
func ls(t *testing.T, im *Image, name string) []string {
	t.Helper()
	ents, err := im.ReadDir(name)
	if err != nil {
		t.Fatalf("ReadDir(%q): %v", name, err)
	}
	out := []string{}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		out = append(out, n)
	}
	return out
}

// want describes the expected image: file contents, directory listings
// (as ls gives them) and names that must not exist.
type want struct {
	files   map[string]string
	dirs    map[string][]string
	missing []string
}

func (w want) check(t *testing.T, im *Image) {
	t.Helper()
	for name, content := range w.files {
		b, err := im.ReadFile(name)
		if err != nil || string(b) != content {
			t.Errorf("ReadFile(%q) = %q, %v; want %q", name, b, err, content)
		}
		f, err := im.Open(name)
		if err != nil {
			t.Errorf("Open(%q): %v", name, err)
			continue
		}
		b, err = io.ReadAll(f)
		f.Close()
		if err != nil || string(b) != content {
			t.Errorf("Open(%q) reads %q, %v; want %q", name, b, err, content)
		}
	}
	for name, entries := range w.dirs {
		if got := ls(t, im, name); !reflect.DeepEqual(got, entries) {
			t.Errorf("ReadDir(%q) = %q; want %q", name, got, entries)
		}
	}
	for _, name := range w.missing {
		if _, err := im.Stat(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%q): %v; want not exist", name, err)
		}
		if _, err := im.Open(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q): %v; want not exist", name, err)
		}
		if _, err := im.ReadFile(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ReadFile(%q): %v; want not exist", name, err)
		}
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name   string
		layers []map[string]string // root layers, in argument order
		want   want
	}{
		{
			name: "later wins",
			layers: []map[string]string{
				{"etc/f": "one", "etc/only1": "1"},
				{"etc/f": "two"},
				{"etc/f": "three", "etc/only3": "3"},
			},
			want: want{
				files: map[string]string{"etc/f": "three", "etc/only1": "1", "etc/only3": "3"},
				dirs:  map[string][]string{"etc": {"f", "only1", "only3"}},
			},
		},
		{
			name: "directories union",
			layers: []map[string]string{
				{"lib/a.glia": "a", "lib/sub/x": "x", "bin/one": "1"},
				{"lib/b.glia": "b", "lib/sub/y": "y", "svc/": ""},
			},
			want: want{
				files: map[string]string{"lib/a.glia": "a", "lib/b.glia": "b", "lib/sub/x": "x", "lib/sub/y": "y", "bin/one": "1"},
				dirs: map[string][]string{
					".":       {"bin/", "boot/", "lib/", "svc/"},
					"lib":     {"a.glia", "b.glia", "sub/"},
					"lib/sub": {"x", "y"},
					"svc":     {},
				},
			},
		},
		{
			name: "a later file hides an earlier directory",
			layers: []map[string]string{
				{"opt/d/x": "x", "opt/d/sub/y": "y"},
				{"opt/d": "file"},
			},
			want: want{
				files:   map[string]string{"opt/d": "file"},
				dirs:    map[string][]string{"opt": {"d"}},
				missing: []string{"opt/d/x", "opt/d/sub", "opt/d/sub/y"},
			},
		},
		{
			name: "a later directory hides an earlier file",
			layers: []map[string]string{
				{"opt/d": "file"},
				{"opt/d/x": "x"},
			},
			want: want{
				files: map[string]string{"opt/d/x": "x"},
				dirs:  map[string][]string{"opt": {"d/"}, "opt/d": {"x"}},
			},
		},
		{
			name: "a file between directories cuts the union",
			layers: []map[string]string{
				{"opt/d/below": "b"},
				{"opt/d": "file"},
				{"opt/d/above": "a"},
			},
			want: want{
				files:   map[string]string{"opt/d/above": "a"},
				dirs:    map[string][]string{"opt/d": {"above"}},
				missing: []string{"opt/d/below"},
			},
		},
		{
			name: "a layer without the name does not cut the union",
			layers: []map[string]string{
				{"opt/d/below": "b"},
				{"other": "o"},
				{"opt/d/above": "a"},
			},
			want: want{
				files: map[string]string{"opt/d/above": "a", "opt/d/below": "b", "other": "o"},
				dirs:  map[string][]string{"opt/d": {"above", "below"}},
			},
		},
		{
			name: "a hidden directory's subtree stays hidden under a new directory",
			layers: []map[string]string{
				{"a/b/old": "old"},
				{"a": "file"},
				{"a/b/new": "new"},
			},
			want: want{
				files:   map[string]string{"a/b/new": "new"},
				dirs:    map[string][]string{"a/b": {"new"}},
				missing: []string{"a/b/old"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{bootLayer(t)}
			for _, l := range tt.layers {
				args = append(args, mk(t, l))
			}
			tt.want.check(t, mustBuild(t, args...))
		})
	}
}

func TestTargetedMounts(t *testing.T) {
	roots := func(t *testing.T) []string {
		return []string{bootLayer(t), mk(t, map[string]string{
			"etc/conf":      "root",
			"etc/keep":      "keep",
			"lib/x.glia":    "x",
			"opt/dir/inner": "inner",
			"opt/file":      "root file",
		})}
	}
	tests := []struct {
		name    string
		mounts  func(t *testing.T) []string // targeted mount arguments
		before  bool                        // put them before the root layers
		want    want
		wantErr string
	}{
		{
			name: "file mount replaces a root file, even when given first",
			mounts: func(t *testing.T) []string {
				d := mk(t, map[string]string{"my.conf": "mounted"})
				return []string{filepath.Join(d, "my.conf") + ":/etc/conf"}
			},
			before: true,
			want: want{
				files: map[string]string{"etc/conf": "mounted", "etc/keep": "keep"},
				dirs:  map[string][]string{"etc": {"conf", "keep"}},
			},
		},
		{
			name: "file mount creates its ancestors",
			mounts: func(t *testing.T) []string {
				d := mk(t, map[string]string{"f": "deep"})
				return []string{filepath.Join(d, "f") + ":/new/deep/f.txt"}
			},
			want: want{
				files: map[string]string{"new/deep/f.txt": "deep"},
				dirs: map[string][]string{
					".":        {"boot/", "etc/", "lib/", "new/", "opt/"},
					"new":      {"deep/"},
					"new/deep": {"f.txt"},
				},
			},
		},
		{
			name: "file mount hides a root directory",
			mounts: func(t *testing.T) []string {
				d := mk(t, map[string]string{"f": "now a file"})
				return []string{filepath.Join(d, "f") + ":/opt/dir"}
			},
			want: want{
				files:   map[string]string{"opt/dir": "now a file"},
				dirs:    map[string][]string{"opt": {"dir", "file"}},
				missing: []string{"opt/dir/inner"},
			},
		},
		{
			name: "file mount under a root file turns it into a directory",
			mounts: func(t *testing.T) []string {
				d := mk(t, map[string]string{"f": "below"})
				return []string{filepath.Join(d, "f") + ":/opt/file/x"}
			},
			want: want{
				files: map[string]string{"opt/file/x": "below"},
				dirs:  map[string][]string{"opt": {"dir/", "file/"}, "opt/file": {"x"}},
			},
		},
		{
			name: "directory mount unions with a root directory",
			mounts: func(t *testing.T) []string {
				return []string{mk(t, map[string]string{"y.glia": "y", "x.glia": "mounted x"}) + ":/lib"}
			},
			before: true,
			want: want{
				files: map[string]string{"lib/x.glia": "mounted x", "lib/y.glia": "y"},
				dirs:  map[string][]string{"lib": {"x.glia", "y.glia"}},
			},
		},
		{
			name: "directory mount hides a root file",
			mounts: func(t *testing.T) []string {
				return []string{mk(t, map[string]string{"a": "a"}) + ":/opt/file"}
			},
			want: want{
				files: map[string]string{"opt/file/a": "a"},
				dirs:  map[string][]string{"opt": {"dir/", "file/"}, "opt/file": {"a"}},
			},
		},
		{
			name: "directory mount at the root applies after root layers",
			mounts: func(t *testing.T) []string {
				return []string{mk(t, map[string]string{"etc/conf": "over", "extra": "e"}) + ":/"}
			},
			before: true,
			want: want{
				files: map[string]string{"etc/conf": "over", "etc/keep": "keep", "extra": "e"},
				dirs:  map[string][]string{".": {"boot/", "etc/", "extra", "lib/", "opt/"}},
			},
		},
		{
			name: "targeted mounts apply in argument order",
			mounts: func(t *testing.T) []string {
				d := mk(t, map[string]string{"first": "first", "second": "second"})
				return []string{
					filepath.Join(d, "first") + ":/etc/conf",
					filepath.Join(d, "second") + ":/etc/conf",
				}
			},
			want: want{files: map[string]string{"etc/conf": "second"}},
		},
		{
			name: "a later targeted directory over an earlier targeted file",
			mounts: func(t *testing.T) []string {
				d := mk(t, map[string]string{"f": "f", "dir/g": "g"})
				return []string{
					filepath.Join(d, "f") + ":/m",
					filepath.Join(d, "dir") + ":/m",
				}
			},
			want: want{files: map[string]string{"m/g": "g"}, dirs: map[string][]string{"m": {"g"}}},
		},
		{
			name: "entrypoint from a file mount",
			mounts: func(t *testing.T) []string {
				d := mk(t, map[string]string{"kernel.wasm": "kernel"})
				return []string{filepath.Join(d, "kernel.wasm") + ":/boot/main.wasm"}
			},
			want: want{files: map[string]string{"boot/main.wasm": "kernel"}},
		},
		{
			name: "a file cannot be mounted at /",
			mounts: func(t *testing.T) []string {
				d := mk(t, map[string]string{"f": "f"})
				return []string{filepath.Join(d, "f") + ":/"}
			},
			wantErr: "cannot mount a file at /: ",
		},
		{
			name: "missing targeted source",
			mounts: func(t *testing.T) []string {
				return []string{filepath.Join(t.TempDir(), "nope") + ":/x"}
			},
			wantErr: "mount source not found: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := roots(t)
			if tt.before {
				args = append(tt.mounts(t), args...)
			} else {
				args = append(args, tt.mounts(t)...)
			}
			im, err := build(t, Options{}, args...)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("Build: %v; want error starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			tt.want.check(t, im)
		})
	}
}

func TestSources(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	file := filepath.Join(mk(t, map[string]string{"f": "f"}), "f")
	tests := []struct {
		name    string
		args    []string
		opts    Options
		wantErr string
	}{
		{name: "missing root layer", args: []string{missing}, wantErr: "mount source not found: " + missing},
		{name: "root layer is a file", args: []string{file}, wantErr: "root layer is not a directory: " + file},
		{name: "ipfs root layer", args: []string{"/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"}, wantErr: "ipfs mounts need an IPFS node"},
		{name: "ipfs targeted mount", args: []string{"/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o:/etc/hello"}, wantErr: "ipfs mounts need an IPFS node"},
		{name: "ipns layer", args: []string{"/ipns/example.com/sub"}, wantErr: "ipfs mounts need an IPFS node"},
		{name: "ipfs base layer", opts: Options{Base: "/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"}, wantErr: "ipfs mounts need an IPFS node"},
		{name: "local base layer", opts: Options{Base: "/tmp"}, wantErr: "base layer must be an IPFS path: /tmp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{bootLayer(t)}, tt.args...)
			_, err := build(t, tt.opts, args...)
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("Build: %v; want %q", err, tt.wantErr)
			}
			if tt.wantErr == "ipfs mounts need an IPFS node" && !errors.Is(err, ErrNoIPFS) {
				t.Fatalf("errors.Is(%v, ErrNoIPFS) = false", err)
			}
		})
	}
}

func TestDefaultMountIsCurrentDirectory(t *testing.T) {
	t.Chdir(mk(t, map[string]string{"boot/main.wasm": "here"}))
	im := mustBuild(t) // no arguments
	want{files: map[string]string{"boot/main.wasm": "here"}}.check(t, im)
}

func TestHomeExpansion(t *testing.T) {
	home := mk(t, map[string]string{"img/boot/main.wasm": "home"})
	t.Setenv("HOME", home)
	im, err := build(t, Options{}, "~/img")
	if err != nil {
		t.Fatal(err)
	}
	want{files: map[string]string{"boot/main.wasm": "home"}}.check(t, im)
}

func TestEntrypoint(t *testing.T) {
	const hint = "image has no boot/main.wasm (hint: bin/main.wasm exists; the entrypoint is boot/main.wasm, bin/ holds PATH commands)"
	tests := []struct {
		name    string
		layer   map[string]string
		wantErr string
	}{
		{name: "present", layer: map[string]string{"boot/main.wasm": "w"}},
		{name: "present through an inner link", layer: map[string]string{"boot/main.wasm": "->../k.wasm", "k.wasm": "w"}},
		{name: "empty image", layer: map[string]string{"etc/": ""}, wantErr: "image has no boot/main.wasm"},
		{name: "only bin/main.wasm", layer: map[string]string{"bin/main.wasm": "w"}, wantErr: hint},
		{name: "boot/main.wasm is a directory", layer: map[string]string{"boot/main.wasm/x": "w"}, wantErr: "image has no boot/main.wasm"},
		{name: "boot/main.wasm escapes", layer: map[string]string{"boot/main.wasm": "->../../outside"}, wantErr: "image has no boot/main.wasm"},
		{name: "bin/main.wasm is a directory", layer: map[string]string{"bin/main.wasm/": ""}, wantErr: "image has no boot/main.wasm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, Options{}, mk(t, tt.layer))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Build: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrNoEntrypoint) {
				t.Fatalf("Build: %v; want %q matching ErrNoEntrypoint", err, tt.wantErr)
			}
		})
	}
	t.Run("a later layer supplies it", func(t *testing.T) {
		mustBuild(t, mk(t, map[string]string{"bin/main.wasm": "w"}), bootLayer(t))
	})
	t.Run("a later file hides the boot directory", func(t *testing.T) {
		_, err := build(t, Options{}, bootLayer(t), mk(t, map[string]string{"boot": "file"}))
		if !errors.Is(err, ErrNoEntrypoint) {
			t.Fatalf("Build: %v; want ErrNoEntrypoint", err)
		}
	})
}

func TestSymlinks(t *testing.T) {
	outside := mk(t, map[string]string{"secret": "host secret", "dir/s": "s"})
	layer := mk(t, map[string]string{
		"boot/main.wasm":  "w",
		"data/file":       "data",
		"data/sub/deep":   "deep",
		"in/file":         "->../data/file",
		"in/dir":          "->../data/sub",
		"in/chain":        "->file",
		"in/updown":       "->../in/../data/file",
		"out/up":          "->../..",
		"out/abs":         "->" + filepath.Join(outside, "secret"),
		"out/absdir":      "->" + filepath.Join(outside, "dir"),
		"out/absinside":   "->/boot/main.wasm",
		"out/loop":        "->loop",
		"out/dangling":    "->nothing",
		"out/updir":       "->..",
		"plain/untouched": "u",
	})
	// Point the relative escape at outside's secret, wherever the two
	// temporary directories are.
	rel, err := filepath.Rel(filepath.Join(layer, "out"), filepath.Join(outside, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(rel, filepath.Join(layer, "out/rel")); err != nil {
		t.Fatal(err)
	}
	lower := mk(t, map[string]string{"out/rel": "lower", "out/dangling": "lower dangling"})
	im := mustBuild(t, lower, layer)

	want{
		files: map[string]string{
			"in/file":      "data",
			"in/dir/deep":  "deep",
			"in/chain":     "data",
			"in/updown":    "data",
			"out/dangling": "lower dangling",
		},
		dirs: map[string][]string{
			"in":     {"chain", "dir/", "file", "updown"},
			"in/dir": {"deep"},
			// Refused names are not listed, and hide the lower out/rel.
			"out": {"dangling", "updir/"},
		},
	}.check(t, im)

	for _, name := range []string{"out/rel", "out/up", "out/up/secret", "out/abs", "out/absdir", "out/absdir/s", "out/absinside"} {
		t.Run(name, func(t *testing.T) {
			_, errs := im.Stat(name)
			_, erro := im.Open(name)
			_, errr := im.ReadFile(name)
			for _, err := range []error{errs, erro, errr} {
				var pe *fs.PathError
				if !errors.Is(err, ErrSymlinkEscape) || !errors.Is(err, fs.ErrPermission) || !errors.As(err, &pe) || pe.Path != name {
					t.Errorf("%v; want a PathError for %q matching ErrSymlinkEscape and fs.ErrPermission", err, name)
				}
			}
		})
	}
	if _, err := im.Stat("out/rel"); err == nil || err.Error() != "stat out/rel: symlink escapes its layer" {
		t.Errorf("Stat(out/rel) = %v; want %q", err, "stat out/rel: symlink escapes its layer")
	}
	if _, err := im.Stat("out/loop"); err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(out/loop) = %v; want a refusal", err)
	}
	// out/updir points at the layer root: inside, so followed.
	if got := ls(t, im, "out/updir"); !reflect.DeepEqual(got, []string{"boot/", "data/", "in/", "out/", "plain/"}) {
		t.Errorf("ReadDir(out/updir) = %q", got)
	}
}

func TestSymlinkEscapeBelowADirectory(t *testing.T) {
	outside := mk(t, map[string]string{"s": "secret"})
	// The lower layer's d is an escaping link; the upper layer's d is a
	// directory. The union stops at the refusal instead of failing.
	lower := mk(t, map[string]string{"d": "->" + outside})
	upper := mk(t, map[string]string{"d/mine": "mine"})
	im := mustBuild(t, bootLayer(t), lower, upper)
	want{
		files:   map[string]string{"d/mine": "mine"},
		dirs:    map[string][]string{"d": {"mine"}},
		missing: []string{"d/s"},
	}.check(t, im)
}

func TestSourcePathLinksAreFollowed(t *testing.T) {
	// The source path given on the command line is the user's choice:
	// a link there is resolved on the host, and the layer is its target.
	target := mk(t, map[string]string{"boot/main.wasm": "via link"})
	link := filepath.Join(t.TempDir(), "img")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	keyDir := mk(t, map[string]string{"real.conf": "conf"})
	confLink := filepath.Join(t.TempDir(), "conf")
	if err := os.Symlink(filepath.Join(keyDir, "real.conf"), confLink); err != nil {
		t.Fatal(err)
	}
	im := mustBuild(t, link, confLink+":/etc/app.conf")
	want{
		files: map[string]string{"boot/main.wasm": "via link", "etc/app.conf": "conf"},
		dirs:  map[string][]string{"etc": {"app.conf"}},
	}.check(t, im)
	fi, err := im.Stat("etc/app.conf")
	if err != nil || fi.Name() != "app.conf" {
		t.Fatalf("Stat(etc/app.conf) = %v, %v; want the guest name", fi, err)
	}
}

func TestIdentity(t *testing.T) {
	keys := mk(t, map[string]string{"key": "secret key", "other": "other key", "dir/": ""})
	key, other := filepath.Join(keys, "key"), filepath.Join(keys, "other")
	layer := mk(t, map[string]string{
		"boot/main.wasm":   "w",
		"etc/identity":     "layer key",
		"etc/hosts":        "hosts",
		"etc/identity.bak": "not masked",
	})
	etcDir := mk(t, map[string]string{"identity/x": "dir form", "motd": "hi"})
	masked := []string{"etc/identity", "etc/identity/x"}
	tests := []struct {
		name    string
		args    []string
		opts    Options
		want    string // Identity()
		wantErr string
	}{
		{name: "no identity mount", args: []string{layer}},
		{name: "consumed", args: []string{layer, "" + key + ":/etc/identity"}, want: key},
		{name: "consumed when given first", args: []string{key + ":/etc/identity", layer}, want: key},
		{name: "target cleaned", args: []string{layer, key + ":/etc//identity/"}, want: key},
		{name: "last one wins", args: []string{layer, other + ":/etc/identity", key + ":/etc/identity"}, want: key},
		{name: "masked in a directory mounted at /etc", args: []string{layer, etcDir + ":/etc"}},
		{name: "conflicts with --identity", args: []string{layer, key + ":/etc/identity"}, opts: Options{IdentityFlag: other}, wantErr: "/etc/identity mount conflicts with --identity"},
		{name: "--identity alone", args: []string{layer}, opts: Options{IdentityFlag: other}},
		{name: "missing key", args: []string{layer, filepath.Join(keys, "nope") + ":/etc/identity"}, wantErr: "mount source not found: " + filepath.Join(keys, "nope")},
		{name: "a directory", args: []string{layer, filepath.Join(keys, "dir") + ":/etc/identity"}, wantErr: "/etc/identity mount must be a local file: " + filepath.Join(keys, "dir")},
		{name: "from ipfs", args: []string{layer, "/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o:/etc/identity"}, wantErr: "/etc/identity mount must be a local file: /ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := build(t, tt.opts, tt.args...)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Build: %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if im.Identity() != tt.want {
				t.Errorf("Identity() = %q; want %q", im.Identity(), tt.want)
			}
			want{missing: masked}.check(t, im)
			for _, e := range ls(t, im, "etc") {
				if e == "identity" || e == "identity/" {
					t.Errorf("ReadDir(etc) lists %q", e)
				}
			}
			// Nothing in the image holds a key's bytes.
			err = fs.WalkDir(im, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := im.ReadFile(p)
				if err != nil {
					return err
				}
				if s := string(b); s == "secret key" || s == "other key" || s == "layer key" || s == "dir form" {
					t.Errorf("%s holds key material %q", p, s)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("other etc files stay", func(t *testing.T) {
		im := mustBuild(t, layer, etcDir+":/etc", key+":/etc/identity")
		want{
			files: map[string]string{"etc/hosts": "hosts", "etc/identity.bak": "not masked", "etc/motd": "hi"},
			dirs:  map[string][]string{"etc": {"hosts", "identity.bak", "motd"}},
		}.check(t, im)
	})
}

func TestIdentityMount(t *testing.T) {
	key := filepath.Join(mk(t, map[string]string{"k": "k"}), "k")
	ms, err := ParseMounts([]string{"a", key + ":/etc/identity", "b:/x"})
	if err != nil {
		t.Fatal(err)
	}
	id, rest, err := IdentityMount(ms, "")
	if err != nil || id != key {
		t.Fatalf("IdentityMount = %q, %v; want %q", id, err, key)
	}
	if !reflect.DeepEqual(rest, []Mount{ms[0], ms[2]}) {
		t.Fatalf("rest = %+v", rest)
	}
	if _, _, err := IdentityMount(ms, "/some/key"); !errors.Is(err, ErrIdentityConflict) {
		t.Fatalf("IdentityMount with --identity: %v; want ErrIdentityConflict", err)
	}
}

func TestReservedDevWW(t *testing.T) {
	im := mustBuild(t, bootLayer(t), mk(t, map[string]string{"dev/ww/rpc": "fake", "dev/null": "n"}))
	want{
		files:   map[string]string{"dev/null": "n"},
		dirs:    map[string][]string{"dev": {"null"}},
		missing: []string{"dev/ww", "dev/ww/rpc"},
	}.check(t, im)
}

func TestReadOnly(t *testing.T) {
	im := mustBuild(t, mk(t, map[string]string{"boot/main.wasm": "0123456789"}))
	f, err := im.Open("boot/main.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := f.(io.Writer); ok {
		t.Error("open file is an io.Writer")
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode().Perm()&0o222 != 0 || fi.Name() != "main.wasm" || fi.Size() != 10 || fi.Sys() != nil {
		t.Errorf("Stat = %v, %v; want main.wasm, 10 bytes, no write bits, no Sys", fi, err)
	}
	b := make([]byte, 3)
	if n, err := f.(io.ReaderAt).ReadAt(b, 4); err != nil || string(b[:n]) != "456" {
		t.Errorf("ReadAt = %q, %v", b[:n], err)
	}
	d, err := im.Open("boot")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Read(b); err == nil {
		t.Error("Read on a directory succeeded")
	}
	if fi, _ := d.Stat(); fi.Mode().Perm()&0o222 != 0 || !fi.IsDir() {
		t.Errorf("directory mode %v", fi.Mode())
	}
	for _, name := range []string{"/boot/main.wasm", "boot/../boot", "", "boot/"} {
		if _, err := im.Open(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q): %v; want fs.ErrInvalid", name, err)
		}
	}
	if _, err := im.ReadFile("boot"); err == nil {
		t.Error("ReadFile on a directory succeeded")
	}
	if _, err := im.ReadDir("boot/main.wasm"); err == nil {
		t.Error("ReadDir on a file succeeded")
	}
	if _, err := im.Stat("boot/main.wasm/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat below a file: %v; want not exist", err)
	}
}

// TestFSContract runs the standard library's fs.FS checker over a merged
// image with every kind of layer.
func TestFSContract(t *testing.T) {
	outside := mk(t, map[string]string{"s": "s"})
	a := mk(t, map[string]string{
		"boot/main.wasm":          "w",
		"etc/identity":            "key",
		"lib/a":                   "a",
		"opt/d/x":                 "x",
		"svc/echo/boot/main.wasm": "echo",
	})
	b := mk(t, map[string]string{
		"lib/b":    "b",
		"opt/d":    "file",
		"link":     "->lib/b",
		"escape":   "->" + outside,
		"bin/ls":   "ls",
		"dev/ww/x": "x",
	})
	f := mk(t, map[string]string{"conf": "conf", "tree/t": "t"})
	im := mustBuild(t, a, b, filepath.Join(f, "conf")+":/etc/app/conf", filepath.Join(f, "tree")+":/lib")
	err := fstest.TestFS(im,
		"boot/main.wasm", "lib/a", "lib/b", "lib/t", "opt/d", "link",
		"svc/echo/boot/main.wasm", "bin/ls", "etc/app/conf")
	if err != nil {
		t.Fatal(err)
	}
	if got := ls(t, im, "."); !reflect.DeepEqual(got, []string{"bin/", "boot/", "dev/", "etc/", "lib/", "link", "opt/", "svc/"}) {
		t.Errorf("root = %q", got)
	}
}

func TestDirectoryPaging(t *testing.T) {
	im := mustBuild(t, bootLayer(t), mk(t, map[string]string{"d/a": "", "d/b": ""}), mk(t, map[string]string{"d/c": ""}))
	f, err := im.Open("d")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := f.(fs.ReadDirFile)
	var names []string
	for {
		ents, err := d.ReadDir(2)
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(names, []string{"a", "b", "c"}) {
		t.Fatalf("paged ReadDir = %q", names)
	}
}
