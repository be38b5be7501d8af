package execution_test

import (
	"context"
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
)

// Example runs a cube through install, an update that traps (rolled back)
// and one that replies. The scripted engine stands in for execution/wasm.
func Example() {
	eng := executiontest.NewEngine()
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update set": func(c *executiontest.Call) error {
			arg, err := c.Arg()
			if err != nil {
				return err
			}
			copy(c.Memory(), arg)
			if string(arg) == "boom" {
				return c.Trap("no booms")
			}
			return c.Reply(c.Memory()[:4])
		},
	})
	x, err := execution.New(execution.Config{}, eng)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	st := &execution.State{ID: bigfile.CubeID(1)}
	for _, in := range []execution.Input{
		{Kind: execution.KindInstall, Wasm: code},
		{Kind: execution.KindUpdate, Method: "set", Arg: []byte("abcd")},
		{Kind: execution.KindUpdate, Method: "set", Arg: []byte("boom")},
	} {
		out, err := x.Execute(ctx, st, in)
		if err != nil {
			panic(err)
		}
		st = out.State
		if out.Err != nil {
			fmt.Println(in.Kind, out.Err.Code, out.Response.Code)
		} else {
			fmt.Printf("%s %q\n", in.Kind, out.Response.Data)
		}
	}
	fmt.Printf("memory starts with %q\n", st.Memory.Bytes()[:4])
	// Output:
	// install ""
	// update "abcd"
	// update IC0503 CANISTER_ERROR
	// memory starts with "abcd"
}

// The fee for one ingress update under the cost rules of two subnet
// types: the 13-node fee table scaled by the subnet size, instructions 50%
// dearer on PHSE subnets.
func ExampleCosts() {
	for _, c := range []execution.Costs{{Subnet: execution.SubnetS4}, {Subnet: execution.SubnetPHSES4},
		{Subnet: execution.SubnetS28, Free: true}} {
		exec := c.ExecutionCost(1_000_000, false)
		ingress := c.IngressCost(len("inc") + 6)
		fmt.Printf("%-8s nodes=%d free=%-5v execution=%s ingress=%s\n", c.Subnet, c.Subnet.Nodes(), c.Free, exec, ingress)
	}
	// Output:
	// S4       nodes=4 free=false execution=1846153 ingress=374769
	// PHSE.S4  nodes=4 free=false execution=2000000 ingress=374769
	// S28      nodes=28 free=true  execution=0 ingress=0
}

// A cube's heap persisted as pages and loaded back: the loaded State has
// the same hash.
func ExampleLoadMemory() {
	heap := make([]byte, 3*execution.PageSize)
	heap[execution.PageSize+5] = 42
	st := &execution.State{ID: 1, Memory: execution.NewMemory(heap)}
	saved := map[int][]byte{}
	for i := range st.Memory.NumPages() {
		if p := st.Memory.Page(i); p != nil {
			saved[i] = p
		}
	}
	mem, _ := execution.LoadMemory(st.Memory.NumPages(), saved)
	loaded := &execution.State{ID: 1, Memory: mem}
	fmt.Println(len(saved), "page(s) saved; same hash:", loaded.Hash() == st.Hash())
	// Output: 1 page(s) saved; same hash: true
}

// A cube calls another: the update leaves its call context open and
// returns the request; the caller of Execute (a scheduler) runs the
// request on the callee and hands the answer back as a KindResponse input,
// whose reply callback answers the original caller.
func Example_calls() {
	ctx := context.Background()
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	callee := eng.Cube(map[string]executiontest.Func{
		"canister_update double": func(c *executiontest.Call) error {
			arg, _ := c.Arg()
			return c.Reply(append(arg, arg...))
		},
	})
	caller := eng.Cube(map[string]executiontest.Func{
		"canister_update ask": func(c *executiontest.Call) error {
			return c.CallNew(bigfile.CubeID(2).Principal(), "double", []byte("ab"), 0, "answer", "answer", 0)
		},
		"answer": func(c *executiontest.Call) error {
			arg, _ := c.Arg()
			return c.Reply(append([]byte("got "), arg...))
		},
	})
	install := func(id bigfile.CubeID, code []byte) *execution.State {
		out, _ := x.Execute(ctx, &execution.State{ID: id}, execution.Input{Kind: execution.KindInstall, Wasm: code})
		return out.State
	}
	a, b := install(1, caller), install(2, callee)

	out, _ := x.Execute(ctx, a, execution.Input{Kind: execution.KindUpdate, Method: "ask"})
	a = out.State
	rq := out.Requests[0]
	fmt.Println("request to", rq.Receiver, rq.Method, "; open call contexts:", a.OpenCallContexts)

	served, _ := x.Execute(ctx, b, execution.Input{Kind: execution.KindUpdate, Method: rq.Method, Arg: rq.Arg,
		Caller: rq.Sender.Principal(), Cycles: rq.Cycles,
		Origin: execution.Origin{Kind: execution.OriginCube, Caller: rq.Sender.Principal(), Callback: rq.Callback}})
	out, _ = x.Execute(ctx, a, execution.Input{Kind: execution.KindResponse, Response: &bigfile.Response{
		Originator: rq.Sender, Respondent: rq.Receiver, Callback: served.Origin.Callback, Refund: served.Refund,
		Reply: served.Response.Data}})
	fmt.Printf("%s; open call contexts: %d\n", out.Response.Data, out.State.OpenCallContexts)
	// Output:
	// request to ryjl3-tyaaa-aaaaa-aaaba-cai double ; open call contexts: 1
	// got abab; open call contexts: 0
}
