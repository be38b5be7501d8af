package execution

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMemoryAgainstNaive applies random writes to a plain byte slice and
// derives Memory versions from it; every version must equal its slice,
// and old versions must stay unchanged.
func TestMemoryAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var cur []byte
	var m Memory
	type version struct {
		m    Memory
		want []byte
	}
	var versions []version
	for step := 0; step < 200; step++ {
		if r.IntN(10) == 0 {
			cur = append(cur, make([]byte, PageSize*(1+r.IntN(5)))...)
		}
		for w := r.IntN(20); w > 0 && len(cur) > 0; w-- {
			cur[r.IntN(len(cur))] = byte(r.Uint32())
		}
		if r.IntN(8) == 0 && len(cur) > 0 {
			i := r.IntN(len(cur))
			cur[i] = 0 // writes that restore zeros
		}
		next, changed := m.Update(cur)
		if !bytes.Equal(next.Bytes(), cur) {
			t.Fatalf("step %d: memory differs from its source", step)
		}
		if changed > next.NumPages() {
			t.Fatalf("changed %d > pages %d", changed, next.NumPages())
		}
		if m.Len() == next.Len() && changed == 0 && !m.Equal(next) {
			t.Fatal("no change reported for different memories")
		}
		m = next
		versions = append(versions, version{m, bytes.Clone(cur)})
	}
	for i, v := range versions {
		if !bytes.Equal(v.m.Bytes(), v.want) {
			t.Fatalf("version %d changed after later updates", i)
		}
	}
}

func TestMemoryCopyTo(t *testing.T) {
	src := make([]byte, 3*PageSize)
	src[5], src[PageSize+7] = 1, 2
	m := NewMemory(src)
	dst := bytes.Repeat([]byte{9}, 4*PageSize)
	m.CopyTo(dst)
	if !bytes.Equal(dst[:3*PageSize], src) || dst[3*PageSize] != 9 {
		t.Fatal("CopyTo wrote the wrong bytes")
	}
	if m.Page(2) != nil {
		t.Fatal("an all-zero page was allocated")
	}
}

func TestMemWriterCopyOnWrite(t *testing.T) {
	base := NewMemory(bytes.Repeat([]byte{1}, 2*PageSize))
	w := newMemWriter(base)
	w.write(PageSize-2, []byte{7, 7, 7, 7})
	w.grow(PageSize)
	w.write(2*PageSize, []byte{5})
	got := w.memory().Bytes()
	if got[PageSize-2] != 7 || got[PageSize+1] != 7 || got[PageSize+2] != 1 || got[2*PageSize] != 5 || len(got) != 3*PageSize {
		t.Fatal("writes not applied")
	}
	if !bytes.Equal(base.Bytes(), bytes.Repeat([]byte{1}, 2*PageSize)) {
		t.Fatal("the original memory was modified")
	}
	buf := make([]byte, 6)
	w.read(buf, PageSize-3)
	if !bytes.Equal(buf, []byte{1, 7, 7, 7, 7, 1}) {
		t.Fatalf("read %v", buf)
	}
}

func TestLogTrim(t *testing.T) {
	var l Log
	for i := 0; i < 10; i++ {
		l = l.appendRecords([]LogRecord{{Content: bytes.Repeat([]byte{'x'}, 10)}}, 35)
	}
	if len(l.Records) != 3 || l.Records[0].Index != 7 || l.NextIndex != 10 {
		t.Fatalf("log %+v", l)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := ICConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Config{
		{MaxInstructionsPerSlice: 10, MaxInstructionsPerMessage: 5},
		{MaxWasm32Memory: 8 << 30},
		{MaxStableMemory: 1000},
		{MaxLogBytes: -1},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v validated", c)
		}
	}
	d := (Config{MaxInstructionsPerMessage: 7}).withDefaults()
	if d.MaxInstructionsPerMessage != 7 || d.MaxInstructionsPerInstall != 200_000_000_000 {
		t.Fatalf("defaults %+v", d)
	}
}

