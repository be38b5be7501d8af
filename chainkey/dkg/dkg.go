package dkg

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// Errors. Functions wrap them with detail; test with [errors.Is].
var (
	// ErrConfig reports an invalid [Config].
	ErrConfig = errors.New("dkg: invalid config")
	// ErrInvalidDealing reports a dealing that fails public verification:
	// wrong dealer, shape, commitments or signature.
	ErrInvalidDealing = errors.New("dkg: invalid dealing")
	// ErrBadShare reports, to a receiver, that its share in a dealing does
	// not decrypt or does not match the dealing's commitments; the receiver
	// should publish a [Complaint].
	ErrBadShare = errors.New("dkg: bad share")
	// ErrShareValid is returned by [Config.Complain] when the share is in
	// fact valid: an honest receiver never publishes a complaint (and its
	// shared secret) in that case.
	ErrShareValid = errors.New("dkg: share is valid, no complaint")
	// ErrInvalidComplaint reports a complaint that is malformed, carries a
	// false shared secret, or accuses a dealer whose share is valid.
	ErrInvalidComplaint = errors.New("dkg: invalid complaint")
	// ErrTooFewDealings reports fewer dealings than [Config.MinDealings].
	ErrTooFewDealings = errors.New("dkg: too few dealings")
)

// MaxParticipants bounds the number of dealers and receivers.
const MaxParticipants = 1024

// Config describes one key generation or resharing. Every participant and
// verifier must use the same Config, which the caller derives from agreed
// state (e.g. the registry version and interval in a summary block).
type Config struct {
	// ID identifies this instance uniquely (for example subnet id ‖
	// interval start height ‖ key tag). It is bound into every signature,
	// ciphertext and proof, so dealings and complaints cannot be replayed
	// in another instance. Required, at most 1024 bytes.
	ID []byte
	// Threshold is the number of shares needed to sign with the new key
	// (f+1 for the beacon key, n−f for the subnet's high-threshold key).
	// Required: 1 ≤ Threshold ≤ len(Receivers).
	Threshold int
	// Dealers are the dealers' signing keys (node keys), by dealer index.
	// A dealing by dealer i must be signed by Dealers[i]. For a resharing,
	// dealer i is the holder of share index i of the old key.
	Dealers []bls.PublicKey
	// Receivers are the receivers' encryption keys, by receiver index.
	// Receiver j obtains the share with index j of the new key.
	Receivers []bls.DHPublicKey
	// Reshare, if non-nil, makes this a resharing of the key these
	// coefficients commit to: each dealer deals its old share, and the new
	// key's public key equals Reshare.PublicKey(). Nil for a fresh key.
	Reshare *bls.PublicCoefficients
}

// Validate checks the config's shape. It returns an error wrapping
// [ErrConfig].
func (c *Config) Validate() error {
	switch {
	case len(c.ID) == 0 || len(c.ID) > 1024:
		return fmt.Errorf("%w: id length %d", ErrConfig, len(c.ID))
	case len(c.Dealers) == 0 || len(c.Dealers) > MaxParticipants:
		return fmt.Errorf("%w: %d dealers", ErrConfig, len(c.Dealers))
	case len(c.Receivers) == 0 || len(c.Receivers) > MaxParticipants:
		return fmt.Errorf("%w: %d receivers", ErrConfig, len(c.Receivers))
	case c.Threshold < 1 || c.Threshold > len(c.Receivers) || c.Threshold > bls.MaxThreshold:
		return fmt.Errorf("%w: threshold %d of %d", ErrConfig, c.Threshold, len(c.Receivers))
	}
	for i, pk := range c.Dealers {
		if pk.IsZero() {
			return fmt.Errorf("%w: dealer %d has no key", ErrConfig, i)
		}
	}
	for j, pk := range c.Receivers {
		if pk.IsZero() {
			return fmt.Errorf("%w: receiver %d has no key", ErrConfig, j)
		}
	}
	if c.Reshare != nil {
		if c.Reshare.Threshold() < 1 || c.Reshare.Threshold() > len(c.Dealers) {
			return fmt.Errorf("%w: old threshold %d with %d dealers", ErrConfig, c.Reshare.Threshold(), len(c.Dealers))
		}
	}
	return nil
}

