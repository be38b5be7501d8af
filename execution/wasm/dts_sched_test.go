package wasm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// spinLoopWAT spins for iters iterations of a loop, then replies.
func spinLoopWAT(t testing.TB, iters int64) []byte {
	return probe(t, false, map[string]string{
		"canister_update spin": fmt.Sprintf(`
    (local $i i64)
    (loop $l
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (i64.const %d))))
    (i32.store (i32.const 0) (i32.const 1))
    (call $msg_reply)`, iters),
		"canister_update ping": "(call $msg_reply)",
	}, "")
}

// testSpinRounds runs a spinning cube (1) next to three cubes receiving a
// ping every round, on the wasmtime engine with slice = round budget =
// slice instructions, and checks that the spin completes in the round the
// slice arithmetic predicts from its instruction count (measured by a
// straight run), that the others answer every round, and that aborting it
// at a checkpoint and restarting gives the same final state.
func testSpinRounds(t *testing.T, slice uint64, iters int64, want int) {
	cfg := execution.Config{MaxInstructionsPerSlice: slice, MaxInstructionsPerRound: slice}
	mod := spinLoopWAT(t, iters)
	// The instruction count, from a straight run.
	ref := newCube(t, newExecutor(t, cfg))
	ref.mustInstall(mod)
	n := ref.update("spin", nil).Instructions
	predicted := int((n + slice - 1) / slice)
	if predicted != want {
		t.Fatalf("spin of %d instructions at %d per slice: %d slices, the test expects %d", n, slice, predicted, want)
	}
	run := func(abortAfter int) (*execution.State, int) {
		x := newExecutor(t, cfg)
		s, err := scheduler.New(scheduler.Config{}, x)
		if err != nil {
			t.Fatal(err)
		}
		for id := bigfile.CubeID(1); id <= 4; id++ {
			out, err := x.Execute(context.Background(), &execution.State{ID: id},
				execution.Input{Kind: execution.KindInstall, Wasm: mod, Arg: didlEmpty, Time: 1})
			if err != nil || out.Err != nil {
				t.Fatal(err, out.Err)
			}
			s.SetCube(out.State)
		}
		spin := bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "spin"}
		done := 0
		for r := 1; r <= predicted+abortAfter+2 && done == 0; r++ {
			ins := []bigfile.Ingress{}
			if r == 1 {
				ins = append(ins, spin)
			}
			for id := bigfile.CubeID(2); id <= 4; id++ {
				ins = append(ins, bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: id.Principal(), Method: "ping",
					Nonce: []byte{byte(r)}})
			}
			res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(r + 1), Ingress: ins})
			if err != nil {
				t.Fatal(err)
			}
			pings := 0
			for _, a := range res.Ingress {
				if a.ID == spin.ID() {
					done = r
				} else {
					pings++
				}
			}
			if pings != 3 && r > 1 {
				t.Fatalf("round %d answered %d pings, want 3 (other cubes keep executing)", r, pings)
			}
			if r == abortAfter {
				s.AbortPaused()
			}
		}
		st, _ := s.Cube(1)
		return st, done
	}
	straight, round := run(0)
	if round != predicted {
		t.Fatalf("spin of %d instructions at %d per slice completed in round %d, want %d", n, slice, round, predicted)
	}
	restarted, round := run(2)
	if round != predicted+2 {
		t.Fatalf("spin aborted after round 2 completed in round %d, want %d", round, predicted+2)
	}
	if straight.Hash() != restarted.Hash() {
		t.Fatal("aborting and restarting the spin changed the final state")
	}
}

// A spin of about 410 million instructions (8 per iteration) at 20
// million per slice: 21 slices. (The engine pauses at its first fuel check
// past a boundary, so a spin ending a few instructions past a multiple of
// the slice would finish one slice earlier; these counts stay clear of
// that.)
func TestTimeSlicingRoundsWasm(t *testing.T) { testSpinRounds(t, 20_000_000, 51_250_000, 21) }

// The acceptance run: about 15 billion instructions at the default 2
// billion per slice (completes in round 8), three times (reference,
// straight, aborted and restarted): about 6 s; skipped with -short.
func TestTimeSlicing15BillionWasm(t *testing.T) {
	if testing.Short() {
		t.Skip("the 15-billion-instruction spin takes seconds")
	}
	testSpinRounds(t, 2_000_000_000, 1_875_000_000, 8)
}
