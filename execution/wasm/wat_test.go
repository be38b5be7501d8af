package wasm_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
)

// probe builds a module that imports every System API function of its
// pointer width as $<name> and exports the given entry points. In bodies,
// "P.const" is the pointer-width constant (i32.const or i64.const) and
// "P.X" any pointer-width instruction.
func probe(t testing.TB, mem64 bool, entries map[string]string, extra string) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("(module\n")
	for _, im := range execution.Imports(mem64) {
		fmt.Fprintf(&b, "  (import \"ic0\" %q (func $%s", im.Name, im.Name)
		if len(im.Params) > 0 {
			b.WriteString(" (param")
			for _, p := range im.Params {
				b.WriteString(" " + valType(p))
			}
			b.WriteString(")")
		}
		if len(im.Results) > 0 {
			b.WriteString(" (result " + valType(im.Results[0]) + ")")
		}
		b.WriteString("))\n")
	}
	if mem64 {
		b.WriteString("  (memory i64 1)\n")
	} else {
		b.WriteString("  (memory 1)\n")
	}
	b.WriteString(extra + "\n")
	for name, body := range entries {
		fmt.Fprintf(&b, "  (func (export %q)\n%s)\n", name, body)
	}
	b.WriteString(")\n")
	src := b.String()
	p := "i32."
	if mem64 {
		p = "i64."
	}
	src = strings.ReplaceAll(src, "P.", p)
	return wat(t, src)
}

func valType(v execution.ValueType) string {
	if v == execution.I64 {
		return "i64"
	}
	return "i32"
}

// replyMem replies with memory[0:n].
func replyMem(n int) string {
	return fmt.Sprintf("(call $msg_reply_data_append (P.const 0) (P.const %d)) (call $msg_reply)", n)
}

func widths(t *testing.T, f func(t *testing.T, mem64 bool)) {
	for _, mem64 := range []bool{false, true} {
		name := "i32"
		if mem64 {
			name = "i64"
		}
		t.Run(name, func(t *testing.T) { f(t, mem64) })
	}
}

func wantErr(t *testing.T, out execution.Output, code execution.ErrorCode, substr string) {
	t.Helper()
	if out.Err == nil {
		t.Fatalf("no error (response %+v), want %s %q", out.Response, code, substr)
	}
	if out.Err.Code != code || !strings.Contains(out.Err.Message, substr) {
		t.Fatalf("error %v, want %s containing %q", out.Err, code, substr)
	}
	if out.Response.Kind == execution.Rejected && out.Response.Code != code.RejectCode() {
		t.Fatalf("reject code %d, want %d", out.Response.Code, code.RejectCode())
	}
}

