package candid

import (
	"errors"
	"math/big"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/thebigfile/bigfile"
)

// fuzzSeeds are the reference vectors and the limit cases: plain `go test`
// runs every fuzz target on them.
func fuzzSeeds(f *testing.F) {
	for _, v := range vectors(f) {
		f.Add(mustHex(f, v.hex))
	}
	if mix, err := Marshal(fullMix()); err == nil {
		f.Add(mix)
	} else {
		f.Fatal(err)
	}
	f.Add(vecOfNull(1 << 60))
	f.Add(vecOfNull(1000))
	f.Add(vecOfEmptyRecord(1 << 40))
	f.Add(nestedOpts(10))
	f.Add(nestedOpts(700))
	f.Add(mustHex(f, "4449444c016c010000010000"))            // μx.record { x }
	f.Add(mustHex(f, "4449444c0167026162010003007879"+"7a")) // future type
	f.Add(mustHex(f, "4449444c036a0101010002016902016101000162010001026e"+"000101"+"0a00000000000000010101"+"016d"))
}

// FuzzDecode checks that Decode never panics and that whatever it accepts
// survives re-encoding and decoding at the wire types and at themselves.
func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		types, vals, err := Decode(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || de.Offset < 0 || de.Offset > len(data) {
				t.Fatalf("Decode error %v is not a DecodeError with an offset in the input", err)
			}
			return
		}
		for _, ty := range types {
			if hasFuture(ty, map[*Type]bool{}) {
				return // future types decode but cannot be encoded
			}
		}
		again, err := DecodeAs(data, types)
		if err != nil {
			t.Fatalf("DecodeAs at the wire types failed: %v", err)
		}
		for i, ty := range types {
			if !valueEqual(ty, vals[i], again[i]) {
				t.Fatalf("Decode and DecodeAs disagree on arg %d: %#v vs %#v", i, vals[i], again[i])
			}
		}
		enc, err := Encode(types, vals)
		if err != nil {
			t.Fatalf("re-encoding a decoded message: %v", err)
		}
		// The re-encoding may be longer (it does not share recursive
		// entries the way the input did) but stays within the quota of a
		// generous config.
		vals2, err := Config{Quota: 1 << 30}.DecodeAs(enc, types)
		if err != nil {
			t.Fatalf("decoding the re-encoded message %x: %v", enc, err)
		}
		for i, ty := range types {
			if !valueEqual(ty, vals[i], vals2[i]) {
				t.Fatalf("re-encoded arg %d: %#v vs %#v", i, vals[i], vals2[i])
			}
		}
	})
}

func hasFuture(t *Type, seen map[*Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if t.Kind == KindFuture {
		return true
	}
	found := false
	t.children(func(c *Type) { found = found || hasFuture(c, seen) })
	return found
}

// FuzzDecodeAs decodes arbitrary input at fixed expected types, which drives
// the subtyping paths (skips, missing fields, opt coercion).
func FuzzDecodeAs(f *testing.F) {
	fuzzSeeds(f)
	list := OptOf(nil)
	list.Elem = RecordOf(F("head", IntType), F("tail", list))
	expected := [][]*Type{
		{installCodeArgsType()},
		{provisionalCreateType()},
		{list},
		{OptOf(VecOf(OptOf(TextType))), ReservedType, OptOf(PrincipalType)},
		{NatType, IntType, BlobType},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range expected {
			vals, err := DecodeAs(data, e)
			if err != nil {
				continue
			}
			// A successful decode re-encodes at the expected types.
			enc, err := Encode(e, vals)
			if err != nil {
				t.Fatalf("Encode of a DecodeAs result at %v: %v", e, err)
			}
			vals2, err := Config{Quota: 1 << 30}.DecodeAs(enc, e)
			if err != nil {
				t.Fatalf("decoding the re-encoded message: %v", err)
			}
			for i := range e {
				if !valueEqual(e[i], vals[i], vals2[i]) {
					t.Fatalf("arg %d: %#v vs %#v", i, vals[i], vals2[i])
				}
			}
		}
	})
}

// FuzzUnmarshal decodes arbitrary input into Go structs; what is accepted
// must marshal and unmarshal back to the same Go value.
func FuzzUnmarshal(f *testing.F) {
	fuzzSeeds(f)
	// The target marked false has a Go-side constraint (an array length)
	// inside an opt: the direct decoder reads a wrong length there as nil,
	// which the value-based reference cannot express, so it is only
	// round-tripped.
	targets := []struct {
		new          func() any
		differential bool
	}{
		{func() any { return new(installCodeArgs) }, true},
		{func() any { return new(provisionalCreateArgs) }, true},
		{func() any { return new(tree) }, true},
		{func() any { return new(fuzzMix) }, true},
		{func() any { return new([]*[4]byte) }, false},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, target := range targets {
			newTarget := target.new
			p := newTarget()
			err := Unmarshal(data, p)
			if target.differential {
				// The direct decoder agrees with DecodeAs + assign.
				ref := newTarget()
				refErr := unmarshalViaValues(data, ref)
				// Both must accept or both reject; the error classes may
				// differ, as the direct decoder checks Go-side constraints
				// (array lengths) before later bytes are read.
				if (err == nil) != (refErr == nil) {
					t.Fatalf("Unmarshal into %T: direct %v, via values %v", p, err, refErr)
				}
				if err == nil {
					if diff := cmp.Diff(ref, p, cmpOpts, cmpopts.EquateEmpty()); diff != "" {
						t.Fatalf("Unmarshal into %T: direct and via values differ (-values +direct):\n%s", p, diff)
					}
				}
			}
			if err != nil {
				continue
			}
			v := reflect.ValueOf(p).Elem().Interface()
			enc, err := Marshal(v)
			if err != nil {
				t.Fatalf("Marshal of an Unmarshal result %#v: %v", v, err)
			}
			q := newTarget()
			if err := (Config{Quota: 1 << 30}).Unmarshal(enc, q); err != nil {
				t.Fatalf("Unmarshal of the re-marshalled message: %v", err)
			}
			if diff := cmp.Diff(v, reflect.ValueOf(q).Elem().Interface(), cmpOpts, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("round trip (-first +second):\n%s", diff)
			}
		}
	})
}

// fuzzMix has one field of most Go mappings, with ids 0..n so that
// mutated tuples hit them.
type fuzzMix struct {
	A *Nat
	B Int
	C *int16
	D []float32
	E [2]uint64
	F *bool
	G *string
	H **big.Int
	I *FuncRef
	J *ServiceRef
	K *Reserved
	L *Null
	M *[]byte
	N *logVisibility
	O *tree
	P [3]int8
	Q [2]myByte
	R []myByte
}

// fullMix returns a fuzzMix with every field set.
func fullMix() fuzzMix {
	n := NewNat(1 << 40)
	bi := big.NewInt(-5)
	blob := []byte{1, 2, 3}
	p, _ := bigfile.ParsePrincipal("rrkah-fqaaa-aaaaa-aaaaq-cai")
	return fuzzMix{
		A: &n, B: NewInt(-7), C: ptr(int16(-2)), D: []float32{1.5, -0.25},
		E: [2]uint64{1, 2}, F: ptr(true), G: ptr("héllo"), H: &bi,
		I: &FuncRef{Service: p, Method: "m"}, J: &ServiceRef{p}, K: &Reserved{}, L: &Null{}, M: &blob,
		N: &logVisibility{AllowedViewers: &[]bigfile.Principal{p}},
		O: &tree{Value: 1, Children: []tree{{Value: 2}}}, P: [3]int8{-1, 0, 1},
		Q: [2]myByte{1, 2}, R: []myByte{3},
	}
}
