package wasm_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// schedSubnet installs n copies of module on a scheduler with the given
// workers and returns it with one ingress message per cube for method.
func schedSubnet(b *testing.B, module []byte, n, workers int, method string, cfg execution.Config) (*scheduler.Scheduler, []bigfile.Ingress) {
	b.Helper()
	x := newExecutor(b, cfg)
	s, err := scheduler.New(scheduler.Config{Workers: workers}, x)
	if err != nil {
		b.Fatal(err)
	}
	ins := make([]bigfile.Ingress, n)
	for i := range n {
		id := bigfile.CubeID(i + 1)
		out, err := x.Execute(context.Background(), &execution.State{ID: id},
			execution.Input{Kind: execution.KindInstall, Wasm: module, Arg: didlEmpty, Time: 1})
		if err != nil || out.Err != nil {
			b.Fatal(err, out.Err)
		}
		s.SetCube(out.State)
		ins[i] = bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: id.Principal(), Method: method}
	}
	return s, ins
}

func runRounds(b *testing.B, s *scheduler.Scheduler, ins []bigfile.Ingress) {
	b.Helper()
	for n := 0; n < b.N; n++ {
		res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(n + 2), Ingress: ins})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Ingress) != len(ins) {
			b.Fatalf("%d of %d answered", len(res.Ingress), len(ins))
		}
	}
}

// BenchmarkRound1000Cubes: a round of 1,000 WAT cubes with one trivial
// update each (target: ≤ 50 ms on 2 cores), with 2 workers ("round"), and
// for comparison the same 1,000 updates run one after the other with
// Executor.Execute on one goroutine ("direct").
func BenchmarkRound1000Cubes(b *testing.B) {
	mod := probe(b, false, map[string]string{"canister_update ping": "(call $msg_reply)"}, "")
	b.Run("round", func(b *testing.B) {
		s, ins := schedSubnet(b, mod, 1000, 2, "ping", execution.Config{})
		b.ResetTimer()
		runRounds(b, s, ins)
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/round")
	})
	b.Run("direct", func(b *testing.B) {
		s, ins := schedSubnet(b, mod, 1000, 1, "ping", execution.Config{})
		states := make([]*execution.State, len(ins))
		for i := range ins {
			states[i], _ = s.Cube(bigfile.CubeID(i + 1))
		}
		x := s.Executor()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			for i := range ins {
				out, err := x.Execute(context.Background(), states[i], execution.Input{Kind: execution.KindUpdate,
					Method: "ping", Caller: bigfile.Anonymous, Time: bigfile.Time(n + 2), Ingress: true})
				if err != nil || out.Response.Kind != execution.Replied {
					b.Fatal(err, out.Err)
				}
				states[i] = out.State
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/round")
	})
}

// spinLoop counts a local to %d.
const spinLoop = `
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const %d))))`

// spinBody is an update that runs spinLoop and replies.
const spinBody = spinLoop + `
    (call $msg_reply)`

// BenchmarkParallelSpeedup measures how much faster a round of
// independent cubes runs with 2 workers than with 1 (target ≥ 1.7× on 2
// cores). The machine's speed drifts, so the two schedulers (same cubes,
// Workers 1 and 2) run the same rounds alternately and the figure is the
// median over rounds of the per-round ratio ("speedup"). Two ceilings are
// measured the same way in the same run: the same loop on plain
// wasmtime-go, 1 goroutine against 2 ("bare-speedup"), and a pure Go loop
// ("go-speedup").
//
// Every Wasm call is a cgo call. When all of GOMAXPROCS's Ps sit in cgo
// calls, the runtime's sysmon thread retakes them and then polls every
// 20 µs, preempting a worker each time; run with -cpu 2,3 to see the
// difference a spare P makes (see the scheduler's Config.Workers).
func BenchmarkParallelSpeedup(b *testing.B) {
	for _, shape := range []struct{ cubes, iters int }{{8, 4_000_000}, {64, 500_000}} {
		b.Run(fmt.Sprintf("cubes=%d", shape.cubes), func(b *testing.B) {
			mod := probe(b, false, map[string]string{"canister_update spin": fmt.Sprintf(spinBody, shape.iters)}, "")
			s1, ins := schedSubnet(b, mod, shape.cubes, 1, "spin", execution.Config{})
			s2, _ := schedSubnet(b, mod, shape.cubes, 2, "spin", execution.Config{})
			loop := fmt.Sprintf(spinLoop, shape.iters)
			bare := [2]*bareLoop{newBare(b, true, loop), newBare(b, true, loop)}
			round := func(s *scheduler.Scheduler, n int) time.Duration {
				start := time.Now()
				res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(n + 2), Ingress: ins})
				if err != nil || len(res.Ingress) != len(ins) {
					b.Fatal(err, len(res.Ingress))
				}
				return time.Since(start)
			}
			var sched, wasm, native []float64
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				one := round(s1, n)
				two := round(s2, n)
				sched = append(sched, float64(one)/float64(two))
				wasm = append(wasm, pairRatio(shape.cubes, func(w int) { bare[w].call(b) }))
				native = append(native, pairRatio(shape.cubes, func(int) { goSpin(shape.iters) }))
			}
			b.ReportMetric(median(sched), "speedup")
			b.ReportMetric(median(wasm), "bare-speedup")
			b.ReportMetric(median(native), "go-speedup")
		})
	}
}

