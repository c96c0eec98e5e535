package reader

import (
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/wetware/ww/lang/syntax"
	"github.com/wetware/ww/lang/value"
)

// ReadAll reads a whole program: every top-level form of src, the text of
// file (file only labels positions). The text is read completely before
// anything is returned, so a read error anywhere fails the whole read; the
// error is a *value.Error tagged glia.error/parse carrying the position of
// the first error in reading order (spec 2.7).
func ReadAll(src, file string) ([]value.Value, error) {
	b := builder{file: file}
	if err := syntax.Scan(src, file, false, &b); err != nil {
		return nil, toValueError(err)
	}
	return b.vals[:len(b.vals):len(b.vals)], nil
}

// ReadOne reads the first form of src, the text of file, and ignores the
// rest of the text; the first form itself must be complete and correct.
// Text without any form (only whitespace, comments and discards) is the
// read error "empty input", positioned at its end.
func ReadOne(src, file string) (value.Value, error) {
	b := builder{file: file}
	if err := syntax.Scan(src, file, true, &b); err != nil {
		return nil, toValueError(err)
	}
	if len(b.vals) == 0 {
		return nil, value.ParseError(endPos(src, file), "empty input")
	}
	return b.vals[0], nil
}

// Incomplete reports whether err is a read error that more text could
// cure: an unclosed collection or string, or a reader macro, discard or
// string escape at the end of the text. A REPL uses it to ask for another
// line instead of reporting the error.
func Incomplete(err error) bool {
	e, ok := err.(*value.Error)
	if !ok || e.Tag() != "glia.error/parse" {
		return false
	}
	m, _ := e.Val.(*value.Map)
	if m == nil {
		return false
	}
	msg, _ := m.Get(value.KeyMessage)
	switch msg {
	case value.String("unclosed list"), value.String("unclosed vector"),
		value.String("unclosed map"), value.String("unclosed set"),
		value.String("unterminated string"), value.String("unterminated string escape"),
		value.String("unexpected end of input"):
		return true
	}
	return false
}

func toValueError(err error) error {
	switch e := err.(type) {
	case *syntax.Error:
		return value.ParseError(value.Pos{File: e.Pos.Filename, Line: e.Pos.Line, Col: e.Pos.Column}, e.Msg)
	case *value.Error:
		return e
	}
	return value.ParseError(value.Pos{Line: 1, Col: 1}, err.Error())
}

// endPos is the position just after the last character of src.
func endPos(src, file string) value.Pos {
	p := value.Pos{File: file, Line: 1, Col: 1}
	for _, c := range src {
		if c == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

// Names of the heads of the lists the reader macros produce.
const (
	symQuote         = "quote"
	symDeref         = "deref"
	symUnquote       = "unquote"
	symSpliceUnquote = "splice-unquote"
	symSyntaxQuote   = "syntax-quote"
)

// builder is the syntax.Builder that makes forms. Finished forms wait on
// a value stack until the construct enclosing them closes; at the end the
// stack holds the top-level forms. Collections are positioned by setting
// Pos on the fresh values the value constructors return (copying the
// shared empty ones).
type builder struct {
	file   string
	vals   []value.Value
	frames []frame
	sq     int         // syntax-quotes open
	gensym int64       // auto-gensym number of the outermost syntax-quote, 0 until needed
	pos    []value.Pos // slab for positions
}

type frame struct {
	kind  lexer.TokenType
	pos   lexer.Position
	start int // index of the construct's first form in vals
}

func (b *builder) newPos(p lexer.Position) *value.Pos {
	if len(b.pos) == 0 {
		b.pos = make([]value.Pos, 128)
	}
	vp := &b.pos[0]
	b.pos = b.pos[1:]
	*vp = value.Pos{File: b.file, Line: p.Line, Col: p.Column}
	return vp
}

// Atom implements syntax.Builder.
func (b *builder) Atom(text string, pos lexer.Position) {
	b.vals = append(b.vals, b.atom(text, pos))
}

// String implements syntax.Builder.
func (b *builder) String(val string, _ lexer.Position) {
	b.vals = append(b.vals, value.MakeString(val))
}

// Open implements syntax.Builder.
func (b *builder) Open(kind lexer.TokenType, pos lexer.Position) {
	if kind == syntax.SyntaxQuote {
		if b.sq == 0 {
			b.gensym = 0
		}
		b.sq++
	}
	b.frames = append(b.frames, frame{kind: kind, pos: pos, start: len(b.vals)})
}

// Close implements syntax.Builder.
func (b *builder) Close(kind lexer.TokenType, _ lexer.Position) error {
	fr := b.frames[len(b.frames)-1]
	b.frames = b.frames[:len(b.frames)-1]
	elems := b.vals[fr.start:]
	var v value.Value
	switch kind {
	case syntax.Discard:
		clear(elems)
		b.vals = b.vals[:fr.start]
		return nil
	case syntax.LParen:
		v = newList(elems, b.newPos(fr.pos))
	case syntax.LBracket:
		vec := value.NewVector(elems...)
		if vec == value.EmptyVector {
			c := *vec
			vec = &c
		}
		vec.Pos = b.newPos(fr.pos)
		v = vec
	case syntax.LBrace:
		m := value.NewMap(elems...)
		if m == value.EmptyMap {
			c := *m
			m = &c
		}
		m.Pos = b.newPos(fr.pos)
		v = m
	case syntax.SetOpen:
		set := value.NewSet(elems...)
		if set == value.EmptySet {
			c := *set
			set = &c
		}
		set.Pos = b.newPos(fr.pos)
		v = set
	case syntax.SyntaxQuote:
		b.sq--
		if b.sq == 0 {
			x := expander{pos: b.newPos(fr.pos)}
			var err *value.Error
			if v, err = x.t(elems[0], 0); err != nil {
				return err
			}
			break
		}
		v = b.wrap(symSyntaxQuote, elems[0], fr.pos)
	case syntax.Quote:
		v = b.wrap(symQuote, elems[0], fr.pos)
	case syntax.Deref:
		v = b.wrap(symDeref, elems[0], fr.pos)
	case syntax.Unquote:
		v = b.wrap(symUnquote, elems[0], fr.pos)
	case syntax.UnquoteSplicing:
		v = b.wrap(symSpliceUnquote, elems[0], fr.pos)
	}
	clear(elems)
	b.vals = append(b.vals[:fr.start], v)
	return nil
}

// wrap makes (head form), positioned at the reader macro.
func (b *builder) wrap(head string, form value.Value, p lexer.Position) value.Value {
	vp := b.newPos(p)
	l := value.EmptyList.Cons(form).Cons(value.Symbol{Name: head, Pos: vp})
	l.Pos = vp
	return l
}

// newList makes a list of elems positioned at pos. It conses the cells
// itself and positions the fresh head cell, saving the copy of the head
// that value.NewListPos makes.
func newList(elems []value.Value, pos *value.Pos) *value.List {
	if len(elems) == 0 {
		return value.NewListPos(nil, pos)
	}
	l := value.EmptyList
	for i := len(elems) - 1; i >= 0; i-- {
		l = l.Cons(elems[i])
	}
	l.Pos = pos
	return l
}
