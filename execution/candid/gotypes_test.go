package candid

import (
	"encoding/hex"
	"errors"
	"math/big"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/thebigfile/bigfile"
)

// The management cube's install_code and provisional_create_canister_with_cycles
// arguments, written as Go structs.
type (
	installMode struct {
		Install   *Null         `candid:"install,variant"`
		Reinstall *Null         `candid:"reinstall"`
		Upgrade   **upgradeOpts `candid:"upgrade"`
	}
	upgradeOpts struct {
		SkipPreUpgrade        *bool              `candid:"skip_pre_upgrade"`
		WasmMemoryPersistence *memoryPersistence `candid:"wasm_memory_persistence"`
	}
	memoryPersistence struct {
		_       struct{} `candid:",variant"`
		Keep    *Null    `candid:"keep"`
		Replace *Null    `candid:"replace"`
	}
	installCodeArgs struct {
		Mode                  installMode       `candid:"mode"`
		CanisterID            bigfile.Principal `candid:"canister_id"`
		WasmModule            []byte            `candid:"wasm_module"`
		Arg                   []byte            `candid:"arg"`
		SenderCanisterVersion *uint64           `candid:"sender_canister_version"`
	}
	envVar struct {
		Name  string `candid:"name"`
		Value string `candid:"value"`
	}
	logVisibility struct {
		Controllers    *Null                `candid:"controllers,variant"`
		Public         *Null                `candid:"public"`
		AllowedViewers *[]bigfile.Principal `candid:"allowed_viewers"`
	}
	canisterSettings struct {
		Controllers          *[]bigfile.Principal `candid:"controllers"`
		ComputeAllocation    *Nat                 `candid:"compute_allocation"`
		MemoryAllocation     *Nat                 `candid:"memory_allocation"`
		FreezingThreshold    *Nat                 `candid:"freezing_threshold"`
		ReservedCyclesLimit  *Nat                 `candid:"reserved_cycles_limit"`
		LogVisibility        *logVisibility       `candid:"log_visibility"`
		WasmMemoryLimit      *Nat                 `candid:"wasm_memory_limit"`
		WasmMemoryThreshold  *Nat                 `candid:"wasm_memory_threshold"`
		EnvironmentVariables *[]envVar            `candid:"environment_variables"`
	}
	provisionalCreateArgs struct {
		Amount                *Nat               `candid:"amount"`
		Settings              *canisterSettings  `candid:"settings"`
		SpecifiedID           *bigfile.Principal `candid:"specified_id"`
		SenderCanisterVersion *uint64            `candid:"sender_canister_version"`
	}
)

var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b Nat) bool { return a.Cmp(b) == 0 }),
	cmp.Comparer(func(a, b Int) bool { return a.Cmp(b) == 0 }),
	cmp.Comparer(func(a, b *big.Int) bool { return (a == nil) == (b == nil) && (a == nil || a.Cmp(b) == 0) }),
	cmp.Comparer(func(a, b bigfile.Principal) bool { return a == b }),
	cmp.AllowUnexported(memoryPersistence{}),
}

