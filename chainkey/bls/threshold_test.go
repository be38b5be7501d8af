package bls_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

func TestMultiSignature(t *testing.T) {
	r := seeded(10)
	const n = 7
	msg := []byte("notarize block 42")
	var sks []bls.SecretKey
	var pks []bls.PublicKey
	var sigs []bls.Signature
	for range n {
		sk := mustKey(t, r)
		if err := sk.PublicKey().VerifyPossession(sk.ProvePossession()); err != nil {
			t.Fatalf("PoP: %v", err)
		}
		sks = append(sks, sk)
		pks = append(pks, sk.PublicKey())
		sigs = append(sigs, sk.SignMulti(msg))
	}
	agg, err := bls.AggregateSignatures(sigs)
	if err != nil {
		t.Fatal(err)
	}
	if err := bls.VerifyMultiSignature(pks, msg, agg); err != nil {
		t.Fatalf("VerifyMultiSignature = %v", err)
	}
	if err := bls.VerifyMultiSignature(pks[:n-1], msg, agg); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("missing signer: %v", err)
	}
	if bad, err := bls.BatchVerifyMulti(pks, msg, sigs); err != nil || bad != nil {
		t.Fatalf("BatchVerifyMulti(all good) = %v, %v", bad, err)
	}
	// Corrupt two shares: one signs another message, one is swapped.
	sigs[2] = sks[2].SignMulti([]byte("other"))
	sigs[5] = sigs[4]
	bad, err := bls.BatchVerifyMulti(pks, msg, sigs)
	if err != nil || !slices.Equal(bad, []int{2, 5}) {
		t.Fatalf("BatchVerifyMulti = %v, %v; want [2 5]", bad, err)
	}
	// A proof of possession does not verify for another key, and an
	// ordinary signature is not a proof of possession.
	if err := pks[0].VerifyPossession(sks[1].ProvePossession()); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("foreign PoP: %v", err)
	}
}

// TestRogueKey shows why proofs of possession are required: a rogue key
// pk* = 2y·g2 − victim lets an attacker forge a multi-signature "by"
// {victim, pk*}, but the attacker cannot prove possession of pk*.
func TestRogueKey(t *testing.T) {
	r := seeded(11)
	victim := mustKey(t, r).PublicKey()
	y := mustKey(t, r)
	// Lagrange at 0 over x = 1, 2 has λ = (2, −1): 2·A − B.
	single := func(pk bls.PublicKey) bls.PublicCoefficients {
		raw := pk.Bytes()
		b := append([]byte{0, 0, 0, 1}, raw[:]...)
		var c bls.PublicCoefficients
		if err := c.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		return c
	}
	rogue, err := bls.InterpolatePublicCoefficients([]uint32{0, 1},
		[]bls.PublicCoefficients{single(y.PublicKey()), single(victim)})
	if err != nil {
		t.Fatal(err)
	}
	pkStar := rogue.PublicKey()
	twoY, _ := bls.AddSecretKeys([]bls.SecretKey{y, y})
	msg := []byte("victim never signed this")
	forged := twoY.SignMulti(msg)
	if err := bls.VerifyMultiSignature([]bls.PublicKey{victim, pkStar}, msg, forged); err != nil {
		t.Fatalf("rogue-key forgery should verify without PoP checks: %v", err)
	}
	// The attacker's best PoP attempts fail for pk*.
	for _, k := range []bls.SecretKey{y, twoY} {
		if err := pkStar.VerifyPossession(k.ProvePossession()); err == nil {
			t.Fatal("PoP for the rogue key verified")
		}
	}
}

