package management_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/rand"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/candid"
	"github.com/thebigfile/bigfile/execution/executiontest"
	"github.com/thebigfile/bigfile/execution/management"
)

// TestInstallCodeVectors decodes install_code arguments exactly as
// @dfinity/candid encodes them (system-api.md §5.6).
func TestInstallCodeVectors(t *testing.T) {
	const head = "4449444c096d7b6b0285a19bb8047fb490a1d90a7f6e016e7e6c02dceaaefa0202c0a09bde05036e046b03c8bb8a707f" +
		"9ce9c69906059baaebec087f6e786c05d6fca70200a79fc97e00e3a683c30406b3c4b1f20468ca9998b40d0701080644" +
		"49444c0000040061736d"
	for _, v := range []struct {
		tail string
		keep bool
	}{{"02010a0000000000000001010100", false}, {"0101010000010a0000000000000001010100", true}} {
		b, err := hex.DecodeString(head + v.tail)
		if err != nil {
			t.Fatal(err)
		}
		var a management.InstallCodeArgs
		if err := candid.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		if a.CanisterID != bigfile.CubeID(1).Principal() || !bytes.Equal(a.WasmModule, []byte("\x00asm")) ||
			string(a.Arg) != "DIDL\x00\x00" || a.SenderCanisterVersion != nil {
			t.Fatalf("decoded %+v", a)
		}
		if v.keep {
			if a.Mode.Upgrade == nil || *a.Mode.Upgrade == nil || (*a.Mode.Upgrade).WasmMemoryPersistence == nil ||
				(*a.Mode.Upgrade).WasmMemoryPersistence.Keep == nil || (*a.Mode.Upgrade).SkipPreUpgrade != nil {
				t.Fatalf("upgrade mode %+v", a.Mode)
			}
		} else if a.Mode.Install == nil {
			t.Fatalf("mode %+v, want install", a.Mode)
		}
	}
}

