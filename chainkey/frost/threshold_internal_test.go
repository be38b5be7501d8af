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

// TestBIP340ParityBranches makes sure the four combinations of R's and the
// key's y parity (each selecting a negation in Sign and VerifyShare) all
// occur and all yield signatures that verify.
func TestBIP340ParityBranches(t *testing.T) {
	seen := map[[2]bool]bool{}
	for i := 0; i < 200 && len(seen) < 4; i++ {
		gk, shares, err := Deal(BIP340, rand.Reader, 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		n1, c1, _ := shares[0].Commit(rand.Reader)
		n2, c2, _ := shares[2].Commit(rand.Reader)
		msg := []byte{byte(i)}
		pkg, err := NewSigningPackage(gk, msg, []Commitment{c1, c2})
		if err != nil {
			t.Fatal(err)
		}
		z1, _ := shares[0].Sign(n1, pkg)
		z2, _ := shares[2].Sign(n2, pkg)
		for _, z := range []SignatureShare{z1, z2} {
			if err := pkg.VerifyShare(z); err != nil {
				t.Fatalf("negR=%v negP=%v: %v", pkg.negR, pkg.negP, err)
			}
		}
		if _, err := pkg.Aggregate([]SignatureShare{z1, z2}); err != nil {
			t.Fatalf("negR=%v negP=%v: %v", pkg.negR, pkg.negP, err)
		}
		seen[[2]bool{pkg.negR, pkg.negP}] = true
	}
	if len(seen) < 4 {
		t.Fatalf("only %d parity combinations seen", len(seen))
	}
}
