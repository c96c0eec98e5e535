//go:build !wasip1

package system

import "io"

// dial has no channel to open outside a wasip1 guest.
func dial() (io.ReadWriteCloser, error) { return nil, ErrNoChannel }
