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
