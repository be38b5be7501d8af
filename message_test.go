package bigfile

import (
	"errors"
	"testing"
)

func TestRejectCodes(t *testing.T) {
	want := map[RejectCode]string{1: "SYS_FATAL", 2: "SYS_TRANSIENT", 3: "DESTINATION_INVALID",
		4: "CANISTER_REJECT", 5: "CANISTER_ERROR", 6: "SYS_UNKNOWN", 0: "RejectCode(0)", 7: "RejectCode(7)"}
	for c, name := range want {
		if c.String() != name {
			t.Errorf("%d: %s, want %s", c, c, name)
		}
		if c.Valid() != (c >= 1 && c <= 6) {
			t.Errorf("%d: Valid = %v", c, c.Valid())
		}
	}
}

func TestResponseErr(t *testing.T) {
	if err := (Response{Reply: []byte("DIDL\x00\x00")}).Err(); err != nil {
		t.Errorf("reply: %v", err)
	}
	r := Response{Reject: RejectCanisterError, RejectMessage: "IC0503: trapped"}
	var rej *RejectError
	if !r.Rejected() || !errors.As(r.Err(), &rej) || rej.Code != RejectCanisterError {
		t.Fatalf("reject: %v", r.Err())
	}
	if got := r.Err().Error(); got != "CANISTER_ERROR: IC0503: trapped" {
		t.Errorf("Error() = %q", got)
	}
}

func TestHashText(t *testing.T) {
	h := Sum256([]byte("abc"))
	if h.String() != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Sum256(abc) = %s", h)
	}
	upper, err := ParseHash("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")
	if err != nil || upper != h {
		t.Errorf("ParseHash upper case: %v", err)
	}
	for _, bad := range []string{"", "ba78", h.String() + "00", "zz" + h.String()[2:]} {
		if _, err := ParseHash(bad); !errors.Is(err, ErrInvalidHash) {
			t.Errorf("ParseHash(%q) = %v", bad, err)
		}
	}
	if !(Hash{}).IsZero() || h.IsZero() {
		t.Error("IsZero")
	}
}