// MinDealings is the number of valid dealings a transcript needs:
// Threshold for a fresh key (so that, with at most Threshold−1 faulty
// dealers, at least one honest dealer's secret is included), and the old
// threshold for a resharing (the old shares must determine the old secret).
func (c *Config) MinDealings() int {
	if c.Reshare != nil {
		return c.Reshare.Threshold()
	}
	return c.Threshold
}

// Dealing is one dealer's contribution: Feldman commitments to a random
// polynomial (whose constant term is the dealer's old share when
// resharing) and each receiver's share encrypted to that receiver, signed
// by the dealer. Publicly verifiable parts: shape, commitments, dealer
// signature, and for a resharing the constant term; the encrypted shares
// are checked by their receivers, who can prove a bad one with a
// [Complaint].
type Dealing struct {
	Dealer      uint32                 // dealer index in Config.Dealers
	Commitments bls.PublicCoefficients // g2^{a_k}, Config.Threshold of them
	Ephemeral   bls.DHPublicKey        // the dealer's per-dealing DH key
	Ciphertexts [][]byte               // per receiver: AES-256-GCM of its 32-byte share
	Signature   bls.Signature          // dealer's signature over all the above
}

// ciphertextSize is a 32-byte share plus the 16-byte GCM tag.
const ciphertextSize = bls.SecretKeySize + 16

// Deal creates a fresh dealing by dealer index dealer, signed with the
// dealer's node key signer, reading randomness from rand. The dealer
// should deal once per Config and keep nothing secret afterwards.
func Deal(rand io.Reader, c *Config, dealer uint32, signer bls.SecretKey) (*Dealing, error) {
	if c.Reshare != nil {
		return nil, fmt.Errorf("%w: Deal on a resharing config; use Reshare", ErrConfig)
	}
	return deal(rand, c, dealer, signer, nil)
}

// Reshare creates a resharing dealing of the dealer's old share (its
// index is the dealer index), signed with the dealer's node key signer.
func Reshare(rand io.Reader, c *Config, share bls.SecretKeyShare, signer bls.SecretKey) (*Dealing, error) {
	if c.Reshare == nil {
		return nil, fmt.Errorf("%w: Reshare on a fresh config; use Deal", ErrConfig)
	}
	if !c.Reshare.VerifyShare(share) {
		return nil, fmt.Errorf("%w: old share %d does not match the old key", ErrConfig, share.Index)
	}
	return deal(rand, c, share.Index, signer, &share.Key)
}

func deal(rand io.Reader, c *Config, dealer uint32, signer bls.SecretKey, secret *bls.SecretKey) (*Dealing, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if int(dealer) >= len(c.Dealers) {
		return nil, fmt.Errorf("%w: dealer %d of %d", ErrConfig, dealer, len(c.Dealers))
	}
	if signer.PublicKey() != c.Dealers[dealer] {
		return nil, fmt.Errorf("%w: signer is not dealer %d", ErrConfig, dealer)
	}
	// The polynomial has the new threshold as its number of coefficients;
	// when resharing its constant term is the dealer's old share, which is
	// what lets Combine's Lagrange step recover the old secret.
	poly, err := bls.NewPolynomial(rand, c.Threshold, secret)
	if err != nil {
		return nil, fmt.Errorf("dkg: %w", err)
	}
	defer poly.Zero()
	// One ephemeral key per dealing: its Diffie–Hellman secret with each
	// receiver's key is unique per (dealing, receiver), so one complaint
	// reveals exactly one ciphertext's key.
	eph, err := bls.GenerateDHKey(rand)
	if err != nil {
		return nil, fmt.Errorf("dkg: %w", err)
	}
	defer eph.Zero()
	d := &Dealing{
		Dealer:      dealer,
		Commitments: poly.Commitments(),
		Ephemeral:   eph.PublicKey(),
		Ciphertexts: make([][]byte, len(c.Receivers)),
	}
	// The ciphertexts authenticate the commitments and ephemeral key as
	// associated data, so a ciphertext cannot be moved to another dealing.
	digest, err := commitmentDigest(d)
	if err != nil {
		return nil, err
	}
	for j, pk := range c.Receivers {
		share := poly.Share(uint32(j))
		pt, err := share.Key.MarshalBinary()
		if err != nil {
			// f(j+1) = 0 happens with probability ~2^-255 per share.
			return nil, fmt.Errorf("dkg: zero share, deal again: %w", err)
		}
		shared, err := eph.SharedSecret(pk)
		if err != nil {
			return nil, fmt.Errorf("dkg: %w", err)
		}
		aead, err := shareCipher(c, shared, dealer, uint32(j), d.Ephemeral)
		clear(shared[:])
		if err != nil {
			return nil, err
		}
		d.Ciphertexts[j] = aead.Seal(nil, zeroNonce[:], pt, digest)
		clear(pt)
		share.Zero()
	}
	// The signature covers the whole encoding, including every ciphertext:
	// a receiver's complaint then incriminates the dealer, who alone could
	// have signed that ciphertext.
	body, err := d.signedBytes()
	if err != nil {
		return nil, err
	}
	d.Signature = signer.Sign(signingMessage(c, body))
	return d, nil
}

