package frost_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/thebigfile/bigfile/chainkey/frost"
)

// benchThreshold signs with t = 5 signers of an n = 13 group (under a
// derived key, as cubes do) and reports the whole signature's latency
// with every party's work done sequentially on one core: round 1 (five
// commitments), the coordinator's package, round 2 (five shares) and
// aggregation (which verifies the signature). The phase split is reported
// as r1-ns/op, pkg-ns/op, r2-ns/op and agg-ns/op.
func benchThreshold(b *testing.B, s frost.Suite) {
	gk, shares, err := frost.Deal(s, rand.Reader, 5, 13)
	if err != nil {
		b.Fatal(err)
	}
	key, err := gk.Derive([][]byte{[]byte("bench-cube")})
	if err != nil {
		b.Fatal(err)
	}
	signers := []*frost.KeyShare{shares[0], shares[3], shares[6], shares[9], shares[12]}
	msg := make([]byte, 32)
	nonces := make([]*frost.Nonce, len(signers))
	commitments := make([]frost.Commitment, len(signers))
	zs := make([]frost.SignatureShare, len(signers))
	var r1, pk, r2, agg time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		msg[0] = byte(i)
		t0 := time.Now()
		for j, ks := range signers {
			if nonces[j], commitments[j], err = ks.Commit(rand.Reader); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		pkg, err := frost.NewSigningPackage(key, msg, commitments)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		for j, ks := range signers {
			if zs[j], err = ks.Sign(nonces[j], pkg); err != nil {
				b.Fatal(err)
			}
		}
		t3 := time.Now()
		if _, err := pkg.Aggregate(zs); err != nil {
			b.Fatal(err)
		}
		t4 := time.Now()
		r1 += t1.Sub(t0)
		pk += t2.Sub(t1)
		r2 += t3.Sub(t2)
		agg += t4.Sub(t3)
	}
	n := float64(b.N)
	b.ReportMetric(float64(r1.Nanoseconds())/n, "r1-ns/op")
	b.ReportMetric(float64(pk.Nanoseconds())/n, "pkg-ns/op")
	b.ReportMetric(float64(r2.Nanoseconds())/n, "r2-ns/op")
	b.ReportMetric(float64(agg.Nanoseconds())/n, "agg-ns/op")
}

// BenchmarkBIP340 compares a 5-of-13 FROST BIP340 signature with btcec's
// single-signer schnorr.Sign in the same run.
func BenchmarkBIP340(b *testing.B) {
	b.Run("frost-5of13", func(b *testing.B) { benchThreshold(b, frost.BIP340) })
	b.Run("btcec-schnorr.Sign", func(b *testing.B) {
		priv, err := btcec.NewPrivateKey()
		if err != nil {
			b.Fatal(err)
		}
		msg := make([]byte, 32)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			msg[0] = byte(i)
			if _, err := schnorr.Sign(priv, msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEd25519 compares a 5-of-13 FROST Ed25519 signature with
// crypto/ed25519.Sign in the same run.
func BenchmarkEd25519(b *testing.B) {
	b.Run("frost-5of13", func(b *testing.B) { benchThreshold(b, frost.Ed25519) })
	b.Run("crypto-ed25519.Sign", func(b *testing.B) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		msg := make([]byte, 32)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			msg[0] = byte(i)
			_ = ed25519.Sign(priv, msg)
		}
	})
}

// BenchmarkVerify compares the package's verifiers with the oracles.
func BenchmarkVerify(b *testing.B) {
	for _, s := range suites {
		gk, shares, _ := frost.Deal(s, rand.Reader, 1, 1)
		msg := make([]byte, 32)
		sig, err := signWith(b, seeded(1), gk, shares, msg)
		if err != nil {
			b.Fatal(err)
		}
		pk := gk.PublicKey()
		b.Run(s.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := pk.Verify(msg, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
