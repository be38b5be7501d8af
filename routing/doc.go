// Package routing is message routing: it inducts each finalized batch into
// cube input queues and carries requests between subnets in certified XNet
// streams.
//
// # Boundary
//
// Consumes: [github.com/thebigfile/bigfile.Batch] values from consensus
// (ingress messages and certified stream slices as opaque bytes), requests
// and responses that execution produces, witnesses from the state manager and
// threshold signatures from chainkey, each through a small interface this
// package declares. Provides: per-cube input queues in a deterministic order,
// per-subnet output streams with sequence numbers and signals, the routing
// table (cube id ranges to subnets, changing at a height), the ingress history
// with its statuses, and the payload builder and validator that consensus
// calls.
//
// # Usage
//
// Nothing is exported yet: the routing issue builds induction, queues, XNet
// streams and the routing table. Per round the wiring will call:
//
//	router.Induct(batch)     // ingress and verified XNet slices into input queues
//	outputs := exec.Run(...) // execution drains the queues
//	router.Route(outputs)    // local requests to queues, remote ones to streams
package routing
