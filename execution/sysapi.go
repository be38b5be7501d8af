package execution

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/thebigfile/bigfile"
)

// ValueType is a Wasm value type of a System API parameter or result.
type ValueType uint8

// The value types the System API uses.
const (
	I32 ValueType = iota + 1
	I64
)

// Import describes one ic0 function as an [Engine] must define it for a
// module of a given pointer width.
type Import struct {
	Index   int    // the fn argument of [Host.Invoke]
	Name    string // without the "ic0." module prefix
	Params  []ValueType
	Results []ValueType
}

// sysFunc is one entry of the System API table. Signatures are written with
// 'P' for the pointer type I (i32 or i64 by the module's memory), '4' for a
// fixed i32 and '8' for a fixed i64.
type sysFunc struct {
	name     string
	params   string
	results  string
	ctx      ctxSet
	only32   bool // exists only for 32-bit modules
	impl     func(a *api, args []uint64) (uint64, error)
	noBounds bool // debug_print: never traps, even out of bounds
}

var sysFuncs []sysFunc

// sysIndex maps names to indexes in sysFuncs.
var sysIndex = map[string]int{}

func init() {
	var (
		argCtx     = set(ctxInit, ctxUpdate, ctxRQ, ctxNRQ, ctxTQ, ctxCQ, ctxRy, ctxCRy, ctxF)
		callerInfo = set(ctxUpdate, ctxRQ, ctxNRQ, ctxCQ, ctxRy, ctxRt, ctxCRy, ctxCRt, ctxC, ctxCC, ctxF)
		rejectCode = set(ctxRy, ctxRt, ctxCRy, ctxCRt, ctxC)
		rejectMsg  = set(ctxRt, ctxCRt)
		deadline   = set(ctxUpdate, ctxRQ, ctxNRQ, ctxCQ, ctxRy, ctxRt, ctxCRy, ctxCRt)
		respond    = set(ctxUpdate, ctxRQ, ctxNRQ, ctxTQ, ctxCQ, ctxRy, ctxRt, ctxCRy, ctxCRt)
		cyclesMsg  = set(ctxUpdate, ctxRQ, ctxRt, ctxRy)
		refunded   = set(ctxRt, ctxRy)
		burn       = set(ctxInit, ctxPreUpgrade, ctxUpdate, ctxRQ, ctxRy, ctxRt, ctxC, ctxT)
		callCtx    = set(ctxUpdate, ctxCQ, ctxRy, ctxRt, ctxCRy, ctxCRt, ctxT)
		callCycles = set(ctxUpdate, ctxRy, ctxRt, ctxT)
		rootKey    = set(ctxInit, ctxPreUpgrade, ctxUpdate, ctxRQ, ctxRy, ctxRt, ctxC, ctxT)
		certSet    = set(ctxInit, ctxPreUpgrade, ctxUpdate, ctxRy, ctxRt, ctxT)
		certGet    = set(ctxNRQ, ctxCQ)
		timerSet   = set(ctxInit, ctxPreUpgrade, ctxUpdate, ctxRy, ctxRt, ctxC, ctxT)
		inspect    = set(ctxF)
	)
	add := func(name, params, results string, ctx ctxSet, impl func(*api, []uint64) (uint64, error)) *sysFunc {
		sysIndex[name] = len(sysFuncs)
		sysFuncs = append(sysFuncs, sysFunc{name: name, params: params, results: results, ctx: ctx, impl: impl})
		return &sysFuncs[len(sysFuncs)-1]
	}
	// blob defines the <name>_size / <name>_copy pair the spec uses for
	// every blob the cube can read (§1.2): copy traps if either the source
	// range or the destination range is out of bounds.
	blob := func(name string, ctx ctxSet, get func(*api) ([]byte, error)) {
		add(name+"_size", "", "P", ctx, func(a *api, _ []uint64) (uint64, error) {
			b, err := get(a)
			return uint64(len(b)), err
		})
		add(name+"_copy", "PPP", "", ctx, func(a *api, x []uint64) (uint64, error) {
			b, err := get(a)
			if err != nil {
				return 0, err
			}
			return 0, a.copyOut(name+"_copy", x[0], x[1], x[2], b)
		})
	}
	// notImpl defines a function that links but traps when called (after
	// the context check, so misuse is still reported as such).
	notImpl := func(name, params, results string, ctx ctxSet) *sysFunc {
		return add(name, params, results, ctx, func(*api, []uint64) (uint64, error) {
			return 0, violation("ic0.%s not implemented", name)
		})
	}

	blob("msg_arg_data", argCtx, func(a *api) ([]byte, error) { return a.in.Arg, nil })
	blob("msg_caller", anyCtx, func(a *api) ([]byte, error) { return a.caller, nil })
	blob("msg_caller_info_data", callerInfo, func(*api) ([]byte, error) { return nil, nil })
	blob("msg_caller_info_signer", callerInfo, func(*api) ([]byte, error) { return nil, nil })
	add("msg_reject_code", "", "4", rejectCode, func(a *api, _ []uint64) (uint64, error) { return uint64(a.rejectCode), nil })
	blob("msg_reject_msg", rejectMsg, func(a *api) ([]byte, error) { return []byte(a.rejectMsg), nil })
	add("msg_deadline", "", "8", deadline, func(a *api, _ []uint64) (uint64, error) { return uint64(a.origin.Deadline), nil })
	add("msg_reply_data_append", "PP", "", respond, (*api).replyDataAppend)
	add("msg_reply", "", "", respond, (*api).reply)
	add("msg_reject", "PP", "", respond, (*api).reject)
	// Cycles: the balance is State.Cycles and the attached amount is
	// Input.Cycles; fees, freezing thresholds and reservations arrive with
	// cycles accounting, so the liquid balance equals the balance here.
	add("msg_cycles_available128", "P", "", cyclesMsg, func(a *api, x []uint64) (uint64, error) {
		return 0, a.writeCycles("msg_cycles_available128", x[0], a.available())
	})
	add("msg_cycles_refunded128", "P", "", refunded, func(a *api, x []uint64) (uint64, error) {
		return 0, a.writeCycles("msg_cycles_refunded128", x[0], a.refunded)
	})
	add("msg_cycles_accept128", "88P", "", cyclesMsg, func(a *api, x []uint64) (uint64, error) {
		got := a.accept(bigfile.Cycles{Hi: x[0], Lo: x[1]})
		return 0, a.writeCycles("msg_cycles_accept128", x[2], got)
	})
	add("cycles_burn128", "88P", "", burn, func(a *api, x []uint64) (uint64, error) {
		amt := minCycles(bigfile.Cycles{Hi: x[0], Lo: x[1]}, a.balance)
		if err := a.writeCycles("cycles_burn128", x[2], amt); err != nil {
			return 0, err
		}
		a.balance = a.balance.Sub(amt)
		return 0, nil
	})
	blob("canister_self", anyCtx, func(a *api) ([]byte, error) { return a.self, nil })
	add("canister_cycle_balance128", "P", "", anyCtx, func(a *api, x []uint64) (uint64, error) {
		return 0, a.writeCycles("canister_cycle_balance128", x[0], a.balance)
	})
	add("canister_liquid_cycle_balance128", "P", "", anyCtx, func(a *api, x []uint64) (uint64, error) {
		return 0, a.writeCycles("canister_liquid_cycle_balance128", x[0], a.balance)
	})
	add("canister_status", "", "4", anyCtx, func(a *api, _ []uint64) (uint64, error) {
		if a.st.Status == 0 {
			return uint64(Running), nil
		}
		return uint64(a.st.Status), nil
	})
	add("canister_version", "", "8", anyCtx, func(a *api, _ []uint64) (uint64, error) { return a.version, nil })
	blob("subnet_self", anyCtx, func(a *api) ([]byte, error) { return a.x.cfg.Subnet.Bytes(), nil })
	blob("msg_method_name", inspect, func(a *api) ([]byte, error) { return []byte(a.in.Method), nil })
	add("accept_message", "", "", inspect, func(a *api, _ []uint64) (uint64, error) {
		if a.accepted {
			return 0, violation("ic0.accept_message: the message was already accepted")
		}
		a.accepted = true
		return 0, nil
	})
	// Calls between cubes (calls.go).
	add("call_new", "PPPPPPPP", "", callCtx, (*api).callNew)
	add("call_on_cleanup", "PP", "", callCtx, (*api).callOnCleanup)
	add("call_data_append", "PP", "", callCtx, (*api).callDataAppend)
	add("call_with_best_effort_response", "4", "", callCtx, (*api).callBestEffort)
	add("call_cycles_add128", "88", "", callCycles, func(a *api, x []uint64) (uint64, error) {
		return a.callCyclesAdd("call_cycles_add128", bigfile.Cycles{Hi: x[0], Lo: x[1]})
	})
	add("call_perform", "", "4", callCtx, (*api).callPerform)
	// Stable memory is copied on write page by page (memWriter), so a
	// message pays for what it touches and a trap simply drops the copy.
	add("stable64_size", "", "8", anyCtxS, func(a *api, _ []uint64) (uint64, error) {
		return a.stable.len() / wasmPage, nil
	})
	add("stable64_grow", "8", "8", anyCtxS, func(a *api, x []uint64) (uint64, error) { return a.stableGrow(x[0], false), nil })
	add("stable64_write", "888", "", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		return 0, a.stableWrite("stable64_write", x[0], x[1], x[2])
	})
	add("stable64_read", "888", "", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		return 0, a.stableRead("stable64_read", x[0], x[1], x[2])
	})
	blob("root_key", rootKey, func(a *api) ([]byte, error) { return a.x.cfg.RootKey, nil })
	add("certified_data_set", "PP", "", certSet, func(a *api, x []uint64) (uint64, error) {
		b, err := a.read("certified_data_set", x[0], x[1])
		if err != nil {
			return 0, err
		}
		if len(b) > 32 {
			return 0, violation("ic0.certified_data_set: certified data of %d bytes exceeds 32 bytes", len(b))
		}
		a.certified = bytes.Clone(b)
		return 0, nil
	})
	add("data_certificate_present", "", "4", anyCtx, func(a *api, _ []uint64) (uint64, error) {
		if a.ctx == ctxNRQ && a.in.DataCertificate != nil {
			return 1, nil
		}
		return 0, nil
	})
	blob("data_certificate", certGet, func(a *api) ([]byte, error) {
		if a.in.DataCertificate == nil {
			return nil, violation("ic0.data_certificate: no certificate is available")
		}
		return a.in.DataCertificate, nil
	})
	add("time", "", "8", anyCtx, func(a *api, _ []uint64) (uint64, error) { return uint64(a.in.Time), nil })
	add("global_timer_set", "8", "8", timerSet, func(a *api, x []uint64) (uint64, error) {
		prev := a.timer
		a.timer = bigfile.Time(x[0])
		return uint64(prev), nil
	})
	// performance_counter counts wasmtime fuel since the message began
	// (over every entry point of an install or upgrade): deterministic, but
	// not the IC's instruction weights (system-api.md §3.1).
	add("performance_counter", "4", "8", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		switch uint32(x[0]) {
		case 0, 1:
			return a.base + a.inst.Instructions(), nil
		}
		return 0, violation("ic0.performance_counter: unknown counter type %d", uint32(x[0]))
	})
	add("is_controller", "PP", "4", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		b, err := a.read("is_controller", x[0], x[1])
		if err != nil {
			return 0, err
		}
		p, err := bigfile.PrincipalFromBytes(b)
		if err != nil {
			return 0, violation("ic0.is_controller: %d bytes are not a valid principal", len(b))
		}
		if slices.Contains(a.st.Controllers, p) {
			return 1, nil
		}
		return 0, nil
	})
	add("in_replicated_execution", "", "4", anyCtxS, func(a *api, _ []uint64) (uint64, error) {
		if a.ctx == ctxNRQ || a.ctx == ctxF || a.ctx == ctxCQ || a.ctx == ctxCRy || a.ctx == ctxCRt || a.ctx == ctxCC {
			return 0, nil
		}
		return 1, nil
	})
	// Fees arrive with cycles accounting (the sibling issue).
	add("cost_call", "88P", "", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		n := x[0] + x[1]
		if n < x[0] || n > 1<<40 {
			n = 1 << 40 // far beyond any payload limit; keeps the int conversion safe
		}
		fee, reserve := a.callFees(int(n))
		return 0, a.writeCycles("cost_call", x[2], fee.Add(reserve))
	})
	notImpl("cost_create_canister", "P", "", anyCtxS)
	notImpl("cost_http_request", "88P", "", anyCtxS)
	notImpl("cost_sign_with_ecdsa", "PP4P", "4", anyCtxS)
	notImpl("cost_sign_with_schnorr", "PP4P", "4", anyCtxS)
	notImpl("cost_vetkd_derive_key", "PP4P", "4", anyCtxS)
	add("env_var_count", "", "P", anyCtx, func(a *api, _ []uint64) (uint64, error) { return uint64(len(a.st.EnvVars)), nil })
	add("env_var_name_size", "P", "P", anyCtx, func(a *api, x []uint64) (uint64, error) {
		v, err := a.envByIndex("env_var_name_size", x[0])
		return uint64(len(v.Name)), err
	})
	add("env_var_name_copy", "PPPP", "", anyCtx, func(a *api, x []uint64) (uint64, error) {
		v, err := a.envByIndex("env_var_name_copy", x[0])
		if err != nil {
			return 0, err
		}
		return 0, a.copyOut("env_var_name_copy", x[1], x[2], x[3], []byte(v.Name))
	})
	add("env_var_name_exists", "PP", "4", anyCtx, func(a *api, x []uint64) (uint64, error) {
		_, ok, err := a.envByName("env_var_name_exists", x[0], x[1])
		if ok {
			return 1, err
		}
		return 0, err
	})
	add("env_var_value_size", "PP", "P", anyCtx, func(a *api, x []uint64) (uint64, error) {
		v, ok, err := a.envByName("env_var_value_size", x[0], x[1])
		if err == nil && !ok {
			err = violation("ic0.env_var_value_size: no such environment variable")
		}
		return uint64(len(v.Value)), err
	})
	add("env_var_value_copy", "PPPPP", "", anyCtx, func(a *api, x []uint64) (uint64, error) {
		v, ok, err := a.envByName("env_var_value_copy", x[0], x[1])
		if err == nil && !ok {
			err = violation("ic0.env_var_value_copy: no such environment variable")
		}
		if err != nil {
			return 0, err
		}
		return 0, a.copyOut("env_var_value_copy", x[2], x[3], x[4], []byte(v.Value))
	})
	// debug_print and trap write to the cube log, which is kept even when
	// the message traps so developers can see why.
	add("debug_print", "PP", "", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		b, err := a.read("debug_print", x[0], x[1])
		if err != nil {
			b = []byte("(debug_print out of bounds)")
		}
		a.log(bytes.Clone(b))
		return 0, nil
	}).noBounds = true
	add("trap", "PP", "", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		b, err := a.read("trap", x[0], x[1])
		if err != nil {
			return 0, err
		}
		msg := string(bytes.ToValidUTF8(b, nil))
		a.log([]byte("[TRAP]: " + msg))
		return 0, &hostTrap{code: CodeCanisterCalledTrap, msg: "Canister called `ic0.trap` with message: '" + msg + "'"}
	})

	// The 32-bit-only functions.
	only32 := func(f *sysFunc) { f.only32 = true }
	only32(add("msg_cycles_available", "", "8", cyclesMsg, func(a *api, _ []uint64) (uint64, error) {
		return fitCycles("msg_cycles_available", a.available())
	}))
	only32(add("msg_cycles_refunded", "", "8", refunded, func(a *api, _ []uint64) (uint64, error) {
		return fitCycles("msg_cycles_refunded", a.refunded)
	}))
	only32(add("msg_cycles_accept", "8", "8", cyclesMsg, func(a *api, x []uint64) (uint64, error) {
		return a.accept(bigfile.CyclesFromUint64(x[0])).Lo, nil
	}))
	only32(add("canister_cycle_balance", "", "8", anyCtx, func(a *api, _ []uint64) (uint64, error) {
		return fitCycles("canister_cycle_balance", a.balance)
	}))
	only32(add("call_cycles_add", "8", "", callCycles, func(a *api, x []uint64) (uint64, error) {
		return a.callCyclesAdd("call_cycles_add", bigfile.CyclesFromUint64(x[0]))
	}))
	only32(add("stable_size", "", "4", anyCtxS, func(a *api, _ []uint64) (uint64, error) {
		if err := a.stable32(); err != nil {
			return 0, err
		}
		return a.stable.len() / wasmPage, nil
	}))
	only32(add("stable_grow", "4", "4", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		if err := a.stable32(); err != nil {
			return 0, err
		}
		return uint64(uint32(a.stableGrow(uint64(uint32(x[0])), true))), nil
	}))
	only32(add("stable_write", "444", "", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		if err := a.stable32(); err != nil {
			return 0, err
		}
		return 0, a.stableWrite("stable_write", uint64(uint32(x[0])), uint64(uint32(x[1])), uint64(uint32(x[2])))
	}))
	only32(add("stable_read", "444", "", anyCtxS, func(a *api, x []uint64) (uint64, error) {
		if err := a.stable32(); err != nil {
			return 0, err
		}
		return 0, a.stableRead("stable_read", uint64(uint32(x[0])), uint64(uint32(x[1])), uint64(uint32(x[2])))
	}))
	imports32, imports64 = buildImports(false), buildImports(true)
}

