package wasm_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/wasm"
)

// countingHost counts System API calls and returns a fixed value.
type countingHost struct{ calls int }

func (h *countingHost) Invoke(fn int, mem []byte, args []uint64) (uint64, error) {
	h.calls++
	return 7, nil
}

// loopModule loops n times, calling ic0.time every 1000 iterations, and
// stores the sum of the results at address 0.
func loopModule(t testing.TB, n int) []byte {
	return wat(t, fmt.Sprintf(`(module
		(import "ic0" "time" (func $time (result i64)))
		(memory 1)
		(export "__bf_memory" (memory 0))
		(func (export "run") (local $i i32) (local $acc i64)
			(loop $l
				(if (i32.eqz (i32.rem_u (local.get $i) (i32.const 1000)))
					(then (local.set $acc (i64.add (local.get $acc) (call $time)))))
				(local.set $i (i32.add (local.get $i) (i32.const 1)))
				(br_if $l (i32.lt_u (local.get $i) (i32.const %d))))
			(i64.store (i32.const 0) (local.get $acc))))`, n))
}

func TestFuelYieldSlicesAreDeterministic(t *testing.T) {
	eng := engine(t)
	mod, err := eng.Compile(loopModule(t, 1_000_000))
	if err != nil {
		t.Fatal(err)
	}
	run := func(slice uint64) (instr uint64, slices, calls int, acc byte) {
		inst, err := mod.Instantiate(context.Background(), execution.InstanceLimits{SliceInstructions: slice})
		if err != nil {
			t.Fatal(err)
		}
		defer inst.Close()
		h := &countingHost{}
		if err := inst.Run(context.Background(), "run", h, 1<<40); err != nil {
			t.Fatal(err)
		}
		return inst.Instructions(), inst.(*wasm.Instance).Slices(), h.calls, inst.Memory()[0]
	}
	i0, s0, c0, a0 := run(0) // no slicing
	if s0 != 0 || c0 != 1000 || a0 != 7*1000%256 {
		t.Fatalf("unsliced: %d slices, %d calls, acc %d", s0, c0, a0)
	}
	for _, slice := range []uint64{100_000, 1_000_003} {
		i1, s1, c1, a1 := run(slice)
		i2, s2, _, _ := run(slice)
		if i1 != i0 || c1 != c0 || a1 != a0 {
			t.Fatalf("slice %d changed the result: %d instructions, %d calls (want %d, %d)", slice, i1, c1, i0, c0)
		}
		if s1 != s2 || i1 != i2 {
			t.Fatalf("slice %d: pauses %d then %d", slice, s1, s2)
		}
		// Relative slices: about one pause per slice of fuel.
		if want := int(i0 / slice); s1 < want-1 || s1 > want+1 {
			t.Fatalf("slice %d: %d pauses for %d instructions", slice, s1, i0)
		}
	}
}

