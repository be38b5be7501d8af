package wasm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/thebigfile/bigfile/execution"
)

// loopIters is the iteration count of the CPU-bound benchmark loop
// (about 14 fuel per iteration).
const loopIters = 2_000_000

// loopBody is a CPU-bound ALU loop shared by the bare and engine variants.
const loopBody = `
	(local $i i32) (local $acc i32)
	(loop $l
		(local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (i32.const 3))))
		(local.set $i (i32.add (local.get $i) (i32.const 1)))
		(br_if $l (i32.lt_u (local.get $i) (i32.const %d))))
	(i32.store (i32.const 0) (local.get $acc))`

// bareLoop runs the loop with plain wasmtime-go on a synchronous store: the
// baseline the engine's overhead is measured against.
type bareLoop struct {
	store *wasmtime.Store
	run   *wasmtime.Func
	fuel  bool
}

func newBareLoop(b *testing.B, fuel bool) *bareLoop {
	cfg := wasmtime.NewConfig()
	cfg.SetConsumeFuel(fuel)
	cfg.SetWasmThreads(false)
	cfg.SetWasmRelaxedSIMD(false)
	cfg.SetCraneliftNanCanonicalization(true)
	cfg.SetWasmMemory64(true)
	eng := wasmtime.NewEngineWithConfig(cfg)
	src := fmt.Sprintf(`(module (memory 1) (func (export "run") `+loopBody+`))`, loopIters)
	mod, err := wasmtime.NewModule(eng, wat(b, src))
	if err != nil {
		b.Fatal(err)
	}
	store := wasmtime.NewStore(eng)
	inst, err := wasmtime.NewInstance(store, mod, nil)
	if err != nil {
		b.Fatal(err)
	}
	return &bareLoop{store: store, run: inst.GetFunc(store, "run"), fuel: fuel}
}

func (l *bareLoop) call(b *testing.B) {
	if l.fuel {
		if err := l.store.SetFuel(1 << 40); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := l.run.Call(l.store); err != nil {
		b.Fatal(err)
	}
}

type engineLoop struct {
	c *cube
}

func newEngineLoop(b *testing.B) *engineLoop {
	x := newExecutor(b, execution.Config{})
	c := newCube(b, x)
	c.mustInstall(probe(b, false, map[string]string{
		"canister_update run": fmt.Sprintf(loopBody, loopIters) + replyMem(4),
	}, ""))
	return &engineLoop{c: c}
}

func (l *engineLoop) call(b *testing.B) {
	out, err := l.c.x.Execute(context.Background(), l.c.st, execution.Input{Kind: execution.KindUpdate, Method: "run"})
	if err != nil || out.Err != nil {
		b.Fatal(err, out.Err)
	}
	l.c.st = out.State
}

// BenchmarkLoop compares a CPU-bound loop run by plain wasmtime-go with
// fuel off and on, and by the executor (async engine, System API, state
// handling).
func BenchmarkLoop(b *testing.B) {
	b.Run("bare-nofuel", func(b *testing.B) {
		l := newBareLoop(b, false)
		for b.Loop() {
			l.call(b)
		}
	})
	b.Run("bare-fuel", func(b *testing.B) {
		l := newBareLoop(b, true)
		for b.Loop() {
			l.call(b)
		}
	})
	b.Run("engine", func(b *testing.B) {
		l := newEngineLoop(b)
		for b.Loop() {
			l.call(b)
		}
	})
}

// BenchmarkLoopRatios measures the same three variants back to back in
// each iteration and reports the ratios of their total times, so the
// figures come from one run on the same (noisy) machine.
func BenchmarkLoopRatios(b *testing.B) {
	nofuel, fuel, eng := newBareLoop(b, false), newBareLoop(b, true), newEngineLoop(b)
	var tNo, tFuel, tEng time.Duration
	for b.Loop() {
		t0 := time.Now()
		nofuel.call(b)
		t1 := time.Now()
		fuel.call(b)
		t2 := time.Now()
		eng.call(b)
		t3 := time.Now()
		tNo += t1.Sub(t0)
		tFuel += t2.Sub(t1)
		tEng += t3.Sub(t2)
	}
	b.ReportMetric(float64(tFuel)/float64(tNo), "fuel/nofuel")
	b.ReportMetric(float64(tEng)/float64(tFuel), "engine/bare-fuel")
}

func benchMessages(b *testing.B, wasm []byte, method string, arg []byte) {
	x := newExecutor(b, execution.Config{})
	c := newCube(b, x)
	c.mustInstall(wasm)
	in := execution.Input{Kind: execution.KindUpdate, Method: method, Arg: arg}
	start := time.Now()
	for b.Loop() {
		out, err := x.Execute(context.Background(), c.st, in)
		if err != nil || out.Err != nil {
			b.Fatal(err, out.Err)
		}
		c.st = out.State
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkTrivialUpdate executes an update that only replies.
func BenchmarkTrivialUpdate(b *testing.B) {
	benchMessages(b, probe(b, false, map[string]string{"canister_update go": replyMem(0)}, ""), "go", nil)
}

// BenchmarkMotokoInc executes the Motoko counter's inc.
func BenchmarkMotokoInc(b *testing.B) {
	benchMessages(b, motoko(b, "Counter"), "inc", didlEmpty)
}
