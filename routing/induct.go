package routing

import (
	"fmt"

	"github.com/thebigfile/bigfile"
)

// Report says what [Router.Induct] did with a batch.
type Report struct {
	// Inducted counts ingress messages queued ("received").
	Inducted int
	// Rejected counts ingress messages refused with a "rejected" status
	// (no such cube, stopped, too large, fee unpaid, queue full).
	Rejected int
	// Expired counts ingress skipped because its expiry lay before the
	// batch time or too far after it; no status is recorded.
	Expired int
	// Duplicates counts ingress skipped because the history already holds
	// its id; the existing status stands.
	Duplicates int
	// HistoryFull counts ingress skipped because the history is full.
	HistoryFull int
	// Slices reports each XNet slice of the batch, in batch order.
	Slices []SliceReport
}

// SliceReport is the outcome of one XNet slice.
type SliceReport struct {
	From bigfile.SubnetID
	// Inducted counts the slice's messages taken (inducted, answered with
	// a reject response, or reject-signalled). Under backpressure it can be
	// less than the slice holds; the rest comes again in a later slice.
	Inducted int
	// Err is nil for an inducted slice, else a *[SliceError]: the slice
	// was refused as a whole and changed nothing.
	Err error
}

// Induct inducts a finalized batch: it prunes the ingress history at the
// batch time, verifies and inducts the XNet slices (acting on their
// signals), and then checks and queues the ingress messages, recording
// their statuses. Batches must come with consecutive heights (the first one
// may have any height) and non-decreasing times; otherwise Induct returns
// an error wrapping [ErrHeight] or [ErrTime] and changes nothing.
//
// A bad slice does not fail the batch: it is refused, reported in
// [Report.Slices], and every replica refuses it alike.
func (r *Router) Induct(b bigfile.Batch) (Report, error) {
	if r.started && b.Height != r.height+1 {
		return Report{}, fmt.Errorf("%w: got %d, want %d", ErrHeight, b.Height, r.height+1)
	}
	if r.started && b.Time < r.time {
		return Report{}, fmt.Errorf("%w: %s after %s", ErrTime, b.Time, r.time)
	}
	r.started, r.height, r.time = true, b.Height, b.Time
	r.history.prune(b.Time)

	var rep Report
	for _, x := range b.XNet {
		n, err := r.inductSlice(x)
		if err != nil {
			err = &SliceError{From: x.From, Err: err}
		}
		rep.Slices = append(rep.Slices, SliceReport{From: x.From, Inducted: n, Err: err})
	}
	latest := b.Time.Add(r.cfg.MaxIngressExpiry)
	for i := range b.Ingress {
		r.inductIngress(&b.Ingress[i], b.Time, latest, &rep)
	}
	return rep, nil
}

func (r *Router) inductIngress(m *bigfile.Ingress, now, latest bigfile.Time, rep *Report) {
	// Expired or too far ahead: not inducted and not recorded, as the
	// Internet Computer drops such messages from payloads. Recording them
	// would let anyone fill the history with messages that never run.
	if m.Expiry < now || m.Expiry > latest {
		rep.Expired++
		return
	}
	id := m.ID()
	// The history holds every id until after its expiry, so this refuses
	// every replay that the expiry check above lets through.
	if r.history.has(id) {
		rep.Duplicates++
		return
	}
	if r.history.Len() >= r.cfg.MaxIngressHistory {
		rep.HistoryFull++
		return
	}
	st := IngressState{Status: StatusReceived, Sender: m.Sender, Receiver: m.Receiver, Expiry: m.Expiry, Time: now}
	if cerr := r.admitIngress(m); cerr != nil {
		st.Status, st.RejectCode, st.RejectMessage, st.ErrorCode = StatusRejected, cerr.Code, cerr.Message, cerr.ErrorCode
		r.history.add(id, st)
		rep.Rejected++
		return
	}
	r.history.add(id, st)
	r.input(m.Receiver).ingress.push(ingressItem{*m, id})
	rep.Inducted++
}

