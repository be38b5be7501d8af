package frost

import (
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/thebigfile/bigfile/chainkey/derive"
	"github.com/thebigfile/bigfile/chainkey/frost/internal/group"
)

// Identifier names a participant: the x coordinate of its Shamir share, in
// [1, MaxSigners]. Zero is never a valid identifier.
type Identifier uint16

// MaxSigners bounds the number of participants of one group.
const MaxSigners = 1<<16 - 1

func (id Identifier) scalar(cs *ciphersuite) group.Scalar {
	return cs.g.NewScalar().SetUint64(uint64(id))
}

// GroupKey is the public information of a threshold group (RFC 9591 "group
// info"): the suite, the number of participants, the Feldman commitment to
// the sharing polynomial (whose constant term is the group public key, and
// from which every participant's verification share follows), and
// optionally a derivation: an additive tweak and chain code (see Derive).
//
// A GroupKey is immutable and safe for concurrent use.
type GroupKey struct {
	cs   *ciphersuite
	root *rootKey
	// tweak is the additive derivation offset (zero for the root key),
	// tweakG = tweak·G, pub = C_0 + tweakG.
	tweak     group.Scalar
	tweakG    group.Element
	pub       group.Element
	chainCode [32]byte
}

// rootKey is the part shared by a group key and every key derived from it.
type rootKey struct {
	n          uint16
	commitment []group.Element // len = threshold
	mu         sync.Mutex
	vshares    map[Identifier]group.Element // Σ_j C_j·i^j, filled on demand
}

func newGroupKey(cs *ciphersuite, n uint16, commitment []group.Element) *GroupKey {
	// The points are fresh (or decoded) and not shared yet, so they can be
	// made affine in place; every later encoding then skips an inversion.
	for _, c := range commitment {
		group.Secp256k1Affine(c)
	}
	gk := &GroupKey{cs: cs, root: &rootKey{n: n, commitment: commitment}}
	gk.tweak = cs.g.NewScalar()
	gk.tweakG = cs.g.NewElement()
	gk.pub = cs.g.NewElement().Set(commitment[0])
	return gk
}

// valid reports whether gk was built by this package (not nil, not zero).
func (gk *GroupKey) valid() bool { return gk != nil && gk.cs != nil && gk.root != nil }

// Suite returns the group's ciphersuite.
func (gk *GroupKey) Suite() Suite { return gk.cs.id }

// Threshold returns the number of signers needed to sign (MIN_PARTICIPANTS).
func (gk *GroupKey) Threshold() int { return len(gk.root.commitment) }

// Signers returns the number of participants (MAX_PARTICIPANTS); their
// identifiers are 1..Signers().
func (gk *GroupKey) Signers() int { return int(gk.root.n) }

// PublicKey returns the verifying key: for a derived key, the derived one.
func (gk *GroupKey) PublicKey() PublicKey {
	return PublicKey{cs: gk.cs, p: gk.cs.g.NewElement().Set(gk.pub)}
}

// ChainCode returns the chain code for further derivation: zero for a root
// key (the IC's master chain code), the derived chain code otherwise.
func (gk *GroupKey) ChainCode() [32]byte { return gk.chainCode }

// Tweak returns the encoded additive offset between the root key and this
// key (the zero scalar for a root key), in the suite's scalar encoding.
func (gk *GroupKey) Tweak() []byte { return gk.tweak.Bytes() }

// Root returns the underived group key.
func (gk *GroupKey) Root() *GroupKey {
	if gk.tweak.IsZero() && gk.chainCode == ([32]byte{}) {
		return gk
	}
	return newGroupKey(gk.cs, gk.root.n, gk.root.commitment)
}

// sameRoot reports whether two group keys share suite, signers and
// commitment (possibly with different derivations).
func (gk *GroupKey) sameRoot(o *GroupKey) bool {
	if gk.root == o.root {
		return true
	}
	if gk.cs != o.cs || gk.root.n != o.root.n || len(gk.root.commitment) != len(o.root.commitment) {
		return false
	}
	for i, c := range gk.root.commitment {
		if !c.Equal(o.root.commitment[i]) {
			return false
		}
	}
	return true
}

