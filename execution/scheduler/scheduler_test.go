package scheduler_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// workCube is a scripted cube for workloads. "work" takes
// [target u64][depth u8][burn u32]: it burns instructions, mixes the
// argument into its memory, and either replies with its counter or, with
// depth > 0, calls target's "work" with depth-1 and answers from the
// reply callback. The cube's memory is a running hash of everything it
// saw, so any difference in order shows in the state hash.
func workCube(eng *executiontest.Engine) []byte {
	mix := func(c *executiontest.Call, b []byte) {
		mem := c.Memory()
		h := sha256.Sum256(append(append([]byte{}, mem[:40]...), b...))
		copy(mem[8:40], h[:])
		binary.LittleEndian.PutUint64(mem, binary.LittleEndian.Uint64(mem)+1)
	}
	return eng.Cube(map[string]executiontest.Func{
		"canister_update work": func(c *executiontest.Call) error {
			arg, err := c.Arg()
			if err != nil {
				return err
			}
			if len(arg) != 13 {
				return c.Trap("bad argument")
			}
			if err := c.Burn(uint64(binary.LittleEndian.Uint32(arg[9:]))); err != nil {
				return err
			}
			mix(c, arg)
			if depth := arg[8]; depth > 0 {
				next := bytes.Clone(arg)
				next[8] = depth - 1
				target := bigfile.CubeID(binary.LittleEndian.Uint64(arg))
				return c.CallNew(target.Principal(), "work", next, 0, "on_reply", "on_reject", uint64(depth))
			}
			return c.Reply(bytes.Clone(c.Memory()[:8]))
		},
		"on_reply": func(c *executiontest.Call) error {
			arg, err := c.Arg()
			if err != nil {
				return err
			}
			mix(c, arg)
			return c.Reply(arg)
		},
		"on_reject": func(c *executiontest.Call) error {
			code, err := c.RejectCode()
			if err != nil {
				return err
			}
			mix(c, []byte{byte(code)})
			return c.Reply([]byte("rejected"))
		},
	})
}

func newSubnet(t testing.TB, eng *executiontest.Engine, cfg scheduler.Config, xcfg execution.Config, n int) *scheduler.Scheduler {
	t.Helper()
	x, err := execution.New(xcfg, eng)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheduler.New(cfg, x)
	if err != nil {
		t.Fatal(err)
	}
	code := workCube(eng)
	for i := 1; i <= n; i++ {
		out, err := x.Execute(context.Background(), &execution.State{ID: bigfile.CubeID(i)},
			execution.Input{Kind: execution.KindInstall, Wasm: code})
		if err != nil || out.Err != nil {
			t.Fatalf("install: %v %v", err, out.Err)
		}
		s.SetCube(out.State)
	}
	return s
}

func workArg(target bigfile.CubeID, depth uint8, burn uint32) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(target))
	b = append(b, depth)
	return binary.LittleEndian.AppendUint32(b, burn)
}

// workload is a reproducible random workload: rounds of ingress messages
// to random cubes, some calling other cubes (chains up to depth 3), some
// to cubes that do not exist.
func workload(seed uint64, cubes, messages, rounds int) [][]bigfile.Ingress {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([][]bigfile.Ingress, rounds)
	for i := range messages {
		recv := bigfile.CubeID(1 + rng.IntN(cubes))
		target := bigfile.CubeID(1 + rng.IntN(cubes+2)) // sometimes missing
		depth := uint8(0)
		if rng.IntN(3) == 0 {
			depth = uint8(1 + rng.IntN(3))
		}
		in := bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: recv.Principal(), Method: "work",
			Arg: workArg(target, depth, uint32(rng.IntN(400))), Nonce: binary.BigEndian.AppendUint64(nil, uint64(i))}
		r := i * rounds / messages
		out[r] = append(out[r], in)
	}
	return out
}

// transcript runs a workload and returns the state hash and a digest of
// every round's outputs.
func transcript(t testing.TB, workers int, batches [][]bigfile.Ingress, cubes, want int) ([32]byte, [32]byte, int) {
	st, out, answered, paused := run(t, workers, batches, cubes, want)
	if paused == 0 {
		t.Fatal("no execution was ever paused between rounds: the workload does not exercise time slicing")
	}
	return st, out, answered
}

