package execution

import "context"

// Engine compiles cube modules. The executor hands it modules it has
// validated and instrumented (start function exported as canister_start,
// mutable globals as __bf_global_<i>, memory as __bf_memory). The
// implementation in execution/wasm runs them on wasmtime.
//
// Implementations must be safe for concurrent use; they should cache
// compiled modules by content.
type Engine interface {
	Compile(wasm []byte) (Module, error)
}

// Module is a compiled module.
type Module interface {
	// Instantiate creates an instance with its own store. Active data
	// segments are applied; the start function is not run.
	Instantiate(ctx context.Context, lim InstanceLimits) (Instance, error)
}

// InstanceLimits bound one instance.
type InstanceLimits struct {
	// MaxMemoryBytes caps the linear memory: memory.grow past it returns -1.
	MaxMemoryBytes uint64
	// SliceInstructions is the time-slicing interval (fuel yield interval).
	SliceInstructions uint64
}

// Instance is a live module instance. It is not safe for concurrent use:
// one message runs at a time.
type Instance interface {
	// Run calls the exported function () -> () with an instruction budget.
	// Calls to ic0 imports are served by host.Invoke on the calling
	// goroutine. Run returns nil on a normal return, a *[Trap] if Wasm
	// trapped (TrapOutOfInstructions when the budget ran out), or the error
	// host.Invoke returned, which aborts the execution.
	Run(ctx context.Context, export string, host Host, budget uint64) error
	// Instructions returns the instructions consumed by the current or last
	// Run; valid while a host call is served.
	Instructions() uint64
	// Memory returns the linear memory; the slice is valid until the next
	// Run or Restore. Nil if the module has no memory.
	Memory() []byte
	// Globals returns the mutable globals' bits in index order.
	Globals() []uint64
	// Restore sets the memory's contents (growing it if needed) and, if
	// globals is not nil, the mutable globals. It fails if the memory is
	// already larger than memory.Len(), because Wasm memories cannot shrink.
	Restore(memory Memory, globals []uint64) error
	// Close releases the instance.
	Close()
}

// Host serves System API calls for an [Instance].
type Host interface {
	// Invoke runs System API function fn (an index into [Imports]) with its
	// arguments widened to uint64, over the caller's linear memory mem (valid
	// only during the call). It returns the single result (ignored for
	// functions without one) or an error that makes the message trap.
	Invoke(fn int, mem []byte, args []uint64) (uint64, error)
}

// PageTracker is implemented by an [Instance] that knows which PageSize
// pages of its linear memory were written (the wasmtime engine does, with
// the kernel's write-protect tracking). The executor then derives a new
// State and rolls back a trap at a cost that follows the written pages,
// not the memory size; without it, it compares the memory page by page.
type PageTracker interface {
	// DirtyPages returns the indexes of the pages written since the
	// instance was created or restored or since the last call, in
	// increasing order, and starts a new, empty set. It may report pages
	// whose contents did not change, never omit a written one. ok is false
	// when the set is unknown: the caller must compare.
	DirtyPages() (pages []int, ok bool)
	// SetGlobals sets the mutable globals (as Restore does) without
	// touching the memory.
	SetGlobals(globals []uint64) error
}