// admitIngress checks an ingress message against the receiver and charges
// the ingress fee, or returns the reject to record.
func (r *Router) admitIngress(m *bigfile.Ingress) *CallError {
	size := len(m.Method) + len(m.Arg)
	if size > r.cfg.MaxIngressBytes {
		return &CallError{Code: bigfile.RejectSysFatal,
			Message: fmt.Sprintf("ingress of %d bytes exceeds the %d-byte limit", size, r.cfg.MaxIngressBytes)}
	}
	if m.Receiver.IsManagementCube() {
		if r.input(m.Receiver).ingress.len() >= r.cfg.IngressQueueCapacity {
			return &CallError{Code: bigfile.RejectSysTransient, ErrorCode: "IC0201", Message: "management ingress queue is full"}
		}
		return nil
	}
	id, err := bigfile.CubeIDFromPrincipal(m.Receiver)
	if err != nil {
		return &CallError{Code: bigfile.RejectDestinationInvalid, ErrorCode: "IC0301", Message: err.Error()}
	}
	if sub, ok := r.cfg.Table.Lookup(id, r.height); !ok || sub != r.cfg.Subnet {
		return &CallError{Code: bigfile.RejectCanisterReject, ErrorCode: "IC0405",
			Message: fmt.Sprintf("cube %s is not hosted by subnet %s", id, r.cfg.Subnet)}
	}
	info, ok := r.cfg.Cubes.Cube(id)
	switch {
	case !ok:
		return &CallError{Code: bigfile.RejectDestinationInvalid, ErrorCode: "IC0301", Message: fmt.Sprintf("cube %s not found", id)}
	case info.Status == Stopping:
		return &CallError{Code: bigfile.RejectCanisterError, ErrorCode: "IC0509", Message: fmt.Sprintf("cube %s is stopping", id)}
	case info.Status == Stopped:
		return &CallError{Code: bigfile.RejectCanisterError, ErrorCode: "IC0508", Message: fmt.Sprintf("cube %s is stopped", id)}
	}
	// The fee is checked against the liquid balance (above the freezing
	// threshold) and charged at once, so the next message of the same batch
	// sees the reduced balance.
	fee := r.cfg.ingressFee(size)
	if info.Liquid.Cmp(fee) < 0 {
		return &CallError{Code: bigfile.RejectSysTransient, ErrorCode: "IC0207",
			Message: fmt.Sprintf("cube %s is out of cycles: the ingress fee is %s, the liquid balance %s", id, fee, info.Liquid)}
	}
	if r.input(m.Receiver).ingress.len() >= r.cfg.IngressQueueCapacity {
		return &CallError{Code: bigfile.RejectSysTransient, ErrorCode: "IC0201",
			Message: fmt.Sprintf("ingress queue of cube %s is full", id)}
	}
	if !fee.IsZero() {
		r.cfg.Cubes.Charge(id, fee)
	}
	return nil
}

// inductSlice checks a slice completely before it changes anything, then
// acts on its signals and inducts its messages. It returns how many
// messages it took.
func (r *Router) inductSlice(x bigfile.XNetSlice) (int, error) {
	s, err := DecodeSlice(x.Slice)
	if err != nil {
		return 0, err
	}
	if s.From != x.From || s.To != r.cfg.Subnet || s.From == r.cfg.Subnet {
		return 0, fmt.Errorf("%w: slice from %s to %s in a batch of %s for %s", ErrWrongSubnet, s.From, s.To, r.cfg.Subnet, x.From)
	}
	// Work on the stream without registering a new one yet: a refused
	// slice must leave no trace, not even an empty stream entry.
	st := r.streams[s.From]
	if st == nil {
		st = &stream{}
	}
	// A slice from an older certified height than the last one carries an
	// older header: its signals could only move backwards.
	if st.seen && s.Height < st.lastHeight {
		return 0, fmt.Errorf("%w: height %d, already inducted %d", ErrStaleSlice, s.Height, st.lastHeight)
	}
	// Exactly the next message: anything below was inducted already
	// (a replay), anything above would leave a gap that nothing fills.
	if s.Begin != st.signalsEnd {
		return 0, fmt.Errorf("%w: begins at %d, expected %d", ErrSliceOrder, s.Begin, st.signalsEnd)
	}
	// The peer can acknowledge only what we sent, and never less than it
	// acknowledged before (our stream begins at its previous SignalsEnd).
	if s.Header.SignalsEnd < st.begin || s.Header.SignalsEnd > st.end() {
		return 0, fmt.Errorf("%w: signals end %d outside our stream [%d, %d]", ErrInvalidSignals, s.Header.SignalsEnd, st.begin, st.end())
	}
	// The expensive check last: the cheap ones above refuse replays and
	// misaddressed slices without a pairing.
	if err := r.cfg.Verifier.Verify(s.From, s.Digest(), s.Certification); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrUnverifiedSlice, err)
	}
	r.streams[s.From] = st
	st.seen, st.lastHeight = true, s.Height

	// Signals first: collecting the stream to the peer may make room for
	// the responses that inducting its requests produces.
	r.applySignals(s.From, st, &s.Header)
	n := 0
	for i := range s.Messages {
		m := &s.Messages[i]
		if m.Kind == KindRequest && st.msgs.len() >= r.cfg.MaxStreamMessages {
			break // backpressure: no room for the answer; fetch it again later
		}
		r.inductRemote(s.From, st, m)
		st.signalsEnd++
		n++
	}
	return n, nil
}