// transcriptNoPauseCheck is transcript for workloads that may not pause.
func transcriptNoPauseCheck(t testing.TB, workers int, batches [][]bigfile.Ingress, cubes, want int) ([32]byte, [32]byte, int) {
	st, out, answered, _ := run(t, workers, batches, cubes, want)
	return st, out, answered
}

func run(t testing.TB, workers int, batches [][]bigfile.Ingress, cubes, want int) ([32]byte, [32]byte, int, int) {
	eng := executiontest.NewEngine()
	// Slices of 350 instructions: the messages that burn more pause and
	// finish in a later round, so time slicing is part of the workload.
	s := newSubnet(t, eng, scheduler.Config{Workers: workers},
		execution.Config{MaxInstructionsPerRound: 20_000, MaxInstructionsPerSlice: 350}, cubes)
	h := sha256.New()
	answered := 0
	pausedSeen := 0
	var back []bigfile.Response // routing's rejects for cubes that exist nowhere
	for i := 0; i < len(batches)+200 && (i < len(batches) || answered < want); i++ {
		var b []bigfile.Ingress
		if i < len(batches) {
			b = batches[i]
		}
		res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(1_700_000_000_000_000_000 + i),
			Ingress: b, Responses: back})
		back = nil
		for _, rq := range res.Requests {
			back = append(back, bigfile.Response{Originator: rq.Sender, Respondent: rq.Receiver, Callback: rq.Callback,
				Refund: rq.Cycles, Reject: bigfile.RejectDestinationInvalid, RejectMessage: "no such cube"})
		}
		if err != nil {
			t.Fatal(err)
		}
		answered += len(res.Ingress)
		for id := bigfile.CubeID(1); id <= bigfile.CubeID(cubes); id++ {
			if s.Paused(id) {
				pausedSeen++
			}
		}
		fmt.Fprintf(h, "round %d executed %d instructions %d\n", i, res.Executed, res.Instructions)
		for _, r := range res.Ingress {
			fmt.Fprintf(h, "%x %d %x %d %q\n", r.ID, r.Response.Kind, r.Response.Data, r.Response.Code, r.Response.Message)
		}
		for _, r := range res.Requests {
			fmt.Fprintf(h, "out %d %s %d\n", r.Sender, r.Receiver, r.Callback)
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return s.Hash(), out, answered, pausedSeen
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	cubes, messages, rounds := 100, 10_000, 50
	if testing.Short() {
		messages = 2_000
	}
	batches := workload(7, cubes, messages, rounds)
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	var first [2][32]byte
	for i, procs := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(procs)
		st, outs, answered := transcript(t, procs, batches, cubes, messages)
		if answered != messages {
			t.Fatalf("GOMAXPROCS %d: %d of %d ingress messages answered", procs, answered, messages)
		}
		if i == 0 {
			first = [2][32]byte{st, outs}
			continue
		}
		if st != first[0] || outs != first[1] {
			t.Fatalf("GOMAXPROCS %d: state %x outputs %x, want %x %x", procs, st, outs, first[0], first[1])
		}
	}
}

