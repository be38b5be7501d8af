package chainkey_test

import "testing"

// BenchmarkThresholdKeyCombine27of40 is the byte-level path a consensus
// aggregator runs: decode 27 encoded shares of a 27-of-40 key, batch-verify
// them, combine, and verify the result.
func BenchmarkThresholdKeyCombine27of40(b *testing.B) {
	ks := keys(b, 27, 40)
	msg := []byte("certify height 100")
	var shares [][]byte
	for _, k := range ks[13:] {
		s, _ := k.SignShare(msg)
		shares = append(shares, s)
	}
	for b.Loop() {
		if _, err := ks[0].Combine(msg, shares); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTapeRandomness is one raw_rand draw (key derivation + 32 bytes).
func BenchmarkTapeRandomness(b *testing.B) {
	ks := keys(b, 2, 3)
	_ = ks
	var tape = tapeFor(b, ks)
	cube := []byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}
	var n uint64
	for b.Loop() {
		tape.Randomness(cube, n)
		n++
	}
}

// BenchmarkCommitteeVerifyAggregate27 checks a 27-signer notarization
// multi-signature from bytes (decode, sum 27 keys, one pairing product).
func BenchmarkCommitteeVerifyAggregate27(b *testing.B) {
	c, nodes := committee(b, 40)
	msg := []byte("notarize")
	var signers []int
	var sigs [][]byte
	for i := range 27 {
		s, _ := nodes[i].Signing.SignMulti(msg).MarshalBinary()
		signers = append(signers, i)
		sigs = append(sigs, s)
	}
	agg, _ := c.Aggregate(sigs)
	for b.Loop() {
		if err := c.VerifyAggregate(signers, msg, agg); err != nil {
			b.Fatal(err)
		}
	}
}
