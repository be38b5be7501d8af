package chainkey_test

import (
	"fmt"

	"github.com/thebigfile/bigfile/chainkey"
	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
)

// Four nodes run a DKG for a 2-of-4 (f+1) key, then produce the genesis
// beacon and the next one, and draw cube randomness from a tape.
func Example() {
	nodes := chainkeytest.NewNodes(1, 4)
	run, err := chainkeytest.RunDKG(1, nodes, 2)
	if err != nil {
		panic(err)
	}
	var ks []*chainkey.ThresholdKey
	for i := range nodes {
		k, err := chainkey.NewThresholdKey(run.Transcript.Coefficients, &run.Shares[i])
		if err != nil {
			panic(err)
		}
		ks = append(ks, k)
	}
	sign := func(msg []byte, signers ...int) bls.Signature {
		var shares [][]byte
		for _, i := range signers {
			s, _ := ks[i].SignShare(msg)
			shares = append(shares, s)
		}
		b, err := ks[0].Combine(msg, shares)
		if err != nil {
			panic(err)
		}
		sig, _ := bls.ParseSignature(b)
		return sig
	}
	groupKey := ks[0].PublicKey()
	gm, _ := chainkey.GenesisMessage(groupKey)
	genesis := chainkey.Beacon{Height: 0, Signature: sign(gm, 0, 1)}
	b1 := chainkey.Beacon{Height: 1, Signature: sign(genesis.Next(), 2, 3)}
	fmt.Println(chainkey.VerifyGenesisBeacon(groupKey, genesis), chainkey.VerifyBeacon(groupKey, genesis, b1))

	tape := chainkey.Tape{Height: 1, Signature: sign(chainkey.TapeMessage(1), 1, 3)}
	cube := []byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}
	r1, r2 := tape.Randomness(cube, 0), tape.Randomness(cube, 1)
	fmt.Println(chainkey.VerifyTape(groupKey, tape), r1 != r2)
	// Output:
	// <nil> <nil>
	// <nil> true
}
