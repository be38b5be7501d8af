package executiontest_test

import (
	"context"
	"fmt"

	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
)

func ExampleEngine() {
	eng := executiontest.NewEngine()
	code := eng.Cube(map[string]executiontest.Func{
		"canister_update hello": func(c *executiontest.Call) error {
			arg, err := c.Arg()
			if err != nil {
				return err
			}
			return c.Reply(append([]byte("hello, "), arg...))
		},
	})
	x, err := execution.New(execution.Config{}, eng)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	out, _ := x.Execute(ctx, &execution.State{ID: 1}, execution.Input{Kind: execution.KindInstall, Wasm: code})
	out, _ = x.Execute(ctx, out.State, execution.Input{Kind: execution.KindUpdate, Method: "hello", Arg: []byte("cube")})
	fmt.Printf("%s\n", out.Response.Data)
	// Output: hello, cube
}
