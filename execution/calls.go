package execution

import (
	"context"
	"fmt"
	"slices"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution/internal/wasmbin"
)

// This file implements calls between cubes (system-api.md §1, the call
// functions, call contexts and callbacks): ic0.call_new … call_perform
// collect outgoing requests (Output.Requests); a message that made calls
// without answering leaves its call context open in the State; each
// response runs as a KindResponse input through the callback the call
// registered, and a trapping callback is followed by its cleanup closure.
//
// Closures are Wasm table entries (fun, env). Engines run only () -> ()
// exports, so the instrumenter gives every module that imports
// ic0.call_new a trampoline export that calls table entry fun with env,
// both read from two added mutable globals; the executor sets those
// globals (the last two of State.Globals) before running it.

// OriginKind says who waits for the answer of a call context.
type OriginKind uint8

// The origins of a call context.
const (
	// OriginIngress: a user's ingress message (the zero value, also used
	// for callers that take Output.Response directly).
	OriginIngress OriginKind = iota
	// OriginCube: another cube's request; the answer is a bigfile.Response
	// to Origin.Caller's callback Origin.Callback.
	OriginCube
	// OriginSystem: a heartbeat or global timer; nobody waits.
	OriginSystem
)

// Origin identifies the caller a call context answers.
type Origin struct {
	Kind     OriginKind
	Caller   bigfile.Principal
	Callback bigfile.CallbackID // OriginCube: the caller's callback
	Ingress  bigfile.MessageID  // OriginIngress: the message, if known
	Deadline bigfile.Time       // best-effort calls: the request's deadline
}

// CallContext is a call a cube accepted and still tracks: it has not
// answered it, or it has calls of its own outstanding.
type CallContext struct {
	ID        uint64
	Origin    Origin
	Available bigfile.Cycles // attached cycles not accepted yet
	Responded bool
}

// Closure is a Wasm table entry and the environment value passed to it.
type Closure struct{ Fun, Env uint64 }

// Callback is an outstanding call a cube made: the closures that handle
// its answer.
type Callback struct {
	ID         bigfile.CallbackID
	Context    uint64 // the CallContext that made the call
	Callee     bigfile.Principal
	OnReply    Closure
	OnReject   Closure
	OnCleanup  Closure
	HasCleanup bool
	Cycles     bigfile.Cycles // attached to the request
	Deadline   bigfile.Time   // non-zero for a best-effort call
	// Reserved is what call_perform set aside for the answer: the largest
	// response's transmission and the callback's execution at the full
	// instruction limit (the IC's MAX_CYCLES_PER_RESPONSE). When the
	// response arrives the reservation comes back, and the response's
	// transmission and the callback's actual instructions are charged, so
	// a callback is paid for even if the balance has since run low.
	Reserved bigfile.Cycles
}

// MaxBestEffortTimeout bounds call_with_best_effort_response's timeout, in
// seconds (the IC's MAX_CALL_TIMEOUT_SECONDS).
const MaxBestEffortTimeout = 300

// pendingCall is a call between call_new and call_perform.
type pendingCall struct {
	callee      bigfile.Principal
	method      string
	arg         []byte
	cycles      bigfile.Cycles
	reply       Closure
	reject      Closure
	cleanup     Closure
	hasCleanup  bool
	bestEffort  bool
	deadline    bigfile.Time
	timeoutSeen bool
}

// callNew starts a call, discarding (and refunding) one still pending.
func (a *api) callNew(x []uint64) (uint64, error) {
	cb, err := a.read("call_new", x[0], x[1])
	if err != nil {
		return 0, err
	}
	callee, err := bigfile.PrincipalFromBytes(cb)
	if err != nil {
		return 0, violation("ic0.call_new: the callee is not a valid principal")
	}
	name, err := a.read("call_new", x[2], x[3])
	if err != nil {
		return 0, err
	}
	a.dropPending()
	a.pending = &pendingCall{callee: callee, method: string(name),
		reply: Closure{Fun: x[4], Env: x[5]}, reject: Closure{Fun: x[6], Env: x[7]}}
	return 0, nil
}

