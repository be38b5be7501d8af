package wasm_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
)

// Calls between two WAT cubes on one executor, with the test delivering
// requests and responses the way the scheduler does.

const calleeCube bigfile.CubeID = 2

// callerWAT: "go" calls cube 2's method named by the argument with 1,000
// cycles attached and a cleanup closure, and does not reply. The reply
// callback stores 1 at 100 and replies with the reply data, or traps if
// the data is "trap"; the reject callback replies with the reject code
// (4 bytes) and the refund (16 bytes); the cleanup closure stores 7 at
// 104.
func callerWAT(t testing.TB) []byte {
	callee := calleeCube.Principal().Bytes()
	data := ""
	for _, c := range callee {
		data += fmt.Sprintf("\\%02x", c)
	}
	extra := fmt.Sprintf(`
  (table 3 funcref)
  (elem (i32.const 0) $on_reply $on_reject $on_cleanup)
  (data (i32.const 0) "%s")
  (func $on_reply (param $env i32)
    (i32.store (i32.const 100) (i32.const 1))
    (call $msg_arg_data_copy (i32.const 200) (i32.const 0) (call $msg_arg_data_size))
    (if (i32.eq (i32.load (i32.const 200)) (i32.const 0x70617274)) (then unreachable))
    (call $msg_reply_data_append (i32.const 200) (call $msg_arg_data_size))
    (call $msg_reply))
  (func $on_reject (param $env i32)
    (i32.store (i32.const 300) (call $msg_reject_code))
    (call $msg_cycles_refunded128 (i32.const 304))
    (call $msg_reply_data_append (i32.const 300) (i32.const 20))
    (call $msg_reply))
  (func $on_cleanup (param $env i32)
    (i32.store (i32.const 104) (i32.const 7)))`, data)
	return probe(t, false, map[string]string{
		"canister_update go": fmt.Sprintf(`
    (call $msg_arg_data_copy (i32.const 50) (i32.const 0) (call $msg_arg_data_size))
    (call $call_new (i32.const 0) (i32.const %d) (i32.const 50) (call $msg_arg_data_size)
      (i32.const 0) (i32.const 11) (i32.const 1) (i32.const 12))
    (call $call_on_cleanup (i32.const 2) (i32.const 13))
    (call $call_data_append (i32.const 50) (call $msg_arg_data_size))
    (call $call_cycles_add128 (i64.const 0) (i64.const 1000))
    (drop (call $call_perform))`, len(callee)),
	}, extra)
}

// calleeWAT: "ok" accepts 300 cycles and replies with its argument;
// "no" rejects with "no"; "boom" traps.
func calleeWAT(t testing.TB) []byte {
	return probe(t, false, map[string]string{
		"canister_update ok": `
    (call $msg_cycles_accept128 (i64.const 0) (i64.const 300) (i32.const 0))
    (call $msg_arg_data_copy (i32.const 100) (i32.const 0) (call $msg_arg_data_size))
    (call $msg_reply_data_append (i32.const 100) (call $msg_arg_data_size))
    (call $msg_reply)`,
		"canister_update trap": `
    (call $msg_reply_data_append (i32.const 100) (i32.const 0))
    (i32.store (i32.const 100) (i32.const 0x70617274))
    (call $msg_reply_data_append (i32.const 100) (i32.const 4))
    (call $msg_reply)`,
		"canister_update no": `
    (i32.store16 (i32.const 0) (i32.const 0x6f6e))
    (call $msg_reject (i32.const 0) (i32.const 2))`,
		"canister_update boom": `unreachable`,
	}, "")
}

type callPair struct {
	t      *testing.T
	x      *execution.Executor
	caller *cube
	callee *cube
}

