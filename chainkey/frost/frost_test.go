package frost_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	mrand "math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/thebigfile/bigfile/chainkey/derive"
	"github.com/thebigfile/bigfile/chainkey/frost"
)

// seeded returns a deterministic io.Reader for reproducible tests.
func seeded(seed uint64) *mrand.ChaCha8 {
	var s [32]byte
	for i := 0; i < 8; i++ {
		s[i] = byte(seed >> (8 * i))
	}
	return mrand.NewChaCha8(s)
}

var suites = []frost.Suite{frost.Ed25519, frost.BIP340}

// signWith runs the two rounds and aggregation for the given signers.
func signWith(t testing.TB, rng *mrand.ChaCha8, gk *frost.GroupKey, signers []*frost.KeyShare, msg []byte) ([]byte, error) {
	t.Helper()
	nonces := make([]*frost.Nonce, len(signers))
	commitments := make([]frost.Commitment, len(signers))
	for i, ks := range signers {
		n, c, err := ks.Commit(rng)
		if err != nil {
			t.Fatal(err)
		}
		nonces[i], commitments[i] = n, c
	}
	pkg, err := frost.NewSigningPackage(gk, msg, commitments)
	if err != nil {
		return nil, err
	}
	shares := make([]frost.SignatureShare, len(signers))
	for i, ks := range signers {
		if shares[i], err = ks.Sign(nonces[i], pkg); err != nil {
			t.Fatal(err)
		}
	}
	return pkg.Aggregate(shares)
}

// subset picks k distinct shares at random.
func subset(r *mrand.Rand, shares []*frost.KeyShare, k int) []*frost.KeyShare {
	p := r.Perm(len(shares))[:k]
	out := make([]*frost.KeyShare, k)
	for i, j := range p {
		out[i] = shares[j]
	}
	return out
}

// oracleVerify checks sig with the independent single-signer verifier of the
// suite: btcec's BIP340 schnorr.Verify or crypto/ed25519.Verify.
func oracleVerify(t testing.TB, s frost.Suite, pk frost.PublicKey, msg, sig []byte) bool {
	t.Helper()
	switch s {
	case frost.BIP340:
		pub, err := schnorr.ParsePubKey(pk.XOnly())
		if err != nil {
			t.Fatalf("btcec rejects public key %x: %v", pk.XOnly(), err)
		}
		parsed, err := schnorr.ParseSignature(sig)
		if err != nil {
			return false
		}
		return parsed.Verify(msg, pub)
	case frost.Ed25519:
		return ed25519.Verify(pk.Bytes(), msg, sig)
	}
	t.Fatalf("unknown suite %v", s)
	return false
}

// TestOracles signs random messages with random keys, random (t, n) and
// random signer subsets, under the root key and under derived keys, and
// checks every signature with the single-signer oracle. btcec's BIP340
// verifier takes 32-byte messages only, so messages are 32 bytes.
func TestOracles(t *testing.T) {
	rounds := 40
	if testing.Short() {
		rounds = 8
	}
	for _, s := range suites {
		t.Run(s.String(), func(t *testing.T) {
			rng := seeded(uint64(s))
			r := mrand.New(rng)
			for round := 0; round < rounds; round++ {
				n := 1 + r.IntN(9)
				th := 1 + r.IntN(n)
				gk, shares, err := frost.Deal(s, rng, th, n)
				if err != nil {
					t.Fatal(err)
				}
				key := gk
				if round%2 == 1 {
					path := [][]byte{[]byte("cube"), {byte(round)}}
					if key, err = gk.Derive(path); err != nil {
						t.Fatal(err)
					}
					// The derived key is the one package derive computes.
					f := derive.Ed25519
					if s == frost.BIP340 {
						f = derive.Secp256k1
					}
					k, err := f(gk.PublicKey().Bytes(), derive.MasterChainCode, path)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(k.PublicKey, key.PublicKey().Bytes()) || k.ChainCode != key.ChainCode() {
						t.Fatalf("GroupKey.Derive disagrees with package derive")
					}
				}
				msg := make([]byte, 32)
				rng.Read(msg)
				signers := subset(r, shares, th+r.IntN(n-th+1))
				sig, err := signWith(t, rng, key, signers, msg)
				if err != nil {
					t.Fatalf("t=%d n=%d signers=%d: %v", th, n, len(signers), err)
				}
				if !oracleVerify(t, s, key.PublicKey(), msg, sig) {
					t.Fatalf("oracle rejects signature (t=%d n=%d derived=%v)", th, n, round%2 == 1)
				}
				if err := key.PublicKey().Verify(msg, sig); err != nil {
					t.Fatalf("own verifier rejects: %v", err)
				}
				msg[0] ^= 1
				if oracleVerify(t, s, key.PublicKey(), msg, sig) || key.PublicKey().Verify(msg, sig) == nil {
					t.Fatal("signature verifies for another message")
				}
			}
		})
	}
}

