package frost

import (
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/thebigfile/bigfile/chainkey/frost/internal/group"
)

// Nonce is a participant's secret round-one state: the hiding and binding
// nonces behind one Commitment. It is single-use by construction: Sign
// consumes it (whatever the outcome) and wipes it, and a second Sign with
// the same Nonce fails with ErrNonceUsed. There is deliberately no encoding:
// a nonce that could be saved could be restored and reused. A nonce that
// will not be used should be wiped with Zero.
//
// A Nonce is safe for concurrent use; of two concurrent Sign calls at most
// one uses it.
type Nonce struct {
	mu         sync.Mutex
	used       bool
	id         Identifier
	hiding     group.Scalar
	binding    group.Scalar
	commitment Commitment
}

// Commitment returns the public commitment that goes with the nonce.
func (n *Nonce) Commitment() Commitment { return n.commitment }

// Zero wipes the nonce and marks it used.
func (n *Nonce) Zero() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.wipe()
}

func (n *Nonce) wipe() {
	n.used = true
	if n.hiding != nil {
		n.hiding.Zero()
		n.binding.Zero()
	}
}

// Commitment is a participant's public round-one message: the commitments
// (D, E) = (d·G, e·G) to its hiding and binding nonces.
type Commitment struct {
	cs      *ciphersuite
	id      Identifier
	hiding  group.Element
	binding group.Element
}

// ID returns the committing participant.
func (c Commitment) ID() Identifier { return c.id }

func (c Commitment) equal(o Commitment) bool {
	return c.cs == o.cs && c.id == o.id && c.hiding.Equal(o.hiding) && c.binding.Equal(o.binding)
}

// MarshalBinary encodes the commitment: suite (1) ‖ identifier (2) ‖ D (Ne) ‖ E (Ne).
func (c Commitment) MarshalBinary() ([]byte, error) {
	if c.cs == nil {
		return nil, fmt.Errorf("%w: zero commitment", ErrInvalidParameters)
	}
	b := appendU16([]byte{byte(c.cs.id)}, uint16(c.id))
	b = append(b, c.hiding.Bytes()...)
	return append(b, c.binding.Bytes()...), nil
}

// ParseCommitment decodes MarshalBinary's output, rejecting identifier 0,
// invalid or identity points and trailing bytes with ErrMalformed.
func ParseCommitment(b []byte) (Commitment, error) {
	d := &decoder{b: b}
	cs := d.suite()
	var c Commitment
	if d.err == nil {
		c = d.commitmentBody(cs)
	}
	if err := d.finish("commitment"); err != nil {
		return Commitment{}, err
	}
	return c, nil
}

func (d *decoder) commitmentBody(cs *ciphersuite) Commitment {
	id := d.id("commitment")
	D := d.element(cs, "hiding commitment")
	E := d.element(cs, "binding commitment")
	return Commitment{cs: cs, id: id, hiding: D, binding: E}
}

// Commit runs round one for this participant (RFC 9591 commit): it draws 32
// bytes from rand for each nonce and hedges them with the secret share,
// nonce = H3(random ‖ secret), so a weak rand alone does not leak the share.
// It returns the secret Nonce, to keep for round two, and its Commitment,
// to send to the coordinator. It returns ErrRandomness if rand fails.
func (ks *KeyShare) Commit(rand io.Reader) (*Nonce, Commitment, error) {
	if ks.id == 0 {
		return nil, Commitment{}, fmt.Errorf("%w: key share was zeroed", ErrInvalidParameters)
	}
	cs := ks.gk.cs
	secret := ks.secret.Bytes()
	defer clear(secret)
	var buf [32]byte
	defer clear(buf[:])
	gen := func() (group.Scalar, error) {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRandomness, err)
		}
		return cs.hashToScalar("nonce", buf[:], secret), nil
	}
	d, err := gen()
	if err != nil {
		return nil, Commitment{}, err
	}
	e, err := gen()
	if err != nil {
		d.Zero()
		return nil, Commitment{}, err
	}
	c := Commitment{
		cs:      cs,
		id:      ks.id,
		hiding:  cs.g.NewElement().ScalarBaseMult(d),
		binding: cs.g.NewElement().ScalarBaseMult(e),
	}
	group.Secp256k1Affine(c.hiding)
	group.Secp256k1Affine(c.binding)
	return &Nonce{id: ks.id, hiding: d, binding: e, commitment: c}, c, nil
}