func newCallPair(t *testing.T) *callPair {
	x := newExecutor(t, execution.Config{})
	a, b := newCube(t, x), newCube(t, x)
	b.st = &execution.State{ID: calleeCube}
	a.st = &execution.State{ID: testCube, Cycles: bigfile.CyclesFromUint64(10_000)}
	a.mustInstall(callerWAT(t))
	b.mustInstall(calleeWAT(t))
	return &callPair{t: t, x: x, caller: a, callee: b}
}

// roundTrip runs "go" with method on the caller, delivers the request to
// the callee and its answer back; it returns the callee's output and the
// caller's response execution.
func (p *callPair) roundTrip(method string) (req bigfile.Request, callee, resp execution.Output) {
	t := p.t
	t.Helper()
	out := p.caller.update("go", []byte(method))
	if out.Err != nil || out.Response.Kind != execution.NoResponse || len(out.Requests) != 1 {
		t.Fatalf("go: err %v, response %+v, %d requests", out.Err, out.Response, len(out.Requests))
	}
	if n := len(p.caller.st.CallContexts); n != 1 || p.caller.st.OpenCallContexts != 1 || len(p.caller.st.Callbacks) != 1 {
		t.Fatalf("caller after go: %d contexts (open %d), %d callbacks", n, p.caller.st.OpenCallContexts, len(p.caller.st.Callbacks))
	}
	if got := p.caller.st.Cycles; got != bigfile.CyclesFromUint64(9_000) {
		t.Fatalf("caller balance after attaching 1,000 cycles: %s", got)
	}
	req = out.Requests[0]
	if req.Receiver != calleeCube.Principal() || req.Method != method || string(req.Arg) != method ||
		req.Cycles != bigfile.CyclesFromUint64(1000) {
		t.Fatalf("request %+v", req)
	}
	callee = p.callee.exec(execution.Input{Kind: execution.KindUpdate, Method: req.Method, Arg: req.Arg,
		Caller: req.Sender.Principal(), Cycles: req.Cycles,
		Origin: execution.Origin{Kind: execution.OriginCube, Caller: req.Sender.Principal(), Callback: req.Callback}})
	r := &bigfile.Response{Originator: req.Sender, Respondent: req.Receiver, Callback: callee.Origin.Callback,
		Refund: callee.Refund}
	if callee.Response.Kind == execution.Replied {
		r.Reply = callee.Response.Data
	} else {
		r.Reject, r.RejectMessage = callee.Response.Code, callee.Response.Message
	}
	resp = p.caller.exec(execution.Input{Kind: execution.KindResponse, Response: r})
	if len(p.caller.st.CallContexts) != 0 || len(p.caller.st.Callbacks) != 0 || p.caller.st.OpenCallContexts != 0 {
		t.Fatalf("caller keeps %d contexts, %d callbacks, open %d after the response", len(p.caller.st.CallContexts),
			len(p.caller.st.Callbacks), p.caller.st.OpenCallContexts)
	}
	return req, callee, resp
}

func (p *callPair) word(addr int) uint32 {
	return binary.LittleEndian.Uint32(p.caller.st.Memory.Bytes()[addr:])
}

func TestCallReplyRunsReplyCallback(t *testing.T) {
	p := newCallPair(t)
	_, callee, resp := p.roundTrip("ok")
	if callee.Refund != bigfile.CyclesFromUint64(700) || p.callee.st.Cycles != bigfile.CyclesFromUint64(300) {
		t.Fatalf("callee refund %s, balance %s; want 700 and 300", callee.Refund, p.callee.st.Cycles)
	}
	if got := reply(t, resp); string(got) != "ok" {
		t.Fatalf("caller's reply %q, want %q", got, "ok")
	}
	if resp.Origin.Kind != execution.OriginIngress {
		t.Fatalf("answer goes to %+v", resp.Origin)
	}
	if p.word(100) != 1 || p.word(104) != 0 {
		t.Fatalf("markers %d %d, want 1 0", p.word(100), p.word(104))
	}
	if got := p.caller.st.Cycles; got != bigfile.CyclesFromUint64(9_700) {
		t.Fatalf("caller balance %s, want 9,700 (700 refunded)", got)
	}
}

