package capnp_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestGeneratedCodeUpToDate regenerates the Go code with gen.sh into a
// temporary directory and compares it with the committed files.
func TestGeneratedCodeUpToDate(t *testing.T) {
	if _, err := exec.LookPath("capnp"); err != nil {
		// Like the chain tests (design 18): skipped where the tool is
		// absent, mandatory in CI, which installs it and sets
		// WW_REQUIRE_CAPNP=1.
		msg := "capnp compiler not on PATH: install Debian's capnproto (apt-get install -y capnproto)"
		if os.Getenv("WW_REQUIRE_CAPNP") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash not on PATH: gen.sh needs it")
	}

	tmp := t.TempDir()
	cmd := exec.Command(bash, "gen.sh", tmp)
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen.sh %s: %v\n%s", tmp, err, out)
	}

	committed := generatedFiles(t, ".")
	regenerated := generatedFiles(t, tmp)
	if len(regenerated) == 0 {
		t.Fatal("gen.sh produced no *.capnp.go files")
	}

	var problems []string
	for _, rel := range union(committed, regenerated) {
		_, inRepo := committed[rel]
		_, inGen := regenerated[rel]
		switch {
		case !inRepo:
			problems = append(problems, rel+": generated but not committed")
		case !inGen:
			problems = append(problems, rel+": committed but no longer generated")
		default:
			want, err := os.ReadFile(filepath.Join(tmp, rel))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(rel)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				problems = append(problems, rel+": "+diffSummary(got, want))
			}
		}
	}
	if len(problems) > 0 {
		t.Fatalf("generated code is out of date with the schemas; run `go generate ./capnp` "+
			"(capnp/gen.sh) and commit the result:\n\t%s", strings.Join(problems, "\n\t"))
	}
}

// generatedFiles returns the set of <pkg>/<name>.capnp.go paths under dir,
// relative to dir.
func generatedFiles(t *testing.T, dir string) map[string]struct{} {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*", "*.capnp.go"))
	if err != nil {
		t.Fatal(err)
	}
	set := make(map[string]struct{}, len(matches))
	for _, m := range matches {
		rel, err := filepath.Rel(dir, m)
		if err != nil {
			t.Fatal(err)
		}
		set[filepath.ToSlash(rel)] = struct{}{}
	}
	return set
}

func union(a, b map[string]struct{}) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// diffSummary describes how the committed text differs from the
// regenerated one: line counts, how many lines differ position by
// position, and the first difference.
func diffSummary(committed, regenerated []byte) string {
	a := strings.Split(string(committed), "\n")
	b := strings.Split(string(regenerated), "\n")
	first, changed := -1, 0
	for i := 0; i < max(len(a), len(b)); i++ {
		var la, lb string
		if i < len(a) {
			la = a[i]
		}
		if i < len(b) {
			lb = b[i]
		}
		if i >= len(a) || i >= len(b) || la != lb {
			changed++
			if first < 0 {
				first = i
			}
		}
	}
	line := func(lines []string, i int) string {
		if i < len(lines) {
			return fmt.Sprintf("%q", trim(lines[i]))
		}
		return "<end of file>"
	}
	return fmt.Sprintf("differs (committed %d lines, regenerated %d; %d lines differ); first at line %d:\n\t\tcommitted:   %s\n\t\tregenerated: %s",
		len(a), len(b), changed, first+1, line(a, first), line(b, first))
}

func trim(s string) string {
	const n = 120
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
