package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden runs the golden programs of testdata/golden. Each txtar file
// groups the cases of one spec section; a case is a NAME/main.glia file
// with NAME/stdout, NAME/stderr and NAME/exit beside it (absent means
// empty, and exit 0). Programs run as `glia -` with the program on standard
// input, exactly as the command does.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../../testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]*txtar.File{}
		var cases []string
		for i := range ar.Files {
			f := &ar.Files[i]
			byName[f.Name] = f
			if strings.HasSuffix(f.Name, "/main.glia") {
				cases = append(cases, strings.TrimSuffix(f.Name, "/main.glia"))
			}
		}
		changed := false
		section := strings.TrimSuffix(filepath.Base(file), ".txtar")
		for _, name := range cases {
			t.Run(section+"/"+name, func(t *testing.T) {
				var out, errb bytes.Buffer
				code := run([]string{"-"}, bytes.NewReader(byName[name+"/main.glia"].Data), &out, &errb)
				got := map[string]string{
					"stdout": out.String(),
					"stderr": errb.String(),
					"exit":   "",
				}
				if code != 0 {
					got["exit"] = strconv.Itoa(code) + "\n"
				}
				for _, part := range []string{"stdout", "stderr", "exit"} {
					want := ""
					if f := byName[name+"/"+part]; f != nil {
						want = string(f.Data)
					}
					if got[part] == want {
						continue
					}
					if *update {
						changed = true
						if f := byName[name+"/"+part]; f != nil {
							f.Data = []byte(got[part])
						} else {
							ar.Files = append(ar.Files, txtar.File{Name: name + "/" + part, Data: []byte(got[part])})
							byName[name+"/"+part] = &ar.Files[len(ar.Files)-1]
						}
						continue
					}
					t.Errorf("%s: got\n%s\nwant\n%s", part, got[part], want)
				}
			})
		}
		if changed {
			// Keep each case's files together, drop empty parts.
			var kept []txtar.File
			for _, f := range ar.Files {
				if len(f.Data) > 0 || strings.HasSuffix(f.Name, "/main.glia") {
					kept = append(kept, f)
				}
			}
			order := map[string]int{"main.glia": 0, "stdout": 1, "stderr": 2, "exit": 3}
			sort.SliceStable(kept, func(i, j int) bool {
				ci, pi, _ := strings.Cut(kept[i].Name, "/")
				cj, pj, _ := strings.Cut(kept[j].Name, "/")
				if ci != cj {
					return indexOf(cases, ci) < indexOf(cases, cj)
				}
				return order[pi] < order[pj]
			})
			ar.Files = kept
			if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return len(xs)
}

// TestGliaFiles runs the ww/test files of testdata/glia as scripts: each
// exits non-zero when one of its tests fails.
func TestGliaFiles(t *testing.T) {
	files, err := filepath.Glob("../../testdata/glia/*_test.glia")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Glia test files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{file}, strings.NewReader(""), &out, &errb)
			if code != 0 || !strings.Contains(out.String(), " passed, 0 failed") {
				t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
			}
		})
	}
}
