package bigfile

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestCyclesArithmeticAgainstBigInt(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	max := MaxCycles.Big()
	randCycles := func() Cycles {
		switch rng.IntN(4) {
		case 0:
			return CyclesFromUint64(rng.Uint64())
		case 1:
			return MaxCycles.Sub(CyclesFromUint64(rng.Uint64N(1000)))
		default:
			return Cycles{Hi: rng.Uint64() >> rng.UintN(64), Lo: rng.Uint64()}
		}
	}
	clamp := func(x *big.Int) *big.Int {
		if x.Sign() < 0 {
			return new(big.Int)
		}
		if x.Cmp(max) > 0 {
			return new(big.Int).Set(max)
		}
		return x
	}
	for i := 0; i < 20000; i++ {
		a, b := randCycles(), randCycles()
		n := rng.Uint64() >> rng.UintN(64)
		ab, bb := a.Big(), b.Big()
		check := func(op string, got Cycles, want *big.Int) {
			t.Helper()
			if got.Big().Cmp(clamp(want)) != 0 {
				t.Fatalf("%s(%s, %s, %d) = %s, want %s", op, a, b, n, got, clamp(want))
			}
		}
		check("Add", a.Add(b), new(big.Int).Add(ab, bb))
		check("Sub", a.Sub(b), new(big.Int).Sub(ab, bb))
		check("MulUint64", a.MulUint64(n), new(big.Int).Mul(ab, new(big.Int).SetUint64(n)))
		if n != 0 {
			check("DivUint64", a.DivUint64(n), new(big.Int).Quo(ab, new(big.Int).SetUint64(n)))
		}
		if got, want := a.Cmp(b), ab.Cmp(bb); got != want {
			t.Fatalf("Cmp(%s, %s) = %d, want %d", a, b, got, want)
		}
		c, err := ParseCycles(a.String())
		if err != nil || c != a {
			t.Fatalf("ParseCycles(%s) = %s, %v", a, c, err)
		}
	}
}

func TestCyclesParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Cycles
		err  bool
	}{
		{"0", Cycles{}, false},
		{"1_000_000_000_000", CyclesFromUint64(1e12), false},
		{"010", CyclesFromUint64(10), false},
		{"340282366920938463463374607431768211455", MaxCycles, false},
		{"340282366920938463463374607431768211456", Cycles{}, true},
		{"", Cycles{}, true},
		{"-1", Cycles{}, true},
		{"0x10", Cycles{}, true},
		{"1__0", Cycles{}, true},
		{"_1", Cycles{}, true},
		{"1_", Cycles{}, true},
	} {
		got, err := ParseCycles(tc.in)
		if tc.err {
			if !errors.Is(err, ErrInvalidCycles) {
				t.Errorf("ParseCycles(%q) error = %v, want ErrInvalidCycles", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseCycles(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := CyclesFromBig(big.NewInt(-1)); !errors.Is(err, ErrInvalidCycles) {
		t.Error("CyclesFromBig(-1) must fail")
	}
	if v, ok := CyclesFromUint64(7).Uint64(); !ok || v != 7 {
		t.Error("Uint64")
	}
	if _, ok := MaxCycles.Uint64(); ok {
		t.Error("Uint64 of MaxCycles must report false")
	}
	if MaxCycles.DivUint64(0) != MaxCycles || !(Cycles{}).IsZero() {
		t.Error("DivUint64(0) / IsZero")
	}
}
