//go:build wasip1

// Command echo is a test guest: it prints its argv, one "arg: <a>" line per
// element, then copies stdin to stdout until EOF.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	for _, a := range os.Args {
		fmt.Printf("arg: %s\n", a)
	}
	fmt.Fprintln(os.Stderr, "echo: started")
	if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "echo: done")
}
