package consensusbls_test

import (
	"bytes"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
)

// TestKeys checks the adapter's contract with the core: combinations of
// valid shares verify, a combination with a bad share does not (and the bad
// share is found singly), and threshold signatures do not depend on which
// shares made them.
func TestKeys(t *testing.T) {
	ids := simIDs(4)
	keys := dealt(t, ids)
	msg := []byte("content")
	sign := func(s consensus.Scheme, ids []bigfile.NodeID) [][]byte {
		var sigs [][]byte
		for _, id := range ids {
			sig, err := keys.Signer(id).Sign(s, msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := keys.Verify(s, id, msg, sig); err != nil {
				t.Fatalf("%v share of %s: %v", s, id, err)
			}
			sigs = append(sigs, sig)
		}
		return sigs
	}
	sorted := keysSorted(ids)
	for _, s := range []consensus.Scheme{consensus.SchemeMulti, consensus.SchemeHigh} {
		signers := sorted[:3]
		sigs := sign(s, signers)
		agg, err := keys.Combine(s, msg, signers, sigs)
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.VerifyCombined(s, msg, signers, agg); err != nil {
			t.Errorf("%v: combined signature rejected: %v", s, err)
		}
		bad := append([][]byte{}, sigs...)
		bad[1] = sign(s, signers[:1])[0] // signer 0's share in signer 1's place
		if agg, err := keys.Combine(s, msg, signers, bad); err == nil && keys.VerifyCombined(s, msg, signers, agg) == nil {
			t.Errorf("%v: combination with a bad share verified", s)
		}
		if keys.Verify(s, signers[1], msg, bad[1]) == nil {
			t.Errorf("%v: misattributed share verified", s)
		}
	}
	// Uniqueness of the low-threshold (beacon) signature.
	a, err := keys.Combine(consensus.SchemeLow, msg, sorted[:2], sign(consensus.SchemeLow, sorted[:2]))
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.Combine(consensus.SchemeLow, msg, sorted[2:], sign(consensus.SchemeLow, sorted[2:]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("threshold signature depends on the shares combined")
	}
}

func keysSorted(ids []bigfile.NodeID) []bigfile.NodeID {
	out := append([]bigfile.NodeID{}, ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Compare(out[i]) < 0 {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
