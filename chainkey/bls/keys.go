package bls

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Sizes of the binary encodings, in bytes.
const (
	// SecretKeySize is the size of an encoded [SecretKey]: a big-endian scalar.
	SecretKeySize = 32
	// PublicKeySize is the size of an encoded [PublicKey]: a compressed G2 point.
	PublicKeySize = 96
	// SignatureSize is the size of an encoded [Signature]: a compressed G1 point.
	SignatureSize = 48
)

// Errors returned by decoders, verifiers and combiners. Decoders wrap them
// with the name of the value being decoded; test with [errors.Is].
var (
	// ErrEncoding reports a byte string of the wrong length, with invalid
	// flag bits, or with a non-canonical field element.
	ErrEncoding = errors.New("bls: malformed encoding")
	// ErrNotOnCurve reports a compressed x-coordinate that has no point on
	// the curve.
	ErrNotOnCurve = errors.New("bls: point not on curve")
	// ErrNotInSubgroup reports a curve point outside the prime-order
	// subgroup (a small-subgroup or cofactor attack).
	ErrNotInSubgroup = errors.New("bls: point not in prime-order subgroup")
	// ErrIdentity reports the point at infinity where a key or signature is
	// expected; it is never a valid key or signature.
	ErrIdentity = errors.New("bls: identity point")
	// ErrInvalidSecretKey reports a zero scalar or one not reduced modulo the
	// group order.
	ErrInvalidSecretKey = errors.New("bls: invalid secret key")
	// ErrInvalidSignature reports a signature that does not verify.
	ErrInvalidSignature = errors.New("bls: invalid signature")
	// ErrZeroValue reports use of a zero-value key or signature that was
	// never set by a constructor or decoder.
	ErrZeroValue = errors.New("bls: zero value")
	// ErrShortSeed reports key-generation input keying material under 32 bytes.
	ErrShortSeed = errors.New("bls: key material shorter than 32 bytes")
)

// SecretKey is a BLS secret key, a non-zero scalar modulo the BLS12-381
// group order r. The zero value is not a valid key; obtain one from
// [GenerateKey], [KeyGen] or [SecretKey.UnmarshalBinary].
//
// Scalar multiplication in the underlying library is not constant time;
// signing keys should live on machines whose timing is not observable by
// an attacker sharing the core.
type SecretKey struct {
	s fr.Element
}

// PublicKey is a BLS public key, a non-identity point in the prime-order
// subgroup of G2. It is a comparable value: two keys are == exactly when
// they are the same point. The zero value is not a valid key.
type PublicKey struct {
	p bls12381.G2Affine
}

// Signature is a BLS signature, a non-identity point in the prime-order
// subgroup of G1 (the IC's minimal-signature-size variant). It is a
// comparable value. The zero value is not a valid signature.
type Signature struct {
	p bls12381.G1Affine
}

// keygenSalt is the initial salt of the IETF BLS KeyGen (draft-irtf-cfrg-bls-signature-05 §2.3).
const keygenSalt = "BLS-SIG-KEYGEN-SALT-"

// KeyGen derives a secret key from input keying material exactly as the IETF
// BLS draft's KeyGen (and blst.KeyGen) does: HKDF-SHA256 with salt
// "BLS-SIG-KEYGEN-SALT-", rehashing the salt until the key is non-zero. ikm
// must hold at least 32 bytes of secret entropy; info may be nil. The same
// ikm always yields the same key.
func KeyGen(ikm, info []byte) (SecretKey, error) {
	if len(ikm) < 32 {
		return SecretKey{}, ErrShortSeed
	}
	// The draft's loop: salt ← SHA-256(salt); PRK ← HKDF-Extract(salt,
	// IKM ‖ 0x00); OKM ← HKDF-Expand(PRK, info ‖ I2OSP(48, 2), 48);
	// SK ← OKM mod r; repeat while SK = 0. 48 bytes (384 bits) reduced
	// modulo the 255-bit r make the bias negligible. blst.KeyGen follows
	// the same steps, which TestBlstInterop checks byte for byte.
	salt := []byte(keygenSalt)
	// IKM || I2OSP(0, 1)
	secret := append(append(make([]byte, 0, len(ikm)+1), ikm...), 0)
	// key_info || I2OSP(L, 2) with L = 48
	expandInfo := append(append(make([]byte, 0, len(info)+2), info...), 0, 48)
	var n big.Int
	for {
		h := sha256.Sum256(salt)
		salt = h[:]
		prk, err := hkdf.Extract(sha256.New, secret, salt)
		if err != nil {
			return SecretKey{}, fmt.Errorf("bls: keygen: %w", err)
		}
		okm, err := hkdf.Expand(sha256.New, prk, string(expandInfo), 48)
		if err != nil {
			return SecretKey{}, fmt.Errorf("bls: keygen: %w", err)
		}
		n.SetBytes(okm)
		n.Mod(&n, fr.Modulus())
		clear(okm)
		clear(prk)
		if n.Sign() != 0 {
			break
		}
	}
	clear(secret)
	var sk SecretKey
	sk.s.SetBigInt(&n)
	n.SetInt64(0)
	return sk, nil
}