func TestCallChainAndMissingCallee(t *testing.T) {
	eng := executiontest.NewEngine()
	s := newSubnet(t, eng, scheduler.Config{}, execution.Config{}, 3)
	in := bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "work",
		Arg: workArg(2, 2, 0)}
	missing := bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "work",
		Arg: workArg(9, 1, 0), Nonce: []byte{1}}
	res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 1, Ingress: []bigfile.Ingress{in, missing}})
	if err != nil {
		t.Fatal(err)
	}
	// Cube 9 is not on this subnet: its request goes to routing and the
	// call stays open until an answer arrives.
	if len(res.Requests) != 1 || res.Requests[0].Receiver != bigfile.CubeID(9).Principal() {
		t.Fatalf("outgoing requests %+v", res.Requests)
	}
	// 1 → 2 → 2 (depth 2: cube 1 calls 2, which calls 2 again): all in
	// one round through in-subnet delivery.
	if len(res.Ingress) != 1 || res.Ingress[0].ID != in.ID() || res.Ingress[0].Response.Kind != execution.Replied {
		t.Fatalf("ingress results %+v", res.Ingress)
	}
	st, _ := s.Cube(2)
	if n := binary.LittleEndian.Uint64(st.Memory.Bytes()); n != 3 {
		t.Fatalf("cube 2 ran %d times, want 3 (two calls and one reply callback)", n)
	}
	// Routing delivers the other subnet's reject: the callback runs and
	// the ingress message is answered.
	rq := res.Requests[0]
	res, err = s.ExecuteRound(context.Background(), scheduler.Round{Time: 2, Responses: []bigfile.Response{{
		Originator: rq.Sender, Respondent: rq.Receiver, Callback: rq.Callback,
		Reject: bigfile.RejectDestinationInvalid, RejectMessage: "no such cube"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ingress) != 1 || string(res.Ingress[0].Response.Data) != "rejected" {
		t.Fatalf("ingress results %+v", res.Ingress)
	}
	if st, _ := s.Cube(1); len(st.CallContexts) != 0 || st.OpenCallContexts != 0 {
		t.Fatalf("cube 1 keeps %d contexts", len(st.CallContexts))
	}
}

func TestIngressToMissingOrStoppedCube(t *testing.T) {
	eng := executiontest.NewEngine()
	s := newSubnet(t, eng, scheduler.Config{}, execution.Config{}, 2)
	st, _ := s.Cube(2)
	stopped := *st
	stopped.Status = execution.Stopped
	s.SetCube(&stopped)
	res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 1, Ingress: []bigfile.Ingress{
		{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(5).Principal(), Method: "work", Arg: workArg(1, 0, 0)},
		{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(2).Principal(), Method: "work", Arg: workArg(1, 0, 0)},
		{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "work", Arg: workArg(2, 1, 0)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[execution.ErrorCode]int{}
	var replies []string
	for _, r := range res.Ingress {
		codes[r.Response.ErrorCode]++
		replies = append(replies, string(r.Response.Data))
	}
	if codes[execution.CodeCanisterNotFound] != 1 || codes[execution.CodeCanisterStopped] != 1 {
		t.Fatalf("codes %v", codes)
	}
	// Cube 1's call to the stopped cube is rejected; its reject callback
	// answers.
	if len(res.Ingress) != 3 || replies[2] != "rejected" {
		t.Fatalf("results %+v", res.Ingress)
	}
}

func TestBudgetSpreadsWorkFairly(t *testing.T) {
	// With a tiny budget one thread runs about one message per round; every
	// cube must still progress: the ones skipped go first next round.
	eng := executiontest.NewEngine()
	s := newSubnet(t, eng, scheduler.Config{Threads: 1}, execution.Config{MaxInstructionsPerRound: 1_000}, 4)
	var ins []bigfile.Ingress
	for i := range 4 {
		for j := range 3 {
			ins = append(ins, bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(i + 1).Principal(),
				Method: "work", Arg: workArg(1, 0, 2_000), Nonce: []byte{byte(i), byte(j)}})
		}
	}
	res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 1, Ingress: ins})
	if err != nil {
		t.Fatal(err)
	}
	if res.Executed != 1 {
		t.Fatalf("executed %d messages in a round whose budget one message exhausts", res.Executed)
	}
	seen := map[bigfile.CubeID]int{1: 1}
	for r := 2; r <= 4; r++ {
		if _, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(r)}); err != nil {
			t.Fatal(err)
		}
		for id := bigfile.CubeID(1); id <= 4; id++ {
			if p := s.Pending(id); p < 3 {
				seen[id] = 3 - p
			}
		}
	}
	// After four rounds each cube ran exactly one message.
	for id := bigfile.CubeID(1); id <= 4; id++ {
		if seen[id] != 1 {
			t.Fatalf("after 4 rounds cube %d ran %d messages, want 1 each (%v)", id, seen[id], seen)
		}
	}
}

func TestQueryReadsCertifiedSnapshot(t *testing.T) {
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update inc": func(c *executiontest.Call) error {
			c.Memory()[0]++
			return c.Reply(nil)
		},
		"canister_query get": func(c *executiontest.Call) error { return c.Reply([]byte{c.Memory()[0]}) },
	})
	out, _ := x.Execute(context.Background(), &execution.State{ID: 1}, execution.Input{Kind: execution.KindInstall, Wasm: code})
	s.SetCube(out.State)
	if _, err := s.Query(context.Background(), 1, execution.Input{Method: "get"}); err == nil {
		t.Fatal("query before any certified state succeeded")
	}
	s.Certify()
	inc := bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "inc"}
	if _, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 1, Ingress: []bigfile.Ingress{inc}}); err != nil {
		t.Fatal(err)
	}
	q := func() byte {
		out, err := s.Query(context.Background(), 1, execution.Input{Method: "get"})
		if err != nil || out.Response.Kind != execution.Replied {
			t.Fatalf("query: %v %+v", err, out.Response)
		}
		return out.Response.Data[0]
	}
	if v := q(); v != 0 {
		t.Fatalf("query saw %d before certification, want 0", v)
	}
	s.Certify()
	if v := q(); v != 1 {
		t.Fatalf("query saw %d after certification, want 1", v)
	}
}

