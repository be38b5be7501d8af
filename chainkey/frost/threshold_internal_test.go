package frost

import (
	"crypto/rand"
	"errors"
	"testing"
)

// TestBelowThresholdCannotSign lets t−1 signers run the protocol with the
// threshold check switched off. Each of their shares is consistent with
// its own verification share, yet the aggregate does not verify: t−1
// Lagrange coefficients do not interpolate the group secret.
func TestBelowThresholdCannotSign(t *testing.T) {
	for _, s := range []Suite{Ed25519, BIP340} {
		for _, th := range []int{2, 3, 5} {
			gk, shares, err := Deal(s, rand.Reader, th, th+2)
			if err != nil {
				t.Fatal(err)
			}
			signers := shares[1:th] // t−1 signers
			var nonces []*Nonce
			var commitments []Commitment
			for _, ks := range signers {
				n, c, err := ks.Commit(rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				nonces = append(nonces, n)
				commitments = append(commitments, c)
			}
			msg := make([]byte, 32)
			pkg, err := newSigningPackage(gk, msg, commitments, 1)
			if err != nil {
				t.Fatal(err)
			}
			var zs []SignatureShare
			for i, ks := range signers {
				z, err := ks.Sign(nonces[i], pkg)
				if err != nil {
					t.Fatal(err)
				}
				zs = append(zs, z)
			}
			sig, err := pkg.Aggregate(zs)
			if !errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("%v t=%d: %d signers: Aggregate = %x, %v; want ErrInvalidSignature", s, th, th-1, sig, err)
			}
		}
	}
}
