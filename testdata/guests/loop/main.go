//go:build wasip1

// Command loop is a test guest: it prints "looping" and then spins forever
// (argv[1] == "sleep": sleeps forever instead), so only the host can stop it.
package main

import (
	"fmt"
	"os"
	"time"
)

var sink uint64

func main() {
	fmt.Println("looping")
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		for {
			time.Sleep(time.Hour)
		}
	}
	for i := uint64(0); ; i++ {
		sink += i
	}
}
