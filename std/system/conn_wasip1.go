//go:build wasip1

package system

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
)

// registerChannel is the host's ww.register_channel: it tells the host's
// poll_oneoff that fd is the channel, so the Go netpoller can wait on it.
//
//go:wasmimport ww register_channel
func registerChannel(fd int32) int32

// dial opens the channel announced by WW_RPC_FD and hands it to Go's
// netpoller: a goroutine reading it parks, and the guest blocks in the
// host's poll_oneoff until the host writes, instead of spinning or
// sleeping.
func dial() (io.ReadWriteCloser, error) {
	if abi := os.Getenv("WW_ABI"); abi != "0" {
		if abi == "" {
			return nil, ErrNoChannel
		}
		return nil, fmt.Errorf("system: unsupported WW_ABI %q", abi)
	}
	s := os.Getenv("WW_RPC_FD")
	if s == "" {
		return nil, ErrNoChannel
	}
	dirfd, err := strconv.Atoi(s)
	if err != nil {
		return nil, fmt.Errorf("system: WW_RPC_FD=%q: %w", s, err)
	}
	fd, err := syscall.Openat(dirfd, "rpc", syscall.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("system: open channel (fd %d): %w", dirfd, err)
	}
	if errno := registerChannel(int32(fd)); errno != 0 {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("system: register channel: %w", syscall.Errno(errno))
	}
	// Non-blocking before os.NewFile, which then hands it to the netpoller.
	if err := syscall.SetNonblock(fd, true); err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("system: channel: %w", err)
	}
	return os.NewFile(uintptr(fd), "ww-rpc"), nil
}
