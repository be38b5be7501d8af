package execution

import (
	"context"
	"errors"
)

// This file implements deterministic time slicing (system-api.md §3.1,
// wasmtime.md §2) for a scheduler: Executor.Begin runs an input until it
// completes or pauses at its first slice boundary (every
// Config.MaxInstructionsPerSlice instructions, counted by the engine, so
// the boundaries are the same on every replica); Execution.Resume runs one
// more slice; Execution.Abort abandons it, leaving the cube's State as it
// was, so the same input can be started again later with the same result.
//
// The execution runs on its own goroutine, which blocks at every pause
// until Resume or Abort: control passes back and forth, never in parallel,
// so the executor's code runs unchanged whether it is sliced or not.

// Slicer is implemented by an Instance that can pause a call at its slice
// boundaries (execution/wasm's instances and executiontest's do).
type Slicer interface {
	// Start begins a call of export with an instruction budget; Resume
	// runs it until it completes (done, with Run's error contract) or
	// pauses at the next slice boundary. Abort deletes a paused call.
	Start(export string, budget uint64) error
	Resume(ctx context.Context, host Host) (done bool, err error)
	Abort()
}

// ErrAborted is what an aborted Execution reports.
var ErrAborted = errors.New("execution: aborted")

type pauserKey struct{}

// pauser links a sliced execution's goroutine with its controller.
type pauser struct {
	paused chan uint64 // instructions used so far, sent at each pause
	resume chan bool   // true: run one more slice; false: abort
	// first, if set, is called instead of sending on paused at the first
	// pause (BeginOn).
	first func(used uint64)
}

// Execution is an input running with time slicing. Its methods must be
// called from one goroutine at a time.
type Execution struct {
	p        *pauser
	done     chan struct{}
	out      Output
	err      error
	used     uint64
	finished bool
	slices   int
}

// Begin starts in on st (as Execute would) and runs it until it completes
// or reaches its first slice boundary.
func (x *Executor) Begin(ctx context.Context, st *State, in Input) *Execution {
	e := &Execution{p: &pauser{paused: make(chan uint64), resume: make(chan bool)}, done: make(chan struct{})}
	job := func() {
		defer close(e.done)
		e.out, e.err = x.Execute(context.WithValue(ctx, pauserKey{}, e.p), st, in)
	}
	// Reuse an idle runner goroutine if there is one: a new goroutine
	// would have to grow its stack to the executor's depth every time.
	select {
	case runners <- job:
	default:
		go runner(job)
	}
	e.wait()
	return e
}

// runners hands jobs to idle runner goroutines. Runners live on once
// started; there are at most as many as executions ever ran at once.
var runners = make(chan func())

func runner(job func()) {
	for {
		job()
		job = <-runners
	}
}

func (e *Execution) wait() {
	e.slices++
	select {
	case u := <-e.p.paused:
		e.used = u
	case <-e.done:
		e.finished = true
	}
}

// BeginOn is Begin without a hand-off to another goroutine for inputs that
// complete within their first slice (most do): it runs in on the calling
// goroutine. If the execution reaches a slice boundary, BeginOn calls
// detach with it, on the calling goroutine, which must arrange for the
// caller's further work to continue elsewhere (detach typically starts a
// goroutine); the calling goroutine then stays inside the execution,
// serving Resume and Abort from other goroutines, and BeginOn returns on
// it only when the execution has finished, with detached true: the caller
// must then return without doing anything more.
func (x *Executor) BeginOn(ctx context.Context, st *State, in Input, detach func(*Execution)) (e *Execution, detached bool) {
	e = &Execution{p: &pauser{paused: make(chan uint64), resume: make(chan bool)}, done: make(chan struct{}), slices: 1}
	e.p.first = func(used uint64) {
		e.used = used
		detached = true
		detach(e)
	}
	e.out, e.err = x.Execute(context.WithValue(ctx, pauserKey{}, e.p), st, in)
	if detached {
		close(e.done) // the controller waits on it in Resume or Abort
		return e, true
	}
	e.finished = true
	return e, false
}

// Done reports whether the execution has completed.
func (e *Execution) Done() bool { return e.finished }

// Slices returns the number of slices run so far (Begin ran the first).
func (e *Execution) Slices() int { return e.slices }

// Used returns the instructions executed so far (while paused) or in all
// (once done).
func (e *Execution) Used() uint64 {
	if e.finished {
		return e.out.Instructions
	}
	return e.used
}

// Result returns the Output and error Execute would have returned; valid
// once Done.
func (e *Execution) Result() (Output, error) { return e.out, e.err }

// Resume runs one more slice; it does nothing once the execution is done.
func (e *Execution) Resume() {
	if e.finished {
		return
	}
	e.p.resume <- true
	e.wait()
}

// Abort abandons a paused execution: nothing it did is kept, and the
// cube's State is the one it began on. It does nothing once done.
func (e *Execution) Abort() {
	if e.finished {
		return
	}
	e.p.resume <- false
	<-e.done
	e.finished = true
	e.out, e.err = Output{}, ErrAborted
}

// runSliced runs export on a slicing instance, pausing at every slice
// boundary for the controller.
func runSliced(ctx context.Context, s Slicer, a *api, export string, budget uint64, p *pauser) error {
	if err := s.Start(export, budget); err != nil {
		return err
	}
	for {
		done, err := s.Resume(ctx, a)
		if done || err != nil {
			return err
		}
		if f := p.first; f != nil {
			p.first = nil
			f(a.base + a.inst.Instructions())
		} else {
			p.paused <- a.base + a.inst.Instructions()
		}
		if !<-p.resume {
			s.Abort()
			return ErrAborted
		}
	}
}