// TestEd25519LongMessages: Ed25519 signs messages of any length.
func TestEd25519LongMessages(t *testing.T) {
	rng := seeded(7)
	gk, shares, err := frost.Deal(frost.Ed25519, rng, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []int{0, 1, 100, 5000} {
		msg := bytes.Repeat([]byte{0xab}, l)
		sig, err := signWith(t, rng, gk, shares[1:], msg)
		if err != nil {
			t.Fatal(err)
		}
		if !ed25519.Verify(gk.PublicKey().Bytes(), msg, sig) {
			t.Fatalf("len %d: crypto/ed25519 rejects", l)
		}
	}
}

// TestEveryThresholdSubsetSigns: every subset of size ≥ t of a 3-of-5 group
// produces a valid signature.
func TestEveryThresholdSubsetSigns(t *testing.T) {
	for _, s := range suites {
		rng := seeded(11)
		gk, shares, err := frost.Deal(s, rng, 3, 5)
		if err != nil {
			t.Fatal(err)
		}
		derived, err := gk.Derive([][]byte{[]byte("subset")})
		if err != nil {
			t.Fatal(err)
		}
		for mask := 0; mask < 1<<5; mask++ {
			var signers []*frost.KeyShare
			for i := range shares {
				if mask&(1<<i) != 0 {
					signers = append(signers, shares[i])
				}
			}
			if len(signers) < 3 {
				continue
			}
			msg := []byte{byte(mask), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}
			for _, key := range []*frost.GroupKey{gk, derived} {
				sig, err := signWith(t, rng, key, signers, msg)
				if err != nil {
					t.Fatalf("%v mask %05b: %v", s, mask, err)
				}
				if !oracleVerify(t, s, key.PublicKey(), msg, sig) {
					t.Fatalf("%v mask %05b: oracle rejects", s, mask)
				}
			}
		}
	}
}

// TestTooFewSigners: t−1 commitments do not make a signing package, and t−1
// shares do not reconstruct the secret.
func TestTooFewSigners(t *testing.T) {
	for _, s := range suites {
		rng := seeded(3)
		gk, shares, err := frost.Deal(s, rng, 4, 6)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := signWith(t, rng, gk, shares[:3], []byte("msg")); !errors.Is(err, frost.ErrTooFewSigners) {
			t.Fatalf("%v: 3 of threshold 4: err = %v, want ErrTooFewSigners", s, err)
		}
		if _, err := frost.Combine(shares[:3]); !errors.Is(err, frost.ErrTooFewSigners) {
			t.Fatalf("%v: Combine(3 shares) err = %v, want ErrTooFewSigners", s, err)
		}
		a, err := frost.Combine(shares[:4])
		if err != nil {
			t.Fatal(err)
		}
		b, err := frost.Combine(shares[2:])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("%v: different subsets reconstruct different secrets", s)
		}
	}
}

