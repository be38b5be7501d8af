package execution

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution/internal/wasmbin"
)

// Executor runs one message on one cube: it takes the cube's [State] and an
// [Input] and returns the new State and the outputs. It prepares modules
// (validation against the IC's limits, instrumentation), enforces the
// System API's rules and the instruction and memory limits, and rolls back
// every change of a message that traps.
//
// An Executor is safe for concurrent use by several goroutines as long as
// no two of them execute on the same cube at once (a cube runs one message
// at a time).
//
// It keeps the instance of each cube's last execution alive, so that the
// next message on the State it returned skips restoring the heap; that
// cache is an optimisation only and never changes a result.
type Executor struct {
	cfg Config
	eng Engine

	mu      sync.Mutex
	modules map[[32]byte]*module
	order   [][32]byte // modules in insertion order, for eviction
	live    map[bigfile.CubeID]*liveInstance
	tick    uint64
}

// maxPreparedModules bounds the executor's cache of prepared modules.
const maxPreparedModules = 256

// module is a validated, instrumented and compiled module.
type module struct {
	hash     [32]byte
	compiled Module
	memory64 bool
	eop      bool // enhanced orthogonal persistence
	exports  map[string]bool
}

// liveInstance is an instance whose memory and globals equal those of state.
type liveInstance struct {
	inst  Instance
	state *State
	mod   *module
	used  uint64 // Executor.tick when last kept, for LRU eviction
}

// New returns an Executor running modules on eng with the limits in cfg.
// It returns an error wrapping [ErrInvalidConfig] or [ErrNoEngine].
func New(cfg Config, eng Engine) (*Executor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if eng == nil {
		return nil, ErrNoEngine
	}
	return &Executor{cfg: cfg.withDefaults(), eng: eng, modules: map[[32]byte]*module{},
		live: map[bigfile.CubeID]*liveInstance{}}, nil
}

// Config returns the executor's configuration with defaults applied.
func (x *Executor) Config() Config { return x.cfg }

// Execute runs in on the cube whose state is st (for an install, st holds
// the cube's id, controllers and settings; its code, if any, is replaced).
//
// A failure of the cube (trap, limit, invalid module, missing method) is
// reported in Output.Err with the State rolled back. Execute returns a Go
// error only for misuse (an error wrapping [ErrInvalidInput]), a cancelled
// ctx, or an engine failure ([ErrEngine]); Output is then zero.
func (x *Executor) Execute(ctx context.Context, st *State, in Input) (Output, error) {
	if st == nil {
		return Output{}, fmt.Errorf("%w: nil state", ErrInvalidInput)
	}
	switch in.Kind {
	case KindInstall, KindReinstall:
		if in.Wasm == nil {
			return Output{}, fmt.Errorf("%w: install without a module", ErrInvalidInput)
		}
		return x.charged(ctx, st, &in, x.install)
	case KindUpgrade:
		if in.Wasm == nil {
			return Output{}, fmt.Errorf("%w: upgrade without a module", ErrInvalidInput)
		}
		return x.charged(ctx, st, &in, x.upgrade)
	case KindUpdate:
		out, err := x.charged(ctx, st, &in, x.message)
		// Whoever answers the caller needs the origin and, after a failure
		// (the state rolled back, nothing accepted), the whole refund.
		if err == nil {
			out.Origin = in.Origin
			if out.Err != nil && out.Err.Code != CodeCanisterDidNotReply {
				out.Refund = in.Cycles
			}
		}
		return out, err
	case KindReplicatedQuery, KindQuery, KindHeartbeat, KindGlobalTimer, KindInspectMessage:
		return x.charged(ctx, st, &in, x.message)
	case KindResponse:
		// Responses run whatever the balance (the IC never drops them).
		// Their execution fee is taken afterwards: call_perform reserved
		// it and response gave the reservation back, so it is covered
		// (only a change to 64-bit memory in between can leave it short,
		// and then the balance pays as far as it goes).
		out, err := x.response(ctx, st, &in)
		if err == nil && x.cfg.Costs.Charging() && out.Instructions > 0 && !in.Composite {
			fee := minCycles(x.cfg.Costs.ExecutionCost(out.Instructions, x.memory64(out.State, &in)), out.State.Cycles)
			ns := out.State.clone()
			ns.Cycles = out.State.Cycles.Sub(fee)
			x.repoint(out.State, ns)
			out.State, out.Charged = ns, fee
		}
		return out, err
	}
	return Output{}, fmt.Errorf("%w: unknown kind %d", ErrInvalidInput, in.Kind)
}

