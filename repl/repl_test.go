package repl

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestIncomplete(t *testing.T) {
	for src, want := range map[string]bool{
		"(+ 1 2)":           false,
		"(+ 1":              true,
		"[1 {:a (":          true,
		`"abc`:              true,
		`"a\"b"`:            false,
		`"a\"`:              true,
		"(a ; comment )\n":  true,
		"(a ; comment )\n)": false,
		")":                 false,
		"#{1 2":             true,
		`(str "(")`:         false,
	} {
		if got := Incomplete(src); got != want {
			t.Errorf("Incomplete(%q) = %v, want %v", src, got, want)
		}
	}
}

// recorder is an Evaluator that records submissions.
type recorder struct{ got []string }

func (r *recorder) Eval(src string, out, _ io.Writer) *Exit {
	r.got = append(r.got, src)
	if src == "(exit 4)" {
		return &Exit{Code: 4}
	}
	io.WriteString(out, "ok\n")
	return nil
}
func (r *recorder) Interrupt()                {}
func (r *recorder) Complete(string) []string  { return nil }
func (r *recorder) Prompts() (string, string) { return "> ", ". " }

func TestPlainModeJoinsOpenForms(t *testing.T) {
	r := &recorder{}
	var out bytes.Buffer
	code := Run(Config{Eval: r, Stdin: io.NopCloser(strings.NewReader("(+ 1\n 2)\n\n(str \"(\")\n(exit 4)\n(never)\n")), Stdout: &out, Stderr: &out})
	if code != 4 {
		t.Fatalf("exit %d", code)
	}
	want := []string{"(+ 1\n 2)", `(str "(")`, "(exit 4)"}
	if strings.Join(r.got, "|") != strings.Join(want, "|") {
		t.Fatalf("submissions %q, want %q", r.got, want)
	}
	if out.String() != "ok\nok\n" {
		t.Fatalf("output %q", out.String())
	}
}

func TestCompleterCompletesSymbolBeforeCursor(t *testing.T) {
	c := completer{ev: completeFrom{"double-it", "do", "str/join", "str/split"}}
	line := []rune("(str/jo")
	got, n := c.Do(line, len(line))
	if n != len("str/jo") || len(got) != 1 || string(got[0]) != "in" {
		t.Fatalf("got %q, %d", got, n)
	}
}

type completeFrom []string

func (c completeFrom) Eval(string, io.Writer, io.Writer) *Exit { return nil }
func (c completeFrom) Interrupt()                              {}
func (c completeFrom) Prompts() (string, string)               { return "", "" }
func (c completeFrom) Complete(p string) []string {
	var out []string
	for _, n := range c {
		if strings.HasPrefix(n, p) {
			out = append(out, n)
		}
	}
	return out
}
