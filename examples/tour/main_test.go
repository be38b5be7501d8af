package main

import "testing"

// TestTour keeps the README's run command working: the whole walk-through
// (DKG, Motoko install, calls, upgrade, certificate made and verified) must
// succeed.
func TestTour(t *testing.T) {
	if err := run("../../execution/wasm/testdata/motoko/Counter.wasm"); err != nil {
		t.Fatal(err)
	}
}
