package wasm

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/thebigfile/bigfile/execution"
)

// Names the executor's instrumentation adds to every module.
const (
	memoryExport = "__bf_memory"
	globalPrefix = "__bf_global_"
)

// ErrEngine is wrapped by errors of the wasmtime engine that are not the
// cube's fault (store or instance creation failed).
var ErrEngine = errors.New("wasm: engine failure")

// Config configures the wasmtime engine. The zero value is valid.
type Config struct {
	// MaxWasmStack is the Wasm stack limit in bytes; deeper recursion traps
	// with a stack overflow. Default 1 MiB. Stack depth depends on compiled
	// frame sizes, so it is deterministic only for a pinned wasmtime version.
	MaxWasmStack uint64
	// MaxCachedModules bounds the compiled-module cache (least recently
	// compiled modules are evicted first). Default 256.
	MaxCachedModules int
	// NoDirtyTracking turns the kernel dirty-page tracker off, so that the
	// executor compares memories page by page (the fallback used on
	// kernels older than 6.7). For tests and measurements.
	NoDirtyTracking bool
}

// Engine compiles and instantiates modules on wasmtime with a deterministic
// configuration: fuel metering on, threads and relaxed SIMD off, NaN
// canonicalization on, memory64 (and so table64), bulk memory, multi-value,
// reference types and SIMD on, tail calls, multi-memory, GC, function
// references and wide arithmetic off. Every execution runs through
// wasmtime's async API so that it can pause at fuel yields; System API
// calls are served in Go on the goroutine that drives the execution.
//
// An Engine is safe for concurrent use. It implements [execution.Engine].
type Engine struct {
	cfg      Config
	engine   *wasmtime.Engine
	linker32 *wasmtime.Linker
	linker64 *wasmtime.Linker

	mu    sync.Mutex
	cache map[[32]byte]*Module
	order [][32]byte
}

// ErrInvalidConfig is wrapped by the errors [Config.Validate] returns.
var ErrInvalidConfig = errors.New("wasm: invalid config")

// Validate reports an error wrapping [ErrInvalidConfig] for a stack limit
// outside [64 KiB, 64 MiB] (zero means the default) or a negative cache size.
func (c Config) Validate() error {
	if c.MaxWasmStack != 0 && (c.MaxWasmStack < 64<<10 || c.MaxWasmStack > 64<<20) {
		return fmt.Errorf("%w: MaxWasmStack %d outside [64 KiB, 64 MiB]", ErrInvalidConfig, c.MaxWasmStack)
	}
	if c.MaxCachedModules < 0 {
		return fmt.Errorf("%w: negative MaxCachedModules", ErrInvalidConfig)
	}
	return nil
}

// New returns an Engine, or an error wrapping [ErrInvalidConfig] or
// [ErrEngine].
func New(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxWasmStack == 0 {
		cfg.MaxWasmStack = 1 << 20
	}
	if cfg.MaxCachedModules <= 0 {
		cfg.MaxCachedModules = 256
	}
	wc := wasmtime.NewConfig()
	wc.SetConsumeFuel(true)
	wc.SetWasmThreads(false)
	wc.SetWasmRelaxedSIMD(false)
	wc.SetCraneliftNanCanonicalization(true)
	wc.SetWasmMemory64(true)
	wc.SetWasmBulkMemory(true)
	wc.SetWasmMultiValue(true)
	wc.SetWasmReferenceTypes(true)
	wc.SetWasmSIMD(true)
	wc.SetWasmMultiMemory(false)
	wc.SetWasmTailCall(false)
	wc.SetWasmGC(false)
	wc.SetWasmFunctionReferences(false)
	wc.SetWasmWideArithmetic(false)
	wc.SetMaxWasmStack(int(cfg.MaxWasmStack))
	wc.SetStrategy(wasmtime.StrategyCranelift)
	wc.SetCraneliftOptLevel(wasmtime.OptLevelSpeed)
	// The fiber stack must hold the Wasm stack plus the host callbacks.
	C.bf_config_async_stack(handle(unsafe.Pointer(wc)), C.uint64_t(cfg.MaxWasmStack+1<<20))
	engine := wasmtime.NewEngineWithConfig(wc)
	e := &Engine{cfg: cfg, engine: engine, cache: map[[32]byte]*Module{}}
	var err error
	if e.linker32, err = newLinker(engine, false); err != nil {
		return nil, err
	}
	if e.linker64, err = newLinker(engine, true); err != nil {
		return nil, err
	}
	return e, nil
}

