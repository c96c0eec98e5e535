package syntax

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

func TestLexerTokens(t *testing.T) {
	lx, err := Lexer.(lexer.StringDefinition).LexString("f.glia", "(a 'b\n  #{\"s\\n\"} ~@c `[@d] #_ e ~f ; c\n{})")
	if err != nil {
		t.Fatal(err)
	}
	toks, err := lexer.ConsumeAll(lx)
	if err != nil {
		t.Fatal(err)
	}
	names := lexer.SymbolsByRune(Lexer)
	var got []string
	for _, tok := range toks {
		got = append(got, names[tok.Type]+" "+tok.Value+" "+tok.Pos.String())
	}
	want := []string{
		"LParen ( f.glia:1:1",
		"Atom a f.glia:1:2",
		"Quote ' f.glia:1:4",
		"Atom b f.glia:1:5",
		"SetOpen #{ f.glia:2:3",
		"String s\n f.glia:2:5",
		"RBrace } f.glia:2:10",
		"UnquoteSplicing ~@ f.glia:2:12",
		"Atom c f.glia:2:14",
		"SyntaxQuote ` f.glia:2:16",
		"LBracket [ f.glia:2:17",
		"Deref @ f.glia:2:18",
		"Atom d f.glia:2:19",
		"RBracket ] f.glia:2:20",
		"Discard #_ f.glia:2:22",
		"Atom e f.glia:2:25",
		"Unquote ~ f.glia:2:27",
		"Atom f f.glia:2:28",
		"LBrace { f.glia:3:1",
		"RBrace } f.glia:3:2",
		"RParen ) f.glia:3:3",
		"EOF  f.glia:3:4",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tokens:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if toks[2].Pos.Offset != 3 || toks[4].Pos.Offset != 8 {
		t.Errorf("offsets %d %d", toks[2].Pos.Offset, toks[4].Pos.Offset)
	}
}

func TestLexerError(t *testing.T) {
	lx, _ := Lexer.(lexer.StringDefinition).LexString("f", "(a b ]")
	toks, err := lexer.ConsumeAll(lx)
	var e *Error
	if toks != nil || !errors.As(err, &e) || e.Msg != "unexpected ]" || e.Pos.Column != 6 {
		t.Errorf("got %v, %v", toks, err)
	}
	if got := err.Error(); got != "f:1:6: unexpected ]" {
		t.Errorf("Error() = %q", got)
	}
}

// agreementInputs are texts on which Parse must build the same tree as
// participle's parser for the grammar.
var agreementInputs = []string{
	"", "a", "(a b c)", "[1 [2 [3]]]", "{:a 1 :b {:c #{}}}", "#{a b}", `"s" "\u00e9\n"`,
	"'a `(b ~c ~@d) @e", "''a", "#_a b", "#_ #_ a b c", "[1 #_#_ 2 3 4]", "{:a 1 #_:b #_2}",
	"' #_ a #_ b c", "(#_a)", "#_ '#_ a b c", "; c\n(a ; d\n b)", "a'b\"c\"d", "é ü", "\xff",
	"` #_ x (a #_ `b)", "(a\n  [b\n c])",
	// errors: both report the same one
	"(a", "a]", "#x", `"abc`, "{:a}", "'", "[#_]", `"\ud800"`,
}

func TestParticipleAgreement(t *testing.T) {
	for _, src := range agreementInputs {
		checkAgreement(t, src)
	}
}

func checkAgreement(t *testing.T, src string) {
	t.Helper()
	want, perr := Parser().ParseString("a.glia", src)
	got, err := Parse(src, "a.glia", false)
	if (perr == nil) != (err == nil) {
		t.Fatalf("%q: participle error %v, Parse error %v", src, perr, err)
	}
	if err != nil {
		if perr.Error() != err.Error() {
			t.Fatalf("%q: participle error %q, Parse error %q", src, perr, err)
		}
		return
	}
	if want.Elems == nil {
		want.Elems = nil // participle gives nil for an empty program too
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: trees differ:\nParse      %s\nparticiple %s", src, dump(got), dump(want))
	}
}

// dump prints a tree compactly for failure messages.
func dump(p *Program) string {
	var b strings.Builder
	var form func(f *Form)
	var elems func(es []*Elem)
	var disc func(d *Discarded)
	disc = func(d *Discarded) {
		b.WriteString("#_<")
		for _, i := range d.Inner {
			disc(i)
		}
		form(d.Form)
		b.WriteString(">")
	}
	elems = func(es []*Elem) {
		for _, e := range es {
			if e.Discard != nil {
				disc(e.Discard)
			} else {
				form(e.Form)
			}
			b.WriteByte(' ')
		}
	}
	form = func(f *Form) {
		b.WriteString(f.Pos.String() + "=")
		switch {
		case f.Atom != nil:
			b.WriteString(*f.Atom)
		case f.String != nil:
			b.WriteString("\"" + *f.String + "\"")
		case f.List != nil:
			b.WriteString("(")
			elems(f.List.Elems)
			b.WriteString(")")
		case f.Vector != nil:
			b.WriteString("[")
			elems(f.Vector.Elems)
			b.WriteString("]")
		case f.Map != nil:
			b.WriteString("{")
			elems(f.Map.Elems)
			b.WriteString("}")
		case f.Set != nil:
			b.WriteString("#{")
			elems(f.Set.Elems)
			b.WriteString("}")
		case f.Macro != nil:
			b.WriteString(f.Macro.Op)
			for _, d := range f.Macro.Skipped {
				disc(d)
			}
			form(f.Macro.Form)
		}
	}
	elems(p.Elems)
	return b.String()
}

// FuzzGrammar checks that Parse and participle's parser for the grammar
// agree on arbitrary text.
func FuzzGrammar(f *testing.F) {
	for _, s := range agreementInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return // participle is slow and recursive; keep it quick
		}
		checkAgreement(t, src)
	})
}

