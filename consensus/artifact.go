package consensus

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/thebigfile/bigfile"
)

// Kind names an artifact type. It is the first byte of an artifact's
// encoding, so its values are part of the wire format and never change.
type Kind uint8

// The artifact kinds. Shares are [*Share] values, aggregates (notarizations,
// finalizations, random beacons) are [*Aggregate] values.
const (
	KindProposal          Kind = 1  // a block proposal, [*Proposal]
	KindNotarizationShare Kind = 2  // one notary's vote for a block, [*Share]
	KindNotarization      Kind = 3  // n−f notarization shares combined, [*Aggregate]
	KindFinalizationShare Kind = 4  // one replica's finality vote, [*Share]
	KindFinalization      Kind = 5  // n−f finalization shares combined, [*Aggregate]
	KindBeaconShare       Kind = 6  // a random beacon share, [*Share]
	KindBeacon            Kind = 7  // f+1 beacon shares combined, [*Aggregate]
	KindCUPShare          Kind = 8  // a catch-up package share, [*Share]
	KindCUP               Kind = 9  // a catch-up package, [*CatchUpPackage]
	KindStatus            Kind = 10 // a replica's progress report, [*Status]
)

var kindNames = [...]string{
	KindProposal:          "proposal",
	KindNotarizationShare: "notarization-share",
	KindNotarization:      "notarization",
	KindFinalizationShare: "finalization-share",
	KindFinalization:      "finalization",
	KindBeaconShare:       "beacon-share",
	KindBeacon:            "beacon",
	KindCUPShare:          "cup-share",
	KindCUP:               "cup",
	KindStatus:            "status",
}

// String returns the kind's name, such as "notarization-share".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// isShare reports whether k is one of the share kinds.
func (k Kind) isShare() bool {
	return k == KindNotarizationShare || k == KindFinalizationShare || k == KindBeaconShare || k == KindCUPShare
}

// aggregateOf returns the aggregate kind that shares of kind k combine into.
func (k Kind) aggregateOf() Kind {
	switch k {
	case KindNotarizationShare:
		return KindNotarization
	case KindFinalizationShare:
		return KindFinalization
	case KindBeaconShare:
		return KindBeacon
	case KindCUPShare:
		return KindCUP
	}
	return 0
}

// scheme returns the signature scheme that signs artifacts of kind k.
func (k Kind) scheme() Scheme {
	switch k {
	case KindProposal:
		return SchemeBasic
	case KindNotarizationShare, KindNotarization, KindFinalizationShare, KindFinalization:
		return SchemeMulti
	case KindBeaconShare, KindBeacon:
		return SchemeLow
	case KindCUPShare, KindCUP:
		return SchemeHigh
	}
	return 0
}

// domain returns the domain separator prefixed to the bytes signed for
// artifacts of kind k, so that a signature for one purpose can never be
// replayed for another. The names are the Internet Computer's.
func (k Kind) domain() string {
	switch k {
	case KindProposal:
		return "block_domain"
	case KindNotarizationShare, KindNotarization:
		return "notarization_content_domain"
	case KindFinalizationShare, KindFinalization:
		return "finalization_content_domain"
	case KindBeaconShare, KindBeacon:
		return "random_beacon_content_domain"
	case KindCUPShare, KindCUP:
		return "catch_up_content_domain"
	}
	return ""
}

// Artifact is a message of the consensus protocol: one of [*Proposal],
// [*Share], [*Aggregate], [*CatchUpPackage] or [*Status]. Artifacts are
// immutable once built: the core keeps pointers to those it receives and
// returns, so neither side may modify one afterwards.
type Artifact interface {
	// Kind returns the artifact's type.
	Kind() Kind
	// ArtifactHeight returns the height the artifact belongs to.
	ArtifactHeight() bigfile.Height
	isArtifact()
}

// Block is the content of a block proposal: a payload chained to a
// notarized parent. Its hash, [Block.Hash], identifies it everywhere.
type Block struct {
	Height bigfile.Height // the parent's height plus one
	Rank   int            // the maker's rank at Height, 0..f
	Parent bigfile.Hash   // the hash of a notarized block at Height−1
	Maker  bigfile.NodeID // the node that made (and signed) the block
	// Time is the maker's clock when it made the block; never less than the
	// parent's time, so batch times never decrease.
	Time    bigfile.Time
	Payload Payload // opaque to consensus; built and checked by [Payloads]
}

// Hash returns the domain-separated SHA-256 of the block's encoding.
func (b *Block) Hash() bigfile.Hash {
	h := sha256.New()
	h.Write(domainPrefix(KindProposal))
	h.Write(appendBlock(nil, b))
	var out bigfile.Hash
	h.Sum(out[:0])
	return out
}

// Proposal is a block signed by its maker with its node key.
type Proposal struct {
	Block     Block
	Signature []byte // the maker's SchemeBasic signature of the block hash
	hash      bigfile.Hash
}

// NewProposal returns a proposal of b carrying sig. The block hash is
// computed once here and cached.
func NewProposal(b Block, sig []byte) *Proposal {
	return &Proposal{Block: b, Signature: sig, hash: b.Hash()}
}

// Hash returns the hash of the proposed block. A Proposal made by
// [NewProposal] or [Decode] has it cached; one built as a literal computes
// and caches it on first use, which is then not safe to race with other
// readers, so build shared proposals with NewProposal.
func (p *Proposal) Hash() bigfile.Hash {
	if p.hash.IsZero() {
		p.hash = p.Block.Hash()
	}
	return p.hash
}