// Imports returns every System API function for a module whose memory is
// 64-bit (memory64) or 32-bit (or absent). An Engine defines all of them.
// The caller must not modify the result.
func Imports(memory64 bool) []Import {
	if memory64 {
		return imports64
	}
	return imports32
}

var imports32, imports64 []Import

// buildImports lists the functions a module of the given width may import,
// keeping each one's table index so a Host can dispatch on it.
func buildImports(memory64 bool) []Import {
	var out []Import
	for i, f := range sysFuncs {
		if f.only32 && memory64 {
			continue
		}
		out = append(out, Import{Index: i, Name: f.name, Params: sigTypes(f.params, memory64),
			Results: sigTypes(f.results, memory64)})
	}
	return out
}

// sigTypes expands a signature string ('P', '4', '8') for a pointer width.
func sigTypes(sig string, memory64 bool) []ValueType {
	out := make([]ValueType, 0, len(sig))
	for _, c := range sig {
		switch {
		case c == '4' || c == 'P' && !memory64:
			out = append(out, I32)
		default:
			out = append(out, I64)
		}
	}
	return out
}

// api is the host side of one message execution: the System API state of
// sysapi §1.5, over the entry points the message runs.
type api struct {
	x    *Executor
	st   *State // the state before the message; read-only
	in   *Input
	inst Instance
	ctx  callContext
	mem  []byte // the memory of the current host call
	base uint64 // instructions consumed by earlier entry points of this message

	self, caller []byte

	// Response state. needsResponse: the entry point answers a call.
	needsResponse bool
	responded     bool
	replyBuf      []byte
	response      Response
	maxResponse   uint64

	stable      *memWriter
	certified   []byte
	timer       bigfile.Time
	balance     bigfile.Cycles
	accepted    bool   // inspect_message: accept_message was called
	version     uint64 // ic0.canister_version: the old value until a code change commits
	memory64    bool   // the running module's memory is 64-bit (its instructions cost more)
	cyclesIn    bigfile.Cycles
	cyclesTaken bigfile.Cycles
	logs        []LogRecord

	// Calls (calls.go): the call being built, the calls performed with
	// their callbacks, the call context this execution runs in and its
	// origin, and for callbacks the answer's refund and reject.
	pending      *pendingCall
	requests     []bigfile.Request
	callbacks    []Callback
	nextCallback bigfile.CallbackID
	ctxID        uint64
	origin       Origin
	refunded     bigfile.Cycles
	rejectCode   bigfile.RejectCode
	rejectMsg    string
}