var zeroNonce [12]byte

// shareCipher derives the AES-256-GCM key for one (dealing, receiver) pair:
// HKDF-SHA256 over the Diffie–Hellman secret, salted with the instance id,
// with the dealer, receiver and ephemeral key in the info. Each key
// encrypts exactly one message, so the fixed zero nonce is safe.
func shareCipher(c *Config, shared bls.SharedSecret, dealer, receiver uint32, eph bls.DHPublicKey) (cipher.AEAD, error) {
	salt := sha256.Sum256(c.ID)
	info := make([]byte, 0, 64+bls.DHPublicKeySize)
	info = append(info, "big-dkg-share-v1"...)
	info = binary.BigEndian.AppendUint32(info, dealer)
	info = binary.BigEndian.AppendUint32(info, receiver)
	e := eph.Bytes()
	info = append(info, e[:]...)
	key, err := hkdf.Key(sha256.New, shared[:], salt[:], string(info), 32)
	if err != nil {
		return nil, fmt.Errorf("dkg: hkdf: %w", err)
	}
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("dkg: aes: %w", err)
	}
	return cipher.NewGCM(block)
}

// commitmentDigest is the AEAD associated data: a hash of the dealer,
// commitments and ephemeral key, binding each ciphertext to its dealing.
func commitmentDigest(d *Dealing) ([]byte, error) {
	h := sha256.New()
	h.Write([]byte("big-dkg-commitments-v1"))
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], d.Dealer)
	h.Write(b[:])
	cb, err := d.Commitments.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("%w: commitments: %v", ErrInvalidDealing, err)
	}
	h.Write(cb)
	e := d.Ephemeral.Bytes()
	h.Write(e[:])
	return h.Sum(nil), nil
}

// signingMessage frames the dealing bytes the dealer signs.
func signingMessage(c *Config, body []byte) []byte {
	id := sha256.Sum256(c.ID)
	m := make([]byte, 0, 32+len(body)+32)
	m = append(m, "big-dkg-dealing-v1"...)
	m = append(m, id[:]...)
	return append(m, body...)
}