// Equal reports whether two group keys are identical, derivation included.
func (gk *GroupKey) Equal(o *GroupKey) bool {
	return gk.sameRoot(o) && gk.tweak.Equal(o.tweak) && gk.chainCode == o.chainCode
}

// verificationShare returns participant id's public key share under this
// (possibly derived) key: Σ_j C_j·id^j + tweak·G.
func (gk *GroupKey) verificationShare(id Identifier) group.Element {
	r := gk.root
	r.mu.Lock()
	v, ok := r.vshares[id]
	if !ok {
		// Computed per identifier, not for all signers at once, so that a
		// decoded key claiming 65535 signers costs nothing up front.
		if r.vshares == nil {
			r.vshares = make(map[Identifier]group.Element)
		}
		v = evalCommitment(gk.cs, r.commitment, id)
		group.Secp256k1Affine(v)
		r.vshares[id] = v
	}
	r.mu.Unlock()
	return gk.cs.g.NewElement().Add(v, gk.tweakG)
}

// evalCommitment computes Σ_j C_j·x^j by Horner's rule.
func evalCommitment(cs *ciphersuite, c []group.Element, id Identifier) group.Element {
	x := id.scalar(cs)
	acc := cs.g.NewElement().Set(c[len(c)-1])
	for j := len(c) - 2; j >= 0; j-- {
		acc.ScalarMult(x, acc)
		acc.Add(acc, c[j])
	}
	return acc
}

// VerificationShare returns the encoded public key share of participant id
// under this key (public_key_i in RFC 9591).
func (gk *GroupKey) VerificationShare(id Identifier) ([]byte, error) {
	if id == 0 || int(id) > gk.Signers() {
		return nil, fmt.Errorf("%w: identifier %d not in [1, %d]", ErrInvalidParameters, id, gk.Signers())
	}
	return gk.verificationShare(id).Bytes(), nil
}

// Derive returns the group key derived along path with the IC's scheme for
// the suite (package chainkey/derive: generalised BIP32 for BIP340, HKDF for
// Ed25519), starting from this key's public key and chain code. The derived
// key's tweak is this key's tweak plus the derivation offset, so shares of
// the root secret sign for it directly (KeyShare.Sign adds the tweak).
//
// Derivation composes: gk.Derive(a).Derive(b) equals gk.Derive(a ‖ b).
func (gk *GroupKey) Derive(path [][]byte) (*GroupKey, error) {
	f := derive.Ed25519
	if gk.cs.bip340 {
		f = derive.Secp256k1
	}
	k, err := f(gk.pub.Bytes(), gk.chainCode, path)
	if err != nil {
		return nil, fmt.Errorf("frost: derive: %w", err)
	}
	off := gk.cs.g.NewScalar()
	offBytes := k.Offset[:]
	if err := off.SetCanonicalBytes(offBytes); err != nil {
		return nil, fmt.Errorf("frost: derive: offset: %w", err)
	}
	d := &GroupKey{cs: gk.cs, root: gk.root, chainCode: k.ChainCode}
	d.tweak = gk.cs.g.NewScalar().Add(gk.tweak, off)
	d.tweakG = gk.cs.g.NewElement().ScalarBaseMult(d.tweak)
	d.pub = gk.cs.g.NewElement().Add(gk.root.commitment[0], d.tweakG)
	group.Secp256k1Affine(d.tweakG)
	group.Secp256k1Affine(d.pub)
	if string(d.pub.Bytes()) != string(k.PublicKey) {
		// Unreachable unless derive and this package disagree on encodings.
		return nil, fmt.Errorf("frost: derive: internal inconsistency in derived key")
	}
	return d, nil
}

