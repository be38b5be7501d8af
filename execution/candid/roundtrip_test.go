package candid

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestRoundTripRandom is the property test: random types (nested and
// recursive, with funcs and services) and random values of them survive
// encode → decode at the wire types → equal, encode → decode at the
// original types → equal, and re-encoding the decoded form gives the same
// values.
func TestRoundTripRandom(t *testing.T) {
	n := 12000
	if testing.Short() {
		n = 2000
	}
	g := gen{r: rand.New(rand.NewPCG(42, 7))}
	reenc := 0
	defer func() { t.Logf("%d cases, %d re-encoded to different bytes", n, reenc) }()
	for i := range n {
		nargs := g.r.IntN(4)
		types := make([]*Type, nargs)
		values := make([]Value, nargs)
		for j := range types {
			types[j] = g.typ(5, nil)
			values[j] = g.value(types[j], 6)
		}
		data, err := Encode(types, values)
		if err != nil {
			t.Fatalf("case %d: Encode(%v): %v", i, types, err)
		}
		wt, wv, err := Decode(data)
		if err != nil {
			t.Fatalf("case %d: Decode(%x) of %v: %v", i, data, types, err)
		}
		if len(wv) != nargs {
			t.Fatalf("case %d: Decode returned %d values, want %d", i, len(wv), nargs)
		}
		got, err := DecodeAs(data, types)
		if err != nil {
			t.Fatalf("case %d: DecodeAs(%x) at %v: %v", i, data, types, err)
		}
		for j := range types {
			if !valueEqual(types[j], wv[j], values[j]) {
				t.Fatalf("case %d arg %d: Decode = %#v, want %#v (type %v)", i, j, wv[j], values[j], types[j])
			}
			if !valueEqual(types[j], got[j], values[j]) {
				t.Fatalf("case %d arg %d: DecodeAs = %#v, want %#v (type %v)", i, j, got[j], values[j], types[j])
			}
		}
		// Re-encoding the decoded form gives a message with the same
		// values. (The bytes may differ for recursive types: the table
		// builder may share entries differently for a decoded graph.)
		again, err := Encode(wt, wv)
		if err != nil {
			t.Fatalf("case %d: re-encoding the decoded form: %v", i, err)
		}
		if !bytes.Equal(again, data) {
			reenc++
		}
		got2, err := DecodeAs(again, types)
		if err != nil {
			t.Fatalf("case %d: decoding the re-encoded form %x: %v", i, again, err)
		}
		for j := range types {
			if !valueEqual(types[j], got2[j], values[j]) {
				t.Fatalf("case %d arg %d: re-encoded value = %#v, want %#v", i, j, got2[j], values[j])
			}
		}
	}
}
