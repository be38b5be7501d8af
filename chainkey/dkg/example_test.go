package dkg_test

import (
	"fmt"

	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
	"github.com/thebigfile/bigfile/chainkey/dkg"
)

// A 3-of-4 key generated without a trusted dealer. In a subnet the
// dealings, complaints and the agreed dealer set travel in blocks; here
// one process plays every node.
func Example() {
	nodes := chainkeytest.NewNodes(1, 4) // each node: signing key + encryption key
	cfg := &dkg.Config{
		ID:        []byte("subnet-1/interval-0/high"),
		Threshold: 3,
		Dealers:   chainkeytest.SigningKeys(nodes),
		Receivers: chainkeytest.EncryptionKeys(nodes),
	}
	rng := chainkeytest.Rand(1, "example") // crypto/rand.Reader in production

	// 1. Every dealer deals; dealings go into blocks.
	var dealings []*dkg.Dealing
	for _, n := range nodes {
		d, err := dkg.Deal(rng, cfg, n.Index, n.Signing)
		if err != nil {
			panic(err)
		}
		dealings = append(dealings, d)
	}
	// 2. Everyone verifies dealings publicly; each receiver checks its
	// share and would publish cfg.Complain(...) on ErrBadShare.
	for _, d := range dealings {
		if err := cfg.VerifyDealing(d); err != nil {
			panic(err)
		}
		for _, n := range nodes {
			if _, err := cfg.DecryptShare(d, n.Index, n.Encryption); err != nil {
				panic(err)
			}
		}
	}
	// 3. The agreed dealings form the transcript; receivers derive shares.
	tr, err := cfg.Combine(dealings)
	if err != nil {
		panic(err)
	}
	msg := []byte("hello")
	var sigs []bls.SignatureShare
	for _, n := range nodes[1:] { // any 3 nodes
		share, err := cfg.ReceiveShare(tr, dealings, n.Index, n.Encryption)
		if err != nil {
			panic(err)
		}
		sigs = append(sigs, share.Sign(msg))
	}
	sig, _ := bls.Combine(tr.Threshold(), sigs)
	fmt.Println(tr.PublicKey().Verify(msg, sig))
	// Output: <nil>
}