// TestSystemAPITable checks the table against the spec's list: every
// function is present with the right signature shape, and the i32-only
// ones are absent for wasm64.
func TestSystemAPITable(t *testing.T) {
	spec := map[string]string{ // name -> params/results, P = pointer
		"msg_arg_data_copy": "PPP/", "msg_reply_data_append": "PP/", "call_new": "PPPPPPPP/",
		"msg_cycles_accept128": "88P/", "stable64_grow": "8/8", "performance_counter": "4/8",
		"env_var_value_copy": "PPPPP/", "cost_sign_with_ecdsa": "PP4P/4", "msg_reject_code": "/4",
		"stable_grow": "4/4", "canister_cycle_balance": "/8", "time": "/8", "is_controller": "PP/4",
	}
	// The complete current list (system-api.md Appendix A, 2026 spec).
	all := strings.Fields(`accept_message call_cycles_add call_cycles_add128 call_data_append call_new call_on_cleanup
		call_perform call_with_best_effort_response canister_cycle_balance canister_cycle_balance128 canister_liquid_cycle_balance128 canister_self_copy
		canister_self_size canister_status canister_version certified_data_set cost_call cost_create_canister
		cost_http_request cost_sign_with_ecdsa cost_sign_with_schnorr cost_vetkd_derive_key cycles_burn128 data_certificate_copy
		data_certificate_present data_certificate_size debug_print env_var_count env_var_name_copy env_var_name_exists
		env_var_name_size env_var_value_copy env_var_value_size global_timer_set in_replicated_execution is_controller
		msg_arg_data_copy msg_arg_data_size msg_caller_copy msg_caller_info_data_copy msg_caller_info_data_size msg_caller_info_signer_copy
		msg_caller_info_signer_size msg_caller_size msg_cycles_accept msg_cycles_accept128 msg_cycles_available msg_cycles_available128
		msg_cycles_refunded msg_cycles_refunded128 msg_deadline msg_method_name_copy msg_method_name_size msg_reject
		msg_reject_code msg_reject_msg_copy msg_reject_msg_size msg_reply msg_reply_data_append performance_counter
		root_key_copy root_key_size stable64_grow stable64_read stable64_size stable64_write
		stable_grow stable_read stable_size stable_write subnet_self_copy subnet_self_size
		time trap`)
	if len(sysFuncs) != len(all) {
		t.Errorf("%d System API functions, want %d", len(sysFuncs), len(all))
	}
	for _, name := range all {
		if _, ok := sysIndex[name]; !ok {
			t.Errorf("ic0.%s missing", name)
		}
	}
	for name, sig := range spec {
		i, ok := sysIndex[name]
		if !ok {
			t.Fatalf("%s missing", name)
		}
		if got := sysFuncs[i].params + "/" + sysFuncs[i].results; got != sig {
			t.Errorf("%s: %s, want %s", name, got, sig)
		}
	}
	for _, im := range Imports(true) {
		if sysFuncs[im.Index].only32 {
			t.Errorf("%s offered to a wasm64 module", im.Name)
		}
	}
	if len(Imports(false)) != len(sysFuncs) {
		t.Error("wasm32 modules must see every function")
	}
	// Spot-check context rules from system-api.md §1.3.
	for _, c := range []struct {
		fn  string
		ctx callContext
		ok  bool
	}{
		{"stable64_size", ctxStart, true}, {"msg_caller_size", ctxStart, false}, {"msg_reply", ctxInit, false},
		{"msg_reply", ctxNRQ, true}, {"global_timer_set", ctxRQ, false}, {"call_new", ctxT, true},
		{"call_cycles_add128", ctxCQ, false}, {"accept_message", ctxF, true}, {"data_certificate_copy", ctxUpdate, false},
	} {
		if got := sysFuncs[sysIndex[c.fn]].ctx.has(c.ctx); got != c.ok {
			t.Errorf("%s in %s: allowed %v, want %v", c.fn, c.ctx, got, c.ok)
		}
	}
}
