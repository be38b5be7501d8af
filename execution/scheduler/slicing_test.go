package scheduler_test

import (
	"context"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// spinSubnet is cube 1 with "spin" (15 billion instructions, then a
// reply) and "quick", and cubes 2..5 with workCube's "work", on the
// default limits: 2 billion instructions per slice and per thread and
// round, 20 billion per message.
func spinSubnet(t *testing.T, workers int) *scheduler.Scheduler {
	t.Helper()
	eng := executiontest.NewEngine()
	s := newSubnet(t, eng, scheduler.Config{Workers: workers}, execution.Config{}, 5)
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update spin": func(c *executiontest.Call) error {
			if err := c.Burn(15_000_000_000); err != nil {
				return err
			}
			c.Memory()[0]++
			return c.Reply([]byte("spun"))
		},
		"canister_update quick": func(c *executiontest.Call) error { return c.Reply([]byte("quick")) },
	})
	st, _ := s.Cube(1)
	out, err := s.Executor().Execute(context.Background(), st, execution.Input{Kind: execution.KindReinstall, Wasm: code})
	if err != nil || out.Err != nil {
		t.Fatal(err, out.Err)
	}
	s.SetCube(out.State)
	return s
}

func ingress(to bigfile.CubeID, method string, arg []byte, nonce byte) bigfile.Ingress {
	return bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: to.Principal(), Method: method, Arg: arg, Nonce: []byte{nonce}}
}

// runSpin runs rounds 1..n: round 1 sends spin to cube 1, round 2 sends
// quick to cube 1, every round sends work to cubes 2..5. It returns the
// round each of spin and quick was answered in and the work answers per
// round. abortAt > 0 makes that round a checkpoint, which aborts paused
// executions.
func runSpin(t *testing.T, s *scheduler.Scheduler, n, abortAt int) (spinRound, quickRound int, work []int) {
	t.Helper()
	spin, quick := ingress(1, "spin", nil, 0), ingress(1, "quick", nil, 1)
	for r := 1; r <= n; r++ {
		var ins []bigfile.Ingress
		switch r {
		case 1:
			ins = append(ins, spin)
		case 2:
			ins = append(ins, quick)
		}
		for id := bigfile.CubeID(2); id <= 5; id++ {
			ins = append(ins, ingress(id, "work", workArg(id, 0, 1000), byte(r)))
		}
		res, err := s.ExecuteRound(context.Background(), scheduler.Round{Time: bigfile.Time(r), Ingress: ins,
			Checkpoint: r == abortAt})
		if err != nil {
			t.Fatal(err)
		}
		w := 0
		for _, a := range res.Ingress {
			switch a.ID {
			case spin.ID():
				spinRound = r
				if string(a.Response.Data) != "spun" {
					t.Fatalf("spin answered %+v", a.Response)
				}
			case quick.ID():
				quickRound = r
			default:
				w++
			}
		}
		work = append(work, w)
	}
	return spinRound, quickRound, work
}

func TestTimeSlicingCompletesInPredictedRound(t *testing.T) {
	for _, run := range []int{1, 2, 8} { // workers
		s := spinSubnet(t, run)
		spinRound, quickRound, work := runSpin(t, s, 10, 0)
		// 15 billion instructions (plus the reply's two System API calls)
		// at 2 billion per slice and one slice per round: 8 slices, so
		// rounds 1..8.
		if spinRound != 8 {
			t.Fatalf("workers %d: spin completed in round %d, want 8", run, spinRound)
		}
		// quick waited behind the paused execution, then ran in the same
		// round once budget remained.
		if quickRound != 8 {
			t.Fatalf("workers %d: quick answered in round %d, want 8", run, quickRound)
		}
		// Other cubes keep executing: in round 1 spin's first slice uses
		// up its thread, so the cube dealt after it there waits one round
		// (3 answers, then 5); from round 2 the paused execution has a
		// thread to itself and all four cubes run every round.
		for r, w := range work {
			want := 4
			switch r + 1 {
			case 1:
				want = 3
			case 2:
				want = 5
			}
			if w != want {
				t.Fatalf("workers %d: round %d answered %d work messages, want %d (%v)", run, r+1, w, want, work)
			}
		}
	}
}

func TestAbortAtCheckpointRestartsDeterministically(t *testing.T) {
	straight := spinSubnet(t, 1)
	runSpin(t, straight, 12, 0)
	aborted := spinSubnet(t, 2)
	spinRound, _, _ := runSpin(t, aborted, 12, 3)
	// Aborted after round 3, restarted in round 4: 8 more slices.
	if spinRound != 11 {
		t.Fatalf("restarted spin completed in round %d, want 11", spinRound)
	}
	a, _ := straight.Cube(1)
	b, _ := aborted.Cube(1)
	if a.Hash() != b.Hash() {
		t.Fatal("cube 1's state after an aborted and restarted execution differs from a straight run")
	}
	if straight.Paused(1) || aborted.Paused(1) {
		t.Fatal("an execution is still paused")
	}
}
