package bls_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

func Example() {
	// Production code passes crypto/rand.Reader; a seeded reader makes the
	// example reproducible.
	rng := rand.NewChaCha8([32]byte{1})
	sk, err := bls.GenerateKey(rng)
	if err != nil {
		panic(err)
	}
	msg := []byte("hello, subnet")
	sig := sk.Sign(msg)
	fmt.Println(sk.PublicKey().Verify(msg, sig))
	fmt.Println(sk.PublicKey().Verify([]byte("tampered"), sig))
	der, _ := sk.PublicKey().MarshalDER()
	fmt.Println(len(der))
	// Output:
	// <nil>
	// bls: invalid signature
	// 133
}

func ExampleCombine() {
	rng := rand.NewChaCha8([32]byte{2})
	// A trusted dealer for illustration; package dkg removes the dealer.
	poly, err := bls.NewPolynomial(rng, 3, nil) // threshold 3
	if err != nil {
		panic(err)
	}
	coeffs := poly.Commitments()
	msg := []byte("beacon round 1")
	var shares []bls.SignatureShare
	for _, i := range []uint32{4, 0, 2} { // any 3 of the 5 holders 0..4
		shares = append(shares, poly.Share(i).Sign(msg))
	}
	poly.Zero()
	for _, s := range shares {
		if err := coeffs.ShareKey(s.Index).Verify(msg, s); err != nil {
			panic(err)
		}
	}
	sig, err := bls.Combine(coeffs.Threshold(), shares)
	if err != nil {
		panic(err)
	}
	fmt.Println(coeffs.PublicKey().Verify(msg, sig))
	// Output: <nil>
}

func ExampleVerifyMultiSignature() {
	rng := rand.NewChaCha8([32]byte{3})
	msg := []byte("notarize block 7")
	var pks []bls.PublicKey
	var sigs []bls.Signature
	for range 4 {
		sk, _ := bls.GenerateKey(rng)
		// Registries accept a key only with a valid proof of possession.
		if err := sk.PublicKey().VerifyPossession(sk.ProvePossession()); err != nil {
			panic(err)
		}
		pks = append(pks, sk.PublicKey())
		sigs = append(sigs, sk.SignMulti(msg))
	}
	bad, _ := bls.BatchVerifyMulti(pks, msg, sigs)
	agg, _ := bls.AggregateSignatures(sigs)
	fmt.Println(bad, bls.VerifyMultiSignature(pks, msg, agg))
	// Output: [] <nil>
}
