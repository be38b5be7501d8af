package scheduler_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/candid"
	"github.com/thebigfile/bigfile/execution/executiontest"
	"github.com/thebigfile/bigfile/execution/management"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// The management cube through the scheduler: a user creates and installs
// a cube by ingress, calls it, and stops it while it has a call
// outstanding; the stop completes in the round the call's answer closes
// the cube's last call context.
func TestManagementThroughScheduler(t *testing.T) {
	ctx := context.Background()
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	m, err := management.New(management.Config{Provisional: true}, x, bytes.NewReader(nil))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := scheduler.New(scheduler.Config{Management: m}, x)
	user := bigfile.SelfAuthenticating([]byte("user key"))
	nonce := byte(0)
	call := func(now bigfile.Time, method string, v any, extra ...bigfile.Response) (execution.Response, scheduler.Result) {
		t.Helper()
		arg, err := candid.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		nonce++
		in := bigfile.Ingress{Sender: user, Receiver: bigfile.ManagementCube, Method: method, Arg: arg, Nonce: []byte{nonce}}
		res, err := s.ExecuteRound(ctx, scheduler.Round{Time: now, Ingress: []bigfile.Ingress{in}, Responses: extra})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Ingress {
			if r.ID == in.ID() {
				return r.Response, res
			}
		}
		return execution.Response{}, res
	}

	r, _ := call(1, "provisional_create_canister_with_cycles", management.ProvisionalCreateArgs{})
	var created management.CanisterIDRecord
	if err := candid.Unmarshal(r.Data, &created); err != nil {
		t.Fatalf("create: %+v %v", r, err)
	}
	id, _ := bigfile.CubeIDFromPrincipal(created.CanisterID)
	if _, ok := s.Cube(id); !ok {
		t.Fatal("the created cube is not in the scheduler")
	}
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update ask": func(c *executiontest.Call) error {
			return c.CallNew(bigfile.CubeID(77).Principal(), "m", nil, 0, "done", "done", 0)
		},
		"done": func(c *executiontest.Call) error { return c.Reply([]byte("done")) },
	})
	r, _ = call(2, "install_code", management.InstallCodeArgs{Mode: management.InstallMode{Install: &candid.Null{}},
		CanisterID: created.CanisterID, WasmModule: code, Arg: []byte("DIDL\x00\x00")})
	if r.Kind != execution.Replied {
		t.Fatalf("install_code: %+v", r)
	}

	// The cube calls cube 77 on another subnet and waits.
	ask := bigfile.Ingress{Sender: user, Receiver: created.CanisterID, Method: "ask"}
	res, err := s.ExecuteRound(ctx, scheduler.Round{Time: 3, Ingress: []bigfile.Ingress{ask}})
	if err != nil || len(res.Requests) != 1 {
		t.Fatalf("ask: %v, requests %+v", err, res.Requests)
	}
	rq := res.Requests[0]

	// stop_canister waits for the open call context.
	r, _ = call(4, "stop_canister", management.CanisterIDRecord{CanisterID: created.CanisterID})
	if r.Kind != execution.NoResponse {
		t.Fatalf("stop_canister answered at once: %+v", r)
	}
	if st, _ := s.Cube(id); st.Status != execution.Stopping {
		t.Fatalf("status %d, want stopping", st.Status)
	}
	// The answer arrives: the callback replies to the user, the context
	// closes, the cube stops and stop_canister is answered.
	res, err = s.ExecuteRound(ctx, scheduler.Round{Time: 5, Responses: []bigfile.Response{{Originator: id,
		Respondent: rq.Receiver, Callback: rq.Callback, Reply: []byte("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ingress) != 2 || res.Ingress[0].ID != ask.ID() || string(res.Ingress[0].Response.Data) != "done" ||
		res.Ingress[1].Response.Kind != execution.Replied {
		t.Fatalf("results %+v, want ask's reply then stop_canister's", res.Ingress)
	}
	if st, _ := s.Cube(id); st.Status != execution.Stopped {
		t.Fatalf("status %d, want stopped", st.Status)
	}

	// delete_canister removes it from the scheduler too.
	if r, _ = call(6, "delete_canister", management.CanisterIDRecord{CanisterID: created.CanisterID}); r.Kind != execution.Replied {
		t.Fatalf("delete_canister: %+v", r)
	}
	if _, ok := s.Cube(id); ok {
		t.Fatal("the deleted cube is still in the scheduler")
	}
}