func TestCopyOutOfBounds(t *testing.T) {
	widths(t, func(t *testing.T, mem64 bool) {
		maxP := "-1" // the largest unsigned pointer value
		// Each case calls one function with out-of-range arguments in the
		// given entry point kind.
		type tc struct {
			name, call, want string
			kind             execution.Kind
		}
		blobs := []string{"msg_arg_data", "msg_caller", "canister_self", "subnet_self", "root_key",
			"msg_caller_info_data", "msg_caller_info_signer"}
		var cases []tc
		for _, bl := range blobs {
			cases = append(cases,
				tc{bl + "/dst", fmt.Sprintf("(call $%s_copy (P.const 65530) (P.const 0) (P.const 10))", bl), "exceeds", 0},
				tc{bl + "/src", fmt.Sprintf("(call $%s_copy (P.const 0) (P.const 40) (P.const 1))", bl), "exceeds the slice size", 0},
				tc{bl + "/overflow", fmt.Sprintf("(call $%s_copy (P.const 0) (P.const %s) (P.const 2))", bl, maxP), "exceeds the slice size", 0},
			)
		}
		cases = append(cases,
			tc{"data_certificate/src", "(call $data_certificate_copy (P.const 0) (P.const 3) (P.const 2))", "exceeds the slice size", execution.KindQuery},
			tc{"data_certificate/dst", "(call $data_certificate_copy (P.const 65535) (P.const 0) (P.const 2))", "exceeds the Wasm memory", execution.KindQuery},
			tc{"msg_method_name/dst", "(call $msg_method_name_copy (P.const 65535) (P.const 0) (P.const 2))", "exceeds the Wasm memory", execution.KindInspectMessage},
			tc{"msg_method_name/src", "(call $msg_method_name_copy (P.const 0) (P.const 1) (P.const 2))", "exceeds the slice size", execution.KindInspectMessage},
			tc{"env_var_name", "(call $env_var_name_copy (P.const 0) (P.const 0) (P.const 1) (P.const 10))", "exceeds the slice size", 0},
			tc{"env_var_value", "(i64.store (P.const 0) (i64.const 0x65756c6176)) (call $env_var_value_copy (P.const 0) (P.const 5) (P.const 65535) (P.const 0) (P.const 2))", "exceeds the Wasm memory", 0},
			tc{"stable64_read/dst", "(drop (call $stable64_grow (i64.const 1))) (call $stable64_read (i64.const 65535) (i64.const 0) (i64.const 2))", "exceeds the Wasm memory", 0},
			tc{"stable64_read/src", "(drop (call $stable64_grow (i64.const 1))) (call $stable64_read (i64.const 0) (i64.const 65535) (i64.const 2))", "exceeds the stable memory", 0},
			tc{"stable64_read/overflow", "(drop (call $stable64_grow (i64.const 1))) (call $stable64_read (i64.const 0) (i64.const -1) (i64.const 2))", "exceeds the stable memory", 0},
			tc{"stable64_write/dst", "(drop (call $stable64_grow (i64.const 1))) (call $stable64_write (i64.const 65535) (i64.const 0) (i64.const 2))", "exceeds the stable memory", 0},
			tc{"stable64_write/src", "(drop (call $stable64_grow (i64.const 1))) (call $stable64_write (i64.const 0) (i64.const 65535) (i64.const 2))", "exceeds the Wasm memory", 0},
			tc{"msg_reply_data_append", "(call $msg_reply_data_append (P.const 65535) (P.const 2))", "exceeds the Wasm memory", 0},
			tc{"msg_reject", "(call $msg_reject (P.const 65535) (P.const 2))", "exceeds the Wasm memory", 0},
			tc{"certified_data_set", "(call $certified_data_set (P.const 65535) (P.const 2))", "exceeds the Wasm memory", 0},
			tc{"is_controller", "(drop (call $is_controller (P.const 65535) (P.const 2)))", "exceeds the Wasm memory", 0},
			tc{"trap", "(call $trap (P.const 65535) (P.const 2))", "exceeds the Wasm memory", 0},
			tc{"env_var_name_exists", "(drop (call $env_var_name_exists (P.const 65535) (P.const 2)))", "exceeds the Wasm memory", 0},
			tc{"msg_cycles_available128", "(call $msg_cycles_available128 (P.const 65530))", "exceeds the Wasm memory", 0},
			tc{"msg_cycles_accept128", "(call $msg_cycles_accept128 (i64.const 0) (i64.const 0) (P.const 65530))", "exceeds the Wasm memory", 0},
			tc{"canister_cycle_balance128", "(call $canister_cycle_balance128 (P.const 65530))", "exceeds the Wasm memory", 0},
			tc{"canister_liquid_cycle_balance128", "(call $canister_liquid_cycle_balance128 (P.const 65530))", "exceeds the Wasm memory", 0},
			tc{"cycles_burn128", "(call $cycles_burn128 (i64.const 0) (i64.const 0) (P.const 65530))", "exceeds the Wasm memory", 0},
		)
		if !mem64 {
			cases = append(cases,
				tc{"stable_read", "(drop (call $stable_grow (i32.const 1))) (call $stable_read (i32.const 65535) (i32.const 0) (i32.const 2))", "exceeds the Wasm memory", 0},
				tc{"stable_write", "(drop (call $stable_grow (i32.const 1))) (call $stable_write (i32.const 65535) (i32.const 0) (i32.const 2))", "exceeds the stable memory", 0},
			)
		}
		cfg := execution.Config{RootKey: []byte{1, 2, 3, 4}}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				entry := "canister_update go"
				kind := execution.KindUpdate
				switch c.kind {
				case execution.KindQuery:
					entry, kind = "canister_query go", c.kind
				case execution.KindInspectMessage:
					entry, kind = "canister_inspect_message", c.kind
				}
				x := newExecutor(t, cfg)
				cb := newCube(t, x)
				cb.st.EnvVars = []execution.EnvVar{{Name: "value", Value: "xyz"}}
				cb.mustInstall(probe(t, mem64, map[string]string{entry: c.call + replyMem(0)}, ""))
				before := cb.st
				out := cb.exec(execution.Input{Kind: kind, Method: "go", Arg: []byte("twelve bytes"),
					DataCertificate: []byte("cert")})
				wantErr(t, out, execution.CodeCanisterContractViolation, c.want)
				if !cb.st.Equal(before) {
					t.Fatal("state changed by a trapping message")
				}
			})
		}
	})
}