// SigningPackage is the coordinator's round-two request: the message, the
// (possibly derived) group key to sign under, and the commitments of the
// chosen signers. It caches the binding factors, the group commitment and
// the challenge, which every later step needs. It is immutable and safe for
// concurrent use.
type SigningPackage struct {
	gk          *GroupKey
	msg         []byte
	commitments []Commitment // sorted by identifier
	ids         []Identifier
	rho         []group.Scalar // binding factors, aligned with commitments
	R           group.Element  // group commitment Σ D_i + ρ_i·E_i
	c           group.Scalar   // challenge
	negR, negP  bool           // BIP340: R, resp. the key, has odd y
}

// NewSigningPackage builds the request to sign msg under gk (a root or a
// derived group key) with the signers whose commitments are given (any
// order; at least gk.Threshold(), at most one per participant). The package
// keeps its own copy of msg.
//
// It returns ErrTooFewSigners, ErrInvalidParameters (duplicate or
// out-of-range identifiers, a degenerate group commitment) or
// ErrKeyMismatch (a commitment from another suite).
func NewSigningPackage(gk *GroupKey, msg []byte, commitments []Commitment) (*SigningPackage, error) {
	if !gk.valid() {
		return nil, fmt.Errorf("%w: nil or zero group key", ErrInvalidParameters)
	}
	return newSigningPackage(gk, msg, commitments, gk.Threshold())
}

// newSigningPackage is NewSigningPackage with the minimum number of signers
// as a parameter; tests lower it to show that fewer than threshold signers
// cannot produce a valid signature.
func newSigningPackage(gk *GroupKey, msg []byte, commitments []Commitment, minSigners int) (*SigningPackage, error) {
	if len(commitments) < minSigners || len(commitments) == 0 {
		return nil, fmt.Errorf("%w: %d commitments, threshold %d", ErrTooFewSigners, len(commitments), gk.Threshold())
	}
	if len(commitments) > gk.Signers() {
		return nil, fmt.Errorf("%w: %d commitments for %d signers", ErrInvalidParameters, len(commitments), gk.Signers())
	}
	cs := gk.cs
	sorted := slices.Clone(commitments)
	slices.SortFunc(sorted, func(a, b Commitment) int { return int(a.id) - int(b.id) })
	ids := make([]Identifier, len(sorted))
	for i, c := range sorted {
		if c.cs != cs {
			return nil, fmt.Errorf("%w: commitment of participant %d is not for suite %v", ErrKeyMismatch, c.id, cs.id)
		}
		if c.id == 0 || int(c.id) > gk.Signers() {
			return nil, fmt.Errorf("%w: identifier %d not in [1, %d]", ErrInvalidParameters, c.id, gk.Signers())
		}
		if i > 0 && sorted[i-1].id == c.id {
			return nil, fmt.Errorf("%w: two commitments from participant %d", ErrInvalidParameters, c.id)
		}
		ids[i] = c.id
	}
	p := &SigningPackage{gk: gk, msg: slices.Clone(msg), commitments: sorted, ids: ids}

	// compute_binding_factors: ρ_i = H1(enc(PK) ‖ H4(msg) ‖ H5(commitment list) ‖ enc(i)).
	var list []byte
	for _, c := range sorted {
		list = append(list, c.id.scalar(cs).Bytes()...)
		list = append(list, c.hiding.Bytes()...)
		list = append(list, c.binding.Bytes()...)
	}
	prefix := slices.Concat(gk.pub.Bytes(), cs.hashBytes("msg", msg), cs.hashBytes("com", list))
	p.rho = make([]group.Scalar, len(sorted))
	for i, c := range sorted {
		p.rho[i] = cs.hashToScalar("rho", prefix, c.id.scalar(cs).Bytes())
	}

	// compute_group_commitment.
	if cs.g == group.Ed25519 {
		scalars := make([]group.Scalar, 0, 2*len(sorted))
		points := make([]group.Element, 0, 2*len(sorted))
		one := cs.g.NewScalar().SetUint64(1)
		for i, c := range sorted {
			scalars = append(scalars, one, p.rho[i])
			points = append(points, c.hiding, c.binding)
		}
		p.R = group.Ed25519VarTimeMultiScalarMult(cs.g.NewElement(), scalars, points)
	} else {
		p.R = cs.g.NewElement()
		tmp := cs.g.NewElement()
		for i, c := range sorted {
			p.R.Add(p.R, c.hiding)
			p.R.Add(p.R, tmp.ScalarMult(p.rho[i], c.binding))
		}
	}
	if p.R.IsIdentity() {
		return nil, fmt.Errorf("%w: group commitment is the identity", ErrInvalidParameters)
	}
	group.Secp256k1Affine(p.R)
	p.c = cs.challenge(p.R, gk.pub, msg)
	p.negR = !cs.evenY(p.R)
	p.negP = !cs.evenY(gk.pub)
	return p, nil
}

