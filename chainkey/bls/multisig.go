package bls

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/consensys/gnark-crypto/ecc"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// ErrNoKeys reports an empty list of keys or signatures to aggregate, or
// lists of different lengths.
var ErrNoKeys = errors.New("bls: empty or mismatched key and signature lists")

// popDomain is the IC's domain separator for proof-of-possession input; it
// is prefixed with its length, as the IC's DomainSeparationContext does.
const popDomain = "ic-multi-sig-bls12381-pop"

// popMessage returns the bytes a proof of possession signs:
// len(domain) ‖ domain ‖ compressed public key.
func popMessage(pk PublicKey) []byte {
	b := pk.p.Bytes()
	m := make([]byte, 0, 1+len(popDomain)+len(b))
	m = append(m, byte(len(popDomain)))
	m = append(m, popDomain...)
	return append(m, b[:]...)
}

// SignMulti signs msg for a multi-signature (ciphersuite [DSTMulti]).
// Individual multi-signature signatures on one message add up to a
// multi-signature that verifies against the sum of the signers' keys, which
// is safe only if every key has a verified proof of possession.
func (sk SecretKey) SignMulti(msg []byte) Signature { return sk.sign(msg, DSTMulti) }

// VerifyMulti checks one individual multi-signature signature; it returns
// nil or [ErrInvalidSignature].
func (pk PublicKey) VerifyMulti(msg []byte, sig Signature) error {
	return verify(&pk.p, nil, msg, sig, DSTMulti)
}

// ProvePossession returns sk's proof of possession: a signature under
// [DSTPoP] on the domain-separated public key. Registries accept a
// multi-signature key only together with a proof that verifies, which stops
// rogue-key attacks on aggregation.
func (sk SecretKey) ProvePossession() Signature {
	return sk.sign(popMessage(sk.PublicKey()), DSTPoP)
}

// VerifyPossession checks a proof of possession of pk; it returns nil or
// [ErrInvalidSignature].
func (pk PublicKey) VerifyPossession(pop Signature) error {
	return verify(&pk.p, nil, popMessage(pk), pop, DSTPoP)
}

// AggregateSignatures adds signatures (G1 points). The result is the
// multi-signature of the signers when each input is their signature on the
// same message. It returns [ErrNoKeys] for an empty list and
// [ErrZeroValue] if an input is unset or the sum is the identity.
func AggregateSignatures(sigs []Signature) (Signature, error) {
	if len(sigs) == 0 {
		return Signature{}, ErrNoKeys
	}
	var acc bls12381.G1Jac
	for i := range sigs {
		if sigs[i].p.IsInfinity() {
			return Signature{}, fmt.Errorf("signature %d: %w", i, ErrZeroValue)
		}
		acc.AddMixed(&sigs[i].p)
	}
	var out Signature
	out.p.FromJacobian(&acc)
	if out.p.IsInfinity() {
		return Signature{}, ErrZeroValue
	}
	return out, nil
}

// AggregatePublicKeys adds public keys (G2 points), giving the key a
// multi-signature by all of them verifies against. The keys must have had
// their proofs of possession verified. Errors as [AggregateSignatures].
func AggregatePublicKeys(pks []PublicKey) (PublicKey, error) {
	if len(pks) == 0 {
		return PublicKey{}, ErrNoKeys
	}
	var acc bls12381.G2Jac
	for i := range pks {
		if pks[i].p.IsInfinity() {
			return PublicKey{}, fmt.Errorf("public key %d: %w", i, ErrZeroValue)
		}
		acc.AddMixed(&pks[i].p)
	}
	var out PublicKey
	out.p.FromJacobian(&acc)
	if out.p.IsInfinity() {
		return PublicKey{}, ErrZeroValue
	}
	return out, nil
}

// VerifyMultiSignature checks an aggregated multi-signature on msg by the
// holders of pks with one pairing check against the summed keys. The
// keys' proofs of possession must have been verified beforehand. It
// returns nil, [ErrInvalidSignature], or an aggregation error.
func VerifyMultiSignature(pks []PublicKey, msg []byte, agg Signature) error {
	apk, err := AggregatePublicKeys(pks)
	if err != nil {
		return err
	}
	return verify(&apk.p, nil, msg, agg, DSTMulti)
}

// BatchVerifyMulti checks many individual multi-signature signatures on the
// same msg, sigs[i] by pks[i], and returns the positions of those that do
// not verify (nil if all do). It checks a random linear combination of all
// of them with one pairing product and bisects only on failure, so an
// all-valid batch costs about one verification; each bad signature costs
// O(log n) more. The combination's coefficients are derived by hashing the
// whole batch, so an attacker cannot choose signatures that cancel out.
func BatchVerifyMulti(pks []PublicKey, msg []byte, sigs []Signature) ([]int, error) {
	return batchVerify(pks, msg, sigs, DSTMulti)
}