func TestCopyInBounds(t *testing.T) {
	widths(t, func(t *testing.T, mem64 bool) {
		x := newExecutor(t, execution.Config{})
		c := newCube(t, x)
		// Copy the caller, self and argument next to each other and reply.
		body := `
			(call $msg_caller_copy (P.const 0) (P.const 0) (call $msg_caller_size))
			(call $canister_self_copy (P.const 1) (P.const 0) (call $canister_self_size))
			(call $msg_arg_data_copy (P.const 11) (P.const 2) (P.const 3))
			(call $debug_print (P.const 65535) (P.const 100))
			(call $debug_print (P.const 11) (P.const 3))
			(call $msg_reply_data_append (P.const 0) (P.const 14)) (call $msg_reply)`
		c.mustInstall(probe(t, mem64, map[string]string{"canister_update go": body}, ""))
		got := string(reply(t, c.update("go", []byte("abcdef"))))
		want := "\x04" + string(testCube.Principal().Bytes()) + "cde"
		if got != want {
			t.Fatalf("reply %q, want %q", got, want)
		}
		// debug_print never traps; an out-of-bounds print logs a note.
		recs := c.st.Log.Records
		if len(recs) != 2 || string(recs[1].Content) != "cde" {
			t.Fatalf("log %+v", recs)
		}
	})
}

func TestContextRules(t *testing.T) {
	widths(t, func(t *testing.T, mem64 bool) {
		type tc struct {
			name, entry, body, want string
			kind                    execution.Kind
		}
		cases := []tc{
			{"reply in init", "canister_init", "(call $msg_reply)", `"ic0_msg_reply" cannot be executed in init mode`, execution.KindInstall},
			{"caller in start", "start", "(drop (call $msg_caller_size))", `"ic0_msg_caller_size" cannot be executed in start mode`, execution.KindInstall},
			{"arg in heartbeat", "canister_heartbeat", "(drop (call $msg_arg_data_size))", `cannot be executed in system task mode`, execution.KindHeartbeat},
			{"reply in timer", "canister_global_timer", "(call $msg_reply)", `"ic0_msg_reply" cannot be executed in system task mode`, execution.KindGlobalTimer},
			{"timer in query", "canister_query go", "(drop (call $global_timer_set (i64.const 1)))", `cannot be executed in non replicated query mode`, execution.KindQuery},
			{"certified data in query", "canister_query go", "(call $certified_data_set (P.const 0) (P.const 1))", `cannot be executed in non replicated query mode`, execution.KindQuery},
			{"root key in query", "canister_query go", "(drop (call $root_key_size))", `cannot be executed in non replicated query mode`, execution.KindQuery},
			{"accept in update", "canister_update go", "(call $accept_message)", `"ic0_accept_message" cannot be executed in update mode`, execution.KindUpdate},
			{"reject code in update", "canister_update go", "(drop (call $msg_reject_code))", `cannot be executed in update mode`, execution.KindUpdate},
			{"reply in inspect", "canister_inspect_message", "(call $msg_reply)", `cannot be executed in inspect message mode`, execution.KindInspectMessage},
			{"call in query", "canister_query go", "(call $call_perform) drop", `"ic0_call_perform" cannot be executed in non replicated query mode`, execution.KindQuery},
			{"reply in pre_upgrade", "canister_pre_upgrade", "(call $msg_reply)", `cannot be executed in pre upgrade mode`, execution.KindUpgrade},
			{"perform without call_new", "canister_update go", "(call $call_perform) drop", `no call is being built`, execution.KindUpdate},
			{"cost not implemented", "canister_update go", "(call $cost_create_canister (P.const 0))", `ic0.cost_create_canister not implemented`, execution.KindUpdate},
			{"reply twice", "canister_update go", replyMem(0) + replyMem(0), `already replied`, execution.KindUpdate},
			{"reject after reply", "canister_update go", replyMem(0) + "(call $msg_reject (P.const 0) (P.const 1))", `already replied`, execution.KindUpdate},
			{"perf counter type", "canister_update go", "(drop (call $performance_counter (i32.const 7)))", `unknown counter type 7`, execution.KindUpdate},
			{"big certified data", "canister_update go", "(call $certified_data_set (P.const 0) (P.const 33))", `exceeds 32 bytes`, execution.KindUpdate},
			{"bad principal", "canister_update go", "(drop (call $is_controller (P.const 0) (P.const 30)))", `not a valid principal`, execution.KindUpdate},
			{"reject bad utf8", "canister_update go", "(i32.store8 (P.const 0) (i32.const 255)) (call $msg_reject (P.const 0) (P.const 1))", `not valid UTF-8`, execution.KindUpdate},
			{"accept twice", "canister_inspect_message", "(call $accept_message) (call $accept_message)", `already accepted`, execution.KindInspectMessage},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				x := newExecutor(t, execution.Config{})
				cb := newCube(t, x)
				entries := map[string]string{}
				extra := ""
				if c.entry == "start" {
					extra = "(func $start " + c.body + ") (start $start)"
				} else {
					entries[c.entry] = c.body
				}
				wasm := probe(t, mem64, entries, extra)
				var out execution.Output
				switch c.kind {
				case execution.KindInstall:
					out = cb.install(wasm, nil)
				case execution.KindUpgrade:
					cb.mustInstall(wasm)
					out = cb.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: wasm})
				default:
					cb.mustInstall(wasm)
					out = cb.exec(execution.Input{Kind: c.kind, Method: "go"})
				}
				wantErr(t, out, execution.CodeCanisterContractViolation, c.want)
			})
		}
	})
}

