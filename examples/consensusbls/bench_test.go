package consensusbls_test

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
	"github.com/thebigfile/bigfile/examples/consensusbls"
)

func simIDs(n int) []bigfile.NodeID {
	ids := make([]bigfile.NodeID, n)
	for i := range ids {
		ids[i] = consensustest.NodeID(i)
	}
	return ids
}

func dealt(tb testing.TB, ids []bigfile.NodeID) *consensusbls.Keys {
	keys, err := consensusbls.Deal(rand.NewChaCha8([32]byte{7}), ids)
	if err != nil {
		tb.Fatal(err)
	}
	return keys
}

// runHeights simulates n nodes in one process (one goroutine, simulated
// network time) until every node has delivered b.N heights, and reports
// finalized heights per wall-clock second and payload MB per second.
func runHeights(b *testing.B, n int, real bool, items, size int) {
	o := consensustest.Options{N: n, Delay: 5 * time.Millisecond, Items: items, ItemSize: size,
		Config: consensus.Config{InitialNotaryDelay: time.Millisecond, UnitDelay: 200 * time.Millisecond,
			SummaryInterval: 100, StatusInterval: time.Second, RetransmitInterval: 2 * time.Second}}
	if real {
		o.Keys = dealt(b, simIDs(n))
	}
	c, err := consensustest.NewCluster(o)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	target := bigfile.Height(b.N)
	for c.MinDelivered() < target {
		c.Run(10 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "heights/cpu-s")
	if len(c.Violations) > 0 {
		b.Fatal(c.Violations)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/sec, "heights/s")
	if items > 0 {
		b.ReportMetric(float64(b.N)*float64(items*size)/sec/1e6, "payload-MB/s")
	}
}

// BenchmarkHeights: finalized heights per second, all nodes in one
// process, with real BLS and, as the baseline of the same run, with the
// fake HMAC signer.
func BenchmarkHeights(b *testing.B) {
	for _, n := range []int{4, 13} {
		b.Run(fmt.Sprintf("bls/n=%d", n), func(b *testing.B) { runHeights(b, n, true, 0, 0) })
		b.Run(fmt.Sprintf("fake/n=%d", n), func(b *testing.B) { runHeights(b, n, false, 0, 0) })
	}
}

// BenchmarkPayload: blocks of 1,000 ingress messages of 100 bytes at n=4.
func BenchmarkPayload(b *testing.B) {
	b.Run("bls/n=4", func(b *testing.B) { runHeights(b, 4, true, 1000, 100) })
	b.Run("fake/n=4", func(b *testing.B) { runHeights(b, 4, false, 1000, 100) })
}

// BenchmarkVerify is the unit the heights figures compare to: one BLS
// signature verification (decode, hash to G1, pairing check).
func BenchmarkVerify(b *testing.B) {
	sk, err := bls.GenerateKey(rand.NewChaCha8([32]byte{1}))
	if err != nil {
		b.Fatal(err)
	}
	msg := sha256.Sum256([]byte("m"))
	sig := sk.Sign(msg[:]).Bytes()
	pk := sk.PublicKey()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		s, err := bls.ParseSignature(sig[:])
		if err != nil || pk.Verify(msg[:], s) != nil {
			b.Fatal("verify failed")
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime returns the CPU time (user and system) used by the process, so
// figures can be read independently of other load on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