func TestTimerFiresInRoundAfterDeadline(t *testing.T) {
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)
	code := eng.Cube(map[string]executiontest.Func{
		"canister_init": func(c *executiontest.Call) error {
			_, err := c.Invoke("global_timer_set", 100)
			return err
		},
		"canister_global_timer": func(c *executiontest.Call) error {
			t, err := c.Invoke("time")
			c.Memory()[0] = byte(t)
			return err
		},
	})
	out, _ := x.Execute(context.Background(), &execution.State{ID: 1}, execution.Input{Kind: execution.KindInstall, Wasm: code})
	s.SetCube(out.State)
	for _, now := range []bigfile.Time{50, 99, 120, 130} {
		if _, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: now}); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := s.Cube(1)
	if got := st.Memory.Bytes()[0]; got != 120 || st.GlobalTimer != 0 {
		t.Fatalf("timer ran at %d (timer now %d), want once at 120", got, st.GlobalTimer)
	}
}

func TestRawRandFromTape(t *testing.T) {
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update rand": func(c *executiontest.Call) error {
			return c.CallNew(bigfile.ManagementCube, "raw_rand", []byte("DIDL\x00\x00"), 0, "got", "got", 0)
		},
		"got": func(c *executiontest.Call) error {
			arg, err := c.Arg()
			if err != nil {
				return err
			}
			return c.Reply(arg)
		},
	})
	out, _ := x.Execute(context.Background(), &execution.State{ID: 1}, execution.Input{Kind: execution.KindInstall, Wasm: code})
	s.SetCube(out.State)
	seed := bigfile.Hash{1, 2, 3}
	res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 1, Randomness: seed, Ingress: []bigfile.Ingress{
		{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "rand"}}})
	if err != nil {
		t.Fatal(err)
	}
	var want [32]byte
	if _, err := scheduler.Tape(seed).Read(want[:]); err != nil {
		t.Fatal(err)
	}
	if len(res.Ingress) != 1 || !bytes.Equal(res.Ingress[0].Response.Data, append([]byte("DIDL\x01\x6d\x7b\x01\x00\x20"), want[:]...)) {
		t.Fatalf("raw_rand answer %+v", res.Ingress)
	}
}

func TestBestEffortDeadlineExpires(t *testing.T) {
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update ask": func(c *executiontest.Call) error {
			// Cube 9 is on another subnet; nobody answers in time.
			return c.CallBestEffort(bigfile.CubeID(9).Principal(), "m", nil, 10, "done", "done", 0)
		},
		"done": func(c *executiontest.Call) error {
			code, err := c.RejectCode()
			if err != nil {
				return err
			}
			return c.Reply([]byte{byte(code)})
		},
	})
	out, _ := x.Execute(context.Background(), &execution.State{ID: 1}, execution.Input{Kind: execution.KindInstall, Wasm: code})
	s.SetCube(out.State)
	const sec = bigfile.Time(1_000_000_000)
	in := bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "ask"}
	res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 100 * sec, Ingress: []bigfile.Ingress{in}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Requests) != 1 || res.Requests[0].Deadline != 110*sec {
		t.Fatalf("outgoing %+v, want one request with deadline 110 s", res.Requests)
	}
	rq := res.Requests[0]
	if res, _ = s.ExecuteRound(context.Background(), scheduler.Round{Time: 109 * sec}); len(res.Ingress) != 0 {
		t.Fatalf("answered before the deadline: %+v", res.Ingress)
	}
	res, _ = s.ExecuteRound(context.Background(), scheduler.Round{Time: 110 * sec})
	if len(res.Ingress) != 1 || res.Ingress[0].Response.Data[0] != byte(bigfile.RejectSysUnknown) {
		t.Fatalf("at the deadline: %+v, want the SYS_UNKNOWN reject", res.Ingress)
	}
	// The real answer arrives late and is dropped.
	res, err = s.ExecuteRound(context.Background(), scheduler.Round{Time: 111 * sec, Responses: []bigfile.Response{{
		Originator: 1, Respondent: rq.Receiver, Callback: rq.Callback, Deadline: rq.Deadline, Reply: []byte("late")}}})
	if err != nil || len(res.Ingress) != 0 || s.Pending(1) != 0 {
		t.Fatalf("late answer: %v %+v, %d pending", err, res.Ingress, s.Pending(1))
	}
}

