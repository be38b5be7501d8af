package wasm_test

import (
	"context"
	"testing"

	"github.com/thebigfile/bigfile/execution"
)

// spinWAT loops n times (about 8 instructions per iteration), stores the
// counter and replies.
func spinWAT(t testing.TB) []byte {
	return probe(t, false, map[string]string{
		"canister_update spin": `
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.store (i32.const 0) (local.get $i))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
    (call $msg_reply_data_append (i32.const 0) (i32.const 4))
    (call $msg_reply)`,
	}, "")
}

// A sliced execution on wasmtime pauses at every slice boundary and ends
// with exactly the state and reply of a straight run; an aborted one
// leaves the state untouched and, started again, gives the same result.
func TestSlicedExecutionMatchesStraightRun(t *testing.T) {
	cfg := execution.Config{MaxInstructionsPerSlice: 100_000}
	straight := newCube(t, newExecutor(t, cfg))
	straight.mustInstall(spinWAT(t))
	want := straight.update("spin", nil)
	reply(t, want)

	x := newExecutor(t, cfg)
	c := newCube(t, x)
	c.mustInstall(spinWAT(t))
	in := execution.Input{Kind: execution.KindUpdate, Method: "spin", Caller: straight.st.Controllers[0], Time: c.tm + 1}
	e := x.Begin(context.Background(), c.st, in)
	slices := 1
	for !e.Done() {
		e.Resume()
		slices++
	}
	out, err := e.Result()
	if err != nil {
		t.Fatal(err)
	}
	// wasmtime checks fuel at loop heads and calls, so a pause comes at
	// the first check past each boundary: n instructions take
	// floor(n/slice) or floor(n/slice)+1 slices, the same on every run.
	if lo := int(out.Instructions / 100_000); slices != lo && slices != lo+1 {
		t.Fatalf("%d slices for %d instructions", slices, out.Instructions)
	}
	if string(reply(t, out)) != string(want.Response.Data) || out.Instructions != want.Instructions {
		t.Fatalf("sliced run: reply %x, %d instructions; straight: %x, %d", out.Response.Data, out.Instructions,
			want.Response.Data, want.Instructions)
	}
	if !out.State.Memory.Equal(want.State.Memory) {
		t.Fatal("sliced and straight runs left different heaps")
	}

	// Abort halfway, then start again on the same state.
	c2 := newCube(t, x)
	c2.mustInstall(spinWAT(t))
	before := c2.st
	e = x.Begin(context.Background(), before, in)
	e.Resume()
	e.Abort()
	if _, err := e.Result(); err != execution.ErrAborted {
		t.Fatalf("aborted execution: %v", err)
	}
	e = x.Begin(context.Background(), before, in)
	for !e.Done() {
		e.Resume()
	}
	if e.Slices() != slices {
		t.Fatalf("restarted run took %d slices, the first %d", e.Slices(), slices)
	}
	again, err := e.Result()
	if err != nil {
		t.Fatal(err)
	}
	if !again.State.Memory.Equal(want.State.Memory) || again.Instructions != want.Instructions {
		t.Fatal("restarted execution differs from a straight run")
	}
}
