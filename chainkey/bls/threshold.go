package bls

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Errors of threshold operations.
var (
	// ErrTooFewShares reports fewer distinct shares than the threshold.
	ErrTooFewShares = errors.New("bls: too few shares")
	// ErrDuplicateIndex reports two shares with the same index.
	ErrDuplicateIndex = errors.New("bls: duplicate share index")
	// ErrIndexMismatch reports a share checked against the key of another
	// index.
	ErrIndexMismatch = errors.New("bls: share index mismatch")
	// ErrThreshold reports a threshold below 1 or above the supported
	// maximum, or polynomials of different thresholds combined.
	ErrThreshold = errors.New("bls: invalid threshold")
)

// MaxThreshold bounds the threshold (number of polynomial coefficients)
// accepted by constructors and decoders, so that a malformed length cannot
// make a decoder allocate without limit.
const MaxThreshold = 1024

// Share indices: the holder with index i (0-based, as in a committee
// list) owns the polynomial's value at x = i+1; x = 0 is the secret itself
// and is never handed out.

// SecretKeyShare is one holder's share of a threshold secret key.
type SecretKeyShare struct {
	Index uint32    // holder index i; the share is f(i+1)
	Key   SecretKey // the share value
}

// PublicKeyShare is the public key of a [SecretKeyShare], against which its
// signature shares verify.
type PublicKeyShare struct {
	Index uint32
	Key   PublicKey
}

// SignatureShare is one holder's signature share; any threshold of them
// with distinct indices combine into the group signature.
type SignatureShare struct {
	Index     uint32
	Signature Signature
}

// Sizes of share encodings: a 4-byte big-endian index, then the value.
const (
	SecretKeyShareSize = 4 + SecretKeySize
	PublicKeyShareSize = 4 + PublicKeySize
	SignatureShareSize = 4 + SignatureSize
)

// Sign returns the signature share of s on msg (basic scheme, [DSTBasic]).
func (s SecretKeyShare) Sign(msg []byte) SignatureShare {
	return SignatureShare{Index: s.Index, Signature: s.Key.Sign(msg)}
}

// PublicKey returns the share's public key.
func (s SecretKeyShare) PublicKey() PublicKeyShare {
	return PublicKeyShare{Index: s.Index, Key: s.Key.PublicKey()}
}

// Zero overwrites the secret share.
func (s *SecretKeyShare) Zero() { s.Key.Zero() }

// Verify checks a signature share against this public key share. It
// returns nil, [ErrIndexMismatch] or [ErrInvalidSignature].
func (p PublicKeyShare) Verify(msg []byte, s SignatureShare) error {
	if p.Index != s.Index {
		return ErrIndexMismatch
	}
	return p.Key.Verify(msg, s.Signature)
}

// BatchVerifyShares checks signature shares on one message, shares[i]
// against keys[i], and returns the positions of invalid shares (nil if all
// verify); see [BatchVerifyMulti] for the method and its cost. A share
// whose index differs from its key's is reported invalid.
func BatchVerifyShares(keys []PublicKeyShare, msg []byte, shares []SignatureShare) ([]int, error) {
	if len(keys) == 0 || len(keys) != len(shares) {
		return nil, ErrNoKeys
	}
	pks := make([]PublicKey, len(keys))
	sigs := make([]Signature, len(keys))
	for i := range keys {
		if keys[i].Index != shares[i].Index {
			continue // left zero: reported as bad
		}
		pks[i] = keys[i].Key
		sigs[i] = shares[i].Signature
	}
	return batchVerify(pks, msg, sigs, DSTBasic)
}

