package chainkey_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/thebigfile/bigfile/chainkey"
	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
)

// keys returns n ThresholdKeys for a threshold-of-n key from the seeded dealer.
func keys(t testing.TB, threshold, n int) []*chainkey.ThresholdKey {
	t.Helper()
	coeffs, shares := chainkeytest.Deal(1, threshold, n)
	out := make([]*chainkey.ThresholdKey, n)
	for i := range shares {
		k, err := chainkey.NewThresholdKey(coeffs, &shares[i])
		if err != nil {
			t.Fatal(err)
		}
		out[i] = k
	}
	return out
}

// thresholdSign has the given holders sign msg and combines with keys[0].
func thresholdSign(t testing.TB, ks []*chainkey.ThresholdKey, holders []int, msg []byte) bls.Signature {
	t.Helper()
	var shares [][]byte
	for _, i := range holders {
		s, err := ks[i].SignShare(msg)
		if err != nil {
			t.Fatal(err)
		}
		shares = append(shares, s)
	}
	sig, err := ks[0].Combine(msg, shares)
	if err != nil {
		t.Fatal(err)
	}
	s, err := bls.ParseSignature(sig)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestThresholdKeyBytes(t *testing.T) {
	ks := keys(t, 3, 5)
	msg := []byte("state root at height 9")
	var shares [][]byte
	for _, k := range ks {
		s, err := k.SignShare(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := ks[0].VerifyShare(msg, s); err != nil {
			t.Fatalf("VerifyShare: %v", err)
		}
		shares = append(shares, s)
	}
	sig, err := ks[4].Combine(msg, shares[2:])
	if err != nil {
		t.Fatal(err)
	}
	if err := ks[1].Verify(msg, sig); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	sig2, _ := ks[3].Combine(msg, shares[:3])
	if !bytes.Equal(sig, sig2) {
		t.Fatal("different subsets combined to different signatures")
	}
	if err := ks[1].Verify([]byte("other"), sig); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("Verify(other msg) = %v", err)
	}

	// Bad shares are dropped and reported; combining still succeeds while
	// a threshold of good ones remains.
	garbage := []byte{1, 2, 3}
	wrongMsg, _ := ks[1].SignShare([]byte("other"))
	mixed := [][]byte{garbage, shares[0], wrongMsg, shares[2], shares[2], shares[4]}
	sig3, err := ks[0].Combine(msg, mixed)
	if err != nil || !bytes.Equal(sig3, sig) {
		t.Fatalf("Combine(mixed) = %x, %v", sig3, err)
	}
	_, err = ks[0].Combine(msg, [][]byte{garbage, shares[0], wrongMsg, shares[4]})
	var se *chainkey.ShareError
	if !errors.As(err, &se) || !errors.Is(err, chainkey.ErrTooFewShares) || len(se.Bad) != 2 || se.Bad[0] != 0 || se.Bad[1] != 2 {
		t.Fatalf("Combine(too few good) = %v", err)
	}

	// A verification-only key verifies but cannot sign.
	coeffs, _ := chainkeytest.Deal(1, 3, 5)
	v, err := chainkey.NewThresholdKey(coeffs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.SignShare(msg); !errors.Is(err, chainkey.ErrNoShare) {
		t.Fatalf("SignShare without share = %v", err)
	}
	if err := v.Verify(msg, sig); err != nil {
		t.Fatal(err)
	}
	// A share that does not belong to the coefficients is refused.
	_, other := chainkeytest.Deal(2, 3, 5)
	if _, err := chainkey.NewThresholdKey(coeffs, &other[0]); err == nil {
		t.Fatal("foreign share accepted")
	}
}

func TestBeaconChain(t *testing.T) {
	ks := keys(t, 2, 4)
	pk := ks[0].PublicKey()
	gm, err := chainkey.GenesisMessage(pk)
	if err != nil {
		t.Fatal(err)
	}
	b := chainkey.Beacon{Height: 0, Signature: thresholdSign(t, ks, []int{0, 3}, gm)}
	if err := chainkey.VerifyGenesisBeacon(pk, b); err != nil {
		t.Fatalf("genesis: %v", err)
	}
	seen := map[[32]byte]bool{b.Randomness(): true}
	for h := uint64(1); h <= 5; h++ {
		// Different signer subsets each height: the beacon is unique anyway.
		next := chainkey.Beacon{Height: h, Signature: thresholdSign(t, ks, []int{int(h) % 4, (int(h) + 1) % 4}, b.Next())}
		again := thresholdSign(t, ks, []int{(int(h) + 2) % 4, (int(h) + 3) % 4}, b.Next())
		if again != next.Signature {
			t.Fatal("beacon depends on which shares were combined")
		}
		if err := chainkey.VerifyBeacon(pk, b, next); err != nil {
			t.Fatalf("height %d: %v", h, err)
		}
		if seen[next.Randomness()] {
			t.Fatal("randomness repeated")
		}
		seen[next.Randomness()] = true
		// Skipping or replaying a height is rejected.
		if err := chainkey.VerifyBeacon(pk, next, next); !errors.Is(err, chainkey.ErrBeaconHeight) {
			t.Fatalf("replay: %v", err)
		}
		bad := chainkey.Beacon{Height: h, Signature: b.Signature}
		if err := chainkey.VerifyBeacon(pk, b, bad); err == nil {
			t.Fatal("wrong signature accepted")
		}
		enc, _ := next.MarshalBinary()
		var dec chainkey.Beacon
		if err := dec.UnmarshalBinary(enc); err != nil || dec != next {
			t.Fatalf("beacon round trip: %v", err)
		}
		b = next
	}
}

func TestTape(t *testing.T) {
	ks := keys(t, 2, 4)
	tape := chainkey.Tape{Height: 7, Signature: thresholdSign(t, ks, []int{1, 2}, chainkey.TapeMessage(7))}
	if err := chainkey.VerifyTape(ks[3].PublicKey(), tape); err != nil {
		t.Fatal(err)
	}
	if err := chainkey.VerifyTape(ks[3].PublicKey(), chainkey.Tape{Height: 8, Signature: tape.Signature}); err == nil {
		t.Fatal("tape of another height verified")
	}
	cubeA, cubeB := []byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, []byte{0, 0, 0, 0, 0, 0, 0, 2, 1, 1}
	a0 := tape.Randomness(cubeA, 0)
	if a0 != tape.Randomness(cubeA, 0) {
		t.Fatal("tape is not deterministic")
	}
	outs := map[[32]byte]bool{a0: true}
	for _, v := range [][32]byte{tape.Randomness(cubeA, 1), tape.Randomness(cubeB, 0), tape.Randomness(nil, 0)} {
		if outs[v] {
			t.Fatal("streams for different cubes or calls coincide")
		}
		outs[v] = true
	}
	// Length-prefixing: cube "ab" call c differs from cube "a" with the
	// bytes shifted into the counter.
	if tape.Randomness([]byte("ab"), 0) == tape.Randomness([]byte("a"), 0x6200000000000000) {
		t.Fatal("cube and call are not separated")
	}
	// The reader's stream starts with Randomness and continues.
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(tape.Reader(cubeA, 0), buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf[:32], a0[:]) || bytes.Equal(buf[32:64], buf[:32]) {
		t.Fatal("reader stream inconsistent")
	}
	// Split reads give the same stream.
	r := tape.Reader(cubeA, 0)
	part := make([]byte, 1000)
	io.ReadFull(r, part[:13])
	io.ReadFull(r, part[13:])
	if !bytes.Equal(part, buf) {
		t.Fatal("split reads differ")
	}
}

func tapeFor(t testing.TB, ks []*chainkey.ThresholdKey) chainkey.Tape {
	return chainkey.Tape{Height: 1, Signature: thresholdSign(t, ks, []int{0, 1}, chainkey.TapeMessage(1))}
}

// ThresholdKey is documented as safe for concurrent use (its share-key
// cache is shared); run under -race to check.
func TestThresholdKeyConcurrent(t *testing.T) {
	ks := keys(t, 3, 6)
	msg := []byte("concurrent")
	var shares [][]byte
	for _, k := range ks {
		s, _ := k.SignShare(msg)
		shares = append(shares, s)
	}
	errs := make(chan error, 6)
	for i := range 6 {
		go func() {
			if err := ks[0].VerifyShare(msg, shares[i]); err != nil {
				errs <- err
				return
			}
			_, err := ks[0].Combine(msg, [][]byte{shares[i], shares[(i+1)%6], shares[(i+2)%6]})
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
