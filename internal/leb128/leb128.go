package leb128

import (
	"errors"
	"math/big"
	"math/bits"
)

// Errors returned by the decoders. Every decoder error wraps one of these.
var (
	// ErrTruncated reports input that ends before the last byte of a number
	// (a byte with the continuation bit clear).
	ErrTruncated = errors.New("leb128: truncated")
	// ErrOverflow reports a number that does not fit the 64-bit target type.
	ErrOverflow = errors.New("leb128: overflows 64 bits")
	// ErrOverlong reports a non-minimal encoding, such as 0x80 0x00 for zero.
	ErrOverlong = errors.New("leb128: overlong encoding")
)

// AppendUint appends the ULEB128 encoding of v to b and returns the extended
// slice.
func AppendUint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// AppendInt appends the SLEB128 encoding of v to b and returns the extended
// slice.
func AppendInt(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7 // arithmetic shift keeps the sign
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// UintLen returns the length of the ULEB128 encoding of v.
func UintLen(v uint64) int {
	return (bits.Len64(v|1) + 6) / 7
}

// Uint decodes a ULEB128 number from the start of b. It returns the value
// and the number of bytes read, or an error wrapping [ErrTruncated],
// [ErrOverflow] or [ErrOverlong].
func Uint(b []byte) (uint64, int, error) {
	var v uint64
	for i, c := range b {
		if i == 9 {
			// The tenth byte carries bit 63 only.
			if c > 1 {
				return 0, 0, ErrOverflow
			}
		}
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c&0x80 == 0 {
			if c == 0 && i > 0 {
				return 0, 0, ErrOverlong
			}
			return v, i + 1, nil
		}
	}
	return 0, 0, ErrTruncated
}

// Int decodes an SLEB128 number from the start of b. It returns the value and
// the number of bytes read, or an error wrapping [ErrTruncated],
// [ErrOverflow] or [ErrOverlong].
func Int(b []byte) (int64, int, error) {
	var v uint64
	for i, c := range b {
		if i == 9 {
			// The tenth byte holds bit 63 and must repeat it in its other
			// six payload bits (0x00 or 0x7f), or the value needs 65 bits.
			if c != 0x00 && c != 0x7f {
				return 0, 0, ErrOverflow
			}
		}
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c&0x80 == 0 {
			if i > 0 {
				// Minimal iff this byte is not a pure sign extension of the
				// previous one.
				prev := b[i-1]
				if (c == 0x00 && prev&0x40 == 0) || (c == 0x7f && prev&0x40 != 0) {
					return 0, 0, ErrOverlong
				}
			}
			shift := 7 * uint(i+1)
			if shift < 64 && c&0x40 != 0 {
				v |= ^uint64(0) << shift
			}
			return int64(v), i + 1, nil
		}
	}
	return 0, 0, ErrTruncated
}

// AppendBigUint appends the ULEB128 encoding of v to b. It returns an error
// if v is negative; b is then returned unchanged.
func AppendBigUint(b []byte, v *big.Int) ([]byte, error) {
	if v.Sign() < 0 {
		return b, errors.New("leb128: negative value for unsigned encoding")
	}
	if v.IsUint64() {
		return AppendUint(b, v.Uint64()), nil
	}
	return appendGroups(b, v.Bits(), v.BitLen(), false), nil
}

// AppendBigInt appends the SLEB128 encoding of v to b.
func AppendBigInt(b []byte, v *big.Int) []byte {
	if v.IsInt64() {
		return AppendInt(b, v.Int64())
	}
	if v.Sign() > 0 {
		// One more bit than the magnitude so that the top group's sign bit
		// (0x40) is clear.
		return appendGroups(b, v.Bits(), v.BitLen()+1, false)
	}
	// Two's complement of a negative value: ^(|v|-1), emitted over enough
	// groups that the top group's sign bit is set.
	m := new(big.Int).Neg(v)
	m.Sub(m, big.NewInt(1))
	return appendGroups(b, m.Bits(), m.BitLen()+1, true)
}

// appendGroups emits ceil(nbits/7) groups of 7 bits taken from the
// little-endian words w, complemented when neg is set.
func appendGroups(b []byte, w []big.Word, nbits int, neg bool) []byte {
	ngroups := (nbits + 6) / 7
	for g := 0; g < ngroups; g++ {
		c := byte(extract7(w, 7*g))
		if neg {
			c = ^c & 0x7f
		}
		if g < ngroups-1 {
			c |= 0x80
		}
		b = append(b, c)
	}
	return b
}

// extract7 returns the 7 bits of w starting at bit position pos (bits past
// the end of w read as zero).
func extract7(w []big.Word, pos int) uint {
	const wb = bits.UintSize
	i, off := pos/wb, uint(pos%wb)
	var x uint
	if i < len(w) {
		x = uint(w[i]) >> off
	}
	if off > wb-7 && i+1 < len(w) {
		x |= uint(w[i+1]) << (wb - off)
	}
	return x & 0x7f
}

// BigUint decodes a ULEB128 number of any size from the start of b. It
// returns the value and the number of bytes read, or an error wrapping
// [ErrTruncated] or [ErrOverlong]. The result's size is bounded by len(b).
func BigUint(b []byte) (*big.Int, int, error) {
	n, err := groupCount(b)
	if err != nil {
		return nil, 0, err
	}
	if n <= 9 {
		v, _, err := Uint(b[:n])
		if err != nil {
			return nil, 0, err
		}
		return new(big.Int).SetUint64(v), n, nil
	}
	if b[n-1] == 0 {
		return nil, 0, ErrOverlong
	}
	return new(big.Int).SetBits(packGroups(b[:n], false)), n, nil
}

// BigInt decodes an SLEB128 number of any size from the start of b. It
// returns the value and the number of bytes read, or an error wrapping
// [ErrTruncated] or [ErrOverlong]. The result's size is bounded by len(b).
func BigInt(b []byte) (*big.Int, int, error) {
	n, err := groupCount(b)
	if err != nil {
		return nil, 0, err
	}
	if n <= 9 {
		v, _, err := Int(b[:n])
		if err != nil {
			return nil, 0, err
		}
		return big.NewInt(v), n, nil
	}
	last, prev := b[n-1], b[n-2]
	if (last == 0x00 && prev&0x40 == 0) || (last == 0x7f && prev&0x40 != 0) {
		return nil, 0, ErrOverlong
	}
	if last&0x40 == 0 {
		return new(big.Int).SetBits(packGroups(b[:n], false)), n, nil
	}
	// Negative: the groups hold ^(|v|-1) in two's complement; complement
	// them to get |v|-1, then v = -(m+1).
	m := new(big.Int).SetBits(packGroups(b[:n], true))
	m.Add(m, big.NewInt(1))
	return m.Neg(m), n, nil
}

// groupCount returns the number of bytes of the LEB128 number at the start
// of b.
func groupCount(b []byte) (int, error) {
	for i, c := range b {
		if c&0x80 == 0 {
			return i + 1, nil
		}
	}
	return 0, ErrTruncated
}

// packGroups packs the 7-bit groups of g (least significant first) into
// little-endian words, complementing each group when neg is set. The top
// group's sign bit is dropped for negative numbers by the complement.
func packGroups(g []byte, neg bool) []big.Word {
	const wb = bits.UintSize
	w := make([]big.Word, (7*len(g)+wb-1)/wb)
	for i, c := range g {
		x := uint(c & 0x7f)
		if neg {
			x = ^x & 0x7f
		}
		pos := 7 * i
		j, off := pos/wb, uint(pos%wb)
		w[j] |= big.Word(x << off)
		if off > wb-7 && j+1 < len(w) {
			w[j+1] |= big.Word(x >> (wb - off))
		}
	}
	return w
}

// SkipUint returns the length of the ULEB128 number at the start of b,
// applying the checks of [BigUint] (no width limit) without building the
// value.
func SkipUint(b []byte) (int, error) {
	n, err := groupCount(b)
	if err != nil {
		return 0, err
	}
	if n > 1 && b[n-1] == 0 {
		return 0, ErrOverlong
	}
	return n, nil
}

// SkipInt returns the length of the SLEB128 number at the start of b,
// applying the checks of [BigInt] (no width limit) without building the
// value.
func SkipInt(b []byte) (int, error) {
	n, err := groupCount(b)
	if err != nil {
		return 0, err
	}
	if n > 1 {
		last, prev := b[n-1], b[n-2]
		if (last == 0x00 && prev&0x40 == 0) || (last == 0x7f && prev&0x40 != 0) {
			return 0, ErrOverlong
		}
	}
	return n, nil
}