func TestStableMemoryLimit(t *testing.T) {
	widths(t, func(t *testing.T, mem64 bool) {
		x := newExecutor(t, execution.Config{MaxStableMemory: 10 * 65536})
		c := newCube(t, x)
		body := `
			(i64.store (P.const 0) (call $stable64_grow (i64.const 5)))
			(i64.store (P.const 8) (call $stable64_grow (i64.const 6)))
			(i64.store (P.const 16) (call $stable64_grow (i64.const 5)))
			(i64.store (P.const 24) (call $stable64_grow (i64.const 1)))
			(i64.store (P.const 32) (call $stable64_size))
			(i64.store (P.const 40) (call $stable64_grow (i64.const -1)))
			` + replyMem(48)
		c.mustInstall(probe(t, mem64, map[string]string{"canister_update go": body}, ""))
		got := reply(t, c.update("go", nil))
		want := []int64{0, -1, 5, -1, 10, -1}
		for i, w := range want {
			if g := int64(binary.LittleEndian.Uint64(got[8*i:])); g != w {
				t.Fatalf("result %d = %d, want %d", i, g, w)
			}
		}
		if c.st.Stable.Len() != 10*65536 {
			t.Fatalf("stable memory is %d bytes", c.st.Stable.Len())
		}
	})
	t.Run("stable_grow", func(t *testing.T) {
		x := newExecutor(t, execution.Config{MaxStableMemory: 4 * 65536})
		c := newCube(t, x)
		body := `
			(i32.store (i32.const 0) (call $stable_grow (i32.const 3)))
			(i32.store (i32.const 4) (call $stable_grow (i32.const 2)))
			(i32.store (i32.const 8) (call $stable_size))
			` + replyMem(12)
		c.mustInstall(probe(t, false, map[string]string{"canister_update go": body}, ""))
		got := reply(t, c.update("go", nil))
		for i, w := range []int32{0, -1, 3} {
			if g := int32(binary.LittleEndian.Uint32(got[4*i:])); g != w {
				t.Fatalf("result %d = %d, want %d", i, g, w)
			}
		}
	})
}

