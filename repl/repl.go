// Package repl is the interactive front end shared by glia and ww: a
// readline loop over an Evaluator, which may be a local session or a remote
// shell.
//
// The loop reads a submission, continuing on further lines while brackets
// or a string are open (the prompt changes to the continuation prompt),
// keeps a persistent history file, completes names with Tab from the
// evaluator's bindings, and turns Ctrl-C into an interrupt of the running
// evaluation (or clears the line being typed). Ctrl-D on an empty line ends
// the loop.
package repl

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/chzyer/readline"
)

// Evaluator is what the REPL drives.
type Evaluator interface {
	// Eval evaluates a complete submission, writing results to out and
	// errors to errOut. A non-nil *Exit ends the loop.
	Eval(src string, out, errOut io.Writer) *Exit
	// Interrupt stops the running evaluation; it is called from another
	// goroutine.
	Interrupt()
	// Complete returns the names that start with prefix.
	Complete(prefix string) []string
	// Prompts returns the primary and the continuation prompt.
	Prompts() (primary, continuation string)
}

// Exit ends the REPL with a status.
type Exit struct{ Code int }

// Config configures Run.
type Config struct {
	Eval        Evaluator
	HistoryFile string
	Stdin       io.ReadCloser
	Stdout      io.Writer
	Stderr      io.Writer
}

// Run runs the loop until end of input or an Exit; it returns the status.
// When Stdin is not a terminal it reads plain lines without prompts,
// history or editing.
func Run(cfg Config) int {
	if f, ok := cfg.Stdin.(*os.File); !ok || !readline.IsTerminal(int(f.Fd())) {
		return runPlain(cfg)
	}
	primary, cont := cfg.Eval.Prompts()
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 primary,
		HistoryFile:            cfg.HistoryFile,
		AutoComplete:           completer{cfg.Eval},
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
		Stdin:                  cfg.Stdin,
		Stdout:                 cfg.Stdout,
		Stderr:                 cfg.Stderr,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
	})
	if err != nil {
		io.WriteString(cfg.Stderr, "repl: "+err.Error()+"\n")
		return 1
	}
	defer rl.Close()
	var buf []string
	for {
		if len(buf) == 0 {
			primary, cont = cfg.Eval.Prompts()
			rl.SetPrompt(primary)
		} else {
			rl.SetPrompt(cont)
		}
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			buf = nil
			continue
		}
		if err != nil { // io.EOF
			if len(buf) == 0 {
				return 0
			}
			// End of input inside an open form: evaluate what we have so
			// the evaluator reports the read error.
		} else {
			buf = append(buf, line)
			if Incomplete(strings.Join(buf, "\n")) {
				continue
			}
		}
		src := strings.Join(buf, "\n")
		buf = nil
		if strings.TrimSpace(src) == "" {
			if err != nil {
				return 0
			}
			continue
		}
		rl.SaveHistory(src)
		if ex := evalInterruptible(cfg.Eval, src, rl.Stdout(), rl.Stderr()); ex != nil {
			return ex.Code
		}
		if err != nil {
			return 0
		}
	}
}

// runPlain is line mode: submissions are read line by line, continuing
// while brackets or a string are open.
func runPlain(cfg Config) int {
	sc := bufio.NewScanner(cfg.Stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var buf []string
	flush := func() *Exit {
		src := strings.Join(buf, "\n")
		buf = nil
		if strings.TrimSpace(src) == "" {
			return nil
		}
		return evalInterruptible(cfg.Eval, src, cfg.Stdout, cfg.Stderr)
	}
	for sc.Scan() {
		buf = append(buf, sc.Text())
		if Incomplete(strings.Join(buf, "\n")) {
			continue
		}
		if ex := flush(); ex != nil {
			return ex.Code
		}
	}
	if ex := flush(); ex != nil {
		return ex.Code
	}
	return 0
}

// evalInterruptible evaluates src, turning SIGINT into Interrupt.
func evalInterruptible(ev Evaluator, src string, out, errOut io.Writer) *Exit {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
				ev.Interrupt()
			case <-done:
				return
			}
		}
	}()
	ex := ev.Eval(src, out, errOut)
	signal.Stop(sig)
	close(done)
	return ex
}

type completer struct{ ev Evaluator }

// Do implements readline.AutoCompleter: it completes the symbol before the
// cursor.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && !isDelim(line[start-1]) {
		start--
	}
	prefix := string(line[start:pos])
	if prefix == "" {
		return nil, 0
	}
	var out [][]rune
	for _, name := range c.ev.Complete(prefix) {
		if strings.HasPrefix(name, prefix) {
			out = append(out, []rune(name[len(prefix):]))
		}
	}
	return out, len([]rune(prefix))
}

func isDelim(r rune) bool {
	return strings.ContainsRune(" \t\n\r,()[]{}'\"`~@;", r)
}

// Incomplete reports whether src has an open bracket or string, so that
// more lines should be read before evaluating. Unbalanced closers are not
// incomplete: the reader reports them.
func Incomplete(src string) bool {
	depth := 0
	inStr := false
	for i := 0; i < len(src); i++ {
		ch := src[i]
		switch {
		case inStr:
			switch ch {
			case '\\':
				i++
			case '"':
				inStr = false
			}
		case ch == '"':
			inStr = true
		case ch == ';':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case ch == '(' || ch == '[' || ch == '{':
			depth++
		case ch == ')' || ch == ']' || ch == '}':
			if depth == 0 {
				return false
			}
			depth--
		}
	}
	return inStr || depth > 0
}