func dealShares(t testing.TB, r *rand.ChaCha8, threshold, n int) (bls.SecretKey, bls.PublicCoefficients, []bls.SecretKeyShare) {
	t.Helper()
	p, err := bls.NewPolynomial(r, threshold, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Zero()
	shares := make([]bls.SecretKeyShare, n)
	for i := range shares {
		shares[i] = p.Share(uint32(i))
	}
	return p.Secret(), p.Commitments(), shares
}

func TestThresholdAnySubset(t *testing.T) {
	r := seeded(12)
	const threshold, n = 3, 5
	secret, coeffs, shares := dealShares(t, r, threshold, n)
	if coeffs.PublicKey() != secret.PublicKey() {
		t.Fatal("C_0 is not the group key")
	}
	msg := []byte("beacon 7")
	want := secret.Sign(msg)
	sigShares := make([]bls.SignatureShare, n)
	for i, s := range shares {
		if !coeffs.VerifyShare(s) {
			t.Fatalf("share %d inconsistent with commitments", i)
		}
		pub := coeffs.ShareKey(uint32(i))
		if pub != s.PublicKey() {
			t.Fatalf("ShareKey(%d) differs from share's public key", i)
		}
		sigShares[i] = s.Sign(msg)
		if err := pub.Verify(msg, sigShares[i]); err != nil {
			t.Fatalf("share %d: %v", i, err)
		}
	}
	// Every subset of size threshold combines to the same, unique signature.
	for mask := range 1 << n {
		var sub []bls.SignatureShare
		for i := range n {
			if mask&(1<<i) != 0 {
				sub = append(sub, sigShares[i])
			}
		}
		sig, err := bls.Combine(threshold, sub)
		switch {
		case len(sub) < threshold:
			if !errors.Is(err, bls.ErrTooFewShares) {
				t.Fatalf("subset %05b: got %v, want ErrTooFewShares", mask, err)
			}
		default:
			if err != nil || sig != want {
				t.Fatalf("subset %05b: got %v, %v", mask, sig, err)
			}
			if err := coeffs.PublicKey().Verify(msg, sig); err != nil {
				t.Fatalf("subset %05b: %v", mask, err)
			}
		}
	}
	// threshold−1 shares, interpolated as if the threshold were lower, do
	// not give a valid group signature.
	sig, err := bls.Combine(threshold-1, sigShares[:threshold-1])
	if err != nil {
		t.Fatal(err)
	}
	if err := coeffs.PublicKey().Verify(msg, sig); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("t−1 shares verified: %v", err)
	}
	// Duplicates don't count twice.
	if _, err := bls.Combine(threshold, []bls.SignatureShare{sigShares[0], sigShares[0], sigShares[1]}); !errors.Is(err, bls.ErrTooFewShares) {
		t.Fatalf("duplicates: %v", err)
	}
}

func TestThresholdBadShareAttributed(t *testing.T) {
	r := seeded(13)
	const threshold, n = 27, 40
	_, coeffs, shares := dealShares(t, r, threshold, n)
	msg := []byte("certify height 9")
	keys := make([]bls.PublicKeyShare, n)
	sigs := make([]bls.SignatureShare, n)
	for i := range shares {
		keys[i] = coeffs.ShareKey(uint32(i))
		sigs[i] = shares[i].Sign(msg)
	}
	if bad, err := bls.BatchVerifyShares(keys, msg, sigs); err != nil || bad != nil {
		t.Fatalf("all good: %v %v", bad, err)
	}
	sigs[17] = shares[17].Sign([]byte("other"))                             // wrong message
	sigs[30] = bls.SignatureShare{Index: 30, Signature: sigs[31].Signature} // someone else's
	sigs[3].Index = 4                                                       // mislabelled
	bad, err := bls.BatchVerifyShares(keys, msg, sigs)
	if err != nil || !slices.Equal(bad, []int{3, 17, 30}) {
		t.Fatalf("bad = %v, %v; want [3 17 30]", bad, err)
	}
	if err := keys[17].Verify(msg, sigs[17]); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("single verify of bad share: %v", err)
	}
	// Combining with a bad share gives an invalid signature; without, valid.
	sig, err := bls.Combine(threshold, sigs[10:])
	if err != nil {
		t.Fatal(err)
	}
	if err := coeffs.PublicKey().Verify(msg, sig); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("combined with bad share: %v", err)
	}
	var good []bls.SignatureShare
	for i := range sigs {
		if !slices.Contains(bad, i) {
			good = append(good, sigs[i])
		}
	}
	sig, err = bls.Combine(threshold, good)
	if err != nil {
		t.Fatal(err)
	}
	if err := coeffs.PublicKey().Verify(msg, sig); err != nil {
		t.Fatalf("combined good shares: %v", err)
	}
}

func TestInterpolateAndReshare(t *testing.T) {
	r := seeded(14)
	// Old committee: 2 of 4. New committee: 3 of 7.
	secret, oldCoeffs, old := dealShares(t, r, 2, 4)
	var indices []uint32
	var dealt []bls.PublicCoefficients
	var polys []*bls.Polynomial
	for _, s := range old[1:3] { // any 2 old holders reshare
		p, err := bls.NewPolynomial(r, 3, &s.Key)
		if err != nil {
			t.Fatal(err)
		}
		c := p.Commitments()
		if c.PublicKey() != oldCoeffs.ShareKey(s.Index).Key {
			t.Fatal("reshared constant term is not the old share key")
		}
		indices = append(indices, s.Index)
		dealt = append(dealt, c)
		polys = append(polys, p)
	}
	newCoeffs, err := bls.InterpolatePublicCoefficients(indices, dealt)
	if err != nil {
		t.Fatal(err)
	}
	if newCoeffs.PublicKey() != secret.PublicKey() || newCoeffs.Threshold() != 3 {
		t.Fatal("group key changed by resharing")
	}
	msg := []byte("after resharing")
	var sigs []bls.SignatureShare
	for j := range uint32(7) {
		vals := []bls.SecretKey{polys[0].Share(j).Key, polys[1].Share(j).Key}
		k, err := bls.InterpolateSecretKeys(indices, vals)
		if err != nil {
			t.Fatal(err)
		}
		share := bls.SecretKeyShare{Index: j, Key: k}
		if !newCoeffs.VerifyShare(share) {
			t.Fatalf("new share %d inconsistent", j)
		}
		sigs = append(sigs, share.Sign(msg))
	}
	sig, err := bls.Combine(3, sigs[4:])
	if err != nil {
		t.Fatal(err)
	}
	if err := secret.PublicKey().Verify(msg, sig); err != nil {
		t.Fatalf("new committee's signature: %v", err)
	}
}

