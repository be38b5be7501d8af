package routing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

// TestBucketRule: a cube on a bucket subnet cannot call another cube nor
// attach cycles, whether the callee is local or remote; it may call the
// management cube without cycles and still answer calls.
func TestBucketRule(t *testing.T) {
	keys := routingtest.NewKeys()
	const bucket, other = bigfile.CubeID(100), bigfile.CubeID(101)
	b := newNode(t, keys, subnetB, []bigfile.CubeID{bucket, other}, nil)
	b.table.SetKind(subnetB, routing.Bucket)
	mustInduct(t, b.r, 1, t0)
	for _, tc := range []struct {
		name string
		req  bigfile.Request
		want string
	}{
		{"remote cube", bigfile.Request{Sender: bucket, Receiver: cubeA.Principal()}, "cannot call other cubes"},
		{"local cube", bigfile.Request{Sender: bucket, Receiver: other.Principal()}, "cannot call other cubes"},
		{"management with cycles", bigfile.Request{Sender: bucket, Receiver: bigfile.ManagementCube,
			Method: "deposit_cycles", Cycles: bigfile.CyclesFromUint64(5)}, "cannot transfer cycles"},
	} {
		err := b.r.SubmitRequest(tc.req)
		var ce *routing.CallError
		if !errors.As(err, &ce) || ce.Code != bigfile.RejectSysFatal || !strings.Contains(ce.Message, tc.want) {
			t.Errorf("%s: got %v, want SYS_FATAL %q", tc.name, err, tc.want)
		}
		var re *bigfile.RejectError
		if !errors.As(err, &re) || re.Code != bigfile.RejectSysFatal {
			t.Errorf("%s: error does not unwrap to a *bigfile.RejectError", tc.name)
		}
	}
	if b.r.QueueLen(other.Principal()) != 0 || b.r.StreamHeader(subnetA).End != 0 {
		t.Fatalf("a refused call was queued")
	}
	ok := bigfile.Request{Sender: bucket, Receiver: bigfile.ManagementCube, Method: "raw_rand"}
	if err := b.r.SubmitRequest(ok); err != nil {
		t.Fatalf("management call without cycles: %v", err)
	}

	// A subnet that knows B is a bucket subnet refuses requests arriving
	// from it, even if B's own router did not.
	a := newNode(t, keys, subnetA, []bigfile.CubeID{cubeA}, nil)
	a.table.SetKind(subnetB, routing.Bucket)
	slice := routing.Slice{From: subnetB, To: subnetA, Height: 1, Header: routing.StreamHeader{End: 1},
		Messages: []routing.Message{routing.RequestMessage(bigfile.Request{Sender: bucket, Receiver: cubeA.Principal(), Callback: 9})}}
	data := reSign(t, &slice, keys.Certifier(subnetB))
	rep, err := a.r.Induct(bigfile.Batch{Height: 1, Time: t0, XNet: []bigfile.XNetSlice{{From: subnetB, Slice: data}}})
	if err != nil || rep.Slices[0].Err != nil {
		t.Fatal(err, rep.Slices[0].Err)
	}
	if a.r.QueueLen(cubeA.Principal()) != 0 {
		t.Fatal("request from a bucket cube was delivered")
	}
	back, err := a.r.Slice(subnetB, 0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := routing.DecodeSlice(back)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Messages) != 1 || s.Messages[0].Response.Reject != bigfile.RejectSysFatal || s.Messages[0].Response.Callback != 9 {
		t.Fatalf("want a SYS_FATAL reject back to the bucket cube, got %+v", s.Messages)
	}
}

