package xnet_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/examples/xnet"
	"github.com/thebigfile/bigfile/routing"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

const (
	cubeA = bigfile.CubeID(1)   // on subnet 1: calls cube B
	cubeB = bigfile.CubeID(100) // on subnet 2: doubles a number
)

var t0 = bigfile.Time(1_700_000_000_000_000_000)

type world struct {
	s1, s2   *xnet.Subnet
	reg      *xnet.Registry
	r1, r2   *routing.Router
	net      *routingtest.Net
	callback map[bigfile.CallbackID]bigfile.MessageID
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{s1: xnet.NewSubnet(1, 4, 1), s2: xnet.NewSubnet(2, 4, 1), callback: map[bigfile.CallbackID]bigfile.MessageID{}}
	w.reg = xnet.NewRegistry(w.s1, w.s2)
	m, err := routing.NewMap([]routing.Assignment{
		{Range: bigfile.CubeRange{Start: 0, End: 99}, Subnet: w.s1.ID},
		{Range: bigfile.CubeRange{Start: 100, End: 199}, Subnet: w.s2.ID}})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(s *xnet.Subnet, id bigfile.CubeID) *routing.Router {
		cubes := routingtest.NewCubes()
		cubes.Add(id, routing.CubeInfo{Liquid: bigfile.CyclesFromUint64(1e12)})
		r, err := routing.New(routing.Config{Subnet: s.ID, Table: routing.NewTable(m), Cubes: cubes, Certifier: s, Verifier: w.reg,
			QueueCapacity: 2000, MaxStreamMessages: 2000, MaxSliceMessages: 2000})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	w.r1, w.r2 = mk(w.s1, cubeA), mk(w.s2, cubeB)
	w.net = routingtest.NewNet(w.r1, w.r2)
	w.net.Time = t0
	// Cube A: ingress "call" with an 8-byte number → a call to cube B; the
	// response completes the ingress.
	w.net.Handlers[cubeA.Principal()] = func(r *routing.Router, m routing.Message) {
		switch m.Kind {
		case routing.KindIngress:
			cb := bigfile.CallbackID(len(w.callback) + 1)
			w.callback[cb] = m.ID
			if err := r.SubmitRequest(bigfile.Request{Sender: cubeA, Receiver: cubeB.Principal(), Method: "double", Arg: m.Ingress.Arg, Callback: cb}); err != nil {
				t.Error(err)
			}
		case routing.KindResponse:
			res := routing.IngressResult{Reply: m.Response.Reply, RejectCode: m.Response.Reject, RejectMessage: m.Response.RejectMessage}
			if err := r.CompleteIngress(w.callback[m.Response.Callback], res); err != nil {
				t.Error(err)
			}
		}
	}
	// Cube B doubles.
	w.net.Handlers[cubeB.Principal()] = func(r *routing.Router, m routing.Message) {
		q := m.Request
		reply := binary.BigEndian.AppendUint64(nil, 2*binary.BigEndian.Uint64(q.Arg))
		if err := r.SubmitResponse(bigfile.Response{Originator: q.Sender, Respondent: q.Receiver, Callback: q.Callback, Reply: reply}); err != nil {
			t.Error(err)
		}
	}
	return w
}

func ingress(n uint64) bigfile.Ingress {
	return bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: cubeA.Principal(), Method: "call",
		Arg: binary.BigEndian.AppendUint64(nil, n), Nonce: binary.BigEndian.AppendUint64(nil, n), Expiry: t0.Add(120e9)}
}

func (w *world) step(t *testing.T, in ...bigfile.Ingress) {
	t.Helper()
	if err := w.net.Step(map[bigfile.SubnetID][]bigfile.Ingress{w.s1.ID: in}); err != nil {
		t.Fatal(err)
	}
}

func TestCertifierConforms(t *testing.T) {
	w := newWorld(t)
	routingtest.TestCertifier(t, w.s1, w.reg, w.s1.ID, w.s2.ID)
}

