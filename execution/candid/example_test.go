package candid_test

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution/candid"
)

// The management cube's install_code argument (ic.did), as Go types.
type (
	InstallMode struct {
		Install   *candid.Null     `candid:"install,variant"`
		Reinstall *candid.Null     `candid:"reinstall"`
		Upgrade   **UpgradeOptions `candid:"upgrade"` // upgrade : opt record {...}
	}
	UpgradeOptions struct {
		SkipPreUpgrade        *bool                  `candid:"skip_pre_upgrade"`
		WasmMemoryPersistence *WasmMemoryPersistence `candid:"wasm_memory_persistence"`
	}
	WasmMemoryPersistence struct {
		Keep    *candid.Null `candid:"keep,variant"`
		Replace *candid.Null `candid:"replace"`
	}
	InstallCodeArgs struct {
		Mode                  InstallMode    `candid:"mode"`
		CanisterID            bigfile.CubeID `candid:"canister_id"`
		WasmModule            []byte         `candid:"wasm_module"`
		Arg                   []byte         `candid:"arg"`
		SenderCanisterVersion *uint64        `candid:"sender_canister_version"`
	}
)

// Encode the argument of install_code with Marshal.
func ExampleMarshal() {
	emptyArg, _ := candid.Marshal() // the empty argument list: DIDL 00 00
	arg, err := candid.Marshal(InstallCodeArgs{
		Mode:       InstallMode{Install: &candid.Null{}},
		CanisterID: bigfile.CubeID(1),
		WasmModule: []byte("\x00asm"),
		Arg:        emptyArg,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hex.EncodeToString(arg[:32]), "...")
	fmt.Println(len(arg), "bytes")
	// Output:
	// 4449444c096d7b6b0285a19bb8047fb490a1d90a7f6e016e7e6c02dceaaefa02 ...
	// 120 bytes
}

// Decode the reply of provisional_create_canister_with_cycles, which is
// (record { canister_id : principal }).
func ExampleUnmarshal() {
	reply, _ := hex.DecodeString("4449444c016c01b3c4b1f204680100010a00000000000000010101")
	var res struct {
		CanisterID bigfile.Principal `candid:"canister_id"`
	}
	if err := candid.Unmarshal(reply, &res); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.CanisterID)

	// Decoding at a type the reply does not fit reports where it failed.
	var wrong struct {
		CanisterID string `candid:"canister_id"`
	}
	err := candid.Unmarshal(reply, &wrong)
	fmt.Println(errors.Is(err, candid.ErrMismatch), err)
	// Output:
	// rrkah-fqaaa-aaaaa-aaaaq-cai
	// true candid: type mismatch: cannot decode principal as text at offset 15
}

// Inspect a message without knowing its types.
func ExampleDecode() {
	msg, _ := hex.DecodeString("4449444c016e7b02007d01052c")
	types, values, err := candid.Decode(msg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, t := range types {
		fmt.Printf("%v = %v\n", t, values[i])
	}
	// Output:
	// opt nat8 = {5}
	// nat = 44
}

// A recursive type is a pointer cycle; here a linked list of text.
func ExampleEncode() {
	list := candid.OptOf(nil)
	list.Elem = candid.RecordOf(candid.F("head", candid.TextType), candid.F("tail", list))
	fmt.Println(list)

	cons := func(head string, tail candid.Opt) candid.Opt {
		return candid.Opt{Value: candid.Record{{Name: "head", Value: head}, {Name: "tail", Value: tail}}}
	}
	msg, err := candid.Encode([]*candid.Type{list}, []candid.Value{cons("a", cons("b", candid.Opt{}))})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hex.EncodeToString(msg))

	// Decode at a type that has only the head field: tail is skipped.
	first := candid.OptOf(candid.RecordOf(candid.F("head", candid.TextType)))
	vals, err := candid.DecodeAs(msg, []*candid.Type{first})
	fmt.Println(vals[0].(candid.Opt).Value.(candid.Record).Field("head"), err)
	// Output:
	// μ0.opt record { head : text; tail : μ0 }
	// 4449444c026e016c02a0d2aca8047190eddae70400010001016101016200
	// a <nil>
}

// Decoding limits: a 17-byte message claiming 2^60 elements of type null
// fails at once, without allocating for them; a larger quota admits more
// zero-size values than the default.
func ExampleConfig() {
	msg, _ := hex.DecodeString("4449444c016d7f0100" + "808080808080808010")
	_, _, err := candid.Decode(msg)
	fmt.Println(errors.Is(err, candid.ErrLimit), err)

	msg, _ = hex.DecodeString("4449444c016d7f0100" + "808040") // 2^20 nulls
	_, _, err = candid.Decode(msg)
	fmt.Println(errors.Is(err, candid.ErrLimit))
	_, vals, err := candid.Config{Quota: 1 << 21}.Decode(msg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(vals[0].(candid.Vec)), err)
	// Output:
	// true candid: decoding limit exceeded: vec too long at offset 9
	// true
	// 1048576 <nil>
}
