// Package group abstracts the two prime-order groups FROST runs over here:
// edwards25519 (filippo.io/edwards25519) and secp256k1
// (github.com/decred/dcrd/dcrec/secp256k1/v4).
//
// It exists so that the FROST protocol code in package frost is written once,
// against the RFC 9591 vocabulary (Scalar, Element, SerializeElement, ...),
// and so that the third-party curve types stay in one internal package and
// never reach an exported signature.
//
// Values follow the filippo.io/edwards25519 convention: methods set the
// receiver to the result and return it, and operands may alias the receiver.
// Mixing values from different groups is a programming error and panics; the
// frost package never does it, because every value it handles comes from its
// ciphersuite's Group.
package group

import (
	"errors"
	"io"
)

// Errors returned by the decoders. They are wrapped by package frost with the
// name of the object being decoded.
var (
	ErrScalarEncoding  = errors.New("invalid scalar encoding")
	ErrScalarRange     = errors.New("scalar out of range")
	ErrElementEncoding = errors.New("invalid element encoding")
	ErrIdentity        = errors.New("element is the identity")
	ErrNotOnCurve      = errors.New("point not on curve")
	ErrSubgroup        = errors.New("point not in the prime-order subgroup")
)

// Scalar is an element of the group's scalar field, Z/qZ.
type Scalar interface {
	Set(x Scalar) Scalar
	SetUint64(v uint64) Scalar
	Add(x, y Scalar) Scalar
	Sub(x, y Scalar) Scalar
	Mul(x, y Scalar) Scalar
	Negate(x Scalar) Scalar
	// Invert sets the receiver to 1/x; x must not be zero.
	Invert(x Scalar) Scalar
	IsZero() bool
	Equal(y Scalar) bool
	// Bytes is the RFC 9591 SerializeScalar encoding (Ns bytes).
	Bytes() []byte
	// SetCanonicalBytes is DeserializeScalar: it rejects a wrong length and
	// values not below the group order, leaving the receiver unchanged.
	SetCanonicalBytes(b []byte) error
	// Zero overwrites the value with zero (used to wipe secrets).
	Zero()
}

// Element is a point of the prime-order group.
type Element interface {
	Set(p Element) Element
	Identity() Element
	Add(p, q Element) Element
	Sub(p, q Element) Element
	Negate(p Element) Element
	ScalarMult(s Scalar, p Element) Element
	ScalarBaseMult(s Scalar) Element
	IsIdentity() bool
	Equal(q Element) bool
	// Bytes is SerializeElement (Ne bytes). The identity has no valid
	// encoding; Bytes returns Ne zero bytes for it, which every decoder rejects.
	Bytes() []byte
	// SetBytes is DeserializeElement: it rejects malformed and off-curve
	// encodings, the identity and (for edwards25519) points outside the
	// prime-order subgroup and non-canonical encodings.
	SetBytes(b []byte) error
}

// Group creates values of one group.
type Group interface {
	Name() string
	NewScalar() Scalar
	// NewElement returns the identity element.
	NewElement() Element
	ScalarLen() int
	ElementLen() int
	// RandomScalar draws a uniformly random non-zero scalar from r.
	RandomScalar(r io.Reader) (Scalar, error)
}
