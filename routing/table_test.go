package routing_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
)

func TestMap(t *testing.T) {
	m := testMap(t)
	for _, tc := range []struct {
		c    bigfile.CubeID
		want bigfile.SubnetID
		ok   bool
	}{{0, subnetA, true}, {99, subnetA, true}, {100, subnetB, true}, {250, subnetC, true}, {300, bigfile.SubnetID{}, false}} {
		if got, ok := m.Lookup(tc.c); got != tc.want || ok != tc.ok {
			t.Errorf("Lookup(%d) = %v, %v; want %v, %v", tc.c, got, ok, tc.want, tc.ok)
		}
	}
	if _, err := routing.NewMap([]routing.Assignment{{Range: rangeA, Subnet: subnetA}, {Range: bigfile.CubeRange{Start: 99, End: 120}, Subnet: subnetB}}); !errors.Is(err, routing.ErrOverlap) {
		t.Errorf("overlap: %v", err)
	}
	if _, err := routing.NewMap([]routing.Assignment{{Range: bigfile.CubeRange{Start: 5, End: 4}, Subnet: subnetB}}); !errors.Is(err, routing.ErrInvalidRange) {
		t.Errorf("invalid range: %v", err)
	}
	// Moving a middle piece splits the range; moving it back merges again.
	moved, err := m.Assign(bigfile.CubeRange{Start: 120, End: 129}, subnetC)
	if err != nil {
		t.Fatal(err)
	}
	if got := moved.Ranges(subnetB); len(got) != 2 || got[0].End != 119 || got[1].Start != 130 {
		t.Errorf("B after the move: %v", got)
	}
	if s, _ := moved.Lookup(125); s != subnetC {
		t.Errorf("125 on %v", s)
	}
	back, _ := moved.Assign(bigfile.CubeRange{Start: 120, End: 129}, subnetB)
	if len(back.Assignments()) != 3 {
		t.Errorf("not merged back: %v", back.Assignments())
	}
	if s, _ := m.Lookup(125); s != subnetB {
		t.Errorf("Assign changed the original map")
	}
	full, _ := routing.NewMap([]routing.Assignment{{Range: bigfile.CubeRange{Start: 0, End: ^bigfile.CubeID(0)}, Subnet: subnetA}})
	if s, ok := full.Lookup(^bigfile.CubeID(0)); !ok || s != subnetA {
		t.Errorf("full range lookup")
	}
}

// TestMapAgainstNaive applies random assignments to a Map and to a plain
// array over a small id space and compares every lookup.
func TestMapAgainstNaive(t *testing.T) {
	const space = 64
	subnets := []bigfile.SubnetID{subnetA, subnetB, subnetC}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		var m routing.Map
		naive := make([]int, space) // index into subnets, -1 for none
		for i := range naive {
			naive[i] = -1
		}
		for step := 0; step < 10; step++ {
			lo := rng.IntN(space)
			hi := lo + rng.IntN(space-lo)
			s := rng.IntN(len(subnets))
			var err error
			if m, err = m.Assign(bigfile.CubeRange{Start: bigfile.CubeID(lo), End: bigfile.CubeID(hi)}, subnets[s]); err != nil {
				t.Fatal(err)
			}
			for i := lo; i <= hi; i++ {
				naive[i] = s
			}
		}
		for i := 0; i < space; i++ {
			got, ok := m.Lookup(bigfile.CubeID(i))
			if ok != (naive[i] >= 0) || (ok && got != subnets[naive[i]]) {
				t.Fatalf("trial %d: id %d on %v (%v), want %d", trial, i, got, ok, naive[i])
			}
		}
		// The canonical form: no two adjacent ranges of one subnet.
		as := m.Assignments()
		for i := 1; i < len(as); i++ {
			if as[i-1].Subnet == as[i].Subnet && as[i-1].Range.End+1 == as[i].Range.Start {
				t.Fatalf("unmerged neighbours %v", as)
			}
		}
	}
}

func TestTableHeights(t *testing.T) {
	tab := routing.NewTable(testMap(t))
	x := bigfile.CubeRange{Start: 150, End: 150}
	if err := tab.Migrate(10, x, subnetC); err != nil {
		t.Fatal(err)
	}
	if err := tab.Migrate(20, x, subnetA); err != nil {
		t.Fatal(err)
	}
	if err := tab.Migrate(15, x, subnetB); !errors.Is(err, routing.ErrPastHeight) {
		t.Fatalf("out of order change: %v", err)
	}
	for _, tc := range []struct {
		h    bigfile.Height
		want bigfile.SubnetID
	}{{0, subnetB}, {9, subnetB}, {10, subnetC}, {19, subnetC}, {20, subnetA}, {1000, subnetA}} {
		if got, _ := tab.Lookup(150, tc.h); got != tc.want {
			t.Errorf("at %d: %v, want %v", tc.h, got, tc.want)
		}
	}
	tab.Prune(12)
	if got, _ := tab.Lookup(150, 12); got != subnetC {
		t.Errorf("after pruning, at 12: %v", got)
	}
	if tab.Kind(subnetA) != routing.Application {
		t.Errorf("default kind")
	}
	tab.SetKind(subnetA, routing.Bucket)
	if tab.Kind(subnetA) != routing.Bucket || routing.Bucket.String() != "bucket" {
		t.Errorf("kind")
	}
}