// GroupKey returns the key the package signs under.
func (p *SigningPackage) GroupKey() *GroupKey { return p.gk }

// Message returns the message to sign. The caller must not modify it.
func (p *SigningPackage) Message() []byte { return p.msg }

// Signers returns the participating identifiers in ascending order.
func (p *SigningPackage) Signers() []Identifier { return slices.Clone(p.ids) }

// MarshalBinary encodes the package for the signers:
//
//	suite (1) ‖ chain code (32) ‖ tweak (Ns) ‖ count (2) ‖ count × (identifier (2) ‖ D ‖ E)
//	‖ message length (4) ‖ message
//
// The group key itself is not included: signers hold it already.
func (p *SigningPackage) MarshalBinary() ([]byte, error) {
	cs := p.gk.cs
	b := []byte{byte(cs.id)}
	b = append(b, p.gk.chainCode[:]...)
	b = append(b, p.gk.tweak.Bytes()...)
	b = appendU16(b, uint16(len(p.commitments)))
	for _, c := range p.commitments {
		b = appendU16(b, uint16(c.id))
		b = append(b, c.hiding.Bytes()...)
		b = append(b, c.binding.Bytes()...)
	}
	b = appendU32(b, uint32(len(p.msg)))
	return append(b, p.msg...), nil
}

// ParseSigningPackage decodes MarshalBinary's output for a participant that
// holds the group key root (any key with the same root will do). The
// decoded package signs under root with the encoded tweak and chain code;
// a signer that must only sign for paths it has checked compares
// pkg.GroupKey() with its own root.Derive(path) (GroupKey.Equal).
//
// It returns ErrMalformed for malformed input, ErrKeyMismatch for a package
// of another suite, and NewSigningPackage's errors.
func ParseSigningPackage(root *GroupKey, b []byte) (*SigningPackage, error) {
	if !root.valid() {
		return nil, fmt.Errorf("%w: nil or zero group key", ErrInvalidParameters)
	}
	cs := root.cs
	d := &decoder{b: b}
	if s := d.suite(); d.err == nil && s != cs {
		return nil, fmt.Errorf("%w: signing package for suite %v, key is %v", ErrKeyMismatch, s.id, cs.id)
	}
	cc := d.bytes(32)
	tweak := d.scalar(cs, "tweak")
	count := int(d.u16())
	if d.err == nil && len(d.b) < count*(2+2*cs.g.ElementLen()) {
		d.err = errShort
	}
	var commitments []Commitment
	for i := 0; i < count && d.err == nil; i++ {
		commitments = append(commitments, d.commitmentBody(cs))
	}
	msg := d.bytes(int(d.u32()))
	if err := d.finish("signing package"); err != nil {
		return nil, err
	}
	gk := &GroupKey{cs: cs, root: root.root, tweak: tweak}
	copy(gk.chainCode[:], cc)
	gk.tweakG = cs.g.NewElement().ScalarBaseMult(tweak)
	gk.pub = cs.g.NewElement().Add(root.root.commitment[0], gk.tweakG)
	group.Secp256k1Affine(gk.tweakG)
	group.Secp256k1Affine(gk.pub)
	if gk.pub.IsIdentity() {
		return nil, malformed("signing package", fmt.Errorf("derived key is the identity"))
	}
	return NewSigningPackage(gk, msg, commitments)
}