func TestStatePersistsAndRollsBack(t *testing.T) {
	widths(t, func(t *testing.T, mem64 bool) {
		x := newExecutor(t, execution.Config{})
		c := newCube(t, x)
		// $g counts start runs (must be 1), memory[100] counts updates,
		// stable memory byte 0 counts updates, certified data and the timer
		// are set; "fail" changes everything and then traps.
		extra := `
			(global $starts (mut i32) (i32.const 0))
			(global $calls (mut i64) (i64.const 0))
			(func $start (global.set $starts (i32.add (global.get $starts) (i32.const 1))))
			(start $start)
			(func $bump
				(global.set $calls (i64.add (global.get $calls) (i64.const 1)))
				(i32.store (P.const 100) (i32.add (i32.load (P.const 100)) (i32.const 1)))
				(call $stable64_read (i64.const 200) (i64.const 0) (i64.const 1))
				(i32.store8 (P.const 200) (i32.add (i32.load8_u (P.const 200)) (i32.const 1)))
				(call $stable64_write (i64.const 0) (i64.const 200) (i64.const 1)))
			(func $bumpSys
				(call $bump)
				(call $certified_data_set (P.const 100) (P.const 4))
				(drop (call $global_timer_set (i64.const 77))))
			(func $report
				(i32.store (P.const 0) (global.get $starts))
				(i64.store (P.const 4) (global.get $calls))
				(i32.store (P.const 12) (i32.load (P.const 100)))
				(call $stable64_read (i64.const 16) (i64.const 0) (i64.const 1)))`
		entries := map[string]string{
			"canister_init":      "(drop (call $stable64_grow (i64.const 1)))",
			"canister_update go": "(call $bumpSys) (call $report)" + replyMem(17),
			"canister_update fail": "(call $bumpSys) (call $bumpSys) (drop (memory.grow (P.const 3)))" +
				"(call $debug_print (P.const 0) (P.const 4)) unreachable",
			"canister_query peek":  "(call $bump) (call $report)" + replyMem(17),
			"canister_query bumpq": "(call $bump)" + replyMem(0),
		}
		c.mustInstall(probe(t, mem64, entries, extra))
		check := func(out execution.Output, calls int) {
			t.Helper()
			got := reply(t, out)
			starts := binary.LittleEndian.Uint32(got)
			g := binary.LittleEndian.Uint64(got[4:])
			m := binary.LittleEndian.Uint32(got[12:])
			s := got[16]
			if starts != 1 || g != uint64(calls) || m != uint32(calls) || s != byte(calls) {
				t.Fatalf("starts %d, global %d, memory %d, stable %d; want 1, %d, %d, %d", starts, g, m, s, calls, calls, calls)
			}
		}
		check(c.update("go", nil), 1)
		check(c.update("go", nil), 2)
		if c.st.GlobalTimer != 77 || string(c.st.CertifiedData) != "\x02\x00\x00\x00" {
			t.Fatalf("timer %d, certified data %x", c.st.GlobalTimer, c.st.CertifiedData)
		}
		// Clear the timer and certified data by hand (as after a fired timer)
		// to see that a trap does not set them again.
		st := *c.st
		st.GlobalTimer, st.CertifiedData = 0, nil
		c.st = &st
		before := c.st
		out := c.update("fail", nil)
		wantErr(t, out, execution.CodeCanisterTrapped, "Canister trapped: unreachable")
		if !c.st.Equal(before) || c.st.GlobalTimer != 0 || c.st.CertifiedData != nil {
			t.Fatal("a trap did not roll everything back")
		}
		if len(out.Log) != 1 || len(c.st.Log.Records) != 1 {
			t.Fatalf("the trapping message's log was not kept: %+v", out.Log)
		}
		// Queries see the state (plus their own changes) and discard them.
		check(c.query("peek", nil), 3)
		check(c.exec(execution.Input{Kind: execution.KindReplicatedQuery, Method: "peek"}), 3)
		reply(t, c.query("bumpq", nil))
		check(c.update("go", nil), 3)
		if c.st.Memory.Len() != 65536 {
			t.Fatalf("memory grew to %d bytes in a rolled-back message", c.st.Memory.Len())
		}
	})
}

