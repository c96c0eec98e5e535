//go:build wasip1

// Command echo is a PATH command of the kernel's shell: it prints its
// arguments joined by spaces and a newline, and exits 0. With the single
// argument --fail it prints nothing and exits 3 (a failing command for
// tests).
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "--fail" {
		os.Exit(3)
	}
	fmt.Println(strings.Join(args, " "))
}