// index returns the position of id in the package, or -1.
func (p *SigningPackage) index(id Identifier) int {
	i, ok := slices.BinarySearch(p.ids, id)
	if !ok {
		return -1
	}
	return i
}

// SignatureShare is a participant's round-two output z_i.
type SignatureShare struct {
	cs *ciphersuite
	id Identifier
	z  group.Scalar
}

// ID returns the signer's identifier.
func (s SignatureShare) ID() Identifier { return s.id }

// MarshalBinary encodes the share: suite (1) ‖ identifier (2) ‖ z (Ns).
func (s SignatureShare) MarshalBinary() ([]byte, error) {
	if s.cs == nil {
		return nil, fmt.Errorf("%w: zero signature share", ErrInvalidParameters)
	}
	return append(appendU16([]byte{byte(s.cs.id)}, uint16(s.id)), s.z.Bytes()...), nil
}

// ParseSignatureShare decodes MarshalBinary's output (ErrMalformed for a
// wrong length, identifier 0 or a scalar not below the group order).
func ParseSignatureShare(b []byte) (SignatureShare, error) {
	d := &decoder{b: b}
	cs := d.suite()
	var s SignatureShare
	if d.err == nil {
		s = SignatureShare{cs: cs, id: d.id("signature share"), z: d.scalar(cs, "z")}
	}
	if err := d.finish("signature share"); err != nil {
		return SignatureShare{}, err
	}
	return s, nil
}

// Sign runs round two (RFC 9591 sign): it computes this participant's
// signature share for pkg using the nonce from its round-one Commit. Sign
// always consumes and wipes the nonce, also when it fails.
//
// For a derived group key the share is computed with the secret share plus
// the tweak; for BIP340 the nonces are negated when the group commitment R
// has odd y and the key term when the (derived) group key has odd y, so
// that the aggregate is a BIP340 signature under the x-only key.
//
// It returns ErrNonceUsed, ErrKeyMismatch (nonce of another participant,
// package for another group) or ErrCommitmentMismatch (the package lacks
// this participant's commitment, or carries a different one).
func (ks *KeyShare) Sign(nonce *Nonce, pkg *SigningPackage) (SignatureShare, error) {
	if nonce == nil {
		return SignatureShare{}, fmt.Errorf("%w: nil nonce", ErrInvalidParameters)
	}
	nonce.mu.Lock()
	defer nonce.mu.Unlock()
	if nonce.used {
		return SignatureShare{}, ErrNonceUsed
	}
	defer nonce.wipe()
	if pkg == nil || pkg.gk == nil {
		return SignatureShare{}, fmt.Errorf("%w: nil signing package", ErrInvalidParameters)
	}
	if ks.id == 0 {
		return SignatureShare{}, fmt.Errorf("%w: key share was zeroed", ErrInvalidParameters)
	}
	if nonce.id != ks.id {
		return SignatureShare{}, fmt.Errorf("%w: nonce of participant %d used by %d", ErrKeyMismatch, nonce.id, ks.id)
	}
	if !pkg.gk.sameRoot(ks.gk) {
		return SignatureShare{}, fmt.Errorf("%w: signing package is for another group key", ErrKeyMismatch)
	}
	i := pkg.index(ks.id)
	if i < 0 || !pkg.commitments[i].equal(nonce.commitment) {
		return SignatureShare{}, fmt.Errorf("%w: participant %d", ErrCommitmentMismatch, ks.id)
	}
	cs := ks.gk.cs
	// k_i = d + e·ρ_i, negated for BIP340 when R has odd y.
	k := cs.g.NewScalar().Mul(nonce.binding, pkg.rho[i])
	k.Add(k, nonce.hiding)
	if pkg.negR {
		k.Negate(k)
	}
	// λ_i·(s_i + tweak)·c, negated for BIP340 when the key has odd y.
	x := cs.g.NewScalar().Add(ks.secret, pkg.gk.tweak)
	x.Mul(x, lagrange(cs, pkg.ids, ks.id))
	x.Mul(x, pkg.c)
	if pkg.negP {
		x.Negate(x)
	}
	z := cs.g.NewScalar().Add(k, x)
	k.Zero()
	x.Zero()
	return SignatureShare{cs: cs, id: ks.id, z: z}, nil
}

