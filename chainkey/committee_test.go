package chainkey_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/thebigfile/bigfile/chainkey"
	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
)

func committee(t testing.TB, n int) (*chainkey.Committee, []chainkeytest.Node) {
	t.Helper()
	nodes := chainkeytest.NewNodes(3, n)
	var keys, pops [][]byte
	for _, nd := range nodes {
		k, _ := nd.Signing.PublicKey().MarshalBinary()
		p, _ := nd.Signing.ProvePossession().MarshalBinary()
		keys = append(keys, k)
		pops = append(pops, p)
	}
	c, err := chainkey.NewCommittee(keys, pops)
	if err != nil {
		t.Fatal(err)
	}
	return c, nodes
}

func TestCommittee(t *testing.T) {
	c, nodes := committee(t, 7)
	msg := []byte("notarize block 12")
	signers := []int{6, 0, 2, 3, 5}
	var sigs [][]byte
	for _, i := range signers {
		s, _ := nodes[i].Signing.SignMulti(msg).MarshalBinary()
		if err := c.Verify(i, msg, s); err != nil {
			t.Fatalf("Verify(%d): %v", i, err)
		}
		sigs = append(sigs, s)
	}
	agg, err := c.Aggregate(sigs)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyAggregate(signers, msg, agg); err != nil {
		t.Fatalf("VerifyAggregate: %v", err)
	}
	if err := c.VerifyAggregate([]int{6, 0, 2, 3, 4}, msg, agg); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("wrong signer set: %v", err)
	}
	if err := c.VerifyAggregate([]int{6, 6, 2, 3, 5}, msg, agg); !errors.Is(err, chainkey.ErrSigner) {
		t.Fatalf("repeated signer: %v", err)
	}
	if err := c.Verify(9, msg, sigs[0]); !errors.Is(err, chainkey.ErrSigner) {
		t.Fatalf("unknown signer: %v", err)
	}
	// Attribution: a basic-scheme signature, a garbage blob and a
	// signature by the wrong node are all found.
	basic, _ := nodes[0].Signing.Sign(msg).MarshalBinary()
	sigs[1] = basic
	sigs[3] = []byte("junk")
	sigs[4] = sigs[2]
	bad, err := c.BatchVerify(signers, msg, sigs)
	if err != nil || !slices.Equal(bad, []int{1, 3, 4}) {
		t.Fatalf("BatchVerify = %v, %v; want [1 3 4]", bad, err)
	}

	// A key without a valid proof of possession is refused.
	k, _ := nodes[0].Signing.PublicKey().MarshalBinary()
	wrongPoP, _ := nodes[1].Signing.ProvePossession().MarshalBinary()
	if _, err := chainkey.NewCommittee([][]byte{k}, [][]byte{wrongPoP}); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("NewCommittee(bad PoP) = %v", err)
	}
}