// VerifyDealing publicly checks a dealing against the config: the dealer
// index, the number and shape of commitments and ciphertexts, the
// dealer's signature, and for a resharing that the constant commitment is
// the dealer's old share public key. It does not check the encrypted
// shares (only their receivers can). It returns nil or an error wrapping
// [ErrInvalidDealing] or [ErrConfig].
func (c *Config) VerifyDealing(d *Dealing) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if d == nil {
		return fmt.Errorf("%w: nil", ErrInvalidDealing)
	}
	if int(d.Dealer) >= len(c.Dealers) {
		return fmt.Errorf("%w: dealer %d of %d", ErrInvalidDealing, d.Dealer, len(c.Dealers))
	}
	if d.Commitments.Threshold() != c.Threshold {
		return fmt.Errorf("%w: %d commitments, want %d", ErrInvalidDealing, d.Commitments.Threshold(), c.Threshold)
	}
	if d.Ephemeral.IsZero() {
		return fmt.Errorf("%w: no ephemeral key", ErrInvalidDealing)
	}
	if len(d.Ciphertexts) != len(c.Receivers) {
		return fmt.Errorf("%w: %d ciphertexts, want %d", ErrInvalidDealing, len(d.Ciphertexts), len(c.Receivers))
	}
	for j, ct := range d.Ciphertexts {
		if len(ct) != ciphertextSize {
			return fmt.Errorf("%w: ciphertext %d has %d bytes", ErrInvalidDealing, j, len(ct))
		}
	}
	// A resharing dealer must commit to its real old share: otherwise it
	// could silently change the group key (or make it unknowable).
	if c.Reshare != nil {
		want := c.Reshare.ShareKey(d.Dealer).Key
		if d.Commitments.PublicKey() != want {
			return fmt.Errorf("%w: constant term is not dealer %d's old share key", ErrInvalidDealing, d.Dealer)
		}
	}
	body, err := d.signedBytes()
	if err != nil {
		return err
	}
	if err := c.Dealers[d.Dealer].Verify(signingMessage(c, body), d.Signature); err != nil {
		return fmt.Errorf("%w: dealer signature: %v", ErrInvalidDealing, err)
	}
	return nil
}

// DecryptShare decrypts receiver's share from a publicly verified dealing
// and checks it against the commitments. It returns the share, or an
// error wrapping [ErrBadShare], after which the receiver should call
// [Config.Complain].
func (c *Config) DecryptShare(d *Dealing, receiver uint32, key bls.DHSecretKey) (bls.SecretKeyShare, error) {
	if int(receiver) >= len(c.Receivers) || int(receiver) >= len(d.Ciphertexts) {
		return bls.SecretKeyShare{}, fmt.Errorf("%w: receiver %d", ErrConfig, receiver)
	}
	shared, err := key.SharedSecret(d.Ephemeral)
	if err != nil {
		return bls.SecretKeyShare{}, fmt.Errorf("%w: %v", ErrBadShare, err)
	}
	defer clear(shared[:])
	return c.openShare(d, receiver, shared)
}

// openShare decrypts and checks one share given the pair's shared secret.
func (c *Config) openShare(d *Dealing, receiver uint32, shared bls.SharedSecret) (bls.SecretKeyShare, error) {
	aead, err := shareCipher(c, shared, d.Dealer, receiver, d.Ephemeral)
	if err != nil {
		return bls.SecretKeyShare{}, err
	}
	digest, err := commitmentDigest(d)
	if err != nil {
		return bls.SecretKeyShare{}, err
	}
	pt, err := aead.Open(nil, zeroNonce[:], d.Ciphertexts[receiver], digest)
	if err != nil {
		return bls.SecretKeyShare{}, fmt.Errorf("%w: dealer %d: does not decrypt", ErrBadShare, d.Dealer)
	}
	defer clear(pt)
	share := bls.SecretKeyShare{Index: receiver}
	if err := share.Key.UnmarshalBinary(pt); err != nil {
		return bls.SecretKeyShare{}, fmt.Errorf("%w: dealer %d: %v", ErrBadShare, d.Dealer, err)
	}
	if !d.Commitments.VerifyShare(share) {
		share.Zero()
		return bls.SecretKeyShare{}, fmt.Errorf("%w: dealer %d: share does not match commitments", ErrBadShare, d.Dealer)
	}
	return share, nil
}

// Complaint is a receiver's public proof that a dealer sent it a bad
// share: the Diffie–Hellman secret of that one (dealing, receiver) pair
// and a proof that it is genuine. Anyone can then decrypt that single
// ciphertext and see that it fails. Publishing it reveals only the
// complained-about share, never the receiver's key or other shares.
type Complaint struct {
	Dealer   uint32
	Receiver uint32
	Secret   bls.SharedSecret
	Proof    bls.SharedSecretProof
}

// ComplaintSize is the size of an encoded [Complaint].
const ComplaintSize = 1 + 4 + 4 + bls.SharedSecretSize + bls.SharedSecretProofSize

