package scheduler_test

import (
	"context"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// BenchmarkSchedulerOverhead compares running 1,000 trivial scripted
// messages (one per cube) through ExecuteRound (Workers 1) with executing
// the same messages directly through the executor entry point the
// scheduler uses (Executor.BeginOn, which costs more than Execute on the
// scripted engine: its sliced mode runs scripts on a goroutine): the
// difference per message is the scheduler's overhead (induction with
// message ids, priority sort, dealing, merging, answers). All report
// ns/msg; "execute" is plain Executor.Execute for reference.
func BenchmarkSchedulerOverhead(b *testing.B) {
	const cubes = 1000
	eng := executiontest.NewEngine()
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update ping": func(c *executiontest.Call) error { return c.Reply(nil) },
	})
	setup := func(b *testing.B) (*execution.Executor, *scheduler.Scheduler) {
		x, _ := execution.New(execution.Config{}, eng)
		s, _ := scheduler.New(scheduler.Config{Workers: 1}, x)
		for i := 1; i <= cubes; i++ {
			out, err := x.Execute(context.Background(), &execution.State{ID: bigfile.CubeID(i)},
				execution.Input{Kind: execution.KindInstall, Wasm: code})
			if err != nil || out.Err != nil {
				b.Fatal(err, out.Err)
			}
			s.SetCube(out.State)
		}
		return x, s
	}
	ins := make([]bigfile.Ingress, cubes)
	for i := range ins {
		ins[i] = bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(i + 1).Principal(), Method: "ping"}
	}
	direct := func(b *testing.B, begin bool) {
		x, s := setup(b)
		states := make([]*execution.State, cubes)
		for i := range states {
			states[i], _ = s.Cube(bigfile.CubeID(i + 1))
		}
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			for i, in := range ins {
				input := execution.Input{Kind: execution.KindUpdate,
					Method: in.Method, Caller: in.Sender, Time: bigfile.Time(n + 1), Ingress: true}
				var out execution.Output
				var err error
				if begin {
					e, _ := x.BeginOn(context.Background(), states[i], input, func(*execution.Execution) { panic("paused") })
					out, err = e.Result()
				} else {
					out, err = x.Execute(context.Background(), states[i], input)
				}
				if err != nil {
					b.Fatal(err)
				}
				states[i] = out.State
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*cubes), "ns/msg")
	}
	b.Run("execute", func(b *testing.B) { direct(b, false) })
	b.Run("direct", func(b *testing.B) { direct(b, true) })
	b.Run("scheduled", func(b *testing.B) {
		_, s := setup(b)
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(n + 1), Ingress: ins})
			if err != nil || len(res.Ingress) != cubes {
				b.Fatal(err, len(res.Ingress))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*cubes), "ns/msg")
	})
}