// lagrangeAtZero returns, for distinct holder indices, the Lagrange
// coefficients λᵢ = Πⱼ≠ᵢ xⱼ/(xⱼ−xᵢ) with xᵢ = indexᵢ+1, so that
// f(0) = Σ λᵢ f(xᵢ) for any polynomial of degree < len(indices).
func lagrangeAtZero(indices []uint32) ([]fr.Element, error) {
	n := len(indices)
	xs := make([]fr.Element, n)
	seen := make(map[uint32]struct{}, n)
	for i, idx := range indices {
		if _, dup := seen[idx]; dup {
			return nil, fmt.Errorf("%w: %d", ErrDuplicateIndex, idx)
		}
		seen[idx] = struct{}{}
		xs[i].SetUint64(uint64(idx) + 1)
	}
	// λᵢ = Πⱼ≠ᵢ xⱼ / Πⱼ≠ᵢ (xⱼ − xᵢ): O(t²) field multiplications and one
	// batched inversion (≈ 30 µs for t = 27), negligible next to the
	// multi-scalar multiplication that uses them. Distinct indices make
	// every denominator non-zero.
	num := make([]fr.Element, n)
	den := make([]fr.Element, n)
	for i := range n {
		num[i].SetOne()
		den[i].SetOne()
		for j := range n {
			if i == j {
				continue
			}
			var d fr.Element
			d.Sub(&xs[j], &xs[i])
			num[i].Mul(&num[i], &xs[j])
			den[i].Mul(&den[i], &d)
		}
	}
	inv := fr.BatchInvert(den)
	for i := range num {
		num[i].Mul(&num[i], &inv[i])
	}
	return num, nil
}

// Combine interpolates the group signature from signature shares: the
// first threshold shares with distinct indices are combined by Lagrange
// interpolation at 0 in G1 (one multi-scalar multiplication). Combine does
// not verify the shares; verify them first ([PublicKeyShare.Verify],
// [BatchVerifyShares]) or verify the result and fall back to checking
// shares on failure. It returns [ErrTooFewShares] when fewer than
// threshold distinct indices are present and [ErrThreshold] for a
// threshold out of range.
func Combine(threshold int, shares []SignatureShare) (Signature, error) {
	if threshold < 1 || threshold > MaxThreshold {
		return Signature{}, ErrThreshold
	}
	indices := make([]uint32, 0, threshold)
	points := make([]bls12381.G1Affine, 0, threshold)
	seen := make(map[uint32]struct{}, threshold)
	for _, s := range shares {
		if len(indices) == threshold {
			break
		}
		if _, dup := seen[s.Index]; dup {
			continue
		}
		if s.Signature.p.IsInfinity() {
			return Signature{}, fmt.Errorf("share %d: %w", s.Index, ErrZeroValue)
		}
		seen[s.Index] = struct{}{}
		indices = append(indices, s.Index)
		points = append(points, s.Signature.p)
	}
	if len(indices) < threshold {
		return Signature{}, fmt.Errorf("%w: %d of %d", ErrTooFewShares, len(indices), threshold)
	}
	// σ = Σ λᵢ·σᵢ = H(m)^{Σ λᵢ f(xᵢ)} = H(m)^{f(0)}: the signature under
	// the group secret, identical for every choice of shares (uniqueness).
	lambda, err := lagrangeAtZero(indices)
	if err != nil {
		return Signature{}, err
	}
	var out Signature
	if threshold == 1 {
		out.p.ScalarMultiplication(&points[0], lambda[0].BigInt(new(big.Int)))
	} else if _, err := out.p.MultiExp(points, lambda, ecc.MultiExpConfig{}); err != nil {
		return Signature{}, fmt.Errorf("bls: combine: %w", err)
	}
	if out.p.IsInfinity() {
		return Signature{}, ErrInvalidSignature
	}
	return out, nil
}

// Polynomial is a secret polynomial f of degree threshold−1 over the
// scalar field, used by a dealer to share f(0). It holds secret material:
// call [Polynomial.Zero] when done.
type Polynomial struct {
	a []fr.Element // a[0] = f(0)
}

// NewPolynomial returns a random polynomial with threshold coefficients,
// reading randomness from rand. If secret is non-nil it becomes f(0)
// (resharing an existing key or share); otherwise f(0) is random too.
func NewPolynomial(rand io.Reader, threshold int, secret *SecretKey) (*Polynomial, error) {
	if threshold < 1 || threshold > MaxThreshold {
		return nil, ErrThreshold
	}
	p := &Polynomial{a: make([]fr.Element, threshold)}
	for i := range p.a {
		if i == 0 && secret != nil {
			if secret.IsZero() {
				return nil, ErrZeroValue
			}
			p.a[0] = secret.s
			continue
		}
		s, err := randomScalar(rand)
		if err != nil {
			return nil, err
		}
		p.a[i] = s
	}
	return p, nil
}

// Threshold returns the number of coefficients (degree + 1).
func (p *Polynomial) Threshold() int { return len(p.a) }

// Secret returns f(0).
func (p *Polynomial) Secret() SecretKey { return SecretKey{s: p.a[0]} }

