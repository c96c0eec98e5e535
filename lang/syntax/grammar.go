package syntax

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Program is the syntax tree of a text: its top-level elements in order.
type Program struct {
	Elems []*Elem `parser:"@@*"`
}

// Elem is an element of a sequence (the program, a collection): a form, or
// a discard that the reader skips.
type Elem struct {
	Discard *Discarded `parser:"  @@"`
	Form    *Form      `parser:"| @@"`
}

// Discarded is "#_" and the form it drops. Discards stack: the discards
// that directly follow "#_" drop the forms after them first, so
// "#_ #_ a b" drops both a and b.
type Discarded struct {
	Pos   lexer.Position
	Inner []*Discarded `parser:"Discard @@*"`
	Form  *Form        `parser:"@@"`
}

// Form is one datum as written. Exactly one field other than Pos is set.
type Form struct {
	Pos    lexer.Position
	Atom   *string `parser:"  @Atom"`
	String *string `parser:"| @String"`
	List   *List   `parser:"| @@"`
	Vector *Vector `parser:"| @@"`
	Map    *Map    `parser:"| @@"`
	Set    *Set    `parser:"| @@"`
	Macro  *Macro  `parser:"| @@"`
}

// List is "( … )".
type List struct {
	Elems []*Elem `parser:"LParen @@* RParen"`
}

// Vector is "[ … ]".
type Vector struct {
	Elems []*Elem `parser:"LBracket @@* RBracket"`
}

// Map is "{ … }". It holds an even number of forms (discards do not
// count); the lexer checks that.
type Map struct {
	Elems []*Elem `parser:"LBrace @@* RBrace"`
}

// Set is "#{ … }".
type Set struct {
	Elems []*Elem `parser:"SetOpen @@* RBrace"`
}

// Macro is a reader macro applied to the next form: Op is "'", "`", "~",
// "~@" or "@". Discards between the macro and its form are kept in Skipped.
type Macro struct {
	Op      string       `parser:"@(Quote | SyntaxQuote | Unquote | UnquoteSplicing | Deref)"`
	Skipped []*Discarded `parser:"@@*"`
	Form    *Form        `parser:"@@"`
}

// Parser returns participle's parser for the grammar above, with Lexer.
// It is the executable reference of the grammar (see the package
// documentation); Parse builds the same trees much faster.
func Parser() *participle.Parser[Program] { return parser() }

var parser = sync.OnceValue(func() *participle.Parser[Program] {
	return participle.MustBuild[Program](participle.Lexer(Lexer))
})
