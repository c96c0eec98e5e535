//go:build wasip1

// Command pollprobe is a test guest of the host's poll_oneoff: it calls
// the import directly with the subscriptions named by argv[1:] and prints
// "errno N" and then one "event ud=U type=T errno=E hangup=H" line per
// returned event. Subscriptions, with userdata = position (1, 2, …):
//
//	read:<fd>        fd_read on fd
//	write:<fd>       fd_write on fd
//	clock:<ms>       relative clock timeout
//	abstime:<ms>     absolute clock (not supported: ENOTSUP)
//
// Before polling it prints "polling" so a test can act while it waits.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"
)

//go:wasmimport wasi_snapshot_preview1 poll_oneoff
//go:noescape
func pollOneoff(in, out unsafe.Pointer, nsubs uint32, nevents unsafe.Pointer) uint32

func main() {
	args := os.Args[1:]
	subs := make([]byte, 48*len(args))
	for i, a := range args {
		s := subs[48*i : 48*(i+1)]
		binary.LittleEndian.PutUint64(s[0:], uint64(i+1))
		kind, val, _ := strings.Cut(a, ":")
		n, err := strconv.ParseUint(val, 10, 64)
		if err != nil {
			fmt.Println("bad argument", a)
			os.Exit(2)
		}
		switch kind {
		case "read", "write":
			s[8] = 1
			if kind == "write" {
				s[8] = 2
			}
			binary.LittleEndian.PutUint32(s[16:], uint32(n))
		case "clock", "abstime":
			s[8] = 0
			binary.LittleEndian.PutUint32(s[16:], 1) // monotonic
			binary.LittleEndian.PutUint64(s[24:], n*1e6)
			if kind == "abstime" {
				binary.LittleEndian.PutUint16(s[40:], 1)
			}
		}
	}
	events := make([]byte, 32*len(args))
	var n uint32
	fmt.Println("polling")
	errno := pollOneoff(unsafe.Pointer(&subs[0]), unsafe.Pointer(&events[0]), uint32(len(args)), unsafe.Pointer(&n))
	fmt.Println("errno", errno)
	for i := range n {
		e := events[32*i : 32*(i+1)]
		fmt.Printf("event ud=%d type=%d errno=%d hangup=%d\n",
			binary.LittleEndian.Uint64(e[0:]), e[10], binary.LittleEndian.Uint16(e[8:]), binary.LittleEndian.Uint16(e[24:])&1)
	}
}
