// Package wasm implements execution's [execution.Engine] on wasmtime
// (github.com/bytecodealliance/wasmtime-go/v44). It is the only package of
// BIG that imports wasmtime, and so the only one that needs cgo.
//
// Modules are compiled once and cached by content hash under a
// deterministic configuration (fuel on; threads, relaxed SIMD, tail calls,
// multi-memory and GC off; NaN canonicalization, memory64, table64, bulk
// memory and multi-value on). Every instantiation and call goes through
// wasmtime's async C API, reached by a small cgo shim (shim.c) that
// declares the few C functions it uses itself, so no path into the module
// cache is hard-coded. Each execution yields every
// InstanceLimits.SliceInstructions of fuel, which is where a time-sliced
// execution can be paused and resumed: [Instance.Run] resumes at once,
// while [Instance.Start], [Instance.Resume] (one slice per call, from any
// goroutine) and [Instance.Abort] let a scheduler spread a message over
// rounds or abandon it. System API calls park wasmtime's
// fiber and are served in Go on the goroutine that polls the execution,
// never on the fiber's stack (where the Go runtime cannot run).
//
// Instances track the 4 KiB pages their linear memory has written
// ([Instance.DirtyPages], implementing [execution.PageTracker]) with
// userfaultfd asynchronous write-protection and the PAGEMAP_SCAN ioctl
// (track.c): the kernel marks a page on its first write, with no signal
// or fault handler, and one ioctl per message lists the written pages and
// protects them again. It needs Linux 6.7 or later and a permitted
// userfaultfd syscall ([DirtyTrackingAvailable]); otherwise, or with
// Config.NoDirtyTracking, the executor falls back to comparing pages.
//
// # Usage
//
//	eng, err := wasm.New(wasm.Config{})
//	x, err := execution.New(execution.Config{}, eng)
//	// use x; see package execution.
//
// The Motoko test cubes in testdata/motoko are regenerated with
// `go generate ./execution/wasm` (needs Node and npm; CI uses the committed
// .wasm files).
package wasm

//go:generate sh -c "cd testdata/motoko && npm install --no-audit --no-fund && node gen.js"