func scriptedEnv(t *testing.T, costs execution.Costs, seed int64) (*management.Manager, *executiontest.Engine) {
	eng := executiontest.NewEngine()
	x, err := execution.New(execution.Config{Costs: costs}, eng)
	if err != nil {
		t.Fatal(err)
	}
	m, err := management.New(management.Config{Provisional: true}, x, rand.New(rand.NewSource(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return m, eng
}

func call(t *testing.T, m *management.Manager, c management.Call, arg any) management.Result {
	t.Helper()
	if arg != nil {
		b, err := candid.Marshal(arg)
		if err != nil {
			t.Fatal(err)
		}
		c.Arg = b
	}
	r, err := m.Call(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustCreate(t *testing.T, m *management.Manager, caller bigfile.Principal, amount uint64) bigfile.CubeID {
	t.Helper()
	n := candid.NewNat(amount)
	r := call(t, m, management.Call{Caller: caller, Method: "provisional_create_canister_with_cycles"},
		management.ProvisionalCreateArgs{Amount: &n})
	var rec management.CanisterIDRecord
	if err := candid.Unmarshal(r.Response.Data, &rec); err != nil {
		t.Fatalf("%v (%+v)", err, r.Response)
	}
	id, _ := bigfile.CubeIDFromPrincipal(rec.CanisterID)
	return id
}

func TestRawRand(t *testing.T) {
	draw := func(seed int64) []byte {
		m, _ := scriptedEnv(t, execution.Costs{}, seed)
		cube := bigfile.CubeID(99).Principal()
		r := call(t, m, management.Call{Caller: cube, Method: "raw_rand", Arg: []byte("DIDL\x00\x00")}, nil)
		var b []byte
		if err := candid.Unmarshal(r.Response.Data, &b); err != nil || len(b) != 32 {
			t.Fatalf("raw_rand: %x (%v)", b, err)
		}
		r2 := call(t, m, management.Call{Caller: cube, Method: "raw_rand", Arg: []byte("DIDL\x00\x00")}, nil)
		if bytes.Equal(r2.Response.Data, r.Response.Data) {
			t.Fatal("raw_rand repeated itself")
		}
		in := call(t, m, management.Call{Caller: alice, Method: "raw_rand", Ingress: true}, nil)
		if in.Response.Kind != execution.Rejected || !strings.Contains(in.Response.Message, "ingress") {
			t.Fatalf("raw_rand by ingress: %+v", in.Response)
		}
		return b
	}
	if a, b, c := draw(1), draw(1), draw(2); !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Fatal("raw_rand is not a function of the injected randomness")
	}
}

func TestCyclesMethods(t *testing.T) {
	costs := execution.Costs{Subnet: execution.SubnetS4}
	m, _ := scriptedEnv(t, costs, 1)
	id := mustCreate(t, m, alice, 1_000_000)
	rec := management.CanisterIDRecord{CanisterID: id.Principal()}
	parent := bigfile.CubeID(500).Principal()
	// deposit_cycles from a cube adds what it attached.
	r := call(t, m, management.Call{Caller: parent, Method: "deposit_cycles", Cycles: bigfile.CyclesFromUint64(42)}, rec)
	if st, _ := m.Cube(id); r.Response.Kind != execution.Replied || st.Cycles != bigfile.CyclesFromUint64(1_000_042) {
		t.Fatalf("deposit: %+v, balance %s", r.Response, st.Cycles)
	}
	top := candid.NewNat(8)
	call(t, m, management.Call{Caller: bob, Method: "provisional_top_up_canister"},
		management.ProvisionalTopUpArgs{CanisterID: id.Principal(), Amount: top})
	if st, _ := m.Cube(id); st.Cycles != bigfile.CyclesFromUint64(1_000_050) {
		t.Fatalf("top-up: balance %s", st.Cycles)
	}
	// create_canister: cubes only, the fee (500 B × 4/13) out of the
	// attached cycles.
	fee := uint64(500_000_000_000) * 4 / 13
	r = call(t, m, management.Call{Caller: parent, Method: "create_canister", Cycles: bigfile.CyclesFromUint64(fee - 1)},
		management.CreateCanisterArgs{})
	if r.Response.ErrorCode != execution.CodeInsufficientCyclesForCreateCanister || r.Refund != bigfile.CyclesFromUint64(fee-1) {
		t.Fatalf("create with too few cycles: %+v refund %s", r.Response, r.Refund)
	}
	r = call(t, m, management.Call{Caller: parent, Method: "create_canister", Cycles: bigfile.CyclesFromUint64(fee + 7)},
		management.CreateCanisterArgs{})
	var created management.CanisterIDRecord
	if err := candid.Unmarshal(r.Response.Data, &created); err != nil {
		t.Fatalf("%v: %+v", err, r.Response)
	}
	cid, _ := bigfile.CubeIDFromPrincipal(created.CanisterID)
	if st, _ := m.Cube(cid); st.Cycles != bigfile.CyclesFromUint64(7) || st.Controllers[0] != parent || !r.Refund.IsZero() {
		t.Fatalf("created cube: %+v", st)
	}
	r = call(t, m, management.Call{Caller: alice, Method: "create_canister", Ingress: true}, management.CreateCanisterArgs{})
	if r.Response.Kind != execution.Rejected {
		t.Fatal("create_canister by ingress accepted")
	}
}

func TestStartCancelsStopAndUninstall(t *testing.T) {
	m, eng := scriptedEnv(t, execution.Costs{}, 1)
	id := mustCreate(t, m, alice, 1)
	rec := management.CanisterIDRecord{CanisterID: id.Principal()}
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update hi": func(c *executiontest.Call) error { return c.Reply([]byte("hi")) },
	})
	r := call(t, m, management.Call{Caller: alice, Method: "install_code"}, management.InstallCodeArgs{
		Mode: management.InstallMode{Install: &candid.Null{}}, CanisterID: id.Principal(), WasmModule: code, Arg: empty})
	if r.Response.Kind != execution.Replied {
		t.Fatal(r.Response)
	}
	m.OpenCallContext(id)
	m.OpenCallContext(id)
	stop := call(t, m, management.Call{Caller: alice, Method: "stop_canister"}, rec)
	if !stop.Pending {
		t.Fatal("stop with open calls did not wait")
	}
	if done := m.CloseCallContext(id); done != nil {
		t.Fatal("stopped with a call still open")
	}
	start := call(t, m, management.Call{Caller: alice, Method: "start_canister"}, rec)
	if len(start.Completed) != 1 || start.Completed[0].Ticket != stop.Ticket ||
		start.Completed[0].Response.ErrorCode != 511 {
		t.Fatalf("start did not cancel the pending stop: %+v", start.Completed)
	}
	if st, _ := m.Cube(id); st.Status != execution.Running {
		t.Fatalf("status %d", st.Status)
	}
	// Uninstall drops the code and the open calls.
	call(t, m, management.Call{Caller: alice, Method: "uninstall_code"}, management.UninstallCodeArgs{CanisterID: id.Principal()})
	st, _ := m.Cube(id)
	if st.Wasm != nil || st.OpenCallContexts != 0 || st.Memory.Len() != 0 {
		t.Fatalf("after uninstall: %+v", st)
	}
	out, err := m.Execute(context.Background(), id, execution.Input{Kind: execution.KindUpdate, Method: "hi", Caller: alice})
	if err != nil || out.Response.ErrorCode != execution.CodeCanisterWasmModuleNotFound {
		t.Fatalf("call after uninstall: %+v %v", out.Response, err)
	}
}

func TestBadCalls(t *testing.T) {
	m, _ := scriptedEnv(t, execution.Costs{}, 1)
	id := mustCreate(t, m, alice, 1)
	if r := call(t, m, management.Call{Caller: alice, Method: "no_such_method"}, nil); r.Response.ErrorCode != execution.CodeUnknownManagementMessage {
		t.Fatalf("unknown method: %+v", r.Response)
	}
	if r := call(t, m, management.Call{Caller: alice, Method: "start_canister", Arg: []byte("DIDL\x00\x01\x7d")}, nil); r.Response.ErrorCode != execution.CodeInvalidManagementPayload {
		t.Fatalf("bad payload: %+v", r.Response)
	}
	big := candid.NewNat(101)
	if r := call(t, m, management.Call{Caller: alice, Method: "update_settings"}, management.UpdateSettingsArgs{
		CanisterID: id.Principal(), Settings: management.CanisterSettings{ComputeAllocation: &big}}); r.Response.ErrorCode != execution.CodeInvalidManagementPayload {
		t.Fatalf("compute allocation 101: %+v", r.Response)
	}
	if r := call(t, m, management.Call{Caller: alice, Method: "canister_status"},
		management.CanisterIDRecord{CanisterID: bigfile.CubeID(77).Principal()}); r.Response.ErrorCode != execution.CodeCanisterNotFound {
		t.Fatalf("missing cube: %+v", r.Response)
	}
	// The cube itself may read its status.
	if r := call(t, m, management.Call{Caller: id.Principal(), Method: "canister_status"},
		management.CanisterIDRecord{CanisterID: id.Principal()}); r.Response.Kind != execution.Replied {
		t.Fatalf("self status: %+v", r.Response)
	}
}

// FuzzCall sends arbitrary arguments to every method: the manager must
// answer (reply or reject) without a Go error or a panic.
func FuzzCall(f *testing.F) {
	methods := []string{"create_canister", "provisional_create_canister_with_cycles", "provisional_top_up_canister",
		"install_code", "uninstall_code", "update_settings", "start_canister", "stop_canister", "canister_status",
		"delete_canister", "deposit_cycles", "raw_rand"}
	rec, _ := candid.Marshal(management.CanisterIDRecord{CanisterID: bigfile.CubeID(1).Principal()})
	f.Add(uint8(0), []byte("DIDL\x00\x00"))
	f.Add(uint8(8), rec)
	f.Add(uint8(5), []byte("DIDL\x01\x6c\x01\xb3\xc4\xb1\xf2\x04\x68\x01\x00\x01\x0a\x00\x00\x00\x00\x00\x00\x00\x01\x01\x01"))
	f.Fuzz(func(t *testing.T, mi uint8, arg []byte) {
		m, _ := scriptedEnv(t, execution.Costs{Subnet: execution.SubnetS4}, 1)
		mustCreate(t, m, alice, 1_000)
		for _, caller := range []bigfile.Principal{alice, bigfile.CubeID(1).Principal()} {
			r, err := m.Call(context.Background(), management.Call{Caller: caller, Method: methods[int(mi)%len(methods)],
				Arg: arg, Cycles: bigfile.CyclesFromUint64(1 << 40)})
			if err != nil {
				t.Fatal(err)
			}
			if r.Response.Kind == execution.NoResponse && !r.Pending {
				t.Fatalf("no answer: %+v", r)
			}
		}
	})
}
