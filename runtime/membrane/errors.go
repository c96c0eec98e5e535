package membrane

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"capnproto.org/go/capnp/v3/exc"
)

// Code is an error code of the error catalogue (system design §17). Every
// failure a capability server reports is a Cap'n Proto exception whose
// reason reads "<code>: <detail>" and whose exception type is Code.Type.
type Code string

// The codes of the error catalogue, with their exception types.
const (
	CodeStaleEpoch        Code = "staleEpoch"        // failed: a guarded method after an advance
	CodeUnauthorized      Code = "unauthorized"      // failed: Terminal.login
	CodeInvalidArgument   Code = "invalidArgument"   // failed: bad arguments
	CodeInvalidWasm       Code = "invalidWasm"       // failed: compile or import errors
	CodeNotFound          Code = "notFound"          // failed: missing path, export or peer
	CodeAlreadyExists     Code = "alreadyExists"     // failed: duplicate protocol
	CodeDeadlineExceeded  Code = "deadlineExceeded"  // failed: "<iface>.<method> after <dur>"
	CodeResourceExhausted Code = "resourceExhausted" // overloaded: limits
	CodeUnavailable       Code = "unavailable"       // disconnected: network, IPFS, chain
	CodeUnimplemented     Code = "unimplemented"     // unimplemented: no backend or sub-API
	CodeInternal          Code = "internal"          // failed: bugs
)

var codeTypes = map[Code]exc.Type{
	CodeStaleEpoch:        exc.Failed,
	CodeUnauthorized:      exc.Failed,
	CodeInvalidArgument:   exc.Failed,
	CodeInvalidWasm:       exc.Failed,
	CodeNotFound:          exc.Failed,
	CodeAlreadyExists:     exc.Failed,
	CodeDeadlineExceeded:  exc.Failed,
	CodeResourceExhausted: exc.Overloaded,
	CodeUnavailable:       exc.Disconnected,
	CodeUnimplemented:     exc.Unimplemented,
	CodeInternal:          exc.Failed,
}

// Known reports whether c is one of the catalogue's codes.
func (c Code) Known() bool {
	_, ok := codeTypes[c]
	return ok
}

// Type returns the Cap'n Proto exception type the catalogue assigns to c
// (failed for unknown codes).
func (c Code) Type() exc.Type {
	if t, ok := codeTypes[c]; ok {
		return t
	}
	return exc.Failed
}

// Errorf returns a Cap'n Proto exception of code's type whose reason, and
// Error text, is "<code>: <detail>", detail being formatted as by
// fmt.Sprintf. The exception crosses RPC connections unchanged: the
// receiving side's error text is the same string.
func Errorf(code Code, format string, args ...any) error {
	return &exc.Exception{
		Type:  code.Type(),
		Cause: errors.New(string(code) + ": " + fmt.Sprintf(format, args...)),
	}
}

// Reason returns the "<code>: <detail>" part of err's text: the text from
// the first colon-separated segment that is a catalogue code on, or the
// whole text if there is none. capnp-go prefixes errors with the method
// they came from ("system.capnp:Host.id: …" on the caller's side, and
// "@0x…@N: …" once more for each proxying connection); Reason strips such
// prefixes, so Reason(err) == StaleEpochReason holds for a revoked
// capability however many hops away its holder is.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], ": ")
		if j < 0 {
			break
		}
		if Code(s[i : i+j]).Known() {
			return s[i:]
		}
		i += j + 2
	}
	return s
}

// CodeOf returns the catalogue code of err (see Reason), or "" if its text
// carries none. It works on errors received over RPC, whose only
// structure is the reason text.
func CodeOf(err error) Code {
	r := Reason(err)
	i := strings.Index(r, ": ")
	if i <= 0 {
		return ""
	}
	if c := Code(r[:i]); c.Known() {
		return c
	}
	return ""
}

// StaleEpochReason is the exact reason of every guarded method's failure
// after the epoch moved on.
const StaleEpochReason = "staleEpoch: session epoch no longer current"

// ErrStaleEpoch is the error guarded methods return once their epoch is no
// longer current. Its text is StaleEpochReason; its type is failed.
var ErrStaleEpoch = Errorf(CodeStaleEpoch, "session epoch no longer current")

// IsStaleEpoch reports whether err is the staleEpoch failure, locally or
// as received over RPC.
func IsStaleEpoch(err error) bool { return CodeOf(err) == CodeStaleEpoch }

// unimplemented reports a method that has no backend.
func unimplemented(method string) error {
	return Errorf(CodeUnimplemented, "%s", method)
}

// coded turns a backend error into a catalogue exception. An error that
// already carries a catalogue code keeps its text and gets that code's
// type; a deadline becomes "deadlineExceeded: <method> after <timeout>";
// anything else becomes "<code>: <detail>: <err>".
func coded(ctx context.Context, err error, method string, timeout time.Duration, code Code, detail string) error {
	if err == nil {
		return nil
	}
	if c := CodeOf(err); c != "" {
		r := Reason(err)
		if e, ok := err.(*exc.Exception); ok && e.Type == c.Type() && e.Error() == r {
			return err
		}
		return &exc.Exception{Type: c.Type(), Cause: errors.New(r)}
	}
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
		return deadline(method, timeout)
	}
	if detail == "" {
		return Errorf(code, "%v", err)
	}
	return Errorf(code, "%s: %v", detail, err)
}

// deadline is the deadlineExceeded failure of method after d.
func deadline(method string, d time.Duration) error {
	return Errorf(CodeDeadlineExceeded, "%s after %s", method, d)
}
