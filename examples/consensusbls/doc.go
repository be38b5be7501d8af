// Package consensusbls wires chainkey's BLS12-381 signatures into
// consensus: [Keys] implements consensus.Verifier and, per node,
// consensus.Signer, mapping each artifact's scheme to the right key —
// the node's own key for block proposals (basic scheme) and for
// notarization and finalization shares (multi-signatures, aggregated by
// point addition and checked once against the summed keys), a low
// threshold key (f+1 of n) for the random beacon and a high threshold key
// (n−f of n) for catch-up packages, both combined by Lagrange
// interpolation. consensus does not import chainkey; this package, like
// the rest of examples/, is where components meet.
//
// [Deal] makes all keys with a trusted dealer from a seeded source, which
// suits tests, benchmarks and local networks; a production subnet would
// obtain the threshold keys from chainkey/dkg instead.
//
// The tests run the acceptance scenario — four nodes over loopback TLS
// (consensus/tcp) with real BLS finalize, one is stopped and the others go
// on, then it restarts from its store and catches up — and the benchmarks
// measure finalized heights per second with n = 4 and n = 13 in one process.
//
// # Usage
//
//	keys, err := consensusbls.Deal(rand, ids)
//	...
//	node, err := consensus.NewNode(consensus.NodeConfig{
//		Core: consensus.Config{ID: id, Nodes: ids, Signer: keys.Signer(id), Verifier: keys},
//		Transport: transport, Deliverer: router,
//	})
//	err = node.Run(ctx)
package consensusbls
