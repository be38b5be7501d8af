// Package executiontest provides a scripted, pure-Go [execution.Engine] for
// tests that need cubes but not Wasm: the scheduler's tests, the harness,
// and tests of the executor itself that must run without cgo.
//
// A scripted cube is a real (tiny) Wasm binary, so the executor validates
// and instruments it as usual, whose entry points run Go functions instead
// of Wasm code. The functions reach the System API through [Call.Invoke]
// and so obey the same context rules, bounds checks and rollback as Wasm.
//
// # Usage
//
//	eng := executiontest.NewEngine()
//	code := eng.Cube(map[string]executiontest.Func{
//		"canister_update hello": func(c *executiontest.Call) error {
//			return c.Reply([]byte("hi"))
//		},
//	})
//	x, _ := execution.New(execution.Config{}, eng)
//	out, _ := x.Execute(ctx, &execution.State{ID: 1}, execution.Input{Kind: execution.KindInstall, Wasm: code})
package executiontest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/internal/wasmbin"
)

// Func is the body of one scripted entry point.
type Func func(c *Call) error

// Engine is a scripted [execution.Engine]. It is safe for concurrent use.
type Engine struct {
	mu      sync.Mutex
	scripts map[int]map[string]Func
}

// NewEngine returns an empty scripted engine.
func NewEngine() *Engine { return &Engine{scripts: map[int]map[string]Func{}} }

const scriptSection = "bf:script"

// Cube registers entry points (export name → body, e.g. "canister_init",
// "canister_update inc") and returns a Wasm module exporting them, with one
// 32-bit memory of MemoryPages pages. Install it like any module.
func (e *Engine) Cube(entries map[string]Func) []byte {
	e.mu.Lock()
	id := len(e.scripts) + 1
	e.scripts[id] = entries
	e.mu.Unlock()
	return buildModule(id, sortedNames(entries))
}

// sortedNames returns the entry names in order: a name's index is its
// table index, which callbacks ([Call.CallNew]) refer to.
func sortedNames(entries map[string]Func) []string {
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// MemoryPages is the initial memory size of scripted cubes, in 64 KiB pages.
const MemoryPages = 1

func uleb(b []byte, v int) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func name(b []byte, s string) []byte { return append(uleb(b, len(s)), s...) }

// buildModule assembles: the types () -> () and call_new's, the import of
// ic0.call_new (so that the executor adds its callback trampoline), a
// table, len(names) empty functions, memory, exports, and a custom section
// naming the script.
func buildModule(id int, names []string) []byte {
	section := func(out []byte, sid byte, body []byte) []byte {
		return append(uleb(append(out, sid), len(body)), body...)
	}
	out := []byte("\x00asm\x01\x00\x00\x00")
	out = section(out, 1, []byte{2, 0x60, 0, 0, 0x60, 8, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0})
	out = section(out, 2, append(name(name([]byte{1}, "ic0"), "call_new"), 0, 1))
	funcs := uleb(nil, len(names))
	code := uleb(nil, len(names))
	exports := uleb(nil, len(names))
	for i, n := range names {
		funcs = append(funcs, 0)
		code = append(code, 2, 0, 0x0b)
		exports = append(name(exports, n), 0)
		exports = uleb(exports, i+1) // after the import
	}
	out = section(out, 3, funcs)
	out = section(out, 4, []byte{1, 0x70, 0, 0})
	out = section(out, 5, []byte{1, 0, MemoryPages})
	out = section(out, 7, exports)
	out = section(out, 10, code)
	return section(out, 0, name(nil, scriptSection+" "+strconv.Itoa(id)))
}

// Compile implements [execution.Engine]: it finds the script of a module
// built by Cube.
func (e *Engine) Compile(wasm []byte) (execution.Module, error) {
	// The executor has validated the module already; only the script id,
	// from the custom section buildModule wrote, is needed here.
	id := scriptID(wasm)
	e.mu.Lock()
	s, ok := e.scripts[id]
	e.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("executiontest: not a scripted module")
	}
	return &module{entries: s, names: sortedNames(s)}, nil
}

