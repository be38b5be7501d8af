package chainkey

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// Domain separators of the messages threshold-signed for randomness. Each
// is prefixed by its length, like the IC's DomainSeparationContext, so no
// message of one kind is a message of another.
const (
	beaconDomain  = "big-random-beacon"
	genesisDomain = "big-random-beacon-genesis"
	tapeDomain    = "big-random-tape"
	randDomain    = "big-beacon-randomness"
)

// BeaconSize is the size of an encoded [Beacon]: 8-byte height and a
// 48-byte signature.
const BeaconSize = 8 + bls.SignatureSize

// ErrBeaconHeight reports a beacon that does not follow its predecessor.
var ErrBeaconHeight = errors.New("chainkey: beacon height does not follow its parent")

// Beacon is the random beacon at one height: the low-threshold group's
// signature on [BeaconMessage] of the previous beacon (or on
// [GenesisMessage] at height 0). BLS signatures are unique, so every honest
// node computes the same beacon whichever shares it combined; nobody can
// predict beacon h+1 before a threshold of nodes sign it.
type Beacon struct {
	Height    uint64
	Signature bls.Signature
}

func domainPrefix(domain string) []byte {
	return append([]byte{byte(len(domain))}, domain...)
}

// GenesisMessage is the message whose threshold signature is the beacon at
// height 0: the domain and a hash of the DER form of the group key the DKG
// produced, so the first beacon exists only once that key does.
func GenesisMessage(groupKey bls.PublicKey) ([]byte, error) {
	der, err := groupKey.MarshalDER()
	if err != nil {
		return nil, fmt.Errorf("chainkey: genesis beacon: %w", err)
	}
	h := sha256.Sum256(der)
	m := domainPrefix(genesisDomain)
	m = binary.BigEndian.AppendUint64(m, 0)
	return append(m, h[:]...), nil
}

// BeaconMessage is the message whose threshold signature is the beacon at
// height+1 given the beacon at height (the parent): the domain, the new
// height, and the SHA-256 hash of the parent's signature.
func BeaconMessage(parent Beacon) []byte {
	sig := parent.Signature.Bytes()
	h := sha256.Sum256(sig[:])
	m := domainPrefix(beaconDomain)
	m = binary.BigEndian.AppendUint64(m, parent.Height+1)
	return append(m, h[:]...)
}

// Next returns the message to threshold-sign for the following beacon.
func (b Beacon) Next() []byte { return BeaconMessage(b) }

// Randomness returns the round's 32 bytes of randomness: a domain-separated
// SHA-256 of the beacon signature. Consensus derives block-maker ranks and
// other per-round choices from it (with its own purpose tags).
func (b Beacon) Randomness() [32]byte {
	sig := b.Signature.Bytes()
	h := sha256.New()
	h.Write(domainPrefix(randDomain))
	h.Write(binary.BigEndian.AppendUint64(nil, b.Height))
	h.Write(sig[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// VerifyGenesisBeacon checks the height-0 beacon under the group key.
func VerifyGenesisBeacon(groupKey bls.PublicKey, b Beacon) error {
	if b.Height != 0 {
		return ErrBeaconHeight
	}
	m, err := GenesisMessage(groupKey)
	if err != nil {
		return err
	}
	return groupKey.Verify(m, b.Signature)
}

// VerifyBeacon checks that next is the beacon following parent under the
// group key active at next.Height. It returns nil, [ErrBeaconHeight], or a
// verification error wrapping [bls.ErrInvalidSignature].
func VerifyBeacon(groupKey bls.PublicKey, parent, next Beacon) error {
	if next.Height != parent.Height+1 {
		return ErrBeaconHeight
	}
	return groupKey.Verify(BeaconMessage(parent), next.Signature)
}

// MarshalBinary encodes the beacon as height (8 bytes) ‖ signature (48).
func (b Beacon) MarshalBinary() ([]byte, error) {
	s, err := b.Signature.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint64(make([]byte, 0, BeaconSize), b.Height), s...), nil
}

// UnmarshalBinary decodes a beacon, checking the signature point.
func (b *Beacon) UnmarshalBinary(data []byte) error {
	if len(data) != BeaconSize {
		return fmt.Errorf("beacon: %w: %d bytes", bls.ErrEncoding, len(data))
	}
	if err := b.Signature.UnmarshalBinary(data[8:]); err != nil {
		return fmt.Errorf("beacon: %w", err)
	}
	b.Height = binary.BigEndian.Uint64(data)
	return nil
}
