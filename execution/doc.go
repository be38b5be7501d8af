// Package execution runs messages on cubes: it is BigFile's execution
// environment, the counterpart of the Internet Computer's execution layer.
//
// # Role and boundary
//
// execution consumes a cube's [State] and one message ([Input]: an install,
// an upgrade, an update, a query, a system task or an inspect_message call)
// and provides the cube's new State and the message's outputs ([Output]: a
// reply, a reject, or an execution error with an IC-style code such as
// IC0503, the instructions used and the cube's log records). It does no
// consensus, networking, persistence or scheduling: the caller decides
// which message runs when and keeps the States.
//
// The package itself is pure Go: the System API (the ic0 functions with
// their calling-context rules and bounds checks), module validation and
// instrumentation, the instruction and memory limits ([Config]), the cube
// state model and rollback rules. Wasm runs behind the small [Engine]
// interface; execution/wasm implements it on wasmtime, and only that leaf
// package imports wasmtime (cgo).
//
// The heap and stable memory are [Memory] values: immutable page maps of
// 4 KiB pages in a two-level table, shared page by page between versions,
// so a message copies only the pages it changed. An engine instance that
// implements [PageTracker] (execution/wasm does, with the kernel's
// userfaultfd write-protect tracking on Linux 6.7 and later) reports the
// pages a message wrote; committing and rolling back then cost what the
// message touched, not the heap size. Without a tracker the executor
// compares the memory page by page (correct, O(size)). Stable memory is
// copied on write.
//
// # Persistence
//
// Every [Output] lists the heap and stable pages the execution changed
// ([Output].Dirty); [Memory.Page] reads them. A state manager persists
// those pages and the State's other fields, and rebuilds a cube with
// [LoadMemory] or [Memory.Apply]; [State.Hash] is a deterministic digest
// of the whole State for comparing and certifying checkpoints. A cube
// rebuilt this way continues exactly where it was (same replies, same
// hashes); its first message restores the heap into a new instance.
//
// # Cycles
//
// [Config].Costs selects the cost rules ([Costs]: a [SubnetType] and a
// subnet size). Replicated executions pay, in the reverse gas model:
// storage since the last charge ([Executor.ChargeIdle]), the ingress fee
// for ingress updates ([Input].Ingress), and the execution fee of the
// instructions used (the full limit is prepaid and the rest refunded, on
// success and on traps alike). A cube whose balance would fall below its
// freezing limit rejects new calls with IC0207 ([Executor.Frozen]); a cube
// that cannot pay for its storage is uninstalled. Queries are free. The
// zero Costs charges nothing.
//
// The management cube aaaaa-aa (cube creation, install_code, settings,
// start/stop, status, deletion, cycles, raw_rand) lives in
// execution/management, on top of the Executor.
//
// # Calls and time slicing
//
// ic0.call_new … call_perform collect requests (Output.Requests); a
// message that calls out without answering leaves a call context in the
// State (State.CallContexts, State.Callbacks), and each answer runs as a
// KindResponse input through the reply or reject closure the call
// registered, then its cleanup closure if that traps. Under cost rules
// call_perform charges the request's fee (Costs.CallCost) and reserves the
// largest response's plus a callback's execution at the full instruction
// limit (what ic0.cost_call reports); when the response arrives the
// reservation comes back and the response and the callback's actual
// instructions are charged, so responses are never refused, even by a
// frozen cube. Closures are Wasm
// table entries: the instrumenter adds a trampoline export to modules that
// import ic0.call_new, so two extra globals appear in State.Globals.
//
// [Executor.Begin] runs an input with deterministic time slicing: it
// pauses at every slice boundary ([Config.MaxInstructionsPerSlice],
// counted by the engine) until resumed or aborted. The scheduler
// (execution/scheduler) runs rounds on top of both.
//
// # Semantics
//
//   - Every change a message makes (heap, globals, stable memory, certified
//     data, timer, cycles) is kept only if it returns without trapping; a
//     trap restores the State as it was. Log records are kept either way.
//   - Queries (replicated or not) and inspect_message never change the
//     State.
//   - Upgrades run canister_pre_upgrade on the old module, keep stable
//     memory, and start the new module on a fresh heap, or on the old heap
//     with [PersistenceKeep] (Motoko's enhanced orthogonal persistence,
//     which requires the option to be given explicitly).
//   - A module is validated against the IC's limits (functions, globals,
//     exports, custom sections, imports with the right types for its
//     pointer width) and instrumented: its start function becomes the
//     export canister_start, run by the executor, and its mutable globals
//     are exported so they can be saved and restored.
//
// # Usage
//
//	eng, err := wasm.New(wasm.Config{})                  // execution/wasm
//	x, err := execution.New(execution.Config{}, eng)      // BigFile defaults
//	defer x.Close()                                       // releases the live instances
//	st := &execution.State{ID: id, Controllers: ctrls}
//	out, err := x.Execute(ctx, st, execution.Input{Kind: execution.KindInstall, Wasm: wasmBytes, Arg: arg})
//	if out.Err != nil { ... } // the install failed; out.State is the old state
//	st = out.State
//	out, err = x.Execute(ctx, st, execution.Input{Kind: execution.KindUpdate, Method: "inc", Arg: arg, Caller: caller, Time: now})
//	st = out.State // keep it: the next message runs on it
//	// out.Response is the reply or reject for the caller.
//
// Tests that need cubes without Wasm (and without cgo) can use the scripted
// engine in execution/executiontest instead of execution/wasm.
//
// States are immutable values: keep an old one to roll back or checkpoint.
// Executing on the State an execution returned is fastest, because the
// executor keeps that cube's instance alive.
package execution
