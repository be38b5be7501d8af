package derive_test

import (
	"encoding/hex"
	"fmt"

	"github.com/thebigfile/bigfile/chainkey/derive"
)

// Derive a cube's BIP340 key and Ed25519 key from master public keys (here
// the IC mainnet's test_key_1 keys) along the cube's path.
func Example() {
	// Principal bytes of the cube (the IC canister h5jwf-5iaaa-aaaan-qmvoa-cai).
	cube, _ := hex.DecodeString("0000000001b0655c0101")
	path := derive.CubePath(cube, []byte("Hello"), []byte("Threshold"), []byte("Signatures"))

	secpMaster, _ := hex.DecodeString("037a651a2e5ef3d1ef63e84c4c4caa029fa4a43a347a91e4d84a8e846853d51be1")
	k, err := derive.Secp256k1(secpMaster, derive.MasterChainCode, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("bip340:  %x\n", k.PublicKey)

	edMaster, _ := hex.DecodeString("6c0824beb37621bcca6eecc237ed1bc4e64c9c59dcb85344aa7f9cc8278ee31f")
	e, err := derive.Ed25519(edMaster, derive.MasterChainCode, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("ed25519: %x\n", e.PublicKey)
	// Output:
	// bip340:  0237ca6a41c1db8ab40410445250a5d46fbec7f3e449c8f40f86d8622a4106cebd
	// ed25519: d9a2ce6a3cd33fe16dce37e045609e51ff516e93bb51013823d6d7a915e3cfb9
}