// eval returns f(x) by Horner's rule.
func (p *Polynomial) eval(x *fr.Element) fr.Element {
	var r fr.Element
	for i := len(p.a) - 1; i >= 0; i-- {
		r.Mul(&r, x).Add(&r, &p.a[i])
	}
	return r
}

// Share returns the share of holder index: f(index+1). A zero value, which
// occurs with negligible probability, is returned as is and then fails
// encoding; callers need not special-case it.
func (p *Polynomial) Share(index uint32) SecretKeyShare {
	var x fr.Element
	x.SetUint64(uint64(index) + 1)
	return SecretKeyShare{Index: index, Key: SecretKey{s: p.eval(&x)}}
}

// Commitments returns the Feldman commitments g2^aⱼ to the coefficients.
func (p *Polynomial) Commitments() PublicCoefficients {
	_, _, _, g2 := bls12381.Generators()
	return PublicCoefficients{c: bls12381.BatchScalarMultiplicationG2(&g2, p.a)}
}

// Zero overwrites the coefficients.
func (p *Polynomial) Zero() {
	for i := range p.a {
		p.a[i].SetZero()
	}
}

// PublicCoefficients are the commitments C_k = g2^{a_k} to a secret
// polynomial: C_0 is the group public key, and Σ C_k·x^k is the public key
// of the share at x. A transcript's coefficients are all a verifier needs
// to check shares and group signatures. The value is immutable once built;
// methods never modify it.
type PublicCoefficients struct {
	c []bls12381.G2Affine
}

// Threshold returns the number of coefficients, the number of shares
// needed to sign.
func (pc PublicCoefficients) Threshold() int { return len(pc.c) }

// PublicKey returns the group public key C_0.
func (pc PublicCoefficients) PublicKey() PublicKey {
	if len(pc.c) == 0 {
		return PublicKey{}
	}
	return PublicKey{p: pc.c[0]}
}

// Equal reports whether pc and other are the same commitments.
func (pc PublicCoefficients) Equal(other PublicCoefficients) bool {
	if len(pc.c) != len(other.c) {
		return false
	}
	for i := range pc.c {
		if !pc.c[i].Equal(&other.c[i]) {
			return false
		}
	}
	return true
}

// ShareKey returns the public key of the share of holder index:
// Σ C_k·(index+1)^k, evaluated by Horner's rule with small-scalar
// multiplications. It returns a zero key for empty coefficients.
func (pc PublicCoefficients) ShareKey(index uint32) PublicKeyShare {
	out := PublicKeyShare{Index: index}
	if len(pc.c) == 0 {
		return out
	}
	// Horner: ((C_{t−1}·x + C_{t−2})·x + …)·x + C_0. The multiplier x is at
	// most 2^32, so each step is a few doublings rather than a 255-bit
	// scalar multiplication: for t = 27 and x ≤ 40 about 27×6 doublings.
	x := uint64(index) + 1
	var acc bls12381.G2Jac
	acc.FromAffine(&pc.c[len(pc.c)-1])
	for k := len(pc.c) - 2; k >= 0; k-- {
		mulSmallG2(&acc, x)
		acc.AddMixed(&pc.c[k])
	}
	out.Key.p.FromJacobian(&acc)
	return out
}

// VerifyShare reports whether share is consistent with the commitments:
// g2^share = ShareKey(share.Index).
func (pc PublicCoefficients) VerifyShare(share SecretKeyShare) bool {
	if len(pc.c) == 0 || share.Key.IsZero() {
		return false
	}
	want := pc.ShareKey(share.Index)
	got := share.Key.PublicKey()
	return want.Key.p.Equal(&got.p)
}

// mulSmallG2 sets p = x·p by double-and-add; x is at most 2^32, so this
// is far cheaper than a full scalar multiplication.
func mulSmallG2(p *bls12381.G2Jac, x uint64) {
	if x == 1 {
		return
	}
	base := *p
	top := 63
	for x>>uint(top)&1 == 0 {
		top--
	}
	for i := top - 1; i >= 0; i-- {
		p.DoubleAssign()
		if x>>uint(i)&1 == 1 {
			p.AddAssign(&base)
		}
	}
}