// batchVerify implements BatchVerifyMulti and BatchVerifyShares.
//
// Why random coefficients: checking only Σσᵢ against Σpkᵢ would accept
// σ₁+δ and σ₂−δ for any δ, so a pair of colluding signers could submit
// invalid shares that still pass, and Combine (which weights shares by
// Lagrange coefficients) would then produce a bad group signature. With
// unpredictable 128-bit weights ρᵢ a bad set passes with probability
// about 2^-128.
//
// Bisection: when the combined check fails, each half is checked
// recursively; k bad shares among n cost O(k·log n) pairing products,
// and an all-good batch costs one.
func batchVerify(pks []PublicKey, msg []byte, sigs []Signature, dst string) ([]int, error) {
	if len(pks) == 0 || len(pks) != len(sigs) {
		return nil, ErrNoKeys
	}
	n := len(pks)
	var bad []int
	g1 := make([]bls12381.G1Affine, 0, n)
	g2 := make([]bls12381.G2Affine, 0, n)
	idx := make([]int, 0, n)
	for i := range pks {
		// Unset values can never verify: report them without pairing.
		if pks[i].p.IsInfinity() || sigs[i].p.IsInfinity() {
			bad = append(bad, i)
			continue
		}
		g1 = append(g1, sigs[i].p)
		g2 = append(g2, pks[i].p)
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return bad, nil
	}
	rho := batchCoefficients(g1, g2, msg, dst)
	h := hashToG1(msg, dst)
	var search func(lo, hi int)
	search = func(lo, hi int) {
		if checkCombination(g1[lo:hi], g2[lo:hi], rho[lo:hi], &h) {
			return
		}
		if hi-lo == 1 {
			bad = append(bad, idx[lo])
			return
		}
		mid := (lo + hi) / 2
		search(lo, mid)
		search(mid, hi)
	}
	search(0, len(idx))
	if len(bad) == 0 {
		return nil, nil
	}
	slices.Sort(bad)
	return bad, nil
}

// batchCoefficients derives 128-bit coefficients from a hash of the whole
// batch (a Fiat–Shamir substitute for verifier randomness).
func batchCoefficients(g1 []bls12381.G1Affine, g2 []bls12381.G2Affine, msg []byte, dst string) []fr.Element {
	h := sha256.New()
	h.Write([]byte("bls-batch-verify-v1"))
	h.Write([]byte(dst))
	var l [8]byte
	binary.BigEndian.PutUint64(l[:], uint64(len(msg)))
	h.Write(l[:])
	h.Write(msg)
	for i := range g1 {
		b1 := g1[i].Bytes()
		b2 := g2[i].Bytes()
		h.Write(b1[:])
		h.Write(b2[:])
	}
	seed := h.Sum(nil)
	rho := make([]fr.Element, len(g1))
	for i := range rho {
		var in [40]byte
		copy(in[:], seed)
		binary.BigEndian.PutUint64(in[32:], uint64(i))
		d := sha256.Sum256(in[:])
		rho[i].SetBytes(d[:16])
		if rho[i].IsZero() {
			rho[i].SetOne()
		}
	}
	return rho
}

// checkCombination reports whether e(Σρᵢσᵢ, −g2)·e(h, Σρᵢpkᵢ) = 1.
func checkCombination(sigs []bls12381.G1Affine, pks []bls12381.G2Affine, rho []fr.Element, h *bls12381.G1Affine) bool {
	var s bls12381.G1Affine
	var p bls12381.G2Affine
	if len(sigs) == 1 {
		b := rho[0].BigInt(new(big.Int))
		s.ScalarMultiplication(&sigs[0], b)
		p.ScalarMultiplication(&pks[0], b)
	} else {
		cfg := ecc.MultiExpConfig{NbTasks: 1}
		if _, err := s.MultiExp(sigs, rho, cfg); err != nil {
			return false
		}
		if _, err := p.MultiExp(pks, rho, cfg); err != nil {
			return false
		}
	}
	f1, err := bls12381.MillerLoopFixedQ([]bls12381.G1Affine{s},
		[][2][len(bls12381.LoopCounter) - 1]bls12381.LineEvaluationAff{*g2NegLines()})
	if err != nil {
		return false
	}
	f2, err := bls12381.MillerLoop([]bls12381.G1Affine{*h}, []bls12381.G2Affine{p})
	if err != nil {
		return false
	}
	f1.Mul(&f1, &f2)
	r := bls12381.FinalExponentiation(&f1)
	return r.IsOne()
}