// complaintContext binds a proof to this instance, dealing and receiver.
func complaintContext(c *Config, d *Dealing, receiver uint32) []byte {
	id := sha256.Sum256(c.ID)
	m := append([]byte("big-dkg-complaint-v1"), id[:]...)
	m = binary.BigEndian.AppendUint32(m, d.Dealer)
	return binary.BigEndian.AppendUint32(m, receiver)
}

// Complain builds a complaint against dealing d by receiver, reading the
// proof's nonce from rand. It returns [ErrShareValid] (and no complaint)
// if the share is actually fine.
func (c *Config) Complain(rand io.Reader, d *Dealing, receiver uint32, key bls.DHSecretKey) (*Complaint, error) {
	share, err := c.DecryptShare(d, receiver, key)
	if err == nil {
		share.Zero()
		return nil, ErrShareValid
	}
	if !errors.Is(err, ErrBadShare) {
		return nil, err
	}
	shared, proof, err := key.ProveSharedSecret(rand, d.Ephemeral, complaintContext(c, d, receiver))
	if err != nil {
		return nil, fmt.Errorf("dkg: %w", err)
	}
	return &Complaint{Dealer: d.Dealer, Receiver: receiver, Secret: shared, Proof: proof}, nil
}

// VerifyComplaint checks a complaint against the dealing it accuses (which
// must have passed [Config.VerifyDealing]). It returns nil when the
// complaint is justified, so the dealer must be excluded, and an error
// wrapping [ErrInvalidComplaint] when it is malformed, its secret is not
// genuine, or the share is in fact valid (the complainer is then the
// faulty party).
func (c *Config) VerifyComplaint(d *Dealing, cp *Complaint) error {
	if d == nil || cp == nil || cp.Dealer != d.Dealer {
		return fmt.Errorf("%w: dealer mismatch", ErrInvalidComplaint)
	}
	if int(cp.Receiver) >= len(c.Receivers) || int(cp.Receiver) >= len(d.Ciphertexts) {
		return fmt.Errorf("%w: receiver %d", ErrInvalidComplaint, cp.Receiver)
	}
	// First the secret must be genuine (else anyone could "decrypt" to
	// garbage with a made-up key); then the ciphertext is opened exactly as
	// the receiver would have, and the complaint stands only if that fails.
	err := bls.VerifySharedSecret(c.Receivers[cp.Receiver], d.Ephemeral, cp.Secret, cp.Proof, complaintContext(c, d, cp.Receiver))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidComplaint, err)
	}
	share, err := c.openShare(d, cp.Receiver, cp.Secret)
	if err == nil {
		share.Zero()
		return fmt.Errorf("%w: share %d from dealer %d is valid", ErrInvalidComplaint, cp.Receiver, cp.Dealer)
	}
	if errors.Is(err, ErrBadShare) {
		return nil
	}
	return err
}

// Transcript is the public result of a DKG or resharing: which dealings
// were combined and the commitments to the new key's polynomial. Its
// public key is the group key; its [Transcript.ShareKey] values verify the
// receivers' signature shares.
type Transcript struct {
	Dealers      []uint32               // dealer indices combined, in order
	Coefficients bls.PublicCoefficients // the new key's public polynomial
}

// PublicKey returns the group public key.
func (t *Transcript) PublicKey() bls.PublicKey { return t.Coefficients.PublicKey() }

// Threshold returns the number of shares needed to sign.
func (t *Transcript) Threshold() int { return t.Coefficients.Threshold() }

// ShareKey returns receiver index's public key share.
func (t *Transcript) ShareKey(index uint32) bls.PublicKeyShare { return t.Coefficients.ShareKey(index) }

