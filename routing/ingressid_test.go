package routing

import (
	"testing"

	"github.com/thebigfile/bigfile"
)

func TestIngressIDMatches(t *testing.T) {
	for _, m := range []bigfile.Ingress{
		{},
		{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "greet", Arg: []byte("DIDL\x00\x00"), Expiry: 1 << 60},
		{Sender: bigfile.CubeID(7).Principal(), Receiver: bigfile.ManagementCube, Method: "", Nonce: []byte{}, Expiry: 0},
		{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(), Method: "x", Nonce: []byte("nonce"), Expiry: ^bigfile.Time(0)},
	} {
		if got, want := ingressID(&m, nil), m.ID(); got != want {
			t.Errorf("%+v: got %s, want %s", m, got, want)
		}
	}
}

func FuzzIngressID(f *testing.F) {
	f.Add([]byte{4}, []byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, "greet", []byte("DIDL"), []byte{1}, uint64(1<<60), true)
	f.Add([]byte{}, []byte{}, "", []byte{}, []byte{}, uint64(0), false)
	f.Fuzz(func(t *testing.T, sender, receiver []byte, method string, arg, nonce []byte, expiry uint64, hasNonce bool) {
		s, err1 := bigfile.PrincipalFromBytes(sender)
		r, err2 := bigfile.PrincipalFromBytes(receiver)
		if err1 != nil || err2 != nil {
			return
		}
		m := bigfile.Ingress{Sender: s, Receiver: r, Method: method, Arg: arg, Expiry: bigfile.Time(expiry)}
		if hasNonce {
			m.Nonce = append([]byte{}, nonce...)
		}
		cache := map[bigfile.Principal]bigfile.Hash{}
		ingressID(&bigfile.Ingress{Sender: r, Receiver: s}, cache) // warm the cache with swapped roles
		if got, want := ingressID(&m, cache), m.ID(); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
}
