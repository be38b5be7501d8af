package routing_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

const (
	cubeA = bigfile.CubeID(1)   // on subnet A: the caller
	cubeB = bigfile.CubeID(100) // on subnet B: doubles a number
)

// doubler answers "double" with twice its 8-byte argument.
func doubler(r *routing.Router, m routing.Message) {
	if m.Kind != routing.KindRequest {
		return
	}
	req := m.Request
	resp := bigfile.Response{Originator: req.Sender, Respondent: req.Receiver, Callback: req.Callback, Refund: req.Cycles}
	if req.Method != "double" || len(req.Arg) != 8 {
		resp.Reject, resp.RejectMessage = bigfile.RejectCanisterReject, "bad call"
	} else {
		resp.Reply = binary.BigEndian.AppendUint64(nil, 2*binary.BigEndian.Uint64(req.Arg))
	}
	if err := r.SubmitResponse(resp); err != nil {
		panic(err)
	}
}

// caller turns each ingress "call <target> <n>" into a call to the target
// and completes the ingress with the response it gets back.
type caller struct {
	next    bigfile.CallbackID
	pending map[bigfile.CallbackID]bigfile.MessageID
	errs    []error // calls that SubmitRequest refused
}

func newCaller() *caller { return &caller{pending: map[bigfile.CallbackID]bigfile.MessageID{}} }

func (c *caller) handle(r *routing.Router, m routing.Message) {
	switch m.Kind {
	case routing.KindIngress:
		target, _ := bigfile.CubeIDFromPrincipal(bigfile.CubeID(binary.BigEndian.Uint64(m.Ingress.Arg[:8])).Principal())
		c.next++
		self, _ := bigfile.CubeIDFromPrincipal(m.Ingress.Receiver)
		req := bigfile.Request{Sender: self, Receiver: target.Principal(), Method: "double",
			Arg: m.Ingress.Arg[8:], Callback: c.next}
		if err := r.SubmitRequest(req); err != nil {
			c.errs = append(c.errs, err)
			ce := &routing.CallError{}
			errors.As(err, &ce)
			r.CompleteIngress(m.ID, routing.IngressResult{RejectCode: ce.Code, RejectMessage: ce.Message})
			return
		}
		c.pending[c.next] = m.ID
	case routing.KindResponse:
		id := c.pending[m.Response.Callback]
		delete(c.pending, m.Response.Callback)
		res := routing.IngressResult{Reply: m.Response.Reply, RejectCode: m.Response.Reject, RejectMessage: m.Response.RejectMessage}
		if err := r.CompleteIngress(id, res); err != nil {
			panic(err)
		}
	}
}

func callIngress(target bigfile.CubeID, n uint64, nonce int) bigfile.Ingress {
	return callIngressFrom(cubeA, target, n, nonce)
}

// callIngressFrom asks cube from to call target with n.
func callIngressFrom(from, target bigfile.CubeID, n uint64, nonce int) bigfile.Ingress {
	arg := binary.BigEndian.AppendUint64(nil, uint64(target))
	arg = binary.BigEndian.AppendUint64(arg, n)
	return bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: from.Principal(), Method: "call", Arg: arg,
		Nonce: binary.BigEndian.AppendUint64(nil, uint64(nonce)), Expiry: t0.Add(300e9)}
}

type twoSubnets struct {
	keys   *routingtest.Keys
	a, b   *node
	net    *routingtest.Net
	caller *caller
}

func newTwoSubnets(t *testing.T, tweak func(*routing.Config)) *twoSubnets {
	keys := routingtest.NewKeys()
	e := &twoSubnets{keys: keys, caller: newCaller()}
	e.a = newNode(t, keys, subnetA, []bigfile.CubeID{cubeA}, tweak)
	e.b = newNode(t, keys, subnetB, []bigfile.CubeID{cubeB}, tweak)
	e.net = routingtest.NewNet(e.a.r, e.b.r)
	e.net.Time = t0
	e.net.Handlers[cubeA.Principal()] = e.caller.handle
	e.net.Handlers[cubeB.Principal()] = doubler
	return e
}

func (e *twoSubnets) step(t *testing.T, ingressA ...bigfile.Ingress) {
	t.Helper()
	if err := e.net.Step(map[bigfile.SubnetID][]bigfile.Ingress{subnetA: ingressA}); err != nil {
		t.Fatal(err)
	}
}

func (e *twoSubnets) status(id bigfile.MessageID) routing.IngressState {
	st, _ := e.a.r.History().Get(id)
	return st
}

