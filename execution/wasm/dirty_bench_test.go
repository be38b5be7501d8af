package wasm_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/wasm"
)

// heapModule has a heap of wasmPages 64 KiB pages, every 4 KiB page of
// which init writes (a populated heap, as a long-lived cube's is). "w10"
// increments one byte in each of 10 pages spread over the heap (different
// pages each message) and replies; "t10" does the same and traps; "q10"
// is the query version; "nop" only replies.
func heapModule(t testing.TB, wasmPages int) []byte {
	pages := wasmPages * 16
	write := fmt.Sprintf(`(local $k i32) (local $p i32)
		(global.set $g (i32.add (global.get $g) (i32.const 1)))
		(block $done (loop $next
			(br_if $done (i32.ge_u (local.get $k) (i32.const 10)))
			(local.set $p (i32.add (i32.mul (i32.rem_u
				(i32.add (i32.mul (global.get $g) (i32.const 7919)) (i32.mul (local.get $k) (i32.const 104729)))
				(i32.const %d)) (i32.const 4096)) (i32.const 16)))
			(i32.store8 (local.get $p) (i32.add (i32.load8_u (local.get $p)) (i32.const 1)))
			(local.set $k (i32.add (local.get $k) (i32.const 1)))
			(br $next)))`, pages)
	return probe(t, false, map[string]string{
		"canister_init": fmt.Sprintf(`(local $p i32)
			(drop (memory.grow (i32.const %d)))
			(block $done (loop $next
				(br_if $done (i32.ge_u (local.get $p) (i32.const %d)))
				(i32.store8 (i32.mul (local.get $p) (i32.const 4096)) (i32.const 1))
				(local.set $p (i32.add (local.get $p) (i32.const 1)))
				(br $next)))`, wasmPages-1, pages),
		"canister_update w10": write + replyMem(0),
		"canister_update t10": write + "unreachable",
		"canister_query q10":  write + replyMem(0),
		"canister_update nop": replyMem(0),
	}, "(global $g (mut i32) (i32.const 0))")
}

