package frost_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/thebigfile/bigfile/chainkey/derive"
	"github.com/thebigfile/bigfile/chainkey/frost"
)

// A 5-of-13 group signs a Bitcoin sighash with BIP340 under a cube's
// derived key; btcec verifies the result as an ordinary Taproot signature.
func Example_bip340() {
	gk, shares, err := frost.Deal(frost.BIP340, rand.Reader, 5, 13)
	if err != nil {
		fmt.Println(err)
		return
	}
	cube := []byte{0, 0, 0, 0, 1, 0xb0, 0x65, 0x5c, 1, 1}
	key, err := gk.Derive(derive.CubePath(cube, []byte("btc-wallet")))
	if err != nil {
		fmt.Println(err)
		return
	}
	msg := sha256.Sum256([]byte("transaction sighash"))

	// Round 1: five signers (any five) commit to nonces.
	signers := []*frost.KeyShare{shares[12], shares[0], shares[7], shares[3], shares[9]}
	nonces := make([]*frost.Nonce, len(signers))
	var commitments []frost.Commitment
	for i, s := range signers {
		n, c, err := s.Commit(rand.Reader)
		if err != nil {
			fmt.Println(err)
			return
		}
		nonces[i] = n
		commitments = append(commitments, c)
	}
	// The coordinator picks the commitments and the message.
	pkg, err := frost.NewSigningPackage(key, msg[:], commitments)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Round 2: each signer signs; its nonce is consumed.
	var sigShares []frost.SignatureShare
	for i, s := range signers {
		z, err := s.Sign(nonces[i], pkg)
		if err != nil {
			fmt.Println(err)
			return
		}
		sigShares = append(sigShares, z)
	}
	sig, err := pkg.Aggregate(sigShares)
	if err != nil {
		fmt.Println(err)
		return
	}

	// Anyone verifies with the x-only derived key, e.g. with btcec.
	pub, _ := schnorr.ParsePubKey(key.PublicKey().XOnly())
	parsed, _ := schnorr.ParseSignature(sig)
	fmt.Println("btcec verifies:", parsed.Verify(msg[:], pub))

	// A nonce cannot be used twice.
	_, err = signers[0].Sign(nonces[0], pkg)
	fmt.Println("reuse refused:", errors.Is(err, frost.ErrNonceUsed))
	// Output:
	// btcec verifies: true
	// reuse refused: true
}

// Three participants run the distributed key generation for an Ed25519
// key (no dealer knows it), then two of them sign; crypto/ed25519 verifies.
func Example_ed25519() {
	const threshold, n = 2, 3
	ctx := []byte("subnet 7, dkg epoch 1")
	dkgs := make([]*frost.DKG, n)
	var dealings []*frost.Dealing
	for i := range dkgs {
		d, err := frost.NewDKG(frost.DKGConfig{
			Suite: frost.Ed25519, Threshold: threshold, Signers: n,
			ID: frost.Identifier(i + 1), Context: ctx,
		}, rand.Reader)
		if err != nil {
			fmt.Println(err)
			return
		}
		dkgs[i] = d
		dealings = append(dealings, d.Dealing()) // broadcast
	}
	keyShares := make([]*frost.KeyShare, n)
	for j := range keyShares {
		var received []*frost.DealtShare // sent privately by every dealer
		for _, d := range dkgs {
			s, _ := d.Share(frost.Identifier(j + 1))
			received = append(received, s)
		}
		ks, err := dkgs[j].Finish(dealings, received)
		if err != nil {
			fmt.Println(err)
			return
		}
		keyShares[j] = ks
	}
	for _, d := range dkgs {
		d.Zero()
	}

	gk := keyShares[0].GroupKey()
	msg := []byte("transfer 10 tokens")
	n1, c1, _ := keyShares[0].Commit(rand.Reader)
	n3, c3, _ := keyShares[2].Commit(rand.Reader)
	pkg, err := frost.NewSigningPackage(gk, msg, []frost.Commitment{c1, c3})
	if err != nil {
		fmt.Println(err)
		return
	}
	z1, _ := keyShares[0].Sign(n1, pkg)
	z3, _ := keyShares[2].Sign(n3, pkg)
	sig, err := pkg.Aggregate([]frost.SignatureShare{z1, z3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("same key everywhere:", gk.Equal(keyShares[1].GroupKey()))
	fmt.Println("crypto/ed25519 verifies:", ed25519.Verify(gk.PublicKey().Bytes(), msg, sig))
	// Output:
	// same key everywhere: true
	// crypto/ed25519 verifies: true
}