// TestAsyncMatchesSync runs the same function through the engine (async
// store, via the shim's first-field access to wasmtime-go handles) and
// through wasmtime-go's synchronous API, and compares fuel and memory.
// It guards the unsafe handle access against changes of the pinned
// wasmtime-go.
func TestAsyncMatchesSync(t *testing.T) {
	src := loopModule(t, 50_000)
	cfg := wasmtime.NewConfig()
	cfg.SetConsumeFuel(true)
	cfg.SetCraneliftNanCanonicalization(true)
	cfg.SetWasmMemory64(true)
	cfg.SetWasmThreads(false)
	cfg.SetWasmRelaxedSIMD(false)
	e := wasmtime.NewEngineWithConfig(cfg)
	m, err := wasmtime.NewModule(e, src)
	if err != nil {
		t.Fatal(err)
	}
	store := wasmtime.NewStore(e)
	timeFn := wasmtime.WrapFunc(store, func() int64 { return 7 })
	inst, err := wasmtime.NewInstance(store, m, []wasmtime.AsExtern{timeFn})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetFuel(1 << 40); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.GetFunc(store, "run").Call(store); err != nil {
		t.Fatal(err)
	}
	left, _ := store.GetFuel()
	syncFuel := uint64(1<<40) - left
	syncMem := inst.GetExport(store, "__bf_memory").Memory().UnsafeData(store)[:8]

	mod, err := engine(t).Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	ai, err := mod.Instantiate(context.Background(), execution.InstanceLimits{SliceInstructions: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	defer ai.Close()
	if err := ai.Run(context.Background(), "run", &countingHost{}, 1<<40); err != nil {
		t.Fatal(err)
	}
	if ai.Instructions() != syncFuel {
		t.Fatalf("async consumed %d fuel, sync %d", ai.Instructions(), syncFuel)
	}
	if got := ai.Memory()[:8]; string(got) != string(syncMem) {
		t.Fatalf("memory %x, sync %x", got, syncMem)
	}
}

func TestHostErrorAbortsAndInstanceStaysUsable(t *testing.T) {
	mod, err := engine(t).Compile(loopModule(t, 10_000))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := mod.Instantiate(context.Background(), execution.InstanceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	boom := fmt.Errorf("boom")
	if err := inst.Run(context.Background(), "run", failingHost{boom}, 1<<30); err != boom {
		t.Fatalf("err %v, want the host's error", err)
	}
	if err := inst.Run(context.Background(), "run", &countingHost{}, 1<<30); err != nil {
		t.Fatalf("the instance is unusable after an aborted call: %v", err)
	}
	// A panicking host function is contained too.
	if err := inst.Run(context.Background(), "run", panickingHost{}, 1<<30); err == nil {
		t.Fatal("a panicking host call did not fail the run")
	}
	if err := inst.Run(context.Background(), "run", &countingHost{}, 1<<30); err != nil {
		t.Fatalf("the instance is unusable after a host panic: %v", err)
	}
}

type failingHost struct{ err error }

func (h failingHost) Invoke(int, []byte, []uint64) (uint64, error) { return 0, h.err }

type panickingHost struct{}

func (panickingHost) Invoke(int, []byte, []uint64) (uint64, error) { panic("host bug") }

func TestNaNCanonicalization(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(probe(t, false, map[string]string{"canister_query nan": `
		(f64.store (i32.const 0) (f64.add (f64.reinterpret_i64 (i64.const 0x7ff4000000000123)) (f64.const 0)))` +
		replyMem(8)}, ""))
	got := reply(t, c.query("nan", nil))
	if want := []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}; string(got) != string(want) {
		t.Fatalf("NaN bits %x, want the canonical %x", got, want)
	}
}

func TestConcurrentCubes(t *testing.T) {
	// One executor, several cubes on their own goroutines (one message at
	// a time per cube, as the scheduler will run them).
	x := newExecutor(t, execution.Config{})
	code := motoko(t, "Counter")
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(id int) {
			st := &execution.State{ID: bigfile.CubeID(100 + id)}
			run := func(in execution.Input) (execution.Output, error) {
				out, err := x.Execute(context.Background(), st, in)
				if err == nil && out.Err != nil {
					err = out.Err
				}
				if err == nil {
					st = out.State
				}
				return out, err
			}
			if _, err := run(execution.Input{Kind: execution.KindInstall, Wasm: code, Arg: didlEmpty}); err != nil {
				errs <- err
				return
			}
			var out execution.Output
			var err error
			for i := 0; i < 20; i++ {
				if out, err = run(execution.Input{Kind: execution.KindUpdate, Method: "inc", Arg: didlEmpty}); err != nil {
					errs <- err
					return
				}
			}
			if got := out.Response.Data; string(got) != string(nat(20)) {
				errs <- fmt.Errorf("cube %d: inc = %x", id, got)
				return
			}
			errs <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestPauseResumeOnOtherGoroutinesAndAbort(t *testing.T) {
	mod, err := engine(t).Compile(loopModule(t, 1_000_000))
	if err != nil {
		t.Fatal(err)
	}
	ei, err := mod.Instantiate(context.Background(), execution.InstanceLimits{SliceInstructions: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer ei.Close()
	inst := ei.(*wasm.Instance)
	h := &countingHost{}
	if err := inst.Start("run", 1<<40); err != nil {
		t.Fatal(err)
	}
	// Each slice runs on a fresh goroutine locked to its own OS thread, as
	// a scheduler resuming the message in a later round might.
	pauses := 0
	for {
		res := make(chan [2]any)
		go func() {
			runtime.LockOSThread()
			done, err := inst.Resume(context.Background(), h)
			res <- [2]any{done, err}
		}()
		r := <-res
		if r[1] != nil {
			t.Fatal(r[1])
		}
		if r[0].(bool) {
			break
		}
		pauses++
	}
	full := inst.Instructions()
	if pauses < 5 || h.calls != 1000 || inst.Memory()[0] != 7*1000%256 {
		t.Fatalf("%d pauses, %d host calls, acc %d", pauses, h.calls, inst.Memory()[0])
	}
	// Abort while paused: the fiber unwinds and the instance runs again.
	if err := inst.Start("run", 1<<40); err != nil {
		t.Fatal(err)
	}
	if done, err := inst.Resume(context.Background(), &countingHost{}); done || err != nil {
		t.Fatalf("first slice: done %v, err %v", done, err)
	}
	inst.Abort()
	if err := inst.Run(context.Background(), "run", &countingHost{}, 1<<40); err != nil {
		t.Fatalf("run after abort: %v", err)
	}
	if inst.Instructions() != full {
		t.Fatalf("run after abort used %d instructions, want %d", inst.Instructions(), full)
	}
}

func TestConfigValidate(t *testing.T) {
	if _, err := wasm.New(wasm.Config{MaxWasmStack: 1}); !errors.Is(err, wasm.ErrInvalidConfig) {
		t.Fatalf("tiny stack: %v", err)
	}
	if err := (wasm.Config{MaxWasmStack: 2 << 20, MaxCachedModules: 4}).Validate(); err != nil {
		t.Fatal(err)
	}
}
