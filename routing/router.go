package routing

import (
	"fmt"
	"slices"

	"github.com/thebigfile/bigfile"
)

// Router is message routing for one subnet: the deterministic core that
// inducts finalized batches, holds the cubes' input queues, carries the
// calls they make (locally or in XNet streams) and keeps the ingress
// history.
//
// A Router has no goroutines, clock or I/O: time comes from the batches,
// and everything it returns depends only on the batches and calls made to
// it, so replicas that make the same calls hold the same state. It is not
// safe for concurrent use.
type Router struct {
	cfg     Config
	height  bigfile.Height // the height of the last inducted batch
	time    bigfile.Time   // its time
	started bool           // a batch was inducted

	history *IngressHistory
	inputs  map[bigfile.Principal]*inputQueue
	outputs map[pairKey]*outputQueue
	streams map[bigfile.SubnetID]*stream
	// open counts the inducted requests that still await their response,
	// per (respondent, originator): SubmitResponse needs one.
	open map[openKey]int

	stats Stats
}

type openKey struct {
	respondent bigfile.Principal
	originator bigfile.CubeID
}

// Stats counts events that have no other trace in the state.
type Stats struct {
	// DroppedResponses counts responses whose originator no subnet hosts
	// any more (the cube was deleted or its range removed).
	DroppedResponses int
}

// New returns a router for cfg's subnet with empty queues and streams. It
// returns an error wrapping [ErrInvalidConfig] if cfg does not validate.
func New(cfg Config) (*Router, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Router{
		cfg:     cfg,
		history: newIngressHistory(cfg.MaxIngressExpiry),
		inputs:  map[bigfile.Principal]*inputQueue{},
		outputs: map[pairKey]*outputQueue{},
		streams: map[bigfile.SubnetID]*stream{},
		open:    map[openKey]int{},
	}, nil
}

// Subnet returns this router's subnet.
func (r *Router) Subnet() bigfile.SubnetID { return r.cfg.Subnet }

// Height returns the height of the last inducted batch (0 before any).
func (r *Router) Height() bigfile.Height { return r.height }

// Table returns the routing table. Read it freely; schedule changes with
// [Router.Migrate].
func (r *Router) Table() *Table { return r.cfg.Table }

// History returns the ingress history, for status lookups.
func (r *Router) History() *IngressHistory { return r.history }

// Stats returns the event counters.
func (r *Router) Stats() Stats { return r.stats }

// Migrate schedules range rng to move to subnet to at height h, which must
// lie above the last inducted height: all replicas then switch at the same
// batch. Messages already in flight to the old subnet come back with
// reject signals and are rerouted. It returns an error wrapping
// [ErrPastHeight] or [ErrInvalidRange].
func (r *Router) Migrate(h bigfile.Height, rng bigfile.CubeRange, to bigfile.SubnetID) error {
	if r.started && h <= r.height {
		return fmt.Errorf("%w: height %d, already inducted %d", ErrPastHeight, h, r.height)
	}
	return r.cfg.Table.Migrate(h, rng, to)
}

// locate returns the subnet hosting p at the current height: this subnet
// for the management cube, the table's answer for a cube id, and false for
// anything else.
func (r *Router) locate(p bigfile.Principal) (bigfile.SubnetID, bool) {
	if p.IsManagementCube() {
		return r.cfg.Subnet, true
	}
	id, err := bigfile.CubeIDFromPrincipal(p)
	if err != nil {
		return bigfile.SubnetID{}, false
	}
	return r.cfg.Table.Lookup(id, r.height)
}

func (r *Router) input(p bigfile.Principal) *inputQueue {
	q := r.inputs[p]
	if q == nil {
		q = &inputQueue{}
		r.inputs[p] = q
	}
	return q
}

func (r *Router) streamTo(s bigfile.SubnetID) *stream {
	st := r.streams[s]
	if st == nil {
		st = &stream{}
		r.streams[s] = st
	}
	return st
}

