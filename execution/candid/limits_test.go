package candid

import (
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile/internal/leb128"
)

// vecOfNull is a message with one argument of type vec null claiming n
// elements (which take no bytes).
func vecOfNull(n uint64) []byte {
	return leb128.AppendUint(mustHexNoT("4449444c016d7f0100"), n)
}

// vecOfEmptyRecord is the same with vec record {}.
func vecOfEmptyRecord(n uint64) []byte {
	return leb128.AppendUint(mustHexNoT("4449444c026c006d00010100"[:len("4449444c026c006d000101")]), n)
}

func mustHexNoT(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// nestedOpts is a message of type μx.opt x holding depth levels of opt.
func nestedOpts(depth int) []byte {
	return append(mustHexNoT("4449444c016e000100"+strings.Repeat("01", depth)), 0)
}

// allocated returns the bytes allocated by f.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestZeroSizeBlowUps(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"vec null 2^60", vecOfNull(1 << 60)},
		{"vec null 2^31-1", vecOfNull(1<<31 - 1)},
		{"vec null 2^20", vecOfNull(1 << 20)},
		{"vec record{} 2^60", vecOfEmptyRecord(1 << 60)},
		{"vec record{} 2^20", vecOfEmptyRecord(1 << 20)},
	} {
		var err error
		n := allocated(func() { _, _, err = Decode(tc.data) })
		if !errors.Is(err, ErrLimit) {
			t.Errorf("%s: Decode err = %v, want ErrLimit", tc.name, err)
		}
		if n > 64<<10 {
			t.Errorf("%s: Decode allocated %d bytes for a %d-byte input", tc.name, n, len(tc.data))
		}
		var v []Null
		if err := Unmarshal(tc.data, &v); !errors.Is(err, ErrLimit) && !errors.Is(err, ErrMismatch) {
			t.Errorf("%s: Unmarshal err = %v, want ErrLimit", tc.name, err)
		}
	}
	// Within the quota, zero-size vectors decode; a larger quota admits
	// more.
	if _, vals, err := Decode(vecOfNull(50_000)); err != nil || len(vals[0].(Vec)) != 50_000 {
		t.Errorf("vec null 50000: %v", err)
	}
	if _, _, err := (Config{Quota: 1 << 22}).Decode(vecOfNull(1 << 20)); err != nil {
		t.Errorf("vec null 2^20 with a larger quota: %v", err)
	}
	if _, _, err := (Config{Quota: 5}).Decode(vecOfNull(5)); !errors.Is(err, ErrLimit) {
		t.Errorf("vec null 5 with quota 5: err = %v, want ErrLimit", err)
	}
}

func TestDepthLimit(t *testing.T) {
	if _, _, err := Decode(nestedOpts(400)); err != nil {
		t.Errorf("400 nested opts: %v", err)
	}
	_, _, err := Decode(nestedOpts(600))
	if !errors.Is(err, ErrLimit) {
		t.Errorf("600 nested opts: err = %v, want ErrLimit", err)
	}
	if _, _, err := (Config{MaxDepth: 1000}).Decode(nestedOpts(600)); err != nil {
		t.Errorf("600 nested opts with MaxDepth 1000: %v", err)
	}
	// μx.record { 0 : x } has no finite values: every level takes zero
	// bytes, so only the depth limit stops the decoder.
	data := mustHex(t, "4449444c016c010000010000")
	if _, _, err := Decode(data); !errors.Is(err, ErrLimit) {
		t.Errorf("infinite record: err = %v, want ErrLimit", err)
	}
	if _, err := DecodeAs(data, []*Type{OptOf(NatType)}); !errors.Is(err, ErrLimit) {
		t.Errorf("infinite record skipped inside opt: err = %v, want ErrLimit", err)
	}
	if _, err := DecodeAs(data, []*Type{ReservedType}); !errors.Is(err, ErrLimit) {
		t.Errorf("infinite record skipped as reserved: err = %v, want ErrLimit", err)
	}
	if err := (Config{MaxDepth: -1}).Validate(); !errors.Is(err, ErrLimit) {
		t.Errorf("Validate(MaxDepth -1) = %v", err)
	}
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		hex  string
	}{
		{"no magic", "4449444d0000"},
		{"short", "4449"},
		{"trailing bytes", "4449444c000000"},
		{"type table longer than input", "4449444c05"},
		{"primitive in table", "4449444c017d0000"},
		{"index out of range", "4449444c016e050100"},
		{"arg index out of range", "4449444c000101"},
		{"unsorted fields", "4449444c016c0202710171010000"},
		{"duplicate fields", "4449444c016c0201710171010000"},
		{"field id over 32 bits", "4449444c016c018080808010710100"},
		{"bad bool", "4449444c00017e02"},
		{"bad opt tag", "4449444c016e7b010002"},
		{"truncated nat64", "4449444c000178010203"},
		{"overlong nat", "4449444c00017d8000"},
		{"invalid utf-8", "4449444c00017101ff"},
		{"opaque principal", "4449444c00016800"},
		{"principal too long", "4449444c000168011e" + strings.Repeat("00", 30)},
		{"variant index out of range", "4449444c016b01007f010001"},
		{"bad annotation", "4449444c016a00000109010000"},
		{"method not func", "4449444c0169010161710100"},
		{"value of empty", "4449444c00016f"},
		{"vec longer than input", "4449444c016d7b0100ff01"},
	} {
		_, _, err := Decode(mustHex(t, strings.ReplaceAll(tc.hex, " ", "")))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Decode err = %v, want ErrInvalid", tc.name, err)
		}
	}
}