// Queries run on the certified snapshot while rounds execute and while
// other queries run (go test -race checks the sharing).
func TestQueriesConcurrentWithRounds(t *testing.T) {
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update inc": func(c *executiontest.Call) error {
			c.Memory()[0]++
			return c.Reply(nil)
		},
		"canister_query get": func(c *executiontest.Call) error { return c.Reply([]byte{c.Memory()[0]}) },
	})
	for id := bigfile.CubeID(1); id <= 4; id++ {
		out, _ := x.Execute(context.Background(), &execution.State{ID: id}, execution.Input{Kind: execution.KindInstall, Wasm: code})
		s.SetCube(out.State)
	}
	s.Certify()
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for q := range 4 {
		go func() {
			last := byte(0)
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				out, err := s.Query(context.Background(), bigfile.CubeID(q%4+1), execution.Input{Method: "get"})
				if err != nil || out.Response.Kind != execution.Replied {
					errs <- fmt.Errorf("query: %v %+v", err, out.Response)
					return
				}
				// Certified states only move forward.
				if v := out.Response.Data[0]; v < last {
					errs <- fmt.Errorf("query went back from %d to %d", last, v)
					return
				} else {
					last = v
				}
			}
		}()
	}
	for r := 1; r <= 50; r++ {
		var ins []bigfile.Ingress
		for id := bigfile.CubeID(1); id <= 4; id++ {
			ins = append(ins, bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: id.Principal(), Method: "inc", Nonce: []byte{byte(r)}})
		}
		if _, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(r), Ingress: ins}); err != nil {
			t.Fatal(err)
		}
		s.Certify()
	}
	close(stop)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.Query(context.Background(), 3, execution.Input{Method: "get"})
	if err != nil || out.Response.Data[0] != 50 {
		t.Fatalf("final query %v %+v, want 50", err, out.Response)
	}
}

func TestHeartbeatEveryRound(t *testing.T) {
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	s, _ := scheduler.New(scheduler.Config{Heartbeat: true}, x)
	beat := eng.Cube(map[string]executiontest.Func{
		"canister_heartbeat": func(c *executiontest.Call) error {
			c.Memory()[0]++
			return nil
		},
	})
	quiet := eng.Cube(map[string]executiontest.Func{
		"canister_update x": func(c *executiontest.Call) error { return c.Reply(nil) },
	})
	for id, code := range map[bigfile.CubeID][]byte{1: beat, 2: quiet} {
		out, _ := x.Execute(context.Background(), &execution.State{ID: id}, execution.Input{Kind: execution.KindInstall, Wasm: code})
		s.SetCube(out.State)
	}
	for r := 1; r <= 3; r++ {
		res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(r)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Executed != 1 {
			t.Fatalf("round %d executed %d messages, want the one heartbeat", r, res.Executed)
		}
	}
	if st, _ := s.Cube(1); st.Memory.Bytes()[0] != 3 {
		t.Fatalf("heartbeat ran %d times, want 3", st.Memory.Bytes()[0])
	}
}

