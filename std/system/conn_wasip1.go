//go:build wasip1

package system

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Backoff of a channel read or write that would block.
const (
	minBackoff = 50 * time.Microsecond
	maxBackoff = 20 * time.Millisecond
)

// dial opens the channel announced by WW_RPC_FD.
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
	if err := syscall.SetNonblock(fd, true); err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("system: channel: %w", err)
	}
	return &stream{fd: fd, closed: make(chan struct{})}, nil
}

// stream is the channel descriptor. It bypasses os.File: Go's netpoller
// would spin on it (wazero reports any non-stdin descriptor ready).
type stream struct {
	fd     int
	once   sync.Once
	closed chan struct{}
}

func (s *stream) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// wait sleeps for the current backoff and doubles it.
func (s *stream) wait(d *time.Duration) error {
	if s.isClosed() {
		return os.ErrClosed
	}
	t := time.NewTimer(*d)
	select {
	case <-t.C:
	case <-s.closed:
		t.Stop()
		return os.ErrClosed
	}
	if *d *= 2; *d > maxBackoff {
		*d = maxBackoff
	}
	return nil
}

func (s *stream) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	d := minBackoff
	for {
		if s.isClosed() {
			return 0, os.ErrClosed
		}
		n, err := syscall.Read(s.fd, p)
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			if err := s.wait(&d); err != nil {
				return 0, err
			}
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		default:
			return n, nil
		}
	}
}

func (s *stream) Write(p []byte) (int, error) {
	d := minBackoff
	written := 0
	for written < len(p) {
		if s.isClosed() {
			return written, os.ErrClosed
		}
		n, err := syscall.Write(s.fd, p[written:])
		if n > 0 {
			written += n
			d = minBackoff
		}
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			if err := s.wait(&d); err != nil {
				return written, err
			}
		case err != nil:
			return written, err
		case n == 0:
			return written, io.ErrShortWrite
		}
	}
	return written, nil
}

func (s *stream) Close() error {
	var err error
	s.once.Do(func() {
		close(s.closed)
		err = syscall.Close(s.fd)
	})
	return err
}