// pairRatio runs units calls of work on one goroutine, then the same
// split over two goroutines, and returns the first time over the second.
func pairRatio(units int, work func(worker int)) float64 {
	start := time.Now()
	for i := 0; i < units; i++ {
		work(i % 2)
	}
	one := time.Since(start)
	start = time.Now()
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < units; i += 2 {
				work(w)
			}
		})
	}
	wg.Wait()
	return float64(one) / float64(time.Since(start))
}

// goSink keeps goSpin's loop from being optimised away.
var goSink atomic.Uint64

// goSpin is a pure Go loop of about the same length as the Wasm one.
func goSpin(iters int) {
	acc := uint64(0)
	for i := 0; i < iters; i++ {
		acc += uint64(i) * 3
		acc ^= acc >> 7
	}
	goSink.Add(acc)
}

// BenchmarkTimeSlicingOverhead: one 200-million-instruction update run
// straight through (Execute, which still pauses at every slice inside the
// engine) and with time slicing (Begin and Resume through every one of
// its slices: 100 hand-offs between goroutines with 2-million-instruction
// slices, 10 with 20-million ones), alternately in every iteration; it
// reports the median over iterations of sliced ÷ straight − 1 as
// "overhead-%" (target ≤ 5%). The default slice is 2 billion
// instructions, a hand-off per second of execution.
func BenchmarkTimeSlicingOverhead(b *testing.B) {
	mod := probe(b, false, map[string]string{"canister_update spin": fmt.Sprintf(spinBody, 40_000_000)}, "")
	for _, slice := range []uint64{2_000_000, 20_000_000} {
		b.Run(fmt.Sprintf("slice=%d", slice), func(b *testing.B) {
			x := newExecutor(b, execution.Config{MaxInstructionsPerSlice: slice})
			straight, sliced := newCube(b, x), newCube(b, x)
			straight.mustInstall(mod)
			sliced.mustInstall(mod)
			in := execution.Input{Kind: execution.KindUpdate, Method: "spin", Caller: bigfile.Anonymous, Time: 5}
			run := func(c *cube, slicing bool) time.Duration {
				start := time.Now()
				var out execution.Output
				var err error
				if slicing {
					e := x.Begin(context.Background(), c.st, in)
					for !e.Done() {
						e.Resume()
					}
					out, err = e.Result()
				} else {
					out, err = x.Execute(context.Background(), c.st, in)
				}
				if err != nil || out.Response.Kind != execution.Replied {
					b.Fatal(err, out.Err)
				}
				c.st = out.State
				return time.Since(start)
			}
			var overhead []float64
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				one, two := run(straight, false), run(sliced, true)
				overhead = append(overhead, 100*(float64(two)/float64(one)-1))
			}
			b.ReportMetric(median(overhead), "overhead-%")
		})
	}
}
