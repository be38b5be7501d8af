package bigfile

import (
	"fmt"
	"math/big"
	"math/bits"
)

// Cycles is an amount of cycles, the unit of computation and storage fees in
// the reverse gas model. It is an unsigned 128-bit number, as on the Internet
// Computer (ic0.msg_cycles_available128 and friends). Arithmetic saturates:
// sums stop at [MaxCycles] and differences at zero, so accounting errors show
// up as a clamped balance, never as a wrap-around. The zero value is zero
// cycles.
type Cycles struct {
	Hi, Lo uint64 // the high and low 64 bits
}

// MaxCycles is the largest amount, 2^128 - 1.
var MaxCycles = Cycles{Hi: ^uint64(0), Lo: ^uint64(0)}

// CyclesFromUint64 returns n cycles.
func CyclesFromUint64(n uint64) Cycles { return Cycles{Lo: n} }

// CyclesFromBig returns the amount x. It returns an error wrapping
// [ErrInvalidCycles] if x is nil, negative or does not fit in 128 bits.
func CyclesFromBig(x *big.Int) (Cycles, error) {
	if x == nil || x.Sign() < 0 || x.BitLen() > 128 {
		return Cycles{}, fmt.Errorf("%w: %v", ErrInvalidCycles, x)
	}
	lo := new(big.Int).And(x, new(big.Int).SetUint64(^uint64(0)))
	hi := new(big.Int).Rsh(x, 64)
	return Cycles{Hi: hi.Uint64(), Lo: lo.Uint64()}, nil
}

// ParseCycles parses a decimal amount such as "1000000000000"; underscores
// between digits, as Candid and Motoko print them, are accepted.
func ParseCycles(s string) (Cycles, error) {
	digits := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits = append(digits, c)
		case c == '_' && i > 0 && i < len(s)-1 && s[i-1] != '_':
		default:
			return Cycles{}, fmt.Errorf("%w: %q", ErrInvalidCycles, s)
		}
	}
	x, ok := new(big.Int).SetString(string(digits), 10)
	if !ok {
		return Cycles{}, fmt.Errorf("%w: %q", ErrInvalidCycles, s)
	}
	return CyclesFromBig(x)
}

// Big returns c as a new [big.Int].
func (c Cycles) Big() *big.Int {
	x := new(big.Int).SetUint64(c.Hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(c.Lo))
}

// Uint64 returns c and true if it fits in 64 bits, else the largest uint64 and false.
func (c Cycles) Uint64() (uint64, bool) {
	if c.Hi != 0 {
		return ^uint64(0), false
	}
	return c.Lo, true
}

// IsZero reports whether c is zero.
func (c Cycles) IsZero() bool { return c.Hi == 0 && c.Lo == 0 }

// Cmp returns -1, 0 or +1 as c is less than, equal to or greater than d.
func (c Cycles) Cmp(d Cycles) int {
	switch {
	case c.Hi < d.Hi:
		return -1
	case c.Hi > d.Hi:
		return 1
	case c.Lo < d.Lo:
		return -1
	case c.Lo > d.Lo:
		return 1
	}
	return 0
}

// Add returns c+d, saturating at [MaxCycles].
func (c Cycles) Add(d Cycles) Cycles {
	lo, carry := bits.Add64(c.Lo, d.Lo, 0)
	hi, over := bits.Add64(c.Hi, d.Hi, carry)
	if over != 0 {
		return MaxCycles
	}
	return Cycles{Hi: hi, Lo: lo}
}

// Sub returns c-d, saturating at zero.
func (c Cycles) Sub(d Cycles) Cycles {
	lo, borrow := bits.Sub64(c.Lo, d.Lo, 0)
	hi, under := bits.Sub64(c.Hi, d.Hi, borrow)
	if under != 0 {
		return Cycles{}
	}
	return Cycles{Hi: hi, Lo: lo}
}

// MulUint64 returns c*n, saturating at [MaxCycles].
func (c Cycles) MulUint64(n uint64) Cycles {
	hiLo1, lo := bits.Mul64(c.Lo, n)
	hiHi, hiLo2 := bits.Mul64(c.Hi, n)
	hi, carry := bits.Add64(hiLo1, hiLo2, 0)
	if hiHi != 0 || carry != 0 {
		return MaxCycles
	}
	return Cycles{Hi: hi, Lo: lo}
}

// DivUint64 returns c/n rounded down. It returns [MaxCycles] for n == 0, so a
// division by zero saturates like the other operations instead of panicking.
func (c Cycles) DivUint64(n uint64) Cycles {
	if n == 0 {
		return MaxCycles
	}
	hi := c.Hi / n
	lo, _ := bits.Div64(c.Hi%n, c.Lo, n)
	return Cycles{Hi: hi, Lo: lo}
}

// String returns the decimal form of c.
func (c Cycles) String() string {
	if c.Hi == 0 {
		return fmt.Sprint(c.Lo)
	}
	return c.Big().String()
}

// MarshalText implements [encoding.TextMarshaler] with the decimal form.
func (c Cycles) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseCycles].
func (c *Cycles) UnmarshalText(text []byte) error {
	d, err := ParseCycles(string(text))
	if err != nil {
		return err
	}
	*c = d
	return nil
}
