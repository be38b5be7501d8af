package frost_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/thebigfile/bigfile/chainkey/frost"
)

// fixture returns valid encodings of every wire object for both suites,
// used as fuzz seeds.
type fixture struct {
	groupKeys, keyShares, commitments, packages, sigShares, dealings, dealtShares [][]byte
	publicKeys                                                                    [][]byte
	roots                                                                         []*frost.GroupKey
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{}
	for _, s := range suites {
		rng := seeded(99)
		gk, shares, err := frost.Deal(s, rng, 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		f.roots = append(f.roots, gk)
		derived, _ := gk.Derive([][]byte{[]byte("fuzz")})
		b, _ := gk.MarshalBinary()
		db, _ := derived.MarshalBinary()
		f.groupKeys = append(f.groupKeys, b, db)
		f.publicKeys = append(f.publicKeys, gk.PublicKey().Bytes(), gk.PublicKey().XOnly())
		kb, _ := shares[0].MarshalBinary()
		f.keyShares = append(f.keyShares, kb)
		n1, c1, _ := shares[0].Commit(rng)
		_, c2, _ := shares[1].Commit(rng)
		cb, _ := c1.MarshalBinary()
		f.commitments = append(f.commitments, cb)
		pkg, _ := frost.NewSigningPackage(derived, []byte("message"), []frost.Commitment{c1, c2})
		pb, _ := pkg.MarshalBinary()
		f.packages = append(f.packages, pb)
		z, _ := shares[0].Sign(n1, pkg)
		zb, _ := z.MarshalBinary()
		f.sigShares = append(f.sigShares, zb)
		d, _ := frost.NewDKG(frost.DKGConfig{Suite: s, Threshold: 2, Signers: 3, ID: 1}, rng)
		dlb, _ := d.Dealing().MarshalBinary()
		sh, _ := d.Share(2)
		shb, _ := sh.MarshalBinary()
		f.dealings = append(f.dealings, dlb)
		f.dealtShares = append(f.dealtShares, shb)
	}
	return f
}

// addSeeds adds each valid encoding plus truncated and bit-flipped variants.
func addSeeds(f *testing.F, encs [][]byte) {
	for _, b := range encs {
		f.Add(b)
		f.Add(b[:len(b)-1])
		f.Add(append(bytes.Clone(b), 0))
		for _, i := range []int{0, 1, 5, len(b) / 2, len(b) - 1} {
			c := bytes.Clone(b)
			c[i] ^= 0x80
			f.Add(c)
		}
	}
	f.Add([]byte{})
	f.Add([]byte{9})
}

// roundTrip checks the canonical-encoding property: whatever decodes
// re-encodes to the same bytes.
func roundTrip(t *testing.T, in []byte, marshal func() ([]byte, error)) {
	out, err := marshal()
	if err != nil {
		t.Fatalf("re-encoding a decoded value failed: %v", err)
	}
	if !bytes.Equal(in, out) {
		t.Fatalf("decode/encode not canonical:\n in  %x\n out %x", in, out)
	}
}

func FuzzParseGroupKey(f *testing.F) {
	addSeeds(f, newFixture(f).groupKeys)
	f.Fuzz(func(t *testing.T, b []byte) {
		gk, err := frost.ParseGroupKey(b)
		if err != nil {
			return
		}
		roundTrip(t, b, gk.MarshalBinary)
		for id := 1; id <= gk.Signers() && id < 5; id++ {
			if _, err := gk.VerificationShare(frost.Identifier(id)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzParseKeyShare(f *testing.F) {
	addSeeds(f, newFixture(f).keyShares)
	f.Fuzz(func(t *testing.T, b []byte) {
		ks, err := frost.ParseKeyShare(b)
		if err != nil {
			return
		}
		roundTrip(t, b, ks.MarshalBinary)
	})
}

func FuzzParseCommitment(f *testing.F) {
	addSeeds(f, newFixture(f).commitments)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := frost.ParseCommitment(b)
		if err != nil {
			return
		}
		roundTrip(t, b, c.MarshalBinary)
	})
}

func FuzzParseSigningPackage(f *testing.F) {
	fx := newFixture(f)
	addSeeds(f, fx.packages)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, root := range fx.roots {
			p, err := frost.ParseSigningPackage(root, b)
			if err != nil {
				continue
			}
			out, err := p.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			// Commitments are sorted on decoding, so compare decoded forms.
			if _, err := frost.ParseSigningPackage(root, out); err != nil {
				t.Fatalf("re-encoded package does not decode: %v", err)
			}
		}
	})
}

func FuzzParseSignatureShare(f *testing.F) {
	addSeeds(f, newFixture(f).sigShares)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := frost.ParseSignatureShare(b)
		if err != nil {
			return
		}
		roundTrip(t, b, s.MarshalBinary)
	})
}

func FuzzParseDealing(f *testing.F) {
	addSeeds(f, newFixture(f).dealings)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := frost.ParseDealing(b)
		if err != nil {
			return
		}
		roundTrip(t, b, d.MarshalBinary)
		for _, s := range suites {
			_ = frost.VerifyDealing(frost.DKGConfig{Suite: s, Threshold: 2, Signers: 3, ID: 1}, d)
		}
	})
}

func FuzzParseDealtShare(f *testing.F) {
	addSeeds(f, newFixture(f).dealtShares)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := frost.ParseDealtShare(b)
		if err != nil {
			return
		}
		roundTrip(t, b, s.MarshalBinary)
	})
}

// FuzzVerify checks the verifiers against the oracles on arbitrary keys,
// messages and signatures: BIP340 must agree with btcec exactly; for
// Ed25519 every signature crypto/ed25519 accepts under a key ParsePublicKey
// accepts must verify (the cofactored check accepts a superset).
func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	rng := seeded(5)
	for i, s := range suites {
		gk := fx.roots[i]
		_, shares, _ := frost.Deal(s, rng, 1, 1)
		gk = shares[0].GroupKey()
		msg := bytes.Repeat([]byte{byte(i)}, 32)
		sig, err := signWith(f, rng, gk, shares, msg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(s), gk.PublicKey().XOnly(), msg, sig)
		bad := bytes.Clone(sig)
		bad[63] ^= 1
		f.Add(uint8(s), gk.PublicKey().XOnly(), msg, bad)
	}
	f.Fuzz(func(t *testing.T, suite uint8, pub, msg, sig []byte) {
		switch frost.Suite(suite) {
		case frost.BIP340:
			err := frost.Verify(frost.BIP340, pub, msg, sig)
			if len(pub) != 32 || len(msg) != 32 {
				return
			}
			pk, perr := schnorr.ParsePubKey(pub)
			ps, serr := schnorr.ParseSignature(sig)
			oracle := perr == nil && serr == nil && ps.Verify(msg, pk)
			if oracle != (err == nil) {
				t.Fatalf("BIP340 disagreement: ours %v, btcec %v", err, oracle)
			}
		case frost.Ed25519:
			err := frost.Verify(frost.Ed25519, pub, msg, sig)
			if len(pub) != ed25519.PublicKeySize {
				return
			}
			if _, perr := frost.ParsePublicKey(frost.Ed25519, pub); perr == nil && ed25519.Verify(pub, msg, sig) && err != nil {
				t.Fatalf("crypto/ed25519 accepts, ours rejects: %v", err)
			}
		default:
			_ = frost.Verify(frost.Suite(suite), pub, msg, sig)
		}
	})
}
