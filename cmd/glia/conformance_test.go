package main

import (
	"bytes"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/stdlib"
)

// A conformance case of testdata/conformance/glia-cases.txt (format in its
// header).
type confCase struct {
	name    string
	harness bool
	input   string
	stdout  []string
	want    string
}

func parseCases(t *testing.T, path string) []confCase {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []confCase
	var cur *confCase
	section := ""
	var buf []string
	flush := func() {}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			cases = append(cases, confCase{name: strings.TrimSpace(line[4:])})
			cur = &cases[len(cases)-1]
			section, buf = "input", nil
			flush = func() {}
		case cur == nil:
		case section == "input" && strings.TrimSpace(line) == ";; needs: harness" && len(buf) == 0:
			cur.harness = true
		case section == "input" && line == "--- stdout":
			cur.input = strings.Join(buf, "\n")
			section, buf = "stdout", nil
		case (section == "input" || section == "stdout") && line == "---":
			if section == "input" {
				cur.input = strings.Join(buf, "\n")
			} else {
				cur.stdout = buf
			}
			section, buf = "want", nil
		case section == "want":
			if cur.want == "" && line != "" {
				cur.want = line
			}
		default:
			buf = append(buf, line)
		}
	}
	return cases
}

// TestConformance runs every case of the corpus: plain cases exactly as
// `glia -e '<input>'` would, harness cases in a session holding the test
// capabilities the corpus header describes.
func TestConformance(t *testing.T) {
	cases := parseCases(t, "../../testdata/conformance/glia-cases.txt")
	if len(cases) < 500 {
		t.Fatalf("parsed only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr string
			var code int
			if c.harness {
				stdout, stderr, code = runHarness(c.input)
			} else {
				var o, e bytes.Buffer
				code = run([]string{"-e", c.input}, strings.NewReader(""), &o, &e)
				stdout, stderr = o.String(), e.String()
			}
			checkCase(t, c, stdout, stderr, code)
		})
	}
}

func checkCase(t *testing.T, c confCase, stdout, stderr string, code int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if stdout == "" {
		lines = nil
	}
	if strings.HasPrefix(c.want, "error: ") {
		want := strings.TrimPrefix(c.want, "error: ")
		if code == 0 || !strings.Contains(stderr, want) {
			t.Fatalf("input:\n%s\nwant error containing %q\ngot exit %d, stdout %q, stderr %q", c.input, want, code, stdout, stderr)
		}
		if len(c.stdout) > 0 && !equalLines(lines, c.stdout) {
			t.Fatalf("input:\n%s\nstdout %q, want %q", c.input, lines, c.stdout)
		}
		return
	}
	if code != 0 {
		t.Fatalf("input:\n%s\nwant %s\ngot exit %d, stderr %q", c.input, c.want, code, stderr)
	}
	if len(lines) == 0 {
		t.Fatalf("input:\n%s\nno output", c.input)
	}
	got := lines[len(lines)-1]
	if got != c.want && !sameUnordered(got, c.want) {
		t.Fatalf("input:\n%s\ngot  %s\nwant %s", c.input, got, c.want)
	}
	if !equalLines(lines[:len(lines)-1], c.stdout) {
		t.Fatalf("input:\n%s\nstdout %q, want %q", c.input, lines[:len(lines)-1], c.stdout)
	}
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sameUnordered compares map and set results without regard to order, as
// the corpus header allows: both sides are read and compared with =.
func sameUnordered(got, want string) bool {
	if !(strings.HasPrefix(want, "{") || strings.HasPrefix(want, "#{")) {
		return false
	}
	ip, err := stdlib.NewInterp(stdlib.Options{})
	if err != nil {
		return false
	}
	g, err1 := ip.ReadOne(got, "got")
	w, err2 := ip.ReadOne(want, "want")
	if err1 != nil || err2 != nil {
		return false
	}
	return value.Equal(g, w)
}

// runHarness evaluates input in a plain session with the corpus's test
// bindings, printing like glia -e.
func runHarness(input string) (string, string, int) {
	ip, err := stdlib.NewInterp(stdlib.Options{})
	if err != nil {
		return "", err.Error(), 1
	}
	var out, errb bytes.Buffer
	tw := &trackingWriter{w: &out}
	s := stdlib.NewSession(ip, tw, nil)
	defineHarness(s)
	v, err := s.EvalString(input, "<expr>")
	if err != nil {
		errb.WriteString(renderError(err, "<expr>", input))
		return out.String(), errb.String(), 1
	}
	if tw.last != '\n' && tw.n > 0 {
		out.WriteByte('\n')
	}
	out.WriteString(value.Repr(v) + "\n")
	return out.String(), "", 0
}

func defineHarness(s *eval.Session) {
	s.Define("cap-a", &value.Cap{Name: "exec", Schema: "cid-exec"})
	s.Define("cap-a2", &value.Cap{Name: "exec2", Schema: "cid-exec"})
	s.Define("cap-b", &value.Cap{Name: "ipfs", Schema: "cid-ipfs"})
	s.Define("blob", value.Bytes([]byte{1, 2, 3}))
	s.Define("schema-blob", value.Bytes([]byte{9, 9}))
	s.Define("probe", &value.Builtin{Name: "probe", Fn: func(_ value.Thread, args []value.Value) (value.Value, error) {
		return value.NewList(args...), nil
	}})
}

// TestConformanceCount keeps the corpus whole: the case names are unique.
func TestConformanceCount(t *testing.T) {
	cases := parseCases(t, "../../testdata/conformance/glia-cases.txt")
	names := make([]string, 0, len(cases))
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Errorf("duplicate case %s", c.name)
		}
		seen[c.name] = true
		names = append(names, c.name)
	}
	sort.Strings(names)
	if len(names) != 525 {
		t.Errorf("corpus has %d cases, want 525", len(names))
	}
}
