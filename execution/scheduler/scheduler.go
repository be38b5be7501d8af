package scheduler

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/management"
)

// Errors returned by New and the Scheduler's methods.
var (
	// ErrInvalidConfig is wrapped by the errors Config.Validate returns.
	ErrInvalidConfig = errors.New("scheduler: invalid config")
	// ErrNoCube: the cube does not exist on this subnet.
	ErrNoCube = errors.New("scheduler: no such cube")
)

// Config holds the scheduler's settings. The zero value of a field means
// its default. Threads, MaxInnerRounds and the executor's round budget are
// part of the replicated state machine: every replica must use the same
// values. Workers is not: results do not depend on it.
type Config struct {
	// Threads is the number of logical execution threads a round's cubes
	// are dealt to; each has the executor's MaxInstructionsPerRound
	// budget. Default 4 (the IC's scheduler_cores).
	Threads int
	// Workers is the number of goroutines that run threads in parallel.
	// Default the smaller of runtime.GOMAXPROCS(0) and runtime.NumCPU(),
	// so that GOMAXPROCS set one above the CPU count leaves the Go
	// runtime a spare P (see the package doc). It changes speed, never
	// results.
	Workers int
	// MaxInnerRounds bounds how often a round delivers the requests and
	// responses its cubes sent each other and runs again, while budget
	// remains. Default 8.
	MaxInnerRounds int
	// MaxQueueLength bounds the calls (ingress messages and requests)
	// waiting in one cube's queue; more are rejected with IC0201 (a
	// request's caller gets a SYS_TRANSIENT reject and its cycles back).
	// Responses and system tasks are always queued. Default 500, the IC's
	// input queue capacity.
	MaxQueueLength int
	// IdleChargeInterval is how often (in batch time) every cube pays for
	// its storage and compute allocation under the executor's cost rules
	// (Executor.ChargeIdle), whether it executes or not; a cube that
	// cannot pay is uninstalled. Executions also charge it. Default one
	// minute.
	IdleChargeInterval time.Duration
	// Heartbeat runs canister_heartbeat once per round on every cube that
	// exports it.
	Heartbeat bool
	// Management, if set, serves calls to the management cube aaaaa-aa
	// other than raw_rand (which the scheduler answers from the round's
	// tape), from cubes and from ingress messages. It must run on the
	// scheduler's executor. The scheduler hands it the current cube states
	// before each call and takes back what the call changed (new, changed
	// and deleted cubes); it also completes stop_canister calls when a
	// stopping cube's last call context closes.
	Management *management.Manager
	// RandomTape turns a batch's randomness into the byte stream raw_rand
	// draws from in that round. Default: SHA-256 in counter mode over the
	// seed (see Tape).
	RandomTape func(seed bigfile.Hash) io.Reader
}

