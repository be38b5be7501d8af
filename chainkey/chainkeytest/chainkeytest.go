// Package chainkeytest provides deterministic key material for tests and
// examples of chainkey and its consumers: seeded random readers, node key
// sets, a trusted dealer, and a complete honest DKG run.
//
// Everything here is reproducible from a seed and therefore insecure: use
// it only in tests, examples and simulations.
//
// # Usage
//
//	nodes := chainkeytest.NewNodes(1, 4)           // signing + encryption keys
//	coeffs, shares := chainkeytest.Deal(1, 3, 4)   // trusted dealer, 3 of 4
//	run, err := chainkeytest.RunDKG(1, nodes, 3)   // the same via dkg
//	sig := run.Shares[0].Sign(msg)
package chainkeytest

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/dkg"
)

// Rand returns a deterministic ChaCha8 stream for seed, usable wherever
// chainkey takes an io.Reader. Different labels give independent streams.
func Rand(seed uint64, label string) io.Reader {
	var s [32]byte
	binary.BigEndian.PutUint64(s[:8], seed)
	copy(s[8:], label)
	return rand.NewChaCha8(s)
}

// Node is one test node's long-term keys.
type Node struct {
	Index      uint32
	Signing    bls.SecretKey   // node key: dealings, multi-signatures
	Encryption bls.DHSecretKey // DKG share encryption key
}

// NewNodes returns n nodes with keys derived from seed.
func NewNodes(seed uint64, n int) []Node {
	r := Rand(seed, "nodes")
	nodes := make([]Node, n)
	for i := range nodes {
		sk, err := bls.GenerateKey(r)
		if err != nil {
			panic(fmt.Sprintf("chainkeytest: %v", err)) // unreachable: ChaCha8 never fails
		}
		ek, err := bls.GenerateDHKey(r)
		if err != nil {
			panic(fmt.Sprintf("chainkeytest: %v", err))
		}
		nodes[i] = Node{Index: uint32(i), Signing: sk, Encryption: ek}
	}
	return nodes
}

// SigningKeys returns the nodes' signing public keys, by index.
func SigningKeys(nodes []Node) []bls.PublicKey {
	out := make([]bls.PublicKey, len(nodes))
	for i, n := range nodes {
		out[i] = n.Signing.PublicKey()
	}
	return out
}

// EncryptionKeys returns the nodes' encryption public keys, by index.
func EncryptionKeys(nodes []Node) []bls.DHPublicKey {
	out := make([]bls.DHPublicKey, len(nodes))
	for i, n := range nodes {
		out[i] = n.Encryption.PublicKey()
	}
	return out
}

// Deal is a seeded trusted dealer: a threshold-of-n key's public
// coefficients and the n secret shares (indices 0..n−1).
func Deal(seed uint64, threshold, n int) (bls.PublicCoefficients, []bls.SecretKeyShare) {
	p, err := bls.NewPolynomial(Rand(seed, "dealer"), threshold, nil)
	if err != nil {
		panic(fmt.Sprintf("chainkeytest: %v", err))
	}
	defer p.Zero()
	shares := make([]bls.SecretKeyShare, n)
	for i := range shares {
		shares[i] = p.Share(uint32(i))
	}
	return p.Commitments(), shares
}

// DKGRun is the outcome of [RunDKG] or [RunReshare].
type DKGRun struct {
	Config     *dkg.Config
	Dealings   []*dkg.Dealing
	Transcript *dkg.Transcript
	Shares     []bls.SecretKeyShare // by receiver index
}

// RunDKG runs an honest fresh DKG in which every node deals and receives,
// and returns the transcript and every node's share.
func RunDKG(seed uint64, nodes []Node, threshold int) (*DKGRun, error) {
	cfg := &dkg.Config{
		ID:        fmt.Appendf(nil, "chainkeytest/dkg/%d", seed),
		Threshold: threshold,
		Dealers:   SigningKeys(nodes),
		Receivers: EncryptionKeys(nodes),
	}
	r := Rand(seed, "dkg")
	var dealings []*dkg.Dealing
	for _, n := range nodes {
		d, err := dkg.Deal(r, cfg, n.Index, n.Signing)
		if err != nil {
			return nil, err
		}
		dealings = append(dealings, d)
	}
	return finish(cfg, dealings, nodes)
}

// RunReshare runs an honest resharing of old (whose holders are oldNodes,
// by share index) to newNodes with a new threshold; the group key is kept.
func RunReshare(seed uint64, oldCoeffs bls.PublicCoefficients, old []bls.SecretKeyShare, oldNodes, newNodes []Node, threshold int) (*DKGRun, error) {
	cfg := &dkg.Config{
		ID:        fmt.Appendf(nil, "chainkeytest/reshare/%d", seed),
		Threshold: threshold,
		Dealers:   SigningKeys(oldNodes),
		Receivers: EncryptionKeys(newNodes),
		Reshare:   &oldCoeffs,
	}
	r := Rand(seed, "reshare")
	var dealings []*dkg.Dealing
	for _, s := range old {
		d, err := dkg.Reshare(r, cfg, s, oldNodes[s.Index].Signing)
		if err != nil {
			return nil, err
		}
		dealings = append(dealings, d)
	}
	return finish(cfg, dealings, newNodes)
}

func finish(cfg *dkg.Config, dealings []*dkg.Dealing, receivers []Node) (*DKGRun, error) {
	for _, d := range dealings {
		if err := cfg.VerifyDealing(d); err != nil {
			return nil, err
		}
	}
	t, err := cfg.Combine(dealings)
	if err != nil {
		return nil, err
	}
	run := &DKGRun{Config: cfg, Dealings: dealings, Transcript: t, Shares: make([]bls.SecretKeyShare, len(receivers))}
	for _, n := range receivers {
		s, err := cfg.ReceiveShare(t, dealings, n.Index, n.Encryption)
		if err != nil {
			return nil, err
		}
		run.Shares[n.Index] = s
	}
	return run, nil
}
