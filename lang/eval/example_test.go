package eval_test

import (
	"fmt"
	"os"

	"github.com/wetware/ww/lang/value"
	"github.com/wetware/ww/stdlib"
)

// Embedding Glia: build an interpreter with the standard library, open a
// session that writes to stdout, and evaluate source text.
func Example() {
	ip, err := stdlib.NewInterp(stdlib.Options{})
	if err != nil {
		panic(err)
	}
	s := stdlib.NewSession(ip, os.Stdout, nil)
	v, err := s.EvalString(`(println "hello") (reduce + (map inc [1 2 3]))`, "example")
	if err != nil {
		panic(err)
	}
	fmt.Println(value.Repr(v))
	// Output:
	// hello
	// 9
}

// Hosts give Glia code authority by binding capabilities and serving their
// calls with effect handlers; here a native handler answers (greeter hello).
func Example_capability() {
	ip, _ := stdlib.NewInterp(stdlib.Options{})
	s := stdlib.NewSession(ip, os.Stdout, nil)
	s.Define("greeter", &value.Cap{Name: "greeter", Schema: "example/greeter"})
	s.Define("serve", &value.Builtin{Name: "serve", Fn: func(t value.Thread, args []value.Value) (value.Value, error) {
		call, resume := args[0].(*value.List), args[1]
		return t.Call(resume, []value.Value{value.String("hi from " + value.Display(call.First()))})
	}})
	v, err := s.EvalString(`(with-effect-handler greeter serve (greeter hello))`, "example")
	fmt.Println(value.Repr(v), err)
	// Output: "hi from :hello" <nil>
}
