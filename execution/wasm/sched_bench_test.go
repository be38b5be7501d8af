package wasm_test

import (
	"context"
	"fmt"
	"testing"

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

// BenchmarkParallelSpeedup: 8 independent cubes each running a
// 20-million-instruction update per round, with 1 and 2 workers; the
// speed-up is workers=1's ns/op over workers=2's.
func BenchmarkParallelSpeedup(b *testing.B) {
	mod := probe(b, false, map[string]string{"canister_update spin": `
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4000000))))
    (call $msg_reply)`}, "")
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			s, ins := schedSubnet(b, mod, 8, w, "spin", execution.Config{})
			b.ResetTimer()
			runRounds(b, s, ins)
		})
	}
}

// BenchmarkTimeSlicingOverhead: one 200-million-instruction update run
// straight through (Execute, which still pauses at every slice inside the
// engine) and with time slicing (Begin and Resume through every one of
// its slices: 100 hand-offs between goroutines with 2-million-instruction
// slices, 10 with 20-million ones); compare ns/op at the same slice size.
// The default slice is 2 billion instructions, a hand-off per second of
// execution.
func BenchmarkTimeSlicingOverhead(b *testing.B) {
	mod := probe(b, false, map[string]string{"canister_update spin": `
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 40000000))))
    (call $msg_reply)`}, "")
	for _, v := range []struct {
		slice  uint64
		sliced bool
	}{{2_000_000, false}, {2_000_000, true}, {20_000_000, false}, {20_000_000, true}} {
		cfg := execution.Config{MaxInstructionsPerSlice: v.slice}
		sliced := v.sliced
		b.Run(fmt.Sprintf("slice=%d/sliced=%v", v.slice, sliced), func(b *testing.B) {
			x := newExecutor(b, cfg)
			c := newCube(b, x)
			c.mustInstall(mod)
			in := execution.Input{Kind: execution.KindUpdate, Method: "spin", Caller: bigfile.Anonymous, Time: 5}
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				var out execution.Output
				var err error
				if sliced {
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
			}
		})
	}
}