// TestReroute: cube X moves from B to C while A's call to it is in flight.
// B refuses the request with a reject signal, A reroutes it to C, and the
// reply arrives.
func TestReroute(t *testing.T) {
	keys := routingtest.NewKeys()
	const x = bigfile.CubeID(150)
	a := newNode(t, keys, subnetA, []bigfile.CubeID{cubeA}, nil)
	b := newNode(t, keys, subnetB, nil, nil)
	c := newNode(t, keys, subnetC, []bigfile.CubeID{x}, nil)
	net := routingtest.NewNet(a.r, b.r, c.r)
	net.Time = t0
	cl := newCaller()
	net.Handlers[cubeA.Principal()] = cl.handle
	net.Handlers[x.Principal()] = doubler
	in := callIngress(x, 5, 0)
	if err := net.Step(map[bigfile.SubnetID][]bigfile.Ingress{subnetA: {in}}); err != nil {
		t.Fatal(err)
	}
	if h := a.r.StreamHeader(subnetB); h.End != 1 {
		t.Fatalf("request not on the stream to B: %+v", h)
	}
	// The move takes effect at the next height on every subnet.
	for _, n := range []*node{a, b, c} {
		if err := n.r.Migrate(net.Height, bigfile.CubeRange{Start: x, End: x}, subnetC); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.r.Migrate(net.Height-1, bigfile.CubeRange{Start: x, End: x}, subnetC); !errors.Is(err, routing.ErrPastHeight) {
		t.Fatalf("migration in the past: %v", err)
	}
	for i := 0; i < 6; i++ {
		if err := net.Step(nil); err != nil {
			t.Fatal(err)
		}
		if errs := net.SliceErrors(); len(errs) > 0 {
			t.Fatal(errs)
		}
	}
	st, _ := a.r.History().Get(in.ID())
	if st.Status != routing.StatusReplied || len(st.Reply) != 8 || st.Reply[7] != 10 {
		t.Fatalf("got %s %x %q, want replied 10", st.Status, st.Reply, st.RejectMessage)
	}
	if h := b.r.StreamHeader(subnetA); len(h.RejectSignals) != 0 {
		t.Errorf("B keeps reject signals the peer has seen: %v", h.RejectSignals)
	}
}

// TestLocalCalls: calls between cubes of one subnet go straight into the
// receiver's queue, bounded by capacity and by the caller's reserved
// response slots; responses always fit.
func TestLocalCalls(t *testing.T) {
	keys := routingtest.NewKeys()
	const x, y, z = bigfile.CubeID(1), bigfile.CubeID(2), bigfile.CubeID(3)
	a := newNode(t, keys, subnetA, []bigfile.CubeID{x, y, z}, func(c *routing.Config) { c.QueueCapacity = 2 })
	mustInduct(t, a.r, 1, t0)
	req := func(from, to bigfile.CubeID, cb int) bigfile.Request {
		return bigfile.Request{Sender: from, Receiver: to.Principal(), Method: "m", Callback: bigfile.CallbackID(cb)}
	}
	for i := 0; i < 2; i++ {
		if err := a.r.SubmitRequest(req(x, y, i)); err != nil {
			t.Fatal(err)
		}
	}
	// y's input queue is full.
	if err := a.r.SubmitRequest(req(z, y, 0)); rejectCode(err) != bigfile.RejectSysTransient {
		t.Fatalf("third request into a queue of 2: %v, want SYS_TRANSIENT", err)
	}
	// x has two calls outstanding: no response slot left.
	if err := a.r.SubmitRequest(req(x, z, 3)); rejectCode(err) != bigfile.RejectSysTransient {
		t.Fatalf("third outstanding call: %v, want SYS_TRANSIENT", err)
	}
	if err := a.r.SubmitRequest(req(x, 42, 3)); rejectCode(err) != bigfile.RejectSysTransient {
		t.Fatalf("want the slot check before the destination check, got %v", err)
	}
	if err := a.r.SubmitRequest(req(z, 42, 0)); rejectCode(err) != bigfile.RejectDestinationInvalid {
		t.Fatalf("call to a missing cube: %v, want DESTINATION_INVALID", err)
	}
	a.cubes.SetStatus(z, routing.Stopping)
	if err := a.r.SubmitRequest(req(y, z, 0)); rejectCode(err) != bigfile.RejectCanisterError {
		t.Fatalf("call to a stopping cube: %v, want CANISTER_ERROR", err)
	}
	// y answers in order; a spurious response is refused.
	for i := 0; i < 2; i++ {
		m, ok := a.r.NextInput(y.Principal())
		if !ok || m.Kind != routing.KindRequest || m.Request.Callback != bigfile.CallbackID(i) {
			t.Fatalf("input %d: %+v", i, m)
		}
		if err := a.r.SubmitResponse(bigfile.Response{Originator: x, Respondent: y.Principal(), Callback: m.Request.Callback}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.r.SubmitResponse(bigfile.Response{Originator: x, Respondent: y.Principal()}); !errors.Is(err, routing.ErrNoReservation) {
		t.Fatalf("spurious response: %v", err)
	}
	if n := a.r.QueueLen(x.Principal()); n != 2 {
		t.Fatalf("x has %d responses, want 2", n)
	}
	// Taking the responses frees the slots again.
	a.r.NextInput(x.Principal())
	a.r.NextInput(x.Principal())
	if err := a.r.SubmitRequest(req(x, y, 7)); err != nil {
		t.Fatal(err)
	}
}

// TestInputOrder: ingress and cube messages alternate; each is FIFO.
func TestInputOrder(t *testing.T) {
	keys := routingtest.NewKeys()
	a := newNode(t, keys, subnetA, []bigfile.CubeID{1, 2}, nil)
	mustInduct(t, a.r, 1, t0, call(1, "i1", 1), call(1, "i2", 2), call(1, "i3", 3))
	for i := 0; i < 2; i++ {
		if err := a.r.SubmitRequest(bigfile.Request{Sender: 2, Receiver: bigfile.CubeID(1).Principal(), Method: "r" + string(rune('1'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for {
		m, ok := a.r.NextInput(bigfile.CubeID(1).Principal())
		if !ok {
			break
		}
		if m.Kind == routing.KindIngress {
			got = append(got, m.Ingress.Method)
		} else {
			got = append(got, m.Request.Method)
		}
	}
	if want := "r1 i1 r2 i2 i3"; strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}