// handle returns the C pointer a wasmtime-go wrapper keeps in its first
// field (Config, Store, Linker, Module).
func handle(wrapper unsafe.Pointer) unsafe.Pointer { return *(*unsafe.Pointer)(wrapper) }

// kindOf maps System API value types to wasm_valkind_t (and wasmtime_val_t
// kinds, which agree for i32 and i64).
func kindOf(t execution.ValueType) C.uint8_t {
	if t == execution.I64 {
		return 1
	}
	return 0
}

// resultKinds[memory64][fn] is the result kind of System API function fn.
var resultKinds [2][]C.int

func init() {
	for w, mem64 := range []bool{false, true} {
		for _, im := range execution.Imports(mem64) {
			for len(resultKinds[w]) <= im.Index {
				resultKinds[w] = append(resultKinds[w], 0)
			}
			if len(im.Results) > 0 {
				resultKinds[w][im.Index] = C.int(kindOf(im.Results[0]))
			}
		}
	}
}

// newLinker defines every System API function of one pointer width as an
// async host function (so a call parks the fiber instead of running Go on
// it). The linker is store-independent and shared by all instances of
// modules of that width; the callback reports the function's table index.
func newLinker(engine *wasmtime.Engine, mem64 bool) (*wasmtime.Linker, error) {
	l := wasmtime.NewLinker(engine)
	for _, im := range execution.Imports(mem64) {
		params := make([]C.uint8_t, 8)
		for i, p := range im.Params {
			params[i] = kindOf(p)
		}
		results := make([]C.uint8_t, 1)
		for i, r := range im.Results {
			results[i] = kindOf(r)
		}
		name := C.CString(im.Name)
		msg := C.bf_define(handle(unsafe.Pointer(l)), name, C.size_t(len(im.Name)), C.int(im.Index),
			(*C.uint8_t)(unsafe.Pointer(&params[0])), C.size_t(len(im.Params)),
			(*C.uint8_t)(unsafe.Pointer(&results[0])), C.size_t(len(im.Results)))
		C.free(unsafe.Pointer(name))
		if msg != nil {
			err := fmt.Errorf("%w: defining ic0.%s: %s", ErrEngine, im.Name, C.GoString(msg))
			C.free(unsafe.Pointer(msg))
			return nil, err
		}
	}
	runtime.KeepAlive(l)
	return l, nil
}

// Compile compiles an instrumented module, or returns the cached
// compilation of identical bytes. Errors describe why wasmtime rejected the
// module.
func (e *Engine) Compile(wasm []byte) (execution.Module, error) {
	return e.compile(wasm)
}

// compile looks the module up by hash or compiles it, and records what the
// instances need: the pointer width (which linker to use, from the memory
// the instrumentation exported) and the exported mutable globals in index
// order. Compilation runs outside the lock; two racing compilations of the
// same bytes keep the first result.
func (e *Engine) compile(wasm []byte) (*Module, error) {
	h := sha256.Sum256(wasm)
	e.mu.Lock()
	m := e.cache[h]
	e.mu.Unlock()
	if m != nil {
		return m, nil
	}
	wm, err := wasmtime.NewModule(e.engine, wasm)
	if err != nil {
		return nil, errors.New(firstLine(err.Error()))
	}
	m = &Module{e: e, m: wm, linker: e.linker32}
	for _, ex := range wm.Exports() {
		name := ex.Name()
		switch {
		case name == memoryExport:
			if mt := ex.Type().MemoryType(); mt != nil && mt.Is64() {
				m.linker = e.linker64
			}
		case strings.HasPrefix(name, globalPrefix):
			idx, err := strconv.Atoi(name[len(globalPrefix):])
			gt := ex.Type().GlobalType()
			if err != nil || gt == nil {
				continue
			}
			m.globals = append(m.globals, globalDesc{index: idx, name: name, kind: gt.Content().Kind()})
		}
	}
	sort.Slice(m.globals, func(i, j int) bool { return m.globals[i].index < m.globals[j].index })
	e.mu.Lock()
	defer e.mu.Unlock()
	if old := e.cache[h]; old != nil {
		return old, nil
	}
	e.cache[h] = m
	e.order = append(e.order, h)
	for len(e.order) > e.cfg.MaxCachedModules {
		delete(e.cache, e.order[0])
		e.order = e.order[1:]
	}
	return m, nil
}