// sideBatch inducts a batch holding only x on B (and an empty one on A, to
// keep the heights in step), outside the network's own rounds.
func (e *twoSubnets) sideBatch(t *testing.T, x bigfile.XNetSlice) routing.Report {
	t.Helper()
	rep, err := e.b.r.Induct(bigfile.Batch{Height: e.net.Height, Time: e.net.Time, XNet: []bigfile.XNetSlice{x}})
	if err != nil {
		t.Fatal(err)
	}
	mustInduct(t, e.a.r, e.net.Height, e.net.Time)
	e.net.Height++
	return rep
}

// TestTwoSubnetCall is the acceptance test: cube A on subnet 1 calls cube B
// on subnet 2 and gets its reply, every slice verified on arrival.
func TestTwoSubnetCall(t *testing.T) {
	e := newTwoSubnets(t, nil)
	in := callIngress(cubeB, 21, 0)
	e.step(t, in)
	if got := e.status(in.ID()).Status; got != routing.StatusProcessing {
		t.Fatalf("after round 1: status %s, want processing", got)
	}
	if h := e.a.r.StreamHeader(subnetB); h.End != 1 {
		t.Fatalf("stream A→B: %+v, want one message", h)
	}
	var verified int
	for round := 0; round < 4 && e.status(in.ID()).Status == routing.StatusProcessing; round++ {
		e.step(t)
		if errs := e.net.SliceErrors(); len(errs) > 0 {
			t.Fatalf("round %d: refused slices: %v", round, errs)
		}
		for _, rep := range e.net.Reports {
			for _, s := range rep.Slices {
				verified += s.Inducted
			}
		}
	}
	st := e.status(in.ID())
	if st.Status != routing.StatusReplied || binary.BigEndian.Uint64(st.Reply) != 42 {
		t.Fatalf("status %s, reply %x; want replied 42", st.Status, st.Reply)
	}
	if verified != 2 {
		t.Errorf("inducted %d messages from verified slices, want 2 (request and response)", verified)
	}
	// The signals of later slices let both sides collect their streams.
	e.step(t)
	e.step(t)
	for _, n := range []*node{e.a, e.b} {
		for _, s := range []bigfile.SubnetID{subnetA, subnetB} {
			if h := n.r.StreamHeader(s); h.Begin != h.End {
				t.Errorf("%s: stream to %s not collected: %+v", n.r.Subnet(), s, h)
			}
		}
	}
}

// TestUndeliverableRequest: a call to a cube that does not exist on the
// remote subnet comes back as a DESTINATION_INVALID reject with the cycles.
func TestUndeliverableRequest(t *testing.T) {
	e := newTwoSubnets(t, nil)
	in := callIngress(150, 1, 0) // in B's range, but no such cube
	e.step(t, in)
	for i := 0; i < 4; i++ {
		e.step(t)
	}
	st := e.status(in.ID())
	if st.Status != routing.StatusRejected || st.RejectCode != bigfile.RejectDestinationInvalid {
		t.Fatalf("got %s %s %q, want rejected DESTINATION_INVALID", st.Status, st.RejectCode, st.RejectMessage)
	}
}