func TestUpgradeKeepsStableMemory(t *testing.T) {
	widths(t, func(t *testing.T, mem64 bool) {
		x := newExecutor(t, execution.Config{})
		c := newCube(t, x)
		entries := map[string]string{
			"canister_init":        "(drop (call $stable64_grow (i64.const 1))) (i32.store (P.const 0) (i32.const 42))",
			"canister_pre_upgrade": `(call $stable64_write (i64.const 0) (i64.const 0) (i64.const 4))`,
			"canister_post_upgrade": `(call $stable64_read (i64.const 4) (i64.const 0) (i64.const 4))
				(call $msg_arg_data_copy (P.const 8) (P.const 0) (call $msg_arg_data_size))`,
			"canister_query get": replyMem(12),
		}
		wasm := probe(t, mem64, entries, "")
		c.mustInstall(wasm)
		wantReply(t, c.query("get", nil), []byte{42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
		out := c.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: wasm, Arg: []byte("abcd")})
		if out.Err != nil {
			t.Fatal(out.Err)
		}
		// The heap was cleared; stable memory carried the value across.
		wantReply(t, c.query("get", nil), []byte{0, 0, 0, 0, 42, 0, 0, 0, 'a', 'b', 'c', 'd'})
		// A non-EOP module cannot keep its heap with a module that lacks the section.
		out = c.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: wasm, Persistence: execution.PersistenceKeep})
		wantErr(t, out, execution.CodeCanisterContractViolation, "requires that the new canister module supports enhanced orthogonal persistence")
		// A trapping post_upgrade rolls the whole upgrade back.
		bad := probe(t, mem64, map[string]string{"canister_post_upgrade": "unreachable"}, "")
		before := c.st
		out = c.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: bad})
		wantErr(t, out, execution.CodeCanisterTrapped, "unreachable")
		if !c.st.Equal(before) {
			t.Fatal("a failed upgrade changed the state")
		}
		wantReply(t, c.query("get", nil), []byte{0, 0, 0, 0, 42, 0, 0, 0, 'a', 'b', 'c', 'd'})
	})
}

func TestResponses(t *testing.T) {
	widths(t, func(t *testing.T, mem64 bool) {
		x := newExecutor(t, execution.Config{})
		c := newCube(t, x)
		entries := map[string]string{
			"canister_update reject": `(i32.store (P.const 0) (i32.const 0x216f6e)) (call $msg_reject (P.const 0) (P.const 3))`,
			"canister_update silent": `(i32.store (P.const 0) (i32.const 9))`,
			"canister_query time":    `(i64.store (P.const 0) (call $time)) ` + replyMem(8),
			"canister_inspect_message": `(call $msg_method_name_copy (P.const 0) (P.const 0) (call $msg_method_name_size))
				(if (i32.eq (i32.load8_u (P.const 0)) (i32.const 0x6f)) (then (call $accept_message)))`,
			"canister_query counter": `(i64.store (P.const 0) (call $performance_counter (i32.const 0))) ` + replyMem(8),
		}
		c.mustInstall(probe(t, mem64, entries, ""))
		out := c.update("reject", nil)
		if out.Err != nil || out.Response.Kind != execution.Rejected || out.Response.Code != bigfile.RejectCanisterReject ||
			out.Response.Message != "no!" || out.Response.ErrorCode != 0 {
			t.Fatalf("reject: %+v %v", out.Response, out.Err)
		}
		// An update that does not reply is an error, but its changes stay.
		out = c.update("silent", nil)
		wantErr(t, out, execution.CodeCanisterDidNotReply, "did not reply")
		if c.st.Memory.Bytes()[0] != 9 {
			t.Fatal("the changes of an update without a reply were dropped")
		}
		out = c.exec(execution.Input{Kind: execution.KindQuery, Method: "time", Time: 123456789})
		if got := binary.LittleEndian.Uint64(reply(t, out)); got != 123456789 {
			t.Fatalf("time = %d", got)
		}
		if out := c.exec(execution.Input{Kind: execution.KindInspectMessage, Method: "ok"}); !out.Accepted || out.Err != nil {
			t.Fatalf("inspect ok: %+v", out)
		}
		out = c.exec(execution.Input{Kind: execution.KindInspectMessage, Method: "nope"})
		if out.Accepted {
			t.Fatal("inspect accepted a message it did not accept")
		}
		wantErr(t, out, execution.CodeCanisterRejectedMessage, "rejected the message")
		out = c.query("counter", nil)
		if n := binary.LittleEndian.Uint64(reply(t, out)); n == 0 || n > out.Instructions {
			t.Fatalf("performance_counter = %d, instructions %d", n, out.Instructions)
		}
	})
}

