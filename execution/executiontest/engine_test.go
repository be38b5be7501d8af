package executiontest_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
)

func TestScriptedCubeRollsBack(t *testing.T) {
	eng := executiontest.NewEngine()
	counter := func(c *executiontest.Call) error {
		mem := c.Memory()
		binary.LittleEndian.PutUint32(mem, binary.LittleEndian.Uint32(mem)+1)
		return nil
	}
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update inc": func(c *executiontest.Call) error {
			if err := counter(c); err != nil {
				return err
			}
			return c.Reply(c.Memory()[:4])
		},
		"canister_update bad": func(c *executiontest.Call) error {
			counter(c)
			c.Print("about to fail")
			return c.Trap("bad")
		},
		"canister_query peek": func(c *executiontest.Call) error {
			counter(c)
			return c.Reply(c.Memory()[:4])
		},
		"canister_update wrong": func(c *executiontest.Call) error {
			_, err := c.Invoke("accept_message")
			return err
		},
	})
	x, err := execution.New(execution.Config{}, eng)
	if err != nil {
		t.Fatal(err)
	}
	st := &execution.State{ID: bigfile.CubeID(7)}
	exec := func(in execution.Input) execution.Output {
		t.Helper()
		out, err := x.Execute(context.Background(), st, in)
		if err != nil {
			t.Fatal(err)
		}
		st = out.State
		return out
	}
	if out := exec(execution.Input{Kind: execution.KindInstall, Wasm: code}); out.Err != nil {
		t.Fatal(out.Err)
	}
	get := func(kind execution.Kind, method string) uint32 {
		t.Helper()
		out := exec(execution.Input{Kind: kind, Method: method})
		if out.Err != nil {
			t.Fatal(out.Err)
		}
		return binary.LittleEndian.Uint32(out.Response.Data)
	}
	if n := get(execution.KindUpdate, "inc"); n != 1 {
		t.Fatalf("inc = %d", n)
	}
	out := exec(execution.Input{Kind: execution.KindUpdate, Method: "bad"})
	if out.Err == nil || out.Err.Code != execution.CodeCanisterCalledTrap {
		t.Fatalf("bad: %v", out.Err)
	}
	if len(st.Log.Records) != 2 || string(st.Log.Records[0].Content) != "about to fail" {
		t.Fatalf("log %+v", st.Log.Records)
	}
	if n := get(execution.KindQuery, "peek"); n != 2 {
		t.Fatalf("peek = %d", n)
	}
	if n := get(execution.KindUpdate, "inc"); n != 2 {
		t.Fatalf("inc after a trap and a query = %d, want 2", n)
	}
	out = exec(execution.Input{Kind: execution.KindUpdate, Method: "wrong"})
	if out.Err == nil || out.Err.Code != execution.CodeCanisterContractViolation {
		t.Fatalf("context rule not enforced: %v", out.Err)
	}
}