// AddPublicCoefficients sums commitments of polynomials with the same
// threshold: the commitments of the sum polynomial (a fresh DKG's group
// polynomial). It returns [ErrThreshold] for mismatched thresholds and
// [ErrNoKeys] for an empty list.
func AddPublicCoefficients(cs []PublicCoefficients) (PublicCoefficients, error) {
	if len(cs) == 0 {
		return PublicCoefficients{}, ErrNoKeys
	}
	t := len(cs[0].c)
	acc := make([]bls12381.G2Jac, t)
	for _, c := range cs {
		if len(c.c) != t || t == 0 {
			return PublicCoefficients{}, ErrThreshold
		}
		for k := range c.c {
			acc[k].AddMixed(&c.c[k])
		}
	}
	out := make([]bls12381.G2Affine, t)
	for k := range acc {
		out[k].FromJacobian(&acc[k])
	}
	return PublicCoefficients{c: out}, nil
}

// InterpolatePublicCoefficients returns Σ λᵢ·csᵢ where λ are the Lagrange
// coefficients at 0 for the holder indices: the commitments of a reshared
// polynomial, whose constant term equals the old group key when each csᵢ
// was dealt from the old share of indices[i]. Errors as
// [AddPublicCoefficients], plus [ErrDuplicateIndex].
func InterpolatePublicCoefficients(indices []uint32, cs []PublicCoefficients) (PublicCoefficients, error) {
	if len(cs) == 0 || len(cs) != len(indices) {
		return PublicCoefficients{}, ErrNoKeys
	}
	lambda, err := lagrangeAtZero(indices)
	if err != nil {
		return PublicCoefficients{}, err
	}
	t := len(cs[0].c)
	out := make([]bls12381.G2Affine, t)
	pts := make([]bls12381.G2Affine, len(cs))
	for k := range t {
		for i, c := range cs {
			if len(c.c) != t || t == 0 {
				return PublicCoefficients{}, ErrThreshold
			}
			pts[i] = c.c[k]
		}
		if _, err := out[k].MultiExp(pts, lambda, ecc.MultiExpConfig{}); err != nil {
			return PublicCoefficients{}, fmt.Errorf("bls: interpolate: %w", err)
		}
	}
	return PublicCoefficients{c: out}, nil
}

// AddSecretKeys sums secret scalars: a fresh DKG receiver's final share
// is the sum of the shares it received. It returns [ErrNoKeys] for an
// empty list and [ErrInvalidSecretKey] if the sum is zero.
func AddSecretKeys(keys []SecretKey) (SecretKey, error) {
	if len(keys) == 0 {
		return SecretKey{}, ErrNoKeys
	}
	var s fr.Element
	for i := range keys {
		s.Add(&s, &keys[i].s)
	}
	if s.IsZero() {
		return SecretKey{}, ErrInvalidSecretKey
	}
	return SecretKey{s: s}, nil
}

// InterpolateSecretKeys returns Σ λᵢ·keysᵢ with the Lagrange coefficients
// at 0 of the holder indices: a resharing receiver's new share, or, given
// threshold shares of a key, the key itself (tests only: a real deployment
// never reassembles the secret).
func InterpolateSecretKeys(indices []uint32, keys []SecretKey) (SecretKey, error) {
	if len(keys) == 0 || len(keys) != len(indices) {
		return SecretKey{}, ErrNoKeys
	}
	lambda, err := lagrangeAtZero(indices)
	if err != nil {
		return SecretKey{}, err
	}
	var s fr.Element
	for i := range keys {
		var t fr.Element
		t.Mul(&lambda[i], &keys[i].s)
		s.Add(&s, &t)
	}
	if s.IsZero() {
		return SecretKey{}, ErrInvalidSecretKey
	}
	return SecretKey{s: s}, nil
}

// MarshalBinary encodes the coefficients as a 4-byte big-endian count
// followed by 96-byte compressed points.
func (pc PublicCoefficients) MarshalBinary() ([]byte, error) {
	if len(pc.c) == 0 {
		return nil, ErrZeroValue
	}
	return pc.AppendBinary(make([]byte, 0, 4+PublicKeySize*len(pc.c)))
}

// AppendBinary appends the encoding of [PublicCoefficients.MarshalBinary]
// to b.
func (pc PublicCoefficients) AppendBinary(b []byte) ([]byte, error) {
	if len(pc.c) == 0 {
		return nil, ErrZeroValue
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(pc.c)))
	for i := range pc.c {
		p := pc.c[i].Bytes()
		b = append(b, p[:]...)
	}
	return b, nil
}

