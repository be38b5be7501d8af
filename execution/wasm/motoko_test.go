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

// candidText encodes text values as a Candid argument tuple.
func candidText(vals ...string) []byte {
	b := []byte("DIDL\x00")
	b = append(b, byte(len(vals)))
	for range vals {
		b = append(b, 0x71)
	}
	for _, v := range vals {
		b = append(b, byte(len(v))) // short strings only
		b = append(b, v...)
	}
	return b
}

func nat(n byte) []byte { return []byte{'D', 'I', 'D', 'L', 0, 1, 0x7d, n} }

func wantReply(t *testing.T, out execution.Output, want []byte) {
	t.Helper()
	if got := reply(t, out); !bytes.Equal(got, want) {
		t.Fatalf("reply %x, want %x", got, want)
	}
}

func TestMotokoCounterUpgrade(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	wasm := motoko(t, "Counter")
	c.mustInstall(wasm)
	for i := byte(1); i <= 3; i++ {
		wantReply(t, c.update("inc", didlEmpty), nat(i))
	}
	before := c.st
	// Enhanced orthogonal persistence requires the option to be explicit.
	out := c.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: wasm, Arg: didlEmpty})
	if out.Err == nil || out.Err.Code != execution.CodeCanisterContractViolation {
		t.Fatalf("upgrade without wasm_memory_persistence: err %v, want IC0504", out.Err)
	}
	if !c.st.Equal(before) {
		t.Fatal("a failed upgrade changed the state")
	}
	out = c.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: wasm, Arg: didlEmpty,
		Persistence: execution.PersistenceKeep})
	if out.Err != nil {
		t.Fatalf("upgrade keep: %v", out.Err)
	}
	wantReply(t, c.query("get", didlEmpty), nat(3))
	wantReply(t, c.update("inc", didlEmpty), nat(4))
	// Replace starts the new module on a fresh heap: Motoko's state is gone.
	out = c.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: wasm, Arg: didlEmpty,
		Persistence: execution.PersistenceReplace})
	if out.Err != nil {
		t.Fatalf("upgrade replace: %v", out.Err)
	}
	wantReply(t, c.query("get", didlEmpty), nat(0))
	wantReply(t, c.update("inc", didlEmpty), nat(1))
}

func TestMotokoCounterFreshInstanceEachMessage(t *testing.T) {
	// Executing on a copy of the state (not the pointer the executor
	// returned) forces a new instance with the heap and globals restored:
	// the results must be the same.
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(motoko(t, "Counter"))
	for i := byte(1); i <= 3; i++ {
		cp := *c.st
		c.st = &cp
		wantReply(t, c.update("inc", didlEmpty), nat(i))
	}
	cp := *c.st
	c.st = &cp
	wantReply(t, c.query("get", didlEmpty), nat(3))
}

func TestMotokoTrapRollsBack(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(motoko(t, "Trapper"))
	wantReply(t, c.update("bump", didlEmpty), nat(1))
	before := c.st
	out := c.update("bumpThenTrap", didlEmpty)
	if out.Err == nil || out.Err.Code != execution.CodeCanisterCalledTrap {
		t.Fatalf("bumpThenTrap: err %v, want IC0503", out.Err)
	}
	if out.Response.Kind != execution.Rejected || out.Response.Code != 5 {
		t.Fatalf("response %+v, want a reject with code 5", out.Response)
	}
	if want := "Canister called `ic0.trap` with message: 'bump then trap'"; !bytes.Contains([]byte(out.Response.Message), []byte(want)) {
		t.Fatalf("reject message %q does not contain %q", out.Response.Message, want)
	}
	if !c.st.Equal(before) {
		t.Fatal("the trap did not roll the state back")
	}
	if n := len(c.st.Log.Records); n == 0 || !bytes.Contains(c.st.Log.Records[n-1].Content, []byte("bump then trap")) {
		t.Fatalf("the trap message is not in the cube log: %+v", c.st.Log.Records)
	}
	wantReply(t, c.query("get", didlEmpty), nat(1))
	wantReply(t, c.update("bump", didlEmpty), nat(2))
	// A garbage argument makes Motoko's Candid decoder trap; nothing changes.
	if out := c.update("bump", []byte("garbage")); out.Err == nil || out.Err.Code != execution.CodeCanisterCalledTrap {
		t.Fatalf("garbage argument: err %v, want IC0503", out.Err)
	}
	wantReply(t, c.update("bump", didlEmpty), nat(3))
}

