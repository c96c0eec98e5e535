package syntax

import (
	"io"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types (spec 2.2). Whitespace and comments produce no tokens.
const (
	// EOF ends every token stream.
	EOF = lexer.EOF
	// Atom is an atom: the longest run of constituent characters.
	Atom lexer.TokenType = iota + 1
	// String is a string literal; the token's value is the decoded contents.
	String
	// LParen is "(".
	LParen
	// RParen is ")".
	RParen
	// LBracket is "[".
	LBracket
	// RBracket is "]".
	RBracket
	// LBrace is "{".
	LBrace
	// RBrace is "}", which closes maps and sets.
	RBrace
	// SetOpen is "#{".
	SetOpen
	// Discard is "#_".
	Discard
	// Quote is "'".
	Quote
	// SyntaxQuote is "`".
	SyntaxQuote
	// Unquote is "~".
	Unquote
	// UnquoteSplicing is "~@".
	UnquoteSplicing
	// Deref is "@" at the start of a token.
	Deref
)

var symbols = map[string]lexer.TokenType{
	"EOF":             EOF,
	"Atom":            Atom,
	"String":          String,
	"LParen":          LParen,
	"RParen":          RParen,
	"LBracket":        LBracket,
	"RBracket":        RBracket,
	"LBrace":          LBrace,
	"RBrace":          RBrace,
	"SetOpen":         SetOpen,
	"Discard":         Discard,
	"Quote":           Quote,
	"SyntaxQuote":     SyntaxQuote,
	"Unquote":         Unquote,
	"UnquoteSplicing": UnquoteSplicing,
	"Deref":           Deref,
}

var tokenText = map[lexer.TokenType]string{
	LParen: "(", RParen: ")", LBracket: "[", RBracket: "]", LBrace: "{", RBrace: "}",
	SetOpen: "#{", Discard: "#_", Quote: "'", SyntaxQuote: "`", Unquote: "~",
	UnquoteSplicing: "~@", Deref: "@",
}

// Lexer is the participle lexer definition of Glia's tokens, built on
// Scan: lexing also checks the nesting structure (spec 2.5-2.7), so a
// token stream it delivers always matches the grammar. A read error is
// returned by the Lexer's Next after the tokens before it.
var Lexer lexer.Definition = definition{}

type definition struct{}

// Symbols implements lexer.Definition.
func (definition) Symbols() map[string]lexer.TokenType {
	m := make(map[string]lexer.TokenType, len(symbols))
	for k, v := range symbols {
		m[k] = v
	}
	return m
}

// Lex implements lexer.Definition.
func (d definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

// LexString implements lexer.StringDefinition.
func (definition) LexString(filename, input string) (lexer.Lexer, error) {
	var rec recorder
	s := newScanner(input, filename, false, &rec)
	s.run()
	if s.err == nil {
		rec.toks = append(rec.toks, lexer.Token{Type: EOF, Pos: s.pos()})
	}
	return &sliceLexer{toks: rec.toks, err: s.err}, nil
}

// recorder is a Builder that records tokens.
type recorder struct{ toks []lexer.Token }

func (r *recorder) Atom(text string, pos lexer.Position) {
	r.toks = append(r.toks, lexer.Token{Type: Atom, Value: text, Pos: pos})
}

func (r *recorder) String(val string, pos lexer.Position) {
	r.toks = append(r.toks, lexer.Token{Type: String, Value: val, Pos: pos})
}

func (r *recorder) Open(kind lexer.TokenType, pos lexer.Position) {
	r.toks = append(r.toks, lexer.Token{Type: kind, Value: tokenText[kind], Pos: pos})
}

func (r *recorder) Close(kind lexer.TokenType, at lexer.Position) error {
	if c := closerOf(kind); c != 0 {
		r.toks = append(r.toks, lexer.Token{Type: c, Value: tokenText[c], Pos: at})
	}
	return nil
}

// sliceLexer replays recorded tokens, then reports the scan error if any.
type sliceLexer struct {
	toks []lexer.Token
	err  error
	i    int
}

// Next implements lexer.Lexer.
func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i < len(l.toks) {
		l.i++
		return l.toks[l.i-1], nil
	}
	if l.err != nil {
		return lexer.Token{Type: EOF}, l.err
	}
	return lexer.Token{Type: EOF}, nil
}
