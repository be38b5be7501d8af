package candid

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile"
)

// Reference vectors from reference/system-api.md §5.6 (confirmed with
// @dfinity/candid 2.4.1).
const (
	installCodeHex = "4449444c096d7b6b0285a19bb8047fb490a1d90a7f6e016e7e6c02dceaaefa0202c0a09bde05036e046b03c8bb8a707f" +
		"9ce9c69906059baaebec087f6e786c05d6fca70200a79fc97e00e3a683c30406b3c4b1f20468ca9998b40d0701080644" +
		"49444c0000040061736d02010a0000000000000001010100"
	installCodeUpgradeHex = "4449444c096d7b6b0285a19bb8047fb490a1d90a7f6e016e7e6c02dceaaefa0202c0a09bde05036e046b03c8bb8a707f" +
		"9ce9c69906059baaebec087f6e786c05d6fca70200a79fc97e00e3a683c30406b3c4b1f20468ca9998b40d0701080644" +
		"49444c0000040061736d0101010000010a0000000000000001010100"
	provisionalCreateHex = "4449444c0d6e7d6c02f1fee18d0371cbe4fdc704716d016e026d686e046b03d7e09b90027fa981ceb7067fcaa989aa08" +
		"046e066c09c0cff27100e8f09b73008ba08eaa0103d7e09b90020580ad988a0400edd9c8c90707f8e287cc0c00deebb5" +
		"a90e00a882acc60f006e086e686e786c04e3f9f5d90809cae5edbc0c0ad8a38ca80d00ca9998b40d0b010c00000180a0" +
		"94a58d1d00"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cube1(t testing.TB) bigfile.Principal {
	t.Helper()
	p, err := bigfile.ParsePrincipal("rrkah-fqaaa-aaaaa-aaaaq-cai")
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(p.Bytes()); got != "00000000000000010101" {
		t.Fatalf("principal bytes %s", got)
	}
	return p
}

// installCodeArgsType is install_code_args from ic.did.
func installCodeArgsType() *Type {
	mode := VariantOf(
		F("install", NullType),
		F("reinstall", NullType),
		F("upgrade", OptOf(RecordOf(
			F("skip_pre_upgrade", OptOf(BoolType)),
			F("wasm_memory_persistence", OptOf(VariantOf(F("keep", NullType), F("replace", NullType)))),
		))),
	)
	return RecordOf(
		F("mode", mode),
		F("canister_id", PrincipalType),
		F("wasm_module", BlobType),
		F("arg", BlobType),
		F("sender_canister_version", OptOf(Nat64Type)),
	)
}

// canisterSettingsType is canister_settings from ic.did.
func canisterSettingsType() *Type {
	env := RecordOf(F("name", TextType), F("value", TextType))
	return RecordOf(
		F("controllers", OptOf(VecOf(PrincipalType))),
		F("compute_allocation", OptOf(NatType)),
		F("memory_allocation", OptOf(NatType)),
		F("freezing_threshold", OptOf(NatType)),
		F("reserved_cycles_limit", OptOf(NatType)),
		F("log_visibility", OptOf(VariantOf(
			F("controllers", NullType), F("public", NullType), F("allowed_viewers", VecOf(PrincipalType))))),
		F("wasm_memory_limit", OptOf(NatType)),
		F("wasm_memory_threshold", OptOf(NatType)),
		F("environment_variables", OptOf(VecOf(env))),
	)
}

func provisionalCreateType() *Type {
	return RecordOf(
		F("amount", OptOf(NatType)),
		F("settings", OptOf(canisterSettingsType())),
		F("specified_id", OptOf(PrincipalType)),
		F("sender_canister_version", OptOf(Nat64Type)),
	)
}

type vector struct {
	name   string
	types  []*Type
	values []Value
	hex    string
}

func vectors(t testing.TB) []vector {
	p := cube1(t)
	installArgs := func(mode Variant) Record {
		return Record{
			{Name: "mode", Value: mode},
			{Name: "canister_id", Value: p},
			{Name: "wasm_module", Value: []byte{0x00, 0x61, 0x73, 0x6d}},
			{Name: "arg", Value: []byte("DIDL\x00\x00")},
			{Name: "sender_canister_version", Value: Opt{}},
		}
	}
	return []vector{
		{"empty", nil, nil, "4449444c0000"},
		{"nat 1", []*Type{NatType}, []Value{NewNat(1)}, "4449444c00017d01"},
		{"nat 300", []*Type{NatType}, []Value{NewNat(300)}, "4449444c00017dac02"},
		{"int -1", []*Type{IntType}, []Value{NewInt(-1)}, "4449444c00017c7f"},
		{"nat64 42", []*Type{Nat64Type}, []Value{uint64(42)}, "4449444c0001782a00000000000000"},
		{"text", []*Type{TextType}, []Value{"hello"}, "4449444c0001710568656c6c6f"},
		{"bool", []*Type{BoolType}, []Value{true}, "4449444c00017e01"},
		{"opt nat8", []*Type{OptOf(Nat8Type)}, []Value{Opt{uint8(5)}}, "4449444c016e7b01000105"},
		{"null opt nat8", []*Type{OptOf(Nat8Type)}, []Value{Opt{}}, "4449444c016e7b010000"},
		{"blob", []*Type{BlobType}, []Value{[]byte{1, 2}}, "4449444c016d7b0100020102"},
		{"principal", []*Type{PrincipalType}, []Value{p}, "4449444c000168010a00000000000000010101"},
		{"record canister_id", []*Type{RecordOf(F("canister_id", PrincipalType))},
			[]Value{Record{{Name: "canister_id", Value: p}}},
			"4449444c016c01b3c4b1f204680100010a00000000000000010101"},
		{"install_code install", []*Type{installCodeArgsType()},
			[]Value{installArgs(Variant{Name: "install", Value: Null{}})}, installCodeHex},
		{"install_code upgrade", []*Type{installCodeArgsType()},
			[]Value{installArgs(Variant{Name: "upgrade", Value: Opt{Record{
				{Name: "skip_pre_upgrade", Value: Opt{}},
				{Name: "wasm_memory_persistence", Value: Opt{Variant{Name: "keep", Value: Null{}}}},
			}}})}, installCodeUpgradeHex},
		{"provisional_create_canister_with_cycles", []*Type{provisionalCreateType()},
			[]Value{Record{
				{Name: "amount", Value: Opt{NewNat(1_000_000_000_000)}},
				{Name: "settings", Value: Opt{}},
				{Name: "specified_id", Value: Opt{}},
				{Name: "sender_canister_version", Value: Opt{}},
			}}, provisionalCreateHex},
	}
}

func TestVectorsEncode(t *testing.T) {
	for _, v := range vectors(t) {
		got, err := Encode(v.types, v.values)
		if err != nil {
			t.Errorf("%s: Encode: %v", v.name, err)
			continue
		}
		if h := hex.EncodeToString(got); h != v.hex {
			t.Errorf("%s: Encode\n got %s\nwant %s", v.name, h, v.hex)
		}
	}
}

func TestVectorsDecode(t *testing.T) {
	for _, v := range vectors(t) {
		data := mustHex(t, v.hex)
		got, err := DecodeAs(data, v.types)
		if err != nil {
			t.Errorf("%s: DecodeAs: %v", v.name, err)
			continue
		}
		for i := range got {
			if !valueEqual(v.types[i], got[i], v.values[i]) {
				t.Errorf("%s: DecodeAs arg %d = %#v, want %#v", v.name, i, got[i], v.values[i])
			}
		}
		// Decoding at the wire types and re-encoding gives the same bytes.
		wt, wv, err := Decode(data)
		if err != nil {
			t.Errorf("%s: Decode: %v", v.name, err)
			continue
		}
		again, err := Encode(wt, wv)
		if err != nil || hex.EncodeToString(again) != v.hex {
			t.Errorf("%s: Decode+Encode = %x, %v", v.name, again, err)
		}
	}
}

func TestTypeString(t *testing.T) {
	got := installCodeArgsType().String()
	want := "record { arg : blob; wasm_module : blob; mode : variant { reinstall; upgrade : opt record { " +
		"wasm_memory_persistence : opt variant { keep; replace }; skip_pre_upgrade : opt bool }; install }; " +
		"canister_id : principal; sender_canister_version : opt nat64 }"
	if got != want {
		t.Errorf("String()\n got %s\nwant %s", got, want)
	}
	list := OptOf(nil)
	list.Elem = RecordOf(F("head", NatType), F("tail", list))
	if got, want := list.String(), "μ0.opt record { head : nat; tail : μ0 }"; got != want {
		t.Errorf("recursive String() = %s, want %s", got, want)
	}
}

func TestDecodeErrorOffset(t *testing.T) {
	// "hello" with a truncated body: the text claims 5 bytes, 4 remain.
	data := mustHex(t, "4449444c0001710568656c6c")
	_, _, err := Decode(data)
	var de *DecodeError
	if !errors.As(err, &de) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Decode = %v, want a DecodeError wrapping ErrInvalid", err)
	}
	if de.Offset != 7 || !strings.HasPrefix(err.Error(), "candid: ") {
		t.Errorf("error %q at offset %d, want offset 7", err, de.Offset)
	}
}