// Invoke implements [Host]. It first enforces the calling-context rules
// (system-api.md §1.1), trapping with the IC's wording, then runs the
// function over mem, which is valid only during this call.
func (a *api) Invoke(fn int, mem []byte, args []uint64) (uint64, error) {
	if fn < 0 || fn >= len(sysFuncs) {
		return 0, violation("unknown System API function %d", fn)
	}
	f := &sysFuncs[fn]
	if !f.ctx.has(a.ctx) {
		return 0, violation("\"ic0_%s\" cannot be executed in %s mode", f.name, a.ctx)
	}
	a.mem = mem
	r, err := f.impl(a, args)
	a.mem = nil
	return r, err
}

// sum returns x+y and whether it did not overflow.
func sum(x, y uint64) (uint64, bool) {
	s, c := bits.Add64(x, y, 0)
	return s, c == 0
}

// copyOut copies src[off:off+size] to memory at dst, trapping with the IC's
// wording if either range is out of bounds.
func (a *api) copyOut(name string, dst, off, size uint64, src []byte) error {
	if end, ok := sum(off, size); !ok || end > uint64(len(src)) {
		return violation("ic0.%s: src=%d + length=%d exceeds the slice size=%d", name, off, size, len(src))
	}
	if end, ok := sum(dst, size); !ok || end > uint64(len(a.mem)) {
		return violation("ic0.%s: dst=%d + length=%d exceeds the Wasm memory size=%d", name, dst, size, len(a.mem))
	}
	copy(a.mem[dst:dst+size], src[off:off+size])
	return nil
}

