// Package xnet wires routing's slice certification to real threshold BLS:
// each simulated subnet holds an n−f of n BLS key dealt by chainkeytest,
// certifies a stream slice by putting its digest into a state tree,
// threshold-signing the tree's root as the Internet Computer signs certified
// state, and handing out a witness with the signature; the receiving subnet
// verifies the certificate with the sender's subnet public key and reads the
// digest out of the witness.
//
// It is an example of wiring (it imports routing, chainkey/bls and
// statemgr/hashtree, which never import one another) and the home of the
// two-subnet acceptance test with real signatures.
//
// The state tree here is a stand-in: it holds the slice digest at
// /streams/slice_digest beside other state that the witness prunes. In the
// full replica the state manager certifies the whole state at each height,
// and the witness would reveal the stream under /streams/<subnet>.
//
// # Usage
//
//	a, b := xnet.NewSubnet(1, 4, 1), xnet.NewSubnet(2, 4, 1) // 3-of-4 keys
//	reg := xnet.NewRegistry(a, b)                            // public keys by subnet id
//	r, err := routing.New(routing.Config{Subnet: a.ID, Certifier: a, Verifier: reg, ...})
package xnet
