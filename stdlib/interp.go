package stdlib

import (
	_ "embed"
	"io"

	"github.com/wetware/ww/lang/eval"
	"github.com/wetware/ww/lang/reader"
	"github.com/wetware/ww/lang/value"
)

//go:embed glia/prelude.glia
var prelude string

//go:embed glia/test.glia
var wwTest string

//go:embed glia/fs.glia
var wwFS string

//go:embed glia/routing.glia
var wwRouting string

// Names exported by ww/core and ww/coll (spec 16.3).
var (
	coreModule = []string{"identity", "constantly", "comp", "partial", "complement", "juxt",
		"->", "->>", "as->", "condp", "if-let", "when-let", "doto"}
	collModule = []string{"reverse", "take", "drop", "take-while", "drop-while", "nth", "last",
		"group-by", "frequencies", "partition", "interleave", "flatten", "distinct", "sort-by",
		"zipmap", "some", "every?", "not-any?", "into", "mapcat", "range"}
)

// Options configure an interpreter.
type Options struct {
	// Load finds file modules (spec 16.2); nil means only ww/* modules.
	Load func(path, dir string) ([]byte, string, error)
}

// NewInterp returns an interpreter whose core layer holds every built-in
// and prelude macro, with the ww/* modules registered.
func NewInterp(opts Options) (*eval.Interp, error) {
	ip := eval.NewInterp()
	ip.Read = reader.ReadAll
	ip.ReadOne = reader.ReadOne
	ip.NextID = reader.NextGensymID
	ip.Load = opts.Load
	for _, b := range Core() {
		ip.DefineCore(b.Name, b)
	}
	installPrelude(ip)
	ip.DefineModule("ww/core", coreModule)
	ip.DefineModule("ww/coll", collModule)
	for _, p := range []string{"ww/string", "ww/json", "ww/evm"} {
		ip.AddModule(p, "", natives(p))
	}
	ip.AddModule("ww/test", wwTest, natives("ww/test"))
	ip.AddModule("ww/fs", wwFS, natives("ww/fs"))
	ip.AddModule("ww/routing", wwRouting, natives("ww/routing"))
	return ip, nil
}

func natives(p string) []*value.Builtin {
	var out []*value.Builtin
	for _, d := range moduleTables[p] {
		out = append(out, d.Builtin())
	}
	return out
}

// NewSession returns a plain session (spec 1.2) writing to out, with
// *command-line-args* bound to args.
func NewSession(ip *eval.Interp, out io.Writer, args []string) *eval.Session {
	s := ip.NewSession()
	s.SetOutput(out)
	vs := make([]value.Value, len(args))
	for i, a := range args {
		vs[i] = value.String(a)
	}
	s.Define("*command-line-args*", value.NewVector(vs...))
	return s
}