// Forget releases the live instance kept for cube id, if any. Call it when
// a cube is deleted or its state is dropped.
func (x *Executor) Forget(id bigfile.CubeID) {
	x.mu.Lock()
	l := x.live[id]
	delete(x.live, id)
	x.mu.Unlock()
	if l != nil {
		l.inst.Close()
	}
}

// Close releases every live instance (their memories and address-space
// reservations) at once instead of leaving them to the garbage collector.
// The Executor stays usable: each cube's next message restores its heap
// into a new instance. Call it when a subnet's executor is dropped.
func (x *Executor) Close() {
	x.mu.Lock()
	live := x.live
	x.live = map[bigfile.CubeID]*liveInstance{}
	x.mu.Unlock()
	for _, l := range live {
		l.inst.Close()
	}
}

func (x *Executor) cubeError(st *State, code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Cube: st.ID, Message: fmt.Sprintf(format, args...)}
}

// failed builds the output of a failed execution: the old state with the
// execution's log records kept (so developers can see why it failed).
func (x *Executor) failed(st *State, e *Error, logs []LogRecord, used uint64, replicated bool) Output {
	out := Output{State: st, Err: e, Log: logs, Instructions: used,
		Response: Response{Kind: Rejected, Code: e.Code.RejectCode(), Message: e.RejectMessage(), ErrorCode: e.Code}}
	if replicated && len(logs) > 0 {
		ns := st.clone()
		ns.Log = st.Log.appendRecords(logs, x.cfg.MaxLogBytes)
		out.State = ns
	}
	return out
}

// prepare decompresses, validates, instruments and compiles wasm, caching
// the result by the hash of wasm. A module the cube cannot use yields an
// *Error with code IC0505.
func (x *Executor) prepare(st *State, wasm []byte) (*module, *Error) {
	h := sha256.Sum256(wasm)
	x.mu.Lock()
	m := x.modules[h]
	x.mu.Unlock()
	if m != nil {
		return m, nil
	}
	invalid := func(format string, args ...any) (*module, *Error) {
		return nil, x.cubeError(st, CodeCanisterInvalidWasm, "Canister's Wasm module is not valid: "+format, args...)
	}
	// A module may be gzip-compressed (install_code accepts both); the
	// decompressed size is capped before it is read in full.
	raw := wasm
	if len(raw) >= 3 && raw[0] == 0x1f && raw[1] == 0x8b && raw[2] == 0x08 {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return invalid("bad gzip: %v", err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, int64(x.cfg.MaxModuleBytes)+1))
		if err != nil {
			return invalid("bad gzip: %v", err)
		}
	}
	if len(raw) > x.cfg.MaxModuleBytes {
		return invalid("the module exceeds %d bytes", x.cfg.MaxModuleBytes)
	}
	c := x.cfg
	wm, err := wasmbin.Parse(raw, wasmbin.Limits{MaxFunctions: c.MaxFunctions, MaxGlobals: c.MaxGlobals,
		MaxExportedMethods: c.MaxExportedMethods, MaxMethodNameBytes: c.MaxMethodNameBytes,
		MaxCodeSectionSize: c.MaxCodeSectionBytes, MaxCustomSections: c.MaxCustomSections,
		MaxCustomBytes: c.MaxCustomSectionBytes})
	if err != nil {
		return invalid("%s", bytes.TrimPrefix([]byte(err.Error()), []byte(wasmbin.ErrInvalid.Error()+": ")))
	}
	// Every import must be an ic0 function of the module's pointer width,
	// with exactly the right type.
	imports := Imports(wm.Memory64)
	for _, im := range wm.Imports {
		if im.Module != "ic0" {
			return invalid("import %s.%s: only the ic0 module may be imported", im.Module, im.Name)
		}
		i := slices.IndexFunc(imports, func(f Import) bool { return f.Name == im.Name })
		if i < 0 {
			return invalid("import ic0.%s: unknown System API function for a %s module", im.Name, width(wm.Memory64))
		}
		if !sameSig(imports[i], im.Type) {
			return invalid("import ic0.%s: wrong type for a %s module", im.Name, width(wm.Memory64))
		}
	}
	// wasmtime validates the code itself while compiling; its reason is
	// passed on in the IC0505 message.
	compiled, err := x.eng.Compile(wm.Instrument())
	if err != nil {
		return invalid("%v", err)
	}
	m = &module{hash: h, compiled: compiled, memory64: wm.Memory64, eop: wm.EnhancedOrthogonalPersistence(),
		exports: map[string]bool{}}
	for _, e := range wm.Exports {
		if e.Kind == 0 {
			m.exports[e.Name] = true
		}
	}
	if wm.Start >= 0 {
		m.exports[wasmbin.StartExport] = true
	}
	if wm.Callbacks() {
		m.exports[wasmbin.CallbackExport] = true
	}
	x.mu.Lock()
	if _, dup := x.modules[h]; !dup {
		x.modules[h] = m
		x.order = append(x.order, h)
		// Bound the cache; an evicted module is prepared again when next
		// needed (live instances keep their own reference).
		for len(x.order) > maxPreparedModules {
			delete(x.modules, x.order[0])
			x.order = x.order[1:]
		}
	}
	x.mu.Unlock()
	return m, nil
}

