package execution

import (
	"context"
	"slices"

	"github.com/thebigfile/bigfile"
)

// This file applies Config.Costs to executions (the reverse gas model,
// system-api.md §4): before a replicated execution the cube pays for its
// storage up to the message's time and prepays the ingress fee and the
// execution fee of the kind's full instruction limit; afterwards the
// unused part is refunded, whether the execution succeeded or trapped.
// A cube that cannot prepay while keeping its freezing limit is frozen:
// the message is rejected with IC0207 and nothing runs.

// paid reports whether an input kind is charged: replicated executions
// are, queries and inspect_message are free.
func paid(k Kind) bool {
	return k != KindQuery && k != KindInspectMessage
}

// instructionLimit returns the limit a kind runs under.
func (x *Executor) instructionLimit(k Kind) uint64 {
	switch k {
	case KindInstall, KindReinstall, KindUpgrade:
		return x.cfg.MaxInstructionsPerInstall
	}
	return x.cfg.MaxInstructionsPerMessage
}

// ChargeIdle charges st for holding its memory (the larger of its usage
// and its memory allocation) and its compute allocation from
// st.StorageChargedUntil to now, and returns the new State and the amount.
// The first charge only starts the clock. A cube that cannot pay loses
// its code and memories as on the IC (uninstalled, balance zero); its id,
// controllers and settings remain. st itself is returned when nothing
// changes. The scheduler calls it periodically; the executor calls it
// before each replicated execution.
func (x *Executor) ChargeIdle(st *State, now bigfile.Time) (*State, bigfile.Cycles) {
	c := x.cfg.Costs
	if !c.Charging() || now <= st.StorageChargedUntil {
		return st, bigfile.Cycles{}
	}
	ns := st.clone()
	ns.StorageChargedUntil = now
	if st.StorageChargedUntil == 0 {
		x.repoint(st, ns)
		return ns, bigfile.Cycles{}
	}
	d := now.Sub(st.StorageChargedUntil)
	fee := c.StorageCost(max(st.MemoryUsage(), st.MemoryAllocation), d)
	if st.ComputeAllocation > 0 {
		fee = fee.Add(c.scale(bi(st.ComputeAllocation * FeeComputePercentSecond)).MulUint64(uint64(d.Seconds())))
	}
	if st.Cycles.Cmp(fee) < 0 {
		// Out of cycles: the IC uninstalls the cube.
		x.Forget(st.ID)
		paidAll := st.Cycles
		ns.Cycles = bigfile.Cycles{}
		ns.Wasm, ns.Memory, ns.Globals, ns.Stable = nil, Memory{}, nil, Memory{}
		ns.CertifiedData, ns.GlobalTimer, ns.Log = nil, 0, Log{NextIndex: st.Log.NextIndex}
		ns.Version++
		return ns, paidAll
	}
	ns.Cycles = st.Cycles.Sub(fee)
	x.repoint(st, ns)
	return ns, fee
}

// repoint moves the live instance holding old to nu, which has the same
// memory and globals (only accounting fields differ), so the next message
// on nu still finds its instance.
func (x *Executor) repoint(old, nu *State) {
	x.mu.Lock()
	if l := x.live[old.ID]; l != nil && l.state == old {
		l.state = nu
	}
	x.mu.Unlock()
}

// Frozen reports whether st is below its freezing limit under the
// executor's cost rules, and the limit.
func (x *Executor) Frozen(st *State) (bool, bigfile.Cycles) {
	if !x.cfg.Costs.Charging() {
		return false, bigfile.Cycles{}
	}
	lim := x.cfg.Costs.FreezingLimit(st)
	return st.Cycles.Cmp(lim) < 0, lim
}

// outOfCycles is the IC's rejection of a message a cube cannot pay for.
func (x *Executor) outOfCycles(st *State, need bigfile.Cycles) *Error {
	return &Error{Code: CodeCanisterOutOfCycles, Cube: st.ID, Message: "Canister " + st.ID.String() +
		" is out of cycles: please top up the canister with at least " + need.Sub(st.Cycles).String() +
		" additional cycles"}
}

// charged runs exec under the cost rules: idle charge, freezing check,
// prepayment, execution, refund.
func (x *Executor) charged(ctx context.Context, st *State, in *Input,
	exec func(context.Context, *State, *Input) (Output, error)) (Output, error) {
	c := x.cfg.Costs
	if !c.Charging() || !paid(in.Kind) {
		return exec(ctx, st, in)
	}
	st, total := x.ChargeIdle(st, in.Time)
	var ingress bigfile.Cycles
	if in.Kind == KindUpdate && in.Ingress {
		ingress = c.IngressCost(len(in.Method) + len(in.Arg))
	}
	wasm64 := x.memory64(st, in)
	prepay := c.ExecutionCost(x.instructionLimit(in.Kind), wasm64)
	need := c.FreezingLimit(st).Add(ingress).Add(prepay)
	if st.Cycles.Cmp(need) < 0 {
		e := x.outOfCycles(st, need)
		out := Output{State: st, Err: e, Charged: total}
		if in.Kind != KindHeartbeat && in.Kind != KindGlobalTimer { // system tasks have no caller
			out.Response = Response{Kind: Rejected, Code: e.Code.RejectCode(), Message: e.RejectMessage(), ErrorCode: e.Code}
		}
		return out, nil
	}
	pre := st.clone()
	pre.Cycles = st.Cycles.Sub(ingress).Sub(prepay)
	x.repoint(st, pre)
	out, err := exec(ctx, pre, in)
	if err != nil {
		return out, err
	}
	// An input that ran no code (no heartbeat export, no such method) pays
	// no execution fee.
	var fee bigfile.Cycles
	if out.Instructions > 0 {
		fee = c.ExecutionCost(out.Instructions, wasm64)
	}
	ns := out.State.clone()
	ns.Cycles = out.State.Cycles.Add(prepay.Sub(fee))
	x.repoint(out.State, ns)
	out.State = ns
	out.Charged = total.Add(ingress).Add(fee)
	return out, nil
}

// memory64 reports whether the code that will run for in is a 64-bit
// module (its instructions cost more). It prepares the module (cached).
func (x *Executor) memory64(st *State, in *Input) bool {
	w := st.Wasm
	if in.Kind == KindInstall || in.Kind == KindReinstall || in.Kind == KindUpgrade {
		w = in.Wasm
	}
	if w == nil {
		return false
	}
	if m := x.liveModule(st); m != nil && in.Kind != KindInstall && in.Kind != KindReinstall && in.Kind != KindUpgrade {
		return m.memory64
	}
	m, e := x.prepare(st, w)
	return e == nil && m.memory64
}

// Carry tells the executor that nu is old with only accounting, settings
// or status changed (same module, memories and globals), so that the
// instance kept for old serves nu without a restore. It does nothing if
// nu's code or memories are not old's very values.
func (x *Executor) Carry(old, nu *State) {
	if old == nil || nu == nil || old.ID != nu.ID || !old.Memory.same(nu.Memory) ||
		!old.Stable.same(nu.Stable) || !slices.Equal(old.Globals, nu.Globals) ||
		len(old.Wasm) != len(nu.Wasm) || (len(old.Wasm) > 0 && &old.Wasm[0] != &nu.Wasm[0]) {
		return
	}
	x.repoint(old, nu)
}
