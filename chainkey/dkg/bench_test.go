package dkg_test

import (
	"fmt"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
	"github.com/thebigfile/bigfile/chainkey/dkg"
)

// BenchmarkDKG measures a whole fresh DKG on one machine: every node
// deals, every dealing is publicly verified once, the transcript is
// combined, and every receiver decrypts and checks all its shares. In a
// deployment the work is spread over n machines; the per-node cost is
// about 1/n of the receive phase plus one dealing and all public checks.
func BenchmarkDKG(b *testing.B) {
	for _, p := range []struct{ n, t int }{{13, 5}, {28, 10}, {28, 19}, {40, 14}, {40, 27}} {
		b.Run(fmt.Sprintf("n=%d,t=%d", p.n, p.t), func(b *testing.B) {
			nodes := chainkeytest.NewNodes(1, p.n)
			cfg := &dkg.Config{ID: []byte("bench"), Threshold: p.t,
				Dealers: chainkeytest.SigningKeys(nodes), Receivers: chainkeytest.EncryptionKeys(nodes)}
			r := chainkeytest.Rand(1, "bench")
			for b.Loop() {
				dealings := make([]*dkg.Dealing, p.n)
				for i, n := range nodes {
					d, err := dkg.Deal(r, cfg, n.Index, n.Signing)
					if err != nil {
						b.Fatal(err)
					}
					dealings[i] = d
				}
				for _, d := range dealings {
					if err := cfg.VerifyDealing(d); err != nil {
						b.Fatal(err)
					}
				}
				tr, err := cfg.Combine(dealings)
				if err != nil {
					b.Fatal(err)
				}
				for _, n := range nodes {
					if _, err := cfg.ReceiveShare(tr, dealings, n.Index, n.Encryption); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkDKGPhases splits n=40, t=27 into per-operation costs.
func BenchmarkDKGPhases(b *testing.B) {
	const n, t = 40, 27
	nodes := chainkeytest.NewNodes(2, n)
	cfg := &dkg.Config{ID: []byte("bench"), Threshold: t,
		Dealers: chainkeytest.SigningKeys(nodes), Receivers: chainkeytest.EncryptionKeys(nodes)}
	r := chainkeytest.Rand(2, "bench")
	dealings := make([]*dkg.Dealing, n)
	for i, nd := range nodes {
		dealings[i], _ = dkg.Deal(r, cfg, nd.Index, nd.Signing)
	}
	enc, _ := dealings[0].MarshalBinary()
	b.Run("deal", func(b *testing.B) {
		for b.Loop() {
			if _, err := dkg.Deal(r, cfg, 0, nodes[0].Signing); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode+verify", func(b *testing.B) {
		for b.Loop() {
			var d dkg.Dealing
			if err := d.UnmarshalBinary(enc); err != nil {
				b.Fatal(err)
			}
			if err := cfg.VerifyDealing(&d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decrypt-share", func(b *testing.B) {
		for b.Loop() {
			if _, err := cfg.DecryptShare(dealings[5], 3, nodes[3].Encryption); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("combine", func(b *testing.B) {
		for b.Loop() {
			if _, err := cfg.Combine(dealings); err != nil {
				b.Fatal(err)
			}
		}
	})
	_ = bls.MaxThreshold
}