// MarshalBinary encodes the group key:
//
//	suite (1) ‖ signers (2, big-endian) ‖ threshold (2) ‖ commitment (threshold × Ne)
//	‖ chain code (32) ‖ tweak (Ns)
//
// Ne is 32 (Ed25519) or 33 (BIP340, SEC1 compressed); Ns is 32.
func (gk *GroupKey) MarshalBinary() ([]byte, error) {
	b := []byte{byte(gk.cs.id)}
	b = appendU16(b, gk.root.n)
	b = appendU16(b, uint16(len(gk.root.commitment)))
	for _, c := range gk.root.commitment {
		b = append(b, c.Bytes()...)
	}
	b = append(b, gk.chainCode[:]...)
	return append(b, gk.tweak.Bytes()...), nil
}

// ParseGroupKey decodes MarshalBinary's output. It returns ErrMalformed for
// any malformed input (including 1 ≤ threshold ≤ signers violations and
// invalid points) and ErrUnknownSuite for an unknown suite byte.
func ParseGroupKey(b []byte) (*GroupKey, error) {
	d := &decoder{b: b}
	gk, err := d.groupKey()
	if err := d.finish("group key"); err != nil {
		return nil, err
	}
	return gk, err
}

func (d *decoder) groupKey() (*GroupKey, error) {
	cs := d.suite()
	n := d.u16()
	t := d.u16()
	if d.err != nil {
		return nil, nil
	}
	if t == 0 || n == 0 || t > n {
		d.err = fmt.Errorf("threshold %d, signers %d", t, n)
		return nil, nil
	}
	if len(d.b) < int(t)*cs.g.ElementLen() {
		d.err = errShort
		return nil, nil
	}
	c := make([]group.Element, t)
	for i := range c {
		c[i] = d.element(cs, "commitment")
	}
	cc := d.bytes(32)
	tweak := d.scalar(cs, "tweak")
	if d.err != nil {
		return nil, nil
	}
	gk := newGroupKey(cs, n, c)
	copy(gk.chainCode[:], cc)
	gk.tweak = tweak
	gk.tweakG.ScalarBaseMult(tweak)
	gk.pub.Add(c[0], gk.tweakG)
	group.Secp256k1Affine(gk.tweakG)
	group.Secp256k1Affine(gk.pub)
	if gk.pub.IsIdentity() {
		d.err = fmt.Errorf("derived key is the identity")
		return nil, nil
	}
	return gk, nil
}

// PublicKey is a group's verifying key. The zero value is not usable.
type PublicKey struct {
	cs *ciphersuite
	p  group.Element
}

// Suite returns the key's ciphersuite.
func (pk PublicKey) Suite() Suite {
	if pk.cs == nil {
		return 0
	}
	return pk.cs.id
}

// Bytes returns the key's encoding: 32 bytes (RFC 8032) for Ed25519, 33
// bytes SEC1 compressed for BIP340 (as the IC's schnorr_public_key returns
// it; see XOnly for the BIP340 form).
func (pk PublicKey) Bytes() []byte {
	if pk.cs == nil {
		return nil
	}
	return pk.p.Bytes()
}

// XOnly returns the 32-byte BIP340 public key (the x coordinate) for a
// BIP340 key, and the same as Bytes for Ed25519.
func (pk PublicKey) XOnly() []byte {
	if pk.cs == nil {
		return nil
	}
	if pk.cs.bip340 {
		return group.Secp256k1XBytes(pk.p)
	}
	return pk.p.Bytes()
}

// Verify checks a 64-byte signature over msg: RFC 8032 Ed25519 verification
// with the cofactored equation, or BIP340 verification under XOnly(). It
// returns nil or an error wrapping ErrInvalidSignature.
func (pk PublicKey) Verify(msg, sig []byte) error {
	if pk.cs == nil {
		return fmt.Errorf("%w: zero public key", ErrInvalidSignature)
	}
	return pk.cs.verify(pk.p, msg, sig)
}

// ParsePublicKey decodes a public key of the given suite (the encoding of
// PublicKey.Bytes; for BIP340 a 32-byte x-only key is accepted too and means
// the even-y point). It rejects off-curve points, the identity and, for
// Ed25519, non-canonical encodings and points outside the prime-order
// subgroup, with ErrMalformed.
func ParsePublicKey(s Suite, b []byte) (PublicKey, error) {
	cs, err := s.lookup()
	if err != nil {
		return PublicKey{}, err
	}
	p := cs.g.NewElement()
	if cs.bip340 && len(b) == 32 {
		err = group.Secp256k1LiftX(p, b)
	} else {
		err = p.SetBytes(b)
	}
	if err != nil {
		return PublicKey{}, malformed("public key", err)
	}
	return PublicKey{cs: cs, p: p}, nil
}

