//go:build wasip1

// Command flood is a test guest of stdout backpressure: it writes
// argv[1] KiB to stdout in 4 KiB writes, byte i of the stream being
// byte(i % 251), then exits 0.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	kib, err := strconv.Atoi(os.Args[1])
	if err != nil {
		os.Exit(101)
	}
	chunk := make([]byte, 4096)
	for off := 0; off < kib<<10; off += len(chunk) {
		for i := range chunk {
			chunk[i] = byte((off + i) % 251)
		}
		if _, err := os.Stdout.Write(chunk); err != nil {
			fmt.Fprintln(os.Stderr, "flood:", err)
			os.Exit(1)
		}
	}
}
