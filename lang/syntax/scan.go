package syntax

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// MaxDepth is the deepest nesting of collections, reader macros and
// discards the reader accepts (spec 20); one level deeper is the read
// error "nesting too deep".
const MaxDepth = 10000

// Error is a read error (spec 2.7): one of the spec's messages and the
// position it is reported at.
type Error struct {
	// Msg is the message, e.g. "unclosed list".
	Msg string
	// Pos is where the error is reported: where it was detected, except for
	// an unclosed collection, which is reported at its opening delimiter.
	Pos lexer.Position
}

// Error implements error: "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Message returns the bare message (participle.Error).
func (e *Error) Message() string { return e.Msg }

// Position returns the reported position (participle.Error).
func (e *Error) Position() lexer.Position { return e.Pos }

// A Builder receives the structure of a text from Scan, in reading order.
// Every Open is matched by a Close, unless the scan stops at an error.
type Builder interface {
	// Atom is an atom (spec 2.2); classifying it is up to the builder.
	Atom(text string, pos lexer.Position)
	// String is a string literal with its escapes decoded.
	String(val string, pos lexer.Position)
	// Open starts a collection (LParen, LBracket, LBrace, SetOpen), a
	// reader macro (Quote, SyntaxQuote, Unquote, UnquoteSplicing, Deref)
	// or a discard (Discard), at the position of its opening token.
	Open(kind lexer.TokenType, pos lexer.Position)
	// Close ends the innermost open construct, whose kind was passed to
	// Open. For a collection, at is the position of its closing
	// delimiter; for a reader macro or discard, the position just after
	// its form, which Close then completes. Between a macro's or discard's
	// Open and Close the builder receives exactly one form, preceded by
	// any number of discards. A non-nil error stops the scan; Scan returns
	// it.
	Close(kind lexer.TokenType, at lexer.Position) error
}

// Scan reads src, the text of file, and reports its structure to b. With
// first set it stops at the end of the first top-level form and ignores
// the rest of the text.
//
// Scan returns the first read error of the text (an *Error), or the first
// error returned by b.Close, whichever comes first in reading order. It
// checks everything that is not about the meaning of atoms: tokens,
// strings and escapes, matching delimiters, even map counts, reader macros
// and discards having a form, and MaxDepth. It does not recurse, so deep
// nesting cannot exhaust the Go stack. Invalid UTF-8 is read as U+FFFD
// per byte.
func Scan(src, file string, first bool, b Builder) error {
	s := newScanner(src, file, first, b)
	s.run()
	return s.err
}

// frame is an open construct: a collection waiting for its closer, or a
// reader macro or discard waiting for its form.
type frame struct {
	kind lexer.TokenType // the opening token's type
	pos  lexer.Position  // the opening token's position
	n    int             // forms completed inside a collection
}

// scanner reads text in one pass and drives a Builder.
type scanner struct {
	src, file string
	i         int // byte offset of the next character
	line, col int // position of the next character
	stack     []frame
	first     bool // stop after the first top-level form
	done      bool // first mode: the first form is complete
	b         Builder
	err       error
}

// delim marks the ASCII characters that end an atom (spec 2.2).
var delim = func() (t [256]bool) {
	for _, c := range " \t\r\n,()[]{}'\";`~" {
		t[c] = true
	}
	return
}()

func newScanner(src, file string, first bool, b Builder) *scanner {
	if !utf8.ValidString(src) {
		src = sanitize(src)
	}
	return &scanner{src: src, file: file, line: 1, col: 1, first: first, b: b}
}

// sanitize replaces each byte that is not part of a valid UTF-8 sequence
// by U+FFFD, which is how Go, and the spec ("read as code points"),
// decodes it.
func sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

func (s *scanner) pos() lexer.Position {
	return lexer.Position{Filename: s.file, Offset: s.i, Line: s.line, Column: s.col}
}

func (s *scanner) fail(pos lexer.Position, msg string) {
	s.err = &Error{Msg: msg, Pos: pos}
}

// run scans until the end of the text, the first error, or (in first
// mode) the end of the first form.
func (s *scanner) run() {
	src := s.src
	for s.i < len(src) && s.err == nil && !s.done {
		switch c := src[s.i]; c {
		case ' ', '\t', '\r', ',':
			s.i++
			s.col++
		case '\n':
			s.i++
			s.line++
			s.col = 1
		case ';':
			end := strings.IndexByte(src[s.i:], '\n')
			if end < 0 {
				end = len(src)
			} else {
				end += s.i
			}
			s.col += utf8.RuneCountInString(src[s.i:end])
			s.i = end
		case '(':
			s.open(LParen, 1)
		case '[':
			s.open(LBracket, 1)
		case '{':
			s.open(LBrace, 1)
		case ')':
			s.close(RParen, ")")
		case ']':
			s.close(RBracket, "]")
		case '}':
			s.close(RBrace, "}")
		case '#':
			switch {
			case s.i+1 < len(src) && src[s.i+1] == '{':
				s.open(SetOpen, 2)
			case s.i+1 < len(src) && src[s.i+1] == '_':
				s.open(Discard, 2)
			default:
				s.fail(s.pos(), "unexpected character after #")
			}
		case '\'':
			s.open(Quote, 1)
		case '`':
			s.open(SyntaxQuote, 1)
		case '~':
			if s.i+1 < len(src) && src[s.i+1] == '@' {
				s.open(UnquoteSplicing, 2)
			} else {
				s.open(Unquote, 1)
			}
		case '@':
			s.open(Deref, 1)
		case '"':
			s.str()
		default:
			s.atom()
		}
	}
	if s.err != nil || s.done {
		return
	}
	if n := len(s.stack); n > 0 {
		if top := s.stack[n-1]; isColl(top.kind) {
			s.fail(top.pos, "unclosed "+collName(top.kind))
		} else {
			s.fail(s.pos(), "unexpected end of input")
		}
	}
}

