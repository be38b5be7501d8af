package consensus_test

import (
	"testing"
	"time"

	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
)

// latencyCluster runs n fault-free nodes with one-way link delay delta for
// the given simulated time and returns the median time from a block's
// proposal to its delivery, over all nodes and heights.
func latencyCluster(tb testing.TB, n int, delta time.Duration, run time.Duration) (time.Duration, int) {
	c, err := consensustest.NewCluster(consensustest.Options{N: n, Delay: delta,
		Config: consensus.Config{InitialNotaryDelay: 10 * time.Millisecond, UnitDelay: 4 * delta,
			SummaryInterval: 100, StatusInterval: time.Second, RetransmitInterval: 2 * time.Second}})
	if err != nil {
		tb.Fatal(err)
	}
	c.Run(run)
	if len(c.Violations) > 0 {
		tb.Fatal(c.Violations)
	}
	lat := c.Latencies()
	if len(lat) == 0 {
		tb.Fatal("nothing finalized")
	}
	return lat[len(lat)/2], int(c.MinDelivered())
}

// TestFinalizationLatency checks, in simulated time (deterministic), that
// with δ = 50 ms links and no faults a block is delivered everywhere a
// median 3δ after it is proposed: δ to reach the notaries, δ for their
// shares, δ for the finalization shares.
func TestFinalizationLatency(t *testing.T) {
	const delta = 50 * time.Millisecond
	for _, n := range []int{4, 7} {
		med, heights := latencyCluster(t, n, delta, 5*time.Second)
		if med > 3*delta+10*time.Millisecond {
			t.Errorf("n=%d: median latency %v, want ≤ 3δ+10ms = %v", n, med, 3*delta+10*time.Millisecond)
		}
		if heights < 25 {
			t.Errorf("n=%d: %d heights in 5 s, want ≥ 25 (a round takes 2δ)", n, heights)
		}
	}
}

// BenchmarkLatency reports the median finalization latency in simulated
// time with δ = 50 ms, in ms and as a multiple of δ.
func BenchmarkLatency(b *testing.B) {
	const delta = 50 * time.Millisecond
	var med time.Duration
	heights := 0
	for range b.N {
		med, heights = latencyCluster(b, 4, delta, 10*time.Second)
	}
	b.ReportMetric(float64(med)/float64(time.Millisecond), "median-ms")
	b.ReportMetric(float64(med)/float64(delta), "median/δ")
	b.ReportMetric(float64(heights)/10, "heights/sim-s")
}
