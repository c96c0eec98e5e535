//go:build !wasip1

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "echo: runs only as a wasip1 guest of ww (GOOS=wasip1 GOARCH=wasm)")
	os.Exit(1)
}