// dropPending abandons a pending call; its cycles go back to the balance.
func (a *api) dropPending() {
	if a.pending != nil {
		a.balance = a.balance.Add(a.pending.cycles)
		a.pending = nil
	}
}

func (a *api) needPending(name string) (*pendingCall, error) {
	if a.pending == nil {
		return nil, violation("ic0.%s: no call is being built (call ic0.call_new first)", name)
	}
	return a.pending, nil
}

func (a *api) callDataAppend(x []uint64) (uint64, error) {
	p, err := a.needPending("call_data_append")
	if err != nil {
		return 0, err
	}
	b, err := a.read("call_data_append", x[0], x[1])
	if err != nil {
		return 0, err
	}
	// Requests share the replicated response bound (2 MiB by default, the
	// IC's inter-cube payload limit).
	if uint64(len(p.arg))+uint64(len(b)) > a.x.cfg.MaxResponseBytes {
		return 0, violation("ic0.call_data_append: the argument would exceed %d bytes", a.x.cfg.MaxResponseBytes)
	}
	p.arg = append(p.arg, b...)
	return 0, nil
}

func (a *api) callOnCleanup(x []uint64) (uint64, error) {
	p, err := a.needPending("call_on_cleanup")
	if err != nil {
		return 0, err
	}
	if p.hasCleanup {
		return 0, violation("ic0.call_on_cleanup: the cleanup closure is already set")
	}
	p.cleanup, p.hasCleanup = Closure{Fun: x[0], Env: x[1]}, true
	return 0, nil
}

func (a *api) callBestEffort(x []uint64) (uint64, error) {
	p, err := a.needPending("call_with_best_effort_response")
	if err != nil {
		return 0, err
	}
	if p.timeoutSeen {
		return 0, violation("ic0.call_with_best_effort_response: the timeout is already set")
	}
	t := min(uint64(uint32(x[0])), MaxBestEffortTimeout)
	p.timeoutSeen, p.bestEffort = true, true
	p.deadline = a.in.Time + bigfile.Time(t*1_000_000_000)
	return 0, nil
}

// callCyclesAdd moves cycles from the balance to the pending call; the
// cube must hold them.
func (a *api) callCyclesAdd(name string, c bigfile.Cycles) (uint64, error) {
	p, err := a.needPending(name)
	if err != nil {
		return 0, err
	}
	if a.balance.Cmp(c) < 0 {
		return 0, violation("ic0.%s: cannot add %s cycles, the balance is %s", name, c, a.balance)
	}
	a.balance = a.balance.Sub(c)
	p.cycles = p.cycles.Add(c)
	return 0, nil
}

// callFees returns what call_perform charges for a call with n bytes of
// method name and argument under the executor's cost rules: the request's
// transmission fee, and the reservation for the answer (the largest
// response's transmission and the callback's execution at the full
// instruction limit).
func (a *api) callFees(n int) (fee, reserve bigfile.Cycles) {
	c := a.x.cfg.Costs
	callback := c.ExecutionCost(a.x.cfg.MaxInstructionsPerMessage, a.memory64)
	return c.CallCost(n), c.CallCost(int(a.x.cfg.MaxResponseBytes)).Add(callback)
}

// callPerform enqueues the pending call as a request with a new callback,
// charging the request's fee and reserving the largest response's. If the
// cube cannot pay them and stay above its freezing limit, the call is
// dropped (its cycles return to the balance) and call_perform returns 2
// (SYS_TRANSIENT), as on the IC. Queue limits are not enforced yet.
func (a *api) callPerform([]uint64) (uint64, error) {
	p, err := a.needPending("call_perform")
	if err != nil {
		return 0, err
	}
	fee, reserve := a.callFees(len(p.method) + len(p.arg))
	composite := a.ctx == ctxCQ || a.ctx == ctxCRy || a.ctx == ctxCRt
	if composite {
		fee, reserve = bigfile.Cycles{}, bigfile.Cycles{} // queries are free
	}
	if a.x.cfg.Costs.Charging() && !composite {
		need := a.x.cfg.Costs.FreezingLimit(a.st).Add(fee).Add(reserve)
		if a.balance.Cmp(need) < 0 {
			a.dropPending()
			return uint64(bigfile.RejectSysTransient), nil
		}
		a.balance = a.balance.Sub(fee).Sub(reserve)
	}
	a.pending = nil
	id := a.nextCallback
	a.nextCallback++
	a.callbacks = append(a.callbacks, Callback{ID: id, Context: a.ctxID, Callee: p.callee, OnReply: p.reply,
		OnReject: p.reject, OnCleanup: p.cleanup, HasCleanup: p.hasCleanup, Cycles: p.cycles, Deadline: p.deadline,
		Reserved: reserve})
	a.requests = append(a.requests, bigfile.Request{Sender: a.st.ID, Receiver: p.callee, Method: p.method,
		Arg: p.arg, Cycles: p.cycles, Callback: id, Deadline: p.deadline})
	return 0, nil
}

