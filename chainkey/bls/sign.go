package bls

import (
	"bytes"
	"math/big"
	"sync"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
)

// Domain separation tags (hash-to-curve DSTs), exactly as the IC uses them.
const (
	// DSTBasic is the basic-scheme ciphersuite of the IETF BLS draft (G1
	// signatures): threshold signatures, certification, beacon and tape.
	DSTBasic = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
	// DSTMulti is the proof-of-possession ciphersuite used for individual
	// signatures that are aggregated into multi-signatures (notarization,
	// finalization).
	DSTMulti = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_"
	// DSTPoP is the tag for proofs of possession of a multi-signature key.
	DSTPoP = "BLS_POP_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_"
)

var fpModulus = fp.Modulus()

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// g2NegLines holds the Miller-loop lines of −g2, the fixed second argument
// of every verification; precomputing them once saves the G2 arithmetic of
// one of the two pairings.
var g2NegLines = sync.OnceValue(func() *[2][len(bls12381.LoopCounter) - 1]bls12381.LineEvaluationAff {
	l := bls12381.PrecomputeLines(g2Neg())
	return &l
})

// g2Neg is −g2, the fixed second argument of every verification.
var g2Neg = sync.OnceValue(func() bls12381.G2Affine {
	_, _, _, g2 := bls12381.Generators()
	var neg bls12381.G2Affine
	neg.Neg(&g2)
	return neg
})

// hashToG1 hashes msg to G1 with the given ciphersuite tag (RFC 9380
// hash_to_curve, BLS12381G1_XMD:SHA-256_SSWU_RO_).
func hashToG1(msg []byte, dst string) bls12381.G1Affine {
	h, err := bls12381.HashToG1(msg, []byte(dst))
	if err != nil {
		// HashToG1 fails only for DSTs over 255 bytes; ours are constants.
		panic("bls: hash to curve: " + err.Error())
	}
	return h
}

// HashToG1 returns the compressed encoding of the RFC 9380 hash of msg to
// G1 (suite BLS12381G1_XMD:SHA-256_SSWU_RO_) under dst. It exists so that
// callers and tests can check the suite against published vectors; dst must
// be at most 255 bytes.
func HashToG1(msg, dst []byte) ([SignatureSize]byte, error) {
	h, err := bls12381.HashToG1(msg, dst)
	if err != nil {
		return [SignatureSize]byte{}, err
	}
	return h.Bytes(), nil
}

// sign returns H(msg)^sk under dst.
func (sk SecretKey) sign(msg []byte, dst string) Signature {
	h := hashToG1(msg, dst)
	var b big.Int
	sk.s.BigInt(&b)
	var sig Signature
	sig.p.ScalarMultiplication(&h, &b)
	b.SetInt64(0)
	return sig
}

// Sign signs msg with the basic scheme ([DSTBasic]), as the IC signs
// certified state and as threshold shares are made. Signing is
// deterministic: the same key and message give the same signature.
// Signing with a zero-value key returns the zero Signature.
func (sk SecretKey) Sign(msg []byte) Signature { return sk.sign(msg, DSTBasic) }

// Verify checks sig on msg under pk with the basic scheme: e(sig, g2) =
// e(H(msg), pk) as one two-pairing product. It returns nil or
// [ErrInvalidSignature] ([ErrZeroValue] for zero-value inputs). Decoded
// keys and signatures are already subgroup-checked.
func (pk PublicKey) Verify(msg []byte, sig Signature) error {
	return verify(&pk.p, nil, msg, sig, DSTBasic)
}

// VerifyEncoded checks an encoded signature on msg under an encoded public
// key with the basic scheme, as clients check Internet Computer
// certificates: publicKey is 96 bytes (compressed G2), sig 48 bytes
// (compressed G1), both decoded with subgroup checks. It returns the decoding
// error for malformed input, else what [PublicKey.Verify] returns.
func VerifyEncoded(publicKey, msg, sig []byte) error {
	pk, err := ParsePublicKey(publicKey)
	if err != nil {
		return err
	}
	s, err := ParseSignature(sig)
	if err != nil {
		return err
	}
	return pk.Verify(msg, s)
}

// EncodedVerifier is [VerifyEncoded] as a method, the shape of
// signature-verifier interfaces on byte slices (the hash tree's
// certificate check, for one). The zero value is ready to use.
type EncodedVerifier struct{}

// VerifySignature calls [VerifyEncoded].
func (EncodedVerifier) VerifySignature(publicKey, msg, sig []byte) error {
	return VerifyEncoded(publicKey, msg, sig)
}

// verify checks e(sig, −g2)·e(H(msg), pk) = 1, which for sig = H(msg)^sk
// and pk = g2^sk holds by bilinearity: e(H^sk, g2)⁻¹·e(H, g2^sk) = 1.
// Writing it as one product of two pairings shares the final
// exponentiation, the most expensive step. If lines is non-nil it holds
// pk's precomputed lines and both pairings use the fixed-argument loop.
//
// Inputs were decoded with subgroup checks (or computed), so no check is
// repeated here; a zero value is rejected because the identity would make
// the equation hold trivially for sig = identity.
func verify(pk *bls12381.G2Affine, lines *[2][len(bls12381.LoopCounter) - 1]bls12381.LineEvaluationAff, msg []byte, sig Signature, dst string) error {
	if pk.IsInfinity() || sig.p.IsInfinity() {
		return ErrZeroValue
	}
	h := hashToG1(msg, dst)
	var ok bool
	var err error
	if lines != nil {
		ok, err = bls12381.PairingCheckFixedQ(
			[]bls12381.G1Affine{sig.p, h},
			[][2][len(bls12381.LoopCounter) - 1]bls12381.LineEvaluationAff{*g2NegLines(), *lines})
	} else {
		// A plain two-pair multi-Miller loop measured faster than splitting
		// into a fixed-argument loop for −g2 and an ordinary one for pk.
		ok, err = bls12381.PairingCheck([]bls12381.G1Affine{sig.p, h}, []bls12381.G2Affine{g2Neg(), *pk})
	}
	if err != nil || !ok {
		return ErrInvalidSignature
	}
	return nil
}

// Verifier is a public key with its pairing lines precomputed, for keys
// that verify many signatures (a subnet key, a node key). It verifies
// faster than [PublicKey.Verify] at the cost of about 24 KiB of memory. A
// Verifier is immutable and safe for concurrent use.
type Verifier struct {
	pk    PublicKey
	lines [2][len(bls12381.LoopCounter) - 1]bls12381.LineEvaluationAff
}

// NewVerifier precomputes pk's pairing lines. It returns [ErrZeroValue]
// for a zero-value key.
func NewVerifier(pk PublicKey) (*Verifier, error) {
	if pk.IsZero() {
		return nil, ErrZeroValue
	}
	return &Verifier{pk: pk, lines: bls12381.PrecomputeLines(pk.p)}, nil
}

// PublicKey returns the key v verifies for.
func (v *Verifier) PublicKey() PublicKey { return v.pk }

// Verify checks sig on msg with the basic scheme, like [PublicKey.Verify].
func (v *Verifier) Verify(msg []byte, sig Signature) error {
	return verify(&v.pk.p, &v.lines, msg, sig, DSTBasic)
}