// width names a pointer width in error messages.
func width(mem64 bool) string {
	if mem64 {
		return "64-bit"
	}
	return "32-bit"
}

// sameSig reports whether a module's import type t is exactly the type the
// System API defines for f: the IC rejects a module whose import types
// differ, and so do we, with a clear reason instead of a link error.
func sameSig(f Import, t wasmbin.FuncType) bool {
	conv := func(vs []ValueType) []byte {
		out := make([]byte, len(vs))
		for i, v := range vs {
			out[i] = wasmbin.I32
			if v == I64 {
				out[i] = wasmbin.I64
			}
		}
		return out
	}
	return t.Equal(wasmbin.FuncType{Params: conv(f.Params), Results: conv(f.Results)})
}

// limits returns the instance limits for m: the memory cap follows the
// module's pointer width.
func (x *Executor) limits(m *module) InstanceLimits {
	lim := InstanceLimits{MaxMemoryBytes: x.cfg.MaxWasm32Memory, SliceInstructions: x.cfg.MaxInstructionsPerSlice}
	if m.memory64 {
		lim.MaxMemoryBytes = x.cfg.MaxWasm64Memory
	}
	return lim
}

// takeLive removes and returns the cached instance of cube id.
func (x *Executor) takeLive(id bigfile.CubeID) *liveInstance {
	x.mu.Lock()
	defer x.mu.Unlock()
	l := x.live[id]
	delete(x.live, id)
	return l
}

// keepLive caches inst as the instance holding st, closing the one it
// replaces and, past MaxLiveInstances, the least recently used one.
func (x *Executor) keepLive(st *State, m *module, inst Instance) {
	x.mu.Lock()
	x.tick++
	old := x.live[st.ID]
	x.live[st.ID] = &liveInstance{inst: inst, state: st, mod: m, used: x.tick}
	var evicted *liveInstance
	if len(x.live) > x.cfg.MaxLiveInstances {
		var id bigfile.CubeID
		for cid, l := range x.live {
			if evicted == nil || l.used < evicted.used {
				id, evicted = cid, l
			}
		}
		delete(x.live, id)
	}
	x.mu.Unlock()
	if old != nil && old.inst != inst {
		old.inst.Close()
	}
	if evicted != nil {
		evicted.inst.Close()
	}
}

