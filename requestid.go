package bigfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
)

// MessageID identifies a message: for ingress, the Internet Computer's request
// id, the representation-independent hash of the request's content map (see
// [HashOfMap]). Clients poll /request_status/<id> with it.
type MessageID [32]byte

// ParseMessageID parses 64 hexadecimal digits.
func ParseMessageID(s string) (MessageID, error) {
	h, err := ParseHash(s)
	return MessageID(h), err
}

// String returns the lowercase hexadecimal form of m.
func (m MessageID) String() string { return hex.EncodeToString(m[:]) }

// MarshalText implements [encoding.TextMarshaler] with the hexadecimal form.
func (m MessageID) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseMessageID].
func (m *MessageID) UnmarshalText(text []byte) error {
	id, err := ParseMessageID(string(text))
	if err != nil {
		return err
	}
	*m = id
	return nil
}

// HashOfMap returns the representation-independent hash of a map, as the
// Internet Computer defines it for request ids and delegations: each field
// contributes SHA-256(key) ‖ H(value); the 64-byte pieces are sorted
// bytewise, concatenated and hashed with SHA-256.
//
// Values and their H:
//   - []byte and [Principal]: SHA-256 of the bytes;
//   - string: SHA-256 of the UTF-8 bytes;
//   - uint, uint8 … uint64, and a non-negative *big.Int: SHA-256 of the shortest unsigned LEB128 (a nat);
//   - int, int8 … int64: SHA-256 of the shortest signed LEB128 (an int);
//   - []any, [][]byte, []string: SHA-256 of the concatenated element hashes;
//   - map[string]any: the hash of that map, recursively.
//
// Other types return an error wrapping [ErrUnsupportedValue]. Omit absent
// optional fields instead of passing nil; a nil value is an error too.
func HashOfMap(m map[string]any) (Hash, error) {
	return hashOfMap(m, 0)
}

// maxHashDepth bounds the nesting of maps and arrays, so that a hostile value
// cannot exhaust the stack.
const maxHashDepth = 64

func hashOfMap(m map[string]any, depth int) (Hash, error) {
	pieces := make([][64]byte, 0, len(m))
	for k, v := range m {
		var piece [64]byte
		kh := sha256.Sum256([]byte(k))
		copy(piece[:32], kh[:])
		vh, err := hashValue(v, depth+1)
		if err != nil {
			return Hash{}, fmt.Errorf("field %q: %w", k, err)
		}
		copy(piece[32:], vh[:])
		pieces = append(pieces, piece)
	}
	return sumSortedPieces(pieces), nil
}

// sumSortedPieces sorts the 64-byte field pieces bytewise and hashes their concatenation.
func sumSortedPieces(pieces [][64]byte) Hash {
	slices.SortFunc(pieces, func(a, b [64]byte) int { return bytes.Compare(a[:], b[:]) })
	h := sha256.New()
	for i := range pieces {
		h.Write(pieces[i][:])
	}
	return Hash(h.Sum(nil))
}

func hashValue(v any, depth int) (Hash, error) {
	if depth > maxHashDepth {
		return Hash{}, fmt.Errorf("%w: nested deeper than %d", ErrUnsupportedValue, maxHashDepth)
	}
	switch v := v.(type) {
	case []byte:
		return sha256.Sum256(v), nil
	case Principal:
		return sha256.Sum256(v.b[:v.n]), nil
	case string:
		return sha256.Sum256([]byte(v)), nil
	case uint:
		return hashNat(uint64(v)), nil
	case uint8:
		return hashNat(uint64(v)), nil
	case uint16:
		return hashNat(uint64(v)), nil
	case uint32:
		return hashNat(uint64(v)), nil
	case uint64:
		return hashNat(v), nil
	case int:
		return hashInt(int64(v)), nil
	case int8:
		return hashInt(int64(v)), nil
	case int16:
		return hashInt(int64(v)), nil
	case int32:
		return hashInt(int64(v)), nil
	case int64:
		return hashInt(v), nil
	case *big.Int:
		if v == nil || v.Sign() < 0 {
			return Hash{}, fmt.Errorf("%w: negative or nil *big.Int", ErrUnsupportedValue)
		}
		return sha256.Sum256(appendBigNat(nil, v)), nil
	case map[string]any:
		return hashOfMap(v, depth)
	case [][]byte:
		h := sha256.New()
		for _, e := range v {
			eh := sha256.Sum256(e)
			h.Write(eh[:])
		}
		return Hash(h.Sum(nil)), nil
	case []string:
		h := sha256.New()
		for _, e := range v {
			eh := sha256.Sum256([]byte(e))
			h.Write(eh[:])
		}
		return Hash(h.Sum(nil)), nil
	case []any:
		h := sha256.New()
		for _, e := range v {
			eh, err := hashValue(e, depth+1)
			if err != nil {
				return Hash{}, err
			}
			h.Write(eh[:])
		}
		return Hash(h.Sum(nil)), nil
	}
	return Hash{}, fmt.Errorf("%w: %T", ErrUnsupportedValue, v)
}

func hashNat(n uint64) Hash {
	var buf [10]byte
	return sha256.Sum256(appendUvarint(buf[:0], n))
}

func hashInt(n int64) Hash {
	var buf [10]byte
	return sha256.Sum256(appendSvarint(buf[:0], n))
}

// appendUvarint appends the shortest unsigned LEB128 form of n. (The root
// package uses only the standard library, so it keeps its own small copy.)
func appendUvarint(b []byte, n uint64) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// appendSvarint appends the shortest signed LEB128 form of n.
func appendSvarint(b []byte, n int64) []byte {
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if (n == 0 && c&0x40 == 0) || (n == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// appendBigNat appends the shortest unsigned LEB128 form of a non-negative x.
func appendBigNat(b []byte, x *big.Int) []byte {
	words := x.Bits()
	if len(words) <= 1 {
		return appendUvarint(b, x.Uint64())
	}
	n := new(big.Int).Set(x)
	low := new(big.Int)
	mask := big.NewInt(0x7f)
	for n.BitLen() > 7 {
		b = append(b, byte(low.And(n, mask).Uint64())|0x80)
		n.Rsh(n, 7)
	}
	return append(b, byte(n.Uint64()))
}
