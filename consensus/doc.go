// Package consensus orders messages into blocks with Internet Computer
// Consensus (ICC): a random beacon per height ranks the block makers, notaries
// notarize the best-ranked block they see after a rank-dependent delay, and a
// block is final once n−f replicas sign that it is the only one they
// notarized at its height. Catch-up packages at summary heights let a lagging
// or new replica resume without replaying history.
//
// # Boundary
//
// Consumes: artifacts received from peers (blocks, shares, beacons,
// catch-up packages) and time ticks; a payload builder and validator that
// message routing satisfies (ingress and XNet content is opaque here); a
// signer and verifier for beacon, notarization and finalization shares that
// chainkey satisfies. Provides: finalized payloads in order, as
// [github.com/thebigfile/bigfile.Batch] values, and the artifacts to send.
//
// The core is deterministic and does no I/O: no goroutines, clock,
// randomness, network or disk. Its inputs are artifacts and ticks; its output
// is a Ready value (artifacts to send, batches to deliver, state to persist),
// in the shape of etcd raft. A driver with goroutines, an in-memory network
// with fault injection and a TCP transport sit on top.
//
// # Usage
//
// Nothing is exported yet: the consensus issue builds the core, its Ready
// loop and the transports. The loop will read:
//
//	for {
//		rd := core.Ready()
//		persist(rd.State)
//		send(rd.Artifacts)
//		deliver(rd.Batches)
//		core.Advance(rd)
//	}
package consensus