func isColl(t lexer.TokenType) bool {
	return t == LParen || t == LBracket || t == LBrace || t == SetOpen
}

func collName(t lexer.TokenType) string {
	switch t {
	case LParen:
		return "list"
	case LBracket:
		return "vector"
	case LBrace:
		return "map"
	}
	return "set"
}

func closerOf(t lexer.TokenType) lexer.TokenType {
	switch t {
	case LParen:
		return RParen
	case LBracket:
		return RBracket
	case LBrace, SetOpen:
		return RBrace
	}
	return 0
}

// open handles a token of width n that needs more: a collection opener, a
// reader macro or a discard.
func (s *scanner) open(kind lexer.TokenType, n int) {
	p := s.pos()
	if len(s.stack) >= MaxDepth {
		s.fail(p, "nesting too deep")
		return
	}
	s.stack = append(s.stack, frame{kind: kind, pos: p})
	s.b.Open(kind, p)
	s.i += n
	s.col += n
}

func (s *scanner) close(closer lexer.TokenType, text string) {
	p := s.pos()
	n := len(s.stack)
	if n == 0 || closerOf(s.stack[n-1].kind) != closer {
		s.fail(p, "unexpected "+text)
		return
	}
	top := s.stack[n-1]
	if top.kind == LBrace && top.n%2 != 0 {
		s.fail(p, "map must have an even number of elements")
		return
	}
	s.stack = s.stack[:n-1]
	s.i++
	s.col++
	if s.err = s.b.Close(top.kind, p); s.err == nil {
		s.complete()
	}
}

// complete records that a form has ended: it completes the reader macros
// waiting for it, is dropped by a discard, or counts as an element of the
// enclosing collection or as a top-level form.
func (s *scanner) complete() {
	for {
		n := len(s.stack)
		if n == 0 {
			s.done = s.first
			return
		}
		top := &s.stack[n-1]
		if isColl(top.kind) {
			top.n++
			return
		}
		kind := top.kind
		s.stack = s.stack[:n-1]
		if s.err = s.b.Close(kind, s.pos()); s.err != nil || kind == Discard {
			return
		}
		// A reader macro's form is complete, and so is the macro.
	}
}

func (s *scanner) atom() {
	src := s.src
	p := s.pos()
	j, cols := s.i, 0
	for j < len(src) {
		c := src[j]
		if c < utf8.RuneSelf {
			if delim[c] {
				break
			}
			cols++
		} else if c&0xC0 != 0x80 {
			cols++
		}
		j++
	}
	text := src[s.i:j]
	s.i = j
	s.col += cols
	s.b.Atom(text, p)
	s.complete()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// str scans a string literal (spec 2.4).
func (s *scanner) str() {
	src := s.src
	start := s.pos()
	j, line, col := s.i+1, s.line, s.col+1
	seg := j       // start of the undecoded run
	var buf []byte // decoded contents, once an escape was seen
	at := func() lexer.Position {
		return lexer.Position{Filename: s.file, Offset: j, Line: line, Column: col}
	}
	for {
		if j >= len(src) {
			s.i, s.line, s.col = j, line, col
			s.fail(at(), "unterminated string")
			return
		}
		c := src[j]
		switch {
		case c == '"':
			var val string
			if buf == nil {
				val = src[seg:j]
			} else {
				val = string(append(buf, src[seg:j]...))
			}
			s.i, s.line, s.col = j+1, line, col+1
			s.b.String(val, start)
			s.complete()
			return
		case c == '\\':
			if j+1 >= len(src) {
				j, col = j+1, col+1
				s.i, s.line, s.col = j, line, col
				s.fail(at(), "unterminated string escape")
				return
			}
			var dec string
			n := 2
			switch src[j+1] {
			case 'n':
				dec = "\n"
			case 't':
				dec = "\t"
			case 'r':
				dec = "\r"
			case '\\':
				dec = "\\"
			case '"':
				dec = "\""
			case 'u':
				if j+6 > len(src) || !isHex(src[j+2]) || !isHex(src[j+3]) || !isHex(src[j+4]) || !isHex(src[j+5]) {
					s.fail(at(), "invalid unicode escape")
					return
				}
				r, _ := strconv.ParseUint(src[j+2:j+6], 16, 32)
				if r >= 0xD800 && r <= 0xDFFF {
					s.fail(at(), "invalid unicode escape")
					return
				}
				dec = string(rune(r))
				n = 6
			default:
				// Any other pair is kept as both characters: take the
				// backslash as ordinary and the next character on the
				// next round.
				j++
				col++
				continue
			}
			buf = append(buf, src[seg:j]...)
			buf = append(buf, dec...)
			j += n
			col += n
			seg = j
		case c == '\n':
			j++
			line++
			col = 1
		default:
			if c < utf8.RuneSelf || c&0xC0 != 0x80 {
				col++
			}
			j++
		}
	}
}
