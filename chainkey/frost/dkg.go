package frost

import (
	"fmt"
	"io"
	"slices"

	"github.com/thebigfile/bigfile/chainkey/frost/internal/group"
)

// DKGConfig configures one participant's run of the distributed key
// generation (see NewDKG). Every participant uses the same values except ID.
type DKGConfig struct {
	// Suite is the ciphersuite of the key to generate. Required.
	Suite Suite
	// Threshold is the number of signers needed to sign with the key
	// (1 ≤ Threshold ≤ Signers). Required.
	Threshold int
	// Signers is the number of participants; their identifiers are
	// 1..Signers (≤ MaxSigners). Required.
	Signers int
	// ID is this participant's identifier. Required.
	ID Identifier
	// Context binds the proofs of knowledge to this run, so that a dealing
	// cannot be replayed into another one: a session identifier such as the
	// subnet id and the DKG epoch. Optional but strongly recommended; all
	// participants must use the same bytes.
	Context []byte
}

// Validate reports whether the configuration is usable, with
// ErrUnknownSuite or ErrInvalidParameters.
func (c DKGConfig) Validate() error {
	if _, err := c.Suite.lookup(); err != nil {
		return err
	}
	if err := checkParams(c.Threshold, c.Signers); err != nil {
		return err
	}
	if c.ID == 0 || int(c.ID) > c.Signers {
		return fmt.Errorf("%w: identifier %d not in [1, %d]", ErrInvalidParameters, c.ID, c.Signers)
	}
	return nil
}

// DKG is one participant's state in PedPoP, the distributed key generation
// of the FROST paper (Komlo–Goldberg, eprint 2020/852, figure 1): Pedersen's
// DKG made of Feldman VSS dealings, each with a Schnorr proof of knowledge
// of its constant term, which stops rogue-key attacks. No party ever learns
// the group secret.
//
// Round 1: every participant broadcasts Dealing() and sends Share(j) to each
// participant j over a confidential, authenticated channel. Round 2: every
// participant calls Finish with the agreed set of dealings and the shares it
// received, and obtains its KeyShare; all honest participants obtain the
// same GroupKey.
//
// A DKG holds the secret polynomial until Zero is called. It is not safe for
// concurrent use.
type DKG struct {
	cfg     DKGConfig
	cs      *ciphersuite
	coeffs  []group.Scalar
	dealing *Dealing
}

// NewDKG starts a participant's run: it draws the secret polynomial and the
// proof nonce from rand and builds the public dealing. It returns the
// errors of DKGConfig.Validate and ErrRandomness.
func NewDKG(cfg DKGConfig, rand io.Reader) (*DKG, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cs, _ := cfg.Suite.lookup()
	cfg.Context = slices.Clone(cfg.Context)
	d := &DKG{cfg: cfg, cs: cs, coeffs: make([]group.Scalar, cfg.Threshold)}
	var err error
	for i := range d.coeffs {
		if d.coeffs[i], err = cs.g.RandomScalar(rand); err != nil {
			d.Zero()
			return nil, fmt.Errorf("%w: %v", ErrRandomness, err)
		}
	}
	k, err := cs.g.RandomScalar(rand)
	if err != nil {
		d.Zero()
		return nil, fmt.Errorf("%w: %v", ErrRandomness, err)
	}
	defer k.Zero()
	dl := &Dealing{cs: cs, dealer: cfg.ID, commitment: make([]group.Element, cfg.Threshold)}
	for i, a := range d.coeffs {
		dl.commitment[i] = cs.g.NewElement().ScalarBaseMult(a)
		group.Secp256k1Affine(dl.commitment[i])
	}
	// Proof of knowledge of a_0: R = k·G, c = H(context, dealer, C_0, R), μ = k + a_0·c.
	dl.R = cs.g.NewElement().ScalarBaseMult(k)
	c := dkgChallenge(cs, cfg.Context, cfg.ID, dl.commitment[0], dl.R)
	dl.mu = cs.g.NewScalar().Mul(d.coeffs[0], c)
	dl.mu.Add(dl.mu, k)
	d.dealing = dl
	return d, nil
}

