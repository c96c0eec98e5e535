//go:build unix

package image

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
)

// A named pipe in a local layer is not part of the image: it is neither
// listed nor opened (opening it could block the reader), and it does not
// hide what earlier layers have at its path.
func TestSpecialFilesAreSkipped(t *testing.T) {
	lower := mk(t, map[string]string{"boot/main.wasm": "w", "run/p": "lower"})
	upper := mk(t, map[string]string{"run/": "", "tmp/": ""})
	for _, p := range []string{"run/p", "tmp/q"} {
		if err := syscall.Mkfifo(filepath.Join(upper, p), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	im := mustBuild(t, lower, upper)
	want{
		files: map[string]string{"run/p": "lower"},
		dirs:  map[string][]string{"run": {"p"}, "tmp": {}},
	}.check(t, im)
	if _, err := im.Open("tmp/q"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(tmp/q): %v; want not exist", err)
	}
}
