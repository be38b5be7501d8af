package dkg_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
	"github.com/thebigfile/bigfile/chainkey/dkg"
)

// signAll has every share sign msg.
func signAll(shares []bls.SecretKeyShare, msg []byte) []bls.SignatureShare {
	out := make([]bls.SignatureShare, len(shares))
	for i, s := range shares {
		out[i] = s.Sign(msg)
	}
	return out
}

func TestDKGHonest(t *testing.T) {
	nodes := chainkeytest.NewNodes(1, 4)
	run, err := chainkeytest.RunDKG(1, nodes, 2)
	if err != nil {
		t.Fatal(err)
	}
	tr := run.Transcript
	if tr.Threshold() != 2 || len(tr.Dealers) != 4 {
		t.Fatalf("transcript: threshold %d, %d dealers", tr.Threshold(), len(tr.Dealers))
	}
	// The group key is the sum of the dealers' constant commitments.
	var c0 []bls.PublicKey
	for _, d := range run.Dealings {
		c0 = append(c0, d.Commitments.PublicKey())
	}
	sum, _ := bls.AggregatePublicKeys(c0)
	if sum != tr.PublicKey() {
		t.Fatal("group key is not the sum of constant terms")
	}
	msg := []byte("random beacon genesis")
	sigs := signAll(run.Shares, msg)
	for i, s := range sigs {
		if err := tr.ShareKey(uint32(i)).Verify(msg, s); err != nil {
			t.Fatalf("share %d: %v", i, err)
		}
	}
	a, err := bls.Combine(2, sigs[:2])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := bls.Combine(2, sigs[2:])
	if a != b {
		t.Fatal("different share subsets give different signatures")
	}
	if err := tr.PublicKey().Verify(msg, a); err != nil {
		t.Fatalf("group signature: %v", err)
	}
	one, _ := bls.Combine(1, sigs[:1])
	if err := tr.PublicKey().Verify(msg, one); err == nil {
		t.Fatal("a single share (t−1) produced a valid group signature")
	}
}

