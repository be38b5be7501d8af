package bigfile

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// CubeID identifies a cube (the Internet Computer's canister id) by its
// index. Its principal has the Internet Computer's layout: the 8-byte
// big-endian index followed by 0x01 0x01, so CubeID(1) is
// "rrkah-fqaaa-aaaaa-aaaaq-cai". Cube ids order as their principals do,
// which is what routing tables rely on.
type CubeID uint64

// cubeIDLen is the length of a cube id's principal.
const cubeIDLen = 10

// CubeIDFromPrincipal returns the cube id whose principal is p. It returns an
// error wrapping [ErrInvalidPrincipal] if p does not have the cube id layout
// (for example the management cube or a user's principal).
func CubeIDFromPrincipal(p Principal) (CubeID, error) {
	if p.n != cubeIDLen || p.b[8] != 0x01 || p.b[9] != 0x01 {
		return 0, fmt.Errorf("%w: %s is not a cube id", ErrInvalidPrincipal, p)
	}
	return CubeID(binary.BigEndian.Uint64(p.b[:8])), nil
}

// ParseCubeID parses the principal text form of a cube id.
func ParseCubeID(s string) (CubeID, error) {
	p, err := ParsePrincipal(s)
	if err != nil {
		return 0, err
	}
	return CubeIDFromPrincipal(p)
}

// Principal returns the principal of c.
func (c CubeID) Principal() Principal {
	var p Principal
	p.n = cubeIDLen
	binary.BigEndian.PutUint64(p.b[:8], uint64(c))
	p.b[8], p.b[9] = 0x01, 0x01
	return p
}

// String returns the principal text form of c.
func (c CubeID) String() string { return c.Principal().String() }

// MarshalText implements [encoding.TextMarshaler] with the principal text form.
func (c CubeID) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseCubeID].
func (c *CubeID) UnmarshalText(text []byte) error {
	d, err := ParseCubeID(string(text))
	if err != nil {
		return err
	}
	*c = d
	return nil
}

// MarshalBinary implements [encoding.BinaryMarshaler] with the 10-byte principal.
func (c CubeID) MarshalBinary() ([]byte, error) { return c.Principal().Bytes(), nil }

// UnmarshalBinary implements [encoding.BinaryUnmarshaler] for the 10-byte principal.
func (c *CubeID) UnmarshalBinary(data []byte) error {
	p, err := PrincipalFromBytes(data)
	if err != nil {
		return err
	}
	d, err := CubeIDFromPrincipal(p)
	if err != nil {
		return err
	}
	*c = d
	return nil
}

// CubeRange is an inclusive range of cube ids, the unit of a routing table.
// The zero value is the range holding only CubeID(0).
type CubeRange struct {
	Start, End CubeID // inclusive bounds; Start <= End for a valid range
}

// Contains reports whether c lies in r.
func (r CubeRange) Contains(c CubeID) bool { return r.Start <= c && c <= r.End }

// Valid reports whether r is non-empty (Start <= End).
func (r CubeRange) Valid() bool { return r.Start <= r.End }

// Overlaps reports whether r and s share at least one cube id.
func (r CubeRange) Overlaps(s CubeRange) bool { return r.Start <= s.End && s.Start <= r.End }

// Len returns the number of ids in r, saturating at the maximum uint64 for
// the full range; it returns 0 for an invalid range.
func (r CubeRange) Len() uint64 {
	if !r.Valid() {
		return 0
	}
	n := uint64(r.End - r.Start)
	if n == ^uint64(0) {
		return n
	}
	return n + 1
}

// String returns "start..=end" with the bounds in principal text form.
func (r CubeRange) String() string { return r.Start.String() + "..=" + r.End.String() }

// SubnetID identifies a subnet. On the Internet Computer it is the
// self-authenticating principal of the subnet's threshold public key in DER
// form, which is what clients check certificates against; see
// [SubnetIDFromPublicKey]. It embeds the [Principal], so it has the same text
// and binary forms.
type SubnetID struct{ Principal }

// SubnetIDFromPublicKey returns the id of the subnet whose DER-encoded
// threshold public key is der.
func SubnetIDFromPublicKey(der []byte) SubnetID { return SubnetID{SelfAuthenticating(der)} }

// ParseSubnetID parses the principal text form of a subnet id.
func ParseSubnetID(s string) (SubnetID, error) {
	p, err := ParsePrincipal(s)
	return SubnetID{p}, err
}

// Compare orders subnet ids by their principals.
func (s SubnetID) Compare(t SubnetID) int { return s.Principal.Compare(t.Principal) }

// NodeID identifies a node (a replica). Naturally it is the self-authenticating
// principal of the node's DER-encoded signing key; see [NodeIDFromPublicKey].
// It embeds the [Principal], so it has the same text and binary forms.
type NodeID struct{ Principal }

// NodeIDFromPublicKey returns the id of the node whose DER-encoded public key is der.
func NodeIDFromPublicKey(der []byte) NodeID { return NodeID{SelfAuthenticating(der)} }

// ParseNodeID parses the principal text form of a node id.
func ParseNodeID(s string) (NodeID, error) {
	p, err := ParsePrincipal(s)
	return NodeID{p}, err
}

// Compare orders node ids by their principals.
func (n NodeID) Compare(m NodeID) int { return n.Principal.Compare(m.Principal) }

// Height is the height of a block in a subnet's chain, and of the state that
// executing the batches up to it produces. Height 0 is genesis.
type Height uint64

// String returns the decimal form of h.
func (h Height) String() string { return strconv.FormatUint(uint64(h), 10) }

// Round is an execution round. A subnet executes one round per finalized batch,
// so rounds and heights advance together; Round names the execution-side count.
type Round uint64

// String returns the decimal form of r.
func (r Round) String() string { return strconv.FormatUint(uint64(r), 10) }
