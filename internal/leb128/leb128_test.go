package leb128

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestUintVectors(t *testing.T) {
	for _, tc := range []struct {
		v   uint64
		hex string
	}{
		{0, "00"}, {1, "01"}, {127, "7f"}, {128, "8001"}, {300, "ac02"},
		{624485, "e58e26"}, {1313628723, "b3c4b1f204"},
		{math.MaxUint64, "ffffffffffffffffff01"},
	} {
		got := hex.EncodeToString(AppendUint(nil, tc.v))
		if got != tc.hex {
			t.Errorf("AppendUint(%d) = %s, want %s", tc.v, got, tc.hex)
		}
		if UintLen(tc.v) != len(tc.hex)/2 {
			t.Errorf("UintLen(%d) = %d, want %d", tc.v, UintLen(tc.v), len(tc.hex)/2)
		}
		b, _ := hex.DecodeString(tc.hex)
		v, n, err := Uint(append(b, 0xaa)) // trailing byte must be left alone
		if err != nil || v != tc.v || n != len(b) {
			t.Errorf("Uint(%s) = %d, %d, %v; want %d, %d", tc.hex, v, n, err, tc.v, len(b))
		}
		bv, n, err := BigUint(b)
		if err != nil || !bv.IsUint64() || bv.Uint64() != tc.v || n != len(b) {
			t.Errorf("BigUint(%s) = %v, %d, %v", tc.hex, bv, n, err)
		}
	}
}

