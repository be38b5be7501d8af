package bigfile

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func TestPrincipalTextVectors(t *testing.T) {
	for _, tc := range []struct {
		hex, text string
		class     PrincipalClass
	}{
		{"", "aaaaa-aa", ClassUnassigned},
		{"04", "2vxsx-fae", ClassAnonymous},
		{"abcd01", "em77e-bvlzu-aq", ClassOpaque},
		{"00000000000000010101", "rrkah-fqaaa-aaaaa-aaaaq-cai", ClassOpaque},
		{"00000000000000000101", "rwlgt-iiaaa-aaaaa-aaaaa-cai", ClassOpaque},
	} {
		raw, _ := hex.DecodeString(tc.hex)
		p, err := PrincipalFromBytes(raw)
		if err != nil {
			t.Fatalf("PrincipalFromBytes(%s): %v", tc.hex, err)
		}
		if got := p.String(); got != tc.text {
			t.Errorf("String(%s) = %q, want %q", tc.hex, got, tc.text)
		}
		q, err := ParsePrincipal(tc.text)
		if err != nil {
			t.Fatalf("ParsePrincipal(%q): %v", tc.text, err)
		}
		if q != p || !bytes.Equal(q.Bytes(), raw) {
			t.Errorf("ParsePrincipal(%q) = %x, want %s", tc.text, q.Bytes(), tc.hex)
		}
		if got := p.Class(); got != tc.class {
			t.Errorf("Class(%s) = %#x, want %#x", tc.hex, got, tc.class)
		}
	}
	if ManagementCube.String() != "aaaaa-aa" || !ManagementCube.IsManagementCube() {
		t.Errorf("ManagementCube = %s", ManagementCube)
	}
	if Anonymous.String() != "2vxsx-fae" || !Anonymous.IsAnonymous() {
		t.Errorf("Anonymous = %s", Anonymous)
	}
}

func TestParsePrincipalAcceptsUpperCase(t *testing.T) {
	p, err := ParsePrincipal("RRKAH-FQAAA-AAAAA-AAAAQ-CAI")
	if err != nil {
		t.Fatal(err)
	}
	if p != CubeID(1).Principal() {
		t.Errorf("got %s", p)
	}
}

func TestParsePrincipalErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", ErrInvalidPrincipal},
		{"aaaaa", ErrInvalidPrincipal},
		{"rrkah-fqaaa-aaaaa-aaaaq-cai-", ErrInvalidPrincipal},
		{"rrkahfqaaaaaaaaaaaaqcai", ErrInvalidPrincipal},     // dashes missing
		{"rrkah-fqaaa-aaaaa-aaaaq-caj", ErrInvalidPrincipal}, // non-canonical trailing bits
		{"rrkah-fqaaa-aaaaa-aaaaa-cai", ErrChecksum},
		{"2vxsx-fae!", ErrInvalidPrincipal},
		{"aaaaa-aaaaa-aaaaa-aaaaa-aaaaa-aaaaa-aaaaa-aaaaa-aaaaa-aaaaa-aaaaa-a", ErrInvalidPrincipal},
	} {
		_, err := ParsePrincipal(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("ParsePrincipal(%q) error = %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestPrincipalFromBytesTooLong(t *testing.T) {
	if _, err := PrincipalFromBytes(make([]byte, 30)); !errors.Is(err, ErrInvalidPrincipal) {
		t.Errorf("30 bytes: error = %v", err)
	}
	if _, err := PrincipalFromBytes(make([]byte, 29)); err != nil {
		t.Errorf("29 bytes: %v", err)
	}
}

func TestSelfAuthenticating(t *testing.T) {
	// The IC mainnet root key, DER-encoded; its self-authenticating principal is
	// the NNS subnet id that clients derive from a certificate without delegation.
	der, _ := hex.DecodeString("308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100" +
		"814c0e6ec71fab583b08bd81373c255c3c371b2e84863c98a4f1e08b74235d14fb5d9c0cd546d9685f913a0c0b2cc5341583bf4b4392e467db96d65b9bb4cb717112f8472e0d5a4d14505ffd7484b01291091c5f87b98883463f98091a0baaae")
	p := SelfAuthenticating(der)
	if got, want := p.String(), "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"; got != want {
		t.Errorf("SelfAuthenticating(IC root key) = %s, want %s", got, want)
	}
	if p.Class() != ClassSelfAuthenticating || p.Len() != 29 {
		t.Errorf("class %#x, len %d", p.Class(), p.Len())
	}
	if SubnetIDFromPublicKey(der).Principal != p {
		t.Error("SubnetIDFromPublicKey differs from SelfAuthenticating")
	}
}

func TestPrincipalCompareIsBytewise(t *testing.T) {
	a, _ := PrincipalFromBytes([]byte{1})
	b, _ := PrincipalFromBytes([]byte{1, 0})
	c, _ := PrincipalFromBytes([]byte{2})
	if a.Compare(b) >= 0 || b.Compare(c) >= 0 || c.Compare(a) <= 0 || a.Compare(a) != 0 {
		t.Error("Compare is not the bytewise order")
	}
	if ManagementCube.Compare(a) >= 0 {
		t.Error("the empty principal must sort first")
	}
}

func TestPrincipalMarshalRoundTrip(t *testing.T) {
	p := CubeID(42).Principal()
	text, _ := p.MarshalText()
	var q Principal
	if err := q.UnmarshalText(text); err != nil || q != p {
		t.Fatalf("text round trip: %v, %s", err, q)
	}
	bin, _ := p.MarshalBinary()
	var r Principal
	if err := r.UnmarshalBinary(bin); err != nil || r != p {
		t.Fatalf("binary round trip: %v, %s", err, r)
	}
	if err := r.UnmarshalText([]byte("nope")); err == nil || r != p {
		t.Errorf("a failed UnmarshalText must leave the value alone: %v, %s", err, r)
	}
}

// FuzzParsePrincipal checks that parsing never panics, that every accepted
// text is canonical up to case, and that every binary form round-trips.
func FuzzParsePrincipal(f *testing.F) {
	for _, s := range []string{"aaaaa-aa", "2vxsx-fae", "em77e-bvlzu-aq", "rrkah-fqaaa-aaaaa-aaaaq-cai",
		"tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe", "", "-", "a-a", "RRKAH-FQAAA-AAAAA-AAAAQ-CAI"} {
		f.Add(s, []byte(s))
	}
	f.Fuzz(func(t *testing.T, s string, raw []byte) {
		if p, err := ParsePrincipal(s); err == nil {
			q, err := ParsePrincipal(p.String())
			if err != nil || q != p {
				t.Fatalf("String(Parse(%q)) = %q does not parse back: %v", s, p.String(), err)
			}
			if !bytes.EqualFold([]byte(p.String()), []byte(s)) {
				t.Fatalf("accepted %q, canonical %q", s, p.String())
			}
		}
		if p, err := PrincipalFromBytes(raw); err == nil {
			q, err := ParsePrincipal(p.String())
			if err != nil || q != p {
				t.Fatalf("bytes %x: String %q does not parse back: %v", raw, p.String(), err)
			}
			if !bytes.Equal(p.Bytes(), raw) {
				t.Fatalf("Bytes() = %x, want %x", p.Bytes(), raw)
			}
		} else if len(raw) <= MaxPrincipalLen {
			t.Fatalf("PrincipalFromBytes(%x): %v", raw, err)
		}
	})
}
