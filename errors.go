package bigfile

import "errors"

// Errors returned by the parsers and constructors of this package. Returned
// errors wrap one of these and add the offending input; test with [errors.Is].
var (
	// ErrInvalidPrincipal reports a malformed principal, cube, subnet or node id.
	ErrInvalidPrincipal = errors.New("bigfile: invalid principal")
	// ErrChecksum reports a principal text whose CRC-32 does not match its bytes.
	ErrChecksum = errors.New("bigfile: principal checksum mismatch")
	// ErrInvalidHash reports a hash text that is not 64 hexadecimal digits.
	ErrInvalidHash = errors.New("bigfile: invalid hash")
	// ErrInvalidCycles reports a cycles amount that is negative, malformed or beyond 128 bits.
	ErrInvalidCycles = errors.New("bigfile: invalid cycles amount")
	// ErrUnsupportedValue reports a value that the representation-independent hash cannot encode.
	ErrUnsupportedValue = errors.New("bigfile: value not hashable")
)
