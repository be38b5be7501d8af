package bigfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
)

// MaxPrincipalLen is the longest principal in bytes (the Internet Computer's limit).
const MaxPrincipalLen = 29

// Principal identifies a user, a cube, a node or a subnet: an opaque byte
// string of at most [MaxPrincipalLen] bytes whose last byte tells its
// [PrincipalClass]. It is a comparable value (usable as a map key); the zero
// value is the empty principal, which names the management cube `aaaaa-aa`.
//
// The text form is the Internet Computer's: CRC-32 (IEEE) of the bytes in
// big-endian order, followed by the bytes, encoded in lowercase base32 without
// padding and grouped by dashes every five characters.
type Principal struct {
	n uint8
	b [MaxPrincipalLen]byte
}

// PrincipalClass is the kind of a principal, read off its last byte.
type PrincipalClass uint8

// The principal classes of the Internet Computer.
const (
	// ClassOpaque principals end in 0x01 and are issued by the system (cube ids).
	ClassOpaque PrincipalClass = 0x01
	// ClassSelfAuthenticating principals are SHA-224 of a DER public key followed by 0x02.
	ClassSelfAuthenticating PrincipalClass = 0x02
	// ClassDerived principals end in 0x03 and are derived from another principal.
	ClassDerived PrincipalClass = 0x03
	// ClassAnonymous is the single byte 0x04.
	ClassAnonymous PrincipalClass = 0x04
	// ClassReserved principals end in 0x7f.
	ClassReserved PrincipalClass = 0x7f
	// ClassUnassigned covers the empty principal (the management cube) and any other last byte.
	ClassUnassigned PrincipalClass = 0x00
)

var (
	// ManagementCube is the empty principal `aaaaa-aa`, the address of the
	// management cube (the Internet Computer's management canister).
	ManagementCube = Principal{}
	// Anonymous is the principal 0x04, `2vxsx-fae`, the sender of unsigned requests.
	Anonymous = Principal{n: 1, b: [MaxPrincipalLen]byte{0x04}}
)

// base32 alphabet lowercase, no padding (RFC 4648).
var principalEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// PrincipalFromBytes returns the principal with the binary form b. It returns
// an error wrapping [ErrInvalidPrincipal] if b is longer than [MaxPrincipalLen].
func PrincipalFromBytes(b []byte) (Principal, error) {
	if len(b) > MaxPrincipalLen {
		return Principal{}, fmt.Errorf("%w: %d bytes, at most %d", ErrInvalidPrincipal, len(b), MaxPrincipalLen)
	}
	var p Principal
	p.n = uint8(len(b))
	copy(p.b[:], b)
	return p, nil
}

// SelfAuthenticating returns the principal of the holder of a public key:
// SHA-224 of the DER-encoded SubjectPublicKeyInfo, followed by 0x02.
func SelfAuthenticating(derPublicKey []byte) Principal {
	h := sha256.Sum224(derPublicKey)
	var p Principal
	p.n = sha256.Size224 + 1
	copy(p.b[:], h[:])
	p.b[sha256.Size224] = byte(ClassSelfAuthenticating)
	return p
}

// ParsePrincipal parses the text form of a principal. Letters may be in
// either case; dashes must stand where [Principal.String] puts them and the
// checksum must match. Errors wrap [ErrInvalidPrincipal] or [ErrChecksum].
func ParsePrincipal(s string) (Principal, error) {
	// The longest text form: 4 + 29 bytes = 33 bytes = 53 base32 characters + 10 dashes.
	if len(s) > 63 {
		return Principal{}, fmt.Errorf("%w: text too long (%d characters)", ErrInvalidPrincipal, len(s))
	}
	lower := strings.ToLower(s)
	raw, err := principalEncoding.DecodeString(strings.ReplaceAll(lower, "-", ""))
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %q is not base32: %v", ErrInvalidPrincipal, s, err)
	}
	if len(raw) < 4 {
		return Principal{}, fmt.Errorf("%w: %q is too short for a checksum", ErrInvalidPrincipal, s)
	}
	p, err := PrincipalFromBytes(raw[4:])
	if err != nil {
		return Principal{}, err
	}
	if binary.BigEndian.Uint32(raw[:4]) != crc32.ChecksumIEEE(raw[4:]) {
		return Principal{}, fmt.Errorf("%w: %q", ErrChecksum, s)
	}
	if p.String() != lower {
		return Principal{}, fmt.Errorf("%w: %q is not in canonical form (want %q)", ErrInvalidPrincipal, s, p.String())
	}
	return p, nil
}

// Bytes returns the binary form of p. The caller owns the returned slice.
func (p Principal) Bytes() []byte { return bytes.Clone(p.b[:p.n:p.n]) }

// Len returns the length of the binary form of p in bytes.
func (p Principal) Len() int { return int(p.n) }

// IsManagementCube reports whether p is the empty principal `aaaaa-aa`.
func (p Principal) IsManagementCube() bool { return p.n == 0 }

// IsAnonymous reports whether p is the anonymous principal `2vxsx-fae`.
func (p Principal) IsAnonymous() bool { return p == Anonymous }

// Class returns the class of p as told by its last byte. The anonymous class
// applies only to the one-byte principal 0x04 and the self-authenticating
// class only to 29-byte principals; anything else is [ClassUnassigned].
func (p Principal) Class() PrincipalClass {
	if p.n == 0 {
		return ClassUnassigned
	}
	switch c := PrincipalClass(p.b[p.n-1]); c {
	case ClassOpaque, ClassDerived, ClassReserved:
		return c
	case ClassSelfAuthenticating:
		if p.n == MaxPrincipalLen {
			return c
		}
	case ClassAnonymous:
		if p.n == 1 {
			return c
		}
	}
	return ClassUnassigned
}

// Compare orders principals as the Internet Computer does: bytewise on the
// binary form, a shorter prefix first. It returns -1, 0 or +1.
func (p Principal) Compare(q Principal) int {
	return bytes.Compare(p.b[:p.n], q.b[:q.n])
}

// String returns the text form of p, for example "rrkah-fqaaa-aaaaa-aaaaq-cai".
func (p Principal) String() string {
	var buf [4 + MaxPrincipalLen]byte
	binary.BigEndian.PutUint32(buf[:4], crc32.ChecksumIEEE(p.b[:p.n]))
	copy(buf[4:], p.b[:p.n])
	enc := principalEncoding.EncodeToString(buf[:4+p.n])
	var sb strings.Builder
	sb.Grow(len(enc) + len(enc)/5)
	for i := 0; i < len(enc); i += 5 {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(enc[i:min(i+5, len(enc))])
	}
	return sb.String()
}

// MarshalText implements [encoding.TextMarshaler] with the text form.
func (p Principal) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParsePrincipal].
func (p *Principal) UnmarshalText(text []byte) error {
	q, err := ParsePrincipal(string(text))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// MarshalBinary implements [encoding.BinaryMarshaler] with the binary form.
func (p Principal) MarshalBinary() ([]byte, error) { return p.Bytes(), nil }

// UnmarshalBinary implements [encoding.BinaryUnmarshaler] with [PrincipalFromBytes].
func (p *Principal) UnmarshalBinary(data []byte) error {
	q, err := PrincipalFromBytes(data)
	if err != nil {
		return err
	}
	*p = q
	return nil
}
