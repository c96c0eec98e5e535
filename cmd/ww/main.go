// Command ww runs and manages Wetware nodes (system design §15). The
// command tree lives in cli.go; main only wires it to the process.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
