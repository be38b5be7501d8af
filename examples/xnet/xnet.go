package xnet

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// ErrNotCertified is returned by [Registry.Verify] when a certification
// does not prove the digest.
var ErrNotCertified = errors.New("xnet: slice not certified")

// Subnet is a simulated subnet's signing side: n nodes, each holding a
// share of a BLS key with threshold n−f. It implements routing.Certifier.
// It is not safe for concurrent use.
type Subnet struct {
	ID        bigfile.SubnetID
	der       []byte // the subnet public key, DER (133 bytes)
	shares    []bls.SecretKeyShare
	threshold int
	rest      *hashtree.Tree // the rest of the state, pruned in witnesses
}

// NewSubnet deals a seeded (n−f)-of-n key and derives the subnet id from
// the public key, as the Internet Computer does.
func NewSubnet(seed uint64, n, f int) *Subnet {
	coeffs, shares := chainkeytest.Deal(seed, n-f, n)
	der, err := coeffs.PublicKey().MarshalDER()
	if err != nil {
		panic(err) // a dealt key always encodes
	}
	return &Subnet{
		ID: bigfile.SubnetIDFromPublicKey(der), der: der, shares: shares, threshold: n - f,
		rest: hashtree.Labeled([]byte("request_status"), hashtree.Leaf([]byte(fmt.Sprintf("state of subnet %d", seed)))),
	}
}

// PublicKeyDER returns the subnet's public key in DER form. The caller
// must not modify it.
func (s *Subnet) PublicKeyDER() []byte { return s.der }

var pathDigest = hashtree.PathOf("streams", "slice_digest")

// Certify implements routing.Certifier: it puts digest into the state tree,
// has the first n−f nodes sign the root with their shares, combines the
// shares and returns the certificate (witness plus signature) in CBOR.
func (s *Subnet) Certify(digest bigfile.Hash) ([]byte, error) {
	state := hashtree.Fork(s.rest,
		hashtree.Labeled([]byte("streams"), hashtree.Labeled([]byte("slice_digest"), hashtree.Leaf(digest[:]))))
	witness := state.Witness(pathDigest)
	msg := hashtree.SignedMessage(witness.Digest())
	shares := make([]bls.SignatureShare, s.threshold)
	for i := range shares {
		shares[i] = s.shares[i].Sign(msg)
	}
	sig, err := bls.Combine(s.threshold, shares)
	if err != nil {
		return nil, fmt.Errorf("xnet: combining signature shares: %w", err)
	}
	b := sig.Bytes()
	return (&hashtree.Certificate{Tree: witness, Signature: b[:]}).MarshalCBOR()
}

// Registry knows the public keys of subnets and implements
// routing.Verifier. It is safe for concurrent use once built.
type Registry struct {
	keys      map[bigfile.SubnetID][]byte
	verifiers map[[bls.PublicKeySize]byte]*bls.Verifier
}

// NewRegistry returns a registry of the subnets' public keys.
func NewRegistry(subnets ...*Subnet) *Registry {
	r := &Registry{keys: map[bigfile.SubnetID][]byte{}, verifiers: map[[bls.PublicKeySize]byte]*bls.Verifier{}}
	for _, s := range subnets {
		r.keys[s.ID] = s.der
		pk, err := bls.ParseDER(s.der)
		if err != nil {
			panic(err)
		}
		v, err := bls.NewVerifier(pk)
		if err != nil {
			panic(err)
		}
		r.verifiers[pk.Bytes()] = v
	}
	return r
}

// Verify implements routing.Verifier: the certification must be a
// certificate signed by subnet from's key whose tree holds digest at
// /streams/slice_digest.
func (r *Registry) Verify(from bigfile.SubnetID, digest bigfile.Hash, certification []byte) error {
	der, ok := r.keys[from]
	if !ok {
		return fmt.Errorf("%w: unknown subnet %s", ErrNotCertified, from)
	}
	cert, err := hashtree.DecodeCertificate(certification)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotCertified, err)
	}
	if err := cert.Verify(hashtree.VerifyOptions{RootKey: der, Verifier: r}); err != nil {
		return fmt.Errorf("%w: %v", ErrNotCertified, err)
	}
	v, st := cert.Tree.Lookup(pathDigest...)
	if st != hashtree.Found || !bytes.Equal(v, digest[:]) {
		return fmt.Errorf("%w: the certified tree does not hold the digest", ErrNotCertified)
	}
	return nil
}

// VerifySignature implements hashtree.SignatureVerifier with the
// precomputed verifiers of the registered keys.
func (r *Registry) VerifySignature(publicKey, msg, sig []byte) error {
	var k [bls.PublicKeySize]byte
	if len(publicKey) != len(k) {
		return fmt.Errorf("xnet: public key of %d bytes", len(publicKey))
	}
	copy(k[:], publicKey)
	v := r.verifiers[k]
	if v == nil {
		return errors.New("xnet: unregistered public key")
	}
	s, err := bls.ParseSignature(sig)
	if err != nil {
		return err
	}
	return v.Verify(msg, s)
}
