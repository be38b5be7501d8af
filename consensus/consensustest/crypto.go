package consensustest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
)

// ErrBadSignature is returned by the fake verifier for a signature that
// does not check.
var ErrBadSignature = errors.New("consensustest: bad signature")

// Crypto is a fast, deterministic stand-in for the subnet's keys: every
// signature is an HMAC-SHA256 under a key derived from a seed and the
// signer (or the scheme, for combined threshold signatures). It mirrors the
// real schemes' behaviour where the core depends on it: a combination of
// shares verifies only if every share does, and a threshold signature is
// unique for its message whichever shares made it. It offers no security.
type Crypto struct {
	seed  []byte
	nodes map[bigfile.NodeID]bool
}

// NewCrypto returns fake keys for the given members.
func NewCrypto(seed string, nodes []bigfile.NodeID) *Crypto {
	c := &Crypto{seed: []byte(seed), nodes: map[bigfile.NodeID]bool{}}
	for _, n := range nodes {
		c.nodes[n] = true
	}
	return c
}

// mac is the one primitive: HMAC-SHA256 keyed by the seed and a role
// (a node, or the group), over the scheme byte and the message. Including
// the scheme keeps a node's basic and multi signatures distinct, as the
// real schemes' domain separation tags do.
func (c *Crypto) mac(key []byte, s consensus.Scheme, msg []byte) []byte {
	m := hmac.New(sha256.New, append(append([]byte{}, c.seed...), key...))
	m.Write([]byte{byte(s)})
	m.Write(msg)
	return m.Sum(nil)
}

// nodeSig is node n's signature or share: anyone holding the seed (the
// verifier) can recompute it, which is what makes the fake fast.
func (c *Crypto) nodeSig(n bigfile.NodeID, s consensus.Scheme, msg []byte) []byte {
	return c.mac(append([]byte("node:"), n.Bytes()...), s, msg)
}

// groupSig is the combined threshold signature: it depends only on the
// scheme and the message, like a real threshold signature.
func (c *Crypto) groupSig(s consensus.Scheme, msg []byte) []byte {
	return c.mac([]byte("group"), s, msg)
}

// Signer returns the signer of node n.
func (c *Crypto) Signer(n bigfile.NodeID) consensus.Signer { return signer{c, n} }

// signer is one node's view of the fake keys.
type signer struct {
	c *Crypto
	n bigfile.NodeID
}

func (s signer) Sign(sc consensus.Scheme, msg []byte) ([]byte, error) {
	return s.c.nodeSig(s.n, sc, msg), nil
}

// Verify implements [consensus.Verifier].
func (c *Crypto) Verify(s consensus.Scheme, n bigfile.NodeID, msg, sig []byte) error {
	if !c.nodes[n] {
		return fmt.Errorf("%w: unknown signer", ErrBadSignature)
	}
	if !hmac.Equal(sig, c.nodeSig(n, s, msg)) {
		return ErrBadSignature
	}
	return nil
}

// Combine implements [consensus.Verifier]. A multi-signature is the hash of
// the shares; a threshold signature is the group signature if every share
// is valid, and garbage otherwise (as Lagrange interpolation of a bad share
// would be).
func (c *Crypto) Combine(s consensus.Scheme, msg []byte, signers []bigfile.NodeID, sigs [][]byte) ([]byte, error) {
	if len(signers) != len(sigs) || len(sigs) == 0 {
		return nil, errors.New("consensustest: bad share list")
	}
	if s == consensus.SchemeMulti {
		h := sha256.New()
		for _, sig := range sigs {
			h.Write(sig)
		}
		return h.Sum(nil), nil
	}
	for i, n := range signers {
		if c.Verify(s, n, msg, sigs[i]) != nil {
			return bytes.Repeat([]byte{0xee}, 32), nil
		}
	}
	return c.groupSig(s, msg), nil
}

// VerifyCombined implements [consensus.Verifier].
func (c *Crypto) VerifyCombined(s consensus.Scheme, msg []byte, signers []bigfile.NodeID, sig []byte) error {
	var want []byte
	if s == consensus.SchemeMulti {
		h := sha256.New()
		for _, n := range signers {
			if !c.nodes[n] {
				return ErrBadSignature
			}
			h.Write(c.nodeSig(n, s, msg))
		}
		want = h.Sum(nil)
	} else {
		want = c.groupSig(s, msg)
	}
	if !hmac.Equal(sig, want) {
		return ErrBadSignature
	}
	return nil
}

// SignCUP returns a valid high-threshold signature on a catch-up package,
// for tests that build one by hand.
func (c *Crypto) SignCUP(cup *consensus.CatchUpPackage) []byte {
	return c.groupSig(consensus.SchemeHigh, consensus.SignedBytes(consensus.KindCUP, cup.Height(), cup.ContentHash()))
}
