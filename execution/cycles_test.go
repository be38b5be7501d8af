package execution_test

import (
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
)

// TestCostsReferenceValues checks the fee arithmetic against the scaled
// values the reference lists for a 34-node subnet (system-api.md §4.3).
func TestCostsReferenceValues(t *testing.T) {
	c := execution.Costs{Subnet: execution.SubnetS28, Nodes: 34}
	u := func(x bigfile.Cycles) uint64 { v, _ := x.Uint64(); return v }
	for _, tc := range []struct {
		name      string
		got, want uint64
	}{
		{"creation", u(c.CreateCost()), 1_307_692_307_692},
		{"base fee", u(c.ExecutionCost(0, false)), 13_076_923},
		{"base + 1 B instructions", u(c.ExecutionCost(1_000_000_000, false)), (5_000_000 + 1_000_000_000) * 34 / 13},
		{"1 B instructions alone", u(c.ExecutionCost(1_000_000_000, false)) - u(c.ExecutionCost(0, false)), 2_615_384_615},
		{"storage GiB·s", u(c.StorageCost(1<<30, time.Second)), 332_153},
		{"wasm64", u(c.ExecutionCost(1_000_000_000, true)), (5_000_000 + 2_000_000_000) * 34 / 13},
		{"ingress 100 B", u(c.IngressCost(100)), (1_200_000 + 200_000) * 34 / 13},
		{"PHSE instructions", u(execution.Costs{Subnet: execution.SubnetPHSES28, Nodes: 34}.ExecutionCost(1_000_000_000, false)),
			(5_000_000 + 1_500_000_000) * 34 / 13},
		{"PHSE wasm64", u(execution.Costs{Subnet: execution.SubnetPHSES4}.ExecutionCost(1_000_000_001, true)),
			(5_000_000 + 1_000_000_001*3) * 4 / 13},
		{"fee-free", u(execution.Costs{Subnet: execution.SubnetS28, Free: true}.ExecutionCost(1e9, false)), 0},
		{"no rules", u(execution.Costs{}.CreateCost()), 0},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	for _, typ := range []execution.SubnetType{execution.SubnetS28, execution.SubnetS4, execution.SubnetPHSES28,
		execution.SubnetPHSES4, execution.SubnetPHAMG1S28, execution.SubnetPHAMG1S4} {
		back, err := execution.ParseSubnetType(typ.String())
		if err != nil || back != typ {
			t.Errorf("%s does not round-trip: %v %v", typ, back, err)
		}
	}
}

// TestFreezingLimit: idle burn per day times threshold / 1 day.
func TestFreezingLimit(t *testing.T) {
	c := execution.Costs{Subnet: execution.SubnetS4}
	st := &execution.State{Wasm: make([]byte, 1<<30), FreezingThreshold: 86_400 * 2}
	perDay := uint64(1) * 86_400 * 127_000 * 4 / 13
	if got, _ := c.IdleCyclesPerDay(st.MemoryUsage(), 0).Uint64(); got != perDay {
		t.Fatalf("idle per day %d, want %d", got, perDay)
	}
	if got, _ := c.FreezingLimit(st).Uint64(); got != 2*perDay {
		t.Fatalf("freezing limit %d, want %d", got, 2*perDay)
	}
}

// TestRunningOutOfCycles: storage charged as time advances; a cube that
// cannot pay is uninstalled but keeps its id, controllers and settings.
func TestRunningOutOfCycles(t *testing.T) {
	eng := executiontest.NewEngine()
	x, err := execution.New(execution.Config{Costs: execution.Costs{Subnet: execution.SubnetS4}}, eng)
	if err != nil {
		t.Fatal(err)
	}
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update hi": func(c *executiontest.Call) error { return c.Reply([]byte("hi")) },
	})
	const t0 = bigfile.Time(1_000_000_000_000)
	st := &execution.State{ID: 3, Controllers: []bigfile.Principal{bigfile.Anonymous}, FreezingThreshold: 60, MemoryAllocation: 1 << 30,
		Cycles: bigfile.CyclesFromUint64(200_000_000_000), StorageChargedUntil: t0}
	out := run(t, x, st, execution.Input{Kind: execution.KindInstall, Wasm: code, Time: t0})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	st = out.State
	// One hour of storage costs what the fee table says.
	hour := t0 + bigfile.Time(time.Hour)
	ns, fee := x.ChargeIdle(st, hour)
	want := execution.Costs{Subnet: execution.SubnetS4}.StorageCost(1<<30, time.Hour) // the allocation exceeds the usage
	if fee != want || ns.Cycles != st.Cycles.Sub(want) || ns.StorageChargedUntil != hour || ns.Wasm == nil {
		t.Fatalf("hourly charge %s, want %s", fee, want)
	}
	// A century later the balance cannot pay: the cube is uninstalled.
	gone, _ := x.ChargeIdle(ns, hour+bigfile.Time(100*365*24*time.Hour))
	if gone.Wasm != nil || gone.Memory.Len() != 0 || !gone.Cycles.IsZero() || gone.ID != 3 ||
		len(gone.Controllers) != 1 || gone.FreezingThreshold != 60 || gone.Version != ns.Version+1 {
		t.Fatalf("after running out: %+v", gone)
	}
	out = run(t, x, gone, execution.Input{Kind: execution.KindUpdate, Method: "hi", Time: hour + 1})
	if out.Err == nil {
		t.Fatal("an uninstalled cube answered")
	}
}
