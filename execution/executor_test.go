package execution_test

import (
	"context"
	"errors"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
)

// These tests run the executor on the scripted engine: no Wasm, no cgo.

func run(t *testing.T, x *execution.Executor, st *execution.State, in execution.Input) execution.Output {
	t.Helper()
	out, err := x.Execute(context.Background(), st, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExecutorLimitsAndRules(t *testing.T) {
	eng := executiontest.NewEngine()
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update spin": func(c *executiontest.Call) error { return c.Burn(1 << 40) },
		"canister_query q":     func(c *executiontest.Call) error { return c.Reply(nil) },
		"canister_init":        func(c *executiontest.Call) error { return c.Print("init") },
	})
	x, err := execution.New(execution.Config{MaxInstructionsPerMessage: 1000, MaxInstructionsPerSlice: 100}, eng)
	if err != nil {
		t.Fatal(err)
	}
	st := &execution.State{ID: 3}
	out := run(t, x, st, execution.Input{Kind: execution.KindInstall, Wasm: code})
	if out.Err != nil || len(out.State.Log.Records) != 1 {
		t.Fatalf("install: %v, log %+v", out.Err, out.State.Log)
	}
	st = out.State
	out = run(t, x, st, execution.Input{Kind: execution.KindUpdate, Method: "spin"})
	if out.Err == nil || out.Err.Code != execution.CodeCanisterInstructionLimitExceed || out.Instructions != 1000 {
		t.Fatalf("spin: %v after %d instructions", out.Err, out.Instructions)
	}
	// A query method called as an update runs in replicated mode: it
	// replies, and the version moves on.
	out = run(t, x, st, execution.Input{Kind: execution.KindUpdate, Method: "q"})
	if out.Err != nil || out.Response.Kind != execution.Replied || out.State.Version != st.Version+1 {
		t.Fatalf("query as update: %+v", out)
	}
	// No heartbeat or inspect_message exported: nothing runs, the message
	// is accepted.
	if out := run(t, x, st, execution.Input{Kind: execution.KindHeartbeat}); out.Err != nil || out.State != st {
		t.Fatalf("heartbeat: %+v", out)
	}
	if out := run(t, x, st, execution.Input{Kind: execution.KindInspectMessage, Method: "spin"}); !out.Accepted {
		t.Fatal("inspect without canister_inspect_message did not accept")
	}
	// Scripted modules do not declare enhanced orthogonal persistence, so
	// keep is refused and the upgrade leaves the cube as it was.
	out = run(t, x, st, execution.Input{Kind: execution.KindUpgrade, Wasm: code, Persistence: execution.PersistenceKeep})
	if out.Err == nil || out.Err.Code != execution.CodeCanisterContractViolation || out.State != st {
		t.Fatalf("keep without EOP: %+v", out)
	}
	if _, err := x.Execute(context.Background(), st, execution.Input{}); !errors.Is(err, execution.ErrInvalidInput) {
		t.Fatalf("zero input: %v", err)
	}
	if _, err := execution.New(execution.Config{}, nil); !errors.Is(err, execution.ErrNoEngine) {
		t.Fatalf("nil engine: %v", err)
	}
}

func TestErrorFormat(t *testing.T) {
	e := &execution.Error{Code: execution.CodeCanisterCalledTrap, Cube: bigfile.CubeID(1), Message: "boom"}
	if got, want := e.Error(), "IC0503: Error from Canister rrkah-fqaaa-aaaaa-aaaaq-cai: boom"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if e.Code.RejectCode() != bigfile.RejectCanisterError {
		t.Fatal("IC05xx must map to CANISTER_ERROR")
	}
}

func TestLiveInstanceBound(t *testing.T) {
	eng := executiontest.NewEngine()
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update inc": func(c *executiontest.Call) error {
			c.Memory()[0]++
			return c.Reply(c.Memory()[:1])
		},
	})
	x, err := execution.New(execution.Config{MaxLiveInstances: 2}, eng)
	if err != nil {
		t.Fatal(err)
	}
	// Five cubes round robin through two live instances: evicted cubes
	// are restored from their States, so the counts stay right.
	states := make([]*execution.State, 5)
	for i := range states {
		states[i] = run(t, x, &execution.State{ID: bigfile.CubeID(i + 1)}, execution.Input{Kind: execution.KindInstall, Wasm: code}).State
	}
	for round := 1; round <= 3; round++ {
		for i := range states {
			out := run(t, x, states[i], execution.Input{Kind: execution.KindUpdate, Method: "inc"})
			if out.Err != nil || out.Response.Data[0] != byte(round) {
				t.Fatalf("cube %d round %d: %+v", i, round, out)
			}
			states[i] = out.State
		}
	}
}

func TestCompositeQuery(t *testing.T) {
	eng := executiontest.NewEngine()
	code := eng.Cube(map[string]executiontest.Func{
		"canister_composite_query cq": func(c *executiontest.Call) error {
			c.Invoke("global_timer_set", 1) // traps: not allowed in composite queries
			return c.Reply([]byte("composite"))
		},
		"canister_composite_query ok": func(c *executiontest.Call) error {
			return c.Reply([]byte("composite"))
		},
	})
	x, err := execution.New(execution.Config{}, eng)
	if err != nil {
		t.Fatal(err)
	}
	st := run(t, x, &execution.State{ID: 4}, execution.Input{Kind: execution.KindInstall, Wasm: code}).State
	out := run(t, x, st, execution.Input{Kind: execution.KindQuery, Method: "cq"})
	if out.Err == nil || out.Err.Code != execution.CodeCanisterContractViolation {
		t.Fatalf("timer in composite query: %+v", out)
	}
	if out := run(t, x, st, execution.Input{Kind: execution.KindQuery, Method: "ok"}); string(out.Response.Data) != "composite" {
		t.Fatalf("composite query: %+v", out)
	}
	out = run(t, x, st, execution.Input{Kind: execution.KindUpdate, Method: "cq"})
	if out.Err == nil || out.Err.Code != execution.CodeCompositeQueryCalledInReplicatedMode {
		t.Fatalf("composite query as update: %+v", out.Err)
	}
}
