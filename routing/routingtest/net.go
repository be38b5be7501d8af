package routingtest

import (
	"fmt"
	"slices"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
)

// Handler stands in for execution: it is given each message taken from a
// cube's input queue, with the router of the cube's subnet, and may make
// calls (SubmitRequest), answer them (SubmitResponse) or finish ingress
// (CompleteIngress).
type Handler func(r *routing.Router, m routing.Message)

// Net drives the routers of several subnets in lockstep, in one process:
// each [Net.Step] cuts a certified slice of every stream, inducts a batch on
// every subnet, lets the handlers drain the input queues and routes the
// output. It is deterministic: subnets are visited in id order.
type Net struct {
	Routers  map[bigfile.SubnetID]*routing.Router
	Handlers map[bigfile.Principal]Handler
	// Tamper, when set, sees every encoded slice before induction and
	// returns the bytes to put into the batch instead (or nil to leave the
	// slice out): the hook for forging, corrupting and replaying slices.
	Tamper func(from, to bigfile.SubnetID, slice []byte) []byte
	// Reports holds the reports of the last step, per subnet.
	Reports map[bigfile.SubnetID]routing.Report

	Height bigfile.Height // the height of the next batch
	Time   bigfile.Time   // the time of the next batch; Step adds one second
}

// NewNet returns a network of the given routers, starting at height 1.
func NewNet(routers ...*routing.Router) *Net {
	n := &Net{Routers: map[bigfile.SubnetID]*routing.Router{}, Handlers: map[bigfile.Principal]Handler{},
		Height: 1, Time: bigfile.Time(1_700_000_000_000_000_000)}
	for _, r := range routers {
		n.Routers[r.Subnet()] = r
	}
	return n
}

// Subnets returns the subnet ids in order.
func (n *Net) Subnets() []bigfile.SubnetID {
	ids := make([]bigfile.SubnetID, 0, len(n.Routers))
	for id := range n.Routers {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, bigfile.SubnetID.Compare)
	return ids
}

// Step runs one round on every subnet with the given ingress per subnet.
// It returns the first error from cutting a slice or inducting a batch;
// refused slices are not errors (see [Net.Reports]).
func (n *Net) Step(ingress map[bigfile.SubnetID][]bigfile.Ingress) error {
	ids := n.Subnets()
	batches := map[bigfile.SubnetID]*bigfile.Batch{}
	for _, to := range ids {
		batches[to] = &bigfile.Batch{Height: n.Height, Time: n.Time, Ingress: ingress[to]}
	}
	// Cut every slice before inducting anything: each subnet's slices come
	// from the state it reached in the previous round.
	for _, to := range ids {
		for _, from := range ids {
			if from == to {
				continue
			}
			data, err := n.Routers[from].Slice(to, n.Routers[to].NextIndex(from))
			if err != nil {
				return fmt.Errorf("slice %s→%s: %w", from, to, err)
			}
			if n.Tamper != nil {
				if data = n.Tamper(from, to, data); data == nil {
					continue
				}
			}
			batches[to].XNet = append(batches[to].XNet, bigfile.XNetSlice{From: from, Slice: data})
		}
	}
	// Induct everywhere before executing anywhere, as subnets run in
	// parallel: no subnet sees another's output of the same round.
	n.Reports = map[bigfile.SubnetID]routing.Report{}
	for _, id := range ids {
		rep, err := n.Routers[id].Induct(*batches[id])
		if err != nil {
			return fmt.Errorf("induct on %s: %w", id, err)
		}
		n.Reports[id] = rep
	}
	for _, id := range ids {
		r := n.Routers[id]
		for _, p := range r.Pending() {
			h := n.Handlers[p]
			for {
				m, ok := r.NextInput(p)
				if !ok {
					break
				}
				if h != nil {
					h(r, m)
				}
			}
		}
		// After execution, move waiting requests onto streams with room,
		// as the wiring does at the end of each round.
		r.Route()
	}
	n.Height++
	n.Time = n.Time.Add(1e9)
	return nil
}

// SliceErrors returns the errors of refused slices in the last step.
func (n *Net) SliceErrors() []error {
	var errs []error
	for _, id := range n.Subnets() {
		for _, s := range n.Reports[id].Slices {
			if s.Err != nil {
				errs = append(errs, s.Err)
			}
		}
	}
	return errs
}
