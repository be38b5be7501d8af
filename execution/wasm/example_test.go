package wasm_test

import (
	"context"
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/wasm"
)

// A cube that counts in a mutable global and replies with the count.
const counterWAT = `(module
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (global $n (mut i32) (i32.const 0))
  (func (export "canister_update inc")
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (i32.store (i32.const 0) (global.get $n))
    (call $append (i32.const 0) (i32.const 1))
    (call $reply)))`

func Example() {
	eng, err := wasm.New(wasm.Config{})
	if err != nil {
		panic(err)
	}
	x, err := execution.New(execution.Config{}, eng)
	if err != nil {
		panic(err)
	}
	code, err := wasmtime.Wat2Wasm(counterWAT) // usually a .wasm file
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	st := &execution.State{ID: bigfile.CubeID(1)}
	out, err := x.Execute(ctx, st, execution.Input{Kind: execution.KindInstall, Wasm: code})
	if err != nil || out.Err != nil {
		panic(fmt.Sprint(err, out.Err))
	}
	st = out.State
	for i := 0; i < 3; i++ {
		out, err = x.Execute(ctx, st, execution.Input{Kind: execution.KindUpdate, Method: "inc", Caller: bigfile.Anonymous})
		if err != nil {
			panic(err)
		}
		st = out.State // the next message runs on the new state
		fmt.Println(out.Response.Data)
	}
	out, _ = x.Execute(ctx, st, execution.Input{Kind: execution.KindUpdate, Method: "dec"})
	fmt.Println(out.Err.Code, out.Response.Code, out.Response.Message)
	// Output:
	// [1]
	// [2]
	// [3]
	// IC0536 CANISTER_ERROR Error from Canister rrkah-fqaaa-aaaaa-aaaaq-cai: Canister has no update method 'dec'.
}
