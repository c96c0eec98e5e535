//go:build wasip1

// Command sandbox is a test guest that reports what it can see. For each
// argument after argv[0] it tries the operation and prints one line:
//
//	read:<path>   → "read <path>: ok <content>" or "read <path>: error <err>"
//	write:<path>  → "write <path>: ok" or "write <path>: error <err>"
//	env           → "env <KEY=VALUE>" per entry of os.Environ, then "env end"
//	clock         → "clock ok" when the wall clock is past 2020
//	rand          → "rand ok" when two 16-byte reads differ
//	dial:<addr>   → "dial <addr>: ok" or "dial <addr>: error <err>" (TCP)
package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func main() {
	for _, a := range os.Args[1:] {
		switch {
		case strings.HasPrefix(a, "read:"):
			p := strings.TrimPrefix(a, "read:")
			b, err := os.ReadFile(p)
			if err != nil {
				fmt.Printf("read %s: error %v\n", p, err)
			} else {
				fmt.Printf("read %s: ok %s\n", p, strings.TrimSpace(string(b)))
			}
		case strings.HasPrefix(a, "write:"):
			p := strings.TrimPrefix(a, "write:")
			if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
				fmt.Printf("write %s: error %v\n", p, err)
			} else {
				fmt.Printf("write %s: ok\n", p)
			}
		case strings.HasPrefix(a, "dial:"):
			addr := strings.TrimPrefix(a, "dial:")
			if c, err := net.Dial("tcp", addr); err != nil {
				fmt.Printf("dial %s: error %v\n", addr, err)
			} else {
				c.Close()
				fmt.Printf("dial %s: ok\n", addr)
			}
		case a == "env":
			for _, e := range os.Environ() {
				fmt.Printf("env %s\n", e)
			}
			fmt.Println("env end")
		case a == "clock":
			if time.Now().Year() > 2020 {
				fmt.Println("clock ok")
			} else {
				fmt.Println("clock fake", time.Now())
			}
		case a == "rand":
			x, y := make([]byte, 16), make([]byte, 16)
			rand.Read(x)
			rand.Read(y)
			if !bytes.Equal(x, y) && !bytes.Equal(x, make([]byte, 16)) {
				fmt.Println("rand ok")
			} else {
				fmt.Println("rand fake")
			}
		default:
			fmt.Printf("unknown %s\n", a)
		}
	}
}
