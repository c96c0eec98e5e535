package wasm

import (
	"time"

	"golang.org/x/sys/unix"
)

// pollFDs is ppoll(2) with a nanosecond timeout; a negative one waits
// without limit.
func pollFDs(fds []unix.PollFd, timeout time.Duration) (int, error) {
	if timeout < 0 {
		return unix.Ppoll(fds, nil, nil)
	}
	ts := unix.NsecToTimespec(int64(timeout))
	return unix.Ppoll(fds, &ts, nil)
}
