package bigfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Hash is a SHA-256 digest: of a block, a state tree root, a message, a module.
// It is comparable; the zero value is the all-zero hash.
type Hash [32]byte

// Sum256 returns the SHA-256 hash of data.
func Sum256(data []byte) Hash { return sha256.Sum256(data) }

// ParseHash parses 64 hexadecimal digits, in either case.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return Hash{}, fmt.Errorf("%w: %d characters, want %d", ErrInvalidHash, len(s), 2*len(h))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, fmt.Errorf("%w: %v", ErrInvalidHash, err)
	}
	return h, nil
}

// IsZero reports whether h is all zeros (typically: not set).
func (h Hash) IsZero() bool { return h == Hash{} }

// String returns the lowercase hexadecimal form of h.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText implements [encoding.TextMarshaler] with the hexadecimal form.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseHash].
func (h *Hash) UnmarshalText(text []byte) error {
	g, err := ParseHash(string(text))
	if err != nil {
		return err
	}
	*h = g
	return nil
}
