package management_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/candid"
	"github.com/thebigfile/bigfile/execution/management"
	"github.com/thebigfile/bigfile/execution/wasm"
)

var (
	alice = bigfile.SelfAuthenticating([]byte("alice's public key"))
	bob   = bigfile.SelfAuthenticating([]byte("bob's public key"))
	empty = []byte("DIDL\x00\x00")
)

func counterWasm(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("..", "wasm", "testdata", "motoko", "Counter.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type env struct {
	t  *testing.T
	m  *management.Manager
	tm bigfile.Time
}

func newEnv(t *testing.T, costs execution.Costs) *env {
	eng, err := wasm.New(wasm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := execution.New(execution.Config{Costs: costs}, eng)
	if err != nil {
		t.Fatal(err)
	}
	m, err := management.New(management.Config{Provisional: true}, x, rand.New(rand.NewSource(7)))
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, m: m, tm: 1_700_000_000_000_000_000}
}

// call sends a management call with a Candid argument as a client would.
func (e *env) call(caller bigfile.Principal, method string, arg any) management.Result {
	e.t.Helper()
	b, ok := arg.([]byte)
	if !ok {
		var err error
		if b, err = candid.Marshal(arg); err != nil {
			e.t.Fatal(err)
		}
	}
	e.tm += 1_000_000_000
	r, err := e.m.Call(context.Background(), management.Call{Caller: caller, Method: method, Arg: b, Time: e.tm, Ingress: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) ok(r management.Result) []byte {
	e.t.Helper()
	if r.Response.Kind != execution.Replied {
		e.t.Fatalf("not a reply: %+v", r.Response)
	}
	return r.Response.Data
}

func (e *env) refused(r management.Result, code execution.ErrorCode, substr string) {
	e.t.Helper()
	if r.Response.Kind != execution.Rejected || r.Response.ErrorCode != code || !strings.Contains(r.Response.Message, substr) {
		e.t.Fatalf("got %+v, want a reject %s containing %q", r.Response, code, substr)
	}
	if r.Response.Code != code.RejectCode() {
		e.t.Fatalf("reject code %d for %s", r.Response.Code, code)
	}
}

func (e *env) ingress(id bigfile.CubeID, method string) execution.Output {
	e.t.Helper()
	e.tm += 1_000_000_000
	out, err := e.m.Execute(context.Background(), id, execution.Input{Kind: execution.KindUpdate, Method: method,
		Arg: empty, Caller: alice, Time: e.tm, Ingress: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func nat(n byte) []byte { return []byte{'D', 'I', 'D', 'L', 0, 1, 0x7d, n} }

func (e *env) status(caller bigfile.Principal, id bigfile.CubeID) management.CanisterStatusResult {
	e.t.Helper()
	var s management.CanisterStatusResult
	if err := candid.Unmarshal(e.ok(e.call(caller, "canister_status", management.CanisterIDRecord{CanisterID: id.Principal()})), &s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// TestLifecycle drives a cube through its whole life with Candid-encoded
// arguments: create, install, call, upgrade, settings, stop with an
// outstanding call, status, delete, with controller checks throughout.
func TestLifecycle(t *testing.T) {
	e := newEnv(t, execution.Costs{Subnet: execution.SubnetS4})
	// provisional_create_canister_with_cycles with amount = opt 1 T, the
	// exact bytes @dfinity/candid sends (system-api.md §5.6).
	arg, _ := hex.DecodeString("4449444c0d6e7d6c02f1fee18d0371cbe4fdc704716d016e026d686e046b03d7e09b90027fa981ceb7067fcaa989aa08" +
		"046e066c09c0cff27100e8f09b73008ba08eaa0103d7e09b90020580ad988a0400edd9c8c90707f8e287cc0c00deebb5" +
		"a90e00a882acc60f006e086e686e786c04e3f9f5d90809cae5edbc0c0ad8a38ca80d00ca9998b40d0b010c00000180a0" +
		"94a58d1d00")
	var created management.CanisterIDRecord
	if err := candid.Unmarshal(e.ok(e.call(alice, "provisional_create_canister_with_cycles", arg)), &created); err != nil {
		t.Fatal(err)
	}
	id, err := bigfile.CubeIDFromPrincipal(created.CanisterID)
	if err != nil || id.String() != "rrkah-fqaaa-aaaaa-aaaaq-cai" {
		t.Fatalf("created %s (%v)", created.CanisterID, err)
	}
	st := e.status(alice, id)
	if st.Status.Running == nil || st.ModuleHash != nil || st.Cycles.String() != "1000000000000" ||
		len(st.Settings.Controllers) != 1 || st.Settings.Controllers[0] != alice ||
		st.Settings.FreezingThreshold.String() != "2592000" {
		t.Fatalf("status of the new cube: %+v", st)
	}

	// Controller checks.
	code := counterWasm(t)
	install := management.InstallCodeArgs{Mode: management.InstallMode{Install: &candid.Null{}},
		CanisterID: id.Principal(), WasmModule: code, Arg: empty}
	e.refused(e.call(bob, "install_code", install), execution.CodeCanisterInvalidController,
		"Only the controllers of the canister rrkah-fqaaa-aaaaa-aaaaq-cai can control it.")
	e.refused(e.call(bob, "canister_status", management.CanisterIDRecord{CanisterID: id.Principal()}),
		execution.CodeCanisterInvalidController, "Sender's ID: "+bob.String())
	if out := e.ingress(id, "inc"); out.Response.ErrorCode != execution.CodeCanisterWasmModuleNotFound {
		t.Fatalf("call before install: %+v", out.Response)
	}

	// Install, call, install again (refused), upgrade keeping the heap.
	e.ok(e.call(alice, "install_code", install))
	e.refused(e.call(alice, "install_code", install), execution.CodeCanisterNonEmpty, "not empty")
	for i := byte(1); i <= 2; i++ {
		if out := e.ingress(id, "inc"); !bytes.Equal(out.Response.Data, nat(i)) {
			t.Fatalf("inc %d: %+v", i, out.Response)
		}
	}
	keep := &management.UpgradeOptions{WasmMemoryPersistence: &management.MemoryPersistence{Keep: &candid.Null{}}}
	upgrade := install
	upgrade.Mode = management.InstallMode{Upgrade: &keep}
	noOpt := install
	var none *management.UpgradeOptions
	noOpt.Mode = management.InstallMode{Upgrade: &none}
	e.refused(e.call(alice, "install_code", noOpt), execution.CodeCanisterContractViolation,
		"Missing upgrade option")
	e.ok(e.call(alice, "install_code", upgrade))
	if out := e.ingress(id, "inc"); !bytes.Equal(out.Response.Data, nat(3)) {
		t.Fatalf("inc after upgrade: %+v", out.Response)
	}
	st = e.status(alice, id)
	if st.ModuleHash == nil || st.MemoryMetrics.WasmMemorySize.String() == "0" {
		t.Fatalf("status after install: %+v", st)
	}
	if c, _ := st.Cycles.Uint64(); c >= 1_000_000_000_000 {
		t.Fatalf("the cube paid nothing: %d cycles", c)
	}

	// Settings: add bob as controller, change the freezing threshold.
	ctrls := []bigfile.Principal{alice, bob}
	thr := candid.NewNat(86_400)
	e.refused(e.call(bob, "update_settings", management.UpdateSettingsArgs{CanisterID: id.Principal(),
		Settings: management.CanisterSettings{Controllers: &ctrls}}), execution.CodeCanisterInvalidController, "")
	e.ok(e.call(alice, "update_settings", management.UpdateSettingsArgs{CanisterID: id.Principal(),
		Settings: management.CanisterSettings{Controllers: &ctrls, FreezingThreshold: &thr}}))
	st = e.status(bob, id)
	if len(st.Settings.Controllers) != 2 || st.Settings.FreezingThreshold.String() != "86400" {
		t.Fatalf("settings: %+v", st.Settings)
	}
	if out := e.ingress(id, "inc"); !bytes.Equal(out.Response.Data, nat(4)) {
		t.Fatalf("inc after update_settings: %+v", out.Response)
	}

	// Delete refuses a running cube.
	e.refused(e.call(alice, "delete_canister", management.CanisterIDRecord{CanisterID: id.Principal()}),
		execution.CodeCanisterNotStopped, "must be stopped")

	// Stop with an outstanding call: stopping until it closes.
	e.m.OpenCallContext(id)
	r := e.call(bob, "stop_canister", management.CanisterIDRecord{CanisterID: id.Principal()})
	if !r.Pending || r.Response.Kind != execution.NoResponse {
		t.Fatalf("stop with an open call answered at once: %+v", r)
	}
	if s := e.status(alice, id); s.Status.Stopping == nil {
		t.Fatalf("status %+v, want stopping", s.Status)
	}
	if out := e.ingress(id, "inc"); out.Response.ErrorCode != execution.CodeCanisterStopping {
		t.Fatalf("call to a stopping cube: %+v", out.Response)
	}
	done := e.m.CloseCallContext(id)
	if len(done) != 1 || done[0].Ticket != r.Ticket || done[0].Response.Kind != execution.Replied {
		t.Fatalf("closing the last call: %+v", done)
	}
	if s := e.status(alice, id); s.Status.Stopped == nil {
		t.Fatalf("status %+v, want stopped", s.Status)
	}
	if out := e.ingress(id, "inc"); out.Response.ErrorCode != execution.CodeCanisterStopped {
		t.Fatalf("call to a stopped cube: %+v", out.Response)
	}

	// Start again: the state survived; stop (no open calls) and delete.
	e.ok(e.call(alice, "start_canister", management.CanisterIDRecord{CanisterID: id.Principal()}))
	if out := e.ingress(id, "inc"); !bytes.Equal(out.Response.Data, nat(5)) {
		t.Fatalf("inc after restart: %+v", out.Response)
	}
	e.ok(e.call(alice, "stop_canister", management.CanisterIDRecord{CanisterID: id.Principal()}))
	e.refused(e.call(management.CanisterIDRecord{}.CanisterID, "delete_canister",
		management.CanisterIDRecord{CanisterID: id.Principal()}), execution.CodeCanisterInvalidController, "")
	e.ok(e.call(alice, "delete_canister", management.CanisterIDRecord{CanisterID: id.Principal()}))
	e.refused(e.call(alice, "canister_status", management.CanisterIDRecord{CanisterID: id.Principal()}),
		execution.CodeCanisterNotFound, "not found")
	if out := e.ingress(id, "inc"); out.Response.ErrorCode != execution.CodeCanisterNotFound {
		t.Fatalf("call to a deleted cube: %+v", out.Response)
	}
	// Ids are never reused.
	if err := candid.Unmarshal(e.ok(e.call(alice, "provisional_create_canister_with_cycles",
		management.ProvisionalCreateArgs{})), &created); err != nil || created.CanisterID == id.Principal() {
		t.Fatalf("second cube %s (%v)", created.CanisterID, err)
	}
}