// Pending returns the principals (cubes, and the management cube) with
// messages waiting in their input queues, sorted: the order in which a
// scheduler that wants determinism should visit them. The caller owns the
// slice.
func (r *Router) Pending() []bigfile.Principal {
	var ps []bigfile.Principal
	for p, q := range r.inputs {
		if !q.empty() {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, bigfile.Principal.Compare)
	return ps
}

// QueueLen returns the number of messages waiting for p: ingress, and
// requests and responses from cubes.
func (r *Router) QueueLen(p bigfile.Principal) int {
	q := r.inputs[p]
	if q == nil {
		return 0
	}
	return q.ingress.len() + q.msgs.len()
}

// NextInput removes and returns the next message for p, alternating
// between ingress and cube messages when both wait; each kind is first in,
// first out. Taking an ingress message marks it "processing" in the
// history. It returns false when nothing waits.
func (r *Router) NextInput(p bigfile.Principal) (Message, bool) {
	q := r.inputs[p]
	if q == nil {
		return Message{}, false
	}
	m, ok := q.pop()
	if ok && m.Kind == KindIngress {
		if e := r.history.entries[m.ID]; e != nil && e.Status == StatusReceived {
			e.Status, e.Time = StatusProcessing, r.time
		}
	}
	return m, ok
}

// IngressResult is how an ingress message ended: a reply, or a reject when
// RejectCode is not zero.
type IngressResult struct {
	Reply         []byte
	RejectCode    bigfile.RejectCode
	RejectMessage string
	ErrorCode     string // like "IC0503"; may be empty
}

// CompleteIngress records the outcome of ingress message id, making its
// status "replied" or "rejected". The history keeps res.Reply (not a copy)
// until the message's expiry. It returns an error if id is not received or
// processing.
func (r *Router) CompleteIngress(id bigfile.MessageID, res IngressResult) error {
	e := r.history.entries[id]
	if e == nil || e.Status.Terminal() {
		return fmt.Errorf("routing: ingress %s is not awaiting a result", id)
	}
	if res.RejectCode != 0 {
		e.Status, e.RejectCode, e.RejectMessage, e.ErrorCode = StatusRejected, res.RejectCode, res.RejectMessage, res.ErrorCode
	} else {
		e.Status, e.Reply = StatusReplied, res.Reply
	}
	e.Time = r.time
	return nil
}

// bucketRule returns the reject for a call that the bucket subnet rule
// forbids, or nil: cubes on bucket subnets call nothing but the
// management cube and attach no cycles.
func (r *Router) bucketRule(from bigfile.SubnetID, req *bigfile.Request) *CallError {
	if r.cfg.Table.Kind(from) != Bucket {
		return nil
	}
	if !req.Receiver.IsManagementCube() {
		return &CallError{Code: bigfile.RejectSysFatal, Message: fmt.Sprintf(
			"cube %s is on bucket subnet %s: bucket cubes cannot call other cubes (called %s)", req.Sender, from, req.Receiver)}
	}
	if !req.Cycles.IsZero() {
		return &CallError{Code: bigfile.RejectSysFatal, Message: fmt.Sprintf(
			"cube %s is on bucket subnet %s: bucket cubes cannot transfer cycles (attached %s)", req.Sender, from, req.Cycles)}
	}
	return nil
}

// SubmitRequest takes a call made by a cube of this subnet. A call to a
// cube of this subnet goes straight into the receiver's input queue; a
// call to another subnet waits in the pair's output queue until the stream
// there has room, then travels in the stream. On success a slot for the
// response is reserved in the caller's input queue.
//
// A call that cannot be carried changes nothing and returns a *[CallError]
// carrying the reject code for the caller (call_perform fails with it):
// SYS_TRANSIENT when a queue is full or no response slot is left (IC0201),
// SYS_FATAL for a request over the size limit or one the bucket subnet
// rule forbids, DESTINATION_INVALID for an unknown or absent receiver
// (IC0301), CANISTER_ERROR for a stopping or stopped receiver (IC0509,
// IC0508).
func (r *Router) SubmitRequest(req bigfile.Request) error {
	if err := r.bucketRule(r.cfg.Subnet, &req); err != nil {
		return err
	}
	// Reserve-before-send: the response must have a slot in the caller's
	// queue whatever happens meanwhile, so the call is refused now rather
	// than the response dropped later.
	sq := r.input(req.Sender.Principal())
	if sq.reserved+sq.responses >= r.cfg.QueueCapacity {
		return &CallError{Code: bigfile.RejectSysTransient, ErrorCode: "IC0201",
			Message: fmt.Sprintf("cube %s has %d calls outstanding, the limit", req.Sender, sq.reserved+sq.responses)}
	}
	m := RequestMessage(req)
	sub, ok := r.locate(req.Receiver)
	switch {
	case !ok:
		return &CallError{Code: bigfile.RejectDestinationInvalid, ErrorCode: "IC0301",
			Message: fmt.Sprintf("no subnet hosts %s", req.Receiver)}
	case sub == r.cfg.Subnet:
		if n := m.payloadSize(); n > r.cfg.MaxLocalRequestBytes {
			return &CallError{Code: bigfile.RejectSysFatal,
				Message: fmt.Sprintf("request of %d bytes exceeds the %d-byte limit", n, r.cfg.MaxLocalRequestBytes)}
		}
		if err := r.deliverRequest(&req); err != nil {
			return err
		}
	default:
		if n := m.payloadSize(); n > r.cfg.MaxRemoteRequestBytes {
			return &CallError{Code: bigfile.RejectSysFatal,
				Message: fmt.Sprintf("request of %d bytes exceeds the %d-byte limit", n, r.cfg.MaxRemoteRequestBytes)}
		}
		key := pairKey{req.Sender, req.Receiver}
		oq := r.outputs[key]
		st := r.streamTo(sub)
		// Straight onto the stream only if no earlier request of the same
		// pair waits: requests between two cubes keep their order.
		switch {
		case (oq == nil || oq.msgs.len() == 0) && st.msgs.len() < r.cfg.MaxStreamMessages:
			st.msgs.push(m)
		case oq != nil && oq.msgs.len() >= r.cfg.QueueCapacity:
			return &CallError{Code: bigfile.RejectSysTransient, ErrorCode: "IC0201",
				Message: fmt.Sprintf("output queue from %s to %s is full (%d requests)", req.Sender, req.Receiver, oq.msgs.len())}
		default:
			if oq == nil {
				oq = &outputQueue{}
				r.outputs[key] = oq
			}
			oq.msgs.push(m)
		}
	}
	sq.reserved++
	return nil
}

// deliverRequest puts a request into the input queue of its receiver on
// this subnet, or returns why it cannot.
func (r *Router) deliverRequest(req *bigfile.Request) *CallError {
	if !req.Receiver.IsManagementCube() {
		id, err := bigfile.CubeIDFromPrincipal(req.Receiver)
		if err != nil {
			return &CallError{Code: bigfile.RejectDestinationInvalid, ErrorCode: "IC0301", Message: err.Error()}
		}
		info, ok := r.cfg.Cubes.Cube(id)
		switch {
		case !ok:
			return &CallError{Code: bigfile.RejectDestinationInvalid, ErrorCode: "IC0301",
				Message: fmt.Sprintf("cube %s not found", id)}
		case info.Status == Stopping:
			return &CallError{Code: bigfile.RejectCanisterError, ErrorCode: "IC0509",
				Message: fmt.Sprintf("cube %s is stopping", id)}
		case info.Status == Stopped:
			return &CallError{Code: bigfile.RejectCanisterError, ErrorCode: "IC0508",
				Message: fmt.Sprintf("cube %s is stopped", id)}
		}
	}
	q := r.input(req.Receiver)
	if q.requests >= r.cfg.QueueCapacity {
		return &CallError{Code: bigfile.RejectSysTransient, ErrorCode: "IC0201",
			Message: fmt.Sprintf("input queue of %s is full (%d requests)", req.Receiver, q.requests)}
	}
	q.msgs.push(RequestMessage(*req))
	q.requests++
	r.open[openKey{req.Receiver, req.Sender}]++
	return nil
}

// deliverResponse puts a response into its originator's input queue,
// using the slot reserved when the call was made.
func (r *Router) deliverResponse(resp *bigfile.Response) {
	q := r.input(resp.Originator.Principal())
	if q.reserved > 0 {
		q.reserved--
	}
	q.responses++
	q.msgs.push(ResponseMessage(*resp))
}

// SubmitResponse takes the response of a cube (or the management cube) of
// this subnet to a request that routing delivered to it. A response that is
// too large becomes a CANISTER_ERROR reject, as a cube whose reply exceeds
// the limit traps. It returns an error wrapping [ErrNoReservation] if no
// request from resp.Originator to resp.Respondent awaits a response.
func (r *Router) SubmitResponse(resp bigfile.Response) error {
	k := openKey{resp.Respondent, resp.Originator}
	if r.open[k] == 0 {
		return fmt.Errorf("%w: from %s to %s", ErrNoReservation, resp.Respondent, resp.Originator)
	}
	if r.open[k]--; r.open[k] == 0 {
		delete(r.open, k)
	}
	if m := ResponseMessage(resp); m.payloadSize() > r.cfg.MaxResponseBytes {
		resp.Reply = nil
		resp.Reject, resp.RejectMessage = bigfile.RejectCanisterError,
			fmt.Sprintf("response of %d bytes exceeds the %d-byte limit", m.payloadSize(), r.cfg.MaxResponseBytes)
	}
	r.sendResponse(&resp, bigfile.SubnetID{})
	return nil
}

// sendResponse routes a response: into a local input queue or onto the
// stream to the originator's subnet; never onto the stream to avoid (the
// subnet that just refused it). Responses are never held back.
func (r *Router) sendResponse(resp *bigfile.Response, avoid bigfile.SubnetID) {
	sub, ok := r.cfg.Table.Lookup(resp.Originator, r.height)
	switch {
	case !ok || sub == avoid:
		r.stats.DroppedResponses++
	case sub == r.cfg.Subnet:
		r.deliverResponse(resp)
	default:
		r.streamTo(sub).msgs.push(ResponseMessage(*resp))
	}
}

// Route moves requests waiting in output queues onto their streams while
// the streams are below the backpressure threshold, visiting the queues in
// order of (sender, receiver). Call it once per round, after execution.
func (r *Router) Route() {
	if len(r.outputs) == 0 {
		return
	}
	keys := make([]pairKey, 0, len(r.outputs))
	for k := range r.outputs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, pairKey.compare)
	for _, k := range keys {
		oq := r.outputs[k]
		for oq.msgs.len() > 0 {
			m := oq.msgs.peek()
			sub, ok := r.locate(m.Request.Receiver)
			if !ok || sub == r.cfg.Subnet {
				// The receiver moved here or vanished while waiting.
				req := oq.msgs.pop().Request
				r.localOrReject(&req)
				continue
			}
			// A full stream blocks this queue only; the queues of other
			// pairs may still go to other subnets.
			st := r.streamTo(sub)
			if st.msgs.len() >= r.cfg.MaxStreamMessages {
				break
			}
			st.msgs.push(oq.msgs.pop())
		}
		if oq.msgs.len() == 0 {
			delete(r.outputs, k)
		}
	}
}