// Validate reports an error wrapping ErrInvalidConfig for negative values.
func (c Config) Validate() error {
	if c.Threads < 0 || c.Workers < 0 || c.MaxInnerRounds < 0 || c.MaxQueueLength < 0 || c.IdleChargeInterval < 0 {
		return fmt.Errorf("%w: negative Threads, Workers, MaxInnerRounds or MaxQueueLength", ErrInvalidConfig)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Threads == 0 {
		c.Threads = 4
	}
	if c.Workers == 0 {
		c.Workers = min(runtime.GOMAXPROCS(0), runtime.NumCPU())
	}
	if c.MaxInnerRounds == 0 {
		c.MaxInnerRounds = 8
	}
	if c.MaxQueueLength == 0 {
		c.MaxQueueLength = 500
	}
	if c.IdleChargeInterval == 0 {
		c.IdleChargeInterval = time.Minute
	}
	if c.RandomTape == nil {
		c.RandomTape = Tape
	}
	return c
}

// Round is the input of one round: a finalized batch's time, randomness and
// the messages inducted into this subnet.
type Round struct {
	Time       bigfile.Time
	Randomness bigfile.Hash
	// Ingress are user calls, in block order.
	Ingress []bigfile.Ingress
	// Requests and Responses come from other subnets' streams (routing
	// decodes them), in stream order.
	Requests  []bigfile.Request
	Responses []bigfile.Response
	// Checkpoint asks for a consistent state after the round (the batch's
	// Checkpoint flag): executions still paused at its end are aborted
	// (see AbortPaused).
	Checkpoint bool
}

// IngressResult is the answer to one ingress message.
type IngressResult struct {
	ID       bigfile.MessageID
	Response execution.Response
}

// Result is the output of one round.
type Result struct {
	// Ingress are the answers to ingress messages completed in the round,
	// in completion order.
	Ingress []IngressResult
	// Requests and Responses are for cubes on other subnets (routing's
	// outgoing streams), in the order they were made.
	Requests  []bigfile.Request
	Responses []bigfile.Response
	// Executed counts the executions the round ran; Instructions sums the
	// instructions they used.
	Executed     int
	Instructions uint64
}

// msgKind is the kind of a queued message.
type msgKind uint8

const (
	msgIngress msgKind = iota
	msgRequest
	msgResponse
	msgTimer
	msgHeartbeat
)

// message is one entry of a cube's input queue.
type message struct {
	kind    msgKind
	ingress bigfile.Ingress
	id      bigfile.MessageID
	req     bigfile.Request
	resp    bigfile.Response
}

// cube is the scheduler's view of one cube: its state and input queue, and
// the round it last started executing in (its fairness priority).
type cube struct {
	st      *execution.State
	queue   []message
	calls   int // ingress messages and requests in queue
	lastRun uint64
	// paused is a long execution spread over rounds (time slicing), and
	// pausedMsg the message it runs, put back in front of the queue if the
	// execution is aborted.
	paused    *execution.Execution
	pausedMsg message
	// sliced is the round in which the paused execution last ran a slice:
	// one slice per round.
	sliced uint64
}

// Scheduler executes rounds over the cubes of one subnet. Its methods
// other than Query must not be called concurrently; Query may be called
// at any time from any goroutine.
type Scheduler struct {
	cfg Config
	x   *execution.Executor

	cubes map[bigfile.CubeID]*cube
	ids   []bigfile.CubeID // the keys of cubes, sorted
	round uint64

	snapMu    sync.RWMutex
	certified map[bigfile.CubeID]*execution.State

	// stops maps the tickets of pending stop_canister calls to who waits.
	stops map[uint64]mgmtOrigin
}

// mgmtOrigin is the caller of a management call: an ingress message or a
// cube's request.
type mgmtOrigin struct {
	ingress bool
	id      bigfile.MessageID
	req     bigfile.Request
}

// New returns a Scheduler running cubes on x.
func New(cfg Config, x *execution.Executor) (*Scheduler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, fmt.Errorf("%w: nil executor", ErrInvalidConfig)
	}
	return &Scheduler{cfg: cfg.withDefaults(), x: x, cubes: map[bigfile.CubeID]*cube{},
		certified: map[bigfile.CubeID]*execution.State{}, stops: map[uint64]mgmtOrigin{}}, nil
}

// Executor returns the executor the scheduler runs cubes on.
func (s *Scheduler) Executor() *execution.Executor { return s.x }

// SetCube adds a cube or replaces its state (its input queue is kept; an
// execution paused on the old state is aborted and its message queued
// again, first).
func (s *Scheduler) SetCube(st *execution.State) {
	c := s.cubes[st.ID]
	if c != nil && c.paused != nil {
		s.abort(c)
	}
	if c == nil {
		c = &cube{}
		s.cubes[st.ID] = c
		i, _ := slices.BinarySearch(s.ids, st.ID)
		s.ids = slices.Insert(s.ids, i, st.ID)
	}
	c.st = st
}

// RemoveCube deletes cube id with its queue (a paused execution is
// aborted); the executor forgets its instance. Messages for it that arrive
// later are treated as for a missing cube.
func (s *Scheduler) RemoveCube(id bigfile.CubeID) {
	c := s.cubes[id]
	if c == nil {
		return
	}
	if c.paused != nil {
		s.abort(c)
	}
	delete(s.cubes, id)
	if i, ok := slices.BinarySearch(s.ids, id); ok {
		s.ids = slices.Delete(s.ids, i, i+1)
	}
	s.x.Forget(id)
}

// Cube returns the current state of cube id.
func (s *Scheduler) Cube(id bigfile.CubeID) (*execution.State, bool) {
	c := s.cubes[id]
	if c == nil {
		return nil, false
	}
	return c.st, true
}

// Cubes returns the ids of the subnet's cubes in increasing order.
func (s *Scheduler) Cubes() []bigfile.CubeID { return slices.Clone(s.ids) }

// Pending returns the number of messages waiting in cube id's queue.
func (s *Scheduler) Pending(id bigfile.CubeID) int {
	if c := s.cubes[id]; c != nil {
		return len(c.queue)
	}
	return 0
}