// GenerateKey returns a fresh secret key, reading 32 bytes of input keying
// material from rand and deriving the key with [KeyGen]. rand must be a
// cryptographically secure source in production (crypto/rand.Reader); tests
// may pass a seeded reader for reproducible keys.
func GenerateKey(rand io.Reader) (SecretKey, error) {
	var ikm [32]byte
	if _, err := io.ReadFull(rand, ikm[:]); err != nil {
		return SecretKey{}, fmt.Errorf("bls: reading randomness: %w", err)
	}
	defer clear(ikm[:])
	return KeyGen(ikm[:], nil)
}

// randomScalar reads 64 bytes from rand and reduces them modulo r, so the
// result is within 2^-128 of uniform; it retries on zero.
func randomScalar(rand io.Reader) (fr.Element, error) {
	var buf [64]byte
	defer clear(buf[:])
	var n big.Int
	for {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return fr.Element{}, fmt.Errorf("bls: reading randomness: %w", err)
		}
		n.SetBytes(buf[:])
		n.Mod(&n, fr.Modulus())
		if n.Sign() != 0 {
			var s fr.Element
			s.SetBigInt(&n)
			n.SetInt64(0)
			return s, nil
		}
	}
}

// IsZero reports whether sk is the zero value (or has been zeroed).
func (sk *SecretKey) IsZero() bool { return sk.s.IsZero() }

// Zero overwrites the secret scalar. The key is unusable afterwards. Go may
// have copied the value elsewhere (SecretKey is passed by value in places);
// Zero clears this copy only.
func (sk *SecretKey) Zero() { sk.s.SetZero() }

// PublicKey returns g2^sk.
func (sk SecretKey) PublicKey() PublicKey {
	var b big.Int
	sk.s.BigInt(&b)
	var pk PublicKey
	pk.p.ScalarMultiplicationBase(&b)
	b.SetInt64(0)
	return pk
}

// MarshalBinary returns the 32-byte big-endian scalar. The caller owns the
// slice and should clear it after use.
func (sk SecretKey) MarshalBinary() ([]byte, error) {
	if sk.s.IsZero() {
		return nil, ErrZeroValue
	}
	b := sk.s.Bytes()
	return b[:], nil
}

// UnmarshalBinary sets sk from a 32-byte big-endian scalar. It returns an
// error wrapping [ErrEncoding] for the wrong length and
// [ErrInvalidSecretKey] for zero or a value not below r.
func (sk *SecretKey) UnmarshalBinary(data []byte) error {
	if len(data) != SecretKeySize {
		return fmt.Errorf("secret key: %w: %d bytes, want %d", ErrEncoding, len(data), SecretKeySize)
	}
	var s fr.Element
	if err := s.SetBytesCanonical(data); err != nil {
		return fmt.Errorf("secret key: %w: not reduced modulo r", ErrInvalidSecretKey)
	}
	if s.IsZero() {
		return fmt.Errorf("secret key: %w: zero", ErrInvalidSecretKey)
	}
	sk.s = s
	return nil
}

// Equal reports whether sk and other are the same scalar.
func (sk SecretKey) Equal(other SecretKey) bool { return sk.s.Equal(&other.s) }

// IsZero reports whether pk is the zero value.
func (pk PublicKey) IsZero() bool { return pk.p.IsInfinity() }

// Bytes returns the 96-byte compressed encoding (ZCash/IETF flags).
func (pk PublicKey) Bytes() [PublicKeySize]byte { return pk.p.Bytes() }

// MarshalBinary returns the 96-byte compressed encoding.
func (pk PublicKey) MarshalBinary() ([]byte, error) {
	if pk.p.IsInfinity() {
		return nil, ErrZeroValue
	}
	b := pk.p.Bytes()
	return b[:], nil
}

// UnmarshalBinary sets pk from a 96-byte compressed G2 point. It rejects
// (wrapping the matching sentinel) a wrong length or bad flags
// ([ErrEncoding]), an x with no curve point ([ErrNotOnCurve]), a point
// outside the prime-order subgroup ([ErrNotInSubgroup]) and the identity
// ([ErrIdentity]), as the IETF KeyValidate requires.
func (pk *PublicKey) UnmarshalBinary(data []byte) error {
	p, err := decodeG2(data)
	if err != nil {
		return fmt.Errorf("public key: %w", err)
	}
	pk.p = p
	return nil
}

// ParsePublicKey decodes a 96-byte compressed public key; see
// [PublicKey.UnmarshalBinary] for the checks.
func ParsePublicKey(data []byte) (PublicKey, error) {
	var pk PublicKey
	err := pk.UnmarshalBinary(data)
	return pk, err
}

// String returns the hex of the compressed encoding.
func (pk PublicKey) String() string { b := pk.p.Bytes(); return fmt.Sprintf("%x", b[:]) }

