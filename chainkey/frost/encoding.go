package frost

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile/chainkey/frost/internal/group"
)

// decoder reads the fixed layouts used by the Marshal/Parse pairs. The first
// failure sticks; callers check err once at the end.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated input")

// bytes consumes n bytes. The result aliases the input, so callers copy
// what they keep beyond decoding (scalars and points are parsed into new
// values, which do).
func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b) < n {
		d.err = errShort
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

// u8, u16 and u32 read big-endian integers; they return 0 after a failure.
func (d *decoder) u8() uint8 {
	b := d.bytes(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) u16() uint16 {
	b := d.bytes(2)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (d *decoder) u32() uint32 {
	b := d.bytes(4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

// suite reads the leading suite byte.
func (d *decoder) suite() *ciphersuite {
	s := Suite(d.u8())
	if d.err != nil {
		return nil
	}
	cs, err := s.lookup()
	if err != nil {
		d.err = err
	}
	return cs
}

// scalar reads a canonical scalar (DeserializeScalar): values at or above
// the group order are rejected rather than reduced, so every scalar has one
// encoding and re-encoding a decoded value reproduces the input.
func (d *decoder) scalar(cs *ciphersuite, what string) group.Scalar {
	b := d.bytes(cs.g.ScalarLen())
	if d.err != nil {
		return nil
	}
	s := cs.g.NewScalar()
	if err := s.SetCanonicalBytes(b); err != nil {
		d.err = fmt.Errorf("%s: %w", what, err)
		return nil
	}
	return s
}

// element reads a point with DeserializeElement's checks (on the curve, not
// the identity, canonical, in the prime-order subgroup).
func (d *decoder) element(cs *ciphersuite, what string) group.Element {
	b := d.bytes(cs.g.ElementLen())
	if d.err != nil {
		return nil
	}
	e := cs.g.NewElement()
	if err := e.SetBytes(b); err != nil {
		d.err = fmt.Errorf("%s: %w", what, err)
		return nil
	}
	return e
}

// id reads a participant identifier; 0 is never valid (it is the
// interpolation point of the secret itself).
func (d *decoder) id(what string) Identifier {
	v := d.u16()
	if d.err == nil && v == 0 {
		d.err = fmt.Errorf("%s: identifier 0", what)
	}
	return Identifier(v)
}

// finish reports the sticky error or trailing bytes, wrapped as ErrMalformed
// (or ErrUnknownSuite).
func (d *decoder) finish(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	if d.err == nil {
		return nil
	}
	if errors.Is(d.err, ErrUnknownSuite) {
		return fmt.Errorf("%s: %w", what, d.err)
	}
	return malformed(what, d.err)
}

// appendU16 and appendU32 append big-endian integers, the byte order of
// every length and identifier field in the encodings.
func appendU16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }
func appendU32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }
