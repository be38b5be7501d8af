package group

import (
	"fmt"
	"io"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Secp256k1 is the secp256k1 group of SEC 2 (cofactor 1). Elements are
// encoded SEC1-compressed (33 bytes), scalars big-endian (32 bytes).
var Secp256k1 Group = secpGroup{}

type secpGroup struct{}

func (secpGroup) Name() string        { return "secp256k1" }
func (secpGroup) ScalarLen() int      { return 32 }
func (secpGroup) ElementLen() int     { return 33 }
func (secpGroup) NewScalar() Scalar   { return &secpScalar{} }
func (secpGroup) NewElement() Element { return &secpElement{} }

// RandomScalar uses rejection sampling on 32-byte strings (RFC 9591
// appendix D.1); the rejection probability is about 2^-128.
func (secpGroup) RandomScalar(r io.Reader) (Scalar, error) {
	var buf [32]byte
	defer clear(buf[:])
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, fmt.Errorf("reading randomness: %w", err)
		}
		s := &secpScalar{}
		if overflow := s.s.SetByteSlice(buf[:]); overflow || s.s.IsZero() {
			continue
		}
		return s, nil
	}
}

// Secp256k1ScalarFromHash interprets a 32-byte big-endian digest as an
// integer and reduces it modulo the group order (as BIP340 does for e).
func Secp256k1ScalarFromHash(b []byte) Scalar {
	s := &secpScalar{}
	s.s.SetByteSlice(b)
	return s
}

// secpScalar wraps decred's ModNScalar, whose arithmetic is constant time
// except inversion (only applied to public values: Lagrange denominators).
type secpScalar struct{ s secp256k1.ModNScalar }

func sc(x Scalar) *secp256k1.ModNScalar { return &x.(*secpScalar).s }

func (z *secpScalar) Set(x Scalar) Scalar { z.s.Set(sc(x)); return z }
func (z *secpScalar) SetUint64(v uint64) Scalar {
	var b [32]byte
	for i := 0; i < 8; i++ {
		b[31-i] = byte(v >> (8 * i))
	}
	z.s.SetBytes(&b)
	return z
}
func (z *secpScalar) Add(x, y Scalar) Scalar { z.s.Add2(sc(x), sc(y)); return z }

// Sub is x + (−y): ModNScalar has no subtraction.
func (z *secpScalar) Sub(x, y Scalar) Scalar {
	var ny secp256k1.ModNScalar
	ny.NegateVal(sc(y))
	z.s.Add2(sc(x), &ny)
	return z
}
func (z *secpScalar) Mul(x, y Scalar) Scalar { z.s.Mul2(sc(x), sc(y)); return z }
func (z *secpScalar) Negate(x Scalar) Scalar { z.s.NegateVal(sc(x)); return z }
func (z *secpScalar) Invert(x Scalar) Scalar { z.s.InverseValNonConst(sc(x)); return z }
func (z *secpScalar) IsZero() bool           { return z.s.IsZero() }
func (z *secpScalar) Equal(y Scalar) bool    { return z.s.Equals(sc(y)) }
func (z *secpScalar) Bytes() []byte {
	b := z.s.Bytes()
	return b[:]
}
func (z *secpScalar) SetCanonicalBytes(b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("%w: length %d, want 32", ErrScalarEncoding, len(b))
	}
	var s secp256k1.ModNScalar
	if overflow := s.SetByteSlice(b); overflow {
		return ErrScalarRange
	}
	z.s.Set(&s)
	return nil
}
func (z *secpScalar) Zero() { z.s.Zero() }

// secpElement is a Jacobian point kept normalised, as the decred routines
// require. The zero value is the point at infinity.
type secpElement struct{ p secp256k1.JacobianPoint }

func sp(x Element) *secp256k1.JacobianPoint { return &x.(*secpElement).p }

func (v *secpElement) Set(p Element) Element { v.p.Set(sp(p)); return v }
func (v *secpElement) Identity() Element     { v.p = secp256k1.JacobianPoint{}; return v }
func (v *secpElement) Add(p, q Element) Element {
	var r secp256k1.JacobianPoint
	secp256k1.AddNonConst(sp(p), sp(q), &r)
	v.p.Set(&r)
	return v
}
func (v *secpElement) Sub(p, q Element) Element {
	var nq secp256k1.JacobianPoint
	nq.Set(sp(q))
	nq.Y.Negate(1).Normalize()
	var r secp256k1.JacobianPoint
	secp256k1.AddNonConst(sp(p), &nq, &r)
	v.p.Set(&r)
	return v
}
func (v *secpElement) Negate(p Element) Element {
	v.p.Set(sp(p))
	v.p.Y.Negate(1).Normalize()
	return v
}

