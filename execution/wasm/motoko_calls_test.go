package wasm_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/scheduler"
)

// Motoko cubes calling each other through the scheduler on wasmtime:
// Caller.mo (cube 1), Counter.mo (cube 2), Trapper.mo (cube 3).

type moSubnet struct {
	t    *testing.T
	s    *scheduler.Scheduler
	now  bigfile.Time
	seed bigfile.Hash
	n    byte
}

func newMoSubnet(t *testing.T) *moSubnet {
	x := newExecutor(t, execution.Config{})
	s, err := scheduler.New(scheduler.Config{}, x)
	if err != nil {
		t.Fatal(err)
	}
	for id, name := range map[bigfile.CubeID]string{1: "Caller", 2: "Counter", 3: "Trapper"} {
		out, err := x.Execute(context.Background(), &execution.State{ID: id},
			execution.Input{Kind: execution.KindInstall, Wasm: motoko(t, name), Arg: didlEmpty, Time: 1})
		if err != nil || out.Err != nil {
			t.Fatalf("install %s: %v %v", name, err, out.Err)
		}
		s.SetCube(out.State)
	}
	return &moSubnet{t: t, s: s, now: 1_700_000_000_000_000_000, seed: bigfile.Hash{9}}
}

// round runs one round (one second later than the last) with ins.
func (m *moSubnet) round(ins ...bigfile.Ingress) scheduler.Result {
	m.t.Helper()
	m.now += 1_000_000_000
	res, err := m.s.ExecuteRound(context.Background(), scheduler.Round{Time: m.now, Randomness: m.seed, Ingress: ins})
	if err != nil {
		m.t.Fatal(err)
	}
	return res
}

// call sends an ingress call to cube 1 and runs rounds until it is
// answered.
func (m *moSubnet) call(method string, arg []byte) execution.Response {
	m.t.Helper()
	m.n++
	in := bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: method, Arg: arg,
		Nonce: []byte{m.n}}
	res := m.round(in)
	for i := 0; i < 30; i++ {
		for _, r := range res.Ingress {
			if r.ID == in.ID() {
				return r.Response
			}
		}
		res = m.round()
	}
	m.t.Fatalf("%s not answered in 30 rounds", method)
	return execution.Response{}
}

// candidPrincipalNat encodes (principal, nat) with a small nat.
func candidPrincipal(id bigfile.CubeID, nat ...byte) []byte {
	p := id.Principal().Bytes()
	b := []byte("DIDL\x00")
	b = append(b, byte(1+len(nat)), 0x68)
	if len(nat) > 0 {
		b = append(b, 0x7d)
	}
	b = append(b, 1, byte(len(p)))
	b = append(b, p...)
	return append(b, nat...)
}

func TestMotokoCallerAwaitsCounter(t *testing.T) {
	m := newMoSubnet(t)
	r := m.call("callN", candidPrincipal(2, 5))
	if r.Kind != execution.Replied || !bytes.Equal(r.Data, nat(5)) {
		t.Fatalf("callN(counter, 5) = %+v, want 5", r)
	}
	st, _ := m.s.Cube(2)
	if st.Version == 0 {
		t.Fatal("counter did not run")
	}
	m.s.Certify()
	out, err := m.s.Query(context.Background(), 2, execution.Input{Method: "get", Arg: didlEmpty})
	if err != nil || !bytes.Equal(out.Response.Data, nat(5)) {
		t.Fatalf("counter get = %+v %v, want 5", out.Response, err)
	}
	if st, _ := m.s.Cube(1); len(st.CallContexts) != 0 || len(st.Callbacks) != 0 {
		t.Fatalf("caller keeps %d contexts and %d callbacks", len(st.CallContexts), len(st.Callbacks))
	}
}

func TestMotokoTryCatchAroundTrappingCallee(t *testing.T) {
	m := newMoSubnet(t)
	r := m.call("tryTrap", candidPrincipal(3))
	if r.Kind != execution.Replied || !strings.Contains(string(r.Data), "caught: ") ||
		!strings.Contains(string(r.Data), "bump then trap") {
		t.Fatalf("tryTrap = %+v %q", r, r.Data)
	}
	// The callee's change before the trap was rolled back.
	m.s.Certify()
	out, err := m.s.Query(context.Background(), 3, execution.Input{Method: "get", Arg: didlEmpty})
	if err != nil || !bytes.Equal(out.Response.Data, nat(0)) {
		t.Fatalf("trapper get = %+v %v, want 0", out.Response, err)
	}
}

func TestMotokoTimerFires(t *testing.T) {
	m := newMoSubnet(t)
	if r := m.call("arm", []byte("DIDL\x00\x01\x7d\x03")); r.Kind != execution.Replied {
		t.Fatalf("arm: %+v", r)
	}
	fired := func() []byte {
		m.s.Certify()
		out, err := m.s.Query(context.Background(), 1, execution.Input{Method: "firedCount", Arg: didlEmpty})
		if err != nil {
			t.Fatal(err)
		}
		return reply(t, out)
	}
	if got := fired(); !bytes.Equal(got, nat(0)) {
		t.Fatalf("fired %x right after arming", got)
	}
	for range 6 {
		m.round()
	}
	if got := fired(); !bytes.Equal(got, nat(1)) {
		t.Fatalf("fired %x six seconds after a 3-second timer, want 1", got)
	}
}

func TestMotokoRawRand(t *testing.T) {
	m := newMoSubnet(t)
	r := m.call("rand", didlEmpty)
	var want [32]byte
	if _, err := scheduler.Tape(m.seed).Read(want[:]); err != nil {
		t.Fatal(err)
	}
	if r.Kind != execution.Replied || !bytes.Equal(r.Data, append([]byte("DIDL\x01\x6d\x7b\x01\x00\x20"), want[:]...)) {
		t.Fatalf("rand = %+v", r)
	}
}
