// Package consensustest simulates consensus subnets for tests: fake keys
// ([Crypto], HMAC-based, fast and deterministic), a fake payload builder
// ([Payloads]), a [Cluster] of cores over an in-memory network in simulated
// time with seeded faults (loss, duplication, per-link latency, jitter that
// reorders, partitions) and Byzantine behaviours ([Behavior]: equivocating
// makers, corrupt shares, withheld proposals, silence; plus crashes and
// restarts from the node's store), the datadriven command interpreter
// [InteractionEnv] behind consensus/testdata, and a channel-based
// [MemNetwork] for consensus.Node on real time.
//
// A cluster is driven only by its Run methods; given the same Options and
// calls it produces the same events, so a failing seed reproduces.
//
// # Usage
//
//	c, err := consensustest.NewCluster(consensustest.Options{N: 4, Seed: 1, Drop: 0.1})
//	c.Nodes[3].Behavior = consensustest.Behavior{Equivocate: true}
//	c.Run(2 * time.Second)
//	if len(c.Violations) > 0 { ... }    // safety
//	if c.MinDelivered() < 10 { ... }    // liveness
package consensustest
