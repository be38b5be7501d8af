package consensus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
)

// recorder is a Deliverer that keeps batch heights and randomness.
type recorder struct {
	mu      sync.Mutex
	batches map[bigfile.Height]bigfile.Hash
	last    bigfile.Height
}

func (r *recorder) DeliverBatch(_ context.Context, b bigfile.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.batches == nil {
		r.batches = map[bigfile.Height]bigfile.Hash{}
	}
	r.batches[b.Height] = b.Randomness
	r.last = b.Height
	return nil
}

func (r *recorder) FetchState(_ context.Context, cup *consensus.CatchUpPackage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = cup.Height()
	return nil
}

func (r *recorder) height() bigfile.Height {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// TestNodes runs four Nodes on real time over an in-memory network: they
// finalize; one is stopped and the rest go on; restarted from its store, it
// catches up.
func TestNodes(t *testing.T) {
	const n = 4
	ids := make([]bigfile.NodeID, n)
	for i := range ids {
		ids[i] = consensustest.NodeID(i)
	}
	keys := consensustest.NewCrypto("nodes", ids)
	net := consensustest.NewMemNetwork()
	stores := make([]*consensus.MemStore, n)
	recs := make([]*recorder, n)
	cancels := make([]context.CancelFunc, n)
	errs := make([]chan error, n)
	start := func(i int) {
		cfg := consensus.NodeConfig{
			Core: consensus.Config{ID: ids[i], Nodes: ids, Signer: keys.Signer(ids[i]), Verifier: keys,
				InitialNotaryDelay: 5 * time.Millisecond, UnitDelay: 50 * time.Millisecond,
				SummaryInterval: 10, StatusInterval: 50 * time.Millisecond, RetransmitInterval: 100 * time.Millisecond},
			Transport: net.Attach(ids[i]), Deliverer: recs[i], Store: stores[i], TickInterval: 2 * time.Millisecond,
		}
		node, err := consensus.NewNode(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i], errs[i] = cancel, make(chan error, 1)
		go func() { errs[i] <- node.Run(ctx) }()
	}
	stop := func(i int) {
		net.Detach(ids[i])
		cancels[i]()
		if err := <-errs[i]; !errors.Is(err, context.Canceled) {
			t.Errorf("node %d: Run returned %v", i, err)
		}
	}
	for i := range n {
		stores[i], recs[i] = consensus.NewMemStore(), &recorder{}
		start(i)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	all := func(h bigfile.Height, skip int) func() bool {
		return func() bool {
			for i, r := range recs {
				if i != skip && r.height() < h {
					return false
				}
			}
			return true
		}
	}
	waitFor("5 heights", all(5, -1))
	stop(3)
	h := recs[0].height()
	waitFor("progress without node 3", all(h+5, 3))
	start(3)
	h = recs[0].height()
	waitFor("node 3 to catch up", all(h+3, -1))
	for i := range n {
		stop(i)
	}
	// Agreement: every height two recorders hold has the same randomness.
	for hh, want := range recs[0].batches {
		for i := 1; i < n; i++ {
			if got, ok := recs[i].batches[hh]; ok && got != want {
				t.Errorf("height %d: node %d disagrees", hh, i)
			}
		}
	}
}
