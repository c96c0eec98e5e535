package bridge

import (
	"fmt"
	"strings"

	"github.com/wetware/ww/lang/value"
)

// ShellHelp is the text (help) prints in a shell session (design 8.6).
const ShellHelp = `Capabilities:
  (host id)                      Peer ID
  (host addrs)                   Listen addresses
  (host peers)                   Connected peers
  (host connect "<multiaddr>")   Dial a peer
  (executor echo "<msg>")        Diagnostic echo
  (ipfs cat "<path>")            Fetch IPFS content
  (ipfs ls "<path>")             List IPFS directory

Built-ins:
  (cd "<path>")                  Change working directory
  (help)                         This message
  (exit)                         Quit

Unrecognized commands are looked up in PATH (default /bin).

More (try (help <cap>)):
  (executor run <wasm>)          Run a process, return its exit code
  (ipfs add "<data>")            Add content, return its CID
  (routing provide "<key>")      Announce a key on the DHT
  (routing find "<key>")         Find providers of a key
  (routing hash "<data>")        Hash data to a CID
  (host listen "<proto>" <wasm>) Serve /ww/0.1.0/<proto>
  (host dial "<peer>" "<proto>") Open a stream to a peer
  (load "<path>")                Read a file from the image
  (epoch)                        Current epoch
  (caps)                         Bound capabilities
`

// Describe is the reference of a capability (Glia spec 15.5), its methods
// generated from the schema.
func Describe(c *value.Cap) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s ==\n", c.Name)
	fmt.Fprintf(&b, "schema-cid: %s\n", c.Schema)
	ref, ok := capRef(c)
	if !ok || ref.Iface == nil {
		b.WriteString("schema-bytes: not registered\n")
	} else {
		fmt.Fprintf(&b, "schema-bytes: %d (call (schema %s) to retrieve)\n", len(ref.Iface.Schema), c.Name)
	}
	fmt.Fprintf(&b, "usage:        (perform %s :<method> <args>...)\n", c.Name)
	fmt.Fprintf(&b, "introspect:   (schema %s) | (doc %s)\n", c.Name, c.Name)
	if ok && ref.Iface != nil {
		b.WriteString("methods:\n")
		for _, m := range ref.Iface.Methods {
			call := "(" + c.Name + " " + m.Keyword
			for _, f := range m.Params.Fields {
				call += " <" + f.Keyword + ":" + f.Type.name + ">"
			}
			call += ")"
			fmt.Fprintf(&b, "  %-40s -> %s\n", call, resultShape(m.Results))
		}
	}
	return b.String()
}

func resultShape(s *Struct) string {
	switch len(s.Fields) {
	case 0:
		return "nil"
	case 1:
		return s.Fields[0].Type.name
	}
	parts := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		parts[i] = ":" + f.Keyword + " " + f.Type.name
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// Builtins returns the introspection functions of shell sessions (Glia
// spec 15.5): help, schema and doc.
func Builtins() []*value.Builtin {
	return []*value.Builtin{
		{Name: "help", Doc: "this message, or a capability's reference", Fn: builtinHelp},
		{Name: "schema", Doc: "the compiled schema of a capability", Fn: builtinSchema},
		{Name: "doc", Doc: "a capability's summary", Fn: builtinDoc},
	}
}

func builtinHelp(t value.Thread, args []value.Value) (value.Value, error) {
	switch len(args) {
	case 0:
		_, err := t.Out().Write([]byte(ShellHelp))
		return value.Nil, err
	case 1:
		c, ok := args[0].(*value.Cap)
		if !ok {
			return nil, value.TypeError("help", "cap", args[0])
		}
		_, err := t.Out().Write([]byte(Describe(c)))
		return value.Nil, err
	}
	return nil, value.ArityError("help", "0-1", len(args))
}

func builtinSchema(_ value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("schema", "1", len(args))
	}
	c, ok := args[0].(*value.Cap)
	if !ok {
		return nil, value.TypeError("schema", "cap", args[0])
	}
	ref, ok := capRef(c)
	if !ok || ref.Iface == nil {
		return nil, value.NewError("permission-denied", "permission denied: schema for cap '"+c.Name+"' not registered",
			"context", "schema")
	}
	return value.MakeBytes(ref.Iface.Schema), nil
}

func builtinDoc(t value.Thread, args []value.Value) (value.Value, error) {
	if len(args) != 1 {
		return nil, value.ArityError("doc", "1", len(args))
	}
	c, ok := args[0].(*value.Cap)
	if !ok {
		return nil, value.TypeError("doc", "cap", args[0])
	}
	ref, ok := capRef(c)
	if !ok || ref.Iface == nil {
		return nil, value.NewError("permission-denied", "permission denied: docs for cap '"+c.Name+"' not available",
			"context", "doc")
	}
	_, err := fmt.Fprintf(t.Out(), "%s: Cap'n Proto interface %s, %d methods\n  cap-name: %s\n  schema-cid: %s\n",
		c.Name, ref.Iface.Name, len(ref.Iface.Methods), c.Name, c.Schema)
	return value.Nil, err
}