// read returns memory[src:src+size], aliasing memory: valid only during the
// host call.
func (a *api) read(name string, src, size uint64) ([]byte, error) {
	if end, ok := sum(src, size); !ok || end > uint64(len(a.mem)) {
		return nil, violation("ic0.%s: src=%d + length=%d exceeds the Wasm memory size=%d", name, src, size, len(a.mem))
	}
	return a.mem[src : src+size], nil
}

// writeCycles writes a 128-bit amount at dst as 16 little-endian bytes.
func (a *api) writeCycles(name string, dst uint64, c bigfile.Cycles) error {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], c.Lo)
	binary.LittleEndian.PutUint64(b[8:], c.Hi)
	return a.copyOut(name, dst, 0, 16, b[:])
}

// fitCycles narrows an amount for the 64-bit cycles API, trapping if it
// does not fit, as the spec requires.
func fitCycles(name string, c bigfile.Cycles) (uint64, error) {
	if c.Hi != 0 {
		return 0, violation("ic0.%s: the amount %s does not fit in 64 bits", name, c)
	}
	return c.Lo, nil
}

func minCycles(x, y bigfile.Cycles) bigfile.Cycles {
	if x.Cmp(y) < 0 {
		return x
	}
	return y
}

// available returns the attached cycles not yet accepted; none once the
// call is answered.
func (a *api) available() bigfile.Cycles {
	if a.responded {
		return bigfile.Cycles{}
	}
	return a.cyclesIn.Sub(a.cyclesTaken)
}

