package consensus

import "github.com/thebigfile/bigfile"

// Scheme names the signature scheme of an artifact, so that one [Signer]
// and one [Verifier] can serve every artifact kind.
type Scheme uint8

// The schemes, as on the Internet Computer.
const (
	// SchemeBasic: a node's own key; block proposals.
	SchemeBasic Scheme = 1
	// SchemeMulti: a node's own multi-signature key; notarization and
	// finalization shares, combined by aggregation (any n−f of them).
	SchemeMulti Scheme = 2
	// SchemeLow: the subnet's low-threshold key (f+1 of n); random beacon.
	// The combined signature is unique for the message.
	SchemeLow Scheme = 3
	// SchemeHigh: the subnet's high-threshold key (n−f of n); catch-up
	// packages. It is the key clients verify the subnet against.
	SchemeHigh Scheme = 4
)

// String returns the scheme's name.
func (s Scheme) String() string {
	switch s {
	case SchemeBasic:
		return "basic"
	case SchemeMulti:
		return "multi"
	case SchemeLow:
		return "low-threshold"
	case SchemeHigh:
		return "high-threshold"
	}
	return "Scheme(?)"
}

// Signer signs for the local node. chainkey's keys satisfy it through a
// small adapter (see examples/consensusbls); consensustest has a fast fake.
type Signer interface {
	// Sign returns this node's signature (for SchemeBasic) or signature
	// share (for the other schemes) of msg. msg already carries its
	// domain separator. The caller owns the returned slice.
	Sign(s Scheme, msg []byte) ([]byte, error)
}

// Verifier checks other nodes' signatures and combines shares. It knows the
// public keys of every member of the subnet.
//
// The core calls Combine on shares it has not verified and then checks the
// result once with VerifyCombined: one verification per notarization,
// finalization or beacon instead of one per share. Only if the combined
// signature fails does it check shares singly with Verify, to drop the bad
// ones. Implementations must therefore not assume Combine's inputs are valid.
type Verifier interface {
	// Verify checks one node's signature or signature share on msg.
	Verify(s Scheme, signer bigfile.NodeID, msg, sig []byte) error
	// Combine aggregates (SchemeMulti) or threshold-combines (SchemeLow,
	// SchemeHigh) the shares sigs[i] by signers[i]. signers are distinct
	// and sorted; there are exactly as many as the scheme's threshold.
	Combine(s Scheme, msg []byte, signers []bigfile.NodeID, sigs [][]byte) ([]byte, error)
	// VerifyCombined checks a combined signature on msg. For SchemeMulti,
	// signers are the nodes whose keys were aggregated; the threshold
	// schemes ignore signers.
	VerifyCombined(s Scheme, msg []byte, signers []bigfile.NodeID, sig []byte) error
}