var _ = math.MaxInt64

func TestSystemTasksAndReinstall(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	entries := map[string]string{
		"canister_init":         "(drop (call $stable64_grow (i64.const 1)))",
		"canister_heartbeat":    "(i32.store (P.const 0) (i32.add (i32.load (P.const 0)) (i32.const 1)))",
		"canister_global_timer": "(i32.store (P.const 4) (call $msg_caller_size)) (drop (call $global_timer_set (i64.const 99)))",
		"canister_query get":    replyMem(8),
	}
	wasm := probe(t, false, entries, "")
	c.mustInstall(wasm)
	for i := 0; i < 2; i++ {
		if out := c.exec(execution.Input{Kind: execution.KindHeartbeat}); out.Err != nil || out.Response.Kind != execution.NoResponse {
			t.Fatalf("heartbeat: %+v", out)
		}
	}
	st := *c.st
	st.GlobalTimer = 5 // due; the scheduler runs the timer
	c.st = &st
	if out := c.exec(execution.Input{Kind: execution.KindGlobalTimer, Caller: bigfile.Anonymous}); out.Err != nil {
		t.Fatal(out.Err)
	}
	// Two heartbeats, the timer saw the management cube (empty caller) and re-armed itself.
	wantReply(t, c.query("get", nil), []byte{2, 0, 0, 0, 0, 0, 0, 0})
	if c.st.GlobalTimer != 99 || c.st.Stable.Len() != 65536 {
		t.Fatalf("timer %d, stable %d", c.st.GlobalTimer, c.st.Stable.Len())
	}
	// Reinstall starts from scratch: heap, stable memory, timer.
	if out := c.exec(execution.Input{Kind: execution.KindReinstall, Wasm: probe(t, false, map[string]string{"canister_query get": replyMem(8)}, ""), Arg: nil}); out.Err != nil {
		t.Fatal(out.Err)
	}
	wantReply(t, c.query("get", nil), make([]byte, 8))
	if c.st.GlobalTimer != 0 || c.st.Stable.Len() != 0 {
		t.Fatalf("reinstall kept timer %d or stable memory %d", c.st.GlobalTimer, c.st.Stable.Len())
	}
	// A cube without code rejects messages with IC0537.
	empty := newCube(t, x)
	wantErr(t, empty.update("get", nil), execution.CodeCanisterWasmModuleNotFound, "contains no Wasm module")
}

func TestCanisterVersion(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	entries := map[string]string{
		"canister_init":         "(i64.store (P.const 0) (call $canister_version))",
		"canister_pre_upgrade":  "(i64.store (P.const 8) (call $canister_version)) (call $stable64_write (i64.const 0) (i64.const 8) (i64.const 8))",
		"canister_post_upgrade": "(call $stable64_read (i64.const 8) (i64.const 0) (i64.const 8)) (i64.store (P.const 16) (call $canister_version))",
		"canister_update now":   "(i64.store (P.const 24) (call $canister_version))" + replyMem(32),
	}
	wasm := probe(t, false, entries, "(func $s (drop (call $stable64_grow (i64.const 1)))) (start $s)")
	c.mustInstall(wasm)
	got := reply(t, c.update("now", nil))
	if v := binary.LittleEndian.Uint64(got); v != 1 {
		t.Fatalf("init saw version %d, want 1", v)
	}
	if v := binary.LittleEndian.Uint64(got[24:]); v != 1 {
		t.Fatalf("first update saw version %d, want 1", v)
	}
	if out := c.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: wasm}); out.Err != nil {
		t.Fatal(out.Err)
	}
	got = reply(t, c.update("now", nil))
	pre, post, now := binary.LittleEndian.Uint64(got[8:]), binary.LittleEndian.Uint64(got[16:]), binary.LittleEndian.Uint64(got[24:])
	if pre != 2 || post != 3 || now != 3 {
		t.Fatalf("versions: pre_upgrade %d, post_upgrade %d, update %d; want 2, 3, 3", pre, post, now)
	}
}
