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
// The heap and stable memory are [Memory] values: immutable, shared page
// by page between versions, so a message copies only the 4 KiB pages it
// changed (found, for now, by comparing the instance's memory with the
// previous version page by page; stable memory is copied on write).
//
// Later work adds around this: page-level persistence with dirty-page
// tracking (replacing the comparison), the management cube and the cube
// lifecycle,
// cycles accounting, and the scheduler with rounds, deterministic time
// slicing and calls between cubes. Interfaces here are shaped for that: an
// execution already runs through wasmtime's async API and pauses at every
// slice boundary (see [Config.MaxInstructionsPerSlice]).
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