func TestShareEncodings(t *testing.T) {
	r := seeded(15)
	_, coeffs, shares := dealShares(t, r, 3, 4)
	b, err := coeffs.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var c2 bls.PublicCoefficients
	if err := c2.UnmarshalBinary(b); err != nil || !c2.Equal(coeffs) {
		t.Fatalf("coefficients round trip: %v", err)
	}
	if err := c2.UnmarshalBinary(b[:len(b)-1]); !errors.Is(err, bls.ErrEncoding) {
		t.Fatalf("truncated coefficients: %v", err)
	}
	sb, _ := shares[2].MarshalBinary()
	var s2 bls.SecretKeyShare
	if err := s2.UnmarshalBinary(sb); err != nil || s2.Index != 2 || !s2.Key.Equal(shares[2].Key) {
		t.Fatalf("secret share round trip: %v", err)
	}
	pb, _ := shares[2].PublicKey().MarshalBinary()
	var p2 bls.PublicKeyShare
	if err := p2.UnmarshalBinary(pb); err != nil || p2 != shares[2].PublicKey() {
		t.Fatalf("public share round trip: %v", err)
	}
	sig := shares[2].Sign([]byte("m"))
	gb, _ := sig.MarshalBinary()
	var g2 bls.SignatureShare
	if err := g2.UnmarshalBinary(gb); err != nil || g2 != sig {
		t.Fatalf("signature share round trip: %v", err)
	}
}

func TestSharedSecretProof(t *testing.T) {
	r := seeded(16)
	recv, _ := bls.GenerateDHKey(r)
	eph, _ := bls.GenerateDHKey(r)
	ctx := []byte("dkg 1 dealer 2 receiver 3")
	shared, proof, err := recv.ProveSharedSecret(r, eph.PublicKey(), ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := eph.SharedSecret(recv.PublicKey())
	if shared != other {
		t.Fatal("Diffie–Hellman secrets differ")
	}
	if err := bls.VerifySharedSecret(recv.PublicKey(), eph.PublicKey(), shared, proof, ctx); err != nil {
		t.Fatalf("valid proof: %v", err)
	}
	if err := bls.VerifySharedSecret(recv.PublicKey(), eph.PublicKey(), shared, proof, []byte("other")); !errors.Is(err, bls.ErrInvalidProof) {
		t.Fatalf("wrong context: %v", err)
	}
	// A false shared secret with an honestly computed proof shape fails.
	fake, _ := bls.GenerateDHKey(r)
	wrong, _ := fake.SharedSecret(eph.PublicKey())
	if err := bls.VerifySharedSecret(recv.PublicKey(), eph.PublicKey(), wrong, proof, ctx); !errors.Is(err, bls.ErrInvalidProof) {
		t.Fatalf("wrong secret: %v", err)
	}
}

// Random t-subsets of a 27-of-40 key all combine to the signature of the
// secret; random (t−1)-subsets never verify.
func TestThresholdRandomSubsets(t *testing.T) {
	r := seeded(17)
	const threshold, n = 27, 40
	secret, coeffs, shares := dealShares(t, r, threshold, n)
	msg := []byte("subset property")
	want := secret.Sign(msg)
	sigs := make([]bls.SignatureShare, n)
	for i, s := range shares {
		sigs[i] = s.Sign(msg)
	}
	pick := rand.New(rand.NewPCG(1, 2))
	rounds := 20
	if testing.Short() {
		rounds = 5
	}
	for range rounds {
		perm := pick.Perm(n)
		sub := make([]bls.SignatureShare, threshold)
		for i := range sub {
			sub[i] = sigs[perm[i]]
		}
		got, err := bls.Combine(threshold, sub)
		if err != nil || got != want {
			t.Fatalf("subset %v: %v", perm[:threshold], err)
		}
		low, err := bls.Combine(threshold-1, sub[:threshold-1])
		if err != nil {
			t.Fatal(err)
		}
		if coeffs.PublicKey().Verify(msg, low) == nil {
			t.Fatalf("t−1 subset %v verified", perm[:threshold-1])
		}
	}
}
