package chainkey

import (
	"errors"
	"fmt"
	"slices"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// ErrSigner reports a signer index outside the committee, or a repeated
// one where distinct signers are required.
var ErrSigner = errors.New("chainkey: unknown or repeated signer")

// Committee holds the multi-signature keys of a subnet's nodes, by node
// index, for notarization and finalization. Every key's proof of
// possession is checked once, in [NewCommittee]; aggregation is safe
// against rogue keys only because of that check. Its methods take encoded
// signatures, so consensus can call them through a small interface on byte
// slices. A Committee is immutable and safe for concurrent use.
type Committee struct {
	keys []bls.PublicKey
}

// NewCommittee decodes the nodes' 96-byte public keys and checks each
// against its 48-byte proof of possession (made with
// [bls.SecretKey.ProvePossession]). keys[i] and pops[i] belong to node
// index i. It returns an error naming the first bad node.
func NewCommittee(keys, pops [][]byte) (*Committee, error) {
	if len(keys) == 0 || len(keys) != len(pops) {
		return nil, fmt.Errorf("chainkey: committee: %d keys, %d proofs of possession", len(keys), len(pops))
	}
	c := &Committee{keys: make([]bls.PublicKey, len(keys))}
	for i := range keys {
		pk, err := bls.ParsePublicKey(keys[i])
		if err != nil {
			return nil, fmt.Errorf("chainkey: committee node %d: %w", i, err)
		}
		pop, err := bls.ParseSignature(pops[i])
		if err != nil {
			return nil, fmt.Errorf("chainkey: committee node %d: proof of possession: %w", i, err)
		}
		if err := pk.VerifyPossession(pop); err != nil {
			return nil, fmt.Errorf("chainkey: committee node %d: proof of possession: %w", i, err)
		}
		c.keys[i] = pk
	}
	return c, nil
}

// Size returns the number of nodes.
func (c *Committee) Size() int { return len(c.keys) }

// PublicKey returns node index's key.
func (c *Committee) PublicKey(index int) (bls.PublicKey, error) {
	if index < 0 || index >= len(c.keys) {
		return bls.PublicKey{}, ErrSigner
	}
	return c.keys[index], nil
}

// Verify checks node index's individual multi-signature signature (from
// [bls.SecretKey.SignMulti]) on msg.
func (c *Committee) Verify(index int, msg, sig []byte) error {
	pk, err := c.PublicKey(index)
	if err != nil {
		return err
	}
	s, err := bls.ParseSignature(sig)
	if err != nil {
		return err
	}
	return pk.VerifyMulti(msg, s)
}

// Aggregate adds individual signatures into a multi-signature (48
// bytes). It does not verify them: check the result with
// [Committee.VerifyAggregate] and fall back to [Committee.BatchVerify] to
// find culprits if it fails.
func (c *Committee) Aggregate(sigs [][]byte) ([]byte, error) {
	parsed := make([]bls.Signature, len(sigs))
	for i, b := range sigs {
		s, err := bls.ParseSignature(b)
		if err != nil {
			return nil, fmt.Errorf("chainkey: signature %d: %w", i, err)
		}
		parsed[i] = s
	}
	agg, err := bls.AggregateSignatures(parsed)
	if err != nil {
		return nil, err
	}
	return agg.MarshalBinary()
}

// VerifyAggregate checks a multi-signature on msg by the distinct signers
// (node indices) with one pairing check against their summed keys.
func (c *Committee) VerifyAggregate(signers []int, msg, agg []byte) error {
	pks, err := c.signerKeys(signers)
	if err != nil {
		return err
	}
	s, err := bls.ParseSignature(agg)
	if err != nil {
		return err
	}
	return bls.VerifyMultiSignature(pks, msg, s)
}

// BatchVerify checks individual signatures sigs[i] by signers[i] on msg
// and returns the positions of the invalid ones (undecodable ones
// included), nil if all are valid; see [bls.BatchVerifyMulti].
func (c *Committee) BatchVerify(signers []int, msg []byte, sigs [][]byte) ([]int, error) {
	if len(signers) != len(sigs) {
		return nil, bls.ErrNoKeys
	}
	pks, err := c.signerKeys(signers)
	if err != nil {
		return nil, err
	}
	parsed := make([]bls.Signature, len(sigs))
	var bad []int
	for i, b := range sigs {
		s, err := bls.ParseSignature(b)
		if err != nil {
			bad = append(bad, i) // left zero: batchVerify skips it
			continue
		}
		parsed[i] = s
	}
	more, err := bls.BatchVerifyMulti(pks, msg, parsed)
	if err != nil {
		return nil, err
	}
	for _, i := range more {
		if !slices.Contains(bad, i) {
			bad = append(bad, i)
		}
	}
	slices.Sort(bad)
	return bad, nil
}

// signerKeys maps distinct node indices to keys.
func (c *Committee) signerKeys(signers []int) ([]bls.PublicKey, error) {
	if len(signers) == 0 {
		return nil, bls.ErrNoKeys
	}
	pks := make([]bls.PublicKey, len(signers))
	seen := make(map[int]bool, len(signers))
	for i, idx := range signers {
		if idx < 0 || idx >= len(c.keys) || seen[idx] {
			return nil, fmt.Errorf("%w: %d", ErrSigner, idx)
		}
		seen[idx] = true
		pks[i] = c.keys[idx]
	}
	return pks, nil
}
