// Package syntax is the lexical and structural syntax of Glia (spec
// section 2): its tokens, its grammar, and a single-pass scanner that
// checks a text's structure and reports it to a Builder.
//
// # Tokens
//
// The token types (Atom, String, LParen … Deref) are participle token
// types, and Lexer is a participle lexer.Definition. Whitespace is space,
// tab, CR, LF and comma; comments run from ";" to the end of the line. An
// atom is the longest run of characters up to whitespace, a bracket,
// brace or parenthesis, ', ", ;, ` or ~; "@" and "#" inside an atom are
// ordinary, but at the start of a token "@" is deref and "#" must be
// followed by "{" (set) or "_" (discard). Strings are delivered decoded.
//
// # Grammar
//
// The tree types double as the participle grammar, in EBNF:
//
//	Program   = Elem* .
//	Elem      = Discarded | Form .
//	Discarded = <discard> Discarded* Form .
//	Form      = <atom> | <string> | List | Vector | Map | Set | Macro .
//	List      = <lparen> Elem* <rparen> .
//	Vector    = <lbracket> Elem* <rbracket> .
//	Map       = <lbrace> Elem* <rbrace> .
//	Set       = <setopen> Elem* <rbrace> .
//	Macro     = (<quote> | <syntaxquote> | <unquote> | <unquotesplicing> | <deref>) Discarded* Form .
//
// A discard is not a form: "#_" drops the next form, and discards right
// after "#_" or a reader macro are read first, so "#_ #_ a b" drops a and
// b, "'#_ a b" is (quote b), and discards are invisible to map pairing.
//
// # Scanning
//
// Scan reads a text in one pass, without recursion, keeping a stack of
// the constructs still open (collections waiting for their closer, reader
// macros and discards waiting for their form). That lets it report, as it
// goes, every read error that is not about the meaning of atoms, with the
// spec's exact messages, and always the first one in reading order:
//
//	unclosed list | vector | map | set      at the opening delimiter
//	unexpected ) | ] | }                    at the closer
//	unexpected character after #            at the #
//	unterminated string                     at the end of the text
//	unterminated string escape              at the end of the text
//	invalid unicode escape                  at the backslash
//	map must have an even number of elements  at the closing }
//	unexpected end of input                 at the end of the text
//	nesting too deep                        at the token opening level MaxDepth+1
//
// Every error is positioned where it is detected, except that an unclosed
// collection is reported at its opening delimiter (spec 2.7). A reader
// macro or discard followed by a closer instead of a form reports that
// closer as unexpected. Positions have 1-based lines and columns counted
// in code points, and byte offsets. Text that is not valid UTF-8 is read
// with each invalid byte replaced by U+FFFD (offsets then refer to the
// repaired text).
//
// The Builder receives atoms and strings, and Open/Close around every
// collection, reader macro and discard. Package reader builds Glia forms
// from these events directly; Parse builds the syntax tree with them, and
// Lexer records them as tokens.
//
// # Why two parsers
//
// Parser returns participle's parser for the grammar, fed by Lexer. It is
// the executable reference: the tests (including a fuzz test) check that
// Parse builds exactly the trees participle builds, and reports the same
// errors. But participle's reflective parser needs about 30 ms for 20 KB
// of source, and the interpreter reads its prelude at every start, so the
// reader uses the scanner's events instead, which costs a small fraction
// of that and allocates nothing for the tree. The scanner also bounds the
// nesting before anything recursive sees the text.
package syntax