func dkgChallenge(cs *ciphersuite, context []byte, dealer Identifier, C0, R group.Element) group.Scalar {
	return cs.hashToScalar("dkg", appendU32(nil, uint32(len(context))), context,
		appendU16(nil, uint16(dealer)), C0.Bytes(), R.Bytes())
}

// Dealing returns this participant's public round-one broadcast.
func (d *DKG) Dealing() *Dealing { return d.dealing }

// Share returns the secret share f(to) of this participant's polynomial for
// participant to (including itself). It must reach only that participant.
func (d *DKG) Share(to Identifier) (*DealtShare, error) {
	if d.coeffs == nil {
		return nil, fmt.Errorf("%w: DKG state was zeroed", ErrInvalidParameters)
	}
	if to == 0 || int(to) > d.cfg.Signers {
		return nil, fmt.Errorf("%w: identifier %d not in [1, %d]", ErrInvalidParameters, to, d.cfg.Signers)
	}
	return &DealtShare{cs: d.cs, dealer: d.cfg.ID, recipient: to, value: evalPolynomial(d.cs, d.coeffs, to)}, nil
}

// Zero wipes the secret polynomial. Share and Finish fail afterwards.
func (d *DKG) Zero() {
	for _, c := range d.coeffs {
		if c != nil {
			c.Zero()
		}
	}
	d.coeffs = nil
}

// Finish runs round two for this participant. dealings is the set of
// dealings the participants agreed on (for instance fixed by a finalized
// block; every participant must use the same set, with at least Threshold
// dealers, which guarantees one honest dealer when fewer than Threshold
// participants are corrupt); shares holds, for each of those dealings, the
// share its dealer sent to this participant.
//
// Finish verifies every dealing's proof of knowledge and every share
// against its dealer's commitment. If any fails it returns a *BlameError
// naming all offending dealers and wrapping ErrInvalidDealing; the
// participants can then agree to drop them and call Finish again with the
// smaller set (Finish does not consume the state). Otherwise it returns the
// participant's KeyShare: the sum of the received shares, under the group
// key whose commitment is the sum of the dealers' commitments.
//
// It also returns ErrTooFewSigners, ErrInvalidParameters (duplicate or
// unknown dealers, missing shares) and ErrKeyMismatch (another suite or
// threshold).
func (d *DKG) Finish(dealings []*Dealing, shares []*DealtShare) (*KeyShare, error) {
	if d.coeffs == nil {
		return nil, fmt.Errorf("%w: DKG state was zeroed", ErrInvalidParameters)
	}
	if len(dealings) < d.cfg.Threshold {
		return nil, fmt.Errorf("%w: %d dealings, threshold %d", ErrTooFewSigners, len(dealings), d.cfg.Threshold)
	}
	byDealer := make(map[Identifier]*Dealing, len(dealings))
	var culprits []Identifier
	for _, dl := range dealings {
		if dl == nil || dl.dealer == 0 || int(dl.dealer) > d.cfg.Signers {
			return nil, fmt.Errorf("%w: dealing from an unknown dealer", ErrInvalidParameters)
		}
		if byDealer[dl.dealer] != nil {
			return nil, fmt.Errorf("%w: two dealings from participant %d", ErrInvalidParameters, dl.dealer)
		}
		byDealer[dl.dealer] = dl
		if err := d.verifyDealing(dl); err != nil {
			culprits = append(culprits, dl.dealer)
		}
	}
	received := make(map[Identifier]*DealtShare, len(shares))
	for _, s := range shares {
		if s == nil || byDealer[s.dealer] == nil || s.recipient != d.cfg.ID || s.cs != d.cs {
			return nil, fmt.Errorf("%w: share not addressed to participant %d by an agreed dealer", ErrInvalidParameters, d.cfg.ID)
		}
		if received[s.dealer] != nil {
			return nil, fmt.Errorf("%w: two shares from participant %d", ErrInvalidParameters, s.dealer)
		}
		received[s.dealer] = s
	}
	for _, dl := range dealings {
		s := received[dl.dealer]
		if s == nil {
			return nil, fmt.Errorf("%w: no share from dealer %d", ErrInvalidParameters, dl.dealer)
		}
		if !slices.Contains(culprits, dl.dealer) && VerifyDealtShare(dl, s) != nil {
			culprits = append(culprits, dl.dealer)
		}
	}
	if len(culprits) > 0 {
		return nil, blame(ErrInvalidDealing, culprits)
	}
	cs := d.cs
	commitment := make([]group.Element, d.cfg.Threshold)
	for i := range commitment {
		commitment[i] = cs.g.NewElement()
	}
	secret := cs.g.NewScalar()
	for _, dl := range dealings {
		for i, c := range dl.commitment {
			commitment[i].Add(commitment[i], c)
		}
		secret.Add(secret, received[dl.dealer].value)
	}
	if commitment[0].IsIdentity() {
		// Only possible if dealers cancel each other out, which their
		// proofs of knowledge rule out except with negligible probability.
		return nil, fmt.Errorf("%w: group key is the identity", ErrInvalidDealing)
	}
	gk := newGroupKey(cs, uint16(d.cfg.Signers), commitment)
	return &KeyShare{id: d.cfg.ID, secret: secret, gk: gk}, nil
}

