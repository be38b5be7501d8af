package candid

import (
	"errors"
	"testing"
)

// TestDecodeAsSubtyping covers the decoding rules of the Candid spec
// (reference/system-api.md §5.5): each case encodes a value at one type and
// decodes it at another.
func TestDecodeAsSubtyping(t *testing.T) {
	variantAB := VariantOf(F("a", NatType), F("b", TextType))
	variantA := VariantOf(F("a", NatType))
	for _, tc := range []struct {
		name      string
		wire      *Type
		value     Value
		expected  *Type
		want      Value // nil when an error is expected
		wantError error
	}{
		{"nat as int", NatType, NewNat(7), IntType, NewInt(7), nil},
		{"int as nat", IntType, NewInt(7), NatType, nil, ErrMismatch},
		{"nat8 as nat16", Nat8Type, uint8(1), Nat16Type, nil, ErrMismatch},
		{"anything as reserved", RecordOf(F("x", TextType)), Record{{Name: "x", Value: "y"}}, ReservedType, Reserved{}, nil},
		{"null as opt", NullType, Null{}, OptOf(NatType), Opt{}, nil},
		{"reserved as opt", ReservedType, Reserved{}, OptOf(NatType), Opt{}, nil},
		{"value as opt", NatType, NewNat(3), OptOf(NatType), Opt{NewNat(3)}, nil},
		{"value as opt opt", NatType, NewNat(3), OptOf(OptOf(NatType)), Opt{Opt{NewNat(3)}}, nil},
		{"opt as opt opt", OptOf(NatType), Opt{NewNat(3)}, OptOf(OptOf(NatType)), Opt{Opt{NewNat(3)}}, nil},
		{"none as opt opt", OptOf(NatType), Opt{}, OptOf(OptOf(NatType)), Opt{}, nil},
		{"mismatch inside opt is none", OptOf(TextType), Opt{"x"}, OptOf(NatType), Opt{}, nil},
		{"mismatched value as opt is none", TextType, "x", OptOf(NatType), Opt{}, nil},
		{"unknown variant case inside opt is none", variantAB, Variant{Name: "b", Value: "x"}, OptOf(variantA), Opt{}, nil},
		{"known case of a wider variant", variantAB, Variant{Name: "a", Value: NewNat(1)}, variantA, Variant{Name: "a", Value: NewNat(1)}, nil},
		{"unknown variant case", variantAB, Variant{Name: "b", Value: "x"}, variantA, nil, ErrMismatch},
		{"extra record field skipped",
			RecordOf(F("a", NatType), F("b", VecOf(TextType)), F("c", BoolType)),
			Record{{Name: "a", Value: NewNat(1)}, {Name: "b", Value: Vec{"p", "q"}}, {Name: "c", Value: true}},
			RecordOf(F("a", NatType), F("c", BoolType)),
			Record{{Name: "a", Value: NewNat(1)}, {Name: "c", Value: true}}, nil},
		{"missing opt, null and reserved fields",
			RecordOf(F("a", NatType)), Record{{Name: "a", Value: NewNat(1)}},
			RecordOf(F("a", NatType), F("b", OptOf(TextType)), F("c", NullType), F("d", ReservedType)),
			Record{{Name: "a", Value: NewNat(1)}, {Name: "b", Value: Opt{}}, {Name: "c", Value: Null{}}, {Name: "d", Value: Reserved{}}}, nil},
		{"missing required field", RecordOf(F("a", NatType)), Record{{Name: "a", Value: NewNat(1)}},
			RecordOf(F("a", NatType), F("b", TextType)), nil, ErrMismatch},
		{"missing required field inside opt is none", RecordOf(F("a", NatType)), Record{{Name: "a", Value: NewNat(1)}},
			OptOf(RecordOf(F("a", NatType), F("b", TextType))), Opt{}, nil},
		{"vec elements coerced", VecOf(NatType), Vec{NewNat(1), NewNat(2)}, VecOf(OptOf(IntType)),
			Vec{Opt{NewInt(1)}, Opt{NewInt(2)}}, nil},
		{"empty vec at any vec type", VecOf(TextType), Vec{}, VecOf(NatType), Vec{}, nil},
		{"vec of the wrong type", VecOf(TextType), Vec{"x"}, VecOf(NatType), nil, ErrMismatch},
		{"blob as vec opt nat8", BlobType, []byte{1}, VecOf(OptOf(Nat8Type)), Vec{Opt{uint8(1)}}, nil},
		{"vec nat8 written as Vec reads as blob", VecOf(Nat8Type), Vec{uint8(1), uint8(2)}, BlobType, []byte{1, 2}, nil},
		{"value as empty", NatType, NewNat(1), EmptyType, nil, ErrMismatch},
		{"text as principal", TextType, "x", PrincipalType, nil, ErrMismatch},
		{"func with other signature", FuncOf([]*Type{NatType}, nil), FuncRef{Service: cube1(t), Method: "m"},
			FuncOf(nil, []*Type{TextType}, Query), FuncRef{Service: cube1(t), Method: "m"}, nil},
		{"service with other methods", ServiceOf(Method{Name: "a", Type: FuncOf(nil, nil)}), ServiceRef{cube1(t)},
			ServiceOf(), ServiceRef{cube1(t)}, nil},
	} {
		data, err := Encode([]*Type{tc.wire}, []Value{tc.value})
		if err != nil {
			t.Errorf("%s: Encode: %v", tc.name, err)
			continue
		}
		got, err := DecodeAs(data, []*Type{tc.expected})
		if tc.wantError != nil {
			if !errors.Is(err, tc.wantError) {
				t.Errorf("%s: DecodeAs = %#v, %v; want error %v", tc.name, got, err, tc.wantError)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: DecodeAs: %v", tc.name, err)
			continue
		}
		if !valueEqual(tc.expected, got[0], tc.want) {
			t.Errorf("%s: DecodeAs = %#v, want %#v", tc.name, got[0], tc.want)
		}
	}
}

func TestDecodeAsArguments(t *testing.T) {
	data, err := Encode([]*Type{NatType, TextType}, []Value{NewNat(1), "x"})
	if err != nil {
		t.Fatal(err)
	}
	// Extra arguments are skipped, missing opt/null/reserved ones are null.
	got, err := DecodeAs(data, []*Type{IntType, TextType, OptOf(NatType), NullType, ReservedType})
	if err != nil {
		t.Fatal(err)
	}
	want := []Value{NewInt(1), "x", Opt{}, Null{}, Reserved{}}
	for i := range want {
		if !valueEqual([]*Type{IntType, TextType, OptOf(NatType), NullType, ReservedType}[i], got[i], want[i]) {
			t.Errorf("arg %d = %#v, want %#v", i, got[i], want[i])
		}
	}
	if got, err := DecodeAs(data, nil); err != nil || len(got) != 0 {
		t.Errorf("DecodeAs(data, nil) = %v, %v", got, err)
	}
	if _, err := DecodeAs(data, []*Type{NatType, TextType, BoolType}); !errors.Is(err, ErrMismatch) {
		t.Errorf("missing bool argument: err = %v, want ErrMismatch", err)
	}
	if _, err := DecodeAs(data, []*Type{{Kind: KindRecord, Fields: []Field{{ID: 2, Type: NatType}, {ID: 1, Type: NatType}}}}); !errors.Is(err, ErrType) {
		t.Errorf("unsorted expected type: err = %v, want ErrType", err)
	}
}

func TestFutureType(t *testing.T) {
	// Type table: one future type (opcode -25) with a 2-byte payload; one
	// argument of that type whose value is 3 bytes (m = 3, n = 0).
	data := mustHex(t, "4449444c0167026162010003007879"+"7a")
	types, vals, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if types[0].Kind != KindFuture || types[0].Opcode != -25 || vals[0] != (Reserved{}) {
		t.Errorf("Decode = %v %#v", types[0], vals[0])
	}
	if got, err := DecodeAs(data, []*Type{OptOf(NatType)}); err != nil || !valueEqual(OptOf(NatType), got[0], Opt{}) {
		t.Errorf("future as opt = %#v, %v; want none", got, err)
	}
	if _, err := DecodeAs(data, []*Type{NatType}); !errors.Is(err, ErrMismatch) {
		t.Errorf("future as nat: err = %v, want ErrMismatch", err)
	}
	if _, err := Encode(types, vals); !errors.Is(err, ErrType) {
		t.Errorf("encoding a future type: err = %v, want ErrType", err)
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    *Type
		v    Value
		want error
	}{
		{"nil type", nil, nil, ErrType},
		{"nil elem", &Type{Kind: KindOpt}, Opt{}, ErrType},
		{"unsorted fields", &Type{Kind: KindRecord, Fields: []Field{{ID: 2, Type: NatType}, {ID: 1, Type: NatType}}}, Record{}, ErrType},
		{"name/id disagree", &Type{Kind: KindRecord, Fields: []Field{{ID: 1, Name: "a", Type: NatType}}}, Record{}, ErrType},
		{"bad annotation", FuncOf(nil, nil, 9), FuncRef{}, ErrType},
		{"method not a func", &Type{Kind: KindService, Methods: []Method{{Name: "a", Type: NatType}}}, ServiceRef{}, ErrType},
		{"wrong Go type", NatType, uint64(1), ErrValue},
		{"negative nat", NatType, IntFromBig(NewInt(-1).Big()).Big(), ErrValue},
		{"missing field", RecordOf(F("a", NatType)), Record{}, ErrValue},
		{"extra field", RecordOf(F("a", OptOf(NatType))), Record{{Name: "b", Value: NewNat(1)}}, ErrValue},
		{"unknown case", VariantOf(F("a", NullType)), Variant{Name: "b", Value: Null{}}, ErrValue},
		{"empty", EmptyType, nil, ErrValue},
		{"self-containing vec", VecOf(VecOf(NatType)), selfVec(), ErrValue},
	} {
		if _, err := Encode([]*Type{tc.t}, []Value{tc.v}); !errors.Is(err, tc.want) {
			t.Errorf("%s: Encode err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// selfVec returns a Vec that contains itself.
func selfVec() Vec {
	v := make(Vec, 1)
	v[0] = v
	return v
}

func TestRecordValueLenient(t *testing.T) {
	// Fields may come in any order, by name or by id, and absent opt
	// fields encode as none.
	ty := RecordOf(F("a", NatType), F("b", OptOf(TextType)), Field{ID: 7, Type: BoolType})
	data, err := Encode([]*Type{ty}, []Value{Record{{ID: 7, Value: true}, {ID: Hash("a"), Value: NewNat(2)}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeAs(data, []*Type{ty})
	if err != nil {
		t.Fatal(err)
	}
	r := got[0].(Record)
	if r.Field("a").(Nat).String() != "2" || r.Field("b") != (Opt{}) || r[0].ID != 7 || r[0].Value != true {
		t.Errorf("decoded %#v", r)
	}
}
