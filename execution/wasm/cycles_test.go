package wasm_test

import (
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
)

// TestCyclesFeeTable runs one fixed ingress update (a WAT counter) on
// every subnet type and several sizes and checks the charge against the
// fee table's arithmetic, written out here independently of the
// implementation: storage for 10 s, the ingress fee and the execution fee
// of the instructions used, each scaled by nodes/13 (multiply first).
func TestCyclesFeeTable(t *testing.T) {
	types := []execution.SubnetType{execution.SubnetS28, execution.SubnetS4, execution.SubnetPHSES28,
		execution.SubnetPHSES4, execution.SubnetPHAMG1S28, execution.SubnetPHAMG1S4}
	for _, mem64 := range []bool{false, true} {
		mod := probe(t, mem64, map[string]string{"canister_update inc": `
			(P.store (P.const 64) (P.add (P.load (P.const 64)) (P.const 1)))
			(call $msg_reply)`}, "")
		for _, typ := range types {
			for _, nodes := range []int{0, 13, 34} {
				n := uint64(nodes)
				if n == 0 {
					n = uint64(typ.Nodes())
				}
				run := func() (execution.Output, uint64) {
					x := newExecutor(t, execution.Config{Costs: execution.Costs{Subnet: typ, Nodes: nodes}})
					c := newCube(t, x)
					c.st.Cycles = bigfile.CyclesFromUint64(10_000_000_000_000)
					c.st.FreezingThreshold = execution.DefaultFreezingThreshold
					c.mustInstall(mod)
					st := *c.st
					st.Cycles = bigfile.CyclesFromUint64(10_000_000_000_000)
					st.StorageChargedUntil = c.tm
					c.st = &st
					usage := st.MemoryUsage()
					out := c.exec(execution.Input{Kind: execution.KindUpdate, Method: "inc", Arg: didlEmpty,
						Ingress: true, Time: c.tm + bigfile.Time(10*time.Second)})
					reply(t, out)
					return out, usage
				}
				out, usage := run()
				ins := out.Instructions
				rate := map[bool]uint64{false: 1, true: 2}[mem64]
				num, den := uint64(1), uint64(1)
				if typ == execution.SubnetPHSES28 || typ == execution.SubnetPHSES4 {
					num, den = 3, 2
				}
				exec := (5_000_000 + ins*10*rate*num/(10*den)) * n / 13
				ingress := (1_200_000 + 2_000*uint64(len("inc")+len(didlEmpty))) * n / 13
				storage := usage * 10 * 127_000 / (1 << 30) * n / 13
				want := exec + ingress + storage
				if got, ok := out.Charged.Uint64(); !ok || got != want {
					t.Errorf("%s nodes=%d mem64=%v: charged %s, want %d (exec %d + ingress %d + storage %d)",
						typ, n, mem64, out.Charged, want, exec, ingress, storage)
				}
				if bal, _ := out.State.Cycles.Uint64(); bal != 10_000_000_000_000-want {
					t.Errorf("%s: balance %d, want %d", typ, bal, 10_000_000_000_000-want)
				}
				// Identical across runs (fresh executors).
				if again, _ := run(); again.Charged != out.Charged || again.Instructions != ins {
					t.Errorf("%s: second run charged %s (%d instructions), first %s (%d)", typ,
						again.Charged, again.Instructions, out.Charged, ins)
				}
			}
		}
	}
}

// TestCyclesFree checks that a fee-free system subnet and the zero Costs
// charge nothing, and that only S28 may be fee-free.
func TestCyclesFree(t *testing.T) {
	for _, costs := range []execution.Costs{{}, {Subnet: execution.SubnetS28, Free: true}} {
		x := newExecutor(t, execution.Config{Costs: costs})
		c := newCube(t, x)
		c.st.Cycles = bigfile.CyclesFromUint64(1)
		c.mustInstall(probe(t, false, map[string]string{"canister_update go": replyMem(0)}, ""))
		out := c.exec(execution.Input{Kind: execution.KindUpdate, Method: "go", Ingress: true})
		reply(t, out)
		if !out.Charged.IsZero() || out.State.Cycles != bigfile.CyclesFromUint64(1) {
			t.Errorf("%+v: charged %s, balance %s", costs, out.Charged, out.State.Cycles)
		}
	}
	if _, err := execution.New(execution.Config{Costs: execution.Costs{Subnet: execution.SubnetS4, Free: true}},
		engine(t)); err == nil {
		t.Error("a fee-free S4 subnet was accepted")
	}
}

// TestFrozenCubeRejects checks that a cube below its freezing threshold
// rejects new calls with IC0207 (SYS_TRANSIENT) and runs nothing, and
// works again after a top-up.
func TestFrozenCubeRejects(t *testing.T) {
	x := newExecutor(t, execution.Config{Costs: execution.Costs{Subnet: execution.SubnetS4}})
	c := newCube(t, x)
	c.st.Cycles = bigfile.CyclesFromUint64(1_000_000_000_000)
	c.st.FreezingThreshold = execution.DefaultFreezingThreshold
	c.mustInstall(probe(t, false, map[string]string{"canister_update go": replyMem(0)}, ""))
	reply(t, c.exec(execution.Input{Kind: execution.KindUpdate, Method: "go", Ingress: true}))
	// A huge freezing threshold puts the freezing limit above the balance.
	st := *c.st
	st.FreezingThreshold = 1 << 40
	c.st = &st
	if frozen, _ := x.Frozen(c.st); !frozen {
		t.Fatal("not frozen")
	}
	before := c.st
	out := c.exec(execution.Input{Kind: execution.KindUpdate, Method: "go", Ingress: true})
	wantErr(t, out, execution.CodeCanisterOutOfCycles, "is out of cycles: please top up the canister with at least")
	if out.Response.Code != bigfile.RejectCode(2) || out.Instructions != 0 {
		t.Fatalf("reject code %d, instructions %d", out.Response.Code, out.Instructions)
	}
	if out.State.Cycles != before.Cycles || out.State.Version != before.Version {
		t.Fatalf("a frozen cube was charged or changed: %s -> %s", before.Cycles, out.State.Cycles)
	}
	st = *c.st
	st.FreezingThreshold = execution.DefaultFreezingThreshold
	c.st = &st
	reply(t, c.exec(execution.Input{Kind: execution.KindUpdate, Method: "go", Ingress: true}))
}