// liveModule returns the module of the live instance kept for st, if st is
// the state that instance holds: the hot path skips hashing the module.
func (x *Executor) liveModule(st *State) *module {
	x.mu.Lock()
	defer x.mu.Unlock()
	if l := x.live[st.ID]; l != nil && l.state == st {
		return l.mod
	}
	return nil
}

// instanceFor returns an instance of m holding st's memory and globals:
// the cached one if it was left by the execution that produced st (hit,
// and the cache no longer holds it), else a new instance with st restored
// into it. A miss leaves the cached instance in place, so that a query on
// an older state does not evict the instance of the latest one.
func (x *Executor) instanceFor(ctx context.Context, st *State, m *module) (inst Instance, hit bool, err error) {
	x.mu.Lock()
	if l := x.live[st.ID]; l != nil && l.state == st && l.mod == m {
		delete(x.live, st.ID)
		x.mu.Unlock()
		return l.inst, true, nil
	}
	x.mu.Unlock()
	inst, err = m.compiled.Instantiate(ctx, x.limits(m))
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	if err := inst.Restore(st.Memory, st.Globals); err != nil {
		inst.Close()
		return nil, false, fmt.Errorf("%w: restoring cube %s: %v", ErrEngine, st.ID, err)
	}
	return inst, false, nil
}

// newAPI creates the System API state for one execution over st of code
// from module m: every effect starts from st's values and is applied to a
// new State only if the execution succeeds.
func (x *Executor) newAPI(st *State, in *Input, m *module, inst Instance) *api {
	caller := in.Caller.Bytes()
	if in.Kind == KindHeartbeat || in.Kind == KindGlobalTimer {
		caller = []byte{} // the management cube
	}
	a := &api{x: x, st: st, in: in, inst: inst, self: st.ID.Principal().Bytes(), caller: caller,
		stable: newMemWriter(st.Stable), certified: st.CertifiedData, timer: st.GlobalTimer, balance: st.Cycles,
		cyclesIn: in.Cycles, maxResponse: x.cfg.MaxResponseBytes, version: st.Version,
		nextCallback: max(st.NextCallback, 1), ctxID: st.NextCallContext + 1, origin: in.Origin,
		memory64: m.memory64}
	if in.Kind == KindHeartbeat || in.Kind == KindGlobalTimer {
		a.origin = Origin{Kind: OriginSystem}
	}
	if in.Kind == KindQuery {
		a.maxResponse = x.cfg.MaxQueryResponseBytes
	}
	return a
}