// accept moves up to max of the available cycles into the balance.
func (a *api) accept(max bigfile.Cycles) bigfile.Cycles {
	got := minCycles(max, a.available())
	a.cyclesTaken = a.cyclesTaken.Add(got)
	a.balance = a.balance.Add(got)
	return got
}

// checkRespond traps unless the call still needs an answer: replying twice,
// or replying where nobody waits, is a contract violation.
func (a *api) checkRespond(name string) error {
	if !a.needsResponse {
		return violation("ic0.%s: this call does not need a response", name)
	}
	if a.responded {
		return violation("ic0.%s: the call was already replied to or rejected", name)
	}
	return nil
}

// replyDataAppend adds to the reply buffer, bounded by the maximum response
// size of the execution mode.
func (a *api) replyDataAppend(x []uint64) (uint64, error) {
	if err := a.checkRespond("msg_reply_data_append"); err != nil {
		return 0, err
	}
	b, err := a.read("msg_reply_data_append", x[0], x[1])
	if err != nil {
		return 0, err
	}
	if uint64(len(a.replyBuf))+uint64(len(b)) > a.maxResponse {
		return 0, violation("ic0.msg_reply_data_append: the reply would exceed %d bytes", a.maxResponse)
	}
	a.replyBuf = append(a.replyBuf, b...)
	return 0, nil
}