// Calls to a stopping or frozen cube are rejected with the IC's codes, and
// the caller's reject callback runs with the reject code and message.
func TestCallsToStoppingAndFrozenCubes(t *testing.T) {
	eng := executiontest.NewEngine()
	costs := execution.Costs{Subnet: execution.SubnetS4}
	x, _ := execution.New(execution.Config{Costs: costs}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)
	caller := eng.Cube(map[string]executiontest.Func{
		"canister_update ask": func(c *executiontest.Call) error {
			arg, err := c.Arg()
			if err != nil {
				return err
			}
			return c.CallNew(bigfile.CubeID(arg[0]).Principal(), "work", workArg(1, 0, 0), 0, "no", "no", 0)
		},
		"no": func(c *executiontest.Call) error {
			code, err := c.RejectCode()
			if err != nil {
				return err
			}
			n, err := c.Invoke("msg_reject_msg_size")
			if err != nil {
				return err
			}
			if _, err := c.Invoke("msg_reject_msg_copy", 0, 0, n); err != nil {
				return err
			}
			return c.Reply(append([]byte{byte(code)}, c.Memory()[:n]...))
		},
	})
	plain, _ := execution.New(execution.Config{}, eng) // installs without fees
	rich := bigfile.CyclesFromUint64(1_000_000_000_000_000)
	for id, code := range map[bigfile.CubeID][]byte{1: caller, 2: workCube(eng), 3: workCube(eng)} {
		out, err := plain.Execute(context.Background(), &execution.State{ID: id}, execution.Input{Kind: execution.KindInstall, Wasm: code})
		if err != nil || out.Err != nil {
			t.Fatal(err, out.Err)
		}
		st := *out.State
		st.Cycles = rich
		switch id {
		case 2:
			st.Status = execution.Stopping
		case 3:
			st.Cycles = bigfile.Cycles{} // frozen: cannot pay for anything
		}
		s.SetCube(&st)
	}
	for _, c := range []struct {
		target bigfile.CubeID
		code   bigfile.RejectCode
		text   string
	}{{2, bigfile.RejectCanisterError, "is stopping"}, {3, bigfile.RejectSysTransient, "out of cycles"}} {
		res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(c.target),
			Ingress: []bigfile.Ingress{ingress(1, "ask", []byte{byte(c.target)}, byte(c.target))}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Ingress) != 1 || res.Ingress[0].Response.Kind != execution.Replied {
			t.Fatalf("call to cube %d: %+v", c.target, res.Ingress)
		}
		got := res.Ingress[0].Response.Data
		if bigfile.RejectCode(got[0]) != c.code || !bytes.Contains(got[1:], []byte(c.text)) {
			t.Fatalf("call to cube %d rejected with %d %q, want %d and %q", c.target, got[0], got[1:], c.code, c.text)
		}
	}
}

func TestQueueLimit(t *testing.T) {
	eng := executiontest.NewEngine()
	// One thread whose budget one message of 2,000 instructions exhausts:
	// cube 2's queue does not drain while the test fills it.
	s := newSubnet(t, eng, scheduler.Config{Threads: 1, MaxQueueLength: 2},
		execution.Config{MaxInstructionsPerRound: 1_000}, 2)
	var ins []bigfile.Ingress
	for i := range 3 {
		ins = append(ins, ingress(2, "work", workArg(2, 0, 2_000), byte(i)))
	}
	res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 1, Ingress: ins})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ingress) != 2 || res.Ingress[0].ID != ins[2].ID() ||
		res.Ingress[0].Response.ErrorCode != execution.CodeCanisterQueueFull {
		t.Fatalf("results %+v, want the third message refused with IC0201 (and one executed)", res.Ingress)
	}
	// A request from another subnet finds the queue full again (one call
	// left, one new ingress message): routing gets a SYS_TRANSIENT reject
	// with the cycles back.
	rq := bigfile.Request{Sender: 77, Receiver: bigfile.CubeID(2).Principal(), Method: "work",
		Arg: workArg(2, 0, 0), Cycles: bigfile.CyclesFromUint64(5), Callback: 3}
	res, err = s.ExecuteRound(context.Background(), scheduler.Round{Time: 2,
		Ingress: []bigfile.Ingress{ingress(2, "work", workArg(2, 0, 2_000), 9)}, Requests: []bigfile.Request{rq}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Responses) != 1 || res.Responses[0].Reject != bigfile.RejectSysTransient ||
		res.Responses[0].Refund != rq.Cycles || res.Responses[0].Callback != 3 || res.Responses[0].Originator != 77 {
		t.Fatalf("responses %+v, want the request rejected as the queue is full", res.Responses)
	}
}

