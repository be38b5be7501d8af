package dkg

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// A malicious dealer signs dealings whose encrypted shares are bad; this
// internal test re-signs tampered dealings, which only the dealer can do.

type testNode struct {
	sign bls.SecretKey
	enc  bls.DHSecretKey
}

func setup(t *testing.T, n, threshold int) (*Config, []testNode, *rand.ChaCha8) {
	t.Helper()
	r := rand.NewChaCha8([32]byte{9})
	cfg := &Config{ID: []byte("malicious-dealer-test"), Threshold: threshold}
	nodes := make([]testNode, n)
	for i := range nodes {
		sk, _ := bls.GenerateKey(r)
		ek, _ := bls.GenerateDHKey(r)
		nodes[i] = testNode{sk, ek}
		cfg.Dealers = append(cfg.Dealers, sk.PublicKey())
		cfg.Receivers = append(cfg.Receivers, ek.PublicKey())
	}
	return cfg, nodes, r
}

func resign(t *testing.T, c *Config, d *Dealing, sk bls.SecretKey) {
	t.Helper()
	body, err := d.signedBytes()
	if err != nil {
		t.Fatal(err)
	}
	d.Signature = sk.Sign(signingMessage(c, body))
}

// encryptFor re-encrypts a chosen 32-byte plaintext for receiver j, as a
// dealer who knows the ephemeral secret could.
func encryptFor(t *testing.T, c *Config, d *Dealing, eph bls.DHSecretKey, j uint32, pt []byte) []byte {
	t.Helper()
	shared, err := eph.SharedSecret(c.Receivers[j])
	if err != nil {
		t.Fatal(err)
	}
	aead, err := shareCipher(c, shared, d.Dealer, j, d.Ephemeral)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := commitmentDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	return aead.Seal(nil, zeroNonce[:], pt, digest)
}

func TestMaliciousDealerDetectedAndAttributed(t *testing.T) {
	cfg, nodes, r := setup(t, 5, 3)
	var dealings []*Dealing
	for i, n := range nodes {
		d, err := Deal(r, cfg, uint32(i), n.sign)
		if err != nil {
			t.Fatal(err)
		}
		dealings = append(dealings, d)
	}
	// Dealer 2 cheats receiver 4 with garbage and receiver 1 with a
	// well-encrypted share that does not match its commitments. To encrypt
	// chosen plaintexts it needs its ephemeral secret: rebuild the dealing
	// around a known ephemeral key.
	bad := dealings[2]
	eph, _ := bls.GenerateDHKey(r)
	bad.Ephemeral = eph.PublicKey()
	for j := range bad.Ciphertexts {
		// Honest shares are unrecoverable here; a cheating dealer sends
		// random values to everyone except receiver 0, which gets garbage
		// bytes that do not even authenticate.
		var pt [32]byte
		r.Read(pt[:])
		pt[0] &= 0x3f
		bad.Ciphertexts[j] = encryptFor(t, cfg, bad, eph, uint32(j), pt[:])
	}
	bad.Ciphertexts[0][5] ^= 0xff
	resign(t, cfg, bad, nodes[2].sign)

	// The dealing passes public verification: only receivers can tell.
	if err := cfg.VerifyDealing(bad); err != nil {
		t.Fatalf("VerifyDealing(signed bad dealing) = %v", err)
	}
	for j := range nodes {
		_, err := cfg.DecryptShare(bad, uint32(j), nodes[j].enc)
		if !errors.Is(err, ErrBadShare) {
			t.Fatalf("receiver %d: DecryptShare = %v, want ErrBadShare", j, err)
		}
		cp, err := cfg.Complain(r, bad, uint32(j), nodes[j].enc)
		if err != nil {
			t.Fatalf("receiver %d: Complain = %v", j, err)
		}
		// The complaint is publicly checkable and survives encoding.
		b, _ := cp.MarshalBinary()
		var cp2 Complaint
		if err := cp2.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if err := cfg.VerifyComplaint(bad, &cp2); err != nil {
			t.Fatalf("receiver %d: VerifyComplaint = %v, want nil (dealer at fault)", j, err)
		}
		// The same complaint does not implicate an honest dealer.
		if err := cfg.VerifyComplaint(dealings[1], &cp2); !errors.Is(err, ErrInvalidComplaint) {
			t.Fatalf("complaint against honest dealer: %v", err)
		}
	}
	// Honest dealers draw no justified complaints.
	for i, d := range dealings {
		if i == 2 {
			continue
		}
		for j := range nodes {
			if _, err := cfg.Complain(r, d, uint32(j), nodes[j].enc); !errors.Is(err, ErrShareValid) {
				t.Fatalf("dealer %d receiver %d: %v", i, j, err)
			}
		}
	}
	// Excluding dealer 2, the rest form a working key.
	qual := []*Dealing{dealings[0], dealings[1], dealings[3], dealings[4]}
	tr, err := cfg.Combine(qual)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("m")
	var sigs []bls.SignatureShare
	for j, n := range nodes {
		s, err := cfg.ReceiveShare(tr, qual, uint32(j), n.enc)
		if err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, s.Sign(msg))
	}
	sig, err := bls.Combine(3, sigs[2:])
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.PublicKey().Verify(msg, sig); err != nil {
		t.Fatal(err)
	}
	// Including the bad dealing, receivers cannot obtain their share.
	trBad, _ := cfg.Combine(dealings)
	if _, err := cfg.ReceiveShare(trBad, dealings, 1, nodes[1].enc); !errors.Is(err, ErrBadShare) {
		t.Fatalf("ReceiveShare with bad dealing: %v", err)
	}
}

// A share that is validly encrypted but for the wrong polynomial value is
// caught by the commitment check, not by the AEAD.
func TestInconsistentShareComplaint(t *testing.T) {
	cfg, nodes, r := setup(t, 3, 2)
	d, err := Deal(r, cfg, 0, nodes[0].sign)
	if err != nil {
		t.Fatal(err)
	}
	eph, _ := bls.GenerateDHKey(r)
	d.Ephemeral = eph.PublicKey()
	wrong, _ := bls.GenerateKey(r)
	pt, _ := wrong.MarshalBinary()
	for j := range d.Ciphertexts {
		d.Ciphertexts[j] = encryptFor(t, cfg, d, eph, uint32(j), pt)
	}
	resign(t, cfg, d, nodes[0].sign)
	_, err = cfg.DecryptShare(d, 1, nodes[1].enc)
	if !errors.Is(err, ErrBadShare) {
		t.Fatalf("DecryptShare = %v", err)
	}
	cp, err := cfg.Complain(r, d, 1, nodes[1].enc)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.VerifyComplaint(d, cp); err != nil {
		t.Fatalf("VerifyComplaint = %v, want nil", err)
	}
}