// verifyDealing checks suite, shape and proof of knowledge.
func (d *DKG) verifyDealing(dl *Dealing) error {
	return VerifyDealing(d.cfg, dl)
}

// VerifyDealing checks a dealing's shape (suite, threshold) and its proof
// of knowledge of the constant term under cfg (cfg.ID is ignored). Anyone
// can run it; it returns nil or an error wrapping ErrInvalidDealing.
func VerifyDealing(cfg DKGConfig, dl *Dealing) error {
	cs, err := cfg.Suite.lookup()
	if err != nil {
		return err
	}
	if dl == nil || dl.cs == nil {
		return fmt.Errorf("%w: nil or zero dealing", ErrInvalidDealing)
	}
	if dl.cs != cs || len(dl.commitment) != cfg.Threshold {
		return fmt.Errorf("%w: dealer %d: wrong suite or threshold", ErrInvalidDealing, dl.dealer)
	}
	c := dkgChallenge(cs, cfg.Context, dl.dealer, dl.commitment[0], dl.R)
	lhs := cs.g.NewElement().ScalarBaseMult(dl.mu)
	rhs := cs.g.NewElement().ScalarMult(c, dl.commitment[0])
	rhs.Add(rhs, dl.R)
	if !lhs.Equal(rhs) {
		return fmt.Errorf("%w: dealer %d: proof of knowledge fails", ErrInvalidDealing, dl.dealer)
	}
	return nil
}

// VerifyDealtShare checks a share against its dealer's public commitment
// (Feldman's vss_verify: value·G = Σ_j C_j·recipient^j). A recipient that
// publishes a share failing this check, delivered over an authenticated
// channel, proves its dealer cheated. Returns nil or an error wrapping
// ErrInvalidDealing.
func VerifyDealtShare(dl *Dealing, s *DealtShare) error {
	if dl == nil || s == nil || dl.cs == nil || dl.cs != s.cs || dl.dealer != s.dealer {
		return fmt.Errorf("%w: share and dealing do not match", ErrKeyMismatch)
	}
	if !dl.cs.g.NewElement().ScalarBaseMult(s.value).Equal(evalCommitment(dl.cs, dl.commitment, s.recipient)) {
		return fmt.Errorf("%w: dealer %d: share for participant %d does not match the commitment", ErrInvalidDealing, s.dealer, s.recipient)
	}
	return nil
}

