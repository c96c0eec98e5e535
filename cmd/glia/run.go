package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/stdlib"
)

const version = "0.1.0"

const usage = `usage: glia [options] [FILE | -e EXPR | -] [ARG ...]

  glia FILE [ARG ...]   run the script FILE
  glia -e EXPR [ARG ...] evaluate EXPR and print the last value
  glia - [ARG ...]      run the program on standard input
  glia                  REPL on a terminal, else as glia -

options:
  -h, --help            show this help
  --version             print the version
`

// isTerminal is replaced in tests.
var isTerminal = func(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	fi, err := file.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// runREPL is set by repl.go.
var runREPL func(s *eval.Session, stdin io.Reader, stdout, stderr io.Writer) int

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	mode, src := "", ""
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-h" || a == "--help":
			io.WriteString(stdout, usage)
			return 0
		case a == "--version":
			fmt.Fprintf(stdout, "glia %s\n", version)
			return 0
		case a == "-e":
			if i+1 >= len(args) {
				io.WriteString(stderr, usage)
				return 2
			}
			mode, src = "expr", args[i+1]
			i += 2
		case a == "-":
			mode = "stdin"
			i++
		case a == "--":
			i++
			if i < len(args) {
				mode, src = "file", args[i]
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			fmt.Fprintf(stderr, "glia: unknown option %s\n", a)
			io.WriteString(stderr, usage)
			return 2
		default:
			mode, src = "file", a
			i++
		}
		if mode != "" {
			break
		}
	}
	progArgs := args[min(i, len(args)):]
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	ip, err := stdlib.NewInterp(stdlib.Options{Load: loadFile})
	if err != nil {
		fmt.Fprintf(stderr, "glia: prelude: %v\n", err)
		return 1
	}
	tw := &trackingWriter{w: out}
	s := stdlib.NewSession(ip, tw, progArgs)
	wd, _ := os.Getwd()
	s.Dir = wd

	switch mode {
	case "expr":
		return runSource(s, src, "<expr>", tw, out, stderr, true)
	case "file":
		b, err := os.ReadFile(src)
		if err != nil {
			fmt.Fprintf(stderr, "glia: %v\n", err)
			return 1
		}
		if abs, err := filepath.Abs(src); err == nil {
			s.Dir = filepath.Dir(abs)
		}
		return runSource(s, stripShebang(string(b)), src, tw, out, stderr, false)
	}
	if mode == "" && isTerminal(stdin) && runREPL != nil {
		out.Flush()
		return runREPL(s, stdin, stdout, stderr)
	}
	b, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "glia: %v\n", err)
		return 1
	}
	return runSource(s, stripShebang(string(b)), "<stdin>", tw, out, stderr, false)
}

func stripShebang(src string) string {
	if strings.HasPrefix(src, "#!") {
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			return src[i:]
		}
		return ""
	}
	return src
}

// runSource runs a whole program; with printLast the last value is printed.
func runSource(s *eval.Session, src, file string, tw *trackingWriter, out *bufio.Writer, stderr io.Writer, printLast bool) int {
	v, err := s.EvalString(src, file)
	if err != nil {
		var exit *eval.ExitError
		if errors.As(err, &exit) {
			return exit.Code
		}
		out.Flush()
		fmt.Fprintln(stderr, renderError(err, file, src))
		return 1
	}
	if printLast {
		if tw.last != '\n' && tw.n > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(value.Repr(v))
		out.WriteByte('\n')
	}
	return 0
}

// renderError is FILE:LINE:COL: [tag] message, then the source line with a
// caret when the error lies in src, then the Glia stack innermost first.
func renderError(err error, file, src string) string {
	if e, ok := err.(*value.Error); ok && e.Pos != nil {
		f := e.Pos.File
		if f == "" {
			f = file
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s:%d:%d: %s", f, e.Pos.Line, e.Pos.Col, e.Error())
		if f == file {
			if lines := strings.Split(src, "\n"); e.Pos.Line >= 1 && e.Pos.Line <= len(lines) {
				line := strings.TrimRight(lines[e.Pos.Line-1], "\r")
				num := fmt.Sprint(e.Pos.Line)
				fmt.Fprintf(&b, "\n %s | %s\n %s | %s^", num, line, strings.Repeat(" ", len(num)), caretPad(line, e.Pos.Col))
			}
		}
		// The Glia stack, innermost first.
		for _, p := range e.Trace {
			fmt.Fprintf(&b, "\n\tat %s:%d:%d", p.File, p.Line, p.Col)
		}
		return b.String()
	}
	return fmt.Sprintf("%s: %s", file, err.Error())
}

// trackingWriter remembers the last byte written, so -e can start the value
// on a fresh line.
type trackingWriter struct {
	w    io.Writer
	last byte
	n    int64
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		t.last = p[len(p)-1]
		t.n += int64(len(p))
	}
	return t.w.Write(p)
}

// loadFile resolves a file module (spec 16.2).
func loadFile(p, dir string) ([]byte, string, error) {
	var candidates []string
	switch {
	case strings.HasPrefix(p, "/"):
		candidates = []string{p + ".glia"}
	case strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../"):
		candidates = []string{filepath.Join(dir, p) + ".glia"}
	default:
		for _, d := range filepath.SplitList(os.Getenv("GLIA_PATH")) {
			if d != "" {
				candidates = append(candidates, filepath.Join(d, p)+".glia")
			}
		}
	}
	for _, c := range candidates {
		if b, err := os.ReadFile(c); err == nil {
			return b, c, nil
		}
	}
	return nil, "", os.ErrNotExist
}

// caretPad is the indentation that puts a caret under column col (in code
// points), keeping tabs so the caret lines up.
func caretPad(line string, col int) string {
	var b strings.Builder
	for i, r := range []rune(line) {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			b.WriteRune('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
