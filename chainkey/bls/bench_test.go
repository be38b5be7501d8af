package bls_test

import (
	"testing"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

func BenchmarkSign(b *testing.B) {
	sk := mustKey(b, seeded(30))
	msg := []byte("benchmark message")
	for b.Loop() {
		sk.Sign(msg)
	}
}

// BenchmarkVerify is a plain verification with a decoded key and
// signature (compare with BenchmarkBlstVerify).
func BenchmarkVerify(b *testing.B) {
	sk := mustKey(b, seeded(22))
	pk := sk.PublicKey()
	msg := []byte("benchmark message")
	sig := sk.Sign(msg)
	for b.Loop() {
		if err := pk.Verify(msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyBytes adds decoding the signature with its subgroup
// check (compare with BenchmarkBlstVerifyBytes).
func BenchmarkVerifyBytes(b *testing.B) {
	sk := mustKey(b, seeded(22))
	pk := sk.PublicKey()
	msg := []byte("benchmark message")
	sig, _ := sk.Sign(msg).MarshalBinary()
	for b.Loop() {
		s, err := bls.ParseSignature(sig)
		if err != nil {
			b.Fatal(err)
		}
		if err := pk.Verify(msg, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifierVerify uses the key's precomputed pairing lines.
func BenchmarkVerifierVerify(b *testing.B) {
	sk := mustKey(b, seeded(22))
	v, _ := bls.NewVerifier(sk.PublicKey())
	msg := []byte("benchmark message")
	sig := sk.Sign(msg)
	for b.Loop() {
		if err := v.Verify(msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyMulti27 verifies an aggregated multi-signature of 27
// signers (aggregating their keys included); compare with BenchmarkVerify.
func BenchmarkVerifyMulti27(b *testing.B) {
	r := seeded(31)
	msg := []byte("benchmark message")
	var pks []bls.PublicKey
	var sigs []bls.Signature
	for range 27 {
		sk := mustKey(b, r)
		pks = append(pks, sk.PublicKey())
		sigs = append(sigs, sk.SignMulti(msg))
	}
	agg, _ := bls.AggregateSignatures(sigs)
	for b.Loop() {
		if err := bls.VerifyMultiSignature(pks, msg, agg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatchVerifyShares27 checks 27 threshold signature shares of one
// message with attribution (all valid).
func BenchmarkBatchVerifyShares27(b *testing.B) {
	r := seeded(32)
	_, coeffs, shares := dealShares(b, r, 27, 40)
	msg := []byte("benchmark message")
	var keys []bls.PublicKeyShare
	var sigs []bls.SignatureShare
	for _, s := range shares[:27] {
		keys = append(keys, coeffs.ShareKey(s.Index))
		sigs = append(sigs, s.Sign(msg))
	}
	for b.Loop() {
		if bad, err := bls.BatchVerifyShares(keys, msg, sigs); err != nil || bad != nil {
			b.Fatal(bad, err)
		}
	}
}

// BenchmarkCombine27of40 combines 27 decoded signature shares of a 27-of-40
// key (Lagrange coefficients plus one G1 multi-scalar multiplication).
func BenchmarkCombine27of40(b *testing.B) {
	r := seeded(33)
	_, _, shares := dealShares(b, r, 27, 40)
	msg := []byte("benchmark message")
	var sigs []bls.SignatureShare
	for _, s := range shares[13:] {
		sigs = append(sigs, s.Sign(msg))
	}
	for b.Loop() {
		if _, err := bls.Combine(27, sigs); err != nil {
			b.Fatal(err)
		}
	}
}