// applySignals garbage-collects the stream to subnet peer below the peer's
// signals end, rerouting the messages it reject-signalled, and forgets our
// own reject signals that the peer has seen (its stream begins above them).
func (r *Router) applySignals(peer bigfile.SubnetID, st *stream, h *StreamHeader) {
	rs := h.RejectSignals
	for st.begin < h.SignalsEnd {
		m := st.msgs.pop()
		for len(rs) > 0 && rs[0] < st.begin {
			rs = rs[1:] // signals for messages collected earlier
		}
		if len(rs) > 0 && rs[0] == st.begin {
			r.reroute(peer, &m)
		}
		st.begin++
	}
	i := 0
	for i < len(st.rejectSignals) && st.rejectSignals[i] < h.Begin {
		i++
	}
	st.rejectSignals = st.rejectSignals[i:]
}

// reroute handles a message that subnet peer refused because the receiver
// is not hosted there: it follows the current routing table, or answers
// the call with a reject when there is nowhere else to go.
func (r *Router) reroute(peer bigfile.SubnetID, m *Message) {
	if m.Kind == KindResponse {
		r.sendResponse(&m.Response, peer)
		return
	}
	req := &m.Request
	sub, ok := r.locate(req.Receiver)
	switch {
	case ok && sub == r.cfg.Subnet:
		r.localOrReject(req)
	case ok && sub != peer:
		r.streamTo(sub).msgs.push(*m)
	default:
		code, msg := bigfile.RejectDestinationInvalid, fmt.Sprintf("no subnet hosts %s", req.Receiver)
		if ok {
			code, msg = bigfile.RejectSysTransient, fmt.Sprintf("%s is moving between subnets", req.Receiver)
		}
		resp := rejectFor(req, code, msg)
		r.deliverResponse(&resp)
	}
}

// inductRemote inducts one message from subnet peer's stream.
func (r *Router) inductRemote(peer bigfile.SubnetID, st *stream, m *Message) {
	index := st.signalsEnd
	// Responses are never refused for lack of room: the caller reserved a
	// slot when it called. They can only be misrouted, after a migration.
	if m.Kind == KindResponse {
		sub, ok := r.cfg.Table.Lookup(m.Response.Originator, r.height)
		switch {
		case ok && sub == r.cfg.Subnet:
			r.deliverResponse(&m.Response)
		case ok:
			st.rejectSignals = append(st.rejectSignals, index)
		default:
			r.stats.DroppedResponses++
		}
		return
	}
	req := &m.Request
	var cerr *CallError
	if cerr = r.bucketRule(peer, req); cerr == nil {
		sub, ok := r.locate(req.Receiver)
		switch {
		case ok && sub == r.cfg.Subnet:
			if n := m.payloadSize(); n > r.cfg.MaxRemoteRequestBytes {
				cerr = &CallError{Code: bigfile.RejectSysFatal,
					Message: fmt.Sprintf("request of %d bytes exceeds the %d-byte limit", n, r.cfg.MaxRemoteRequestBytes)}
			} else {
				cerr = r.deliverRequest(req)
			}
		case ok:
			// Hosted elsewhere now: the sender knows where (its table
			// changes at the same height) and reroutes on our signal.
			st.rejectSignals = append(st.rejectSignals, index)
			return
		default:
			cerr = &CallError{Code: bigfile.RejectDestinationInvalid, ErrorCode: "IC0301",
				Message: fmt.Sprintf("no subnet hosts %s", req.Receiver)}
		}
	}
	// The reject travels back on the reverse stream like any response,
	// refunding the request's cycles.
	if cerr != nil {
		st.msgs.push(ResponseMessage(rejectFor(req, cerr.Code, cerr.Message)))
	}
}

// Slice cuts the slice of the stream to subnet to that begins at index
// from (the receiver's [Router.NextIndex]), bounded by the configured
// message and byte limits, has it certified and returns its encoding: the
// bytes the receiving subnet's block maker puts into a batch. It returns an
// error wrapping [ErrSliceOrder] if from lies outside the stream, or the
// Certifier's error.
func (r *Router) Slice(to bigfile.SubnetID, from uint64) ([]byte, error) {
	st := r.streams[to]
	if st == nil {
		st = &stream{}
	}
	if from < st.begin || from > st.end() {
		return nil, fmt.Errorf("%w: index %d outside the stream [%d, %d]", ErrSliceOrder, from, st.begin, st.end())
	}
	s := Slice{From: r.cfg.Subnet, To: to, Height: r.height, Header: st.header(), Begin: from}
	// Count the messages that fit, then encode them straight from the
	// stream: no copy of the messages into s.
	first, n, size := int(from-st.begin), 0, 0
	for i := first; i < st.msgs.len() && n < r.cfg.MaxSliceMessages; i++ {
		size += 64 + st.msgs.at(i).payloadSize()
		if size > r.cfg.MaxSliceBytes && n > 0 {
			break
		}
		n++
	}
	content := s.appendHeader(make([]byte, 0, 256+size), n)
	for i := first; i < first+n; i++ {
		content = appendMessage(content, st.msgs.at(i))
	}
	cert, err := r.cfg.Certifier.Certify(digestOf(content))
	if err != nil {
		return nil, fmt.Errorf("routing: certifying slice to %s: %w", to, err)
	}
	return appendBytes(content, cert), nil
}