// scriptID finds the custom section written by buildModule.
func scriptID(wasm []byte) int {
	key := []byte(scriptSection + " ")
	for i := 0; i+len(key) <= len(wasm); i++ {
		if string(wasm[i:i+len(key)]) == string(key) {
			j := i + len(key)
			k := j
			for k < len(wasm) && wasm[k] >= '0' && wasm[k] <= '9' {
				k++
			}
			id, _ := strconv.Atoi(string(wasm[j:k]))
			return id
		}
	}
	return 0
}

type module struct {
	entries map[string]Func
	names   []string // sorted: the table
}

func (m *module) Instantiate(ctx context.Context, lim execution.InstanceLimits) (execution.Instance, error) {
	return &instance{mod: m, entries: m.entries, mem: make([]byte, MemoryPages*65536), maxMem: lim.MaxMemoryBytes,
		globals: make([]uint64, 2), slice: lim.SliceInstructions}, nil
}

// instance runs scripts over a plain byte slice. Each System API call
// costs one instruction, plus what scripts charge with Call.Burn.
type instance struct {
	mod     *module
	globals []uint64 // the callback trampoline's function index and environment
	entries map[string]Func
	mem     []byte
	maxMem  uint64
	used    uint64
	budget  uint64

	// Time slicing (execution.Slicer): the script runs on its own
	// goroutine and pauses in Burn each time it crosses a multiple of
	// slice instructions.
	slice uint64
	next  uint64 // the next pause point
	call  *slicedCall
}

// slicedCall is a script started with Start.
type slicedCall struct {
	export  string
	started bool
	yield   chan struct{}
	resume  chan bool
	done    chan error
	aborted bool
}

// errAborted unwinds an aborted script.
var errAborted = errors.New("executiontest: aborted")

// Start implements [execution.Slicer].
func (in *instance) Start(export string, budget uint64) error {
	in.Abort()
	in.used, in.budget, in.next = 0, budget, in.slice
	in.call = &slicedCall{export: export, yield: make(chan struct{}), resume: make(chan bool), done: make(chan error, 1)}
	return nil
}

// Resume implements [execution.Slicer].
func (in *instance) Resume(ctx context.Context, host execution.Host) (bool, error) {
	sc := in.call
	if sc == nil {
		return true, nil
	}
	if !sc.started {
		sc.started = true
		job := func() { sc.done <- in.run(sc.export, host) }
		select {
		case scriptRunners <- job:
		default:
			go scriptRunner(job)
		}
	} else {
		sc.resume <- true
	}
	select {
	case <-sc.yield:
		return false, nil
	case err := <-sc.done:
		in.call = nil
		return true, err
	}
}

// scriptRunners hands sliced scripts to idle runner goroutines, which are
// reused so that a script does not pay for a new goroutine's stack.
var scriptRunners = make(chan func())

func scriptRunner(job func()) {
	for {
		job()
		job = <-scriptRunners
	}
}

// Abort implements [execution.Slicer].
func (in *instance) Abort() {
	sc := in.call
	if sc == nil {
		return
	}
	in.call = nil
	if sc.started {
		sc.resume <- false
		<-sc.done
	}
}

// pause is called by Burn at a slice boundary of a sliced call; it reports
// false if the call was aborted.
func (in *instance) pause() bool {
	sc := in.call
	if sc == nil {
		return true // not sliced (Run)
	}
	sc.yield <- struct{}{}
	return <-sc.resume
}

func (in *instance) Run(ctx context.Context, export string, host execution.Host, budget uint64) error {
	in.Abort()
	in.used, in.budget, in.next = 0, budget, 0
	return in.run(export, host)
}

