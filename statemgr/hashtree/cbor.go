package hashtree

import (
	"encoding/binary"
	"fmt"
)

// The CBOR used here is the small subset the Internet Computer's hash trees
// and certificates need: unsigned integers, byte and text strings, arrays,
// maps with text keys and the self-describe tag 55799. It is hand-written so
// the package needs no third-party code; the encoder always emits the
// shortest (canonical) heads, the decoder accepts only definite lengths, as
// the @dfinity/cbor decoder does for strings.

// CBOR major types.
const (
	majUint  = 0
	majBytes = 2
	majText  = 3
	majArray = 4
	majMap   = 5
	majTag   = 6
)

// selfDescribeTag is CBOR tag 55799, which marks data as CBOR and carries no
// meaning; it may precede any value.
const selfDescribeTag = 55799

// appendHead appends a CBOR head of the given major type and argument.
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= 0xff:
		return append(b, m|24, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

func appendBytes(b []byte, v []byte) []byte {
	return append(appendHead(b, majBytes, uint64(len(v))), v...)
}

func appendText(b []byte, s string) []byte {
	return append(appendHead(b, majText, uint64(len(s))), s...)
}

// AppendCBOR appends the CBOR encoding of t (without the self-describe tag)
// to b and returns the extended slice.
func (t *Tree) AppendCBOR(b []byte) []byte {
	t = orEmpty(t)
	switch t.kind {
	case KindEmpty:
		return append(b, 0x81, 0x00)
	case KindFork:
		b = append(b, 0x83, 0x01)
		b = t.left.AppendCBOR(b)
		return t.right.AppendCBOR(b)
	case KindLabeled:
		b = append(b, 0x83, 0x02)
		b = appendBytes(b, t.label)
		return t.left.AppendCBOR(b)
	case KindLeaf:
		b = append(b, 0x82, 0x03)
		return appendBytes(b, t.value)
	}
	b = append(b, 0x82, 0x04)
	return appendBytes(b, t.hash[:])
}

// MarshalCBOR returns the CBOR encoding of t, without the self-describe tag.
// It never fails; the error is there for the usual marshaler signature.
func (t *Tree) MarshalCBOR() ([]byte, error) { return t.AppendCBOR(nil), nil }

// DecodeTree decodes a hash tree from its CBOR encoding, accepting a leading
// self-describe tag. The returned tree does not alias data. Errors wrap
// [ErrMalformed] or [ErrTooDeep].
func DecodeTree(data []byte) (*Tree, error) {
	d := decoder{b: data}
	d.skipTags()
	t, err := d.tree(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(d.b) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(d.b)-d.off)
	}
	return t, nil
}

// decoder reads CBOR items from b, tracking the offset for error messages.
type decoder struct {
	b   []byte
	off int
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrMalformed, d.off, fmt.Sprintf(format, args...))
}

// head reads a head and returns its major type and argument. Indefinite
// lengths, floats and simple values are rejected, and so are negative
// integers: nothing in a hash tree or certificate uses them, and refusing
// them keeps the decoder's input space small for fuzzing and review.
// Non-minimal heads are accepted, as CBOR allows; digests are computed over
// the decoded tree, never over its encoding, so they cannot matter.
func (d *decoder) head() (byte, uint64, error) {
	if d.off >= len(d.b) {
		return 0, 0, d.errorf("unexpected end")
	}
	c := d.b[d.off]
	major, info := c>>5, c&0x1f
	d.off++
	var n uint64
	switch {
	case info < 24:
		n = uint64(info)
	case info <= 27:
		size := 1 << (info - 24)
		if len(d.b)-d.off < size {
			return 0, 0, d.errorf("truncated head")
		}
		for _, x := range d.b[d.off : d.off+size] {
			n = n<<8 | uint64(x)
		}
		d.off += size
	default:
		return 0, 0, d.errorf("unsupported additional info %d", info)
	}
	if major == 7 || major == 1 {
		return 0, 0, d.errorf("unsupported major type %d", major)
	}
	return major, n, nil
}

// skipTags consumes any self-describe tags at the current offset.
func (d *decoder) skipTags() {
	for len(d.b)-d.off >= 3 && d.b[d.off] == 0xd9 && d.b[d.off+1] == 0xd9 && d.b[d.off+2] == 0xf7 {
		d.off += 3
	}
}

