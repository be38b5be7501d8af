package bls

import (
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Diffie–Hellman in G1 with provable shared secrets.
//
// A DKG dealer encrypts each receiver's share under a key derived from a
// Diffie–Hellman secret between a per-dealing ephemeral key and the
// receiver's registered key (DHIES). If a receiver finds its share bad, it
// publishes that one shared secret together with a Chaum–Pedersen proof
// that it is the true Diffie–Hellman value; anyone can then decrypt that
// one ciphertext and see the dealer cheated, while the receiver's other
// shares stay secret. The group is G1 of BLS12-381 so that the proof needs
// no second curve library; the key-derivation and AEAD steps are the
// caller's (package dkg uses HKDF-SHA256 and AES-256-GCM).

// DHSecretKeySize and the sizes below are the encoded sizes in bytes.
const (
	DHSecretKeySize       = 32
	DHPublicKeySize       = 48
	SharedSecretSize      = 48
	SharedSecretProofSize = 64
)

// ErrInvalidProof reports a shared-secret proof that does not verify.
var ErrInvalidProof = errors.New("bls: invalid shared-secret proof")

// DHSecretKey is a Diffie–Hellman secret scalar. The zero value is unset.
type DHSecretKey struct{ s fr.Element }

// DHPublicKey is g1^x for a [DHSecretKey] x: a non-identity G1 point in the
// prime-order subgroup. It is a comparable value.
type DHPublicKey struct{ p bls12381.G1Affine }

// SharedSecret is the compressed Diffie–Hellman point shared by two keys.
// It is secret: clear it after deriving keys from it.
type SharedSecret [SharedSecretSize]byte

// SharedSecretProof is a non-interactive Chaum–Pedersen proof (c, z) that
// a published [SharedSecret] equals peer^x for the x behind a public key.
type SharedSecretProof [SharedSecretProofSize]byte

// GenerateDHKey returns a random Diffie–Hellman key read from rand.
func GenerateDHKey(rand io.Reader) (DHSecretKey, error) {
	s, err := randomScalar(rand)
	if err != nil {
		return DHSecretKey{}, err
	}
	return DHSecretKey{s: s}, nil
}

// PublicKey returns g1^x.
func (k DHSecretKey) PublicKey() DHPublicKey {
	var b big.Int
	k.s.BigInt(&b)
	var pk DHPublicKey
	pk.p.ScalarMultiplicationBase(&b)
	b.SetInt64(0)
	return pk
}

// IsZero reports whether k is unset or zeroed.
func (k *DHSecretKey) IsZero() bool { return k.s.IsZero() }

// Zero overwrites the secret scalar.
func (k *DHSecretKey) Zero() { k.s.SetZero() }

// SharedSecret returns peer^x. It returns [ErrZeroValue] if either key is
// unset.
func (k DHSecretKey) SharedSecret(peer DHPublicKey) (SharedSecret, error) {
	if k.s.IsZero() || peer.p.IsInfinity() {
		return SharedSecret{}, ErrZeroValue
	}
	var b big.Int
	k.s.BigInt(&b)
	var p bls12381.G1Affine
	p.ScalarMultiplication(&peer.p, &b)
	b.SetInt64(0)
	return SharedSecret(p.Bytes()), nil
}

// ProveSharedSecret returns peer^x together with a proof, bound to
// context, that it is the Diffie–Hellman value of k's public key and peer.
// The proof's nonce is read from rand.
func (k DHSecretKey) ProveSharedSecret(rand io.Reader, peer DHPublicKey, context []byte) (SharedSecret, SharedSecretProof, error) {
	shared, err := k.SharedSecret(peer)
	if err != nil {
		return SharedSecret{}, SharedSecretProof{}, err
	}
	nonce, err := randomScalar(rand)
	if err != nil {
		return SharedSecret{}, SharedSecretProof{}, err
	}
	// Chaum–Pedersen: commit to the nonce k in both bases (A₁ = g1^k,
	// A₂ = peer^k), derive the challenge c by hashing the statement and the
	// commitments, and answer z = k + c·x. Correctness: g1^z = A₁·pub^c and
	// peer^z = A₂·K^c exactly when K = peer^x.
	var nb big.Int
	nonce.BigInt(&nb)
	var a1, a2 bls12381.G1Affine
	a1.ScalarMultiplicationBase(&nb)
	a2.ScalarMultiplication(&peer.p, &nb)
	pub := k.PublicKey()
	c := dleqChallenge(context, &pub.p, &peer.p, shared, &a1, &a2)
	var z fr.Element
	z.Mul(&c, &k.s).Add(&z, &nonce)
	nonce.SetZero()
	nb.SetInt64(0)
	var proof SharedSecretProof
	cb, zb := c.Bytes(), z.Bytes()
	copy(proof[:32], cb[:])
	copy(proof[32:], zb[:])
	return shared, proof, nil
}

// VerifySharedSecret checks that shared = peer^x where pub = g1^x, using a
// proof from [DHSecretKey.ProveSharedSecret] with the same context. It
// returns nil, [ErrInvalidProof], or a decoding error for a malformed
// shared secret.
func VerifySharedSecret(pub, peer DHPublicKey, shared SharedSecret, proof SharedSecretProof, context []byte) error {
	if pub.p.IsInfinity() || peer.p.IsInfinity() {
		return ErrZeroValue
	}
	// The published secret is a point like any other input: decode it with
	// the full checks, so a small-order K cannot satisfy the equations.
	k, err := decodeG1(shared[:])
	if err != nil {
		return fmt.Errorf("shared secret: %w", err)
	}
	var c, z fr.Element
	if c.SetBytesCanonical(proof[:32]) != nil || z.SetBytesCanonical(proof[32:]) != nil {
		return ErrInvalidProof
	}
	// a1 = g1^z · pub^−c, a2 = peer^z · K^−c
	var negC fr.Element
	negC.Neg(&c)
	var zb, cb big.Int
	z.BigInt(&zb)
	negC.BigInt(&cb)
	var j1, j2 bls12381.G1Jac
	j1.JointScalarMultiplicationBase(&pub.p, &zb, &cb)
	j2.JointScalarMultiplication(&peer.p, &k, &zb, &cb)
	var a1, a2 bls12381.G1Affine
	a1.FromJacobian(&j1)
	a2.FromJacobian(&j2)
	want := dleqChallenge(context, &pub.p, &peer.p, shared, &a1, &a2)
	if !want.Equal(&c) {
		return ErrInvalidProof
	}
	return nil
}

// dleqChallenge is the Fiat–Shamir challenge of the Chaum–Pedersen proof.
func dleqChallenge(context []byte, pub, peer *bls12381.G1Affine, shared SharedSecret, a1, a2 *bls12381.G1Affine) fr.Element {
	h := sha512.New()
	h.Write([]byte("bls-dh-proof-v1"))
	var l [8]byte
	binary.BigEndian.PutUint64(l[:], uint64(len(context)))
	h.Write(l[:])
	h.Write(context)
	for _, p := range []*bls12381.G1Affine{pub, peer} {
		b := p.Bytes()
		h.Write(b[:])
	}
	h.Write(shared[:])
	for _, p := range []*bls12381.G1Affine{a1, a2} {
		b := p.Bytes()
		h.Write(b[:])
	}
	// A 512-bit digest reduced modulo r is within 2^-256 of uniform.
	d := h.Sum(nil)
	var c fr.Element
	c.SetBytes(d)
	return c
}

// MarshalBinary returns the 32-byte big-endian scalar.
func (k DHSecretKey) MarshalBinary() ([]byte, error) {
	if k.s.IsZero() {
		return nil, ErrZeroValue
	}
	b := k.s.Bytes()
	return b[:], nil
}

// UnmarshalBinary decodes a 32-byte scalar, rejecting zero and values not
// below r.
func (k *DHSecretKey) UnmarshalBinary(data []byte) error {
	var sk SecretKey
	if err := sk.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("dh %w", err)
	}
	k.s = sk.s
	return nil
}

// Bytes returns the 48-byte compressed encoding.
func (pk DHPublicKey) Bytes() [DHPublicKeySize]byte { return pk.p.Bytes() }

// IsZero reports whether pk is unset.
func (pk DHPublicKey) IsZero() bool { return pk.p.IsInfinity() }

// MarshalBinary returns the 48-byte compressed encoding.
func (pk DHPublicKey) MarshalBinary() ([]byte, error) {
	if pk.p.IsInfinity() {
		return nil, ErrZeroValue
	}
	b := pk.p.Bytes()
	return b[:], nil
}

// UnmarshalBinary decodes a compressed G1 point with the checks of
// [Signature.UnmarshalBinary].
func (pk *DHPublicKey) UnmarshalBinary(data []byte) error {
	p, err := decodeG1(data)
	if err != nil {
		return fmt.Errorf("dh public key: %w", err)
	}
	pk.p = p
	return nil
}