// Verify is shorthand for ParsePublicKey followed by PublicKey.Verify.
func Verify(s Suite, publicKey, msg, sig []byte) error {
	pk, err := ParsePublicKey(s, publicKey)
	if err != nil {
		return err
	}
	return pk.Verify(msg, sig)
}

// KeyShare is one participant's secret share of a group key together with
// the group's public information. Its secret must stay with the participant;
// Zero wipes it.
//
// A KeyShare is not safe for concurrent use with Zero; Commit and Sign only
// read it and may run concurrently.
type KeyShare struct {
	id     Identifier
	secret group.Scalar
	gk     *GroupKey // root key
}

// ID returns the participant's identifier.
func (ks *KeyShare) ID() Identifier { return ks.id }

// GroupKey returns the (root) group key the share belongs to.
func (ks *KeyShare) GroupKey() *GroupKey { return ks.gk }

// Zero overwrites the secret share. The share is unusable afterwards.
func (ks *KeyShare) Zero() {
	if ks.secret != nil {
		ks.secret.Zero()
	}
	ks.id = 0
}

// MarshalBinary encodes the share: identifier (2) ‖ secret (Ns) ‖ group key.
// The output holds the secret; the caller must protect and wipe it.
func (ks *KeyShare) MarshalBinary() ([]byte, error) {
	if ks.id == 0 {
		return nil, fmt.Errorf("%w: key share was zeroed", ErrInvalidParameters)
	}
	gkb, _ := ks.gk.Root().MarshalBinary()
	b := appendU16(nil, uint16(ks.id))
	b = append(b, ks.secret.Bytes()...)
	return append(b, gkb...), nil
}

// ParseKeyShare decodes MarshalBinary's output and checks the secret share
// against the group's commitment (Feldman vss_verify), so a corrupted or
// mismatched share is rejected with ErrMalformed.
func ParseKeyShare(b []byte) (*KeyShare, error) {
	// Both suites have 32-byte scalars: identifier (2) ‖ secret (32) ‖ group key.
	if len(b) < 2+32 {
		return nil, malformed("key share", errShort)
	}
	gk, err := ParseGroupKey(b[2+32:])
	if err != nil {
		return nil, fmt.Errorf("key share: %w", err)
	}
	d := &decoder{b: b[:2+32]}
	id := d.id("identifier")
	secret := d.scalar(gk.cs, "secret")
	if err := d.finish("key share"); err != nil {
		return nil, err
	}
	if int(id) > gk.Signers() {
		return nil, malformed("key share", fmt.Errorf("identifier %d > signers %d", id, gk.Signers()))
	}
	if !gk.tweak.IsZero() || gk.chainCode != ([32]byte{}) {
		return nil, malformed("key share", fmt.Errorf("group key is derived"))
	}
	ks := &KeyShare{id: id, secret: secret, gk: gk}
	if !gk.cs.g.NewElement().ScalarBaseMult(secret).Equal(gk.verificationShare(id)) {
		secret.Zero()
		return nil, malformed("key share", fmt.Errorf("secret does not match the group commitment"))
	}
	return ks, nil
}

// Deal is RFC 9591's trusted_dealer_keygen: it draws a group secret and a
// random polynomial of degree threshold−1 from rand, and returns the group
// key and the n shares (identifiers 1..n). The dealer learns the group
// secret, so this is for tests and single-operator setups; groups of
// mutually distrusting parties use the DKG ([NewDKG]).
//
// It returns ErrInvalidParameters unless 1 ≤ threshold ≤ n ≤ MaxSigners, and
// ErrRandomness if rand fails.
func Deal(s Suite, rand io.Reader, threshold, n int) (*GroupKey, []*KeyShare, error) {
	cs, err := s.lookup()
	if err != nil {
		return nil, nil, err
	}
	if err := checkParams(threshold, n); err != nil {
		return nil, nil, err
	}
	coeffs := make([]group.Scalar, threshold)
	for i := range coeffs {
		if coeffs[i], err = cs.g.RandomScalar(rand); err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrRandomness, err)
		}
	}
	gk, shares := dealPolynomial(cs, coeffs, n)
	for _, c := range coeffs {
		c.Zero()
	}
	return gk, shares, nil
}

