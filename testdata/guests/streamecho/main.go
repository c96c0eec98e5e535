//go:build wasip1

// Command streamecho is a test stream handler (Listener.listen): it copies
// stdin to stdout until EOF. A stream that starts with "?env\n" gets the
// handler's argv and WW_* environment instead, one "KEY=value" line each
// ("ARGV=..." first).
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	buf := make([]byte, 64<<10)
	n, err := io.ReadAtLeast(os.Stdin, buf, 5)
	if n >= 5 && bytes.Equal(buf[:5], []byte("?env\n")) {
		fmt.Printf("ARGV=%s\n", strings.Join(os.Args, " "))
		for _, e := range os.Environ() {
			if strings.HasPrefix(e, "WW_") || strings.HasPrefix(e, "PATH=") {
				fmt.Println(e)
			}
		}
		return
	}
	if _, werr := os.Stdout.Write(buf[:n]); werr != nil {
		os.Exit(1)
	}
	if err != nil {
		return // EOF before 5 bytes
	}
	if _, err := io.CopyBuffer(os.Stdout, os.Stdin, buf); err != nil {
		fmt.Fprintln(os.Stderr, "streamecho:", err)
		os.Exit(1)
	}
}
