package frost_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/frost"
)

// runDKG runs round one for n participants and returns their states, the
// broadcast dealings and shares[to][from] (from, to 0-based).
func runDKG(t testing.TB, s frost.Suite, th, n int, context []byte, seed uint64) ([]*frost.DKG, []*frost.Dealing, [][]*frost.DealtShare) {
	t.Helper()
	rng := seeded(seed)
	dkgs := make([]*frost.DKG, n)
	dealings := make([]*frost.Dealing, n)
	for i := range dkgs {
		d, err := frost.NewDKG(frost.DKGConfig{Suite: s, Threshold: th, Signers: n, ID: frost.Identifier(i + 1), Context: context}, rng)
		if err != nil {
			t.Fatal(err)
		}
		dkgs[i], dealings[i] = d, d.Dealing()
	}
	shares := make([][]*frost.DealtShare, n)
	for to := range shares {
		shares[to] = make([]*frost.DealtShare, n)
		for from, d := range dkgs {
			sh, err := d.Share(frost.Identifier(to + 1))
			if err != nil {
				t.Fatal(err)
			}
			shares[to][from] = sh
		}
	}
	return dkgs, dealings, shares
}

// TestDKG: all participants of a PedPoP run get the same group key, and
// any threshold of them signs under it (and under a derived key).
func TestDKG(t *testing.T) {
	for _, s := range suites {
		const th, n = 3, 5
		dkgs, dealings, shares := runDKG(t, s, th, n, []byte("subnet-1/epoch-7"), 21)
		keyShares := make([]*frost.KeyShare, n)
		for i, d := range dkgs {
			ks, err := d.Finish(dealings, shares[i])
			if err != nil {
				t.Fatalf("%v: participant %d: %v", s, i+1, err)
			}
			d.Zero()
			keyShares[i] = ks
		}
		gk := keyShares[0].GroupKey()
		for _, ks := range keyShares[1:] {
			if !ks.GroupKey().Equal(gk) {
				t.Fatalf("%v: participants disagree on the group key", s)
			}
		}
		rng := seeded(22)
		derived, _ := gk.Derive([][]byte{[]byte("cube")})
		for _, key := range []*frost.GroupKey{gk, derived} {
			msg := bytes.Repeat([]byte{0x42}, 32)
			sig, err := signWith(t, rng, key, []*frost.KeyShare{keyShares[4], keyShares[0], keyShares[2]}, msg)
			if err != nil {
				t.Fatal(err)
			}
			if !oracleVerify(t, s, key.PublicKey(), msg, sig) {
				t.Fatalf("%v: oracle rejects DKG signature", s)
			}
		}
		// The key shares round-trip and validate against the commitment.
		for _, ks := range keyShares {
			b, _ := ks.MarshalBinary()
			if _, err := frost.ParseKeyShare(b); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDKGBlamesBadProof: a dealing whose proof of knowledge is forged is
// blamed by every participant; dropping it, the rest complete.
func TestDKGBlamesBadProof(t *testing.T) {
	for _, s := range suites {
		const th, n = 2, 4
		dkgs, dealings, shares := runDKG(t, s, th, n, []byte("ctx"), 31)
		// Dealer 2 replays its dealing with the proof of dealer 3.
		b2, _ := dealings[1].MarshalBinary()
		b3, _ := dealings[2].MarshalBinary()
		// Layout: suite, dealer, threshold (5 bytes), th+1 points, μ (32).
		ne := (len(b2) - 5 - 32) / (th + 1)
		proofLen := ne + 32
		forged := append(bytes.Clone(b2[:len(b2)-proofLen]), b3[len(b3)-proofLen:]...)
		bad, err := frost.ParseDealing(forged)
		if err != nil {
			t.Fatal(err)
		}
		dealings[1] = bad
		for i, d := range dkgs {
			_, err := d.Finish(dealings, shares[i])
			var be *frost.BlameError
			if !errors.As(err, &be) || !errors.Is(err, frost.ErrInvalidDealing) || len(be.Culprits) != 1 || be.Culprits[0] != 2 {
				t.Fatalf("%v: participant %d: err = %v, want blame of dealer 2", s, i+1, err)
			}
		}
		// Agreement to drop dealer 2.
		agreed := []*frost.Dealing{dealings[0], dealings[2], dealings[3]}
		var gk *frost.GroupKey
		for i, d := range dkgs {
			mine := []*frost.DealtShare{shares[i][0], shares[i][2], shares[i][3]}
			ks, err := d.Finish(agreed, mine)
			if err != nil {
				t.Fatal(err)
			}
			if gk == nil {
				gk = ks.GroupKey()
			} else if !gk.Equal(ks.GroupKey()) {
				t.Fatal("participants disagree after dropping the culprit")
			}
		}
	}
}

// TestDKGBlamesBadShare: a dealer that sends one participant a share
// inconsistent with its commitment is blamed by that participant, and the
// share itself is evidence anyone can check.
func TestDKGBlamesBadShare(t *testing.T) {
	for _, s := range suites {
		dkgs, dealings, shares := runDKG(t, s, 3, 4, nil, 41)
		// Dealer 4 sends participant 1 the share meant for participant 2.
		wrong, _ := dkgs[3].Share(2)
		b, _ := wrong.MarshalBinary()
		b[3], b[4] = 0, 1 // readdress to participant 1
		bad, err := frost.ParseDealtShare(b)
		if err != nil {
			t.Fatal(err)
		}
		shares[0][3] = bad
		_, err = dkgs[0].Finish(dealings, shares[0])
		var be *frost.BlameError
		if !errors.As(err, &be) || len(be.Culprits) != 1 || be.Culprits[0] != 4 {
			t.Fatalf("%v: err = %v, want blame of dealer 4", s, err)
		}
		if err := frost.VerifyDealtShare(dealings[3], bad); !errors.Is(err, frost.ErrInvalidDealing) {
			t.Fatalf("VerifyDealtShare(bad) = %v", err)
		}
		if err := frost.VerifyDealtShare(dealings[3], shares[1][3]); err != nil {
			t.Fatalf("VerifyDealtShare(good) = %v", err)
		}
		// Others are unaffected.
		if _, err := dkgs[1].Finish(dealings, shares[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDKGContextBinding: a dealing made for one context fails the proof
// check in another, so dealings cannot be replayed across runs.
func TestDKGContextBinding(t *testing.T) {
	for _, s := range suites {
		_, dealings, _ := runDKG(t, s, 2, 3, []byte("run A"), 51)
		cfg := frost.DKGConfig{Suite: s, Threshold: 2, Signers: 3, ID: 1, Context: []byte("run A")}
		if err := frost.VerifyDealing(cfg, dealings[0]); err != nil {
			t.Fatal(err)
		}
		cfg.Context = []byte("run B")
		if err := frost.VerifyDealing(cfg, dealings[0]); !errors.Is(err, frost.ErrInvalidDealing) {
			t.Fatalf("replayed dealing: %v, want ErrInvalidDealing", err)
		}
	}
}

func TestDKGConfigValidate(t *testing.T) {
	bad := []frost.DKGConfig{
		{Suite: 0, Threshold: 1, Signers: 1, ID: 1},
		{Suite: frost.BIP340, Threshold: 0, Signers: 1, ID: 1},
		{Suite: frost.BIP340, Threshold: 2, Signers: 1, ID: 1},
		{Suite: frost.BIP340, Threshold: 1, Signers: 2, ID: 0},
		{Suite: frost.BIP340, Threshold: 1, Signers: 2, ID: 3},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("Validate(%+v) = nil", c)
		}
		if _, err := frost.NewDKG(c, seeded(1)); err == nil {
			t.Errorf("NewDKG(%+v) succeeded", c)
		}
	}
}
