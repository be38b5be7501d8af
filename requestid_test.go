package bigfile

import (
	"errors"
	"math/big"
	"testing"
)

// The request id vectors of the Internet Computer's interface specification.
func TestRequestIDSpecVectors(t *testing.T) {
	canister := []byte{0, 0, 0, 0, 0, 0, 0x04, 0xD2}
	arg := []byte("DIDL\x00\xFD*")

	h, err := HashOfMap(map[string]any{
		"request_type": "call",
		"canister_id":  canister,
		"method_name":  "hello",
		"arg":          arg,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.String(), "8781291c347db32a9d8c10eb62b710fce5a93be676474c42babc74c51858f94b"; got != want {
		t.Errorf("spec example = %s, want %s", got, want)
	}

	receiver, _ := PrincipalFromBytes(canister)
	call := Ingress{Sender: Anonymous, Receiver: receiver, Method: "hello", Arg: arg, Expiry: 1685570400000000000}
	if got, want := call.ID().String(), "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101"; got != want {
		t.Errorf("Ingress.ID = %s, want %s", got, want)
	}
}

// Ingress.ID builds its pieces directly; it must agree with HashOfMap over the
// same content, with and without a nonce.
func TestIngressIDMatchesHashOfMap(t *testing.T) {
	for _, nonce := range [][]byte{nil, {}, {1, 2, 3}} {
		m := Ingress{Sender: SelfAuthenticating([]byte("k")), Receiver: CubeID(9).Principal(),
			Method: "put", Arg: []byte("DIDL\x00\x00"), Nonce: nonce, Expiry: 1 << 62}
		fields := map[string]any{
			"request_type": "call", "sender": m.Sender, "ingress_expiry": uint64(m.Expiry),
			"canister_id": m.Receiver, "method_name": m.Method, "arg": m.Arg,
		}
		if nonce != nil {
			fields["nonce"] = nonce
		}
		want, err := HashOfMap(fields)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.ID(); Hash(got) != want {
			t.Errorf("nonce %x: ID = %s, HashOfMap = %s", nonce, got, want)
		}
	}
}

func TestHashOfMapValues(t *testing.T) {
	// Integers of every width hash as the same nat; a *big.Int too.
	ref, _ := HashOfMap(map[string]any{"n": uint64(624485)})
	for _, v := range []any{uint(624485), uint32(624485), big.NewInt(624485)} {
		h, err := HashOfMap(map[string]any{"n": v})
		if err != nil || h != ref {
			t.Errorf("%T: %s, %v", v, h, err)
		}
	}
	// Signed integers use signed LEB128, which differs from the unsigned form
	// when the top group has bit 6 set: 64 is 0x40 as a nat, 0xc000 as an int.
	nat64, _ := HashOfMap(map[string]any{"n": uint64(64)})
	if h, _ := HashOfMap(map[string]any{"n": int64(64)}); h == nat64 {
		t.Error("int64 hashed as nat")
	}
	// Arrays: [][]byte, []string and []any agree.
	a, _ := HashOfMap(map[string]any{"p": [][]byte{[]byte("x"), []byte("y")}})
	b, _ := HashOfMap(map[string]any{"p": []any{[]byte("x"), "y"}})
	c, _ := HashOfMap(map[string]any{"p": []string{"x", "y"}})
	if a != b || b != c {
		t.Error("array forms disagree")
	}
	for _, bad := range []any{nil, 1.5, big.NewInt(-1), []any{true}} {
		if _, err := HashOfMap(map[string]any{"x": bad}); !errors.Is(err, ErrUnsupportedValue) {
			t.Errorf("%T: error = %v", bad, err)
		}
	}
	deep := map[string]any{}
	for i := 0; i < 100; i++ {
		deep = map[string]any{"d": deep}
	}
	if _, err := HashOfMap(deep); !errors.Is(err, ErrUnsupportedValue) {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestLEB128Forms(t *testing.T) {
	for _, tc := range []struct {
		n    uint64
		want string
	}{{0, "\x00"}, {127, "\x7f"}, {128, "\x80\x01"}, {624485, "\xe5\x8e\x26"}} {
		if got := string(appendUvarint(nil, tc.n)); got != tc.want {
			t.Errorf("uvarint(%d) = %x", tc.n, got)
		}
		if got := string(appendBigNat(nil, new(big.Int).SetUint64(tc.n))); got != tc.want {
			t.Errorf("bignat(%d) = %x", tc.n, got)
		}
	}
	big1 := new(big.Int).Lsh(big.NewInt(1), 70)
	if got := appendBigNat(nil, big1); len(got) != 11 || got[10] != 0x01 {
		t.Errorf("bignat(2^70) = %x", got)
	}
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "\x00"}, {-1, "\x7f"}, {63, "\x3f"}, {64, "\xc0\x00"}, {-64, "\x40"}, {-123456, "\xc0\xbb\x78"}} {
		if got := string(appendSvarint(nil, tc.n)); got != tc.want {
			t.Errorf("svarint(%d) = %x, want %x", tc.n, got, tc.want)
		}
	}
}

func TestMessageIDText(t *testing.T) {
	id := MessageID(Sum256([]byte("m")))
	text, _ := id.MarshalText()
	var back MessageID
	if err := back.UnmarshalText(text); err != nil || back != id {
		t.Errorf("round trip: %v", err)
	}
	if _, err := ParseMessageID("xyz"); !errors.Is(err, ErrInvalidHash) {
		t.Errorf("ParseMessageID(xyz) = %v", err)
	}
}

func BenchmarkIngressID(b *testing.B) {
	m := Ingress{Sender: SelfAuthenticating([]byte("k")), Receiver: CubeID(9).Principal(),
		Method: "inc", Arg: []byte("DIDL\x00\x00"), Nonce: []byte("0123456789abcdef"), Expiry: 1 << 62}
	b.ReportAllocs()
	for b.Loop() {
		m.ID()
	}
}

// FuzzIngressID holds the allocation-free Ingress.ID to the general HashOfMap.
func FuzzIngressID(f *testing.F) {
	f.Add([]byte{4}, []byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, "greet", []byte("DIDL"), []byte{1}, uint64(1<<60), true)
	f.Add([]byte{}, []byte{}, "", []byte{}, []byte{}, uint64(0), false)
	f.Fuzz(func(t *testing.T, sender, receiver []byte, method string, arg, nonce []byte, expiry uint64, hasNonce bool) {
		s, err1 := PrincipalFromBytes(sender)
		r, err2 := PrincipalFromBytes(receiver)
		if err1 != nil || err2 != nil {
			return
		}
		m := Ingress{Sender: s, Receiver: r, Method: method, Arg: arg, Expiry: Time(expiry)}
		fields := map[string]any{"request_type": "call", "sender": sender, "ingress_expiry": expiry,
			"canister_id": receiver, "method_name": method, "arg": arg}
		if hasNonce {
			m.Nonce = append([]byte{}, nonce...)
			fields["nonce"] = m.Nonce
		}
		want, err := HashOfMap(fields)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.ID(); Hash(got) != want {
			t.Fatalf("ID = %s, HashOfMap = %s", got, want)
		}
	})
}