func TestCallRejectRefundsCycles(t *testing.T) {
	p := newCallPair(t)
	_, callee, resp := p.roundTrip("no")
	if callee.Response.Kind != execution.Rejected || callee.Refund != bigfile.CyclesFromUint64(1000) {
		t.Fatalf("callee answer %+v refund %s", callee.Response, callee.Refund)
	}
	got := reply(t, resp)
	if code := binary.LittleEndian.Uint32(got); code != uint32(bigfile.RejectCanisterReject) {
		t.Fatalf("reject code %d", code)
	}
	if lo := binary.LittleEndian.Uint64(got[4:]); lo != 1000 {
		t.Fatalf("msg_cycles_refunded128 = %d, want 1000", lo)
	}
	if p.caller.st.Cycles != bigfile.CyclesFromUint64(10_000) {
		t.Fatalf("caller balance %s, want all 10,000 back", p.caller.st.Cycles)
	}
}

func TestCalleeTrapIsRejectWithErrorCode(t *testing.T) {
	p := newCallPair(t)
	_, callee, resp := p.roundTrip("boom")
	if callee.Response.Code != bigfile.RejectCanisterError || callee.Refund != bigfile.CyclesFromUint64(1000) {
		t.Fatalf("callee answer %+v refund %s", callee.Response, callee.Refund)
	}
	got := reply(t, resp)
	if code := binary.LittleEndian.Uint32(got); code != uint32(bigfile.RejectCanisterError) {
		t.Fatalf("reject code %d", code)
	}
}

func TestTrapInReplyCallbackRunsCleanup(t *testing.T) {
	p := newCallPair(t)
	_, _, resp := p.roundTrip("trap")
	if resp.Err == nil || resp.Err.Code != execution.CodeCanisterTrapped {
		t.Fatalf("response execution error %v, want IC0502", resp.Err)
	}
	if resp.Response.Kind != execution.Rejected || resp.Response.ErrorCode != execution.CodeCanisterTrapped {
		t.Fatalf("ingress answer %+v, want the callback's trap", resp.Response)
	}
	// The reply callback's store is rolled back, the cleanup's kept; the
	// refund (all 1,000: the callee accepted none) is credited although
	// the callback trapped.
	if p.word(100) != 0 || p.word(104) != 7 {
		t.Fatalf("markers %d %d, want 0 7", p.word(100), p.word(104))
	}
	if got := p.caller.st.Cycles; got != bigfile.CyclesFromUint64(10_000) {
		t.Fatalf("caller balance %s, want 10,000", got)
	}
}

func TestCallSystemAPIMisuse(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(probe(t, false, map[string]string{
		"canister_update perform": `(drop (call $call_perform))`,
		"canister_query q":        `(call $call_new (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))`,
		"canister_update twice": `
    (call $call_new (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (call $call_on_cleanup (i32.const 0) (i32.const 0))
    (call $call_on_cleanup (i32.const 0) (i32.const 0))`,
		"canister_update abandon": `
    (call $call_new (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (call $msg_reply)`,
	}, "(table 1 funcref)"))
	for _, m := range []string{"perform", "twice"} {
		if out := c.update(m, nil); out.Err == nil || out.Err.Code != execution.CodeCanisterContractViolation {
			t.Errorf("%s: %v, want IC0504", m, out.Err)
		}
	}
	if out := c.query("q", nil); out.Err == nil || out.Err.Code != execution.CodeCanisterContractViolation {
		t.Errorf("call_new in a query: %v, want IC0504", out.Err)
	}
	// A call built but never performed is dropped; the update completes.
	out := c.update("abandon", nil)
	reply(t, out)
	if len(out.Requests) != 0 || len(c.st.CallContexts) != 0 {
		t.Fatalf("abandoned call: %d requests, %d contexts", len(out.Requests), len(c.st.CallContexts))
	}
}

