package group

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"

	"filippo.io/edwards25519"
)

// Ed25519 is the edwards25519 group of RFC 8032 restricted to its prime-order
// subgroup, as used by the FROST(Ed25519, SHA-512) ciphersuite.
var Ed25519 Group = ed25519Group{}

type ed25519Group struct{}

func (ed25519Group) Name() string        { return "edwards25519" }
func (ed25519Group) ScalarLen() int      { return 32 }
func (ed25519Group) ElementLen() int     { return 32 }
func (ed25519Group) NewScalar() Scalar   { return &edScalar{s: *edwards25519.NewScalar()} }
func (ed25519Group) NewElement() Element { return &edElement{p: *edwards25519.NewIdentityPoint()} }

// RandomScalar uses wide reduction of 64 random bytes (RFC 9591 appendix D.2).
func (ed25519Group) RandomScalar(r io.Reader) (Scalar, error) {
	var buf [64]byte
	defer clear(buf[:])
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, fmt.Errorf("reading randomness: %w", err)
		}
		s := &edScalar{}
		if _, err := s.s.SetUniformBytes(buf[:]); err != nil {
			return nil, err
		}
		if !s.IsZero() {
			return s, nil
		}
	}
}

// Ed25519ScalarFromWide reduces a 64-byte little-endian integer modulo the
// group order (the RFC's "interpret as little-endian and reduce").
func Ed25519ScalarFromWide(b []byte) Scalar {
	s := &edScalar{}
	if _, err := s.s.SetUniformBytes(b); err != nil {
		panic("group: Ed25519ScalarFromWide needs 64 bytes")
	}
	return s
}

// edScalar wraps filippo.io/edwards25519's Scalar (constant-time arithmetic).
type edScalar struct{ s edwards25519.Scalar }

func ed(x Scalar) *edwards25519.Scalar { return &x.(*edScalar).s }

func (z *edScalar) Set(x Scalar) Scalar { z.s.Set(ed(x)); return z }

// SetUint64 encodes v little-endian; any uint64 is below the order, so the
// canonical decoding cannot fail.
func (z *edScalar) SetUint64(v uint64) Scalar {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[:], v)
	if _, err := z.s.SetCanonicalBytes(b[:]); err != nil {
		panic("group: unreachable: small scalar rejected")
	}
	return z
}
func (z *edScalar) Add(x, y Scalar) Scalar { z.s.Add(ed(x), ed(y)); return z }
func (z *edScalar) Sub(x, y Scalar) Scalar { z.s.Subtract(ed(x), ed(y)); return z }
func (z *edScalar) Mul(x, y Scalar) Scalar { z.s.Multiply(ed(x), ed(y)); return z }
func (z *edScalar) Negate(x Scalar) Scalar { z.s.Negate(ed(x)); return z }
func (z *edScalar) Invert(x Scalar) Scalar { z.s.Invert(ed(x)); return z }
func (z *edScalar) IsZero() bool {
	return z.s.Equal(edwards25519.NewScalar()) == 1
}
func (z *edScalar) Equal(y Scalar) bool { return z.s.Equal(ed(y)) == 1 }
func (z *edScalar) Bytes() []byte       { return z.s.Bytes() }
func (z *edScalar) SetCanonicalBytes(b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("%w: length %d, want 32", ErrScalarEncoding, len(b))
	}
	if _, err := z.s.SetCanonicalBytes(b); err != nil {
		return ErrScalarRange
	}
	return nil
}
func (z *edScalar) Zero() { z.s.Set(edwards25519.NewScalar()) }

// edElement wraps an extended-coordinates edwards25519 point.
type edElement struct{ p edwards25519.Point }

func edp(x Element) *edwards25519.Point { return &x.(*edElement).p }

// lMinusOne is the group order minus one, little-endian; multiplying a point
// by it and adding the point once more multiplies by the order.
var lMinusOne = func() *edwards25519.Scalar {
	one := edwards25519.NewScalar()
	var b [32]byte
	b[0] = 1
	if _, err := one.SetCanonicalBytes(b[:]); err != nil {
		panic(err)
	}
	return edwards25519.NewScalar().Negate(one)
}()