func TestMotokoQueryWritesDiscarded(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(motoko(t, "Trapper"))
	wantReply(t, c.update("bump", didlEmpty), nat(1))
	before := c.st
	// The query adds 1000 and replies with it; the change is discarded.
	got := reply(t, c.query("queryWrite", didlEmpty))
	if want := []byte{'D', 'I', 'D', 'L', 0, 1, 0x7d, 0xe9, 0x07}; !bytes.Equal(got, want) {
		t.Fatalf("queryWrite = %x, want %x", got, want)
	}
	if c.st != before {
		t.Fatal("a query returned a new state")
	}
	// Replicated too: the reply counts, the change does not.
	out := c.exec(execution.Input{Kind: execution.KindReplicatedQuery, Method: "queryWrite", Arg: didlEmpty})
	reply(t, out)
	wantReply(t, c.query("get", didlEmpty), nat(1))
	// Motoko traps entering an update if a query's changes were kept.
	wantReply(t, c.update("bump", didlEmpty), nat(2))
}

func TestMotokoKV(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(motoko(t, "KV"))
	for i := 0; i < 50; i++ {
		k := string(rune('a'+i%26)) + string(rune('a'+i/26))
		reply(t, c.update("put", candidText(k, "v-"+k)))
	}
	wantReply(t, c.query("size", didlEmpty), nat(50))
	someText := func(s string) []byte {
		return append([]byte{'D', 'I', 'D', 'L', 1, 0x6e, 0x71, 1, 0, 1, byte(len(s))}, s...)
	}
	wantReply(t, c.query("get", candidText("ca")), someText("v-ca"))
	wantReply(t, c.query("get", candidText("zz")), []byte{'D', 'I', 'D', 'L', 1, 0x6e, 0x71, 1, 0, 0})
	wantReply(t, c.update("delete", candidText("ca")), []byte{'D', 'I', 'D', 'L', 0, 1, 0x7e, 1})
	wantReply(t, c.query("size", didlEmpty), nat(49))
	out := c.exec(execution.Input{Kind: execution.KindUpgrade, Wasm: motoko(t, "KV"), Arg: didlEmpty,
		Persistence: execution.PersistenceKeep})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	wantReply(t, c.query("size", didlEmpty), nat(49))
	wantReply(t, c.query("get", candidText("ab")), someText("v-ab"))
}

func TestMotokoMissingMethod(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(motoko(t, "Counter"))
	out := c.update("nope", didlEmpty)
	if out.Err == nil || out.Err.Code != execution.CodeCanisterMethodNotFound ||
		out.Response.Message != "Error from Canister rrkah-fqaaa-aaaaa-aaaaq-cai: Canister has no update method 'nope'." {
		t.Fatalf("got %v / %q", out.Err, out.Response.Message)
	}
}

func TestMotokoQueryOnOlderState(t *testing.T) {
	x := newExecutor(t, execution.Config{})
	c := newCube(t, x)
	c.mustInstall(motoko(t, "Counter"))
	wantReply(t, c.update("inc", didlEmpty), nat(1))
	old := c.st
	wantReply(t, c.update("inc", didlEmpty), nat(2))
	latest := c.st
	// A query on a snapshot sees that snapshot, and leaves the latest
	// state's results alone.
	c.st = old
	wantReply(t, c.query("get", didlEmpty), nat(1))
	c.st = latest
	wantReply(t, c.update("inc", didlEmpty), nat(3))
	// Re-executing from the old state (as after an aborted round) forks it.
	c.st = old
	wantReply(t, c.update("inc", didlEmpty), nat(2))
}