// With cost rules, call_perform charges the request's fee and reserves
// the largest response's and a full callback's; the response refunds what
// it did not need.
func TestCallFees(t *testing.T) {
	costs := execution.Costs{Subnet: execution.SubnetS4}
	cfg := execution.Config{Costs: costs}
	x := newExecutor(t, cfg)
	a, b := newCube(t, x), newCube(t, x)
	const initial = 10_000_000_000_000
	a.st = &execution.State{ID: testCube, Cycles: bigfile.CyclesFromUint64(initial)}
	b.st = &execution.State{ID: calleeCube, Cycles: bigfile.CyclesFromUint64(initial)}
	a.mustInstall(callerWAT(t))
	b.mustInstall(calleeWAT(t))
	before := a.st.Cycles
	out := a.update("go", []byte("ok"))
	if len(out.Requests) != 1 {
		t.Fatalf("go: %v, %d requests", out.Err, len(out.Requests))
	}
	fee := costs.CallCost(len("ok") + len("ok"))
	reserve := costs.CallCost(int(x.Config().MaxResponseBytes)).
		Add(costs.ExecutionCost(x.Config().MaxInstructionsPerMessage, false))
	want := before.Sub(out.Charged).Sub(bigfile.CyclesFromUint64(1000)).Sub(fee).Sub(reserve)
	if a.st.Cycles != want {
		t.Fatalf("balance after call_perform %s, want %s (fee %s, reserve %s)", a.st.Cycles, want, fee, reserve)
	}
	req := out.Requests[0]
	callee := b.exec(execution.Input{Kind: execution.KindUpdate, Method: req.Method, Arg: req.Arg,
		Caller: req.Sender.Principal(), Cycles: req.Cycles,
		Origin: execution.Origin{Kind: execution.OriginCube, Caller: req.Sender.Principal(), Callback: req.Callback}})
	prev := a.st.Cycles
	resp := a.exec(execution.Input{Kind: execution.KindResponse, Response: &bigfile.Response{Originator: req.Sender,
		Respondent: req.Receiver, Callback: req.Callback, Refund: callee.Refund, Reply: callee.Response.Data}})
	reply(t, resp)
	if resp.Charged != costs.ExecutionCost(resp.Instructions, false) || resp.Charged.IsZero() {
		t.Fatalf("response execution charged %s for %d instructions", resp.Charged, resp.Instructions)
	}
	want = prev.Add(callee.Refund).Add(reserve.Sub(costs.CallCost(len(callee.Response.Data)))).Sub(resp.Charged)
	if a.st.Cycles != want {
		t.Fatalf("balance after the response %s, want %s", a.st.Cycles, want)
	}
}

// A cube that cannot pay for a call gets 2 (SYS_TRANSIENT) from
// call_perform; the call is not made and its cycles stay.
func TestCallPerformOutOfCycles(t *testing.T) {
	costs := execution.Costs{Subnet: execution.SubnetS4}
	x := newExecutor(t, execution.Config{Costs: costs})
	// Installed without cost rules, then given enough to prepay the
	// execution but not the response reservation.
	a := newCube(t, newExecutor(t, execution.Config{}))
	a.mustInstall(callerWAT(t))
	st := *a.st
	st.Cycles = costs.ExecutionCost(x.Config().MaxInstructionsPerMessage, false).Add(bigfile.CyclesFromUint64(100_000_000))
	a.st, a.x = &st, x
	before := a.st.Cycles
	out := a.update("go", []byte("ok"))
	if len(out.Requests) != 0 || len(a.st.Callbacks) != 0 {
		t.Fatalf("%d requests, %d callbacks", len(out.Requests), len(a.st.Callbacks))
	}
	if out.Err == nil || out.Err.Code != execution.CodeCanisterDidNotReply {
		t.Fatalf("error %v, want IC0506 (no call outstanding, no reply)", out.Err)
	}
	if want := before.Sub(out.Charged); a.st.Cycles != want {
		t.Fatalf("balance %s, want %s (only the execution fee)", a.st.Cycles, want)
	}
}