// run calls one entry point, charging its instructions to *budget. Cube
// failures come back as *Error, engine failures as error.
func (x *Executor) run(ctx context.Context, a *api, export string, c callContext, budget *uint64, limit uint64) (*Error, error) {
	a.ctx = c
	var err error
	if p, _ := ctx.Value(pauserKey{}).(*pauser); p != nil && isSlicer(a.inst) {
		err = runSliced(ctx, a.inst.(Slicer), a, export, *budget, p)
		if errors.Is(err, ErrAborted) {
			return nil, err
		}
	} else {
		err = a.inst.Run(ctx, export, a, *budget)
	}
	used := a.inst.Instructions()
	a.base += used
	if used > *budget {
		used = *budget
	}
	*budget -= used
	if err == nil {
		return nil, nil
	}
	var ht *hostTrap
	var tr *Trap
	switch {
	case errors.As(err, &ht):
		return x.cubeError(a.st, ht.code, "%s", ht.msg), nil
	case errors.As(err, &tr) && tr.Kind == TrapOutOfInstructions:
		return x.cubeError(a.st, CodeCanisterInstructionLimitExceed,
			"Canister exceeded the limit of %d instructions for single message execution.", limit), nil
	case errors.As(err, &tr):
		return x.cubeError(a.st, CodeCanisterTrapped, "Canister trapped: %s", tr.describe()), nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("%w: %v", ErrEngine, err)
}

func isSlicer(inst Instance) bool {
	_, ok := inst.(Slicer)
	return ok
}

// entry returns the export, calling context and instruction limit of a
// message input.
func (x *Executor) entry(m *module, in *Input) (export string, c callContext, limit uint64, ok bool) {
	switch in.Kind {
	case KindUpdate:
		if e := "canister_update " + in.Method; m.exports[e] {
			return e, ctxUpdate, x.cfg.MaxInstructionsPerMessage, true
		}
		// A query method called as an update runs in replicated mode.
		e := "canister_query " + in.Method
		return e, ctxRQ, x.cfg.MaxInstructionsPerMessage, m.exports[e]
	case KindReplicatedQuery:
		e := "canister_query " + in.Method
		return e, ctxRQ, x.cfg.MaxInstructionsPerMessage, m.exports[e]
	case KindQuery:
		if e := "canister_query " + in.Method; m.exports[e] {
			return e, ctxNRQ, x.cfg.MaxInstructionsPerQuery, true
		}
		// Composite queries run like queries; the calls they make go on
		// in Composite KindResponse inputs (the scheduler's Query).
		e := "canister_composite_query " + in.Method
		return e, ctxCQ, x.cfg.MaxInstructionsPerQuery, m.exports[e]
	case KindHeartbeat:
		return "canister_heartbeat", ctxT, x.cfg.MaxInstructionsPerMessage, m.exports["canister_heartbeat"]
	case KindGlobalTimer:
		return "canister_global_timer", ctxT, x.cfg.MaxInstructionsPerMessage, m.exports["canister_global_timer"]
	case KindInspectMessage:
		e := "canister_inspect_message"
		return e, ctxF, x.cfg.MaxInstructionsPerInspect, m.exports[e]
	}
	return "", 0, 0, false
}

// message runs an update, query, system task or inspect_message call.
//
// The flow: find the module (from the live instance if st is the state it
// holds, else by preparing st.Wasm, which is cached by hash); map the input
// to an export and calling context; get an instance holding st (the live
// one, or a new one with st's memory and globals restored); run the export
// with the kind's instruction limit; then
//
//   - on a trap or limit: close the instance (its memory holds discarded
//     changes) and return st with only the log records added;
//   - for updates and system tasks: derive the new State from the
//     instance (memory pages that changed, globals, stable memory, System
//     API effects) and keep the instance live for that State;
//   - for queries and inspect_message: put st's memory and globals back into
//     the instance so it can serve the next message, and return st.
func (x *Executor) message(ctx context.Context, st *State, in *Input) (Output, error) {
	replicated := in.Kind != KindQuery && in.Kind != KindInspectMessage
	if st.Wasm == nil {
		e := x.cubeError(st, CodeCanisterWasmModuleNotFound,
			"Attempted to execute a message, but the canister contains no Wasm module.")
		return x.failed(st, e, nil, 0, false), nil
	}
	m := x.liveModule(st)
	if m == nil {
		var e *Error
		if m, e = x.prepare(st, st.Wasm); e != nil {
			return x.failed(st, e, nil, 0, false), nil
		}
	}
	export, c, limit, ok := x.entry(m, in)
	if !ok && in.Kind != KindQuery && m.exports["canister_composite_query "+in.Method] {
		e := x.cubeError(st, CodeCompositeQueryCalledInReplicatedMode,
			"Composite query cannot be called in replicated mode")
		return x.failed(st, e, nil, 0, false), nil
	}
	if !ok {
		switch in.Kind {
		case KindHeartbeat, KindGlobalTimer:
			return Output{State: st}, nil // nothing to run
		case KindInspectMessage:
			return Output{State: st, Accepted: true}, nil
		}
		kind := "update"
		if in.Kind != KindUpdate {
			kind = "query"
		}
		e := x.cubeError(st, CodeCanisterMethodNotFound, "Canister has no %s method '%s'.", kind, in.Method)
		return x.failed(st, e, nil, 0, false), nil
	}
	inst, hit, err := x.instanceFor(ctx, st, m)
	if err != nil {
		return Output{}, err
	}
	a := x.newAPI(st, in, m, inst)
	// Only calls have a caller waiting for an answer; system tasks and
	// inspect_message must not reply (the System API traps if they try).
	a.needsResponse = c == ctxUpdate || c == ctxRQ || c == ctxNRQ || c == ctxCQ
	if in.Kind == KindGlobalTimer {
		a.timer = 0 // the timer is deactivated when it fires
	}
	budget := limit
	e, err := x.run(ctx, a, export, c, &budget, limit)
	if err != nil {
		inst.Close()
		return Output{}, err
	}
	if e != nil {
		// Put back the pages the message wrote; keep the instance unless
		// it was restored for an older state (a query there must not evict
		// the latest state's instance) or grew (memories cannot shrink).
		out := x.failed(st, e, a.logs, a.base, replicated)
		if (hit || replicated) && rollback(st, inst) {
			x.keepLive(out.State, m, inst)
		} else {
			inst.Close()
		}
		return out, nil
	}
	out := Output{State: st, Instructions: a.base, Log: a.logs}
	if c == ctxCQ && len(a.requests) > 0 {
		// A composite query that called other cubes goes on in its
		// callbacks: it returns a scratch State holding its call context
		// and callbacks, for the KindResponse inputs (Composite) that
		// deliver the answers; the cube's real State is unchanged.
		out.Instructions, out.Log, out.Origin = 0, nil, a.origin
		return x.finishCall(st, a, inst, m, out), nil
	}
	switch c {
	case ctxUpdate, ctxT:
		out.Instructions, out.Log, out.Origin = 0, nil, a.origin
		out = x.finishCall(st, a, inst, m, out)
		if out.State.NextCallContext < a.ctxID && slices.ContainsFunc(out.State.CallContexts,
			func(c CallContext) bool { return c.ID == a.ctxID }) {
			out.State.NextCallContext = a.ctxID
		}
		return out, nil
	default:
		// Queries and inspect_message never change the state: put the
		// saved memory back (or drop the instance if it grew).
		target := st
		if c == ctxRQ {
			ns := st.clone()
			ns.Version++
			ns.Log = st.Log.appendRecords(a.logs, x.cfg.MaxLogBytes)
			target, out.State = ns, ns
		}
		// Keep the instance only if it was the cube's live one; a query on
		// another (older) state must not replace the latest state's.
		if hit && rollback(st, inst) {
			x.keepLive(target, m, inst)
		} else {
			inst.Close()
		}
	}
	// Turn the System API's response state into the caller's answer.
	switch {
	case c == ctxF:
		out.Accepted = a.accepted
		if !a.accepted {
			out.Err = x.cubeError(st, CodeCanisterRejectedMessage, "Canister rejected the message")
			out.Response = Response{Kind: Rejected, Code: out.Err.Code.RejectCode(),
				Message: out.Err.RejectMessage(), ErrorCode: out.Err.Code}
		}
	case a.needsResponse && a.responded:
		out.Response = a.response
	case a.needsResponse:
		out.Err = x.cubeError(st, CodeCanisterDidNotReply, "Canister did not reply to the call")
		out.Response = Response{Kind: Rejected, Code: out.Err.Code.RejectCode(),
			Message: out.Err.RejectMessage(), ErrorCode: out.Err.Code}
	}
	return out, nil
}

// install runs an install or reinstall: a fresh instance of the new module
// (active data segments applied), its start function as canister_start in
// the start context, then canister_init in the init context with the
// install argument. Both share the install instruction limit. Stable
// memory, certified data and the timer start empty; the cube's settings
// (id, controllers, cycles, environment) carry over from st. If anything
// traps, st is returned unchanged except for log records.
func (x *Executor) install(ctx context.Context, st *State, in *Input) (Output, error) {
	if in.Wasm == nil {
		return Output{}, fmt.Errorf("%w: install without a module", ErrInvalidInput)
	}
	m, e := x.prepare(st, in.Wasm)
	if e != nil {
		return x.failed(st, e, nil, 0, true), nil
	}
	if l := x.takeLive(st.ID); l != nil {
		l.inst.Close()
	}
	inst, err := m.compiled.Instantiate(ctx, x.limits(m))
	if err != nil {
		return Output{}, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	a := x.newAPI(st, in, m, inst)
	a.stable, a.certified, a.timer = newMemWriter(Memory{}), nil, 0
	a.version = st.Version + 1 // canister_init sees the version of the new code
	limit := x.cfg.MaxInstructionsPerInstall
	budget := limit
	return x.initialize(ctx, st, in, m, inst, a, "canister_init", &budget, limit)
}

// initialize runs the new module's start function and then entry
// (canister_init on install, canister_post_upgrade on upgrade), each if the
// module exports it, and builds the resulting state. On a failure it closes
// inst and returns the failed output; an engine error is returned as such.
func (x *Executor) initialize(ctx context.Context, st *State, in *Input, m *module, inst Instance, a *api,
	entry string, budget *uint64, limit uint64) (Output, error) {
	for _, step := range []struct {
		export string
		c      callContext
	}{{wasmbin.StartExport, ctxStart}, {entry, ctxInit}} {
		if !m.exports[step.export] {
			continue
		}
		e, err := x.run(ctx, a, step.export, step.c, budget, limit)
		if err != nil {
			inst.Close()
			return Output{}, err
		}
		if e != nil {
			inst.Close()
			return x.failed(st, e, a.logs, a.base, true), nil
		}
	}
	return x.installed(st, in, m, inst, a), nil
}

// installed builds the state after a successful install or upgrade.
func (x *Executor) installed(st *State, in *Input, m *module, inst Instance, a *api) Output {
	ns := st.clone()
	ns.Wasm = in.Wasm
	ns.Memory, _ = st.Memory.Update(inst.Memory())
	if t, ok := inst.(PageTracker); ok {
		t.DirtyPages() // start the next message with an empty set
	}
	ns.Globals = inst.Globals()
	ns.Stable = a.stable.memory()
	ns.CertifiedData = a.certified
	ns.GlobalTimer = a.timer
	ns.Cycles = a.balance
	ns.Version++
	ns.Log = st.Log.appendRecords(a.logs, x.cfg.MaxLogBytes)
	x.keepLive(ns, m, inst)
	return Output{State: ns, Instructions: a.base, Log: a.logs,
		Dirty: DirtyPages{Heap: st.Memory.diff(ns.Memory), Stable: st.Stable.diff(ns.Stable)}}
}

// commitMemory derives a message's new heap from inst: from the pages the
// instance reports written when it tracks them (cost follows those pages),
// else by comparing every page. It also returns the pages that changed.
func commitMemory(old Memory, inst Instance) (Memory, []int) {
	if t, ok := inst.(PageTracker); ok {
		if pages, ok := t.DirtyPages(); ok {
			return old.updatePages(inst.Memory(), pages)
		}
	}
	nm, _ := old.Update(inst.Memory())
	return nm, old.diff(nm)
}

// rollback puts st's heap and globals back into inst after a trap or a
// query. With a tracking instance only the written pages are copied back,
// so the cost follows what the message touched; otherwise the whole
// memory is compared. It reports false if inst cannot hold st any more
// (its memory grew: Wasm memories cannot shrink); the caller drops it.
func rollback(st *State, inst Instance) bool {
	mem := inst.Memory()
	if len(mem) != st.Memory.Len() {
		return false
	}
	if t, ok := inst.(PageTracker); ok {
		if pages, ok := t.DirtyPages(); ok {
			// The copies count as writes, so the next message's set
			// includes these pages again; it compares them with the
			// unchanged state and finds no change. That costs less than
			// write-protecting them again here.
			st.Memory.copyPagesTo(mem, pages)
			return st.Globals == nil || t.SetGlobals(st.Globals) == nil
		}
	}
	return inst.Restore(st.Memory, st.Globals) == nil
}

// upgrade runs the IC's upgrade sequence as one transaction:
//
//  1. check the enhanced-orthogonal-persistence rules: an old module with
//     the section needs an explicit wasm_memory_persistence option, and
//     keep needs the new module to have the section too;
//  2. canister_pre_upgrade on the old module over st (unless skipped); its
//     changes to stable memory carry over, its heap changes survive only
//     with keep;
//  3. a fresh instance of the new module; with keep, the old heap is copied
//     in (fresh globals); then its start function and canister_post_upgrade
//     with the argument, sharing one install instruction budget with step 2.
//
// The timer is cleared after pre_upgrade (an upgrade deactivates it;
// post_upgrade may set it again). Any failure returns st unchanged except
// for log records.
func (x *Executor) upgrade(ctx context.Context, st *State, in *Input) (Output, error) {
	if in.Wasm == nil {
		return Output{}, fmt.Errorf("%w: upgrade without a module", ErrInvalidInput)
	}
	if st.Wasm == nil {
		e := x.cubeError(st, CodeCanisterWasmModuleNotFound,
			"Attempted to upgrade the canister, but the canister contains no Wasm module.")
		return x.failed(st, e, nil, 0, true), nil
	}
	old, e := x.prepare(st, st.Wasm)
	if e != nil {
		return x.failed(st, e, nil, 0, true), nil
	}
	nm, e := x.prepare(st, in.Wasm)
	if e != nil {
		return x.failed(st, e, nil, 0, true), nil
	}
	switch {
	case old.eop && in.Persistence == PersistenceUnset:
		e = x.cubeError(st, CodeCanisterContractViolation, "Missing upgrade option: Enhanced orthogonal "+
			"persistence requires the `wasm_memory_persistence` upgrade option.")
	case in.Persistence == PersistenceKeep && !nm.eop:
		e = x.cubeError(st, CodeCanisterContractViolation, "Invalid upgrade option: The `wasm_memory_persistence: "+
			"opt Keep` upgrade option requires that the new canister module supports enhanced orthogonal persistence.")
	}
	if e != nil {
		return x.failed(st, e, nil, 0, true), nil
	}
	limit := x.cfg.MaxInstructionsPerInstall
	budget := limit
	a := x.newAPI(st, in, old, nil)
	mem := st.Memory
	var oldInst Instance
	if !in.SkipPreUpgrade && old.exports["canister_pre_upgrade"] {
		inst, _, err := x.instanceFor(ctx, st, old)
		if err != nil {
			return Output{}, err
		}
		oldInst, a.inst = inst, inst
		e, err := x.run(ctx, a, "canister_pre_upgrade", ctxPreUpgrade, &budget, limit)
		if err == nil && e == nil {
			mem, _ = st.Memory.Update(inst.Memory())
		} else {
			inst.Close()
			if err != nil {
				return Output{}, err
			}
			return x.failed(st, e, a.logs, a.base, true), nil
		}
	} else if l := x.takeLive(st.ID); l != nil {
		oldInst = l.inst
	}
	closeOld := func() {
		if oldInst != nil {
			oldInst.Close()
			oldInst = nil
		}
	}
	a.timer = 0 // an upgrade deactivates the timer
	a.version++ // pre_upgrade saw the old version, post_upgrade sees the new one
	inst, err := nm.compiled.Instantiate(ctx, x.limits(nm))
	if err != nil {
		closeOld()
		return Output{}, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	if in.Persistence == PersistenceKeep {
		if err := inst.Restore(mem, nil); err != nil {
			closeOld()
			inst.Close()
			e := x.cubeError(st, CodeCanisterInvalidWasm, "Canister's Wasm module cannot keep the memory: %v", err)
			return x.failed(st, e, a.logs, a.base, true), nil
		}
	}
	closeOld()
	a.inst, a.memory64 = inst, nm.memory64
	return x.initialize(ctx, st, in, nm, inst, a, "canister_post_upgrade", &budget, limit)
}