func (in *instance) run(export string, host execution.Host) error {
	f := in.entries[export]
	var env uint64
	if export == wasmbin.CallbackExport {
		// The executor put the closure into the trampoline's globals.
		fun := in.globals[0]
		if fun >= uint64(len(in.mod.names)) {
			return &execution.Trap{Kind: execution.TrapIndirectCall, Message: "undefined table element"}
		}
		f, env = in.entries[in.mod.names[fun]], in.globals[1]
	}
	if f == nil {
		if export == wasmbin.StartExport {
			return nil
		}
		return fmt.Errorf("executiontest: no entry point %q", export)
	}
	c := &Call{in: in, host: host, env: env}
	err := f(c)
	if c.failed != nil {
		// Like a Wasm trap, a failed System API call ends the execution
		// whatever the script does afterwards.
		return c.failed
	}
	return err
}

func (in *instance) Instructions() uint64 { return in.used }
func (in *instance) Memory() []byte       { return in.mem }
func (in *instance) Globals() []uint64    { return slices.Clone(in.globals) }
func (in *instance) Close()               {}

func (in *instance) Restore(m execution.Memory, globals []uint64) error {
	if len(in.mem) > m.Len() {
		return errors.New("executiontest: memory cannot shrink")
	}
	in.mem = append(in.mem, make([]byte, m.Len()-len(in.mem))...)
	m.CopyTo(in.mem)
	if globals != nil {
		in.globals = slices.Clone(globals)
	}
	return nil
}

// Call is the view of a running entry point.
type Call struct {
	in     *instance
	host   execution.Host
	env    uint64 // the closure's environment, for callbacks
	failed error  // the first failed System API call
}

// Env returns the environment value of the callback being run (the env
// given to [Call.CallNew]); zero for other entry points.
func (c *Call) Env() uint64 { return c.env }

// CallNew makes a call to callee's method with arg and cycles attached,
// whose reply and reject run the cube's entry points named onReply and
// onReject (any names of the Cube's map; they receive env through
// [Call.Env]). It calls ic0.call_new, call_data_append,
// call_cycles_add128 and call_perform.
func (c *Call) CallNew(callee bigfile.Principal, method string, arg []byte, cycles uint64,
	onReply, onReject string, env uint64) error {
	return c.call(callee, method, arg, cycles, onReply, onReject, env, -1)
}

// CallBestEffort is CallNew for a best-effort call with a timeout in
// seconds (ic0.call_with_best_effort_response).
func (c *Call) CallBestEffort(callee bigfile.Principal, method string, arg []byte, timeout uint32,
	onReply, onReject string, env uint64) error {
	return c.call(callee, method, arg, 0, onReply, onReject, env, int64(timeout))
}

func (c *Call) call(callee bigfile.Principal, method string, arg []byte, cycles uint64,
	onReply, onReject string, env uint64, timeout int64) error {
	fun := func(n string) (uint64, error) {
		i, ok := slices.BinarySearch(c.in.mod.names, n)
		if !ok {
			return 0, fmt.Errorf("executiontest: no entry point %q for a callback", n)
		}
		return uint64(i), nil
	}
	rf, err := fun(onReply)
	if err != nil {
		return err
	}
	jf, err := fun(onReject)
	if err != nil {
		return err
	}
	blob := append(append(callee.Bytes(), method...), arg...)
	base := len(c.in.mem) - len(blob)
	copy(c.in.mem[base:], blob)
	cl, ml := uint64(len(callee.Bytes())), uint64(len(method))
	if _, err := c.Invoke("call_new", uint64(base), cl, uint64(base)+cl, ml, rf, env, jf, env); err != nil {
		return err
	}
	if _, err := c.Invoke("call_data_append", uint64(base)+cl+ml, uint64(len(arg))); err != nil {
		return err
	}
	if cycles > 0 {
		if _, err := c.Invoke("call_cycles_add128", 0, cycles); err != nil {
			return err
		}
	}
	if timeout >= 0 {
		if _, err := c.Invoke("call_with_best_effort_response", uint64(timeout)); err != nil {
			return err
		}
	}
	_, err = c.Invoke("call_perform")
	return err
}

