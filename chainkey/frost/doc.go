// Package frost implements FROST threshold Schnorr signatures (Komlo and
// Goldberg, eprint 2020/852; RFC 9591) for the two chain-key signature
// schemes cubes use to control accounts on other chains:
//
//   - [Ed25519]: RFC 9591's FROST(Ed25519, SHA-512) ciphersuite, byte for
//     byte (checked against the RFC's appendix E test vector). Signatures are
//     ordinary RFC 8032 Ed25519 signatures; crypto/ed25519 verifies them.
//   - [BIP340]: FROST over secp256k1 producing BIP340 (Taproot) Schnorr
//     signatures, which btcec's schnorr.Verify and Bitcoin accept.
//
// A group of n participants holds Shamir shares of one secret key; any t of
// them (the threshold) sign together in two rounds, and fewer than t learn
// nothing about the key and cannot sign. Keys come from a trusted dealer
// ([Deal], for tests) or from the distributed key generation [NewDKG]
// (PedPoP), in which no party ever knows the whole key. Every cube signs
// under its own key, derived from the group key along the cube's path
// ([GroupKey.Derive], using package chainkey/derive), without any change to
// the shares: the derivation offset is added at signing time.
//
// # Usage
//
// Key generation (here with the dealer; see [NewDKG] for the distributed
// version):
//
//	gk, shares, err := frost.Deal(frost.BIP340, rand.Reader, 5, 13)
//
// Signing under a cube's derived key, with a coordinator and t signers:
//
//	key, err := gk.Derive(derive.CubePath(cubeID, path...))
//
//	// Round 1, each signer i: commit to fresh nonces and send the commitment.
//	nonce, commitment, err := shares[i].Commit(rand.Reader)
//
//	// Coordinator: choose ≥ t commitments, build and send the package.
//	pkg, err := frost.NewSigningPackage(key, msg, commitments)
//
//	// Round 2, each signer: sign; the nonce is consumed.
//	share, err := shares[i].Sign(nonce, pkg)
//
//	// Coordinator: aggregate; the result is verified before it is returned.
//	sig, err := pkg.Aggregate(sigShares) // 64 bytes
//	var blame *frost.BlameError
//	if errors.As(err, &blame) { /* blame.Culprits sent invalid shares */ }
//
// Commitments, packages, shares, keys and DKG messages have stable binary
// encodings (MarshalBinary and the Parse functions); decoders reject
// malformed input, points off the curve or outside the prime-order group,
// the identity, and non-canonical scalars with [ErrMalformed].
//
// # The BIP340 ciphersuite
//
// RFC 9591 has a secp256k1 suite, but its signatures are not BIP340's
// (SEC1 keys, no x-only rule, a different challenge hash). The BIP340 suite
// here, context string "FROST-secp256k1-BIP340-v1", keeps RFC 9591's
// protocol and changes only what BIP340 needs:
//
//   - Group: secp256k1; elements SEC1-compressed (33 bytes), scalars
//     32-byte big-endian. The group key is kept as a full point (its parity
//     matters for the IC's key derivation); the BIP340 key is its x
//     coordinate ([PublicKey.XOnly]).
//   - Hashes are BIP340 tagged hashes, hash_tag(x) = SHA256(SHA256(tag) ‖
//     SHA256(tag) ‖ x), with tags "FROST-secp256k1-BIP340-v1/rho" (H1),
//     ".../nonce" (H3), ".../msg" (H4), ".../com" (H5) and ".../dkg" (the DKG
//     proof); H1 and H3 read the 32-byte digest big-endian modulo the group
//     order. H2 is BIP340's challenge, hash_BIP0340/challenge(x(R) ‖ x(P) ‖ m).
//   - Even-y rule: with group commitment R and (derived) group key P, signer
//     i computes z_i = ε_R·(d_i + ρ_i·e_i) + ε_P·λ_i·(s_i + τ)·c, where
//     ε_R = −1 if R has odd y (else 1), ε_P likewise for P, and τ is the
//     derivation tweak (0 for the root key). Share verification uses
//     z_i·G = ε_R·(D_i + ρ_i·E_i) + ε_P·λ_i·c·(X_i + τ·G). The signature is
//     x(R) ‖ Σ z_i, verified with BIP340's algorithm.
//
// The construction follows the BIP-445 draft ("FROST Signing Protocol for
// BIP340 Signatures") in spirit (x-only keys, even-y negation, additive
// tweaks) but was not built to its byte formats and is not claimed to
// interoperate with it or with other FROST implementations; what it
// guarantees is that its signatures are valid BIP340 signatures.
// Messages may have any length; Bitcoin signs 32-byte sighashes (and
// btcec's verifier accepts only those).
//
// # Derived keys
//
// Derivation is additive: the derived key is P + τ·G for a public tweak τ.
// Shifting the sharing polynomial's constant term by τ shifts every share
// by τ, so a signer signs for the derived key with s_i + τ, verification
// shares become X_i + τ·G, and Lagrange coefficients (which sum to one) are
// unchanged. [SigningPackage] carries τ; a signer that must not sign for
// keys it did not choose compares [SigningPackage.GroupKey] with its own
// derivation ([GroupKey.Equal]).
//
// # Security notes
//
//   - Nonces are single-use: [KeyShare.Sign] consumes the [Nonce] and wipes
//     it, even on failure, and nonces have no encoding, so they cannot be
//     persisted and replayed. A signer that crashes between rounds simply
//     commits again.
//   - Nonces are hedged as in RFC 9591: H3(32 random bytes ‖ secret share).
//   - FROST is not robust: one bad share spoils the signature. Aggregate
//     then names the culprits ([BlameError]); the coordinator retries
//     without them. Attribution assumes authenticated channels.
//   - The DKG is PedPoP: Feldman commitments plus a Schnorr proof of
//     knowledge of each dealer's constant term (bound to
//     [DKGConfig.Context]), with blame for bad proofs and bad shares. The
//     set of dealings must be agreed (e.g. by consensus) before Finish.
//   - Secret material ([KeyShare], [Nonce], [DKG], [DealtShare]) can be
//     wiped with Zero. Scalar arithmetic on secrets is constant time for
//     Ed25519 (filippo.io/edwards25519); secp256k1 uses decred's
//     variable-time point multiplication, as btcec does for single-signer
//     signing, so BIP340 signers should not share hardware with attackers
//     who can time them precisely.
//   - Randomness is always an io.Reader argument; pass crypto/rand.Reader.
//
// Values are immutable once built unless a method says otherwise; GroupKey,
// PublicKey, Commitment, SigningPackage and SignatureShare are safe for
// concurrent use. No function panics on malformed input.
package frost