// A composite query calls query methods of two other cubes in turn and
// adds their answers, on the certified snapshot; its scratch state never
// becomes the cube's state.
func TestCompositeQuery(t *testing.T) {
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)
	leaf := func(v byte) []byte {
		return eng.Cube(map[string]executiontest.Func{
			"canister_query get": func(c *executiontest.Call) error { return c.Reply([]byte{v}) },
		})
	}
	sum := eng.Cube(map[string]executiontest.Func{
		"canister_composite_query sum": func(c *executiontest.Call) error {
			return c.CallNew(bigfile.CubeID(2).Principal(), "get", nil, 0, "first", "failed", 0)
		},
		"canister_composite_query missing": func(c *executiontest.Call) error {
			return c.CallNew(bigfile.CubeID(99).Principal(), "get", nil, 0, "first", "failed", 0)
		},
		"first": func(c *executiontest.Call) error {
			arg, err := c.Arg()
			if err != nil {
				return err
			}
			c.Memory()[0] = arg[0]
			return c.CallNew(bigfile.CubeID(3).Principal(), "get", nil, 0, "second", "failed", 0)
		},
		"second": func(c *executiontest.Call) error {
			arg, err := c.Arg()
			if err != nil {
				return err
			}
			return c.Reply([]byte{c.Memory()[0] + arg[0]})
		},
		"failed": func(c *executiontest.Call) error {
			code, err := c.RejectCode()
			if err != nil {
				return err
			}
			return c.Reply([]byte{0xff, byte(code)})
		},
	})
	for id, code := range map[bigfile.CubeID][]byte{1: sum, 2: leaf(20), 3: leaf(22)} {
		out, _ := x.Execute(context.Background(), &execution.State{ID: id}, execution.Input{Kind: execution.KindInstall, Wasm: code})
		s.SetCube(out.State)
	}
	s.Certify()
	before, _ := s.Cube(1)
	out, err := s.Query(context.Background(), 1, execution.Input{Method: "sum"})
	if err != nil || out.Response.Kind != execution.Replied || out.Response.Data[0] != 42 {
		t.Fatalf("sum = %v %+v, want 42", err, out.Response)
	}
	if after, _ := s.Cube(1); after != before || out.State != before {
		t.Fatal("the composite query changed the cube's state")
	}
	out, err = s.Query(context.Background(), 1, execution.Input{Method: "missing"})
	if err != nil || !bytes.Equal(out.Response.Data, []byte{0xff, byte(bigfile.RejectDestinationInvalid)}) {
		t.Fatalf("missing = %v %+v, want the reject callback with DESTINATION_INVALID", err, out.Response)
	}
	// A composite query cannot be called as an update.
	res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 1, Ingress: []bigfile.Ingress{
		ingress(1, "sum", nil, 1)}})
	if err != nil || len(res.Ingress) != 1 || res.Ingress[0].Response.ErrorCode != execution.CodeCompositeQueryCalledInReplicatedMode {
		t.Fatalf("sum as an update: %v %+v", err, res.Ingress)
	}
}

// Idle cubes pay for their storage as batch time passes; one that cannot
// pay is uninstalled.
func TestIdleCharging(t *testing.T) {
	eng := executiontest.NewEngine()
	costs := execution.Costs{Subnet: execution.SubnetS4}
	x, _ := execution.New(execution.Config{Costs: costs}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)
	plain, _ := execution.New(execution.Config{}, eng)
	code := workCube(eng)
	for id, cycles := range map[bigfile.CubeID]uint64{1: 1_000_000_000_000, 2: 1} {
		out, _ := plain.Execute(context.Background(), &execution.State{ID: id}, execution.Input{Kind: execution.KindInstall, Wasm: code})
		st := *out.State
		st.Cycles = bigfile.CyclesFromUint64(cycles)
		s.SetCube(&st)
	}
	const minute = bigfile.Time(60_000_000_000)
	for r := bigfile.Time(1); r <= 4; r++ {
		if _, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: 1_700_000_000_000_000_000 + r*minute}); err != nil {
			t.Fatal(err)
		}
	}
	rich, _ := s.Cube(1)
	poor, _ := s.Cube(2)
	// The first round starts the clock; three charges of a minute follow.
	perMinute := costs.StorageCost(rich.MemoryUsage(), time.Minute)
	want := bigfile.CyclesFromUint64(1_000_000_000_000).Sub(perMinute).Sub(perMinute).Sub(perMinute)
	if rich.Cycles != want || perMinute.IsZero() {
		t.Fatalf("rich cube has %s after 3 charged minutes, want %s", rich.Cycles, want)
	}
	if poor.Wasm != nil {
		t.Fatal("a cube that cannot pay for its storage kept its code")
	}
}
