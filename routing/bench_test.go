package routing_test

import (
	"encoding/binary"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

// benchIngress returns n distinct ingress messages to 100 cubes, with
// 64-byte arguments, all valid at t0.
func benchIngress(n int) []bigfile.Ingress {
	in := make([]bigfile.Ingress, n)
	for i := range in {
		arg := make([]byte, 64)
		binary.BigEndian.PutUint64(arg, uint64(i))
		in[i] = bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(i % 100).Principal(), Method: "put",
			Arg: arg, Nonce: binary.BigEndian.AppendUint64(nil, uint64(i)), Expiry: t0.Add(120e9)}
	}
	return in
}

func benchCubes() []bigfile.CubeID {
	ids := make([]bigfile.CubeID, 100)
	for i := range ids {
		ids[i] = bigfile.CubeID(i)
	}
	return ids
}

// BenchmarkInduct10kIngress inducts a batch of 10,000 ingress messages into
// a fresh router (target: at most 20 ms). The baseline sub-benchmark only
// computes the 10,000 request ids with bigfile.Ingress.ID, the least work
// any induction must do.
func BenchmarkInduct10kIngress(b *testing.B) {
	in := benchIngress(10_000)
	keys := routingtest.NewKeys()
	b.Run("baseline-request-ids", func(b *testing.B) {
		for b.Loop() {
			for i := range in {
				_ = in[i].ID()
			}
		}
	})
	b.Run("induct", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			n := newNode(b, keys, subnetA, benchCubes(), nil)
			b.StartTimer()
			rep, err := n.r.Induct(bigfile.Batch{Height: 1, Time: t0, Ingress: in})
			if err != nil || rep.Inducted != len(in) {
				b.Fatal(err, rep)
			}
		}
	})
}

// sliceSource returns a router whose stream to B holds n requests with
// 100-byte arguments.
func sliceSource(b *testing.B, keys *routingtest.Keys, n int, tweak func(*routing.Config)) *routing.Router {
	src := newNode(b, keys, subnetA, benchCubes(), func(c *routing.Config) {
		c.QueueCapacity, c.MaxSliceMessages = n, n
		if tweak != nil {
			tweak(c)
		}
	})
	mustInduct(b, src.r, 1, t0)
	for i := 0; i < n; i++ {
		req := bigfile.Request{Sender: bigfile.CubeID(i % 100), Receiver: bigfile.CubeID(100 + i%100).Principal(),
			Method: "put", Arg: make([]byte, 100), Callback: bigfile.CallbackID(i)}
		if err := src.r.SubmitRequest(req); err != nil {
			b.Fatal(err)
		}
	}
	return src.r
}

type nullCertifier struct{}

func (nullCertifier) Certify(bigfile.Hash) ([]byte, error) { return nil, nil }

// BenchmarkSlice1000 cuts, certifies, decodes and verifies a 1,000-message
// slice with the Ed25519 stand-in certifier (target: at most 10 ms for
// certify plus verify). The sub-benchmarks split the work: encoding and
// digest without signing, signing alone, decoding alone, verifying alone.
// examples/xnet has the same with threshold BLS.
func BenchmarkSlice1000(b *testing.B) {
	const n = 1000
	keys := routingtest.NewKeys()
	src := sliceSource(b, keys, n, nil)
	plain := sliceSource(b, keys, n, func(c *routing.Config) { c.Certifier = nullCertifier{} })
	data, err := src.Slice(subnetB, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	s, err := routing.DecodeSlice(data)
	if err != nil || len(s.Messages) != n {
		b.Fatal(err)
	}
	digest := s.Digest()
	cert := keys.Certifier(subnetA)
	b.Run("certify+verify", func(b *testing.B) {
		for b.Loop() {
			data, err := src.Slice(subnetB, 0)
			if err != nil {
				b.Fatal(err)
			}
			s, err := routing.DecodeSlice(data)
			if err != nil {
				b.Fatal(err)
			}
			if err := keys.Verify(s.From, s.Digest(), s.Certification); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode+digest", func(b *testing.B) {
		for b.Loop() {
			if _, err := plain.Slice(subnetB, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			if _, err := cert.Certify(digest); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode+digest", func(b *testing.B) {
		for b.Loop() {
			if _, err := routing.DecodeSlice(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if err := keys.Verify(subnetA, digest, s.Certification); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInductSlice1000 inducts a verified 1,000-request slice into a
// fresh router: decode, verify, and queue every request.
func BenchmarkInductSlice1000(b *testing.B) {
	const n = 1000
	keys := routingtest.NewKeys()
	data, err := sliceSource(b, keys, n, nil).Slice(subnetB, 0)
	if err != nil {
		b.Fatal(err)
	}
	var ids []bigfile.CubeID
	for i := 100; i < 200; i++ {
		ids = append(ids, bigfile.CubeID(i))
	}
	for b.Loop() {
		b.StopTimer()
		dst := newNode(b, keys, subnetB, ids, func(c *routing.Config) { c.MaxStreamMessages = 2 * n })
		b.StartTimer()
		rep, err := dst.r.Induct(bigfile.Batch{Height: 1, Time: t0, XNet: []bigfile.XNetSlice{{From: subnetA, Slice: data}}})
		if err != nil || rep.Slices[0].Err != nil || rep.Slices[0].Inducted != n {
			b.Fatal(err, rep.Slices)
		}
	}
}
