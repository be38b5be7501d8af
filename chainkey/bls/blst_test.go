//go:build cgo

package bls_test

import (
	"slices"
	"time"

	"testing"

	blst "github.com/supranational/blst/bindings/go"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// The blst oracle: random keys and messages, signatures checked in both
// directions and encodings compared byte for byte.
func TestBlstInterop(t *testing.T) {
	r := seeded(20)
	dst := []byte(bls.DSTBasic)
	for i := range 20 {
		ikm := make([]byte, 32)
		r.Read(ikm)
		msg := make([]byte, i*7)
		r.Read(msg)

		ours, err := bls.KeyGen(ikm, nil)
		if err != nil {
			t.Fatal(err)
		}
		theirs := blst.KeyGen(ikm)
		ourSK, _ := ours.MarshalBinary()
		if got, want := ourSK, theirs.Serialize(); string(got) != string(want) {
			t.Fatalf("KeyGen differs from blst: %x vs %x", got, want)
		}
		theirPK := new(blst.P2Affine).From(theirs)
		ourPK := ours.PublicKey()
		pkb, _ := ourPK.MarshalBinary()
		if string(pkb) != string(theirPK.Compress()) {
			t.Fatalf("public key encodings differ")
		}

		// Ours verifies there.
		sig := ours.Sign(msg)
		sb, _ := sig.MarshalBinary()
		theirSig := new(blst.P1Affine).Uncompress(sb)
		if theirSig == nil || !theirSig.Verify(true, theirPK, true, msg, dst) {
			t.Fatalf("blst rejects our signature %d", i)
		}
		// Theirs verifies here, and is byte-identical (BLS is unique).
		ts := new(blst.P1Affine).Sign(theirs, msg, dst)
		parsed, err := bls.ParseSignature(ts.Compress())
		if err != nil {
			t.Fatal(err)
		}
		if parsed != sig {
			t.Fatalf("signatures differ: %x vs %x", sb, ts.Compress())
		}
		theirPKParsed, err := bls.ParsePublicKey(theirPK.Compress())
		if err != nil {
			t.Fatal(err)
		}
		if err := theirPKParsed.Verify(msg, parsed); err != nil {
			t.Fatalf("we reject blst's signature: %v", err)
		}
		// Multi-signature suite too.
		ms := new(blst.P1Affine).Sign(theirs, msg, []byte(bls.DSTMulti))
		if got := ours.SignMulti(msg).Bytes(); string(got[:]) != string(ms.Compress()) {
			t.Fatal("multi-signature suite differs from blst")
		}
	}
}

// blst's FastAggregateVerify accepts our aggregated multi-signature.
func TestBlstMultiSignature(t *testing.T) {
	r := seeded(21)
	msg := []byte("finalize")
	var sigs []bls.Signature
	var theirPKs []*blst.P2Affine
	for range 5 {
		sk := mustKey(t, r)
		sigs = append(sigs, sk.SignMulti(msg))
		b, _ := sk.PublicKey().MarshalBinary()
		theirPKs = append(theirPKs, new(blst.P2Affine).Uncompress(b))
	}
	agg, err := bls.AggregateSignatures(sigs)
	if err != nil {
		t.Fatal(err)
	}
	ab, _ := agg.MarshalBinary()
	theirAgg := new(blst.P1Affine).Uncompress(ab)
	if !theirAgg.FastAggregateVerify(true, theirPKs, msg, []byte(bls.DSTMulti)) {
		t.Fatal("blst rejects our multi-signature")
	}
}

// BenchmarkBlstVerify is the baseline for BenchmarkVerify: blst's full
// min-sig verification with signature group check and key validation.
func BenchmarkBlstVerify(b *testing.B) {
	ikm := make([]byte, 32)
	seeded(22).Read(ikm)
	sk := blst.KeyGen(ikm)
	pk := new(blst.P2Affine).From(sk)
	msg := []byte("benchmark message")
	dst := []byte(bls.DSTBasic)
	sig := new(blst.P1Affine).Sign(sk, msg, dst)
	for b.Loop() {
		if !sig.Verify(true, pk, true, msg, dst) {
			b.Fatal("verify failed")
		}
	}
}

// BenchmarkBlstVerifyBytes includes decompression of the signature (with
// group check), as BenchmarkVerifyBytes does.
func BenchmarkBlstVerifyBytes(b *testing.B) {
	ikm := make([]byte, 32)
	seeded(22).Read(ikm)
	sk := blst.KeyGen(ikm)
	pk := new(blst.P2Affine).From(sk)
	msg := []byte("benchmark message")
	dst := []byte(bls.DSTBasic)
	sig := new(blst.P1Affine).Sign(sk, msg, dst).Compress()
	for b.Loop() {
		s := new(blst.P1Affine).Uncompress(sig)
		if s == nil || !s.Verify(true, pk, true, msg, dst) {
			b.Fatal("verify failed")
		}
	}
}

// Threshold signatures are ordinary BLS signatures: shares computed by
// blst from our share scalars combine here, and the result verifies in
// blst under the group key.
func TestBlstThreshold(t *testing.T) {
	r := seeded(23)
	_, coeffs, shares := dealShares(t, r, 3, 5)
	msg := []byte("threshold interop")
	dst := []byte(bls.DSTBasic)
	var sigs []bls.SignatureShare
	for _, s := range shares[1:4] {
		kb, _ := s.Key.MarshalBinary()
		theirs := new(blst.SecretKey).Deserialize(kb)
		if theirs == nil {
			t.Fatal("blst rejects share scalar")
		}
		sig, err := bls.ParseSignature(new(blst.P1Affine).Sign(theirs, msg, dst).Compress())
		if err != nil {
			t.Fatal(err)
		}
		share := bls.SignatureShare{Index: s.Index, Signature: sig}
		if err := coeffs.ShareKey(s.Index).Verify(msg, share); err != nil {
			t.Fatalf("blst share %d: %v", s.Index, err)
		}
		sigs = append(sigs, share)
	}
	group, err := bls.Combine(3, sigs)
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := group.MarshalBinary()
	pkb, _ := coeffs.PublicKey().MarshalBinary()
	theirPK := new(blst.P2Affine).Uncompress(pkb)
	if !new(blst.P1Affine).Uncompress(gb).Verify(true, theirPK, true, msg, dst) {
		t.Fatal("blst rejects the combined threshold signature")
	}
}

// BenchmarkVerifyRatio interleaves our verification with blst's in one
// loop, so that machine load affects both alike, and reports the median
// and minimum per-operation times and their ratios (ours ÷ blst):
// plain Verify, Verifier (precomputed lines) and a 27-signer aggregated
// multi-signature (key aggregation included).
func BenchmarkVerifyRatio(b *testing.B) {
	ikm := make([]byte, 32)
	seeded(50).Read(ikm)
	msg := []byte("benchmark message")
	dst := []byte(bls.DSTBasic)
	theirs := blst.KeyGen(ikm)
	theirPK := new(blst.P2Affine).From(theirs)
	theirSig := new(blst.P1Affine).Sign(theirs, msg, dst)
	ours, _ := bls.KeyGen(ikm, nil)
	pk := ours.PublicKey()
	sig := ours.Sign(msg)
	v, _ := bls.NewVerifier(pk)
	r := seeded(51)
	var pks []bls.PublicKey
	var sigs []bls.Signature
	for range 27 {
		sk := mustKey(b, r)
		pks = append(pks, sk.PublicKey())
		sigs = append(sigs, sk.SignMulti(msg))
	}
	agg, _ := bls.AggregateSignatures(sigs)

	var tBlst, tOurs, tVerifier, tMulti []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if !theirSig.Verify(true, theirPK, true, msg, dst) {
			b.Fatal("blst verify failed")
		}
		t1 := time.Now()
		if err := pk.Verify(msg, sig); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if err := v.Verify(msg, sig); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		if err := bls.VerifyMultiSignature(pks, msg, agg); err != nil {
			b.Fatal(err)
		}
		t4 := time.Now()
		tBlst = append(tBlst, t1.Sub(t0))
		tOurs = append(tOurs, t2.Sub(t1))
		tVerifier = append(tVerifier, t3.Sub(t2))
		tMulti = append(tMulti, t4.Sub(t3))
	}
	med := func(d []time.Duration) float64 {
		s := slices.Clone(d)
		slices.Sort(s)
		return float64(s[len(s)/2])
	}
	low := func(d []time.Duration) float64 { return float64(slices.Min(d)) }
	b.ReportMetric(med(tBlst)/1e3, "blst-med-µs")
	b.ReportMetric(med(tOurs)/1e3, "verify-med-µs")
	b.ReportMetric(med(tOurs)/med(tBlst), "verify/blst-med")
	b.ReportMetric(low(tOurs)/low(tBlst), "verify/blst-min")
	b.ReportMetric(med(tVerifier)/med(tBlst), "verifier/blst-med")
	b.ReportMetric(med(tMulti)/med(tOurs), "multi27/verify-med")
	b.ReportMetric(low(tMulti)/low(tOurs), "multi27/verify-min")
}