// VerifyShare checks one signature share against the signer's verification
// share (RFC 9591 verify_signature_share):
// z_i·G = ±(D_i + ρ_i·E_i) + (±λ_i·c)·X_i. It returns nil, a *BlameError
// naming the signer and wrapping ErrInvalidShare, or ErrInvalidParameters
// for a share from a participant outside the package.
func (p *SigningPackage) VerifyShare(s SignatureShare) error {
	if p == nil || p.gk == nil {
		return fmt.Errorf("%w: nil signing package", ErrInvalidParameters)
	}
	cs := p.gk.cs
	i := p.index(s.id)
	if s.cs != cs || i < 0 {
		return fmt.Errorf("%w: share of participant %d is not part of the package", ErrInvalidParameters, s.id)
	}
	g := cs.g
	c := p.commitments[i]
	lhs := g.NewElement().ScalarBaseMult(s.z)
	rhs := g.NewElement().ScalarMult(p.rho[i], c.binding)
	rhs.Add(rhs, c.hiding)
	if p.negR {
		rhs.Negate(rhs)
	}
	lc := lagrange(cs, p.ids, s.id)
	lc.Mul(lc, p.c)
	if p.negP {
		lc.Negate(lc)
	}
	rhs.Add(rhs, g.NewElement().ScalarMult(lc, p.gk.verificationShare(s.id)))
	if !lhs.Equal(rhs) {
		return blame(ErrInvalidShare, []Identifier{s.id})
	}
	return nil
}

// Aggregate combines one signature share per signer of the package (any
// order) into the 64-byte signature (RFC 9591 aggregate) and verifies it
// under the package's group key before returning it. If it does not
// verify, every share is checked and a *BlameError listing the signers
// with invalid shares (wrapping ErrInvalidShare) is returned.
//
// Ed25519 signatures are R ‖ z (RFC 8032); BIP340 signatures are x(R) ‖ z.
// It returns ErrInvalidParameters for missing, duplicate or foreign shares.
func (p *SigningPackage) Aggregate(shares []SignatureShare) ([]byte, error) {
	if p == nil || p.gk == nil {
		return nil, fmt.Errorf("%w: nil signing package", ErrInvalidParameters)
	}
	cs := p.gk.cs
	if len(shares) != len(p.ids) {
		return nil, fmt.Errorf("%w: %d shares for %d signers", ErrInvalidParameters, len(shares), len(p.ids))
	}
	seen := make([]bool, len(p.ids))
	z := cs.g.NewScalar()
	for _, s := range shares {
		i := p.index(s.id)
		if s.cs != cs || i < 0 {
			return nil, fmt.Errorf("%w: share of participant %d is not part of the package", ErrInvalidParameters, s.id)
		}
		if seen[i] {
			return nil, fmt.Errorf("%w: two shares from participant %d", ErrInvalidParameters, s.id)
		}
		seen[i] = true
		z.Add(z, s.z)
	}
	R := cs.g.NewElement().Set(p.R)
	if p.negR {
		R.Negate(R)
	}
	sig := cs.encodeSignature(R, z)
	if err := cs.verify(p.gk.pub, p.msg, sig); err == nil {
		return sig, nil
	}
	var culprits []Identifier
	for _, s := range shares {
		if p.VerifyShare(s) != nil {
			culprits = append(culprits, s.id)
		}
	}
	if len(culprits) == 0 {
		// Unreachable if every share verifies; reported rather than hidden.
		return nil, fmt.Errorf("%w: aggregate does not verify although every share does", ErrInvalidSignature)
	}
	return nil, blame(ErrInvalidShare, culprits)
}