func firstLine(s string) string {
	// wasmtime errors carry a backtrace-like "Caused by" chain; keep it on
	// one line.
	return strings.Join(strings.Fields(s), " ")
}

type globalDesc struct {
	index int
	name  string
	kind  wasmtime.ValKind
}

// Module is a compiled module; it implements [execution.Module].
type Module struct {
	e       *Engine
	m       *wasmtime.Module
	linker  *wasmtime.Linker
	globals []globalDesc
}

// Instantiate creates a store and an instance of m. The start function (if
// any) is not run: the instrumentation exported it as canister_start.
func (m *Module) Instantiate(ctx context.Context, lim execution.InstanceLimits) (execution.Instance, error) {
	return m.instantiate(ctx, lim)
}

// instantiate creates a store with the memory limit (memory.grow past it
// returns -1) and instantiates through the async linker, driving the
// future like a call. Each instance owns one C call record, reused by
// every Run, because a store runs one future at a time.
func (m *Module) instantiate(ctx context.Context, lim execution.InstanceLimits) (*Instance, error) {
	store := wasmtime.NewStore(m.e.engine)
	maxMem := int64(math.MaxInt64)
	if lim.MaxMemoryBytes > 0 && lim.MaxMemoryBytes < math.MaxInt64 {
		maxMem = int64(lim.MaxMemoryBytes)
	}
	store.Limiter(maxMem, -1, 1, 10, 1)
	in := &Instance{m: m, store: store, slice: lim.SliceInstructions, call: C.bf_call_new(),
		funcs: map[string]*wasmtime.Func{}}
	runtime.SetFinalizer(in, (*Instance).Close)
	if in.slice == 0 {
		in.slice = math.MaxUint64 / 2
	}
	if err := store.SetFuel(0); err != nil {
		in.Close()
		return nil, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	sctx := unsafe.Pointer(store.Context())
	C.bf_instantiate_start(in.call, handle(unsafe.Pointer(m.linker)), sctx, handle(unsafe.Pointer(m.m)))
	err := in.drive(ctx, refuseHost{})
	runtime.KeepAlive(m)
	if err != nil {
		in.Close()
		return nil, fmt.Errorf("%w: instantiate: %v", ErrEngine, err)
	}
	// wasmtime-go cannot wrap a C instance handle, so write it into the
	// wrapper's first field (its layout is checked by TestAsyncMatchesSync
	// and TestShimDeclarations for the pinned version).
	in.inst = new(wasmtime.Instance)
	*(*C.bf_instance_t)(unsafe.Pointer(in.inst)) = in.call.inst
	if ex := in.inst.GetExport(store, memoryExport); ex != nil {
		in.mem = ex.Memory()
		if !m.e.cfg.NoDirtyTracking {
			in.trk = newTracker()
			in.arm()
		}
	}
	for _, g := range m.globals {
		ex := in.inst.GetExport(store, g.name)
		if ex == nil || ex.Global() == nil {
			in.Close()
			return nil, fmt.Errorf("%w: global %s missing", ErrEngine, g.name)
		}
		in.globals = append(in.globals, ex.Global())
	}
	return in, nil
}

// refuseHost serves no System API calls: instantiation runs no start
// function, so none can happen.
type refuseHost struct{}

func (refuseHost) Invoke(int, []byte, []uint64) (uint64, error) {
	return 0, errors.New("wasm: System API call during instantiation")
}

// Instance is a live instance; it implements [execution.Instance]. It is
// not safe for concurrent use.
type Instance struct {
	m       *Module
	store   *wasmtime.Store
	inst    *wasmtime.Instance
	mem     *wasmtime.Memory
	globals []*wasmtime.Global
	funcs   map[string]*wasmtime.Func
	call    *C.bf_call
	slice   uint64
	budget  uint64
	// Slices counts the fuel-yield pauses of the last Run: the points where
	// a time-sliced execution hands control back to the scheduler.
	slices int
	args   [8]uint64
	trk    *tracker // nil when dirty-page tracking is off or unavailable
}

// arm resets the dirty-page set to empty, dropping the tracker if the
// kernel fails.
func (in *Instance) arm() {
	if in.trk != nil && !in.trk.arm(in.Memory()) {
		in.trk.close()
		in.trk = nil
	}
}

// DirtyPages implements [execution.PageTracker]: the 4 KiB pages of the
// linear memory written since the instance was created or restored, or
// since the last call, in increasing order; pages added by memory.grow
// are all reported. ok is false when tracking is off or the memory moved;
// the set is then empty and tracking restarts.
func (in *Instance) DirtyPages() (pages []int, ok bool) {
	if in.trk == nil {
		return nil, false
	}
	pages, ok = in.trk.scan(in.Memory(), nil)
	if !ok {
		in.arm()
		return nil, false
	}
	return pages, true
}

// SetGlobals implements [execution.PageTracker].
func (in *Instance) SetGlobals(globals []uint64) error { return in.setGlobals(globals) }

// Run implements [execution.Instance]. The execution pauses every
// SliceInstructions instructions (a fuel yield); Run resumes it at once.
// A scheduler that spreads a long message over rounds uses Start and
// Resume instead.
func (in *Instance) Run(ctx context.Context, export string, host execution.Host, budget uint64) error {
	if err := in.Start(export, budget); err != nil {
		return err
	}
	for {
		done, err := in.Resume(ctx, host)
		if done || err != nil {
			return err
		}
		if ctx.Err() != nil {
			in.Abort()
			return ctx.Err()
		}
	}
}

// Start begins a call of export with an instruction budget, without
// running any Wasm yet; Resume runs it. A call already in progress is
// aborted first.
func (in *Instance) Start(export string, budget uint64) error {
	if in.call == nil {
		return fmt.Errorf("%w: instance closed", ErrEngine)
	}
	in.Abort()
	f := in.funcs[export]
	if f == nil {
		ex := in.inst.GetExport(in.store, export)
		if ex == nil || ex.Func() == nil {
			return fmt.Errorf("%w: no exported function %q", ErrEngine, export)
		}
		f = ex.Func()
		in.funcs[export] = f
	}
	// The budget is the whole message's fuel; the yield interval only makes
	// wasmtime pause every slice, it does not refuel beyond the budget.
	in.budget = budget
	in.slices = 0
	if err := in.store.SetFuel(budget); err != nil {
		return fmt.Errorf("%w: %v", ErrEngine, err)
	}
	sctx := unsafe.Pointer(in.store.Context())
	if msg := C.bf_fuel_yield(sctx, C.uint64_t(in.slice)); msg != nil {
		err := fmt.Errorf("%w: fuel yield interval: %s", ErrEngine, C.GoString(msg))
		C.free(unsafe.Pointer(msg))
		return err
	}
	// The call record keeps its own copy of the function handle: the
	// future borrows it until it is deleted.
	in.call._func = *(*C.bf_func_t)(unsafe.Pointer(f))
	C.bf_call_start(in.call, sctx)
	runtime.KeepAlive(f)
	return nil
}

// Resume runs the started call for one time slice: until it completes
// (done, with the same error contract as Run) or pauses at the next fuel
// yield (not done, nil error). Host calls are served on the calling
// goroutine; a paused call holds no OS thread and may be resumed from any
// goroutine. Resume with no call in progress reports done.
func (in *Instance) Resume(ctx context.Context, host execution.Host) (done bool, err error) {
	if in.call == nil {
		return true, fmt.Errorf("%w: instance closed", ErrEngine)
	}
	return in.step(ctx, host)
}

// Abort deletes a paused call, unwinding its fiber; the instance stays
// usable, but its memory and globals hold whatever the call changed, so
// the caller restores them (a pause aborted is a trap rolled back).
func (in *Instance) Abort() {
	if in.call != nil {
		C.bf_abort(in.call)
	}
}

// drive runs the current future to completion, through every pause.
func (in *Instance) drive(ctx context.Context, host execution.Host) error {
	for {
		done, err := in.step(ctx, host)
		if done || err != nil {
			return err
		}
	}
}

// step polls the current future until it completes or pauses at a fuel
// yield, serving parked host calls on this goroutine (never on wasmtime's
// fiber stack).
func (in *Instance) step(ctx context.Context, host execution.Host) (done bool, err error) {
	c := in.call
	defer runtime.KeepAlive(in)
	defer func() {
		// A panicking System API function must not leave the fiber parked.
		if r := recover(); r != nil {
			C.bf_abort(c)
			done, err = true, fmt.Errorf("%w: panic in host call: %v", ErrEngine, r)
		}
	}()
	kinds := resultKinds[0]
	if in.m.linker == in.m.e.linker64 {
		kinds = resultKinds[1]
	}
	// Each poll runs Wasm until it finishes, parks at a host call, or
	// reaches a fuel yield. Host calls are served right here, on the Go
	// stack, and the future is polled again in the same slice.
	for {
		switch C.bf_poll(c) {
		case 1:
			return true, in.outcome()
		case 2:
			n := int(c.host_nargs)
			for i := 0; i < n; i++ {
				in.args[i] = uint64(c.host_args[i])
			}
			var mem []byte
			if c.mem_base != nil {
				mem = unsafe.Slice((*byte)(unsafe.Pointer(c.mem_base)), int(c.mem_size))
			}
			fn := int(c.host_fn)
			r, herr := host.Invoke(fn, mem, in.args[:n])
			if herr != nil {
				C.bf_abort(c)
				return true, herr
			}
			kind := C.int(0)
			if fn < len(kinds) {
				kind = kinds[fn]
			}
			C.bf_host_return(c, kind, C.uint64_t(r))
		default:
			// A fuel yield: the end of a time slice.
			in.slices++
			return false, nil
		}
	}
}

// trapKinds maps wasmtime_trap_code_t values to trap kinds.
var trapKinds = map[int]execution.TrapKind{
	0: execution.TrapStackOverflow, 1: execution.TrapOutOfBounds, 2: execution.TrapMisaligned,
	3: execution.TrapOutOfBounds, 4: execution.TrapIndirectCall, 5: execution.TrapIndirectCall,
	6: execution.TrapIntegerOverflow, 7: execution.TrapDivisionByZero, 8: execution.TrapBadConversion,
	9: execution.TrapUnreachable, 11: execution.TrapOutOfInstructions,
}

// outcome converts the finished future's trap or error into a
// *execution.Trap (the cube's fault) or an ErrEngine error (ours).
func (in *Instance) outcome() error {
	var code C.int
	var msg *C.char
	var n C.size_t
	r := C.bf_outcome(in.call, &code, &msg, &n)
	if r == 0 {
		return nil
	}
	text := C.GoStringN(msg, C.int(n))
	C.free(unsafe.Pointer(msg))
	if r == 2 {
		// Errors that are really traps, as wasmtime reports some of them.
		switch {
		case strings.Contains(text, "all fuel consumed"):
			return &execution.Trap{Kind: execution.TrapOutOfInstructions, Message: firstLine(text)}
		case strings.Contains(text, "stack overflow"):
			return &execution.Trap{Kind: execution.TrapStackOverflow, Message: firstLine(text)}
		}
		return fmt.Errorf("%w: %s", ErrEngine, firstLine(text))
	}
	kind, ok := trapKinds[int(code)]
	if !ok {
		kind = execution.TrapOther
	}
	return &execution.Trap{Kind: kind, Message: firstLine(text)}
}

// Instructions implements [execution.Instance]: the fuel consumed by the
// current or last Run.
func (in *Instance) Instructions() uint64 {
	left, err := in.store.GetFuel()
	if err != nil || left > in.budget {
		return 0
	}
	return in.budget - left
}

// Slices returns the number of fuel-yield pauses in the last Run.
func (in *Instance) Slices() int { return in.slices }

// Memory implements [execution.Instance].
func (in *Instance) Memory() []byte {
	if in.mem == nil {
		return nil
	}
	b := in.mem.UnsafeData(in.store)
	runtime.KeepAlive(in)
	return b
}

// Globals implements [execution.Instance].
func (in *Instance) Globals() []uint64 {
	out := make([]uint64, len(in.globals))
	for i, g := range in.globals {
		v := g.Get(in.store)
		switch in.m.globals[i].kind {
		case wasmtime.KindI32:
			out[i] = uint64(uint32(v.I32()))
		case wasmtime.KindI64:
			out[i] = uint64(v.I64())
		case wasmtime.KindF32:
			out[i] = uint64(math.Float32bits(v.F32()))
		case wasmtime.KindF64:
			out[i] = math.Float64bits(v.F64())
		}
	}
	return out
}

// Restore implements [execution.Instance].
func (in *Instance) Restore(memory execution.Memory, globals []uint64) error {
	if globals != nil {
		if err := in.setGlobals(globals); err != nil {
			return err
		}
	}
	if err := in.restoreMemory(memory); err != nil {
		return err
	}
	in.arm()
	return nil
}

func (in *Instance) setGlobals(globals []uint64) error {
	{
		if len(globals) != len(in.globals) {
			return fmt.Errorf("wasm: %d globals to restore, the module has %d", len(globals), len(in.globals))
		}
		for i, g := range in.globals {
			var v wasmtime.Val
			switch in.m.globals[i].kind {
			case wasmtime.KindI32:
				v = wasmtime.ValI32(int32(uint32(globals[i])))
			case wasmtime.KindI64:
				v = wasmtime.ValI64(int64(globals[i]))
			case wasmtime.KindF32:
				v = wasmtime.ValF32(math.Float32frombits(uint32(globals[i])))
			case wasmtime.KindF64:
				v = wasmtime.ValF64(math.Float64frombits(globals[i]))
			}
			if err := g.Set(in.store, v); err != nil {
				return fmt.Errorf("wasm: restoring global %d: %v", i, err)
			}
		}
	}
	return nil
}

func (in *Instance) restoreMemory(memory execution.Memory) error {
	want := uintptr(memory.Len())
	if in.mem == nil {
		if want > 0 {
			return errors.New("wasm: the module has no memory to restore")
		}
		return nil
	}
	const page = 64 << 10
	cur := in.mem.DataSize(in.store)
	if want%page != 0 {
		return fmt.Errorf("wasm: memory of %d bytes is not a whole number of Wasm pages", want)
	}
	if cur > want {
		return fmt.Errorf("wasm: memory is %d bytes, cannot shrink to %d", cur, want)
	}
	if grow := (want - cur) / page; grow > 0 {
		if _, err := in.mem.Grow(in.store, uint64(grow)); err != nil {
			return fmt.Errorf("wasm: growing memory to %d bytes: %v", want, err)
		}
	}
	memory.CopyTo(in.mem.UnsafeData(in.store))
	runtime.KeepAlive(in)
	return nil
}

// Close implements [execution.Instance]; it aborts a paused execution.
func (in *Instance) Close() {
	in.trk.close()
	in.trk = nil
	if in.call != nil {
		C.bf_call_free(in.call)
		in.call = nil
	}
	runtime.SetFinalizer(in, nil)
}
