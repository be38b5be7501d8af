package scheduler_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// BenchmarkSchedulerOverhead measures the scheduler's cost per message
// (target ≤ 5 µs): 1,000 trivial scripted messages, one per cube, run
// through ExecuteRound (Workers 1), against the same messages executed
// directly through the entry point the scheduler uses
// (Executor.BeginOn). The two alternate in every iteration, on separate
// but identical subnets, so that both see the same machine; the
// difference (induction with message ids, priority sort, dealing,
// merging, answers) is reported as its median over iterations
// ("overhead-ns/msg"), beside the medians of both ("direct-ns/msg",
// "scheduled-ns/msg") and of plain Executor.Execute ("execute-ns/msg").
func BenchmarkSchedulerOverhead(b *testing.B) {
	const cubes = 1000
	eng := executiontest.NewEngine()
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update ping": func(c *executiontest.Call) error { return c.Reply(nil) },
	})
	setup := func(b *testing.B) (*execution.Executor, *scheduler.Scheduler, []*execution.State) {
		x, _ := execution.New(execution.Config{}, eng)
		s, _ := scheduler.New(scheduler.Config{Workers: 1}, x)
		states := make([]*execution.State, cubes)
		for i := range states {
			out, err := x.Execute(context.Background(), &execution.State{ID: bigfile.CubeID(i + 1)},
				execution.Input{Kind: execution.KindInstall, Wasm: code})
			if err != nil || out.Err != nil {
				b.Fatal(err, out.Err)
			}
			s.SetCube(out.State)
			states[i] = out.State
		}
		return x, s, states
	}
	ins := make([]bigfile.Ingress, cubes)
	for i := range ins {
		ins[i] = bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(i + 1).Principal(), Method: "ping"}
	}
	// direct runs the messages one by one on x over states and returns the
	// time per message.
	direct := func(b *testing.B, x *execution.Executor, states []*execution.State, n int, begin bool) float64 {
		start := time.Now()
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
			if err != nil || out.Response.Kind != execution.Replied {
				b.Fatal(err, out.Err)
			}
			states[i] = out.State
		}
		return float64(time.Since(start).Nanoseconds()) / cubes
	}
	xb, _, begun := setup(b)
	xe, _, executed := setup(b)
	_, s, _ := setup(b)
	var plain, begin, sched, overhead []float64
	round := func(n int) float64 {
		start := time.Now()
		res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(n + 1), Ingress: ins})
		if err != nil || len(res.Ingress) != cubes {
			b.Fatal(err, len(res.Ingress))
		}
		return float64(time.Since(start).Nanoseconds()) / cubes
	}
	// Warm up: the first passes over fresh states allocate what later ones
	// reuse.
	const warm = 3
	for n := range warm {
		direct(b, xe, executed, n, false)
		direct(b, xb, begun, n, true)
		round(n)
	}
	b.ResetTimer()
	for n := warm; n < b.N+warm; n++ {
		plain = append(plain, direct(b, xe, executed, n, false))
		begin = append(begin, direct(b, xb, begun, n, true))
		sched = append(sched, round(n))
		overhead = append(overhead, sched[len(sched)-1]-begin[len(begin)-1])
	}
	median := func(xs []float64) float64 {
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	b.ReportMetric(median(overhead), "overhead-ns/msg")
	b.ReportMetric(median(begin), "direct-ns/msg")
	b.ReportMetric(median(sched), "scheduled-ns/msg")
	b.ReportMetric(median(plain), "execute-ns/msg")
}
