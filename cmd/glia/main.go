// Command glia runs Glia programs in plain sessions: scripts, -e
// expressions, standard input and the interactive REPL (Glia spec 19).
package main

import (
	"os"
	"runtime/debug"
)

func main() {
	debug.SetMaxStack(1 << 30)
	// Scripts are short-lived and allocation-heavy: trade some memory for
	// fewer collections unless the user chose a setting.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
