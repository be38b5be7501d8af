package wasm_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/thebigfile/bigfile/execution"
)

func candidNat(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMotokoCounter(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(motoko(t, "Counter"))
	if got, want := reply(t, c.update("inc", didlEmpty)), candidNat(t, "4449444c00017d01"); !bytes.Equal(got, want) {
		t.Fatalf("inc = %x, want %x", got, want)
	}
	if got, want := reply(t, c.update("inc", didlEmpty)), candidNat(t, "4449444c00017d02"); !bytes.Equal(got, want) {
		t.Fatalf("inc = %x, want %x", got, want)
	}
	if got, want := reply(t, c.query("get", didlEmpty)), candidNat(t, "4449444c00017d02"); !bytes.Equal(got, want) {
		t.Fatalf("get = %x, want %x", got, want)
	}
}
