package candid

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps exactly one of
// them and its message starts with "candid: ".
var (
	// ErrInvalid reports input that is not a well-formed Candid message:
	// bad magic, truncated data, malformed LEB128, invalid UTF-8, an index
	// out of range, trailing bytes, and so on.
	ErrInvalid = errors.New("candid: invalid encoding")
	// ErrMismatch reports a well-formed value that cannot be decoded at the
	// expected type under Candid's subtyping rules.
	ErrMismatch = errors.New("candid: type mismatch")
	// ErrLimit reports input that exceeds the decoder's nesting depth or
	// decoding quota (see [Config]).
	ErrLimit = errors.New("candid: decoding limit exceeded")
	// ErrType reports an invalid type given to an encoder (unsorted or
	// duplicate field ids, a nil element, a Go type with no Candid mapping,
	// ...).
	ErrType = errors.New("candid: invalid type")
	// ErrValue reports a value that does not match the type it is encoded
	// with.
	ErrValue = errors.New("candid: value does not match type")
)

// DecodeError is the error returned by decoders. It unwraps to one of
// [ErrInvalid], [ErrMismatch] or [ErrLimit].
type DecodeError struct {
	// Offset is the byte offset into the input where decoding failed.
	Offset int
	// Msg describes the failure.
	Msg string
	// Err is the sentinel.
	Err error
}

// Error returns "candid: <sentinel detail>: <msg> at offset <n>".
func (e *DecodeError) Error() string {
	return fmt.Sprintf("%v: %s at offset %d", e.Err, e.Msg, e.Offset)
}

// Unwrap returns the sentinel, for errors.Is.
func (e *DecodeError) Unwrap() error { return e.Err }

// errorf returns an error wrapping sentinel with a formatted detail.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}
