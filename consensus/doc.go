// Package consensus orders messages into blocks with Internet Computer
// Consensus (ICC): a random beacon per height ranks the block makers,
// notaries notarize the best-ranked block they see after a rank-dependent
// delay, and a block is final once n−f replicas sign that it is the only
// one they notarized at its height. Catch-up packages at summary heights let
// a lagging or new replica resume without replaying history.
//
// # Boundary
//
// Consumes: artifacts received from peers and time ticks; a payload builder
// and validator ([Payloads]) that message routing satisfies (ingress and
// XNet content is opaque here); a [Signer] and [Verifier] for block
// proposals and for beacon, notarization, finalization and catch-up shares,
// which chainkey's BLS satisfies through an adapter (examples/consensusbls)
// and consensustest fakes with HMACs. Provides: finalized payloads in order,
// as [bigfile.Batch] values, and the artifacts to send and persist. It never
// imports another component.
//
// # Protocol
//
// Heights and rounds coincide: round h begins when a node holds a notarized
// block at h−1. With n nodes, f = (n−1)/3 ([Faults]):
//
//   - Random beacon. The beacon at h is a threshold signature (f+1 of n,
//     [SchemeLow]) on (h, hash of the beacon at h−1); it is unique, so every
//     node derives the same value. Nodes sign their beacon share for h once
//     h−1 is notarized.
//   - Ranks. The beacon at h−1 seeds a permutation of the members
//     ([Ranking]); rank 0 is the leader. Only ranks 0..f make blocks.
//   - Block making. A rank-r maker proposes r×UnitDelay after the round
//     start, on the lowest-ranked notarized block at h−1, unless it already
//     holds a valid block of lower rank. It sends the parent's notarization
//     and the beacon with it.
//   - Notarization. After InitialNotaryDelay + r×UnitDelay×1.5^(notarized −
//     finalized height) — the back-off when finalization lags — a notary
//     signs a share for the lowest-ranked valid block whose maker did not
//     equivocate. n−f shares ([SchemeMulti]) make a notarization; holding a
//     notarized block at h ends the round.
//   - Finalization. A node signs a finalization share at h only if exactly
//     one block at h is notarized and it signed no notarization share for
//     another block there. n−f shares finalize the block and its ancestors.
//     Two blocks at one height cannot both be finalized: each would need
//     n−f signers, so more than f nodes would have signed both.
//   - Delivery. Finalized blocks go out as batches, in height order, each
//     with the hash of its height's beacon as randomness.
//   - Catch-up packages. At every SummaryInterval-th height, once its block
//     is delivered, nodes sign the package content (block, beacon, and the
//     state hash reported by [Core.SetStateHash] when Config.StateHashes is
//     set); n−f shares with the high-threshold key ([SchemeHigh]) make a
//     [CatchUpPackage]. Adopting one purges everything below it; a node
//     that had not delivered that far resumes there ([Ready].CatchUp).
//
// Shares are combined before they are verified: the core combines the first
// threshold-many shares it holds and verifies the result once; only if that
// fails does it verify shares singly and drop the bad ones. Aggregates
// received from peers are verified only when the pool lacks one for the
// same content. With real BLS that is about four pairing checks per node per
// height.
//
// # Gossip
//
// A node sends its own shares and proposals to every member once. Repairs
// cost extra messages only when something is missing: a periodic [Status]
// lets a peer that is ahead send a lagging node the blocks, notarizations,
// finalizations and beacons it lacks, a window of heights at a time, or a
// catch-up package when it lags below the peer's pool; when a node makes no
// progress for RetransmitInterval it re-sends its artifacts of the open
// heights and relays the blocks it notarized; a notary that receives a
// share for a block it has not seen sends the share's signer the blocks it
// notarized (one side of an equivocation shows the other); and a node that
// sees two blocks of one maker sends both to everyone as evidence.
//
// # Shape
//
// [Core] is deterministic and does no I/O, in the shape of etcd raft's
// RawNode: no goroutines, clock, randomness, network or disk, and map
// iteration never leaks into its outputs. Its inputs are [Core.Step]
// (an artifact from a peer) and [Core.Tick] (the time); its output is a
// [Ready] value — artifacts to persist, messages to send, batches to
// deliver — acknowledged with [Core.Advance]. [Node] runs a core with
// goroutines over a [Transport] (consensus/tcp has one over TLS) and a
// [Store], delivering to a [Deliverer]. consensus/consensustest simulates
// whole subnets on a seeded network in simulated time.
//
// # Restart
//
// Everything the core puts in [Ready].Persist — its own shares and proposals
// among it — must be durable before the messages of the same Ready are sent;
// [Restart] rebuilds a core from those artifacts and the delivered height, so
// it never signs anything contradicting what it signed before the restart.
//
// # Usage
//
// A caller-run loop, as [Node] does it:
//
//	core, err := consensus.New(consensus.Config{ID: id, Nodes: ids, Signer: s, Verifier: v, Payloads: router})
//	...
//	for {
//		select {
//		case <-ticker.C:
//			core.Tick(bigfile.TimeOf(time.Now()))
//		case m := <-incoming:
//			core.Step(m.From, m.Artifact)
//		}
//		for core.HasReady() {
//			rd := core.Ready()
//			consensus.Save(store, rd)      // 1. persist
//			send(rd.Messages)              // 2. send
//			deliver(rd.CatchUp, rd.Batches) // 3. state sync, then batches
//			store.SetDelivered(rd.Delivered)
//			core.Advance(rd)
//		}
//	}
package consensus