// UnmarshalBinary decodes coefficients. Every point is subgroup-checked;
// C_0 (the group key) must not be the identity, higher coefficients may be
// (a lower-degree polynomial is harmless). The count must be between 1 and
// [MaxThreshold] and match the length exactly.
func (pc *PublicCoefficients) UnmarshalBinary(data []byte) error {
	c, rest, err := decodeCoefficients(data)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("public coefficients: %w: %d trailing bytes", ErrEncoding, len(rest))
	}
	pc.c = c
	return nil
}

// DecodePublicCoefficients decodes coefficients from the front of data
// and returns the rest, for embedding in larger encodings.
func DecodePublicCoefficients(data []byte) (PublicCoefficients, []byte, error) {
	c, rest, err := decodeCoefficients(data)
	return PublicCoefficients{c: c}, rest, err
}

func decodeCoefficients(data []byte) ([]bls12381.G2Affine, []byte, error) {
	if len(data) < 4 {
		return nil, nil, fmt.Errorf("public coefficients: %w: short", ErrEncoding)
	}
	n := binary.BigEndian.Uint32(data)
	if n < 1 || n > MaxThreshold {
		return nil, nil, fmt.Errorf("public coefficients: %w: count %d", ErrThreshold, n)
	}
	data = data[4:]
	if len(data) < int(n)*PublicKeySize {
		return nil, nil, fmt.Errorf("public coefficients: %w: short", ErrEncoding)
	}
	c := make([]bls12381.G2Affine, n)
	for i := range c {
		chunk := data[i*PublicKeySize : (i+1)*PublicKeySize]
		p, err := decodeG2(chunk)
		if errors.Is(err, ErrIdentity) && i > 0 {
			c[i].SetInfinity()
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("public coefficient %d: %w", i, err)
		}
		c[i] = p
	}
	return c, data[int(n)*PublicKeySize:], nil
}

// MarshalBinary encodes the share as index ‖ 32-byte scalar.
func (s SecretKeyShare) MarshalBinary() ([]byte, error) {
	k, err := s.Key.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint32(make([]byte, 0, SecretKeyShareSize), s.Index), k...), nil
}

// UnmarshalBinary decodes index ‖ scalar, with [SecretKey.UnmarshalBinary]'s checks.
func (s *SecretKeyShare) UnmarshalBinary(data []byte) error {
	if len(data) != SecretKeyShareSize {
		return fmt.Errorf("secret key share: %w: %d bytes, want %d", ErrEncoding, len(data), SecretKeyShareSize)
	}
	if err := s.Key.UnmarshalBinary(data[4:]); err != nil {
		return err
	}
	s.Index = binary.BigEndian.Uint32(data)
	return nil
}

// MarshalBinary encodes the share as index ‖ 96-byte compressed key.
func (p PublicKeyShare) MarshalBinary() ([]byte, error) {
	k, err := p.Key.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint32(make([]byte, 0, PublicKeyShareSize), p.Index), k...), nil
}

// UnmarshalBinary decodes index ‖ key, with [PublicKey.UnmarshalBinary]'s checks.
func (p *PublicKeyShare) UnmarshalBinary(data []byte) error {
	if len(data) != PublicKeyShareSize {
		return fmt.Errorf("public key share: %w: %d bytes, want %d", ErrEncoding, len(data), PublicKeyShareSize)
	}
	if err := p.Key.UnmarshalBinary(data[4:]); err != nil {
		return err
	}
	p.Index = binary.BigEndian.Uint32(data)
	return nil
}

// MarshalBinary encodes the share as index ‖ 48-byte compressed signature.
func (s SignatureShare) MarshalBinary() ([]byte, error) {
	k, err := s.Signature.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint32(make([]byte, 0, SignatureShareSize), s.Index), k...), nil
}

// UnmarshalBinary decodes index ‖ signature, with [Signature.UnmarshalBinary]'s checks.
func (s *SignatureShare) UnmarshalBinary(data []byte) error {
	if len(data) != SignatureShareSize {
		return fmt.Errorf("signature share: %w: %d bytes, want %d", ErrEncoding, len(data), SignatureShareSize)
	}
	if err := s.Signature.UnmarshalBinary(data[4:]); err != nil {
		return err
	}
	s.Index = binary.BigEndian.Uint32(data)
	return nil
}
