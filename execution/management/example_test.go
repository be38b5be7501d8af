package management_test

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/candid"
	"github.com/thebigfile/bigfile/execution/executiontest"
	"github.com/thebigfile/bigfile/execution/management"
)

// Create a cube with minted cycles, install scripted code, call it, and
// read its status, all through Candid-encoded management calls.
func Example() {
	ctx := context.Background()
	eng := executiontest.NewEngine()
	x, _ := execution.New(execution.Config{}, eng)
	m, _ := management.New(management.Config{Provisional: true}, x, rand.New(rand.NewSource(1)))
	user := bigfile.SelfAuthenticating([]byte("user key"))

	arg, _ := candid.Marshal(management.ProvisionalCreateArgs{})
	r, _ := m.Call(ctx, management.Call{Caller: user, Method: "provisional_create_canister_with_cycles", Arg: arg})
	var created management.CanisterIDRecord
	_ = candid.Unmarshal(r.Response.Data, &created)
	fmt.Println("created", created.CanisterID)

	code := eng.Cube(map[string]executiontest.Func{
		"canister_update hello": func(c *executiontest.Call) error { return c.Reply([]byte("hi")) },
	})
	arg, _ = candid.Marshal(management.InstallCodeArgs{Mode: management.InstallMode{Install: &candid.Null{}},
		CanisterID: created.CanisterID, WasmModule: code, Arg: []byte("DIDL\x00\x00")})
	r, _ = m.Call(ctx, management.Call{Caller: user, Method: "install_code", Arg: arg})
	fmt.Println("install:", r.Response.Kind == execution.Replied)

	id, _ := bigfile.CubeIDFromPrincipal(created.CanisterID)
	out, _ := m.Execute(ctx, id, execution.Input{Kind: execution.KindUpdate, Method: "hello", Caller: user})
	fmt.Printf("hello: %s\n", out.Response.Data)

	arg, _ = candid.Marshal(management.CanisterIDRecord{CanisterID: created.CanisterID})
	r, _ = m.Call(ctx, management.Call{Caller: user, Method: "canister_status", Arg: arg})
	var st management.CanisterStatusResult
	_ = candid.Unmarshal(r.Response.Data, &st)
	fmt.Println("running:", st.Status.Running != nil, "cycles:", st.Cycles)
	// Output:
	// created rrkah-fqaaa-aaaaa-aaaaq-cai
	// install: true
	// hello: hi
	// running: true cycles: 100000000000000
}
