package routing_test

import (
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

func TestIngressInduction(t *testing.T) {
	keys := routingtest.NewKeys()
	const (
		running  = bigfile.CubeID(1)
		stopping = bigfile.CubeID(2)
		stopped  = bigfile.CubeID(3)
		poor     = bigfile.CubeID(4)
		missing  = bigfile.CubeID(5)
		remote   = bigfile.CubeID(100) // B's range
	)
	a := newNode(t, keys, subnetA, []bigfile.CubeID{running, stopping, stopped}, func(c *routing.Config) {
		c.MaxIngressBytes = 100
		c.IngressQueueCapacity = 2
		c.SubnetSize = 26 // fees double
	})
	a.cubes.SetStatus(stopping, routing.Stopping)
	a.cubes.SetStatus(stopped, routing.Stopped)
	// arg "DIDL\0\0" + method "m": 7 bytes; fee (1.2M + 7·2000)·26/13 = 2,428,000.
	const fee = 2_428_000
	a.cubes.Add(poor, routing.CubeInfo{Liquid: bigfile.CyclesFromUint64(fee - 1)})

	big := call(running, "m", 9)
	big.Arg = make([]byte, 100)
	notCube := call(running, "m", 10)
	notCube.Receiver = bigfile.Anonymous
	mgmt := call(running, "raw_rand", 11)
	mgmt.Receiver = bigfile.ManagementCube
	expired := call(running, "m", 12)
	expired.Expiry = t0 - 1
	future := call(running, "m", 13)
	future.Expiry = t0.Add(routing.DefaultMaxIngressExpiry + 1)

	type want struct {
		status routing.IngressStatus
		code   bigfile.RejectCode
		ec     string
	}
	cases := []struct {
		name string
		in   bigfile.Ingress
		want want
	}{
		{"running", call(running, "m", 1), want{routing.StatusReceived, 0, ""}},
		{"running again", call(running, "m", 2), want{routing.StatusReceived, 0, ""}},
		{"queue full", call(running, "m", 3), want{routing.StatusRejected, bigfile.RejectSysTransient, "IC0201"}},
		{"stopping", call(stopping, "m", 1), want{routing.StatusRejected, bigfile.RejectCanisterError, "IC0509"}},
		{"stopped", call(stopped, "m", 1), want{routing.StatusRejected, bigfile.RejectCanisterError, "IC0508"}},
		{"fee unpaid", call(poor, "m", 1), want{routing.StatusRejected, bigfile.RejectSysTransient, "IC0207"}},
		{"no such cube", call(missing, "m", 1), want{routing.StatusRejected, bigfile.RejectDestinationInvalid, "IC0301"}},
		{"other subnet's cube", call(remote, "m", 1), want{routing.StatusRejected, bigfile.RejectCanisterReject, "IC0405"}},
		{"not a cube", notCube, want{routing.StatusRejected, bigfile.RejectDestinationInvalid, "IC0301"}},
		{"too large", big, want{routing.StatusRejected, bigfile.RejectSysFatal, ""}},
		{"management cube", mgmt, want{routing.StatusReceived, 0, ""}},
		{"expired", expired, want{routing.StatusUnknown, 0, ""}},
		{"expiry too far", future, want{routing.StatusUnknown, 0, ""}},
	}
	var batch []bigfile.Ingress
	for _, c := range cases {
		batch = append(batch, c.in)
	}
	batch = append(batch, cases[0].in) // a duplicate in the same batch
	rep := mustInduct(t, a.r, 1, t0, batch...)
	for _, c := range cases {
		st, _ := a.r.History().Get(c.in.ID())
		if st.Status != c.want.status || st.RejectCode != c.want.code || st.ErrorCode != c.want.ec {
			t.Errorf("%s: got %s %s %q (%s), want %s %s %q", c.name, st.Status, st.RejectCode, st.ErrorCode, st.RejectMessage,
				c.want.status, c.want.code, c.want.ec)
		}
	}
	if rep.Inducted != 3 || rep.Rejected != 8 || rep.Expired != 2 || rep.Duplicates != 1 {
		t.Errorf("report %+v", rep)
	}
	if a.cubes.Charged != bigfile.CyclesFromUint64(2*fee) {
		t.Errorf("charged %s, want %d for two inducted calls", a.cubes.Charged, 2*fee)
	}
	if info, _ := a.cubes.Cube(poor); info.Liquid != bigfile.CyclesFromUint64(fee-1) {
		t.Errorf("the refused cube was charged")
	}
}

// TestIngressLifecycle follows one message through every status, and
// checks that a replay is refused at every stage, pruning included.
func TestIngressLifecycle(t *testing.T) {
	keys := routingtest.NewKeys()
	a := newNode(t, keys, subnetA, []bigfile.CubeID{1}, nil)
	in := call(1, "m", 1) // expires at t0+60s
	id := in.ID()
	status := func() routing.IngressStatus { st, _ := a.r.History().Get(id); return st.Status }
	h := bigfile.Height(1)
	replay := func(now bigfile.Time) {
		t.Helper()
		h++
		if rep := mustInduct(t, a.r, h, now, in); rep.Inducted != 0 {
			t.Fatalf("replay at %s inducted", status())
		}
	}
	mustInduct(t, a.r, h, t0, in)
	if status() != routing.StatusReceived {
		t.Fatalf("got %s, want received", status())
	}
	replay(t0)
	m, _ := a.r.NextInput(bigfile.CubeID(1).Principal())
	if m.ID != id || status() != routing.StatusProcessing {
		t.Fatalf("got %s, want processing", status())
	}
	replay(t0)
	if err := a.r.CompleteIngress(id, routing.IngressResult{Reply: []byte("ok")}); err != nil {
		t.Fatal(err)
	}
	if err := a.r.CompleteIngress(id, routing.IngressResult{Reply: []byte("again")}); err == nil {
		t.Fatal("completed twice")
	}
	if st, _ := a.r.History().Get(id); st.Status != routing.StatusReplied || string(st.Reply) != "ok" {
		t.Fatalf("got %+v", st)
	}
	replay(t0.Add(60e9)) // still at expiry: kept
	if status() != routing.StatusReplied {
		t.Fatalf("at expiry: %s, want replied", status())
	}
	h++
	mustInduct(t, a.r, h, t0.Add(61e9))
	if st, _ := a.r.History().Get(id); st.Status != routing.StatusDone || st.Reply != nil {
		t.Fatalf("after expiry: %+v, want done without reply", st)
	}
	h++
	mustInduct(t, a.r, h, t0.Add(61e9+routing.DefaultMaxIngressExpiry+1))
	if status() != routing.StatusUnknown || a.r.History().Len() != 0 {
		t.Fatalf("after retention: %s, %d entries", status(), a.r.History().Len())
	}
}

// TestIngressNotPrunedWhileOpen: an entry whose message is still queued or
// executing outlives its expiry.
func TestIngressNotPrunedWhileOpen(t *testing.T) {
	keys := routingtest.NewKeys()
	a := newNode(t, keys, subnetA, []bigfile.CubeID{1}, nil)
	in := call(1, "m", 1)
	mustInduct(t, a.r, 1, t0, in)
	mustInduct(t, a.r, 2, t0.Add(1e12))
	if st, _ := a.r.History().Get(in.ID()); st.Status != routing.StatusReceived {
		t.Fatalf("got %s, want received", st.Status)
	}
	a.r.NextInput(bigfile.CubeID(1).Principal())
	if err := a.r.CompleteIngress(in.ID(), routing.IngressResult{RejectCode: bigfile.RejectCanisterReject, RejectMessage: "no"}); err != nil {
		t.Fatal(err)
	}
	mustInduct(t, a.r, 3, t0.Add(2e12))
	if st, _ := a.r.History().Get(in.ID()); st.Status != routing.StatusDone {
		t.Fatalf("got %s, want done", st.Status)
	}
}

func TestBatchOrder(t *testing.T) {
	keys := routingtest.NewKeys()
	a := newNode(t, keys, subnetA, nil, nil)
	mustInduct(t, a.r, 5, t0)
	if _, err := a.r.Induct(bigfile.Batch{Height: 7, Time: t0}); err == nil {
		t.Error("skipped height accepted")
	}
	if _, err := a.r.Induct(bigfile.Batch{Height: 6, Time: t0 - 1}); err == nil {
		t.Error("time going backwards accepted")
	}
	if _, err := a.r.Induct(bigfile.Batch{Height: 6, Time: t0}); err != nil {
		t.Error(err)
	}
}

func TestIngressHistoryFull(t *testing.T) {
	keys := routingtest.NewKeys()
	a := newNode(t, keys, subnetA, []bigfile.CubeID{1}, func(c *routing.Config) { c.MaxIngressHistory = 2 })
	rep := mustInduct(t, a.r, 1, t0, call(1, "m", 1), call(1, "m", 2), call(1, "m", 3))
	if rep.Inducted != 2 || rep.HistoryFull != 1 {
		t.Fatalf("report %+v, want 2 inducted and 1 skipped", rep)
	}
	if st, ok := a.r.History().Get(call(1, "m", 3).ID()); ok {
		t.Fatalf("skipped message recorded as %s", st.Status)
	}
}
