// Package chainkey is the subnet's cryptographic identity: threshold BLS
// keys generated without a trusted dealer, the random beacon and random
// tape derived from them, multi-signatures for consensus, and chain-key
// signatures for cubes. It follows the Internet Computer's chain-key
// design, on BLS12-381 and byte-compatible with it where formats meet
// (signatures, keys, DER, hash-to-curve ciphersuites).
//
// The component is split by concern; only the leaf packages import curve
// libraries, and no library type appears in an exported signature:
//
//   - [github.com/thebigfile/bigfile/chainkey/bls]: BLS signatures as the
//     IC uses them (G1 signatures, G2 keys, RFC 9380 hashing), proofs of
//     possession and multi-signatures for notarization and finalization,
//     threshold shares with Lagrange combination, DER keys.
//   - [github.com/thebigfile/bigfile/chainkey/dkg]: distributed key
//     generation and key-preserving resharing with dealings carried in
//     blocks, encrypted shares and publicly checkable complaints.
//   - [github.com/thebigfile/bigfile/chainkey/frost]: threshold Schnorr
//     signatures, BIP340 on secp256k1 and Ed25519, via FROST.
//   - [github.com/thebigfile/bigfile/chainkey/derive]: IC-compatible
//     per-cube key derivation from a master public key.
//   - [github.com/thebigfile/bigfile/chainkey/chainkeytest]: seeded keys,
//     a trusted dealer and complete DKG runs for tests and examples.
//
// This package ties the BLS parts together for consumers: [ThresholdKey]
// signs, verifies and combines threshold shares on byte slices (what
// consensus and state certification call), [Committee] verifies and
// aggregates the nodes' multi-signatures (notarization, finalization),
// [Beacon] chains the random beacon, and [Tape] turns a height's
// threshold signature into per-cube random streams.
//
// Thresholds follow the IC: with n nodes and f = ⌊(n−1)/3⌋ faults, the
// low-threshold key (beacon, tape) needs f+1 shares and the high-threshold
// subnet key (state certification, catch-up packages) needs n−f.
// Notarization and finalization use multi-signatures by n−f nodes, not
// threshold keys.
//
// Everything here is deterministic given its inputs; randomness is an
// injected io.Reader, and there is no I/O, clock or goroutine.
//
// # Usage
//
// At genesis or at a DKG interval's summary block, each node turns the
// agreed transcript and its decrypted share into a [ThresholdKey]:
//
//	tr, _ := cfg.Combine(agreedDealings)                       // package dkg
//	share, _ := cfg.ReceiveShare(tr, agreedDealings, me, myEncKey)
//	key, _ := chainkey.NewThresholdKey(tr.Coefficients, &share)
//
// The random beacon then advances one height at a time:
//
//	msg := parent.Next()                                       // or GenesisMessage(key.PublicKey())
//	mine, _ := key.SignShare(msg)                              // gossip it
//	sig, err := key.Combine(msg, received)                     // any f+1 valid shares
//	s, err := bls.ParseSignature(sig)
//	beacon := chainkey.Beacon{Height: parent.Height + 1, Signature: s}
//	seed := beacon.Randomness()                                // ranks, committees
//
// Notarization and finalization shares are individual multi-signatures,
// checked against a [Committee] built from the registry's keys and proofs
// of possession:
//
//	share, _ := myNodeKey.SignMulti(msg).MarshalBinary()
//	agg, _ := committee.Aggregate(shares)
//	err := committee.VerifyAggregate(signers, msg, agg)          // on failure: committee.BatchVerify
//
// and execution reads cube randomness from the tape of the batch's height:
//
//	tape := chainkey.Tape{Height: h, Signature: tapeSig}      // tapeSig: combined TapeMessage(h) shares
//	r := tape.Reader(cubeID, n)                                // n-th raw_rand of the cube at h
package chainkey
