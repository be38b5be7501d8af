package wasm_test

import (
	"context"
	"fmt"
	"sort"
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
	return newBare(b, fuel, fmt.Sprintf(loopBody, loopIters))
}

// newBare compiles a module whose export "run" has body (with one page of
// memory) for plain wasmtime-go in the engine's deterministic
// configuration, fuel on or off, and instantiates it on its own store.
func newBare(b *testing.B, fuel bool, body string) *bareLoop {
	cfg := wasmtime.NewConfig()
	cfg.SetConsumeFuel(fuel)
	cfg.SetWasmThreads(false)
	cfg.SetWasmRelaxedSIMD(false)
	cfg.SetCraneliftNanCanonicalization(true)
	cfg.SetWasmMemory64(true)
	eng := wasmtime.NewEngineWithConfig(cfg)
	mod, err := wasmtime.NewModule(eng, wat(b, `(module (memory 1) (func (export "run") `+body+`))`))
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

// BenchmarkLoopRatios measures the three variants back to back in each
// iteration (rotating their order) and reports the medians of the
// per-iteration ratios, so the figures come from one run on the same
// machine and resist the noise of a shared VM.
func BenchmarkLoopRatios(b *testing.B) {
	nofuel, fuel, eng := newBareLoop(b, false), newBareLoop(b, true), newEngineLoop(b)
	var fuelRatios, engRatios []float64
	i := 0
	for b.Loop() {
		var d [3]time.Duration
		for k := 0; k < 3; k++ {
			v := (i + k) % 3
			t0 := time.Now()
			switch v {
			case 0:
				nofuel.call(b)
			case 1:
				fuel.call(b)
			case 2:
				eng.call(b)
			}
			d[v] = time.Since(t0)
		}
		i++
		fuelRatios = append(fuelRatios, float64(d[1])/float64(d[0]))
		engRatios = append(engRatios, float64(d[2])/float64(d[1]))
	}
	b.ReportMetric(median(fuelRatios), "fuel/nofuel")
	b.ReportMetric(median(engRatios), "engine/bare-fuel")
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
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

// BenchmarkTrivialRatio pairs a bare wasmtime-go call of an empty export
// (synchronous store, fuel on) with a whole trivial update through the
// executor (System API reply, state derivation, async call), and reports
// the median per-iteration ratio and the executor's message rate.
func BenchmarkTrivialRatio(b *testing.B) {
	cfg := wasmtime.NewConfig()
	cfg.SetConsumeFuel(true)
	eng := wasmtime.NewEngineWithConfig(cfg)
	mod, err := wasmtime.NewModule(eng, wat(b, `(module (memory 1) (func (export "run")))`))
	if err != nil {
		b.Fatal(err)
	}
	store := wasmtime.NewStore(eng)
	inst, err := wasmtime.NewInstance(store, mod, nil)
	if err != nil {
		b.Fatal(err)
	}
	run := inst.GetFunc(store, "run")
	x := newExecutor(b, execution.Config{})
	c := newCube(b, x)
	c.mustInstall(probe(b, false, map[string]string{"canister_update go": replyMem(0)}, ""))
	in := execution.Input{Kind: execution.KindUpdate, Method: "go"}
	var ratios []float64
	var engTotal time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := store.SetFuel(1 << 30); err != nil {
			b.Fatal(err)
		}
		if _, err := run.Call(store); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		out, err := x.Execute(context.Background(), c.st, in)
		if err != nil || out.Err != nil {
			b.Fatal(err, out.Err)
		}
		c.st = out.State
		t2 := time.Now()
		engTotal += t2.Sub(t1)
		ratios = append(ratios, float64(t2.Sub(t1))/float64(t1.Sub(t0)))
	}
	b.ReportMetric(median(ratios), "update/bare-call")
	b.ReportMetric(float64(b.N)/engTotal.Seconds(), "msgs/s")
}