// Hash is a digest of the subnet's cube states and queue lengths, in id
// order: two schedulers that executed the same rounds hash alike.
func (s *Scheduler) Hash() [32]byte {
	h := sha256.New()
	var buf [8]byte
	for _, id := range s.Cubes() {
		c := s.cubes[id]
		binary.BigEndian.PutUint64(buf[:], uint64(id))
		h.Write(buf[:])
		sh := c.st.Hash()
		h.Write(sh[:])
		binary.BigEndian.PutUint64(buf[:], uint64(len(c.queue)))
		h.Write(buf[:])
		var p uint64
		if c.paused != nil {
			p = uint64(c.paused.Slices())
		}
		binary.BigEndian.PutUint64(buf[:], p)
		h.Write(buf[:])
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Certify makes the current states the snapshot queries read (the last
// certified state). ExecuteRound does not call it: the state manager does,
// once the round's state is certified.
func (s *Scheduler) Certify() {
	snap := make(map[bigfile.CubeID]*execution.State, len(s.cubes))
	for id, c := range s.cubes {
		snap[id] = c.st
	}
	s.snapMu.Lock()
	s.certified = snap
	s.snapMu.Unlock()
}

// Query runs a non-replicated query (in.Kind is set to KindQuery) on cube
// id's last certified state. It changes nothing, and runs concurrently with
// rounds and with other queries. A composite query may call query methods
// of the subnet's cubes (on the same snapshot, to a depth of
// MaxCompositeDepth); calls to other subnets are rejected.
func (s *Scheduler) Query(ctx context.Context, id bigfile.CubeID, in execution.Input) (execution.Output, error) {
	s.snapMu.RLock()
	snap := s.certified
	s.snapMu.RUnlock()
	return s.query(ctx, snap, id, in, 0)
}

// MaxCompositeDepth bounds the nesting of calls from composite queries.
const MaxCompositeDepth = 6

func (s *Scheduler) query(ctx context.Context, snap map[bigfile.CubeID]*execution.State, id bigfile.CubeID,
	in execution.Input, depth int) (execution.Output, error) {
	st := snap[id]
	if st == nil {
		return execution.Output{}, ErrNoCube
	}
	in.Kind = execution.KindQuery
	out, err := s.x.Execute(ctx, st, in)
	if err != nil || len(out.Requests) == 0 {
		return out, err
	}
	// The query made calls: answer them one by one (depth first), running
	// its callbacks on the scratch state, until it has answered.
	cur, pending := out.State, out.Requests
	final := out
	final.Instructions, final.Log = out.Instructions, slices.Clone(out.Log)
	for len(pending) > 0 && final.Response.Kind == execution.NoResponse {
		rq := pending[0]
		pending = pending[1:]
		r := bigfile.Response{Originator: rq.Sender, Respondent: rq.Receiver, Callback: rq.Callback, Refund: rq.Cycles}
		to, err := bigfile.CubeIDFromPrincipal(rq.Receiver)
		switch {
		case err != nil || snap[to] == nil:
			r.Reject, r.RejectMessage = bigfile.RejectDestinationInvalid,
				"composite queries can only call query methods of cubes on the same subnet"
		case depth+1 >= MaxCompositeDepth:
			r.Reject, r.RejectMessage = bigfile.RejectCanisterError, "composite query call depth exceeded"
		default:
			sub, err := s.query(ctx, snap, to, execution.Input{Method: rq.Method, Arg: rq.Arg,
				Caller: rq.Sender.Principal(), Time: in.Time}, depth+1)
			if err != nil {
				return execution.Output{}, err
			}
			final.Instructions += sub.Instructions
			if sub.Response.Kind == execution.Replied {
				r.Reply = sub.Response.Data
			} else {
				r.Reject, r.RejectMessage = sub.Response.Code, sub.Response.Message
			}
		}
		o, err := s.x.Execute(ctx, cur, execution.Input{Kind: execution.KindResponse, Composite: true,
			Response: &r, Time: in.Time})
		if err != nil {
			return execution.Output{}, err
		}
		cur = o.State
		pending = append(pending, o.Requests...)
		final.Instructions += o.Instructions
		final.Log = append(final.Log, o.Log...)
		final.Response, final.Err = o.Response, o.Err
	}
	final.State, final.Requests, final.Dirty = st, nil, execution.DirtyPages{}
	return final, nil
}

// reject builds an execution-style reject for a message the scheduler
// refuses.
func reject(code execution.ErrorCode, id bigfile.CubeID, msg string) execution.Response {
	e := &execution.Error{Code: code, Cube: id, Message: msg}
	return execution.Response{Kind: execution.Rejected, Code: code.RejectCode(), Message: e.RejectMessage(), ErrorCode: code}
}

// sink collects what executions produce, for merging in a fixed order.
type sink struct {
	res      *Result
	local    []routed // requests and responses for this subnet's cubes
	mgmt     []bigfile.Request
	mgmtIn   []message // ingress messages for the management cube
	executed int
	used     uint64
}

// routed is a message for a local cube.
type routed struct {
	to  bigfile.CubeID
	msg message
}

// answer turns an execution's response into the caller's message.
func (k *sink) answer(self bigfile.CubeID, origin execution.Origin, r execution.Response, refund bigfile.Cycles) {
	if r.Kind == execution.NoResponse {
		return
	}
	switch origin.Kind {
	case execution.OriginIngress:
		k.res.Ingress = append(k.res.Ingress, IngressResult{ID: origin.Ingress, Response: r})
	case execution.OriginCube:
		to, err := bigfile.CubeIDFromPrincipal(origin.Caller)
		if err != nil {
			return // not a cube: nobody to answer
		}
		resp := bigfile.Response{Originator: to, Respondent: self.Principal(), Callback: origin.Callback,
			Refund: refund, Deadline: origin.Deadline}
		if r.Kind == execution.Replied {
			resp.Reply = r.Data
		} else {
			resp.Reject, resp.RejectMessage = r.Code, r.Message
		}
		k.local = append(k.local, routed{to: to, msg: message{kind: msgResponse, resp: resp}})
	}
}

// ExecuteRound runs one round: it inducts the round's messages, queues due
// timers (and heartbeats), then runs inner rounds until the queues are
// empty, the budget is spent or MaxInnerRounds is reached. Messages left
// over wait for the next round.
//
// Each inner round deals the cubes with queued messages, in priority order
// (compute allocation, then the round they last ran in, then id), round-
// robin to Config.Threads logical threads. A thread runs its cubes in
// order, each until its queue (as it was when the inner round began) is
// empty, while the thread's budget lasts; cubes it does not reach keep
// their old priority and come first next time. Threads run in parallel on
// Config.Workers goroutines; they touch disjoint cubes and everything they
// send is merged afterwards in priority order, so the outcome does not
// depend on Workers or on timing.
func (s *Scheduler) ExecuteRound(ctx context.Context, r Round) (Result, error) {
	s.round++
	res := Result{}
	k := &sink{res: &res}
	tape := s.cfg.RandomTape(r.Randomness)
	if err := s.induct(ctx, r, k, tape); err != nil {
		return Result{}, err
	}
	s.systemTasks(r.Time)
	budget := make([]uint64, s.cfg.Threads)
	for i := range budget {
		budget[i] = s.x.Config().MaxInstructionsPerRound
	}
	for inner := 0; inner < s.cfg.MaxInnerRounds; inner++ {
		active := s.active()
		if len(active) == 0 {
			break
		}
		outs, err := s.runThreads(ctx, r.Time, active, budget)
		if err != nil {
			return Result{}, err
		}
		ran := false
		for _, o := range outs {
			if o == nil {
				continue
			}
			ran = true
			res.Executed += o.executed
			res.Instructions += o.used
			res.Ingress = append(res.Ingress, o.res.Ingress...)
			res.Requests = append(res.Requests, o.res.Requests...)
			res.Responses = append(res.Responses, o.res.Responses...)
			k.local = append(k.local, o.local...)
			k.mgmt = append(k.mgmt, o.mgmt...)
		}
		if err := s.deliver(ctx, k, r.Time, tape); err != nil {
			return Result{}, err
		}
		if !ran {
			break
		}
	}
	if r.Checkpoint {
		s.AbortPaused()
	}
	return res, nil
}

// induct queues the round's messages; ingress for a missing cube is
// answered at once, requests for one are rejected.
func (s *Scheduler) induct(ctx context.Context, r Round, k *sink, tape io.Reader) error {
	for _, in := range r.Ingress {
		id := in.ID()
		if in.Receiver == bigfile.ManagementCube && s.cfg.Management != nil {
			k.mgmtIn = append(k.mgmtIn, message{kind: msgIngress, ingress: in, id: id})
			continue
		}
		cid, err := bigfile.CubeIDFromPrincipal(in.Receiver)
		c := s.cubes[cid]
		if err != nil || c == nil {
			k.res.Ingress = append(k.res.Ingress, IngressResult{ID: id, Response: reject(execution.CodeCanisterNotFound,
				cid, "Canister "+in.Receiver.String()+" not found")})
			continue
		}
		if s.full(c) {
			k.res.Ingress = append(k.res.Ingress, IngressResult{ID: id, Response: reject(execution.CodeCanisterQueueFull,
				cid, "Canister "+cid.String()+" has no room for more messages in its input queue")})
			continue
		}
		c.queue = append(c.queue, message{kind: msgIngress, ingress: in, id: id})
		c.calls++
	}
	for _, rq := range r.Requests {
		k.local = append(k.local, routed{msg: message{kind: msgRequest, req: rq}})
	}
	for _, rp := range r.Responses {
		k.local = append(k.local, routed{to: rp.Originator, msg: message{kind: msgResponse, resp: rp}})
	}
	return s.deliver(ctx, k, r.Time, tape)
}

// deliver queues the collected local requests and responses in order.
// Requests for cubes this subnet does not have go out to routing; requests
// for the management cube are answered here (raw_rand) or rejected.
func (s *Scheduler) deliver(ctx context.Context, k *sink, now bigfile.Time, tape io.Reader) error {
	respond := func(resp bigfile.Response) {
		if c := s.cubes[resp.Originator]; c != nil {
			c.queue = append(c.queue, message{kind: msgResponse, resp: resp})
			return
		}
		k.res.Responses = append(k.res.Responses, resp)
	}
	for _, m := range k.mgmtIn {
		if err := s.manage(ctx, mgmtOrigin{ingress: true, id: m.id}, management.Call{Caller: m.ingress.Sender,
			Method: m.ingress.Method, Arg: m.ingress.Arg, Time: now, Ingress: true}, k, respond); err != nil {
			return err
		}
	}
	k.mgmtIn = nil
	mgmt := func(rq bigfile.Request) error {
		if rq.Method == "raw_rand" || s.cfg.Management == nil {
			respond(s.management(rq, tape))
			return nil
		}
		return s.manage(ctx, mgmtOrigin{req: rq}, management.Call{Caller: rq.Sender.Principal(), Method: rq.Method,
			Arg: rq.Arg, Cycles: rq.Cycles, Time: now}, k, respond)
	}
	for _, m := range k.mgmt {
		if err := mgmt(m); err != nil {
			return err
		}
	}
	k.mgmt = nil
	for _, rt := range k.local {
		switch rt.msg.kind {
		case msgRequest:
			rq := rt.msg.req
			if rq.Receiver == bigfile.ManagementCube {
				if err := mgmt(rq); err != nil {
					return err
				}
				continue
			}
			to, err := bigfile.CubeIDFromPrincipal(rq.Receiver)
			if c := s.cubes[to]; err == nil && c != nil {
				if s.full(c) {
					respond(bigfile.Response{Originator: rq.Sender, Respondent: rq.Receiver, Callback: rq.Callback,
						Refund: rq.Cycles, Deadline: rq.Deadline, Reject: bigfile.RejectSysTransient,
						RejectMessage: "Canister " + to.String() + " has no room for more messages in its input queue"})
					continue
				}
				c.queue = append(c.queue, rt.msg)
				c.calls++
				continue
			}
			if _, local := s.cubes[rq.Sender]; local {
				k.res.Requests = append(k.res.Requests, rq) // for another subnet's cube
				continue
			}
			// Inducted from another subnet for a cube that is not here.
			respond(bigfile.Response{Originator: rq.Sender, Respondent: rq.Receiver, Callback: rq.Callback,
				Refund: rq.Cycles, Deadline: rq.Deadline, Reject: bigfile.RejectDestinationInvalid,
				RejectMessage: "Canister " + rq.Receiver.String() + " not found"})
		case msgResponse:
			respond(rt.msg.resp)
		}
	}
	k.local = k.local[:0]
	return s.settle(k, respond)
}

// manage serves one call to the management cube through Config.Management,
// on the scheduler's states, and answers it (now, or later for a pending
// stop_canister).
func (s *Scheduler) manage(ctx context.Context, o mgmtOrigin, call management.Call, k *sink,
	respond func(bigfile.Response)) error {
	m := s.cfg.Management
	s.push()
	r, err := m.Call(ctx, call)
	if err != nil {
		return err
	}
	s.pull()
	if r.Pending {
		s.stops[r.Ticket] = o
	} else {
		s.answerMgmt(o, r.Response, r.Refund, k, respond)
	}
	for _, c := range r.Completed {
		if w, ok := s.stops[c.Ticket]; ok {
			delete(s.stops, c.Ticket)
			s.answerMgmt(w, c.Response, bigfile.Cycles{}, k, respond)
		}
	}
	return nil
}

// settle completes the stop_canister calls of stopping cubes whose last
// call context has closed.
func (s *Scheduler) settle(k *sink, respond func(bigfile.Response)) error {
	m := s.cfg.Management
	if m == nil || len(s.stops) == 0 {
		return nil
	}
	for _, id := range slices.Clone(s.ids) {
		st := s.cubes[id].st
		if st.Status != execution.Stopping || st.OpenCallContexts > 0 {
			continue
		}
		s.push()
		done := m.Settle(id)
		s.pull()
		for _, c := range done {
			if w, ok := s.stops[c.Ticket]; ok {
				delete(s.stops, c.Ticket)
				s.answerMgmt(w, c.Response, bigfile.Cycles{}, k, respond)
			}
		}
	}
	return nil
}

// answerMgmt sends a management call's answer to its caller.
func (s *Scheduler) answerMgmt(o mgmtOrigin, r execution.Response, refund bigfile.Cycles, k *sink,
	respond func(bigfile.Response)) {
	if o.ingress {
		k.res.Ingress = append(k.res.Ingress, IngressResult{ID: o.id, Response: r})
		return
	}
	resp := bigfile.Response{Originator: o.req.Sender, Respondent: bigfile.ManagementCube, Callback: o.req.Callback,
		Refund: refund, Deadline: o.req.Deadline}
	if r.Kind == execution.Replied {
		resp.Reply = r.Data
	} else {
		resp.Reject, resp.RejectMessage = r.Code, r.Message
	}
	respond(resp)
}

// push hands the Manager the scheduler's current cube states.
func (s *Scheduler) push() {
	m := s.cfg.Management
	for _, id := range s.ids {
		c := s.cubes[id]
		if st, ok := m.Cube(id); !ok || st != c.st {
			m.Adopt(c.st)
		}
	}
}

// pull takes back the states a management call created, changed or
// deleted.
func (s *Scheduler) pull() {
	m := s.cfg.Management
	for _, id := range m.Cubes() {
		st, _ := m.Cube(id)
		if c := s.cubes[id]; c == nil || c.st != st {
			s.SetCube(st)
		}
	}
	for _, id := range slices.Clone(s.ids) {
		if _, ok := m.Cube(id); !ok {
			s.RemoveCube(id)
		}
	}
}

// management answers a cube's call to the management cube: raw_rand from
// the round's tape; other methods need the management cube, which runs
// outside the scheduler (execution/management) and is not wired in yet.
func (s *Scheduler) management(rq bigfile.Request, tape io.Reader) bigfile.Response {
	resp := bigfile.Response{Originator: rq.Sender, Respondent: bigfile.ManagementCube, Callback: rq.Callback,
		Refund: rq.Cycles, Deadline: rq.Deadline}
	if rq.Method == "raw_rand" && tape != nil {
		var b [32]byte
		if _, err := io.ReadFull(tape, b[:]); err == nil {
			// Candid: (blob) = DIDL, one type (vec nat8), one value.
			resp.Reply = append([]byte("DIDL\x01\x6d\x7b\x01\x00\x20"), b[:]...)
			return resp
		}
	}
	resp.Reject = bigfile.RejectDestinationInvalid
	resp.RejectMessage = "management method " + rq.Method + " is not available to cubes in this scheduler"
	return resp
}

// systemTasks puts due timers (and heartbeats) at the front of the queues.
func (s *Scheduler) systemTasks(now bigfile.Time) {
	charging := s.x.Config().Costs.Charging()
	for _, id := range s.ids {
		c := s.cubes[id]
		if charging && c.paused == nil && c.st.StorageChargedUntil+bigfile.Time(s.cfg.IdleChargeInterval) <= now {
			c.st, _ = s.x.ChargeIdle(c.st, now)
		}
		if c.st.GlobalTimer != 0 && c.st.GlobalTimer <= now && !slices.ContainsFunc(c.queue,
			func(m message) bool { return m.kind == msgTimer }) {
			c.queue = append([]message{{kind: msgTimer}}, c.queue...)
		}
		// Best-effort calls whose deadline passed get a SYS_UNKNOWN
		// reject; a response arriving later finds no callback and is
		// dropped.
		for _, cb := range c.st.Callbacks {
			if cb.Deadline == 0 || cb.Deadline > now || s.answerQueued(c, cb.ID) {
				continue
			}
			c.queue = append(c.queue, message{kind: msgResponse, resp: bigfile.Response{Originator: id,
				Respondent: cb.Callee, Callback: cb.ID, Deadline: cb.Deadline, Reject: bigfile.RejectSysUnknown,
				RejectMessage: "the call's deadline expired"}})
		}
		if s.cfg.Heartbeat && s.x.HasExport(c.st, "canister_heartbeat") {
			c.queue = append([]message{{kind: msgHeartbeat}}, c.queue...)
		}
	}
}

// full reports whether c's queue holds MaxQueueLength calls.
func (s *Scheduler) full(c *cube) bool { return c.calls >= s.cfg.MaxQueueLength }

// isCall reports whether m counts against the queue limit.
func (m *message) isCall() bool { return m.kind == msgIngress || m.kind == msgRequest }

// answerQueued reports whether a response for callback id waits in c's
// queue or is being executed.
func (s *Scheduler) answerQueued(c *cube, id bigfile.CallbackID) bool {
	if c.paused != nil && c.pausedMsg.kind == msgResponse && c.pausedMsg.resp.Callback == id {
		return true
	}
	return slices.ContainsFunc(c.queue, func(m message) bool { return m.kind == msgResponse && m.resp.Callback == id })
}

// active returns the cubes with queued messages in priority order.
func (s *Scheduler) active() []bigfile.CubeID {
	type entry struct {
		id      bigfile.CubeID
		paused  bool
		alloc   uint64
		lastRun uint64
	}
	var es []entry
	for _, id := range s.ids {
		c := s.cubes[id]
		switch {
		case c.paused != nil && c.sliced == s.round:
			// Its slice for this round is done; its messages wait.
		case len(c.queue) > 0 || c.paused != nil:
			es = append(es, entry{id: id, paused: c.paused != nil, alloc: c.st.ComputeAllocation, lastRun: c.lastRun})
		}
	}
	// Ids are unique and es is in id order, so a stable sort on the other
	// keys gives a total order.
	slices.SortStableFunc(es, func(a, b entry) int {
		// Paused executions first, so that each gets its slice every
		// round (while there are no more of them than threads).
		if a.paused != b.paused {
			if a.paused {
				return -1
			}
			return 1
		}
		if a.alloc != b.alloc {
			if a.alloc > b.alloc {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.lastRun, b.lastRun)
	})
	ids := make([]bigfile.CubeID, len(es))
	for i, e := range es {
		ids[i] = e.id
	}
	return ids
}

// runThreads deals active to the logical threads and runs them on the
// workers. Paused executions (first in active) get threads of their own
// while there are fewer of them than threads, so that long messages do not
// hold up the others; the remaining cubes are dealt round-robin to the
// other threads. It returns one sink per active cube (nil if it did not
// run), in active's order.
func (s *Scheduler) runThreads(ctx context.Context, now bigfile.Time, active []bigfile.CubeID,
	budget []uint64) ([]*sink, error) {
	threads := make([][]int, s.cfg.Threads)
	p := 0
	for p < len(active) && s.cubes[active[p]].paused != nil {
		p++
	}
	first := 0
	if p < s.cfg.Threads {
		for i := range p {
			threads[i] = append(threads[i], i)
		}
		first = p
	} else {
		first = 0
		p = 0
	}
	for j, i := 0, p; i < len(active); i, j = i+1, j+1 {
		t := first + j%(s.cfg.Threads-first)
		threads[t] = append(threads[t], i)
	}
	outs := make([]*sink, len(active))
	var firstErr error
	var errMu sync.Mutex
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
	}
	// A thread runs its cubes in order on one goroutine. When a message
	// pauses at a slice boundary, that goroutine stays with the paused
	// execution (see Executor.BeginOn) and the rest of the thread goes on
	// in a new goroutine; so messages that complete within a slice, the
	// common case, cost no hand-off between goroutines.
	var wg sync.WaitGroup
	// Workers bound how many threads run at once; results do not depend
	// on it. A thread's slot passes to the goroutine that continues it.
	sem := make(chan struct{}, max(1, min(s.cfg.Workers, s.cfg.Threads)))
	var run func(t int, list []int)
	run = func(t int, list []int) {
		for k, i := range list {
			if budget[t] == 0 {
				break
			}
			rest := list[k+1:]
			o, detached, err := s.runCube(ctx, now, active[i], &budget[t], func(o *sink) {
				outs[i] = o
				go run(t, rest)
			})
			if detached {
				return // the thread continued elsewhere; wg is its
			}
			if err != nil {
				fail(err)
				break
			}
			outs[i] = o
		}
		<-sem // the thread's slot, held by whichever goroutine ends it
		wg.Done()
	}
	for t := range s.cfg.Threads {
		if len(threads[t]) == 0 {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go run(t, threads[t])
	}
	wg.Wait()
	return outs, firstErr
}

// runCube executes cube id's queued messages (those queued when it
// started) while budget lasts. A paused execution runs first, for one
// slice; a message that pauses ends the cube's turn, and the cube's other
// messages wait until it completes. When a message pauses, runCube
// finishes the cube's turn, calls detach with its sink (to carry on with
// the thread elsewhere) and, once the execution has completed rounds
// later, returns detached.
func (s *Scheduler) runCube(ctx context.Context, now bigfile.Time, id bigfile.CubeID, budget *uint64,
	detach func(*sink)) (*sink, bool, error) {
	c := s.cubes[id]
	c.lastRun = s.round
	k := &sink{res: &Result{}}
	charge := func(used uint64) {
		k.used += used
		*budget -= min(used, *budget)
	}
	if e := c.paused; e != nil {
		before := e.Used()
		c.sliced = s.round
		e.Resume()
		if !e.Done() {
			charge(e.Used() - before)
			return k, false, nil
		}
		c.paused = nil
		out, err := e.Result()
		if err != nil {
			return nil, false, err
		}
		charge(out.Instructions - before)
		k.executed++
		s.absorb(c, out, k)
	}
	n := len(c.queue)
	done := 0
	trim := func() {
		c.queue = slices.Delete(c.queue, 0, done)
		if len(c.queue) == 0 {
			c.queue = nil
		}
	}
	for done < n && *budget > 0 {
		m := c.queue[done]
		done++
		if m.isCall() {
			c.calls--
		}
		in, ok := s.input(now, c, m, k)
		if !ok {
			continue
		}
		e, detached := s.x.BeginOn(ctx, c.st, in, func(e *execution.Execution) {
			c.paused, c.pausedMsg, c.sliced = e, m, s.round
			charge(e.Used())
			trim()
			detach(k)
		})
		if detached {
			return nil, true, nil
		}
		out, err := e.Result()
		if err != nil {
			if m.kind == msgResponse && errors.Is(err, execution.ErrInvalidInput) {
				continue // a late answer to a callback already consumed
			}
			return nil, false, err
		}
		k.executed++
		charge(out.Instructions)
		s.absorb(c, out, k)
	}
	trim()
	return k, false, nil
}

// AbortPaused aborts every paused execution and puts its message back at
// the front of its cube's queue, so that the states are consistent (no
// execution half done) for a checkpoint. The messages start again from
// the beginning in the next round, on every replica alike.
func (s *Scheduler) AbortPaused() {
	for _, id := range s.ids {
		if c := s.cubes[id]; c.paused != nil {
			s.abort(c)
		}
	}
}

// abort aborts c's paused execution and queues its message again, first.
func (s *Scheduler) abort(c *cube) {
	c.paused.Abort()
	c.paused = nil
	c.queue = append([]message{c.pausedMsg}, c.queue...)
	if c.pausedMsg.isCall() {
		c.calls++
	}
}

// Paused reports whether cube id has an execution paused between rounds.
func (s *Scheduler) Paused(id bigfile.CubeID) bool {
	c := s.cubes[id]
	return c != nil && c.paused != nil
}

// input turns a queued message into the executor's input; calls to a
// stopped or stopping cube are answered here instead (ok false).
func (s *Scheduler) input(now bigfile.Time, c *cube, m message, k *sink) (execution.Input, bool) {
	st := c.st
	switch m.kind {
	case msgIngress:
		if r, stop := stopped(st); stop {
			k.answer(st.ID, execution.Origin{Ingress: m.id}, r, bigfile.Cycles{})
			return execution.Input{}, false
		}
		return execution.Input{Kind: execution.KindUpdate, Method: m.ingress.Method, Arg: m.ingress.Arg,
			Caller: m.ingress.Sender, Time: now, Ingress: true,
			Origin: execution.Origin{Kind: execution.OriginIngress, Caller: m.ingress.Sender, Ingress: m.id}}, true
	case msgRequest:
		origin := execution.Origin{Kind: execution.OriginCube, Caller: m.req.Sender.Principal(),
			Callback: m.req.Callback, Deadline: m.req.Deadline}
		if r, stop := stopped(st); stop {
			k.answer(st.ID, origin, r, m.req.Cycles)
			return execution.Input{}, false
		}
		return execution.Input{Kind: execution.KindUpdate, Method: m.req.Method, Arg: m.req.Arg,
			Caller: m.req.Sender.Principal(), Cycles: m.req.Cycles, Time: now, Origin: origin}, true
	case msgResponse:
		r := m.resp
		return execution.Input{Kind: execution.KindResponse, Response: &r, Time: now}, true
	case msgTimer:
		return execution.Input{Kind: execution.KindGlobalTimer, Time: now}, true
	}
	return execution.Input{Kind: execution.KindHeartbeat, Time: now}, true
}

// absorb keeps an execution's new state and records what it produced.
func (s *Scheduler) absorb(c *cube, out execution.Output, k *sink) {
	self := c.st.ID
	c.st = out.State
	for _, rq := range out.Requests {
		if rq.Receiver == bigfile.ManagementCube {
			k.mgmt = append(k.mgmt, rq)
			continue
		}
		k.local = append(k.local, routed{msg: message{kind: msgRequest, req: rq}})
	}
	k.answer(self, out.Origin, out.Response, out.Refund)
}

// stopped rejects calls to a stopping or stopped cube.
func stopped(st *execution.State) (execution.Response, bool) {
	switch st.Status {
	case execution.Stopped:
		return reject(execution.CodeCanisterStopped, st.ID, "Canister "+st.ID.String()+" is stopped"), true
	case execution.Stopping:
		return reject(execution.CodeCanisterStopping, st.ID, "Canister "+st.ID.String()+" is stopping"), true
	}
	return execution.Response{}, false
}

// Tape is the default random tape: SHA-256("bigfile/raw_rand" ‖ seed ‖
// counter) for counter = 0, 1, … concatenated.
func Tape(seed bigfile.Hash) io.Reader { return &tape{seed: seed} }

type tape struct {
	seed bigfile.Hash
	n    uint64
	buf  []byte
}

func (t *tape) Read(p []byte) (int, error) {
	for i := range p {
		if len(t.buf) == 0 {
			h := sha256.New()
			h.Write([]byte("bigfile/raw_rand"))
			h.Write(t.seed[:])
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], t.n)
			h.Write(c[:])
			t.n++
			t.buf = h.Sum(nil)
		}
		p[i], t.buf = t.buf[0], t.buf[1:]
	}
	return len(p), nil
}
