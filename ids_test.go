package bigfile

import (
	"errors"
	"math"
	"testing"
)

func TestCubeIDLayout(t *testing.T) {
	for _, tc := range []struct {
		id   CubeID
		text string
	}{
		{0, "rwlgt-iiaaa-aaaaa-aaaaa-cai"},
		{1, "rrkah-fqaaa-aaaaa-aaaaq-cai"},
	} {
		if got := tc.id.String(); got != tc.text {
			t.Errorf("CubeID(%d) = %s, want %s", tc.id, got, tc.text)
		}
		got, err := ParseCubeID(tc.text)
		if err != nil || got != tc.id {
			t.Errorf("ParseCubeID(%s) = %d, %v", tc.text, got, err)
		}
	}
	p := CubeID(0x0102030405060708).Principal()
	if got, want := p.Bytes(), []byte{1, 2, 3, 4, 5, 6, 7, 8, 1, 1}; string(got) != string(want) {
		t.Errorf("layout = %x, want %x", got, want)
	}
}

func TestCubeIDRejectsOtherPrincipals(t *testing.T) {
	for _, p := range []Principal{ManagementCube, Anonymous, SelfAuthenticating([]byte("k"))} {
		if _, err := CubeIDFromPrincipal(p); !errors.Is(err, ErrInvalidPrincipal) {
			t.Errorf("CubeIDFromPrincipal(%s) error = %v", p, err)
		}
	}
	var c CubeID
	if err := c.UnmarshalBinary([]byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 2}); err == nil {
		t.Error("accepted a principal ending in 01 02")
	}
}

func TestCubeIDOrderMatchesPrincipalOrder(t *testing.T) {
	ids := []CubeID{0, 1, 255, 256, 1 << 32, math.MaxUint64}
	for i := range ids {
		for j := range ids {
			want := 0
			if ids[i] < ids[j] {
				want = -1
			} else if ids[i] > ids[j] {
				want = 1
			}
			if got := ids[i].Principal().Compare(ids[j].Principal()); got != want {
				t.Errorf("Compare(%d, %d) = %d, want %d", ids[i], ids[j], got, want)
			}
		}
	}
}

func TestCubeIDMarshalRoundTrip(t *testing.T) {
	c := CubeID(77)
	text, _ := c.MarshalText()
	bin, _ := c.MarshalBinary()
	var d, e CubeID
	if err := d.UnmarshalText(text); err != nil || d != c {
		t.Errorf("text: %v %d", err, d)
	}
	if err := e.UnmarshalBinary(bin); err != nil || e != c {
		t.Errorf("binary: %v %d", err, e)
	}
}

func TestCubeRange(t *testing.T) {
	r := CubeRange{Start: 10, End: 20}
	if !r.Contains(10) || !r.Contains(20) || r.Contains(9) || r.Contains(21) {
		t.Error("Contains is not inclusive")
	}
	if r.Len() != 11 || (CubeRange{Start: 5, End: 4}).Len() != 0 {
		t.Error("Len")
	}
	if (CubeRange{Start: 0, End: math.MaxUint64}).Len() != math.MaxUint64 {
		t.Error("Len of the full range must saturate")
	}
	if !r.Overlaps(CubeRange{Start: 20, End: 30}) || r.Overlaps(CubeRange{Start: 21, End: 30}) {
		t.Error("Overlaps")
	}
}

func TestSubnetAndNodeIDs(t *testing.T) {
	s := SubnetIDFromPublicKey([]byte("subnet key"))
	got, err := ParseSubnetID(s.String())
	if err != nil || got != s {
		t.Errorf("ParseSubnetID: %v", err)
	}
	n := NodeIDFromPublicKey([]byte("node key"))
	m, err := ParseNodeID(n.String())
	if err != nil || m != n {
		t.Errorf("ParseNodeID: %v", err)
	}
	if n.Compare(m) != 0 || s.Compare(SubnetID{}) <= 0 {
		t.Error("Compare")
	}
	// Text marshalling is promoted from the embedded principal.
	text, _ := s.MarshalText()
	var u SubnetID
	if err := u.UnmarshalText(text); err != nil || u != s {
		t.Errorf("SubnetID text round trip: %v", err)
	}
}
