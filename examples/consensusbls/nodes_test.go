package consensusbls_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
	"github.com/thebigfile/bigfile/consensus/tcp"
)

// counter is a Deliverer that counts batches.
type counter struct{ h atomic.Uint64 }

func (c *counter) DeliverBatch(_ context.Context, b bigfile.Batch) error {
	c.h.Store(uint64(b.Height))
	return nil
}

func (c *counter) FetchState(_ context.Context, cup *consensus.CatchUpPackage) error {
	c.h.Store(uint64(cup.Height()))
	return nil
}

// BenchmarkNodes runs n consensus.Nodes (one goroutine each, so both cores
// work) on real time over the in-memory network with real BLS, and reports
// finalized heights per wall-clock second and per CPU second.
func BenchmarkNodes(b *testing.B) {
	for _, n := range []int{4, 13} {
		b.Run(fmt.Sprintf("bls/n=%d", n), func(b *testing.B) {
			ids := simIDs(n)
			keys := dealt(b, ids)
			net := consensustest.NewMemNetwork()
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			counters := make([]*counter, n)
			for i, id := range ids {
				counters[i] = &counter{}
				node, err := consensus.NewNode(consensus.NodeConfig{
					Core: consensus.Config{ID: id, Nodes: ids, Signer: keys.Signer(id), Verifier: keys,
						InitialNotaryDelay: time.Microsecond, UnitDelay: time.Second, SummaryInterval: 100,
						StatusInterval: time.Second, RetransmitInterval: 2 * time.Second},
					Transport: net.Attach(id), Deliverer: counters[i], TickInterval: time.Millisecond,
				})
				if err != nil {
					b.Fatal(err)
				}
				wg.Add(1)
				go func() { defer wg.Done(); node.Run(ctx) }()
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			for {
				low := uint64(1 << 62)
				for _, c := range counters {
					low = min(low, c.h.Load())
				}
				if low >= uint64(b.N) {
					break
				}
				time.Sleep(time.Millisecond)
			}
			b.StopTimer()
			cpu := cpuTime() - cpu0
			cancel()
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "heights/s")
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "heights/cpu-s")
		})
	}
}

// TestTCPRealBLS is the acceptance test: four nodes over loopback TLS with
// real BLS keys finalize; one is stopped and the rest go on; restarted from
// its store file, it catches up.
func TestTCPRealBLS(t *testing.T) {
	const n = 4
	nodeKeys := make([]ed25519.PrivateKey, n)
	ids := make([]bigfile.NodeID, n)
	for i := range nodeKeys {
		var seed [32]byte
		seed[0] = byte(i + 1)
		nodeKeys[i] = ed25519.NewKeyFromSeed(seed[:])
		ids[i] = tcp.NodeID(nodeKeys[i].Public().(ed25519.PublicKey))
	}
	keys := dealt(t, ids)
	addrs := map[bigfile.NodeID]string{}
	for i := range n {
		tr, err := tcp.New(tcp.Config{Key: nodeKeys[i], Listen: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		addrs[ids[i]] = tr.Addr().String()
		tr.Close()
	}
	// Each node keeps its pool in a file, reopened on restart as a new
	// process would.
	dir := t.TempDir()
	stores := make([]*consensus.FileStore, n)
	nodes := make([]*consensus.Node, n)
	cancels := make([]context.CancelFunc, n)
	done := make([]chan error, n)
	running := make([]bool, n)
	start := func(i int) {
		peers := map[bigfile.NodeID]string{}
		for id, a := range addrs {
			if id != ids[i] {
				peers[id] = a
			}
		}
		var tr *tcp.Transport
		var err error
		for range 100 { // a restarted node's port may linger briefly
			if tr, err = tcp.New(tcp.Config{Key: nodeKeys[i], Listen: addrs[ids[i]], Peers: peers}); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		if stores[i], err = consensus.OpenFileStore(filepath.Join(dir, fmt.Sprintf("node%d.pool", i))); err != nil {
			t.Fatal(err)
		}
		node, err := consensus.NewNode(consensus.NodeConfig{
			Core: consensus.Config{ID: ids[i], Nodes: ids, Signer: keys.Signer(ids[i]), Verifier: keys,
				InitialNotaryDelay: 10 * time.Millisecond, UnitDelay: 300 * time.Millisecond, SummaryInterval: 10,
				StatusInterval: 100 * time.Millisecond, RetransmitInterval: 300 * time.Millisecond},
			Transport: tr, Deliverer: &counter{}, Store: stores[i], TickInterval: 2 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		nodes[i], running[i] = node, true
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i], done[i] = cancel, make(chan error, 2)
		go func() { done[i] <- tr.Run(ctx) }()
		go func() { done[i] <- node.Run(ctx) }()
	}
	stop := func(i int) {
		cancels[i]()
		for range 2 {
			if err := <-done[i]; !errors.Is(err, context.Canceled) {
				t.Errorf("node %d: %v", i, err)
			}
		}
		stores[i].Close()
		running[i] = false
	}
	for i := range n {
		start(i)
	}
	defer func() {
		for i := range n {
			if running[i] {
				stop(i)
			}
		}
	}()
	wait := func(h bigfile.Height, skip int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			ok := true
			for i, nd := range nodes {
				ok = ok && (i == skip || nd.Status().Delivered >= h)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				var st string
				for i, nd := range nodes {
					st += fmt.Sprintf("\n  node %d: %v", i, nd.Status())
				}
				t.Fatalf("timeout waiting for height %d:%s", h, st)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	wait(5, -1)
	stop(3)
	h := nodes[0].Status().Delivered
	wait(h+5, 3)
	t.Logf("without node 3: heights %d → %d", h, nodes[0].Status().Delivered)
	start(3)
	target := nodes[0].Status().Delivered + 3
	wait(target, -1)
	t.Logf("node 3 restarted and caught up: %v", nodes[3].Status())
}