// TestCorruptShareBlamed: tampered signature shares are detected at
// aggregation and attributed to their signers; the others are not blamed.
func TestCorruptShareBlamed(t *testing.T) {
	for _, s := range suites {
		for _, derived := range []bool{false, true} {
			rng := seeded(5)
			gk, shares, err := frost.Deal(s, rng, 3, 5)
			if err != nil {
				t.Fatal(err)
			}
			key := gk
			if derived {
				key, _ = gk.Derive([][]byte{[]byte("blame")})
			}
			signers := []*frost.KeyShare{shares[0], shares[2], shares[3], shares[4]}
			nonces := make([]*frost.Nonce, len(signers))
			var commitments []frost.Commitment
			for i, ks := range signers {
				n, c, err := ks.Commit(rng)
				if err != nil {
					t.Fatal(err)
				}
				nonces[i] = n
				commitments = append(commitments, c)
			}
			msg := bytes.Repeat([]byte{9}, 32)
			pkg, err := frost.NewSigningPackage(key, msg, commitments)
			if err != nil {
				t.Fatal(err)
			}
			var sigShares []frost.SignatureShare
			for i, ks := range signers {
				z, err := ks.Sign(nonces[i], pkg)
				if err != nil {
					t.Fatal(err)
				}
				if err := pkg.VerifyShare(z); err != nil {
					t.Fatalf("honest share rejected: %v", err)
				}
				if ks.ID() == 3 || ks.ID() == 5 {
					z = tamper(t, z, int(ks.ID()))
				}
				sigShares = append(sigShares, z)
			}
			_, err = pkg.Aggregate(sigShares)
			var be *frost.BlameError
			if !errors.As(err, &be) || !errors.Is(err, frost.ErrInvalidShare) {
				t.Fatalf("%v: Aggregate err = %v, want BlameError(ErrInvalidShare)", s, err)
			}
			if len(be.Culprits) != 2 || be.Culprits[0] != 3 || be.Culprits[1] != 5 {
				t.Fatalf("%v: culprits = %v, want [3 5]", s, be.Culprits)
			}
			if err := pkg.VerifyShare(sigShares[1]); !errors.Is(err, frost.ErrInvalidShare) {
				t.Fatalf("VerifyShare(tampered) = %v", err)
			}
		}
	}
}