func TestIntVectors(t *testing.T) {
	for _, tc := range []struct {
		v   int64
		hex string
	}{
		{0, "00"}, {1, "01"}, {-1, "7f"}, {63, "3f"}, {64, "c000"}, {-64, "40"}, {-65, "bf7f"},
		{-123456, "c0bb78"}, {-24, "68"}, {-3, "7d"},
		{math.MaxInt64, "ffffffffffffffffff00"}, {math.MinInt64, "8080808080808080807f"},
	} {
		got := hex.EncodeToString(AppendInt(nil, tc.v))
		if got != tc.hex {
			t.Errorf("AppendInt(%d) = %s, want %s", tc.v, got, tc.hex)
		}
		b, _ := hex.DecodeString(tc.hex)
		v, n, err := Int(b)
		if err != nil || v != tc.v || n != len(b) {
			t.Errorf("Int(%s) = %d, %d, %v; want %d", tc.hex, v, n, err, tc.v)
		}
		bv, n, err := BigInt(b)
		if err != nil || !bv.IsInt64() || bv.Int64() != tc.v || n != len(b) {
			t.Errorf("BigInt(%s) = %v, %d, %v", tc.hex, bv, n, err)
		}
		if got := hex.EncodeToString(AppendBigInt(nil, big.NewInt(tc.v))); got != tc.hex {
			t.Errorf("AppendBigInt(%d) = %s, want %s", tc.v, got, tc.hex)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		hex      string
		uerr     error // Uint
		ierr     error // Int
		bigUerr  error // BigUint
		bigIerr  error // BigInt
		describe string
	}{
		{"", ErrTruncated, ErrTruncated, ErrTruncated, ErrTruncated, "empty"},
		{"80", ErrTruncated, ErrTruncated, ErrTruncated, ErrTruncated, "open continuation"},
		{"8000", ErrOverlong, ErrOverlong, ErrOverlong, ErrOverlong, "zero padded"},
		{"ff7f", nil, ErrOverlong, nil, ErrOverlong, "-1 padded (signed) / 16383 (unsigned)"},
		{"ffffffffffffffffff02", ErrOverflow, ErrOverflow, nil, nil, "65 bits"},
		{"ffffffffffffffffff8000", ErrOverflow, ErrOverflow, ErrOverlong, ErrOverlong, "11 bytes, padded"},
		{"8080808080808080808001", ErrOverflow, ErrOverflow, nil, nil, "2^70"},
	} {
		b, _ := hex.DecodeString(tc.hex)
		if _, _, err := Uint(b); !errors.Is(err, tc.uerr) || (tc.uerr == nil) != (err == nil) {
			t.Errorf("%s: Uint err = %v, want %v", tc.describe, err, tc.uerr)
		}
		if _, _, err := Int(b); !errors.Is(err, tc.ierr) || (tc.ierr == nil) != (err == nil) {
			t.Errorf("%s: Int err = %v, want %v", tc.describe, err, tc.ierr)
		}
		if _, _, err := BigUint(b); !errors.Is(err, tc.bigUerr) || (tc.bigUerr == nil) != (err == nil) {
			t.Errorf("%s: BigUint err = %v, want %v", tc.describe, err, tc.bigUerr)
		}
		if _, _, err := BigInt(b); !errors.Is(err, tc.bigIerr) || (tc.bigIerr == nil) != (err == nil) {
			t.Errorf("%s: BigInt err = %v, want %v", tc.describe, err, tc.bigIerr)
		}
	}
}

func TestAppendBigUintNegative(t *testing.T) {
	b, err := AppendBigUint([]byte{1}, big.NewInt(-1))
	if err == nil || !bytes.Equal(b, []byte{1}) {
		t.Fatalf("AppendBigUint(-1) = %x, %v; want unchanged slice and an error", b, err)
	}
}

// naiveBigUint is the textbook encoder: emit low 7 bits until the value is
// zero. It checks the word-slicing encoder on large values.
func naiveBigUint(v *big.Int) []byte {
	v = new(big.Int).Set(v)
	var out []byte
	mask := big.NewInt(0x7f)
	for {
		c := byte(new(big.Int).And(v, mask).Uint64())
		v.Rsh(v, 7)
		if v.Sign() == 0 {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

// naiveBigInt is the textbook signed encoder (arithmetic shift on big.Int
// rounds toward minus infinity, like >> on int64).
func naiveBigInt(v *big.Int) []byte {
	v = new(big.Int).Set(v)
	var out []byte
	for {
		c := byte(new(big.Int).And(v, big.NewInt(0x7f)).Uint64())
		v.Rsh(v, 7)
		if (v.Sign() == 0 && c&0x40 == 0) || (v.Cmp(big.NewInt(-1)) == 0 && c&0x40 != 0) {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

func randBig(r *rand.Rand) *big.Int {
	nbytes := r.IntN(40)
	buf := make([]byte, nbytes)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	v := new(big.Int).SetBytes(buf)
	if r.IntN(2) == 0 {
		v.Neg(v)
	}
	return v
}

func TestBigRoundTripAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		v := randBig(r)
		enc := AppendBigInt(nil, v)
		if want := naiveBigInt(v); !bytes.Equal(enc, want) {
			t.Fatalf("AppendBigInt(%v) = %x, naive %x", v, enc, want)
		}
		got, n, err := BigInt(enc)
		if err != nil || n != len(enc) || got.Cmp(v) != 0 {
			t.Fatalf("BigInt(%x) = %v, %d, %v; want %v", enc, got, n, err, v)
		}
		a := new(big.Int).Abs(v)
		enc, err = AppendBigUint(nil, a)
		if err != nil {
			t.Fatal(err)
		}
		if want := naiveBigUint(a); !bytes.Equal(enc, want) {
			t.Fatalf("AppendBigUint(%v) = %x, naive %x", a, enc, want)
		}
		got, n, err = BigUint(enc)
		if err != nil || n != len(enc) || got.Cmp(a) != 0 {
			t.Fatalf("BigUint(%x) = %v, %d, %v; want %v", enc, got, n, err, a)
		}
	}
}

func TestFixedRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		u := r.Uint64() >> r.IntN(64)
		enc := AppendUint(nil, u)
		if got, n, err := Uint(enc); err != nil || got != u || n != len(enc) || n != UintLen(u) {
			t.Fatalf("Uint round trip of %d: %d, %d, %v", u, got, n, err)
		}
		s := int64(r.Uint64()) >> r.IntN(64)
		enc = AppendInt(nil, s)
		if got, n, err := Int(enc); err != nil || got != s || n != len(enc) {
			t.Fatalf("Int round trip of %d: %d, %d, %v", s, got, n, err)
		}
	}
}

// FuzzDecode checks that every decoder either rejects its input or accepts
// exactly the canonical encoding of the value it returns, and that the
// 64-bit and big decoders agree.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", "00", "7f", "8001", "ff7f", "8000", "ffffffffffffffffff01",
		"ffffffffffffffffff00", "8080808080808080807f", "80808080808080808080808001"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, n, err := Uint(b); err == nil {
			if !bytes.Equal(AppendUint(nil, v), b[:n]) {
				t.Fatalf("Uint accepted non-canonical %x", b[:n])
			}
		}
		if v, n, err := Int(b); err == nil {
			if !bytes.Equal(AppendInt(nil, v), b[:n]) {
				t.Fatalf("Int accepted non-canonical %x", b[:n])
			}
		}
		bu, n, err := BigUint(b)
		if sn, serr := SkipUint(b); (serr == nil) != (err == nil) || (err == nil && sn != n) {
			t.Fatalf("SkipUint(%x) = %d, %v; BigUint read %d, %v", b, sn, serr, n, err)
		}
		if err == nil {
			enc, err := AppendBigUint(nil, bu)
			if err != nil || !bytes.Equal(enc, b[:n]) {
				t.Fatalf("BigUint accepted non-canonical %x (re-encoded %x)", b[:n], enc)
			}
			if v, n2, err := Uint(b); err == nil && (n2 != n || !bu.IsUint64() || bu.Uint64() != v) {
				t.Fatalf("Uint and BigUint disagree on %x", b)
			}
		}
		bi, n, err := BigInt(b)
		if sn, serr := SkipInt(b); (serr == nil) != (err == nil) || (err == nil && sn != n) {
			t.Fatalf("SkipInt(%x) = %d, %v; BigInt read %d, %v", b, sn, serr, n, err)
		}
		if err == nil {
			if enc := AppendBigInt(nil, bi); !bytes.Equal(enc, b[:n]) {
				t.Fatalf("BigInt accepted non-canonical %x (re-encoded %x)", b[:n], enc)
			}
			if v, n2, err := Int(b); err == nil && (n2 != n || !bi.IsInt64() || bi.Int64() != v) {
				t.Fatalf("Int and BigInt disagree on %x", b)
			}
		}
	})
}

func BenchmarkAppendUint(b *testing.B) {
	buf := make([]byte, 0, 16)
	for i := 0; i < b.N; i++ {
		buf = AppendUint(buf[:0], uint64(i)*2654435761)
	}
}

func BenchmarkUint(b *testing.B) {
	enc := AppendUint(nil, 1313628723)
	for i := 0; i < b.N; i++ {
		if _, _, err := Uint(enc); err != nil {
			b.Fatal(err)
		}
	}
}
