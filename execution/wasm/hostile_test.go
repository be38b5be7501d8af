package wasm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thebigfile/bigfile/execution"
)

func TestInfiniteLoopStopsAtInstructionLimit(t *testing.T) {
	const limit = 50_000_000
	x := newExecutor(t, execution.Config{MaxInstructionsPerMessage: limit, MaxInstructionsPerSlice: 10_000_000})
	c := newCube(t, x)
	c.mustInstall(probe(t, false, map[string]string{
		"canister_update spin":  "(loop $l (br $l))",
		"canister_heartbeat":    "(loop $l (br $l))",
		"canister_update after": replyMem(0),
	}, ""))
	before := c.st
	out := c.update("spin", nil)
	wantErr(t, out, execution.CodeCanisterInstructionLimitExceed,
		"Canister exceeded the limit of 50000000 instructions for single message execution.")
	if out.Instructions != limit {
		t.Fatalf("instructions %d, want %d", out.Instructions, limit)
	}
	if !c.st.Equal(before) {
		t.Fatal("state changed")
	}
	wantErr(t, c.exec(execution.Input{Kind: execution.KindHeartbeat}), execution.CodeCanisterInstructionLimitExceed, "instructions")
	reply(t, c.update("after", nil))
}

func TestQueryInstructionLimit(t *testing.T) {
	x := newExecutor(t, execution.Config{MaxInstructionsPerQuery: 1_000_000})
	c := newCube(t, x)
	c.mustInstall(probe(t, true, map[string]string{"canister_query spin": "(loop $l (br $l))"}, ""))
	wantErr(t, c.query("spin", nil), execution.CodeCanisterInstructionLimitExceed, "limit of 1000000 instructions")
}

func TestInstallInstructionLimit(t *testing.T) {
	x := newExecutor(t, execution.Config{MaxInstructionsPerInstall: 1_000_000})
	c := newCube(t, x)
	// The start function and canister_init share the install budget.
	out := c.install(probe(t, false, map[string]string{"canister_init": "(loop $l (br $l))"}, ""), nil)
	wantErr(t, out, execution.CodeCanisterInstructionLimitExceed, "limit of 1000000 instructions")
	if c.st.Wasm != nil {
		t.Fatal("a failed install left code behind")
	}
}