// reply answers with the buffer. The answer is final only if the execution
// returns without trapping; the executor drops it otherwise.
func (a *api) reply([]uint64) (uint64, error) {
	if err := a.checkRespond("msg_reply"); err != nil {
		return 0, err
	}
	a.responded = true
	data := a.replyBuf
	if data == nil {
		data = []byte{}
	}
	a.response = Response{Kind: Replied, Data: data}
	a.replyBuf = nil
	return 0, nil
}

// reject answers with CANISTER_REJECT and a UTF-8 message; reply data
// appended so far is dropped.
func (a *api) reject(x []uint64) (uint64, error) {
	if err := a.checkRespond("msg_reject"); err != nil {
		return 0, err
	}
	b, err := a.read("msg_reject", x[0], x[1])
	if err != nil {
		return 0, err
	}
	if !utf8.Valid(b) {
		return 0, violation("ic0.msg_reject: the message is not valid UTF-8")
	}
	a.responded = true
	a.response = Response{Kind: Rejected, Code: bigfile.RejectCanisterReject, Message: string(b)}
	a.replyBuf = nil
	return 0, nil
}

// stable32 guards the deprecated 32-bit stable API, which cannot address
// stable memory past 4 GiB.
func (a *api) stable32() error {
	if a.stable.len() > 4*gib {
		return violation("ic0.stable: the 32-bit stable memory API cannot be used past 4 GiB")
	}
	return nil
}

