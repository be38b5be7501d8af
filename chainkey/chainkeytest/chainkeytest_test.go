package chainkeytest_test

import (
	"testing"

	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
)

// The helpers are only useful if they are reproducible.
func TestDeterministic(t *testing.T) {
	a := chainkeytest.NewNodes(5, 3)
	b := chainkeytest.NewNodes(5, 3)
	c := chainkeytest.NewNodes(6, 3)
	for i := range a {
		if !a[i].Signing.Equal(b[i].Signing) || a[i].Encryption.PublicKey() != b[i].Encryption.PublicKey() {
			t.Fatalf("node %d differs between runs", i)
		}
		if a[i].Signing.Equal(c[i].Signing) {
			t.Fatalf("node %d identical for different seeds", i)
		}
	}
	c1, _ := chainkeytest.Deal(5, 2, 3)
	c2, _ := chainkeytest.Deal(5, 2, 3)
	if !c1.Equal(c2) {
		t.Fatal("Deal is not deterministic")
	}
	r1, err := chainkeytest.RunDKG(5, a, 2)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := chainkeytest.RunDKG(5, b, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Transcript.PublicKey() != r2.Transcript.PublicKey() {
		t.Fatal("RunDKG is not deterministic")
	}
	for i := range r1.Shares {
		if !r1.Transcript.Coefficients.VerifyShare(r1.Shares[i]) {
			t.Fatalf("share %d does not match the transcript", i)
		}
	}
}
