// Package bls implements BLS signatures on BLS12-381 exactly as the
// Internet Computer uses them, plus the threshold and multi-signature
// machinery built on them. It is the only chainkey package that imports a
// curve library (gnark-crypto); no library type appears in its API.
//
// Conventions (byte-compatible with the IC and with blst in min-sig mode):
//
//   - Signatures are G1 points, 48 bytes compressed; public keys are G2
//     points, 96 bytes compressed; ZCash/IETF flag bits (0x80 compressed,
//     0x40 infinity, 0x20 sign).
//   - Messages are hashed with RFC 9380 hash_to_curve, suite
//     BLS12381G1_XMD:SHA-256_SSWU_RO_, under [DSTBasic]
//     ("BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_") for ordinary and
//     threshold signatures, and under [DSTMulti] / [DSTPoP] for
//     multi-signatures and their proofs of possession.
//   - Every decoder checks length, flags, canonical field elements, that the
//     point is on the curve and in the prime-order subgroup, and rejects the
//     identity; errors wrap [ErrEncoding], [ErrNotOnCurve],
//     [ErrNotInSubgroup] or [ErrIdentity].
//   - Root and subnet keys have a DER form ([PublicKey.MarshalDER],
//     [ParseDER]): the IC's 37-byte prefix followed by the key.
//   - Threshold shares are indexed from 0: holder i owns f(i+1).
//
// Randomness is always an injected io.Reader; signing is deterministic.
// Values are immutable and safe for concurrent use unless a method says
// otherwise; secret values have Zero methods.
//
// # Usage
//
// Plain signatures:
//
//	sk, _ := bls.GenerateKey(rand.Reader)
//	sig := sk.Sign(msg)
//	err := sk.PublicKey().Verify(msg, sig) // nil or ErrInvalidSignature
//
// Multi-signatures (notarization, finalization): each node registers its
// key with sk.ProvePossession(), checked once with
// [PublicKey.VerifyPossession]. Nodes send sk.SignMulti(msg); the
// aggregator calls [BatchVerifyMulti] to find bad shares, then
// [AggregateSignatures]; anyone checks the result with
// [VerifyMultiSignature] against the signers' keys.
//
// Threshold signatures (random beacon, tape, certification, CUPs): a
// dealer (or package dkg) produces [SecretKeyShare] values and the
// [PublicCoefficients] that commit to them. A holder signs with
// [SecretKeyShare.Sign]; a combiner checks shares with
// [PublicCoefficients.ShareKey] and [PublicKeyShare.Verify] or
// [BatchVerifyShares], and interpolates any threshold of them with
// [Combine]. The result is an ordinary signature under the group key
// [PublicCoefficients.PublicKey], identical whichever shares were used.
//
// Keys that verify often should be wrapped in a [Verifier], which
// precomputes their pairing lines.
package bls
