package wasm

import (
	"errors"
	"fmt"
)

// The error codes of the system design's catalogue (§17) that this package
// reports. They are plain strings so the package does not depend on the
// Cap'n Proto layer; the capability servers map an *Error to an exception
// whose reason is the same "<code>: <detail>" text.
const (
	CodeInvalidArgument   = "invalidArgument"
	CodeInvalidWasm       = "invalidWasm"
	CodeNotFound          = "notFound"
	CodeResourceExhausted = "resourceExhausted"
	CodeUnavailable       = "unavailable"
	CodeInternal          = "internal"
)

// Error is a coded failure of admission or spawning. Its text is
// "<code>: <detail>", e.g. "invalidArgument: wasm binary too large
// (40000000 bytes > 33554432)".
type Error struct {
	Code   string
	Detail string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Code + ": " + e.Detail }

func errorf(code, format string, args ...any) error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the catalogue code of err if it is or wraps an *Error,
// and "" otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
