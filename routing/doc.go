// Package routing is message routing: it inducts each finalized batch into
// cube input queues and carries calls between cubes, within the subnet and
// to other subnets in certified XNet streams.
//
// # Boundary
//
// Consumes [github.com/thebigfile/bigfile.Batch] values from consensus
// (ingress messages and certified stream slices as opaque bytes), the calls
// and responses that execution makes, and three small interfaces declared
// here: [Cubes] (does a cube exist, does it run, what can it pay: supplied by
// execution), [Certifier] (this subnet's proof of a slice digest: the state
// manager's witness plus the n−f threshold signature) and [Verifier]
// (checks another subnet's proof with that subnet's public key). Routing
// imports no other component; package routingtest has in-memory versions of
// all three, and examples/xnet has a certifier on threshold BLS.
//
// Provides: the routing table ([Map], [Table]: cube id ranges to subnets,
// changes taking effect at a height), per-cube input queues, per-pair
// output queues, per-subnet streams with signals, the ingress history with
// the Internet Computer's statuses, and the stream slice encoding
// ([Slice], [DecodeSlice]).
//
// # Determinism
//
// [Router] is a deterministic core: no goroutines, no clock, no I/O, no
// randomness. Time is the batch time; every map is visited in sorted order;
// the same batches and calls give the same queues, streams and statuses on
// every replica.
//
// # Messages and queues
//
// Each cube (and the management cube) has an input queue of requests and
// responses from cubes, and an ingress queue; [Router.NextInput] alternates
// between them, each first in, first out. A cube holds at most
// Config.QueueCapacity requests in its input queue and at most that many
// outstanding calls, because every call reserves a slot for its response
// in the caller's queue: responses always fit. A call that cannot be
// carried is refused with a *[CallError] holding SYS_TRANSIENT (queue full)
// or another reject code; nothing is dropped silently.
//
// Calls to cubes of this subnet go straight into the receiver's queue. Calls
// to other subnets wait in an output queue per (caller, callee) until the
// stream to the callee's subnet holds fewer than Config.MaxStreamMessages
// messages (backpressure), then go into the stream. Responses go into
// streams at once.
//
// # Streams, slices and signals
//
// The stream from subnet X to subnet Y numbers its messages from 0. X's
// router cuts slices of it on request ([Router.Slice], starting at Y's
// [Router.NextIndex]); a slice carries X's stream header: the bounds of the
// stream, and X's signals for the reverse stream (SignalsEnd: everything
// below it was inducted; reject signals: messages refused because their
// receiver is not hosted on X, after a migration). The slice's digest,
// over everything but the certification, is certified by X. Y's router
// inducts a slice only if it decodes strictly, is addressed to Y by the
// subnet the batch names, begins exactly at the next expected index (no
// replays, no gaps), is not cut from an older height than the previous one,
// has signals consistent with Y's own stream, and verifies under X's key.
// Then Y garbage-collects its stream to X below X's SignalsEnd, reroutes the
// reject-signalled messages by the current table (or answers them with a
// reject), and inducts the messages in order. A request that cannot be
// delivered (no such cube, stopped, queue full) is answered with a reject
// response on the reverse stream, its cycles refunded. While Y's stream back
// to X is at the backpressure limit, Y stops inducting requests from X; they
// come again in the next slice.
//
// # Ingress
//
// Induction checks each ingress message in batch order: expiry within
// [batch time, batch time + Config.MaxIngressExpiry] (else skipped), not in
// the history (duplicates skipped), the size limit, the receiver hosted on
// this subnet, existing and running, its liquid balance covering the ingress
// fee (which is charged), and room in its ingress queue. Refusals are
// recorded as "rejected" with the reject code and IC error code; accepted
// messages are "received", become "processing" when execution takes them,
// and "replied" or "rejected" through [Router.CompleteIngress]. After expiry
// a finished status becomes "done" and is deleted one retention period
// later, so a replay is refused for as long as it could be inducted.
//
// # Bucket subnets
//
// Cubes on subnets of kind [Bucket] (the seeds' S4 subnets) cannot call
// other cubes and cannot transfer cycles: [Router.SubmitRequest] refuses
// such calls with SYS_FATAL and a message saying so, and a subnet that knows
// a peer is a bucket subnet answers requests arriving from it with the same
// reject. Calls without cycles to the management cube are allowed.
//
// # Usage
//
// Per finalized batch, the wiring (examples/replica) does:
//
//	// Consensus built the batch; each XNet slice came from the sending
//	// subnet's router: peer.Slice(mySubnet, router.NextIndex(peer)).
//	rep, err := router.Induct(batch)
//	if err != nil {
//		return err // a height or time out of order: a wiring bug
//	}
//	for _, s := range rep.Slices {
//		if s.Err != nil { log(s.Err) } // refused slices change nothing
//	}
//	// Execution drains the queues.
//	for _, cube := range router.Pending() {
//		for m, ok := router.NextInput(cube); ok; m, ok = router.NextInput(cube) {
//			// execute m; calls go to router.SubmitRequest, answers to
//			// router.SubmitResponse, ingress results to router.CompleteIngress
//		}
//	}
//	router.Route() // move waiting requests onto streams with room
//
// Clients poll router.History().Get(id) for /request_status/<id>.
//
// # Not yet done
//
// The router's state (queues, streams, history) lives in memory; putting it
// into the replicated, certified state is the state manager's part of the
// wiring. Best-effort calls (non-zero deadlines) travel and are answered
// like guaranteed ones: no deadline expiry or load shedding yet.
package routing
