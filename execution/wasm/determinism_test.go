package wasm_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// workWAT is a WAT cube for workloads. "work" takes [callee principal (10
// bytes)][depth u8][burn u32]: it loops burn times, mixes the argument
// into a running value, and replies with its counter, or with depth > 0
// calls the callee's "work" with depth-1 and answers from its callbacks
// (which mix the answer in too).
func workWAT(t testing.TB) []byte {
	return probe(t, false, map[string]string{
		"canister_update work": `
    (local $i i32)
    (if (i32.ne (call $msg_arg_data_size) (i32.const 15)) (then unreachable))
    (call $msg_arg_data_copy (i32.const 100) (i32.const 0) (i32.const 15))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.load (i32.const 111)))))
    (i64.store (i32.const 0) (i64.add (i64.load (i32.const 0)) (i64.const 1)))
    (i64.store (i32.const 8) (i64.add (i64.mul (i64.xor (i64.load (i32.const 8)) (i64.load (i32.const 100)))
      (i64.const 0x100000001b3)) (i64.load8_u (i32.const 110))))
    (if (i32.eqz (i32.load8_u (i32.const 110)))
      (then
        (call $msg_reply_data_append (i32.const 0) (i32.const 8))
        (call $msg_reply)
        (return)))
    (memory.copy (i32.const 200) (i32.const 100) (i32.const 15))
    (i32.store8 (i32.const 210) (i32.sub (i32.load8_u (i32.const 110)) (i32.const 1)))
    (call $call_new (i32.const 200) (i32.const 10) (i32.const 300) (i32.const 4)
      (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))
    (call $call_data_append (i32.const 200) (i32.const 15))
    (drop (call $call_perform))`,
	}, `
  (data (i32.const 300) "work")
  (table 2 funcref)
  (elem (i32.const 0) $on_reply $on_reject)
  (func $on_reply (param $env i32)
    (call $msg_arg_data_copy (i32.const 400) (i32.const 0) (i32.const 8))
    (i64.store (i32.const 8) (i64.mul (i64.xor (i64.load (i32.const 8)) (i64.load (i32.const 400)))
      (i64.const 0x100000001b3)))
    (call $msg_reply_data_append (i32.const 8) (i32.const 8))
    (call $msg_reply))
  (func $on_reject (param $env i32)
    (i64.store (i32.const 8) (i64.xor (i64.load (i32.const 8)) (i64.extend_i32_u (call $msg_reject_code))))
    (call $msg_reply_data_append (i32.const 8) (i32.const 8))
    (call $msg_reply))`)
}

// The acceptance workload on wasmtime: 10,000 random messages (a third of
// them calling other cubes, chains up to depth 3, some to cubes that do not
// exist) over 100 WAT cubes, with slices small enough that some executions
// pause; GOMAXPROCS (and workers) 1, 2 and 8 must give byte-identical state
// hashes and outputs.
func TestDeterministicWorkloadWasm(t *testing.T) {
	const cubes, rounds = 100, 50
	messages := 10_000
	if testing.Short() {
		messages = 2_000
	}
	mod := workWAT(t)
	rng := rand.New(rand.NewPCG(11, 3))
	batches := make([][]bigfile.Ingress, rounds)
	for i := range messages {
		recv := bigfile.CubeID(1 + rng.IntN(cubes))
		target := bigfile.CubeID(1 + rng.IntN(cubes+2))
		depth := byte(0)
		if rng.IntN(3) == 0 {
			depth = byte(1 + rng.IntN(3))
		}
		arg := append(target.Principal().Bytes(), depth)
		arg = binary.LittleEndian.AppendUint32(arg, uint32(rng.IntN(20_000)))
		batches[i*rounds/messages] = append(batches[i*rounds/messages], bigfile.Ingress{Sender: bigfile.Anonymous,
			Receiver: recv.Principal(), Method: "work", Arg: arg, Nonce: binary.BigEndian.AppendUint64(nil, uint64(i))})
	}
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	var first string
	for _, procs := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(procs)
		x := newExecutor(t, execution.Config{MaxInstructionsPerSlice: 100_000, MaxInstructionsPerRound: 2_000_000})
		s, err := scheduler.New(scheduler.Config{Workers: procs}, x)
		if err != nil {
			t.Fatal(err)
		}
		for id := bigfile.CubeID(1); id <= cubes; id++ {
			out, err := x.Execute(context.Background(), &execution.State{ID: id},
				execution.Input{Kind: execution.KindInstall, Wasm: mod, Arg: didlEmpty, Time: 1})
			if err != nil || out.Err != nil {
				t.Fatal(err, out.Err)
			}
			s.SetCube(out.State)
		}
		h := sha256.New()
		answered, paused, replied := 0, 0, 0
		var back []bigfile.Response
		for r := 0; r < rounds+300 && (r < rounds || answered < messages); r++ {
			var ins []bigfile.Ingress
			if r < rounds {
				ins = batches[r]
			}
			res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(2 + r), Ingress: ins, Responses: back})
			if err != nil {
				t.Fatal(err)
			}
			back = nil
			for _, rq := range res.Requests {
				back = append(back, bigfile.Response{Originator: rq.Sender, Respondent: rq.Receiver, Callback: rq.Callback,
					Reject: bigfile.RejectDestinationInvalid, RejectMessage: "no such cube"})
			}
			answered += len(res.Ingress)
			fmt.Fprintf(h, "round %d: %d executions, %d instructions\n", r, res.Executed, res.Instructions)
			for _, a := range res.Ingress {
				if a.Response.Kind == execution.Replied {
					replied++
				}
				fmt.Fprintf(h, "%x %d %x %d %s\n", a.ID, a.Response.Kind, a.Response.Data, a.Response.Code, a.Response.Message)
			}
			for id := bigfile.CubeID(1); id <= cubes; id++ {
				if s.Paused(id) {
					paused++
				}
			}
		}
		if answered != messages {
			t.Fatalf("GOMAXPROCS %d: %d of %d messages answered", procs, answered, messages)
		}
		if replied != messages {
			t.Fatalf("GOMAXPROCS %d: %d of %d messages replied to", procs, replied, messages)
		}
		if paused == 0 {
			t.Fatal("no execution paused: the workload does not exercise time slicing")
		}
		st := s.Hash()
		got := fmt.Sprintf("%x %x", st, h.Sum(nil))
		if first == "" {
			first = got
		} else if got != first {
			t.Fatalf("GOMAXPROCS %d: state and output digests %s, want %s", procs, got, first)
		}
	}
}
