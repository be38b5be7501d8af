package scheduler_test

import (
	"context"
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// A cube calls another cube of the same subnet; the call, the answer and
// the reply callback all run in one round.
func Example() {
	ctx := context.Background()
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	s, _ := scheduler.New(scheduler.Config{}, x)

	callee := eng.Cube(map[string]executiontest.Func{
		"canister_update hello": func(c *executiontest.Call) error { return c.Reply([]byte("hello from 2")) },
	})
	caller := eng.Cube(map[string]executiontest.Func{
		"canister_update ask": func(c *executiontest.Call) error {
			return c.CallNew(bigfile.CubeID(2).Principal(), "hello", nil, 0, "answer", "answer", 0)
		},
		"answer": func(c *executiontest.Call) error {
			arg, _ := c.Arg()
			return c.Reply(append([]byte("2 said: "), arg...))
		},
	})
	for id, code := range map[bigfile.CubeID][]byte{1: caller, 2: callee} {
		out, _ := x.Execute(ctx, &execution.State{ID: id}, execution.Input{Kind: execution.KindInstall, Wasm: code})
		s.SetCube(out.State)
	}
	res, _ := s.ExecuteRound(ctx, scheduler.Round{Time: 1, Ingress: []bigfile.Ingress{
		{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "ask"}}})
	fmt.Printf("%s (%d executions)\n", res.Ingress[0].Response.Data, res.Executed)
	// Output: 2 said: hello from 2 (3 executions)
}
