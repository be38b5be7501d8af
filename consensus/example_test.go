package consensus_test

import (
	"fmt"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
)

// A one-node subnet (f = 0) driven by hand: tick the core, then handle
// each Ready — persist, send (no peers here), deliver — and Advance.
func Example() {
	id := consensustest.NodeID(0)
	keys := consensustest.NewCrypto("example", []bigfile.NodeID{id})
	core, err := consensus.New(consensus.Config{
		ID: id, Nodes: []bigfile.NodeID{id},
		Signer: keys.Signer(id), Verifier: keys,
		InitialNotaryDelay: 10 * time.Millisecond,
		SummaryInterval:    2,
	})
	if err != nil {
		panic(err)
	}
	store := consensus.NewMemStore()
	for ms := 0; ms <= 30; ms += 10 {
		core.Tick(bigfile.Time(time.Duration(ms) * time.Millisecond))
		for core.HasReady() {
			rd := core.Ready()
			if err := consensus.Save(store, rd); err != nil {
				panic(err)
			}
			// send(rd.Messages) would go here.
			for _, b := range rd.Batches {
				fmt.Printf("t=%dms batch %d checkpoint=%v\n", ms, b.Height, b.Checkpoint)
			}
			store.SetDelivered(rd.Delivered)
			core.Advance(rd)
		}
	}
	fmt.Println(core.Status())
	// Output:
	// t=10ms batch 1 checkpoint=false
	// t=20ms batch 2 checkpoint=true
	// t=30ms batch 3 checkpoint=false
	// notarized=3 finalized=3 delivered=3 cup=2
}
