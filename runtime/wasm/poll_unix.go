//go:build unix && !linux

package wasm

import (
	"time"

	"golang.org/x/sys/unix"
)

// pollFDs is poll(2) with the timeout rounded up to a millisecond; a
// negative one waits without limit.
func pollFDs(fds []unix.PollFd, timeout time.Duration) (int, error) {
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	return unix.Poll(fds, ms)
}