func (v *edElement) Set(p Element) Element           { v.p.Set(edp(p)); return v }
func (v *edElement) Identity() Element               { v.p.Set(edwards25519.NewIdentityPoint()); return v }
func (v *edElement) Add(p, q Element) Element        { v.p.Add(edp(p), edp(q)); return v }
func (v *edElement) Sub(p, q Element) Element        { v.p.Subtract(edp(p), edp(q)); return v }
func (v *edElement) Negate(p Element) Element        { v.p.Negate(edp(p)); return v }
func (v *edElement) ScalarBaseMult(s Scalar) Element { v.p.ScalarBaseMult(ed(s)); return v }
func (v *edElement) ScalarMult(s Scalar, p Element) Element {
	v.p.ScalarMult(ed(s), edp(p))
	return v
}
func (v *edElement) IsIdentity() bool {
	return v.p.Equal(edwards25519.NewIdentityPoint()) == 1
}
func (v *edElement) Equal(q Element) bool { return v.p.Equal(edp(q)) == 1 }
func (v *edElement) Bytes() []byte {
	if v.IsIdentity() {
		return make([]byte, 32)
	}
	return v.p.Bytes()
}

// SetBytes is RFC 9591's DeserializeElement for Ed25519: RFC 8032
// decoding, then the identity and subgroup checks ([ℓ]P = O, computed as
// [ℓ−1]P + P because ℓ itself is not a representable scalar).
func (v *edElement) SetBytes(b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("%w: length %d, want 32", ErrElementEncoding, len(b))
	}
	var p edwards25519.Point
	if _, err := p.SetBytes(b); err != nil {
		return ErrNotOnCurve
	}
	// filippo.io/edwards25519 accepts non-canonical encodings (y >= p, or
	// x = 0 with the sign bit set); RFC 8032 decoding does not.
	if subtle.ConstantTimeCompare(p.Bytes(), b) != 1 {
		return fmt.Errorf("%w: non-canonical", ErrElementEncoding)
	}
	if p.Equal(edwards25519.NewIdentityPoint()) == 1 {
		return ErrIdentity
	}
	var q edwards25519.Point
	q.ScalarMult(lMinusOne, &p)
	q.Add(&q, &p)
	if q.Equal(edwards25519.NewIdentityPoint()) != 1 {
		return ErrSubgroup
	}
	v.p.Set(&p)
	return nil
}

// Ed25519VarTimeMultiScalarMult sets out to Σ scalars[i]·points[i] in
// variable time (public inputs only).
func Ed25519VarTimeMultiScalarMult(out Element, scalars []Scalar, points []Element) Element {
	ss := make([]*edwards25519.Scalar, len(scalars))
	ps := make([]*edwards25519.Point, len(points))
	for i := range scalars {
		ss[i] = ed(scalars[i])
		ps[i] = edp(points[i])
	}
	edp(out).VarTimeMultiScalarMult(ss, ps)
	return out
}

// Ed25519VarTimeDoubleBaseMult sets out to a·A + b·B (B the base point) in
// variable time (public inputs only).
func Ed25519VarTimeDoubleBaseMult(out Element, a Scalar, A Element, b Scalar) Element {
	edp(out).VarTimeDoubleScalarBaseMult(ed(a), edp(A), ed(b))
	return out
}

// Ed25519MulByCofactor sets out to 8·p.
func Ed25519MulByCofactor(out, p Element) Element {
	edp(out).MultByCofactor(edp(p))
	return out
}

// Ed25519SetBytesLoose decodes a canonical RFC 8032 point encoding without
// the identity and subgroup checks. Signature verification uses it for R,
// where the cofactored equation makes small-order components harmless.
func Ed25519SetBytesLoose(v Element, b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("%w: length %d, want 32", ErrElementEncoding, len(b))
	}
	var p edwards25519.Point
	if _, err := p.SetBytes(b); err != nil {
		return ErrNotOnCurve
	}
	if subtle.ConstantTimeCompare(p.Bytes(), b) != 1 {
		return fmt.Errorf("%w: non-canonical", ErrElementEncoding)
	}
	edp(v).Set(&p)
	return nil
}
