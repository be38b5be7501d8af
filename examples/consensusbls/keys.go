package consensusbls

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/consensus"
)

// Keys holds a subnet's BLS12-381 keys as consensus uses them: each node's
// own key (block proposals with the basic scheme, notarization and
// finalization shares with the multi-signature scheme), and two threshold
// keys, low (f+1 of n: random beacon) and high (n−f of n: catch-up
// packages). It implements [consensus.Verifier], and [Keys.Signer] gives
// each node's [consensus.Signer]. It is immutable and safe for concurrent
// use.
type Keys struct {
	ids    []bigfile.NodeID // sorted, as consensus sorts them
	index  map[bigfile.NodeID]int
	secret []bls.SecretKey // nil entries for keys this process does not hold
	public []bls.PublicKey
	nodeV  []*bls.Verifier // precomputed pairing lines of each node key
	low    threshold
	high   threshold
}

type threshold struct {
	t      int
	shares []bls.SecretKeyShare
	public []bls.PublicKeyShare
	group  *bls.Verifier
}

// Deal generates every key with a trusted dealer drawing from rand: a
// stand-in for the distributed key generation (chainkey/dkg) in tests,
// benchmarks and examples.
func Deal(rand io.Reader, ids []bigfile.NodeID) (*Keys, error) {
	n := len(ids)
	if n == 0 {
		return nil, errors.New("consensusbls: no nodes")
	}
	k := &Keys{ids: slices.Clone(ids), index: map[bigfile.NodeID]int{}}
	slices.SortFunc(k.ids, bigfile.NodeID.Compare)
	for i, id := range k.ids {
		k.index[id] = i
		sk, err := bls.GenerateKey(rand)
		if err != nil {
			return nil, err
		}
		v, err := bls.NewVerifier(sk.PublicKey())
		if err != nil {
			return nil, err
		}
		k.secret = append(k.secret, sk)
		k.public = append(k.public, sk.PublicKey())
		k.nodeV = append(k.nodeV, v)
	}
	f := consensus.Faults(n)
	var err error
	if k.low, err = deal(rand, f+1, n); err != nil {
		return nil, err
	}
	if k.high, err = deal(rand, n-f, n); err != nil {
		return nil, err
	}
	return k, nil
}

func deal(rand io.Reader, t, n int) (threshold, error) {
	p, err := bls.NewPolynomial(rand, t, nil)
	if err != nil {
		return threshold{}, err
	}
	defer p.Zero()
	th := threshold{t: t}
	coeffs := p.Commitments()
	for i := range n {
		th.shares = append(th.shares, p.Share(uint32(i)))
		th.public = append(th.public, coeffs.ShareKey(uint32(i)))
	}
	if th.group, err = bls.NewVerifier(coeffs.PublicKey()); err != nil {
		return threshold{}, err
	}
	return th, nil
}

// Signer returns node id's signer, or nil if id is not a member.
func (k *Keys) Signer(id bigfile.NodeID) consensus.Signer {
	i, ok := k.index[id]
	if !ok {
		return nil
	}
	return signer{k, i}
}

type signer struct {
	k *Keys
	i int
}

// Sign implements [consensus.Signer].
func (s signer) Sign(sc consensus.Scheme, msg []byte) ([]byte, error) {
	var sig bls.Signature
	switch sc {
	case consensus.SchemeBasic:
		sig = s.k.secret[s.i].Sign(msg)
	case consensus.SchemeMulti:
		sig = s.k.secret[s.i].SignMulti(msg)
	case consensus.SchemeLow:
		sig = s.k.low.shares[s.i].Sign(msg).Signature
	case consensus.SchemeHigh:
		sig = s.k.high.shares[s.i].Sign(msg).Signature
	default:
		return nil, fmt.Errorf("consensusbls: unknown scheme %d", sc)
	}
	b := sig.Bytes()
	return b[:], nil
}

func (k *Keys) th(sc consensus.Scheme) *threshold {
	if sc == consensus.SchemeLow {
		return &k.low
	}
	return &k.high
}

// Verify implements [consensus.Verifier]: one signature or share.
func (k *Keys) Verify(sc consensus.Scheme, id bigfile.NodeID, msg, sigBytes []byte) error {
	i, ok := k.index[id]
	if !ok {
		return fmt.Errorf("consensusbls: unknown node %s", id)
	}
	sig, err := bls.ParseSignature(sigBytes)
	if err != nil {
		return err
	}
	switch sc {
	case consensus.SchemeBasic:
		return k.nodeV[i].Verify(msg, sig)
	case consensus.SchemeMulti:
		return k.public[i].VerifyMulti(msg, sig)
	case consensus.SchemeLow, consensus.SchemeHigh:
		th := k.th(sc)
		return th.public[i].Verify(msg, bls.SignatureShare{Index: uint32(i), Signature: sig})
	}
	return fmt.Errorf("consensusbls: unknown scheme %d", sc)
}

// Combine implements [consensus.Verifier]: it adds multi-signature shares,
// or interpolates threshold shares, without verifying them.
func (k *Keys) Combine(sc consensus.Scheme, msg []byte, ids []bigfile.NodeID, sigs [][]byte) ([]byte, error) {
	if len(ids) != len(sigs) {
		return nil, errors.New("consensusbls: mismatched share lists")
	}
	parsed := make([]bls.Signature, len(sigs))
	for j, b := range sigs {
		s, err := bls.ParseSignature(b)
		if err != nil {
			return nil, err
		}
		parsed[j] = s
	}
	var out bls.Signature
	var err error
	switch sc {
	case consensus.SchemeMulti:
		out, err = bls.AggregateSignatures(parsed)
	case consensus.SchemeLow, consensus.SchemeHigh:
		shares := make([]bls.SignatureShare, len(ids))
		for j, id := range ids {
			i, ok := k.index[id]
			if !ok {
				return nil, fmt.Errorf("consensusbls: unknown node %s", id)
			}
			shares[j] = bls.SignatureShare{Index: uint32(i), Signature: parsed[j]}
		}
		out, err = bls.Combine(k.th(sc).t, shares)
	default:
		return nil, fmt.Errorf("consensusbls: unknown scheme %d", sc)
	}
	if err != nil {
		return nil, err
	}
	b := out.Bytes()
	return b[:], nil
}

// VerifyCombined implements [consensus.Verifier] with one pairing check:
// against the sum of the signers' keys (multi-signature) or the group key.
func (k *Keys) VerifyCombined(sc consensus.Scheme, msg []byte, ids []bigfile.NodeID, sigBytes []byte) error {
	sig, err := bls.ParseSignature(sigBytes)
	if err != nil {
		return err
	}
	switch sc {
	case consensus.SchemeMulti:
		pks := make([]bls.PublicKey, len(ids))
		for j, id := range ids {
			i, ok := k.index[id]
			if !ok {
				return fmt.Errorf("consensusbls: unknown node %s", id)
			}
			pks[j] = k.public[i]
		}
		return bls.VerifyMultiSignature(pks, msg, sig)
	case consensus.SchemeLow, consensus.SchemeHigh:
		return k.th(sc).group.Verify(msg, sig)
	}
	return fmt.Errorf("consensusbls: unknown scheme %d", sc)
}