// contextsAfter returns the call contexts and callbacks of st after an
// execution that ran in context ctxID and made calls: added are the
// callbacks it registered, responded says whether the context is
// answered, origin and available describe it. A context is kept (kept)
// while it has callbacks outstanding; one without is closed, and the
// caller answers it if nobody did.
func contextsAfter(st *State, ctxID uint64, origin Origin, responded bool, available bigfile.Cycles,
	added []Callback) (ctxs []CallContext, cbs []Callback, kept bool) {
	cbs = slices.Clone(st.Callbacks)
	cbs = append(cbs, added...)
	outstanding := slices.ContainsFunc(cbs, func(c Callback) bool { return c.Context == ctxID })
	ctxs = slices.DeleteFunc(slices.Clone(st.CallContexts), func(c CallContext) bool { return c.ID == ctxID })
	if outstanding {
		ctxs = append(ctxs, CallContext{ID: ctxID, Origin: origin, Available: available, Responded: responded})
		slices.SortFunc(ctxs, func(x, y CallContext) int { return cmpU64(x.ID, y.ID) })
	}
	if len(cbs) == 0 {
		cbs = nil
	}
	if len(ctxs) == 0 {
		ctxs = nil
	}
	return ctxs, cbs, outstanding
}

func cmpU64(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// findCallback returns the callback id of st, if any.
func findCallback(st *State, id bigfile.CallbackID) (Callback, bool) {
	for _, c := range st.Callbacks {
		if c.ID == id {
			return c, true
		}
	}
	return Callback{}, false
}

func findContext(st *State, id uint64) (CallContext, bool) {
	for _, c := range st.CallContexts {
		if c.ID == id {
			return c, true
		}
	}
	return CallContext{}, false
}

// setClosure puts a closure into the trampoline's globals of inst, which
// holds st.
func setClosure(st *State, inst Instance, c Closure) error {
	g := slices.Clone(st.Globals)
	if len(g) < 2 {
		return fmt.Errorf("the module has no callback globals")
	}
	g[len(g)-2], g[len(g)-1] = c.Fun, c.Env
	if t, ok := inst.(PageTracker); ok {
		return t.SetGlobals(g)
	}
	return inst.Restore(st.Memory, g)
}

// response runs the callback of a KindResponse input. The callback is
// consumed and the refund credited whatever happens; the reply or reject
// closure runs in its own context, and if it traps its changes are rolled
// back and the cleanup closure (if any) runs on the state before it.
// When the call context ends up unanswered with nothing outstanding, the
// executor answers it: with the callback's error if it trapped, else with
// IC0506.
func (x *Executor) response(ctx context.Context, st *State, in *Input) (Output, error) {
	r := in.Response
	if r == nil {
		return Output{}, fmt.Errorf("%w: response input without a response", ErrInvalidInput)
	}
	cb, ok := findCallback(st, r.Callback)
	if !ok {
		return Output{}, fmt.Errorf("%w: cube %s has no callback %d", ErrInvalidInput, st.ID, r.Callback)
	}
	cc, hasCtx := findContext(st, cb.Context)
	// base: the callback consumed and the refund credited; kept even if
	// the closures trap.
	base := st.clone()
	base.Callbacks = slices.DeleteFunc(slices.Clone(st.Callbacks), func(c Callback) bool { return c.ID == cb.ID })
	if len(base.Callbacks) == 0 {
		base.Callbacks = nil
	}
	// The response's own transmission fee comes out of the reservation;
	// the rest is refunded with the unaccepted cycles.
	n := len(r.Reply)
	if r.Reject != 0 {
		n = len(r.RejectMessage)
	}
	unused := bigfile.Cycles{}
	if cost := x.cfg.Costs.CallCost(n); cb.Reserved.Cmp(cost) > 0 {
		unused = cb.Reserved.Sub(cost)
	}
	base.Cycles = st.Cycles.Add(r.Refund).Add(unused)
	x.repoint(st, base)
	origin := Origin{Kind: OriginSystem}
	if hasCtx {
		origin = cc.Origin
	}
	closure, c, cleanupCtx, limit := cb.OnReply, ctxRy, ctxC, x.cfg.MaxInstructionsPerMessage
	if in.Composite {
		c, cleanupCtx, limit = ctxCRy, ctxCC, x.cfg.MaxInstructionsPerQuery
	}
	arg := r.Reply
	if r.Reject != 0 {
		closure, arg = cb.OnReject, nil
		c = ctxRt
		if in.Composite {
			c = ctxCRt
		}
	}
	rin := *in
	rin.Arg, rin.Cycles, rin.Caller = arg, cc.Available, origin.Caller
	out := Output{State: base, Origin: origin}
	if st.Wasm == nil {
		// The cube was uninstalled meanwhile: the callback cannot run.
		return x.closeContext(base, cc, hasCtx, out, nil), nil
	}
	m := x.liveModule(st)
	if m == nil {
		var e *Error
		if m, e = x.prepare(st, st.Wasm); e != nil {
			return x.closeContext(base, cc, hasCtx, out, e), nil
		}
	}
	if !m.exports[wasmbin.CallbackExport] {
		e := x.cubeError(st, CodeCanisterContractViolation, "the module cannot run callbacks (it needs a table)")
		return x.closeContext(base, cc, hasCtx, out, e), nil
	}
	run := func(st *State, c callContext, cl Closure) (*api, Instance, *Error, error) {
		inst, _, err := x.instanceFor(ctx, st, m)
		if err != nil {
			return nil, nil, nil, err
		}
		if err := setClosure(st, inst, cl); err != nil {
			inst.Close()
			return nil, nil, nil, fmt.Errorf("%w: %v", ErrEngine, err)
		}
		a := x.newAPI(st, &rin, m, inst)
		a.ctxID, a.origin = cb.Context, origin
		a.needsResponse = hasCtx && !cc.Responded && origin.Kind != OriginSystem
		a.refunded = r.Refund
		a.rejectCode, a.rejectMsg = r.Reject, r.RejectMessage
		if origin.Kind == OriginSystem {
			a.caller = []byte{}
		}
		if in.Composite {
			a.maxResponse = x.cfg.MaxQueryResponseBytes
		}
		budget := limit
		e, err := x.run(ctx, a, wasmbin.CallbackExport, c, &budget, limit)
		if err != nil {
			inst.Close()
			return nil, nil, nil, err
		}
		return a, inst, e, nil
	}
	a, inst, e, err := run(base, c, closure)
	if err != nil {
		return Output{}, err
	}
	if e == nil {
		return x.finishCall(base, a, inst, m, out), nil
	}
	// The closure trapped: drop its changes (its log records stay), then
	// run the cleanup closure on the state before it.
	used, logs := a.base, a.logs
	failed := x.failed(base, e, logs, used, true).State
	if rollback(base, inst) {
		x.keepLive(failed, m, inst)
	} else {
		inst.Close()
	}
	out.State, out.Instructions, out.Log = failed, used, logs
	if cb.HasCleanup {
		ca, cinst, ce, err := run(failed, cleanupCtx, cb.OnCleanup)
		if err != nil {
			return Output{}, err
		}
		out.Instructions += ca.base
		out.Log = append(out.Log, ca.logs...)
		if ce == nil {
			ns, dirty := x.commitState(failed, ca, cinst, m)
			out.State, out.Dirty = ns, dirty
		} else {
			st2 := x.failed(failed, ce, ca.logs, ca.base, true).State
			if rollback(failed, cinst) {
				x.keepLive(st2, m, cinst)
			} else {
				cinst.Close()
			}
			out.State = st2
		}
	}
	return x.closeContext(out.State, cc, hasCtx, out, e), nil
}

// closeContext ends a response execution whose callback did not run or
// trapped: the context stays as it was (minus the consumed callback) and
// is answered with e (or IC0506) once nothing is outstanding.
func (x *Executor) closeContext(st *State, cc CallContext, hasCtx bool, out Output, e *Error) Output {
	out.Err = e
	if !hasCtx {
		out.State = st
		return out
	}
	ctxs, cbs, open := contextsAfter(st, cc.ID, cc.Origin, cc.Responded, cc.Available, nil)
	ns := st.clone()
	ns.CallContexts, ns.Callbacks = ctxs, cbs
	if !open {
		ns.OpenCallContexts = decr(ns.OpenCallContexts)
		if !cc.Responded && cc.Origin.Kind != OriginSystem {
			if e == nil {
				e = x.cubeError(st, CodeCanisterDidNotReply, "Canister did not reply to the call")
			}
			out.Response = Response{Kind: Rejected, Code: e.Code.RejectCode(), Message: e.RejectMessage(), ErrorCode: e.Code}
			out.Refund = cc.Available
		}
	}
	x.repoint(st, ns)
	out.State = ns
	return out
}

func decr(n uint64) uint64 {
	if n > 0 {
		return n - 1
	}
	return 0
}

// finishCall commits a successful update, system task or callback
// execution in a call context: its state, the requests it made, its
// context's fate and the answer.
func (x *Executor) finishCall(st *State, a *api, inst Instance, m *module, out Output) Output {
	a.dropPending() // a call never performed is abandoned
	ns, dirty := x.commitState(st, a, inst, m)
	out.State, out.Dirty, out.Instructions, out.Log = ns, dirty, out.Instructions+a.base, append(out.Log, a.logs...)
	out.Requests = a.requests
	_, existed := findContext(st, a.ctxID)
	responded := a.responded || !a.needsResponse
	if a.responded {
		out.Response = a.response
	}
	available := a.cyclesIn.Sub(a.cyclesTaken)
	ctxs, cbs, open := contextsAfter(ns, a.ctxID, a.origin, responded, available, a.callbacks)
	ns.CallContexts, ns.Callbacks, ns.NextCallback = ctxs, cbs, a.nextCallback
	switch {
	case open && !existed:
		ns.OpenCallContexts++
	case !open && existed:
		ns.OpenCallContexts = decr(ns.OpenCallContexts)
	}
	if a.responded {
		out.Refund = available
	}
	if !open && !responded {
		out.Err = x.cubeError(st, CodeCanisterDidNotReply, "Canister did not reply to the call")
		out.Response = Response{Kind: Rejected, Code: out.Err.Code.RejectCode(),
			Message: out.Err.RejectMessage(), ErrorCode: out.Err.Code}
		out.Refund = available
	}
	return out
}

// commitState derives the new State from a successful execution on inst
// and keeps inst live for it.
func (x *Executor) commitState(st *State, a *api, inst Instance, m *module) (*State, DirtyPages) {
	var d DirtyPages
	ns := st.clone()
	ns.Memory, d.Heap = commitMemory(st.Memory, inst)
	ns.Globals = inst.Globals()
	ns.Stable = a.stable.memory()
	d.Stable = a.stable.dirty()
	ns.CertifiedData = a.certified
	ns.GlobalTimer = a.timer
	ns.Cycles = a.balance
	ns.Version++
	ns.Log = st.Log.appendRecords(a.logs, x.cfg.MaxLogBytes)
	x.keepLive(ns, m, inst)
	return ns, d
}

// HasExport reports whether the module installed on st exports the
// function name (e.g. "canister_heartbeat"); false for a cube without code
// or with a module that does not prepare. The scheduler uses it to run
// system tasks only where they exist.
func (x *Executor) HasExport(st *State, name string) bool {
	if st.Wasm == nil {
		return false
	}
	m := x.liveModule(st)
	if m == nil {
		var e *Error
		if m, e = x.prepare(st, st.Wasm); e != nil {
			return false
		}
	}
	return m.exports[name]
}
