//go:build wasip1

// Command exitcode is a test guest: it exits with the number in argv[1], or
// panics (Go exit code 2) when argv[1] is "panic".
package main

import (
	"os"
	"strconv"
)

func main() {
	if len(os.Args) < 2 {
		os.Exit(100)
	}
	if os.Args[1] == "panic" {
		panic("exitcode guest asked to panic")
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		os.Exit(101)
	}
	os.Exit(n)
}