// reSign re-encodes a decoded slice and certifies it with c.
func reSign(t *testing.T, s *routing.Slice, c routing.Certifier) []byte {
	t.Helper()
	s.Certification = nil
	cert, err := c.Certify(s.Digest())
	if err != nil {
		t.Fatal(err)
	}
	s.Certification = cert
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRefusedSlices(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, e *twoSubnets, data []byte) []byte
		want   error
	}{
		{"forged by another subnet's key", func(t *testing.T, e *twoSubnets, data []byte) []byte {
			s, _ := routing.DecodeSlice(data)
			return reSign(t, s, e.keys.Certifier(subnetC))
		}, routing.ErrUnverifiedSlice},
		{"message altered after certification", func(t *testing.T, e *twoSubnets, data []byte) []byte {
			s, _ := routing.DecodeSlice(data)
			cert := s.Certification
			s.Messages[0].Request.Arg = binary.BigEndian.AppendUint64(nil, 1000)
			s.Certification = cert
			b, _ := s.MarshalBinary()
			return b
		}, routing.ErrUnverifiedSlice},
		{"certification corrupted", func(t *testing.T, e *twoSubnets, data []byte) []byte {
			b := bytes.Clone(data)
			b[len(b)-5] ^= 0x80
			return b
		}, routing.ErrUnverifiedSlice},
		{"truncated", func(t *testing.T, e *twoSubnets, data []byte) []byte {
			return data[:len(data)-10]
		}, routing.ErrMalformedSlice},
		{"addressed to another subnet", func(t *testing.T, e *twoSubnets, data []byte) []byte {
			s, _ := routing.DecodeSlice(data)
			s.To = subnetC
			return reSign(t, s, e.keys.Certifier(subnetA))
		}, routing.ErrWrongSubnet},
		{"reordered: starts past the expected index", func(t *testing.T, e *twoSubnets, data []byte) []byte {
			s, _ := routing.DecodeSlice(data)
			s.Begin++
			s.Messages = s.Messages[1:]
			return reSign(t, s, e.keys.Certifier(subnetA))
		}, routing.ErrSliceOrder},
		{"acknowledges messages never sent", func(t *testing.T, e *twoSubnets, data []byte) []byte {
			s, _ := routing.DecodeSlice(data)
			s.Header.SignalsEnd = 7
			return reSign(t, s, e.keys.Certifier(subnetA))
		}, routing.ErrInvalidSignals},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTwoSubnets(t, nil)
			// Two calls, so that A's first slice to B holds two requests.
			in1, in2 := callIngress(cubeB, 1, 1), callIngress(cubeB, 2, 2)
			e.step(t, in1, in2)
			tampered := 0
			e.net.Tamper = func(from, to bigfile.SubnetID, data []byte) []byte {
				if from == subnetA && tampered == 0 {
					tampered++
					return tc.tamper(t, e, data)
				}
				return data
			}
			e.step(t)
			rep := e.net.Reports[subnetB].Slices
			if len(rep) != 1 || !errors.Is(rep[0].Err, tc.want) {
				t.Fatalf("slice report %+v, want error %v", rep, tc.want)
			}
			if e.b.r.NextIndex(subnetA) != 0 || e.b.r.QueueLen(cubeB.Principal()) != 0 {
				t.Fatalf("refused slice changed B's state")
			}
			// The honest slice of the next round goes through, and both calls complete.
			for i := 0; i < 4; i++ {
				e.step(t)
			}
			if errs := e.net.SliceErrors(); len(errs) > 0 {
				t.Fatal(errs)
			}
			for _, in := range []bigfile.Ingress{in1, in2} {
				if st := e.status(in.ID()); st.Status != routing.StatusReplied {
					t.Errorf("call %x: %s, want replied", in.Arg, st.Status)
				}
			}
		})
	}
}

func TestReplayedSlice(t *testing.T) {
	e := newTwoSubnets(t, nil)
	e.step(t, callIngress(cubeB, 1, 1))
	var saved []byte
	e.net.Tamper = func(from, to bigfile.SubnetID, data []byte) []byte {
		if from == subnetA {
			saved = data
		}
		return data
	}
	e.step(t) // B inducts the request
	if e.net.Reports[subnetB].Slices[0].Inducted != 1 {
		t.Fatalf("request not inducted: %+v", e.net.Reports[subnetB])
	}
	e.net.Tamper = nil
	queued := e.b.r.QueueLen(cubeB.Principal())
	rep := e.sideBatch(t, bigfile.XNetSlice{From: subnetA, Slice: saved})
	if !errors.Is(rep.Slices[0].Err, routing.ErrSliceOrder) {
		t.Fatalf("replay: %v, want ErrSliceOrder", rep.Slices[0].Err)
	}
	if e.b.r.QueueLen(cubeB.Principal()) != queued {
		t.Fatal("replayed slice inducted a message twice")
	}
	// A slice cut at an older height than one already inducted is stale.
	old, err := e.a.r.Slice(subnetB, e.b.r.NextIndex(subnetA))
	if err != nil {
		t.Fatal(err)
	}
	e.step(t)
	e.step(t) // now A's slices are cut at a greater height than old's
	rep = e.sideBatch(t, bigfile.XNetSlice{From: subnetA, Slice: old})
	if !errors.Is(rep.Slices[0].Err, routing.ErrStaleSlice) {
		t.Fatalf("old slice: %v, want ErrStaleSlice", rep.Slices[0].Err)
	}
}