// Dealing is a participant's public DKG broadcast: the Feldman commitment
// to its polynomial and the proof of knowledge (R, μ) of its constant term.
type Dealing struct {
	cs         *ciphersuite
	dealer     Identifier
	commitment []group.Element
	R          group.Element
	mu         group.Scalar
}

// Dealer returns the dealing participant.
func (dl *Dealing) Dealer() Identifier { return dl.dealer }

// MarshalBinary encodes the dealing:
//
//	suite (1) ‖ dealer (2) ‖ threshold (2) ‖ commitment (threshold × Ne) ‖ R (Ne) ‖ μ (Ns)
func (dl *Dealing) MarshalBinary() ([]byte, error) {
	if dl.cs == nil {
		return nil, fmt.Errorf("%w: zero dealing", ErrInvalidParameters)
	}
	b := appendU16([]byte{byte(dl.cs.id)}, uint16(dl.dealer))
	b = appendU16(b, uint16(len(dl.commitment)))
	for _, c := range dl.commitment {
		b = append(b, c.Bytes()...)
	}
	b = append(b, dl.R.Bytes()...)
	return append(b, dl.mu.Bytes()...), nil
}

// ParseDealing decodes MarshalBinary's output (ErrMalformed for malformed
// input, invalid points or a zero threshold). It does not check the proof;
// Finish and VerifyDealing do.
func ParseDealing(b []byte) (*Dealing, error) {
	d := &decoder{b: b}
	cs := d.suite()
	dealer := d.id("dealer")
	t := int(d.u16())
	if d.err == nil && (t == 0 || len(d.b) < t*cs.g.ElementLen()) {
		d.err = fmt.Errorf("threshold %d does not fit %d bytes", t, len(d.b))
	}
	dl := &Dealing{cs: cs, dealer: dealer}
	for i := 0; i < t && d.err == nil; i++ {
		dl.commitment = append(dl.commitment, d.element(cs, "commitment"))
	}
	if d.err == nil {
		dl.R = d.element(cs, "proof R")
		dl.mu = d.scalar(cs, "proof μ")
	}
	if err := d.finish("dealing"); err != nil {
		return nil, err
	}
	return dl, nil
}

// DealtShare is the secret share f_dealer(recipient) one DKG participant
// sends another. It must travel over a confidential, authenticated channel
// and be wiped (Zero) once Finish has succeeded.
type DealtShare struct {
	cs        *ciphersuite
	dealer    Identifier
	recipient Identifier
	value     group.Scalar
}

// Dealer returns the sending participant.
func (s *DealtShare) Dealer() Identifier { return s.dealer }

// Recipient returns the receiving participant.
func (s *DealtShare) Recipient() Identifier { return s.recipient }

// Zero wipes the share's value.
func (s *DealtShare) Zero() {
	if s.value != nil {
		s.value.Zero()
	}
}

// MarshalBinary encodes the share: suite (1) ‖ dealer (2) ‖ recipient (2) ‖ value (Ns).
// The output is secret.
func (s *DealtShare) MarshalBinary() ([]byte, error) {
	if s.cs == nil {
		return nil, fmt.Errorf("%w: zero dealt share", ErrInvalidParameters)
	}
	b := appendU16([]byte{byte(s.cs.id)}, uint16(s.dealer))
	b = appendU16(b, uint16(s.recipient))
	return append(b, s.value.Bytes()...), nil
}

// ParseDealtShare decodes MarshalBinary's output (ErrMalformed for
// malformed input).
func ParseDealtShare(b []byte) (*DealtShare, error) {
	d := &decoder{b: b}
	cs := d.suite()
	s := &DealtShare{cs: cs}
	if d.err == nil {
		s.dealer = d.id("dealer")
		s.recipient = d.id("recipient")
		s.value = d.scalar(cs, "value")
	}
	if err := d.finish("dealt share"); err != nil {
		return nil, err
	}
	return s, nil
}