// stableGrow grows stable memory by n pages and returns the old size in
// pages, or -1 (all ones) past the limit.
func (a *api) stableGrow(n uint64, api32 bool) uint64 {
	old := a.stable.len() / wasmPage
	limit := a.x.cfg.MaxStableMemory / wasmPage
	if api32 && limit > 65536 {
		limit = 65536
	}
	if n > limit || old+n > limit {
		return ^uint64(0)
	}
	if n == 0 {
		return old
	}
	a.stable.grow(n * wasmPage)
	return old
}

// stableWrite copies memory[src:src+size] to stable memory at off.
func (a *api) stableWrite(name string, off, src, size uint64) error {
	b, err := a.read(name, src, size)
	if err != nil {
		return err
	}
	if end, ok := sum(off, size); !ok || end > a.stable.len() {
		return violation("ic0.%s: offset=%d + length=%d exceeds the stable memory size=%d", name, off, size, a.stable.len())
	}
	a.stable.write(off, b)
	return nil
}

// stableRead copies stable memory [off, off+size) to memory at dst.
func (a *api) stableRead(name string, dst, off, size uint64) error {
	if end, ok := sum(off, size); !ok || end > a.stable.len() {
		return violation("ic0.%s: offset=%d + length=%d exceeds the stable memory size=%d", name, off, size, a.stable.len())
	}
	if end, ok := sum(dst, size); !ok || end > uint64(len(a.mem)) {
		return violation("ic0.%s: dst=%d + length=%d exceeds the Wasm memory size=%d", name, dst, size, len(a.mem))
	}
	a.stable.read(a.mem[dst:dst+size], off)
	return nil
}

// envByIndex returns environment variable i (sorted by name), trapping if
// out of range.
func (a *api) envByIndex(name string, i uint64) (EnvVar, error) {
	if i >= uint64(len(a.st.EnvVars)) {
		return EnvVar{}, violation("ic0.%s: index %d out of range", name, i)
	}
	return a.st.EnvVars[i], nil
}

// envByName looks up the variable whose UTF-8 name is in memory.
func (a *api) envByName(fn string, src, size uint64) (EnvVar, bool, error) {
	b, err := a.read(fn, src, size)
	if err != nil {
		return EnvVar{}, false, err
	}
	if !utf8.Valid(b) {
		return EnvVar{}, false, violation("ic0.%s: the name is not valid UTF-8", fn)
	}
	for _, v := range a.st.EnvVars {
		if v.Name == string(b) {
			return v, true, nil
		}
	}
	return EnvVar{}, false, nil
}

// log records b for the cube log; b must not alias Wasm memory.
func (a *api) log(b []byte) {
	a.logs = append(a.logs, LogRecord{Time: a.in.Time, Content: b})
}

// String describes a System API function for diagnostics.
func (f *sysFunc) String() string {
	return fmt.Sprintf("ic0.%s(%s)->(%s)", f.name, f.params, f.results)
}