// Combine builds the transcript from dealings that passed
// [Config.VerifyDealing] and drew no justified complaint (the set the
// chain agreed on). All given dealings are used, in order; there must be
// at least [Config.MinDealings] from distinct dealers. For a resharing
// the commitments are combined with the dealers' Lagrange coefficients,
// so the group key is unchanged.
func (c *Config) Combine(dealings []*Dealing) (*Transcript, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	indices, commitments, err := c.dealers(dealings)
	if err != nil {
		return nil, err
	}
	var coeffs bls.PublicCoefficients
	if c.Reshare != nil {
		coeffs, err = bls.InterpolatePublicCoefficients(indices, commitments)
	} else {
		coeffs, err = bls.AddPublicCoefficients(commitments)
	}
	if err != nil {
		return nil, fmt.Errorf("dkg: combine: %w", err)
	}
	if c.Reshare != nil && coeffs.PublicKey() != c.Reshare.PublicKey() {
		// Unreachable for verified dealings; guards against skipped checks.
		return nil, fmt.Errorf("%w: reshared key differs from the old key", ErrInvalidDealing)
	}
	return &Transcript{Dealers: indices, Coefficients: coeffs}, nil
}

// dealers checks distinctness and count and returns the dealer indices
// and commitments.
func (c *Config) dealers(dealings []*Dealing) ([]uint32, []bls.PublicCoefficients, error) {
	seen := make(map[uint32]bool, len(dealings))
	indices := make([]uint32, 0, len(dealings))
	commitments := make([]bls.PublicCoefficients, 0, len(dealings))
	for _, d := range dealings {
		if d == nil || int(d.Dealer) >= len(c.Dealers) || d.Commitments.Threshold() != c.Threshold {
			return nil, nil, fmt.Errorf("%w: malformed dealing in transcript", ErrInvalidDealing)
		}
		if seen[d.Dealer] {
			return nil, nil, fmt.Errorf("%w: two dealings by dealer %d", ErrInvalidDealing, d.Dealer)
		}
		seen[d.Dealer] = true
		indices = append(indices, d.Dealer)
		commitments = append(commitments, d.Commitments)
	}
	if len(indices) < c.MinDealings() {
		return nil, nil, fmt.Errorf("%w: %d of %d", ErrTooFewDealings, len(indices), c.MinDealings())
	}
	return indices, commitments, nil
}

// ReceiveShare computes receiver's share of the new key from the
// transcript's dealings (the same dealings passed to [Config.Combine], in
// any order) and checks it against the transcript. It returns an error
// wrapping [ErrBadShare] if any of them is bad for this receiver, which
// cannot happen when complaints were processed before the transcript.
func (c *Config) ReceiveShare(t *Transcript, dealings []*Dealing, receiver uint32, key bls.DHSecretKey) (bls.SecretKeyShare, error) {
	byDealer := make(map[uint32]*Dealing, len(dealings))
	for _, d := range dealings {
		if d != nil {
			byDealer[d.Dealer] = d
		}
	}
	keys := make([]bls.SecretKey, len(t.Dealers))
	defer func() {
		for i := range keys {
			keys[i].Zero()
		}
	}()
	for i, idx := range t.Dealers {
		d, ok := byDealer[idx]
		if !ok {
			return bls.SecretKeyShare{}, fmt.Errorf("%w: missing dealing of dealer %d", ErrInvalidDealing, idx)
		}
		s, err := c.DecryptShare(d, receiver, key)
		if err != nil {
			return bls.SecretKeyShare{}, err
		}
		keys[i] = s.Key
	}
	// Fresh: sⱼ = Σᵢ fᵢ(j+1), a share of Σᵢ fᵢ(0). Resharing: sⱼ = Σᵢ λᵢ·f'ᵢ(j+1),
	// a share of Σᵢ λᵢ·f'ᵢ(0) = Σᵢ λᵢ·sᵢ = the old secret.
	var sk bls.SecretKey
	var err error
	if c.Reshare != nil {
		sk, err = bls.InterpolateSecretKeys(t.Dealers, keys)
	} else {
		sk, err = bls.AddSecretKeys(keys)
	}
	if err != nil {
		return bls.SecretKeyShare{}, fmt.Errorf("dkg: %w", err)
	}
	share := bls.SecretKeyShare{Index: receiver, Key: sk}
	if !t.Coefficients.VerifyShare(share) {
		share.Zero()
		return bls.SecretKeyShare{}, fmt.Errorf("%w: combined share does not match transcript", ErrBadShare)
	}
	return share, nil
}