// The callback trampoline of a 64-bit module passes the environment as
// i64 (and a 32-bit table index): the reply callback replies with it.
func TestCallCallbackWasm64(t *testing.T) {
	callee := calleeCube.Principal().Bytes()
	data := ""
	for _, c := range callee {
		data += fmt.Sprintf("\\%02x", c)
	}
	caller := probe(t, true, map[string]string{
		"canister_update go": fmt.Sprintf(`
    (call $call_new (i64.const 0) (i64.const %d) (i64.const 64) (i64.const 2)
      (i64.const 1) (i64.const 0x1122334455667788) (i64.const 1) (i64.const 0))
    (drop (call $call_perform))`, len(callee)),
	}, fmt.Sprintf(`
  (table 2 funcref)
  (elem (i32.const 1) $on_reply)
  (data (i64.const 0) "%s")
  (data (i64.const 64) "ok")
  (func $on_reply (param $env i64)
    (i64.store (i64.const 128) (local.get $env))
    (call $msg_reply_data_append (i64.const 128) (i64.const 8))
    (call $msg_reply))`, data))
	x := newExecutor(t, execution.Config{})
	a, b := newCube(t, x), newCube(t, x)
	b.st = &execution.State{ID: calleeCube}
	a.mustInstall(caller)
	b.mustInstall(calleeWAT(t))
	out := a.update("go", nil)
	if len(out.Requests) != 1 {
		t.Fatalf("go: %v, %d requests", out.Err, len(out.Requests))
	}
	req := out.Requests[0]
	callee2 := b.exec(execution.Input{Kind: execution.KindUpdate, Method: req.Method, Arg: req.Arg,
		Caller: req.Sender.Principal(), Origin: execution.Origin{Kind: execution.OriginCube, Caller: req.Sender.Principal(),
			Callback: req.Callback}})
	resp := a.exec(execution.Input{Kind: execution.KindResponse, Response: &bigfile.Response{Originator: req.Sender,
		Respondent: req.Receiver, Callback: req.Callback, Reply: callee2.Response.Data}})
	if got := reply(t, resp); binary.LittleEndian.Uint64(got) != 0x1122334455667788 {
		t.Fatalf("callback got env %x", got)
	}
}

// ic0.cost_call reports the request's fee plus the reservation for the
// answer, whose callback part is priced at the module's instruction rate
// (double for 64-bit memory).
func TestCostCallByMemoryWidth(t *testing.T) {
	costs := execution.Costs{Subnet: execution.SubnetS4}
	x := newExecutor(t, execution.Config{Costs: costs})
	for _, mem64 := range []bool{false, true} {
		ptr := "i32"
		if mem64 {
			ptr = "i64"
		}
		c := newCube(t, x)
		c.st.Cycles = bigfile.CyclesFromUint64(100_000_000_000_000)
		c.mustInstall(probe(t, mem64, map[string]string{"canister_query cost": fmt.Sprintf(`
    (call $cost_call (i64.const 3) (i64.const 5) (%[1]s.const 0))
    (call $msg_reply_data_append (%[1]s.const 0) (%[1]s.const 16))
    (call $msg_reply)`, ptr)}, ""))
		got := reply(t, c.query("cost", nil))
		want := costs.CallCost(8).Add(costs.CallCost(int(x.Config().MaxResponseBytes))).
			Add(costs.ExecutionCost(x.Config().MaxInstructionsPerMessage, mem64))
		if c := (bigfile.Cycles{Lo: binary.LittleEndian.Uint64(got), Hi: binary.LittleEndian.Uint64(got[8:])}); c != want {
			t.Errorf("memory64=%v: cost_call %s, want %s", mem64, c, want)
		}
	}
}