// str reads a byte string (or, with text, a text string). The result is a
// copy.
func (d *decoder) str(major byte) ([]byte, error) {
	d.skipTags()
	m, n, err := d.head()
	if err != nil {
		return nil, err
	}
	if m != major {
		return nil, d.errorf("major type %d, want %d", m, major)
	}
	// Check the length against the input before allocating, so a huge
	// declared length cannot make the decoder allocate.
	if n > uint64(len(d.b)-d.off) {
		return nil, d.errorf("string of %d bytes exceeds input", n)
	}
	s := append([]byte(nil), d.b[d.off:d.off+int(n)]...)
	d.off += int(n)
	return s, nil
}

func (d *decoder) uint() (uint64, error) {
	d.skipTags()
	m, n, err := d.head()
	if err != nil {
		return 0, err
	}
	if m != majUint {
		return 0, d.errorf("major type %d, want an unsigned integer", m)
	}
	return n, nil
}

// array reads an array head and returns its length.
func (d *decoder) array() (uint64, error) {
	d.skipTags()
	m, n, err := d.head()
	if err != nil {
		return 0, err
	}
	if m != majArray {
		return 0, d.errorf("major type %d, want an array", m)
	}
	return n, nil
}

// tree decodes one node. The arity of each node kind is checked exactly and
// depth is bounded, so a malicious certificate can neither confuse the
// structure nor exhaust the stack.
func (d *decoder) tree(depth int) (*Tree, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: deeper than %d", ErrTooDeep, MaxDepth)
	}
	n, err := d.array()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.errorf("empty node array")
	}
	tag, err := d.uint()
	if err != nil {
		return nil, err
	}
	// The array length must match the node kind exactly: [0], [1, l, r],
	// [2, label, t], [3, value], [4, hash].
	want := map[uint64]uint64{0: 1, 1: 3, 2: 3, 3: 2, 4: 2}[tag]
	if want == 0 {
		return nil, d.errorf("unknown node tag %d", tag)
	}
	if n != want {
		return nil, d.errorf("node %s has %d elements, want %d", Kind(tag), n, want)
	}
	switch Kind(tag) {
	case KindEmpty:
		return emptyTree, nil
	case KindFork:
		l, err := d.tree(depth + 1)
		if err != nil {
			return nil, err
		}
		r, err := d.tree(depth + 1)
		if err != nil {
			return nil, err
		}
		return Fork(l, r), nil
	case KindLabeled:
		label, err := d.str(majBytes)
		if err != nil {
			return nil, err
		}
		sub, err := d.tree(depth + 1)
		if err != nil {
			return nil, err
		}
		return Labeled(label, sub), nil
	case KindLeaf:
		v, err := d.str(majBytes)
		if err != nil {
			return nil, err
		}
		return Leaf(v), nil
	}
	h, err := d.str(majBytes)
	if err != nil {
		return nil, err
	}
	if len(h) != 32 {
		return nil, d.errorf("pruned hash of %d bytes, want 32", len(h))
	}
	return Pruned([32]byte(h)), nil
}

// skip skips one complete item of any supported type, for map keys a
// decoder does not know: newer replicas may add fields to certificates, and
// clients must ignore them rather than fail.
func (d *decoder) skip(depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w: deeper than %d", ErrTooDeep, MaxDepth)
	}
	d.skipTags()
	m, n, err := d.head()
	if err != nil {
		return err
	}
	switch m {
	case majUint:
		return nil
	case majBytes, majText:
		if n > uint64(len(d.b)-d.off) {
			return d.errorf("string of %d bytes exceeds input", n)
		}
		d.off += int(n)
		return nil
	case majArray, majMap:
		if m == majMap {
			if n > uint64(len(d.b)) {
				return d.errorf("map too long")
			}
			n *= 2
		}
		if n > uint64(len(d.b)-d.off) {
			return d.errorf("container of %d items exceeds input", n)
		}
		for range n {
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
		return nil
	case majTag:
		return d.skip(depth + 1)
	}
	return d.errorf("unsupported major type %d", m)
}