// ScalarMult uses decred's variable-time GLV multiplication; the identity
// is special-cased because the decred routine expects a finite point.
func (v *secpElement) ScalarMult(s Scalar, p Element) Element {
	var r secp256k1.JacobianPoint
	if !v.isInf(sp(p)) {
		secp256k1.ScalarMultNonConst(sc(s), sp(p), &r)
	}
	v.p.Set(&r)
	return v
}

// ScalarBaseMult uses decred's precomputed byte-window table (variable time).
func (v *secpElement) ScalarBaseMult(s Scalar) Element {
	var r secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(sc(s), &r)
	v.p.Set(&r)
	return v
}

// isInf matches decred's own test for the point at infinity.
func (*secpElement) isInf(p *secp256k1.JacobianPoint) bool {
	return (p.X.IsZero() && p.Y.IsZero()) || p.Z.IsZero()
}

func (v *secpElement) IsIdentity() bool { return v.isInf(&v.p) }

func (v *secpElement) Equal(q Element) bool {
	a, b := v.IsIdentity(), q.IsIdentity()
	if a || b {
		return a == b
	}
	// Compare X1·Z2² = X2·Z1² and Y1·Z2³ = Y2·Z1³: no inversion needed.
	p1, p2 := &v.p, sp(q)
	var z1s, z2s, l, r secp256k1.FieldVal
	z1s.SquareVal(&p1.Z)
	z2s.SquareVal(&p2.Z)
	l.Mul2(&p1.X, &z2s).Normalize()
	r.Mul2(&p2.X, &z1s).Normalize()
	if !l.Equals(&r) {
		return false
	}
	z1s.Mul(&p1.Z)
	z2s.Mul(&p2.Z)
	l.Mul2(&p1.Y, &z2s).Normalize()
	r.Mul2(&p2.Y, &z1s).Normalize()
	return l.Equals(&r)
}

// Secp256k1Affine rewrites p in affine form (Z = 1), so that later
// encodings and parity checks of a long-lived point need no inversion. It
// must not be called on a point other goroutines may be reading. It is a
// no-op for the identity and for edwards25519 points.
func Secp256k1Affine(p Element) {
	e, ok := p.(*secpElement)
	if !ok || e.IsIdentity() || e.p.Z.IsOne() {
		return
	}
	e.p.ToAffine()
}

// affine returns the normalised affine coordinates; v must not be the identity.
func (v *secpElement) affine() (x, y secp256k1.FieldVal) {
	if v.p.Z.IsOne() {
		x, y = v.p.X, v.p.Y
		x.Normalize()
		y.Normalize()
		return x, y
	}
	var a secp256k1.JacobianPoint
	a.Set(&v.p)
	a.ToAffine()
	return a.X, a.Y
}

func (v *secpElement) Bytes() []byte {
	if v.IsIdentity() {
		return make([]byte, 33)
	}
	x, y := v.affine()
	return secp256k1.NewPublicKey(&x, &y).SerializeCompressed()
}

// SetBytes accepts only the 33-byte compressed form: decred's ParsePubKey
// would also take 65-byte uncompressed and hybrid encodings, which would
// give points several encodings.
func (v *secpElement) SetBytes(b []byte) error {
	if len(b) != 33 {
		return fmt.Errorf("%w: length %d, want 33", ErrElementEncoding, len(b))
	}
	if b[0] != 2 && b[0] != 3 {
		return fmt.Errorf("%w: prefix %#02x, want 0x02 or 0x03", ErrElementEncoding, b[0])
	}
	pk, err := secp256k1.ParsePubKey(b)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotOnCurve, err)
	}
	pk.AsJacobian(&v.p)
	return nil
}

// Secp256k1HasEvenY reports whether the affine y coordinate of p is even;
// p must not be the identity.
func Secp256k1HasEvenY(p Element) bool {
	_, y := p.(*secpElement).affine()
	return !y.IsOdd()
}

// Secp256k1XBytes returns the 32-byte big-endian x coordinate of p (the
// BIP340 x-only encoding); p must not be the identity.
func Secp256k1XBytes(p Element) []byte {
	x, _ := p.(*secpElement).affine()
	b := x.Bytes()
	return b[:]
}

// Secp256k1LiftX sets v to the point with x coordinate b (32 bytes,
// big-endian) and even y, as BIP340's lift_x.
func Secp256k1LiftX(v Element, b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("%w: length %d, want 32", ErrElementEncoding, len(b))
	}
	var enc [33]byte
	enc[0] = 2
	copy(enc[1:], b)
	return v.SetBytes(enc[:])
}

// Secp256k1FieldBytesValid reports whether the 32-byte big-endian b is
// below the field prime (BIP340 requires it of r).
func Secp256k1FieldBytesValid(b []byte) bool {
	var f secp256k1.FieldVal
	return len(b) == 32 && !f.SetByteSlice(b)
}