// TestBackpressure: while B takes nothing from A, A's stream to B grows to
// the limit, then the output queues fill and further calls are refused
// with SYS_TRANSIENT; once B takes slices again every accepted call
// completes.
func TestBackpressure(t *testing.T) {
	const streamMax, queueCap, callers, callsEach = 4, 3, 3, 4
	var ids []bigfile.CubeID
	for i := 1; i <= callers; i++ {
		ids = append(ids, bigfile.CubeID(i))
	}
	e := newTwoSubnets(t, func(c *routing.Config) { c.MaxStreamMessages, c.QueueCapacity = streamMax, queueCap })
	for _, id := range ids[1:] {
		e.a.cubes.Add(id, routing.CubeInfo{Liquid: bigfile.CyclesFromUint64(1e12)})
		e.net.Handlers[id.Principal()] = e.caller.handle
	}
	cut := true
	e.net.Tamper = func(from, to bigfile.SubnetID, data []byte) []byte {
		if cut && from == subnetA {
			return nil
		}
		return data
	}
	var ins []bigfile.Ingress
	for round := 0; round < callsEach; round++ {
		for _, id := range ids {
			ins = append(ins, callIngressFrom(id, cubeB, uint64(len(ins)), len(ins)))
		}
	}
	e.step(t, ins...)
	if h := e.a.r.StreamHeader(subnetB); h.End-h.Begin != streamMax {
		t.Fatalf("stream holds %d messages, want the limit %d", h.End-h.Begin, streamMax)
	}
	if n := e.a.r.OutputLen(); n == 0 {
		t.Fatalf("no requests wait in output queues")
	}
	refused := len(e.caller.errs)
	for _, err := range e.caller.errs {
		if rejectCode(err) != bigfile.RejectSysTransient {
			t.Fatalf("refused with %v, want SYS_TRANSIENT", err)
		}
	}
	accepted := len(ins) - refused
	if refused == 0 || accepted != streamMax+e.a.r.OutputLen() {
		t.Fatalf("accepted %d (stream %d + waiting %d), refused %d", accepted, streamMax, e.a.r.OutputLen(), refused)
	}
	// More rounds without delivery change nothing: nothing is dropped.
	e.step(t)
	if h := e.a.r.StreamHeader(subnetB); h.End-h.Begin != streamMax {
		t.Fatalf("stream holds %d messages, want %d", h.End-h.Begin, streamMax)
	}
	// Recovery.
	cut = false
	for i := 0; i < 8; i++ {
		e.step(t)
	}
	// Every accepted call ends: replied, or, when the slice brought more
	// requests than cube B's input queue holds, rejected by B with
	// SYS_TRANSIENT. None is lost.
	replied, full := 0, 0
	for _, in := range ins {
		switch st := e.status(in.ID()); {
		case st.Status == routing.StatusReplied:
			replied++
		case st.Status == routing.StatusRejected && st.RejectCode == bigfile.RejectSysTransient:
			if strings.Contains(st.RejectMessage, "input queue") {
				full++
			}
		default:
			t.Errorf("call ended %s %s", st.Status, st.RejectCode)
		}
	}
	if replied+full != accepted || replied < streamMax {
		t.Errorf("%d calls replied and %d refused by B, want %d in all", replied, full, accepted)
	}
	if e.a.r.OutputLen() != 0 {
		t.Errorf("%d requests still waiting", e.a.r.OutputLen())
	}
}