// tamper flips a bit of a share's scalar through its encoding. Distinct
// signers get distinct bit positions so two tampered shares cannot cancel
// out in the sum.
func tamper(t testing.TB, z frost.SignatureShare, pos int) frost.SignatureShare {
	b, _ := z.MarshalBinary()
	// The scalar is the last 32 bytes: big-endian (BIP340) or little-endian
	// (Ed25519); flipping a bit of a middle byte keeps it canonical in both.
	b[3+8+pos] ^= 0x01
	out, err := frost.ParseSignatureShare(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNonceSingleUse: a nonce works once; a second use, a use after Zero, a
// use by another signer, or a use after a failed Sign are refused.
func TestNonceSingleUse(t *testing.T) {
	for _, s := range suites {
		rng := seeded(9)
		gk, shares, _ := frost.Deal(s, rng, 2, 3)
		n1, c1, _ := shares[0].Commit(rng)
		n2, c2, _ := shares[1].Commit(rng)
		pkg, err := frost.NewSigningPackage(gk, []byte("m"), []frost.Commitment{c1, c2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := shares[0].Sign(n1, pkg); err != nil {
			t.Fatal(err)
		}
		if _, err := shares[0].Sign(n1, pkg); !errors.Is(err, frost.ErrNonceUsed) {
			t.Fatalf("second Sign: %v, want ErrNonceUsed", err)
		}
		// Wrong signer: refused, and the nonce is consumed anyway.
		if _, err := shares[0].Sign(n2, pkg); !errors.Is(err, frost.ErrKeyMismatch) {
			t.Fatalf("foreign nonce: %v, want ErrKeyMismatch", err)
		}
		if _, err := shares[1].Sign(n2, pkg); !errors.Is(err, frost.ErrNonceUsed) {
			t.Fatalf("after failed Sign: %v, want ErrNonceUsed", err)
		}
		n3, _, _ := shares[2].Commit(rng)
		n3.Zero()
		if _, err := shares[2].Sign(n3, pkg); !errors.Is(err, frost.ErrNonceUsed) {
			t.Fatalf("after Zero: %v, want ErrNonceUsed", err)
		}
		// A nonce whose commitment is not in the package.
		n4, _, _ := shares[0].Commit(rng)
		if _, err := shares[0].Sign(n4, pkg); !errors.Is(err, frost.ErrCommitmentMismatch) {
			t.Fatalf("stale package: %v, want ErrCommitmentMismatch", err)
		}
	}
}

// TestWireRoundTrip runs a signing session entirely through the binary
// encodings: the coordinator sees only encoded commitments and shares; the
// signers see only the encoded package; everything is decoded with Parse*.
func TestWireRoundTrip(t *testing.T) {
	for _, s := range suites {
		rng := seeded(13)
		gk, shares, err := frost.Deal(s, rng, 3, 4)
		if err != nil {
			t.Fatal(err)
		}
		gkb, _ := gk.MarshalBinary()
		gk2, err := frost.ParseGroupKey(gkb)
		if err != nil || !gk2.Equal(gk) {
			t.Fatalf("group key round trip: %v", err)
		}
		var ks []*frost.KeyShare
		for _, sh := range shares {
			b, _ := sh.MarshalBinary()
			p, err := frost.ParseKeyShare(b)
			if err != nil {
				t.Fatal(err)
			}
			ks = append(ks, p)
		}
		derived, _ := gk2.Derive([][]byte{[]byte("wire")})
		nonces := map[frost.Identifier]*frost.Nonce{}
		var commitments []frost.Commitment
		for _, sh := range ks[:3] {
			n, c, _ := sh.Commit(rng)
			nonces[sh.ID()] = n
			b, _ := c.MarshalBinary()
			c2, err := frost.ParseCommitment(b)
			if err != nil {
				t.Fatal(err)
			}
			commitments = append(commitments, c2)
		}
		msg := bytes.Repeat([]byte{1}, 32)
		pkg, err := frost.NewSigningPackage(derived, msg, commitments)
		if err != nil {
			t.Fatal(err)
		}
		pkgb, _ := pkg.MarshalBinary()
		var zs []frost.SignatureShare
		for _, sh := range ks[:3] {
			p, err := frost.ParseSigningPackage(sh.GroupKey(), pkgb)
			if err != nil {
				t.Fatal(err)
			}
			if !p.GroupKey().Equal(derived) {
				t.Fatal("decoded package signs under another key")
			}
			z, err := sh.Sign(nonces[sh.ID()], p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := z.MarshalBinary()
			z2, err := frost.ParseSignatureShare(b)
			if err != nil {
				t.Fatal(err)
			}
			zs = append(zs, z2)
		}
		sig, err := pkg.Aggregate(zs)
		if err != nil {
			t.Fatal(err)
		}
		pkb := derived.PublicKey().Bytes()
		if err := frost.Verify(s, pkb, msg, sig); err != nil {
			t.Fatal(err)
		}
		if !oracleVerify(t, s, derived.PublicKey(), msg, sig) {
			t.Fatal("oracle rejects")
		}
	}
}

// TestDeriveComposes: deriving in two steps equals deriving the whole path.
func TestDeriveComposes(t *testing.T) {
	for _, s := range suites {
		gk, _, _ := frost.Deal(s, seeded(1), 2, 3)
		a, _ := gk.Derive([][]byte{[]byte("a")})
		ab, _ := a.Derive([][]byte{[]byte("b")})
		ab2, _ := gk.Derive([][]byte{[]byte("a"), []byte("b")})
		if !ab.Equal(ab2) {
			t.Fatalf("%v: stepwise derivation differs", s)
		}
		if !ab.Root().Equal(gk) || ab.Equal(gk) {
			t.Fatalf("%v: Root/Equal wrong", s)
		}
	}
}

func TestParameterErrors(t *testing.T) {
	rng := seeded(1)
	for _, c := range [][2]int{{0, 3}, {4, 3}, {1, 0}, {2, 70000}} {
		if _, _, err := frost.Deal(frost.Ed25519, rng, c[0], c[1]); !errors.Is(err, frost.ErrInvalidParameters) {
			t.Errorf("Deal(t=%d, n=%d) = %v, want ErrInvalidParameters", c[0], c[1], err)
		}
	}
	if _, _, err := frost.Deal(frost.Suite(9), rng, 1, 1); !errors.Is(err, frost.ErrUnknownSuite) {
		t.Errorf("unknown suite: %v", err)
	}
	if _, _, err := frost.Deal(frost.BIP340, bytes.NewReader(nil), 1, 1); !errors.Is(err, frost.ErrRandomness) {
		t.Errorf("empty rand: %v", err)
	}
	gk, shares, _ := frost.Deal(frost.BIP340, rng, 2, 3)
	_, c1, _ := shares[0].Commit(rng)
	if _, err := frost.NewSigningPackage(gk, nil, []frost.Commitment{c1, c1}); !errors.Is(err, frost.ErrInvalidParameters) {
		t.Errorf("duplicate commitments: %v", err)
	}
	gkE, sharesE, _ := frost.Deal(frost.Ed25519, rng, 1, 1)
	_, cE, _ := sharesE[0].Commit(rng)
	if _, err := frost.NewSigningPackage(gk, nil, []frost.Commitment{c1, cE}); !errors.Is(err, frost.ErrKeyMismatch) {
		t.Errorf("mixed suites: %v", err)
	}
	_ = gkE
	shares[0].Zero()
	if _, _, err := shares[0].Commit(rng); !errors.Is(err, frost.ErrInvalidParameters) {
		t.Errorf("Commit after Zero: %v", err)
	}
}

// TestNoPanicOnZeroValues: nil and zero values passed to the API produce
// errors, not panics.
func TestNoPanicOnZeroValues(t *testing.T) {
	gk, shares, _ := frost.Deal(frost.BIP340, seeded(2), 1, 2)
	n, c, _ := shares[0].Commit(seeded(3))
	pkg, _ := frost.NewSigningPackage(gk, nil, []frost.Commitment{c})
	checks := map[string]error{}
	_, checks["NewSigningPackage(nil)"] = frost.NewSigningPackage(nil, nil, []frost.Commitment{c})
	_, checks["NewSigningPackage(zero)"] = frost.NewSigningPackage(&frost.GroupKey{}, nil, []frost.Commitment{c})
	_, checks["NewSigningPackage(zero commitment)"] = frost.NewSigningPackage(gk, nil, []frost.Commitment{{}})
	_, checks["ParseSigningPackage(nil)"] = frost.ParseSigningPackage(nil, []byte{2})
	_, checks["Sign(nil nonce)"] = shares[0].Sign(nil, pkg)
	_, checks["Sign(nil pkg)"] = shares[0].Sign(n, nil)
	_, checks["Sign(zero share)"] = new(frost.KeyShare).Sign(&frost.Nonce{}, pkg)
	_, _, checks["Commit(zero share)"] = new(frost.KeyShare).Commit(seeded(1))
	_, checks["Aggregate(zero share)"] = pkg.Aggregate([]frost.SignatureShare{{}})
	checks["VerifyShare(zero)"] = pkg.VerifyShare(frost.SignatureShare{})
	_, checks["Aggregate(nil pkg)"] = (*frost.SigningPackage)(nil).Aggregate(nil)
	_, checks["Combine(nil)"] = frost.Combine([]*frost.KeyShare{nil})
	_, checks["Commitment{}.MarshalBinary"] = frost.Commitment{}.MarshalBinary()
	_, checks["SignatureShare{}.MarshalBinary"] = frost.SignatureShare{}.MarshalBinary()
	checks["PublicKey{}.Verify"] = frost.PublicKey{}.Verify(nil, make([]byte, 64))
	checks["VerifyDealing(nil)"] = frost.VerifyDealing(frost.DKGConfig{Suite: frost.BIP340, Threshold: 1, Signers: 1, ID: 1}, nil)
	checks["VerifyDealtShare(nil)"] = frost.VerifyDealtShare(nil, nil)
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestConcurrentUse: of several goroutines racing to Sign with one nonce,
// exactly one succeeds; shared group keys and packages are read
// concurrently (run with -race).
func TestConcurrentUse(t *testing.T) {
	for _, s := range suites {
		gk, shares, _ := frost.Deal(s, seeded(8), 2, 3)
		n1, c1, _ := shares[0].Commit(seeded(9))
		n2, c2, _ := shares[1].Commit(seeded(10))
		pkg, err := frost.NewSigningPackage(gk, []byte("concurrent"), []frost.Commitment{c1, c2})
		if err != nil {
			t.Fatal(err)
		}
		const workers = 8
		results := make(chan error, workers)
		zs := make(chan frost.SignatureShare, workers)
		for i := 0; i < workers; i++ {
			go func() {
				z, err := shares[0].Sign(n1, pkg)
				if err == nil {
					zs <- z
				}
				results <- err
			}()
		}
		ok := 0
		for i := 0; i < workers; i++ {
			if err := <-results; err == nil {
				ok++
			} else if !errors.Is(err, frost.ErrNonceUsed) {
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("%v: %d concurrent Sign calls succeeded with one nonce, want 1", s, ok)
		}
		z1 := <-zs
		z2, err := shares[1].Sign(n2, pkg)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, workers)
		for i := 0; i < workers; i++ {
			go func() {
				if err := pkg.VerifyShare(z1); err != nil {
					done <- err
					return
				}
				_, err := pkg.Aggregate([]frost.SignatureShare{z1, z2})
				done <- err
			}()
		}
		for i := 0; i < workers; i++ {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	}
}