// RejectCode returns ic0.msg_reject_code (in a reject callback).
func (c *Call) RejectCode() (uint64, error) { return c.Invoke("msg_reject_code") }

// Memory returns the cube's memory; scripts may read and write it.
func (c *Call) Memory() []byte { return c.in.mem }

// Burn charges n instructions, failing like Wasm does past the budget. In
// a sliced call (execution.Slicer) it pauses at every slice boundary it
// crosses, as Wasm does at fuel yields.
func (c *Call) Burn(n uint64) error {
	if c.failed != nil {
		return c.failed
	}
	in := c.in
	for n > 0 {
		step := n
		if in.call != nil && in.next > in.used && in.next-in.used < step {
			step = in.next - in.used
		}
		in.used += step
		n -= step
		if in.used > in.budget {
			in.used = in.budget
			c.failed = &execution.Trap{Kind: execution.TrapOutOfInstructions}
			return c.failed
		}
		if in.call != nil && in.slice > 0 && in.used >= in.next {
			in.next += in.slice
			if !in.pause() {
				c.failed = errAborted
				return c.failed
			}
		}
	}
	return nil
}

// Grow grows memory by n pages like memory.grow, returning the old size in
// pages or -1 past the instance's limit.
func (c *Call) Grow(n int) int {
	old := len(c.in.mem) / 65536
	if uint64(len(c.in.mem)+n*65536) > c.in.maxMem {
		return -1
	}
	c.in.mem = append(c.in.mem, make([]byte, n*65536)...)
	return old
}

var index = func() map[string]int {
	m := map[string]int{}
	for _, im := range execution.Imports(false) {
		m[im.Name] = im.Index
	}
	return m
}()

// Invoke calls ic0.<name> with args (pointers are offsets into Memory). An
// error is a trap: the execution fails with it even if the script goes on.
func (c *Call) Invoke(name string, args ...uint64) (uint64, error) {
	fn, ok := index[name]
	if !ok {
		return 0, fmt.Errorf("executiontest: unknown System API function %q", name)
	}
	if c.failed != nil {
		return 0, c.failed
	}
	if err := c.Burn(1); err != nil {
		return 0, err
	}
	r, err := c.host.Invoke(fn, c.in.mem, args)
	if err != nil {
		c.failed = err
	}
	return r, err
}

// Arg returns the message argument.
func (c *Call) Arg() ([]byte, error) {
	n, err := c.Invoke("msg_arg_data_size")
	if err != nil {
		return nil, err
	}
	buf := c.scratch(int(n))
	if _, err := c.Invoke("msg_arg_data_copy", uint64(len(c.in.mem)-int(n)), 0, n); err != nil {
		return nil, err
	}
	return append([]byte(nil), buf...), nil
}

// Reply replies with data (placed at the end of memory).
func (c *Call) Reply(data []byte) error {
	copy(c.scratch(len(data)), data)
	if _, err := c.Invoke("msg_reply_data_append", uint64(len(c.in.mem)-len(data)), uint64(len(data))); err != nil {
		return err
	}
	_, err := c.Invoke("msg_reply")
	return err
}

// Print writes msg to the cube log with ic0.debug_print.
func (c *Call) Print(msg string) error {
	copy(c.scratch(len(msg)), msg)
	_, err := c.Invoke("debug_print", uint64(len(c.in.mem)-len(msg)), uint64(len(msg)))
	return err
}

// Trap traps with ic0.trap and msg.
func (c *Call) Trap(msg string) error {
	copy(c.scratch(len(msg)), msg)
	_, err := c.Invoke("trap", uint64(len(c.in.mem)-len(msg)), uint64(len(msg)))
	return err
}

// scratch returns the last n bytes of memory, used to pass blobs.
func (c *Call) scratch(n int) []byte { return c.in.mem[len(c.in.mem)-n:] }