func TestCancelPausedExecution(t *testing.T) {
	// Cancellation is noticed at the next slice boundary (a fuel yield).
	x := newExecutor(t, execution.Config{MaxInstructionsPerSlice: 1_000_000})
	c := newCube(t, x)
	c.mustInstall(probe(t, false, map[string]string{"canister_update spin": "(loop $l (br $l))",
		"canister_update ok": replyMem(0)}, ""))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := x.Execute(ctx, c.st, execution.Input{Kind: execution.KindUpdate, Method: "spin"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a deadline error", err)
	}
	reply(t, c.update("ok", nil))
}

func TestMemoryBomb(t *testing.T) {
	widths(t, func(t *testing.T, mem64 bool) {
		const limit = 16 << 20
		x := newExecutor(t, execution.Config{MaxWasm32Memory: limit, MaxWasm64Memory: limit})
		c := newCube(t, x)
		c.mustInstall(probe(t, mem64, map[string]string{
			// Grow one page at a time until memory.grow fails, then report
			// the size; or trap.
			"canister_update grow": `(loop $l (br_if $l (P.ne (memory.grow (P.const 1)) (P.const -1))))
				(P.store (P.const 0) (memory.size))` + replyMem(4),
			"canister_update bomb": `(loop $l (br_if $l (P.ne (memory.grow (P.const 1)) (P.const -1)))) unreachable`,
			"canister_update huge": `(drop (memory.grow (P.const 1000000))) (P.store (P.const 0) (memory.size))` + replyMem(4),
		}, ""))
		wantErr(t, c.update("bomb", nil), execution.CodeCanisterTrapped, "unreachable")
		if c.st.Memory.Len() != 65536 {
			t.Fatalf("memory is %d bytes after a rolled-back bomb", c.st.Memory.Len())
		}
		if got := reply(t, c.update("huge", nil)); got[0] != 1 {
			t.Fatalf("memory.size after a huge grow = %d pages", got[0])
		}
		got := reply(t, c.update("grow", nil))
		if pages := int(got[0]) | int(got[1])<<8; pages != limit/65536 {
			t.Fatalf("memory stopped at %d pages, want %d", pages, limit/65536)
		}
		if c.st.Memory.Len() != limit {
			t.Fatalf("state memory %d bytes", c.st.Memory.Len())
		}
	})
}

func TestDeepRecursionIsStackOverflow(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(probe(t, true, map[string]string{
		"canister_update deep": "(call $rec (i64.const 0))",
		"canister_update ok":   replyMem(0),
	}, `(func $rec (param i64) (call $rec (i64.add (local.get 0) (i64.const 1))))`))
	wantErr(t, c.update("deep", nil), execution.CodeCanisterTrapped, "Canister trapped: stack overflow")
	reply(t, c.update("ok", nil))
}

// manyFunctions returns a module defining n functions of type () -> ().
func manyFunctions(n int) []byte {
	uleb := func(b []byte, v int) []byte {
		for {
			c := byte(v & 0x7f)
			v >>= 7
			if v == 0 {
				return append(b, c)
			}
			b = append(b, c|0x80)
		}
	}
	section := func(out []byte, id byte, body []byte) []byte {
		return append(uleb(append(out, id), len(body)), body...)
	}
	out := []byte("\x00asm\x01\x00\x00\x00")
	out = section(out, 1, []byte{1, 0x60, 0, 0})
	funcs := uleb(nil, n)
	code := uleb(nil, n)
	for i := 0; i < n; i++ {
		funcs = append(funcs, 0)
		code = append(code, 2, 0, 0x0b)
	}
	out = section(out, 3, funcs)
	return section(out, 10, code)
}

func TestInvalidModulesRejected(t *testing.T) {
	cases := []struct {
		name string
		wasm []byte
		want string
	}{
		{"garbage", []byte("not wasm at all"), "bad magic"},
		{"truncated", func() []byte { b := manyFunctions(3); return b[:len(b)-1] }(), "past the end"},
		{"100k functions", manyFunctions(100_000), "too many functions: 100000, the limit is 50000"},
		{"unknown import", wat(t, `(module (import "ic0" "nope" (func)))`), "import ic0.nope: unknown System API function"},
		{"other module", wat(t, `(module (import "env" "f" (func)))`), "only the ic0 module may be imported"},
		{"wrong signature", wat(t, `(module (import "ic0" "msg_reply" (func (param i32))))`), "import ic0.msg_reply: wrong type"},
		{"i32-only function in wasm64", wat(t, `(module (import "ic0" "stable_size" (func (result i32))) (memory i64 1))`), "unknown System API function for a 64-bit module"},
		{"pointer width mismatch", wat(t, `(module (import "ic0" "msg_arg_data_size" (func (result i32))) (memory i64 1))`), "wrong type for a 64-bit module"},
		{"memory import", wat(t, `(module (import "ic0" "mem" (memory 1)))`), "only function imports"},
		{"bad canister export", wat(t, `(module (func (export "canister_foo")))`), `"canister_foo" starts with canister_`},
		{"entry point type", wat(t, `(module (func (export "canister_update f") (param i32)))`), "must have type () -> ()"},
		{"method in two kinds", wat(t, `(module (func $f) (export "canister_update m" (func $f)) (export "canister_query m" (func $f)))`), "exported as both"},
		{"reserved export", wat(t, `(module (func (export "canister_start")))`), "reserved name"},
		{"code fails validation", wat(t, `(module (func (export "canister_update f") (drop (i32.const 1)) (drop)))`), "Canister's Wasm module is not valid"},
		{"shared memory", wat(t, `(module (memory 1 1 shared))`), "shared memories"},
	}
	x := newExecutor(t, execution.Config{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCube(t, x)
			out := c.install(tc.wasm, nil)
			wantErr(t, out, execution.CodeCanisterInvalidWasm, tc.want)
			if !strings.HasPrefix(out.Err.Message, "Canister's Wasm module is not valid: ") {
				t.Fatalf("message %q", out.Err.Message)
			}
			if c.st.Wasm != nil {
				t.Fatal("an invalid module was installed")
			}
		})
	}
}

func TestGzipModule(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(gz(t, motoko(t, "Counter")))
	wantReply(t, c.update("inc", didlEmpty), nat(1))
}