func TestMarshalVectors(t *testing.T) {
	p := cube1(t)
	install := installCodeArgs{
		Mode:       installMode{Install: &Null{}},
		CanisterID: p,
		WasmModule: []byte{0x00, 0x61, 0x73, 0x6d},
		Arg:        []byte("DIDL\x00\x00"),
	}
	opts := &upgradeOpts{WasmMemoryPersistence: &memoryPersistence{Keep: &Null{}}}
	upgrade := install
	upgrade.Mode = installMode{Upgrade: &opts}
	amount := NewNat(1_000_000_000_000)
	cycles := provisionalCreateArgs{Amount: &amount}

	for _, tc := range []struct {
		name string
		in   any
		out  any // pointer to a zero value of in's type
		hex  string
	}{
		{"install", install, new(installCodeArgs), installCodeHex},
		{"upgrade", upgrade, new(installCodeArgs), installCodeUpgradeHex},
		{"provisional_create_canister_with_cycles", cycles, new(provisionalCreateArgs), provisionalCreateHex},
		{"record canister_id", struct {
			ID bigfile.Principal `candid:"canister_id"`
		}{p}, new(struct {
			ID bigfile.Principal `candid:"canister_id"`
		}), "4449444c016c01b3c4b1f204680100010a00000000000000010101"},
		{"cube id as principal", bigfile.CubeID(1), new(bigfile.CubeID), "4449444c000168010a00000000000000010101"},
		{"nat 300", NewNat(300), new(Nat), "4449444c00017dac02"},
		{"int -1", big.NewInt(-1), new(*big.Int), "4449444c00017c7f"},
		{"nat64", uint64(42), new(uint64), "4449444c0001782a00000000000000"},
		{"text", "hello", new(string), "4449444c0001710568656c6c6f"},
		{"opt nat8", ptr(uint8(5)), new(*uint8), "4449444c016e7b01000105"},
		{"null opt nat8", (*uint8)(nil), new(*uint8), "4449444c016e7b010000"},
		{"blob", []byte{1, 2}, new([]byte), "4449444c016d7b0100020102"},
	} {
		data, err := Marshal(tc.in)
		if err != nil {
			t.Errorf("%s: Marshal: %v", tc.name, err)
			continue
		}
		if got := hex.EncodeToString(data); got != tc.hex {
			t.Errorf("%s: Marshal\n got %s\nwant %s", tc.name, got, tc.hex)
		}
		if err := Unmarshal(mustHex(t, tc.hex), tc.out); err != nil {
			t.Errorf("%s: Unmarshal: %v", tc.name, err)
			continue
		}
		got := reflect.ValueOf(tc.out).Elem().Interface()
		if diff := cmp.Diff(tc.in, got, cmpOpts); diff != "" {
			t.Errorf("%s: Unmarshal mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestMarshalEmptyAndMultiple(t *testing.T) {
	data, err := Marshal()
	if err != nil || hex.EncodeToString(data) != "4449444c0000" {
		t.Fatalf("Marshal() = %x, %v", data, err)
	}
	data, err = Marshal("a", uint8(1), true)
	if err != nil {
		t.Fatal(err)
	}
	var (
		s string
		n uint8
		b bool
	)
	if err := Unmarshal(data, &s, &n, &b); err != nil || s != "a" || n != 1 || !b {
		t.Fatalf("Unmarshal = %q %d %v, %v", s, n, b, err)
	}
	// Fewer expected arguments: the extra ones are skipped.
	if err := Unmarshal(data, &s); err != nil || s != "a" {
		t.Fatalf("Unmarshal with fewer targets = %q, %v", s, err)
	}
	// More expected arguments: a missing opt reads as null, a missing
	// non-opt is a mismatch.
	o := ptr(uint8(9))
	if err := Unmarshal(data, &s, &n, &b, &o); err != nil || o != nil {
		t.Fatalf("Unmarshal with a missing opt = %v, %v", o, err)
	}
	var x uint32
	if err := Unmarshal(data, &s, &n, &b, &x); !errors.Is(err, ErrMismatch) {
		t.Fatalf("Unmarshal with a missing nat32 = %v, want ErrMismatch", err)
	}
}

// A recursive Go type maps to a recursive Candid type.
type tree struct {
	Value    int32  `candid:"value"`
	Children []tree `candid:"children"`
	Next     *tree  `candid:"next"`
}

func TestMarshalRecursive(t *testing.T) {
	in := tree{Value: 1, Children: []tree{{Value: 2}, {Value: 3, Next: &tree{Value: 4}}}}
	data, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	ty, err := TypeOf(reflect.TypeFor[tree]())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ty.String(), "μ0.record { value : int32; next : opt μ0; children : vec μ0 }"; got != want {
		t.Errorf("TypeOf(tree) = %s, want %s", got, want)
	}
	var out tree
	if err := Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out, cmpOpts, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// Decoding with subtyping into Go structs: a newer sender adds fields and
// variant cases; an older receiver still decodes.
func TestUnmarshalSubtyping(t *testing.T) {
	type v2 struct {
		Name   string  `candid:"name"`
		Extra  []int64 `candid:"extra"`
		Status struct {
			Active   *Null `candid:"active,variant"`
			Archived *Null `candid:"archived"`
		} `candid:"status"`
		Count uint16 `candid:"count"`
	}
	type status1 struct {
		Active *Null `candid:"active,variant"`
	}
	type v1 struct {
		Name    string   `candid:"name"`
		Count   uint16   `candid:"count"`
		Comment *string  `candid:"comment"` // missing on the wire: null
		Status  *status1 `candid:"status"`  // unknown case inside opt: null
		Big     *int64   `candid:"extra"`   // mismatched type inside opt: null
	}
	in := v2{Name: "x", Extra: []int64{1}, Count: 7}
	in.Status.Archived = &Null{}
	data, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := v1{Comment: ptr("old"), Status: &status1{}, Big: ptr(int64(1))}
	if err := Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.Name != "x" || out.Count != 7 || out.Comment != nil || out.Status != nil || out.Big != nil {
		t.Errorf("Unmarshal = %+v", out)
	}
	// Without the opt around it, an unknown variant case is an error.
	var strict struct {
		Status status1 `candid:"status"`
	}
	if err := Unmarshal(data, &strict); !errors.Is(err, ErrMismatch) {
		t.Errorf("unknown variant case outside opt: err = %v, want ErrMismatch", err)
	}
	// nat decodes as int (into *big.Int and Int).
	data, _ = Marshal(NewNat(5))
	var bi *big.Int
	var ci Int
	if err := Unmarshal(data, &bi); err != nil || bi.Int64() != 5 {
		t.Errorf("nat into *big.Int = %v, %v", bi, err)
	}
	if err := Unmarshal(data, &ci); err != nil || ci.String() != "5" {
		t.Errorf("nat into Int = %v, %v", ci, err)
	}
	// int does not decode as nat.
	data, _ = Marshal(NewInt(5))
	var n Nat
	if err := Unmarshal(data, &n); !errors.Is(err, ErrMismatch) {
		t.Errorf("int into Nat: err = %v, want ErrMismatch", err)
	}
}

func TestMarshalErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		arg  any
		want error
	}{
		{"map", map[string]int{}, ErrType},
		{"chan", make(chan int), ErrType},
		{"interface field", struct{ X any }{}, ErrType},
		{"variant with no case", installMode{}, ErrValue},
		{"variant with two cases", installMode{Install: &Null{}, Reinstall: &Null{}}, ErrValue},
		{"non-pointer variant case", struct {
			A int `candid:"a,variant"`
		}{}, ErrType},
		{"duplicate ids", struct {
			A int `candid:"a"`
			B int `candid:"a"`
		}{}, ErrType},
		{"invalid UTF-8", "\xff", ErrValue},
		{"nil big.Int", (*big.Int)(nil), ErrValue},
		{"nil argument", nil, ErrValue},
	} {
		if _, err := Marshal(tc.arg); !errors.Is(err, tc.want) {
			t.Errorf("%s: Marshal err = %v, want %v", tc.name, err, tc.want)
		}
	}
	var s string
	if err := Unmarshal([]byte("DIDL\x00\x00"), s); !errors.Is(err, ErrType) {
		t.Errorf("Unmarshal into a non-pointer: err = %v, want ErrType", err)
	}
}

func TestTupleStructs(t *testing.T) {
	type pair struct {
		A string
		B uint8
		C bool `candid:"-"`
	}
	ty, err := TypeOf(reflect.TypeFor[pair]())
	if err != nil {
		t.Fatal(err)
	}
	if got := ty.String(); got != "record { text; nat8 }" {
		t.Errorf("TypeOf(pair) = %s", got)
	}
	data, err := Marshal(pair{"x", 2, true})
	if err != nil {
		t.Fatal(err)
	}
	_, vals, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	want := Record{{ID: 0, Value: "x"}, {ID: 1, Value: uint8(2)}}
	if !valueEqual(ty, vals[0], want) {
		t.Errorf("Decode = %#v, want %#v", vals[0], want)
	}
}

func TestReferencesInGoValues(t *testing.T) {
	p := cube1(t)
	// Sent with exact types through the dynamic form ...
	ty := RecordOf(F("cb", FuncOf([]*Type{NatType}, []*Type{TextType}, Query)), F("svc", ServiceOf(Method{Name: "m", Type: FuncOf(nil, nil)})))
	data, err := Encode([]*Type{ty}, []Value{Record{{Name: "cb", Value: FuncRef{p, "notify"}}, {Name: "svc", Value: ServiceRef{p}}}})
	if err != nil {
		t.Fatal(err)
	}
	// ... and received into Go fields of the general reference types.
	var out struct {
		Callback FuncRef    `candid:"cb"`
		Service  ServiceRef `candid:"svc"`
	}
	if err := Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.Callback != (FuncRef{p, "notify"}) || out.Service != (ServiceRef{p}) {
		t.Errorf("Unmarshal = %+v", out)
	}
	again, err := Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	_, vals, err := Decode(again)
	if err != nil || !valueEqual(ty, vals[0], Record{{ID: Hash("cb"), Value: FuncRef{p, "notify"}}, {ID: Hash("svc"), Value: ServiceRef{p}}}) {
		t.Errorf("Decode(Marshal(out)) = %#v, %v", vals, err)
	}
}

func TestCubeIDMismatch(t *testing.T) {
	anon, err := bigfile.ParsePrincipal("2vxsx-fae")
	if err != nil {
		t.Fatal(err)
	}
	data, err := Marshal(anon, &anon)
	if err != nil {
		t.Fatal(err)
	}
	var id bigfile.CubeID
	opt := ptr(bigfile.CubeID(5))
	if err := Unmarshal(data, &id); !errors.Is(err, ErrMismatch) {
		t.Errorf("anonymous principal into CubeID: err = %v, want ErrMismatch", err)
	}
	// Inside an opt, a principal that is not a cube id reads as nil.
	var skip Reserved
	if err := Unmarshal(data, &skip, &opt); err != nil || opt != nil {
		t.Errorf("anonymous principal into *CubeID = %v, %v; want nil", opt, err)
	}
}

func TestArrayLength(t *testing.T) {
	data, err := Marshal([]byte{1, 2, 3}, []uint16{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	var b4 [4]byte
	var u3 [3]uint16
	var skip Reserved
	if err := Unmarshal(data, &b4); !errors.Is(err, ErrMismatch) {
		t.Errorf("3 bytes into [4]byte: err = %v, want ErrMismatch", err)
	}
	if err := Unmarshal(data, &skip, &u3); err != nil || u3 != [3]uint16{1, 2, 3} {
		t.Errorf("vec nat16 into [3]uint16 = %v, %v", u3, err)
	}
	// Inside an opt a wrong length reads as nil, like any mismatch.
	ob, ou := ptr([4]byte{9}), ptr([2]uint16{9})
	if err := Unmarshal(data, &ob, &ou); err != nil || ob != nil || ou != nil {
		t.Errorf("wrong lengths inside opt = %v, %v, %v; want nil, nil", ob, ou, err)
	}
}

type myByte uint8

// Byte types with a named element type are blobs too, in slices, arrays
// and pointers to arrays.
func TestNamedByteTypes(t *testing.T) {
	type s struct {
		A [3]myByte
		B []myByte
		C *[2]myByte
	}
	in := s{A: [3]myByte{1, 2, 3}, B: []myByte{4}, C: &[2]myByte{5, 6}}
	data, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out s
	if err := Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	data, err = Marshal([2]myByte{7, 8}) // a non-addressable array
	if err != nil || hex.EncodeToString(data) != "4449444c016d7b0100020708" {
		t.Fatalf("Marshal([2]myByte) = %x, %v", data, err)
	}
	var a [2]myByte
	if err := Unmarshal(data, &a); err != nil || a != [2]myByte{7, 8} {
		t.Fatalf("Unmarshal = %v, %v", a, err)
	}
}
