package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/repl"
)

func init() { runREPL = startREPL }

func startREPL(s *eval.Session, stdin io.Reader, stdout, stderr io.Writer) int {
	home := os.Getenv("WW_HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = filepath.Join(h, ".ww")
		}
	}
	hist := ""
	if home != "" && os.MkdirAll(home, 0o700) == nil {
		hist = filepath.Join(home, "history")
	}
	rc, ok := stdin.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(stdin)
	}
	return repl.Run(repl.Config{Eval: newSessionEvaluator(s), HistoryFile: hist, Stdin: rc, Stdout: stdout, Stderr: stderr})
}

// sessionEvaluator drives a plain session from the REPL (Glia spec 19.4).
type sessionEvaluator struct {
	s *eval.Session
}

func newSessionEvaluator(s *eval.Session) *sessionEvaluator {
	for _, n := range []string{"*1", "*2", "*3", "*e"} {
		s.Define(n, value.Nil)
	}
	return &sessionEvaluator{s: s}
}

func (e *sessionEvaluator) Prompts() (string, string) { return "glia> ", "...> " }

func (e *sessionEvaluator) Interrupt() { e.s.Interrupt() }

func (e *sessionEvaluator) Eval(src string, out, errOut io.Writer) *repl.Exit {
	s := e.s
	tw := &trackingWriter{w: out}
	s.SetOutput(tw)
	forms, err := s.Interp().Read(src, "<repl>")
	if err != nil {
		fmt.Fprintf(errOut, "error: %s\n", err.Error())
		return nil
	}
	for _, f := range forms {
		v, err := s.EvalTop(f)
		if tw.n > 0 && tw.last != '\n' {
			io.WriteString(out, "\n")
		}
		tw.n = 0
		if err != nil {
			var ex *eval.ExitError
			if errors.As(err, &ex) {
				return &repl.Exit{Code: ex.Code}
			}
			if ge, ok := err.(*value.Error); ok {
				s.Define("*e", ge.Val)
			}
			fmt.Fprintf(errOut, "error: %s\n", err.Error())
			continue
		}
		root := s.Root()
		get := func(n string) value.Value { v, _ := root.Lookup(n); return v.Val }
		s.Define("*3", get("*2"))
		s.Define("*2", get("*1"))
		s.Define("*1", v)
		fmt.Fprintln(out, value.Repr(v))
	}
	return nil
}

// Complete offers the session's root and core names and module aliases.
func (e *sessionEvaluator) Complete(prefix string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if strings.HasPrefix(n, prefix) && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, n := range e.s.Root().Names() {
		add(n)
	}
	for _, n := range e.s.Interp().Core().Names() {
		add(n)
	}
	for alias, ns := range e.s.Root().Aliases() {
		add(alias + "/")
		for _, n := range ns.Names() {
			add(alias + "/" + n)
		}
	}
	sort.Strings(out)
	return out
}