// ProposalSignedBytes returns the bytes a maker signs for a block with hash h.
func ProposalSignedBytes(h bigfile.Hash) []byte {
	return append(domainPrefix(KindProposal), h[:]...)
}

// Kind implements [Artifact].
func (p *Proposal) Kind() Kind { return KindProposal }

// ArtifactHeight implements [Artifact].
func (p *Proposal) ArtifactHeight() bigfile.Height { return p.Block.Height }
func (*Proposal) isArtifact()                      {}

// Share is one replica's signature share. What it signs depends on Type:
//
//   - KindNotarizationShare, KindFinalizationShare: Target is the block hash;
//   - KindBeaconShare: Target is the hash of the beacon at Height−1;
//   - KindCUPShare: Target is the catch-up package content hash
//     ([CatchUpPackage.ContentHash]).
//
// The signed bytes are [SignedBytes](Type, Height, Target).
type Share struct {
	Type      Kind
	Height    bigfile.Height
	Target    bigfile.Hash
	Signer    bigfile.NodeID
	Signature []byte
}

// Kind implements [Artifact].
func (s *Share) Kind() Kind { return s.Type }

// ArtifactHeight implements [Artifact].
func (s *Share) ArtifactHeight() bigfile.Height { return s.Height }
func (*Share) isArtifact()                      {}

// Aggregate is a notarization, finalization or random beacon: shares on one
// (Type, Height, Target) combined into one signature. Notarizations and
// finalizations are multi-signatures and list their Signers (sorted); a
// beacon is a unique threshold signature and lists none.
type Aggregate struct {
	Type      Kind
	Height    bigfile.Height
	Target    bigfile.Hash
	Signers   []bigfile.NodeID
	Signature []byte
}

// Kind implements [Artifact].
func (a *Aggregate) Kind() Kind { return a.Type }

// ArtifactHeight implements [Artifact].
func (a *Aggregate) ArtifactHeight() bigfile.Height { return a.Height }
func (*Aggregate) isArtifact()                      {}

// BeaconHash returns the hash of a random beacon, which chains the next
// beacon and seeds the ranking and the batch randomness. It covers the
// signature, which is unique for the content, so every replica computes the
// same hash.
func (a *Aggregate) BeaconHash() bigfile.Hash {
	h := sha256.New()
	h.Write(domainPrefix(KindBeacon))
	h.Write(SignedBytes(KindBeacon, a.Height, a.Target))
	h.Write(a.Signature)
	var out bigfile.Hash
	h.Sum(out[:0])
	return out
}

// CatchUpPackage is a self-contained restart point: the finalized summary
// block at its height and the random beacon there, signed with the subnet's
// high-threshold key. A replica holding it needs no older artifact.
type CatchUpPackage struct {
	Block  *Proposal  // the finalized block at the package height
	Beacon *Aggregate // the random beacon at the package height
	// StateHash is the hash of the replicated state after the block, as
	// given to [Core.SetStateHash]; zero unless Config.StateHashes is set.
	// A node resuming from the package syncs its state to this hash.
	StateHash bigfile.Hash
	Signature []byte // SchemeHigh signature of the content hash; empty for genesis
}

// Height returns the package height.
func (c *CatchUpPackage) Height() bigfile.Height { return c.Block.Block.Height }

// ContentHash returns the hash that CUP shares sign: block hash, beacon
// hash and state hash at the package height.
func (c *CatchUpPackage) ContentHash() bigfile.Hash {
	return cupContent(c.Block.Hash(), c.Beacon.BeaconHash(), c.StateHash)
}

func cupContent(block, beacon, state bigfile.Hash) bigfile.Hash {
	b := make([]byte, 0, 96)
	b = append(b, block[:]...)
	b = append(b, beacon[:]...)
	b = append(b, state[:]...)
	return sha256.Sum256(b)
}

// Kind implements [Artifact].
func (c *CatchUpPackage) Kind() Kind { return KindCUP }

// ArtifactHeight implements [Artifact].
func (c *CatchUpPackage) ArtifactHeight() bigfile.Height { return c.Height() }
func (*CatchUpPackage) isArtifact()                      {}

// Status is a replica's progress report, gossiped periodically. A peer that
// is further ahead answers with the artifacts the sender lacks (or with a
// catch-up package), which is how lost messages are repaired and lagging
// replicas catch up without every artifact being sent to everyone twice.
type Status struct {
	Notarized bigfile.Height // highest height with a notarized block held
	Finalized bigfile.Height // highest height with a finalization held
	Delivered bigfile.Height // height of the last batch delivered
	CUP       bigfile.Height // height of the latest catch-up package
}

// Kind implements [Artifact].
func (s *Status) Kind() Kind { return KindStatus }

// ArtifactHeight implements [Artifact].
func (s *Status) ArtifactHeight() bigfile.Height { return s.Notarized }
func (*Status) isArtifact()                      {}

// domainPrefix returns the one-byte length and the name of k's domain
// separator, the Internet Computer's framing of domain-separated bytes.
func domainPrefix(k Kind) []byte {
	d := k.domain()
	return append([]byte{byte(len(d))}, d...)
}

// SignedBytes returns the bytes signed by shares and aggregates of kind k
// (share or aggregate kind alike): the domain separator, the 8-byte
// big-endian height and the 32-byte target.
func SignedBytes(k Kind, h bigfile.Height, target bigfile.Hash) []byte {
	b := domainPrefix(k)
	b = binary.BigEndian.AppendUint64(b, uint64(h))
	return append(b, target[:]...)
}