// TestTwoSubnetsBLS: cube A on subnet 1 calls cube B on subnet 2 and gets
// its reply; every slice is certified with the sender's 3-of-4 threshold
// BLS key and verified on arrival.
func TestTwoSubnetsBLS(t *testing.T) {
	w := newWorld(t)
	in := ingress(21)
	w.step(t, in)
	inducted := 0
	for i := 0; i < 4; i++ {
		w.step(t)
		if errs := w.net.SliceErrors(); len(errs) > 0 {
			t.Fatal(errs)
		}
		for _, rep := range w.net.Reports {
			for _, s := range rep.Slices {
				inducted += s.Inducted
			}
		}
	}
	st, _ := w.r1.History().Get(in.ID())
	if st.Status != routing.StatusReplied || binary.BigEndian.Uint64(st.Reply) != 42 {
		t.Fatalf("got %s %x %q, want replied 42", st.Status, st.Reply, st.RejectMessage)
	}
	if inducted != 2 {
		t.Errorf("%d messages inducted from verified slices, want 2", inducted)
	}
}

// TestForgedBLSSlice: a slice certified by subnet 2's key but claiming to
// come from subnet 1, and one with a corrupted signature, are refused.
func TestForgedBLSSlice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(w *world, data []byte) []byte
	}{
		{"certified by another subnet", func(w *world, data []byte) []byte {
			s, _ := routing.DecodeSlice(data)
			cert, _ := w.s2.Certify(s.Digest())
			s.Certification = cert
			b, _ := s.MarshalBinary()
			return b
		}},
		{"signature corrupted", func(w *world, data []byte) []byte {
			s, _ := routing.DecodeSlice(data)
			i := bytes.Index(data, s.Certification) + len(s.Certification) - 10
			b := bytes.Clone(data)
			b[i] ^= 1
			return b
		}},
		{"message changed", func(w *world, data []byte) []byte {
			s, _ := routing.DecodeSlice(data)
			s.Messages[0].Request.Arg = binary.BigEndian.AppendUint64(nil, 1000)
			b, _ := s.MarshalBinary()
			return b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.step(t, ingress(1))
			done := false
			w.net.Tamper = func(from, to bigfile.SubnetID, data []byte) []byte {
				if from == w.s1.ID && !done {
					done = true
					return tc.tamper(w, data)
				}
				return data
			}
			w.step(t)
			rep := w.net.Reports[w.s2.ID].Slices
			if len(rep) != 1 || !errors.Is(rep[0].Err, routing.ErrUnverifiedSlice) {
				t.Fatalf("got %+v, want ErrUnverifiedSlice", rep)
			}
			if w.r2.QueueLen(cubeB.Principal()) != 0 {
				t.Fatal("forged slice delivered a request")
			}
		})
	}
}

// BenchmarkSlice1000BLS: cut, certify (3 of 4 shares, combine), decode and
// verify a 1,000-message slice; the sub-benchmarks split the cost.
func BenchmarkSlice1000BLS(b *testing.B) {
	const n = 1000
	w := newWorld(b)
	if _, err := w.r1.Induct(bigfile.Batch{Height: 1, Time: t0}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := w.r1.SubmitRequest(bigfile.Request{Sender: cubeA, Receiver: cubeB.Principal(), Method: "put",
			Arg: make([]byte, 100), Callback: bigfile.CallbackID(i)}); err != nil {
			b.Fatal(err)
		}
	}
	data, err := w.r1.Slice(w.s2.ID, 0)
	if err != nil {
		b.Fatal(err)
	}
	s, err := routing.DecodeSlice(data)
	if err != nil || len(s.Messages) != n {
		b.Fatal(err, len(s.Messages))
	}
	digest := s.Digest()
	b.Run("certify+verify", func(b *testing.B) {
		for b.Loop() {
			data, err := w.r1.Slice(w.s2.ID, 0)
			if err != nil {
				b.Fatal(err)
			}
			s, err := routing.DecodeSlice(data)
			if err != nil {
				b.Fatal(err)
			}
			if err := w.reg.Verify(s.From, s.Digest(), s.Certification); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("certify-only", func(b *testing.B) {
		for b.Loop() {
			if _, err := w.s1.Certify(digest); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify-only", func(b *testing.B) {
		for b.Loop() {
			if err := w.reg.Verify(w.s1.ID, digest, s.Certification); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-only", func(b *testing.B) {
		for b.Loop() {
			if _, err := routing.DecodeSlice(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