func TestFirst(t *testing.T) {
	p, err := Parse("#_ a b ) (", "f", true)
	if err != nil || len(p.Elems) != 2 || p.Elems[0].Discard == nil || *p.Elems[1].Form.Atom != "b" {
		t.Fatalf("got %s, %v", dump(p), err)
	}
	p, err = Parse("  ", "f", true)
	if err != nil || len(p.Elems) != 0 {
		t.Fatalf("got %v, %v", p, err)
	}
}

type nopBuilder struct{ opens, closes int }

func (b *nopBuilder) Atom(string, lexer.Position)   {}
func (b *nopBuilder) String(string, lexer.Position) {}
func (b *nopBuilder) Open(lexer.TokenType, lexer.Position) {
	b.opens++
}
func (b *nopBuilder) Close(lexer.TokenType, lexer.Position) error {
	b.closes++
	return nil
}

func TestDepth(t *testing.T) {
	var b nopBuilder
	if err := Scan(strings.Repeat("[", MaxDepth)+strings.Repeat("]", MaxDepth), "f", false, &b); err != nil {
		t.Fatal(err)
	}
	if b.opens != MaxDepth || b.closes != MaxDepth {
		t.Fatalf("opens %d closes %d", b.opens, b.closes)
	}
	err := Scan(strings.Repeat("(", 10_000_000), "f", false, &nopBuilder{})
	var e *Error
	if !errors.As(err, &e) || e.Msg != "nesting too deep" || e.Pos.Column != MaxDepth+1 || e.Pos.Offset != MaxDepth {
		t.Fatalf("got %v", err)
	}
}

type stopBuilder struct{ nopBuilder }

var errStop = errors.New("stop")

func (b *stopBuilder) Close(lexer.TokenType, lexer.Position) error { return errStop }

func TestBuilderErrorStops(t *testing.T) {
	b := &stopBuilder{}
	if err := Scan("'a )", "f", false, b); err != errStop {
		t.Fatalf("got %v, want the builder's error", err)
	}
}

func TestGrammarEBNF(t *testing.T) {
	ebnf := Parser().String()
	for _, want := range []string{"Program = Elem* .", `Discarded = <discard> Discarded* Form .`} {
		if !strings.Contains(ebnf, want) {
			t.Errorf("grammar lacks %q:\n%s", want, ebnf)
		}
	}
}