// TestReceiverBackpressure: while B's stream back to A is at the limit
// (A takes nothing from B), B stops inducting A's requests; they stay in
// A's stream and are inducted once A's signals let B collect its stream.
func TestReceiverBackpressure(t *testing.T) {
	keys := routingtest.NewKeys()
	big := func(c *routing.Config) { c.QueueCapacity, c.IngressQueueCapacity = 20, 20 }
	a := newNode(t, keys, subnetA, []bigfile.CubeID{cubeA}, big)
	b := newNode(t, keys, subnetB, []bigfile.CubeID{cubeB}, func(c *routing.Config) { big(c); c.MaxStreamMessages = 2 })
	net := routingtest.NewNet(a.r, b.r)
	net.Time = t0
	cl := newCaller()
	net.Handlers[cubeA.Principal()] = cl.handle
	net.Handlers[cubeB.Principal()] = doubler
	cut := true
	net.Tamper = func(from, to bigfile.SubnetID, data []byte) []byte {
		if cut && from == subnetB {
			return nil
		}
		return data
	}
	var ins []bigfile.Ingress
	batch := func() []bigfile.Ingress {
		var in []bigfile.Ingress
		for i := 0; i < 5; i++ {
			in = append(in, callIngress(cubeB, uint64(len(ins)), len(ins)))
			ins = append(ins, in[len(in)-1])
		}
		return in
	}
	step := func(in []bigfile.Ingress) {
		t.Helper()
		if err := net.Step(map[bigfile.SubnetID][]bigfile.Ingress{subnetA: in}); err != nil {
			t.Fatal(err)
		}
	}
	step(batch()) // A: five requests on the stream to B
	step(batch()) // B inducts all five (its stream to A is empty), answers them; A sends five more
	if got := b.r.NextIndex(subnetA); got != 5 {
		t.Fatalf("B inducted up to %d, want 5", got)
	}
	if h := b.r.StreamHeader(subnetA); h.End-h.Begin != 5 {
		t.Fatalf("B's stream to A holds %d, want 5 responses", h.End-h.Begin)
	}
	step(nil) // B's stream to A is over the limit: no requests inducted
	if got := b.r.NextIndex(subnetA); got != 5 {
		t.Fatalf("B inducted up to %d under backpressure, want 5", got)
	}
	if rep := net.Reports[subnetB].Slices; len(rep) != 1 || rep[0].Err != nil || rep[0].Inducted != 0 {
		t.Fatalf("slice report under backpressure: %+v", rep)
	}
	cut = false
	for i := 0; i < 8; i++ {
		step(nil)
	}
	for _, in := range ins {
		if st, _ := a.r.History().Get(in.ID()); st.Status != routing.StatusReplied {
			t.Errorf("call %x: %s %q", in.Arg, st.Status, st.RejectMessage)
		}
	}
}

// TestDeterministic runs the same traffic through two independent pairs of
// routers and compares every slice they cut and every status they record:
// replicas that see the same batches must agree byte for byte.
func TestDeterministic(t *testing.T) {
	run := func() (slices [][]byte, statuses []routing.IngressState) {
		e := newTwoSubnets(t, func(c *routing.Config) { c.MaxStreamMessages, c.QueueCapacity = 3, 4 })
		for _, id := range []bigfile.CubeID{2, 3} {
			e.a.cubes.Add(id, routing.CubeInfo{Liquid: bigfile.CyclesFromUint64(1e12)})
			e.net.Handlers[id.Principal()] = e.caller.handle
		}
		e.net.Tamper = func(from, to bigfile.SubnetID, data []byte) []byte {
			slices = append(slices, data)
			return data
		}
		var ins []bigfile.Ingress
		for round := 0; round < 6; round++ {
			var in []bigfile.Ingress
			for i := 0; i < 4; i++ {
				n := len(ins)
				in = append(in, callIngressFrom(bigfile.CubeID(1+n%3), bigfile.CubeID(100+n%2), uint64(n), n))
				ins = append(ins, in[len(in)-1])
			}
			e.step(t, in...)
		}
		for _, in := range ins {
			st, _ := e.a.r.History().Get(in.ID())
			statuses = append(statuses, st)
		}
		return slices, statuses
	}
	s1, st1 := run()
	s2, st2 := run()
	if len(s1) != len(s2) {
		t.Fatalf("%d slices vs %d", len(s1), len(s2))
	}
	for i := range s1 {
		if !bytes.Equal(s1[i], s2[i]) {
			t.Fatalf("slice %d differs", i)
		}
	}
	for i := range st1 {
		if st1[i].Status != st2[i].Status || !bytes.Equal(st1[i].Reply, st2[i].Reply) || st1[i].RejectMessage != st2[i].RejectMessage {
			t.Fatalf("status %d differs: %+v vs %+v", i, st1[i], st2[i])
		}
	}
}

func TestConfigValidate(t *testing.T) {
	keys := routingtest.NewKeys()
	good := routing.Config{Subnet: subnetA, Table: routing.NewTable(routing.Map{}), Cubes: routingtest.NewCubes(),
		Certifier: keys.Certifier(subnetA), Verifier: keys}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*routing.Config){
		"no subnet":      func(c *routing.Config) { c.Subnet = bigfile.SubnetID{} },
		"no table":       func(c *routing.Config) { c.Table = nil },
		"no cubes":       func(c *routing.Config) { c.Cubes = nil },
		"no certifier":   func(c *routing.Config) { c.Certifier = nil },
		"no verifier":    func(c *routing.Config) { c.Verifier = nil },
		"negative limit": func(c *routing.Config) { c.QueueCapacity = -1 },
	} {
		c := good
		edit(&c)
		if _, err := routing.New(c); !errors.Is(err, routing.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}
