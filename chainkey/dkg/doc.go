// Package dkg generates and reshares threshold BLS keys without a trusted
// dealer, with dealings shaped to be carried in blocks (the role the IC's
// NIDKG plays, with a simpler, well-analysed construction).
//
// # Construction
//
// It is a Feldman-VSS "joint" DKG (Pedersen 1991; Gennaro, Jarecki,
// Krawczyk, Rabin 1999) in which a blockchain fixes the set of dealings:
//
//   - Each dealer i picks a random polynomial fᵢ with [Config.Threshold]
//     coefficients and publishes a [Dealing]: Feldman commitments g2^{aᵢₖ}
//     (package bls [bls.PublicCoefficients]) and, for each receiver j, the
//     share fᵢ(j+1) encrypted to j with DHIES: a Diffie–Hellman secret
//     between a per-dealing ephemeral key and j's registered
//     [bls.DHPublicKey] (BLS12-381 G1), HKDF-SHA256 and AES-256-GCM, the
//     ciphertext bound to the instance, dealer, receiver and commitments.
//     The dealer signs the dealing with its node key.
//   - Anyone checks a dealing's shape, commitments and signature
//     ([Config.VerifyDealing]). Receiver j decrypts its share and checks
//     g2^s = Σₖ Cₖ(j+1)^k ([Config.DecryptShare]). On failure it publishes a
//     [Complaint] ([Config.Complain]): the Diffie–Hellman secret of that one
//     (dealing, receiver) pair with a Chaum–Pedersen proof that it is
//     genuine. Anyone can decrypt that ciphertext and confirm the fault
//     ([Config.VerifyComplaint]); nothing else about j's keys is revealed.
//   - The chain agrees on the dealings without justified complaints (at
//     least [Config.MinDealings]); [Config.Combine] sums their commitments
//     into the [Transcript], whose constant term is the group key, and each
//     receiver sums its shares ([Config.ReceiveShare]).
//
// Resharing (Desmedt–Jajodia; Herzberg et al.): with [Config.Reshare] set,
// each old holder deals a polynomial whose constant term is its old share
// ([Reshare]); verifiers check that the constant commitment equals the old
// share's public key. Combining any old-threshold of such dealings with the
// old holders' Lagrange coefficients yields new shares of the same secret,
// for a new committee of any size and threshold: the subnet public key
// does not change.
//
// As with every Feldman-based DKG, a dealer who sees others' dealings
// first can bias the group key by a few bits (GJKR); this is harmless for
// signature keys. Long-term secrecy relies on the receivers' encryption
// keys; unlike the IC's NIDKG there is no forward-secure key evolution, so
// rotate encryption keys with the committee.
//
// # Usage
//
//	cfg := &dkg.Config{ID: id, Threshold: t, Dealers: nodeKeys, Receivers: encKeys}
//	d, err := dkg.Deal(rand.Reader, cfg, myIndex, mySigningKey) // put d in a block
//	// on every dealing seen in a block:
//	err = cfg.VerifyDealing(d)
//	if _, err := cfg.DecryptShare(d, myIndex, myEncKey); errors.Is(err, dkg.ErrBadShare) {
//		c, _ := cfg.Complain(rand.Reader, d, myIndex, myEncKey) // put c in a block
//	}
//	// at the interval's summary block, over the agreed dealings:
//	tr, err := cfg.Combine(agreed)
//	share, err := cfg.ReceiveShare(tr, agreed, myIndex, myEncKey)
//
// Encodings are stable: [Dealing], [Complaint] and [Transcript] have
// MarshalBinary/UnmarshalBinary with a version byte, and decoders check
// every point. Randomness is always an injected io.Reader.
package dkg
