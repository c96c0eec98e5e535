//go:build wasip1

// Command memhog is a test guest: it allocates and touches 8 MiB blocks,
// keeping every one, until the host refuses to grow its memory. It prints
// the running total after each block so a test can see progress.
package main

import "fmt"

var keep [][]byte

func main() {
	for total := 8; ; total += 8 {
		b := make([]byte, 8<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		keep = append(keep, b)
		fmt.Printf("allocated %d MiB\n", total)
	}
}