func checkParams(threshold, n int) error {
	if threshold < 1 || threshold > n || n > MaxSigners {
		return fmt.Errorf("%w: need 1 ≤ threshold (%d) ≤ signers (%d) ≤ %d", ErrInvalidParameters, threshold, n, MaxSigners)
	}
	return nil
}

// dealPolynomial shares the polynomial with the given coefficients
// (constant term first) among n participants.
func dealPolynomial(cs *ciphersuite, coeffs []group.Scalar, n int) (*GroupKey, []*KeyShare) {
	commitment := make([]group.Element, len(coeffs))
	for i, c := range coeffs {
		commitment[i] = cs.g.NewElement().ScalarBaseMult(c)
	}
	gk := newGroupKey(cs, uint16(n), commitment)
	shares := make([]*KeyShare, n)
	for i := range shares {
		id := Identifier(i + 1)
		shares[i] = &KeyShare{id: id, secret: evalPolynomial(cs, coeffs, id), gk: gk}
	}
	return gk, shares
}

// evalPolynomial computes f(id) by Horner's rule.
func evalPolynomial(cs *ciphersuite, coeffs []group.Scalar, id Identifier) group.Scalar {
	x := id.scalar(cs)
	acc := cs.g.NewScalar().Set(coeffs[len(coeffs)-1])
	for j := len(coeffs) - 2; j >= 0; j-- {
		acc.Mul(acc, x)
		acc.Add(acc, coeffs[j])
	}
	return acc
}

// lagrange returns λ_i for x = 0 over the identifiers in ids (which must be
// distinct and contain id): Π_{j≠i} x_j / (x_j − x_i).
func lagrange(cs *ciphersuite, ids []Identifier, id Identifier) group.Scalar {
	num := cs.g.NewScalar().SetUint64(1)
	den := cs.g.NewScalar().SetUint64(1)
	xi := id.scalar(cs)
	tmp := cs.g.NewScalar()
	for _, j := range ids {
		if j == id {
			continue
		}
		xj := j.scalar(cs)
		num.Mul(num, xj)
		den.Mul(den, tmp.Sub(xj, xi))
	}
	return num.Mul(num, den.Invert(den))
}

// Combine reconstructs the group secret from at least threshold shares
// (RFC 9591 secret_share_combine) and returns it in the suite's scalar
// encoding. It exists for tests and key recovery; signing never needs it.
func Combine(shares []*KeyShare) ([]byte, error) {
	if len(shares) == 0 || shares[0] == nil || shares[0].id == 0 {
		return nil, fmt.Errorf("%w: no usable shares", ErrTooFewSigners)
	}
	gk := shares[0].gk
	if len(shares) < gk.Threshold() {
		return nil, fmt.Errorf("%w: %d < %d", ErrTooFewSigners, len(shares), gk.Threshold())
	}
	ids := make([]Identifier, len(shares))
	for i, s := range shares {
		if s == nil || s.id == 0 || !s.gk.sameRoot(gk) {
			return nil, fmt.Errorf("%w: share %d", ErrKeyMismatch, i)
		}
		ids[i] = s.id
	}
	if hasDuplicates(ids) {
		return nil, fmt.Errorf("%w: duplicate identifiers", ErrInvalidParameters)
	}
	acc := gk.cs.g.NewScalar()
	for _, s := range shares {
		l := lagrange(gk.cs, ids, s.id)
		acc.Add(acc, l.Mul(l, s.secret))
	}
	return acc.Bytes(), nil
}

func hasDuplicates(ids []Identifier) bool {
	s := slices.Clone(ids)
	slices.Sort(s)
	return len(slices.Compact(s)) != len(ids)
}
