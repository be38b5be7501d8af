package derive

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha512"
	"errors"
	"fmt"
	"slices"

	"filippo.io/edwards25519"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Errors returned by the derivation functions.
var (
	// ErrInvalidPublicKey reports a parent key that does not decode: wrong
	// length, wrong SEC1 prefix, not on the curve, or (Ed25519) a
	// non-canonical encoding.
	ErrInvalidPublicKey = errors.New("derive: invalid public key")
	// ErrInvalidChainCode reports a chain code that is not 32 bytes long.
	ErrInvalidChainCode = errors.New("derive: invalid chain code")
)

// MasterChainCode is the chain code the IC uses for its master keys
// (key_1, test_key_1, ...): 32 zero bytes. Deriving a cube's key starts from
// the master public key and this chain code.
var MasterChainCode [32]byte

// Key is the result of a derivation: the derived public key, the chain code
// to continue deriving from it, and the additive offset that relates it to
// the parent.
//
// If the parent key is x·G, the derived key is (x + offset)·G: whoever holds
// x (or, in a threshold group, shares of x) can sign for the derived key by
// adding Offset to the secret (or to every share; Lagrange coefficients sum
// to one).
type Key struct {
	// PublicKey is SEC1-compressed (33 bytes) for secp256k1, the RFC 8032
	// encoding (32 bytes) for Ed25519. The caller owns the slice.
	PublicKey []byte
	// ChainCode continues the derivation: deriving with path a then b from
	// the returned key equals deriving with the concatenated path.
	ChainCode [32]byte
	// Offset is the sum of the per-element offsets modulo the group order:
	// 32 bytes big-endian for secp256k1 (SEC1 scalar format), 32 bytes
	// little-endian for Ed25519 (RFC 8032 scalar format). It is public: it
	// depends only on public inputs.
	Offset [32]byte
}

// CubePath returns the derivation path the IC uses for a canister's
// (cube's) signing requests: the cube's principal bytes followed by the
// caller's derivation_path elements. The result does not alias its inputs.
func CubePath(cube []byte, path ...[]byte) [][]byte {
	out := make([][]byte, 0, 1+len(path))
	out = append(out, slices.Clone(cube))
	for _, p := range path {
		out = append(out, slices.Clone(p))
	}
	return out
}

// Secp256k1 derives a child key along path with the IC's generalised BIP32
// (the scheme used for threshold ECDSA and BIP340 keys; Groth–Shoup,
// eprint 2021/1330, appendix D). For each path element idx:
//
//	I = HMAC-SHA512(key = chainCode, data = SEC1-compressed(P) || idx)
//	offset = I[0:32] as a big-endian integer
//	if offset >= n: I = HMAC-SHA512(chainCode, 0x01 || I[32:64] || idx), repeat the check
//	P' = P + offset·G; if P' is the point at infinity, retry likewise with 0x01 || I[32:64]
//	P, chainCode = P', I[32:64]
//
// Elements may have any length (BIP32 proper uses 4-byte big-endian
// non-hardened indices). publicKey must be 33-byte SEC1-compressed.
func Secp256k1(publicKey []byte, chainCode [32]byte, path [][]byte) (Key, error) {
	if len(publicKey) != 33 {
		return Key{}, fmt.Errorf("%w: length %d, want 33 (SEC1 compressed)", ErrInvalidPublicKey, len(publicKey))
	}
	pk, err := secp256k1.ParsePubKey(publicKey)
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
	}
	var P secp256k1.JacobianPoint
	pk.AsJacobian(&P)
	cc := chainCode
	var sum secp256k1.ModNScalar
	for _, idx := range path {
		input := secp256k1.NewPublicKey(&P.X, &P.Y).SerializeCompressed()
		for {
			mac := hmac.New(sha512.New, cc[:])
			mac.Write(input)
			mac.Write(idx)
			I := mac.Sum(nil)
			var off secp256k1.ModNScalar
			if overflow := off.SetByteSlice(I[:32]); overflow {
				input = append([]byte{1}, I[32:]...)
				continue
			}
			var oG, next secp256k1.JacobianPoint
			secp256k1.ScalarBaseMultNonConst(&off, &oG)
			secp256k1.AddNonConst(&P, &oG, &next)
			if (next.X.IsZero() && next.Y.IsZero()) || next.Z.IsZero() {
				input = append([]byte{1}, I[32:]...)
				continue
			}
			next.ToAffine()
			P = next
			copy(cc[:], I[32:])
			sum.Add(&off)
			break
		}
	}
	return Key{
		PublicKey: secp256k1.NewPublicKey(&P.X, &P.Y).SerializeCompressed(),
		ChainCode: cc,
		Offset:    sum.Bytes(),
	}, nil
}

// Ed25519 derives a child key along path with the IC's HKDF-based scheme
// for Ed25519 (ic-ed25519's derive_subkey_with_chain_code). For each path
// element idx:
//
//	okm = HKDF-SHA512(salt = chainCode, ikm = encode(P) || idx, info = "Ed25519", L = 96)
//	offset = okm[0:64] as a big-endian integer, reduced modulo ℓ
//	P, chainCode = P + offset·B, okm[64:96]
//
// publicKey must be a canonical 32-byte RFC 8032 point encoding. The derived
// secret (scalar + offset) is a bare scalar: it has no Ed25519 seed form, so
// it can only be used by signers that work with scalars, such as FROST.
func Ed25519(publicKey []byte, chainCode [32]byte, path [][]byte) (Key, error) {
	if len(publicKey) != 32 {
		return Key{}, fmt.Errorf("%w: length %d, want 32", ErrInvalidPublicKey, len(publicKey))
	}
	P, err := new(edwards25519.Point).SetBytes(publicKey)
	if err != nil {
		return Key{}, fmt.Errorf("%w: not a point", ErrInvalidPublicKey)
	}
	if !hmac.Equal(P.Bytes(), publicKey) {
		return Key{}, fmt.Errorf("%w: non-canonical encoding", ErrInvalidPublicKey)
	}
	cc := chainCode
	sum := edwards25519.NewScalar()
	for _, idx := range path {
		ikm := append(P.Bytes(), idx...)
		okm, err := hkdf.Key(sha512.New, ikm, cc[:], "Ed25519", 96)
		if err != nil {
			// Unreachable: 96 bytes is well below HKDF-SHA512's limit.
			return Key{}, fmt.Errorf("derive: hkdf: %w", err)
		}
		var wide [64]byte
		for i := range wide {
			wide[i] = okm[63-i] // big-endian to little-endian
		}
		off, err := edwards25519.NewScalar().SetUniformBytes(wide[:])
		if err != nil {
			return Key{}, fmt.Errorf("derive: reduce: %w", err)
		}
		P.Add(P, new(edwards25519.Point).ScalarBaseMult(off))
		sum.Add(sum, off)
		copy(cc[:], okm[64:])
	}
	var k Key
	k.PublicKey = P.Bytes()
	k.ChainCode = cc
	copy(k.Offset[:], sum.Bytes())
	return k, nil
}