// BenchmarkDirtyTracking measures one message that writes 10 pages of a
// populated 64 MiB and 1 GiB heap, including everything the executor does
// to commit it (dirty set, new page map) or to roll it back (trap: the
// written pages copied back), with the kernel tracker and with the
// page-by-page comparison fallback; "nop-64KiB" is the same trivial
// update on a one-page heap, the baseline for the ratios that
// BenchmarkDirtyTrackingRatio reports.
func BenchmarkDirtyTracking(b *testing.B) {
	noTrack, err := wasm.New(wasm.Config{NoDirtyTracking: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []struct {
		name  string
		pages int
	}{{"64MiB", 1024}, {"1GiB", 16384}} {
		mod := heapModule(b, size.pages)
		for _, mode := range []struct {
			name string
			eng  execution.Engine
		}{{"tracked", engine(b)}, {"compare", noTrack}} {
			x, err := execution.New(execution.Config{}, mode.eng)
			if err != nil {
				b.Fatal(err)
			}
			c := newCube(b, x)
			c.mustInstall(mod)
			for _, m := range []struct {
				method string
				kind   execution.Kind
			}{{"w10", execution.KindUpdate}, {"t10", execution.KindUpdate}, {"q10", execution.KindQuery}} {
				b.Run(size.name+"/"+mode.name+"/"+m.method, func(b *testing.B) {
					in := execution.Input{Kind: m.kind, Method: m.method}
					for b.Loop() {
						out, err := x.Execute(context.Background(), c.st, in)
						if err != nil || (m.method != "t10" && out.Err != nil) {
							b.Fatal(err, out.Err)
						}
						if m.method == "w10" && len(out.Dirty.Heap) != 10 {
							b.Fatalf("%d dirty pages, want 10", len(out.Dirty.Heap))
						}
						c.st = out.State
					}
				})
			}
			x.Forget(c.st.ID)
		}
	}
}

// BenchmarkDirtyTrackingRatio pairs, in each iteration, a tracked 10-page
// update on a populated heap of the given size with a trivial update on a
// one-page heap, and reports both times and their median ratio.
func BenchmarkDirtyTrackingRatio(b *testing.B) {
	for _, size := range []struct {
		name  string
		pages int
	}{{"64MiB", 1024}, {"1GiB", 16384}} {
		b.Run(size.name, func(b *testing.B) {
			x := newExecutor(b, execution.Config{})
			big := newCube(b, x)
			big.mustInstall(heapModule(b, size.pages))
			small := newCube(b, x)
			small.st.ID++
			small.mustInstall(heapModule(b, 1))
			w, trap, nop := execution.Input{Kind: execution.KindUpdate, Method: "w10"},
				execution.Input{Kind: execution.KindUpdate, Method: "t10"},
				execution.Input{Kind: execution.KindUpdate, Method: "nop"}
			run := func(c *cube, in execution.Input) time.Duration {
				t0 := time.Now()
				out, err := x.Execute(context.Background(), c.st, in)
				d := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				c.st = out.State
				return d
			}
			var rw, rt []float64
			var tw, tt, tn time.Duration
			for b.Loop() {
				dw, dt, dn := run(big, w), run(big, trap), run(small, nop)
				tw, tt, tn = tw+dw, tt+dt, tn+dn
				rw = append(rw, float64(dw)/float64(dn))
				rt = append(rt, float64(dt)/float64(dn))
			}
			n := float64(b.N)
			b.ReportMetric(float64(tw.Microseconds())/n, "µs/update")
			b.ReportMetric(float64(tt.Microseconds())/n, "µs/trap")
			b.ReportMetric(float64(tn.Microseconds())/n, "µs/nop-64KiB")
			b.ReportMetric(median(rw), "update/nop")
			b.ReportMetric(median(rt), "trap/nop")
			x.Forget(big.st.ID)
		})
	}
}

// BenchmarkTrivialQueryParallel runs a trivial query (reply only) on as
// many cubes as goroutines (GOMAXPROCS), each goroutine on its own cube,
// through one executor; it reports the total query rate. Each query's
// memory is rolled back through the dirty-page tracker.
func BenchmarkTrivialQueryParallel(b *testing.B) {
	x := newExecutor(b, execution.Config{})
	mod := probe(b, false, map[string]string{"canister_query q": replyMem(8)}, "")
	var next atomic.Int64
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := newCube(b, x)
		c.st.ID = bigfile.CubeID(1000 + next.Add(1))
		c.mustInstall(mod)
		in := execution.Input{Kind: execution.KindQuery, Method: "q"}
		for pb.Next() {
			out, err := x.Execute(context.Background(), c.st, in)
			if err != nil || out.Err != nil {
				b.Fatal(err, out.Err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "queries/s")
}

// BenchmarkMessageRates pairs, per iteration, a trivial WAT update, a
// Motoko counter inc and a trivial WAT query, with dirty tracking, and
// reports each one's rate and their ratios to the trivial update.
func BenchmarkMessageRates(b *testing.B) {
	x := newExecutor(b, execution.Config{})
	wat := newCube(b, x)
	wat.mustInstall(probe(b, false, map[string]string{
		"canister_update inc": "(i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (i32.const 1)))" + replyMem(4),
		"canister_query q":    replyMem(4)}, ""))
	mo := newCube(b, x)
	mo.st.ID++
	mo.mustInstall(motoko(b, "Counter"))
	run := func(c *cube, in execution.Input) time.Duration {
		t0 := time.Now()
		out, err := x.Execute(context.Background(), c.st, in)
		d := time.Since(t0)
		if err != nil || out.Err != nil {
			b.Fatal(err, out.Err)
		}
		c.st = out.State
		return d
	}
	upd := execution.Input{Kind: execution.KindUpdate, Method: "inc"}
	inc := execution.Input{Kind: execution.KindUpdate, Method: "inc", Arg: didlEmpty}
	q := execution.Input{Kind: execution.KindQuery, Method: "q"}
	var tu, tm, tq time.Duration
	var rm, rq []float64
	for b.Loop() {
		du, dm, dq := run(wat, upd), run(mo, inc), run(wat, q)
		tu, tm, tq = tu+du, tm+dm, tq+dq
		rm = append(rm, float64(dm)/float64(du))
		rq = append(rq, float64(dq)/float64(du))
	}
	n := float64(b.N)
	b.ReportMetric(n/tu.Seconds(), "wat-updates/s")
	b.ReportMetric(n/tm.Seconds(), "motoko-incs/s")
	b.ReportMetric(n/tq.Seconds(), "wat-queries/s")
	b.ReportMetric(median(rm), "inc/update")
	b.ReportMetric(median(rq), "query/update")
}