// localOrReject delivers a request of a local cube to a receiver that is
// local or nowhere, answering the caller with a reject when that fails.
func (r *Router) localOrReject(req *bigfile.Request) {
	var cerr *CallError
	if sub, ok := r.locate(req.Receiver); ok && sub == r.cfg.Subnet {
		cerr = r.deliverRequest(req)
	} else {
		cerr = &CallError{Code: bigfile.RejectDestinationInvalid, ErrorCode: "IC0301",
			Message: fmt.Sprintf("no subnet hosts %s", req.Receiver)}
	}
	if cerr != nil {
		resp := rejectFor(req, cerr.Code, cerr.Message)
		r.deliverResponse(&resp)
	}
}

// OutputLen returns the number of requests waiting in output queues.
func (r *Router) OutputLen() int {
	n := 0
	for _, oq := range r.outputs {
		n += oq.msgs.len()
	}
	return n
}

// StreamHeader returns the header of the stream to subnet to as a slice
// cut now would carry it.
func (r *Router) StreamHeader(to bigfile.SubnetID) StreamHeader {
	if st := r.streams[to]; st != nil {
		return st.header()
	}
	return StreamHeader{}
}

// NextIndex returns the index of the next message this subnet expects on
// the stream from subnet from: where the slice for the next batch must
// begin.
func (r *Router) NextIndex(from bigfile.SubnetID) uint64 {
	if st := r.streams[from]; st != nil {
		return st.signalsEnd
	}
	return 0
}
