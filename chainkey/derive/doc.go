// Package derive computes per-cube public keys the way the Internet Computer
// derives per-canister keys for its chain-key signatures (threshold ECDSA,
// threshold BIP340 Schnorr and threshold Ed25519).
//
// A subnet holds one master key per scheme, shared among its nodes. Each cube
// (the IC's canister) signs with its own key, derived from the master public
// key along a derivation path whose first element is the cube's principal
// bytes, followed by the caller's derivation_path elements ([CubePath]).
// Derivation is public: anyone who knows the master public key can compute
// any cube's public key offline, and the derived key differs from the master
// key by a public additive offset, so the holders of the master secret (or of
// its threshold shares) sign for the cube by adding the offset.
//
// # Schemes
//
// secp256k1 ([Secp256k1]) is the IC's generalised, non-hardened BIP32
// (Groth–Shoup, eprint 2021/1330, appendix D): path elements are arbitrary
// byte strings, hashed with HMAC-SHA512 keyed by the chain code over the
// SEC1-compressed parent key and the element; out-of-range offsets and the
// point at infinity are retried SLIP-0010 style. With 4-byte big-endian
// indices below 2^31 it coincides with BIP32 public derivation. The same
// scheme serves ECDSA and BIP340 keys; a BIP340 key is the x coordinate of
// the derived point (its SEC1 parity byte is dropped when signing).
//
// Ed25519 ([Ed25519]) uses HKDF-SHA512 with the chain code as salt, the
// encoded parent point and the element as input keying material, and info
// "Ed25519"; 96 output bytes give a 64-byte big-endian integer reduced modulo
// the group order (the offset) and the next chain code.
//
// Master keys use the all-zero chain code [MasterChainCode], as the IC does.
//
// The package is checked against the IC's own outputs: the derivations in
// dfinity/ic-pub-key's test/samples.json (mainnet responses to
// ecdsa_public_key and schnorr_public_key) and its mainnet_derivation tests
// from the key_1 and test_key_1 master keys.
//
// # Usage
//
//	// The cube's key under the subnet's BIP340 master key.
//	k, err := derive.Secp256k1(masterPub, derive.MasterChainCode,
//		derive.CubePath(cubeID, []byte("wallet"), []byte{0, 0, 0, 1}))
//	if err != nil {
//		return err // a malformed master key
//	}
//	// k.PublicKey is what schnorr_public_key returns; k.ChainCode lets the
//	// caller derive further; k.Offset is added to the (shared) secret to sign.
//
// Package chainkey/frost applies the offset to threshold key shares
// (frost.GroupKey.Derive), so a threshold group signs for derived keys
// without ever reconstructing the master secret.
//
// Functions are pure and safe for concurrent use. They return
// [ErrInvalidPublicKey] for a parent key that does not decode.
package derive