func TestDKGDealingRejected(t *testing.T) {
	nodes := chainkeytest.NewNodes(2, 4)
	run, err := chainkeytest.RunDKG(2, nodes, 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := run.Config
	good := run.Dealings[1]
	clone := func() *dkg.Dealing {
		b, err := good.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var d dkg.Dealing
		if err := d.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		return &d
	}
	other := run.Dealings[2]
	tests := map[string]func(d *dkg.Dealing){
		"ciphertext tampered":    func(d *dkg.Dealing) { d.Ciphertexts[0][3] ^= 1 },
		"commitments replaced":   func(d *dkg.Dealing) { d.Commitments = other.Commitments },
		"dealer index changed":   func(d *dkg.Dealing) { d.Dealer = 2 },
		"dealer out of range":    func(d *dkg.Dealing) { d.Dealer = 9 },
		"ciphertext missing":     func(d *dkg.Dealing) { d.Ciphertexts = d.Ciphertexts[:3] },
		"signature of other":     func(d *dkg.Dealing) { d.Signature = other.Signature },
		"ephemeral key replaced": func(d *dkg.Dealing) { d.Ephemeral = other.Ephemeral },
	}
	for name, mutate := range tests {
		d := clone()
		mutate(d)
		if err := cfg.VerifyDealing(d); !errors.Is(err, dkg.ErrInvalidDealing) {
			t.Errorf("%s: VerifyDealing = %v, want ErrInvalidDealing", name, err)
		}
	}
	if err := cfg.VerifyDealing(clone()); err != nil {
		t.Fatalf("unmodified clone: %v", err)
	}
	// The same dealing is invalid in another DKG instance.
	other2 := *cfg
	other2.ID = []byte("another instance")
	if err := other2.VerifyDealing(good); !errors.Is(err, dkg.ErrInvalidDealing) {
		t.Fatalf("replayed dealing: %v", err)
	}
	// Too few dealings, and duplicates.
	if _, err := cfg.Combine(run.Dealings[:2]); !errors.Is(err, dkg.ErrTooFewDealings) {
		t.Fatalf("2 of 3 dealings: %v", err)
	}
	if _, err := cfg.Combine([]*dkg.Dealing{good, good, other}); !errors.Is(err, dkg.ErrInvalidDealing) {
		t.Fatalf("duplicate dealer: %v", err)
	}
}

func TestFalseComplaints(t *testing.T) {
	nodes := chainkeytest.NewNodes(3, 4)
	run, err := chainkeytest.RunDKG(3, nodes, 2)
	if err != nil {
		t.Fatal(err)
	}
	cfg := run.Config
	d := run.Dealings[0]
	r := chainkeytest.Rand(3, "complaints")
	// An honest receiver refuses to complain about a good share.
	if _, err := cfg.Complain(r, d, 1, nodes[1].Encryption); !errors.Is(err, dkg.ErrShareValid) {
		t.Fatalf("Complain(good share) = %v", err)
	}
	// A dishonest receiver that publishes its genuine secret anyway does
	// not get the dealer excluded.
	shared, proof, err := nodes[1].Encryption.ProveSharedSecret(r, d.Ephemeral, []byte("wrong context"))
	if err != nil {
		t.Fatal(err)
	}
	cp := &dkg.Complaint{Dealer: 0, Receiver: 1, Secret: shared, Proof: proof}
	if err := cfg.VerifyComplaint(d, cp); !errors.Is(err, dkg.ErrInvalidComplaint) {
		t.Fatalf("complaint with wrong context: %v", err)
	}
	// A receiver claiming another receiver's secret fails the proof.
	cp.Receiver = 2
	if err := cfg.VerifyComplaint(d, cp); !errors.Is(err, dkg.ErrInvalidComplaint) {
		t.Fatalf("complaint for another receiver: %v", err)
	}
	// Complaint against the wrong dealing.
	cp.Dealer = 3
	if err := cfg.VerifyComplaint(d, cp); !errors.Is(err, dkg.ErrInvalidComplaint) {
		t.Fatalf("complaint dealer mismatch: %v", err)
	}
}

func TestReshare4to7(t *testing.T) {
	oldNodes := chainkeytest.NewNodes(4, 4)
	first, err := chainkeytest.RunDKG(4, oldNodes, 2)
	if err != nil {
		t.Fatal(err)
	}
	groupKey := first.Transcript.PublicKey()
	newNodes := chainkeytest.NewNodes(40, 7) // a different committee
	// Any t_old = 2 old holders suffice; use holders 3 and 1.
	old := []bls.SecretKeyShare{first.Shares[3], first.Shares[1]}
	second, err := chainkeytest.RunReshare(5, first.Transcript.Coefficients, old, oldNodes, newNodes, 3)
	if err != nil {
		t.Fatal(err)
	}
	if second.Transcript.PublicKey() != groupKey {
		t.Fatal("resharing changed the group key")
	}
	if second.Transcript.Threshold() != 3 {
		t.Fatalf("new threshold %d", second.Transcript.Threshold())
	}
	msg := []byte("catch-up package at height 500")
	sigs := signAll(second.Shares, msg)
	for _, sub := range [][]bls.SignatureShare{sigs[:3], sigs[4:], {sigs[6], sigs[0], sigs[2]}} {
		sig, err := bls.Combine(3, sub)
		if err != nil {
			t.Fatal(err)
		}
		if err := groupKey.Verify(msg, sig); err != nil {
			t.Fatalf("new committee's signature under the old key: %v", err)
		}
	}
	// Two new shares are not enough.
	sig, _ := bls.Combine(2, sigs[:2])
	if groupKey.Verify(msg, sig) == nil {
		t.Fatal("t−1 new shares verified")
	}

	// A resharing dealer must deal its own old share.
	cfg := second.Config
	fresh, err := dkg.Deal(chainkeytest.Rand(6, "x"), &dkg.Config{
		ID: cfg.ID, Threshold: 3, Dealers: cfg.Dealers, Receivers: cfg.Receivers,
	}, 0, oldNodes[0].Signing)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.VerifyDealing(fresh); !errors.Is(err, dkg.ErrInvalidDealing) {
		t.Fatalf("fresh dealing in a resharing: %v", err)
	}
	if _, err := dkg.Reshare(chainkeytest.Rand(6, "y"), cfg, bls.SecretKeyShare{Index: 0, Key: first.Shares[1].Key}, oldNodes[0].Signing); !errors.Is(err, dkg.ErrConfig) {
		t.Fatalf("resharing someone else's share: %v", err)
	}
}

func TestEncodings(t *testing.T) {
	nodes := chainkeytest.NewNodes(7, 3)
	run, err := chainkeytest.RunDKG(7, nodes, 2)
	if err != nil {
		t.Fatal(err)
	}
	db, err := run.Dealings[0].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var d dkg.Dealing
	if err := d.UnmarshalBinary(db); err != nil {
		t.Fatal(err)
	}
	db2, _ := d.MarshalBinary()
	if !bytes.Equal(db, db2) {
		t.Fatal("dealing does not round-trip")
	}
	if err := d.UnmarshalBinary(db[:len(db)-1]); !errors.Is(err, dkg.ErrEncoding) {
		t.Fatalf("truncated dealing: %v", err)
	}
	tb, _ := run.Transcript.MarshalBinary()
	var tr dkg.Transcript
	if err := tr.UnmarshalBinary(tb); err != nil || tr.PublicKey() != run.Transcript.PublicKey() {
		t.Fatalf("transcript round trip: %v", err)
	}
}
