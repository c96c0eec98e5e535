package stdlib

import (
	"strings"

	"github.com/wetware/ww/lang/eval"
)

// The prelude is not evaluated at startup: each of its top-level
// definitions is registered with the core layer and evaluated the first
// time its name is looked up, so a script pays only for the macros it uses.

// preludeDef is one top-level definition of the prelude.
type preludeDef struct {
	name string
	src  string
	line int
}

// splitPrelude cuts Glia source into its top-level forms, each with the
// name it defines (the second symbol of (def name …) or (defmacro name …)).
func splitPrelude(src string) []preludeDef {
	var defs []preludeDef
	line := 1
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '\n':
			line++
			i++
		case c == ';':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '(':
			start, startLine := i, line
			depth := 0
			for ; i < len(src); i++ {
				switch src[i] {
				case '\n':
					line++
				case ';':
					for i < len(src) && src[i] != '\n' {
						i++
					}
					line++
				case '"':
					for i++; i < len(src) && src[i] != '"'; i++ {
						if src[i] == '\\' {
							i++
						} else if src[i] == '\n' {
							line++
						}
					}
				case '(', '[', '{':
					depth++
				case ')', ']', '}':
					depth--
				}
				if depth == 0 {
					i++
					break
				}
			}
			form := src[start:i]
			fields := strings.Fields(strings.NewReplacer("(", " ", ")", " ", "[", " ").Replace(form))
			if len(fields) >= 2 {
				defs = append(defs, preludeDef{name: fields[1], src: form, line: startLine})
			}
		default:
			i++
		}
	}
	return defs
}

// installPrelude registers the prelude's definitions lazily.
func installPrelude(ip *eval.Interp) {
	for _, d := range splitPrelude(prelude) {
		ip.DefineCoreLazy(d.name, d.src, "prelude.glia", d.line)
	}
}
