// Package scheduler executes rounds: it runs the messages inducted into a
// subnet across all of its cubes, deterministically, in parallel.
//
// A Scheduler holds the subnet's cube states (execution.State values) and
// one input queue per cube. ExecuteRound takes a Round (the batch's time
// and randomness, the ingress messages, and the requests and responses
// routing inducted from other subnets) and returns a Result: the answers
// to ingress messages and the requests and responses for other subnets'
// cubes. A request from one cube to another cube of the subnet goes
// straight into the callee's queue, without consensus, and may run in the
// same round.
//
// # Determinism and fairness
//
// Cubes with queued messages are dealt, in priority order (compute
// allocation first, then the round they last ran in, then id: a
// round-robin that puts cubes skipped for lack of budget first next time),
// to Config.Threads logical threads. Each thread has the executor's
// MaxInstructionsPerRound budget and runs its cubes one after the other.
// Threads run in parallel on Config.Workers goroutines; they share no
// cube, and what they send is merged afterwards in priority order, so the
// states and outputs are the same for any Workers or GOMAXPROCS (the
// tests check byte-identical hashes for 1, 2 and 8). Threads, the budgets
// and MaxInnerRounds are consensus parameters: all replicas use the same.
//
// Requests and responses between the subnet's cubes are delivered after
// each inner round, which runs again while messages and budget remain (up
// to MaxInnerRounds). Due global timers (and, with Config.Heartbeat,
// heartbeats) go to the front of a cube's queue at the start of a round.
// raw_rand calls to the management cube are answered from the round's
// random tape (Config.RandomTape, by default Tape over the batch's
// randomness). The other management methods, from cubes and from ingress
// messages, go to Config.Management (an execution/management Manager on
// the same executor) between inner rounds, on the scheduler's states; a
// stop_canister waiting for open call contexts completes when the last
// one closes. Without a Manager they are rejected.
//
// # Time slicing
//
// Every message runs through execution.Executor.BeginOn: one that needs more
// than a slice (Config.MaxInstructionsPerSlice of the executor, counted by
// the engine) pauses, and the round moves on. In each later round the
// paused execution runs exactly one more slice, before anything else and
// on a thread of its own while there are fewer paused executions than
// threads; the cube's other messages wait. So a message of n instructions
// started in round r completes in round r + ceil(n/slice) - 1 (the engine
// pauses at its first fuel check past a boundary, so a message ending a
// few instructions past a multiple of the slice needs one slice less),
// whatever the replica's speed. A checkpoint round (Round.Checkpoint) or
// AbortPaused abandons paused executions, so that the state is
// consistent; their messages start again from the beginning in the next
// round, on the unchanged states, with the same results.
//
// Queries run with Query on the states of the last Certify call, a
// read-only snapshot: concurrently with rounds and with each other. A
// composite query may call query methods of the subnet's cubes on the same
// snapshot (depth first, to MaxCompositeDepth); its callbacks run on a
// scratch state that is dropped afterwards.
//
// A best-effort call whose deadline has passed is answered with a
// SYS_UNKNOWN reject at the start of a round; a response arriving later
// finds no callback and is dropped.
//
// A cube's queue holds at most Config.MaxQueueLength calls: further
// ingress messages are refused with IC0201 and further requests rejected
// with SYS_TRANSIENT (cycles refunded); responses always fit.
//
// Not yet done: composite queries calling cubes on other subnets (they
// are rejected), and canister snapshots, HTTP outcalls and the other
// management methods the Manager does not implement.
//
// # Parallel speed and GOMAXPROCS
//
// Every Wasm execution is a cgo call. While all of GOMAXPROCS's Ps are
// held by goroutines in cgo calls, the Go runtime's sysmon thread retakes
// them and then wakes every 20 µs (about every 80 µs with the kernel's
// timer slack), each time preempting a worker for several microseconds on
// a virtual machine. With a P to spare it retakes less: in
// BenchmarkParallelSpeedup (execution/wasm) perf sched counted 5,400
// sysmon wake-ups with GOMAXPROCS=2 and 2,900 with GOMAXPROCS=3 on 2 CPUs.
// So the default Workers is the smaller of GOMAXPROCS and the number of
// CPUs, and a process that executes rounds may set GOMAXPROCS one above
// its CPU count. On 2 shared cores, 1 → 2 workers on independent
// compute-bound cubes measured 1.61–1.86× with GOMAXPROCS=3 and 1.53–1.76×
// with GOMAXPROCS=2 over 32 runs (plain wasmtime-go calls in the same
// runs: 1.46–1.77×; a pure Go loop: 1.80–2.03×). Rounds of trivial
// messages gain nothing from a second worker: the scheduler's own work is
// serial, and re-arming dirty-page tracking makes the kernel interrupt the
// other worker's CPU.
//
// # Usage
//
//	x, _ := execution.New(execution.Config{}, eng)
//	s, _ := scheduler.New(scheduler.Config{}, x)
//	s.SetCube(installedState) // for each cube of the subnet
//	res, err := s.ExecuteRound(ctx, scheduler.Round{Time: batch.Time, Randomness: batch.Randomness, Ingress: batch.Ingress})
//	// res.Ingress: answers for users; res.Requests, res.Responses: to routing.
//	s.Certify() // once the round's state is certified: queries see it
//	out, err := s.Query(ctx, id, execution.Input{Method: "get", Caller: user})
package scheduler