// IsZero reports whether sig is the zero value.
func (sig Signature) IsZero() bool { return sig.p.IsInfinity() }

// Bytes returns the 48-byte compressed encoding.
func (sig Signature) Bytes() [SignatureSize]byte { return sig.p.Bytes() }

// MarshalBinary returns the 48-byte compressed encoding.
func (sig Signature) MarshalBinary() ([]byte, error) {
	if sig.p.IsInfinity() {
		return nil, ErrZeroValue
	}
	b := sig.p.Bytes()
	return b[:], nil
}

// UnmarshalBinary sets sig from a 48-byte compressed G1 point, with the
// same checks as [PublicKey.UnmarshalBinary].
func (sig *Signature) UnmarshalBinary(data []byte) error {
	p, err := decodeG1(data)
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	sig.p = p
	return nil
}

// ParseSignature decodes a 48-byte compressed signature; see
// [Signature.UnmarshalBinary] for the checks.
func ParseSignature(data []byte) (Signature, error) {
	var sig Signature
	err := sig.UnmarshalBinary(data)
	return sig, err
}

// String returns the hex of the compressed encoding.
func (sig Signature) String() string { b := sig.p.Bytes(); return fmt.Sprintf("%x", b[:]) }

// ZCash/IETF flag bits in the first byte of a compressed point.
const (
	flagCompressed = 0x80
	flagInfinity   = 0x40
	flagSign       = 0x20
)

// checkFlags validates the flag bits and the infinity encoding common to
// G1 and G2: compressed form only, and an infinity flag only on an
// all-zero body (which is then reported as ErrIdentity).
func checkFlags(data []byte, size int) error {
	if len(data) != size {
		return fmt.Errorf("%w: %d bytes, want %d", ErrEncoding, len(data), size)
	}
	if data[0]&flagCompressed == 0 {
		return fmt.Errorf("%w: compression flag not set", ErrEncoding)
	}
	if data[0]&flagInfinity != 0 {
		if data[0] != flagCompressed|flagInfinity {
			return fmt.Errorf("%w: infinity with sign or coordinate bits", ErrEncoding)
		}
		for _, b := range data[1:] {
			if b != 0 {
				return fmt.Errorf("%w: infinity with coordinate bits", ErrEncoding)
			}
		}
		return ErrIdentity
	}
	return nil
}

// decodeG1 decodes a compressed, non-identity, subgroup-checked G1 point.
//
// The fast path is gnark's SetBytes, which recovers y from x (so the point
// is on the curve by construction) and runs the subgroup check. Only when
// it fails do we decode a second time without the subgroup check, to tell
// the caller which rule was broken: rejecting is cheap to get right, but
// an error that says "not in subgroup" rather than "invalid" is what an
// operator needs when a peer sends a cofactor-multiplied point.
func decodeG1(data []byte) (bls12381.G1Affine, error) {
	var p bls12381.G1Affine
	if err := checkFlags(data, bls12381.SizeOfG1AffineCompressed); err != nil {
		return p, err
	}
	if _, err := p.SetBytes(data); err != nil {
		// Classify the failure: decode again without the subgroup check.
		var q bls12381.G1Affine
		dec := bls12381.NewDecoder(bytesReader(data), bls12381.NoSubgroupChecks())
		if derr := dec.Decode(&q); derr == nil {
			return p, ErrNotInSubgroup
		}
		return p, classifyCoordinate(data[:48])
	}
	return p, nil
}

// decodeG2 decodes a compressed, non-identity, subgroup-checked G2 point,
// classifying failures like decodeG1. G2's cofactor is huge, so almost
// every curve point is outside the subgroup: the check is essential for
// public keys, or a small-order component could leak pairing results.
func decodeG2(data []byte) (bls12381.G2Affine, error) {
	var p bls12381.G2Affine
	if err := checkFlags(data, bls12381.SizeOfG2AffineCompressed); err != nil {
		return p, err
	}
	if _, err := p.SetBytes(data); err != nil {
		var q bls12381.G2Affine
		dec := bls12381.NewDecoder(bytesReader(data), bls12381.NoSubgroupChecks())
		if derr := dec.Decode(&q); derr == nil {
			return p, ErrNotInSubgroup
		}
		// A G2 x-coordinate is two field elements (c1 then c0).
		if err := classifyCoordinate(data[:48]); !errors.Is(err, ErrNotOnCurve) {
			return p, err
		}
		return p, classifyCoordinate(data[48:96])
	}
	return p, nil
}

// classifyCoordinate reports ErrEncoding if the 48-byte big-endian field
// element (flag bits masked) is not below p, else ErrNotOnCurve.
func classifyCoordinate(b []byte) error {
	var x big.Int
	buf := append([]byte(nil), b...)
	buf[0] &^= flagCompressed | flagInfinity | flagSign
	x.SetBytes(buf)
	if x.Cmp(fpModulus) >= 0 {
		return fmt.Errorf("%w: coordinate not reduced modulo p", ErrEncoding)
	}
	return ErrNotOnCurve
}
