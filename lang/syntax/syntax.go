package syntax

import "github.com/alecthomas/participle/v2/lexer"

// Parse reads src, the text of file, into a syntax tree, or returns its
// first read error. With first set it reads only the first top-level form
// (and the discards before it) and ignores the rest of the text.
func Parse(src, file string, first bool) (*Program, error) {
	var t treeBuilder
	if err := Scan(src, file, first, &t); err != nil {
		return nil, err
	}
	return &Program{Elems: t.take(0)}, nil
}

// treeBuilder is the Builder that makes syntax trees.
type treeBuilder struct {
	stack []treeFrame
	elems []*Elem // elements of the open constructs, innermost last
	forms []Form  // slab
}

type treeFrame struct {
	pos   lexer.Position
	start int // index of the frame's first element in elems
}

func (t *treeBuilder) form(pos lexer.Position) *Form {
	if len(t.forms) == 0 {
		t.forms = make([]Form, 64)
	}
	f := &t.forms[0]
	t.forms = t.forms[1:]
	f.Pos = pos
	return f
}

// take removes the elements from start on and returns them (nil if none).
func (t *treeBuilder) take(start int) []*Elem {
	if len(t.elems) == start {
		return nil
	}
	out := append([]*Elem(nil), t.elems[start:]...)
	clear(t.elems[start:])
	t.elems = t.elems[:start]
	return out
}

func (t *treeBuilder) Atom(text string, pos lexer.Position) {
	f := t.form(pos)
	f.Atom = &text
	t.elems = append(t.elems, &Elem{Form: f})
}

func (t *treeBuilder) String(val string, pos lexer.Position) {
	f := t.form(pos)
	f.String = &val
	t.elems = append(t.elems, &Elem{Form: f})
}

func (t *treeBuilder) Open(kind lexer.TokenType, pos lexer.Position) {
	t.stack = append(t.stack, treeFrame{pos: pos, start: len(t.elems)})
}

func (t *treeBuilder) Close(kind lexer.TokenType, _ lexer.Position) error {
	fr := t.stack[len(t.stack)-1]
	t.stack = t.stack[:len(t.stack)-1]
	elems := t.take(fr.start)
	if kind == Discard || !isColl(kind) {
		// The last element is the form; the others are discards.
		var skipped []*Discarded
		for _, e := range elems[:len(elems)-1] {
			skipped = append(skipped, e.Discard)
		}
		last := elems[len(elems)-1].Form
		if kind == Discard {
			t.elems = append(t.elems, &Elem{Discard: &Discarded{Pos: fr.pos, Inner: skipped, Form: last}})
			return nil
		}
		f := t.form(fr.pos)
		f.Macro = &Macro{Op: tokenText[kind], Skipped: skipped, Form: last}
		t.elems = append(t.elems, &Elem{Form: f})
		return nil
	}
	f := t.form(fr.pos)
	switch kind {
	case LParen:
		f.List = &List{Elems: elems}
	case LBracket:
		f.Vector = &Vector{Elems: elems}
	case LBrace:
		f.Map = &Map{Elems: elems}
	default:
		f.Set = &Set{Elems: elems}
	}
	t.elems = append(t.elems, &Elem{Form: f})
	return nil
}
