package routingtest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
)

// ErrBadSignature is returned by [Keys.Verify] for a certification that
// does not verify.
var ErrBadSignature = errors.New("routingtest: bad certification")

// Keys holds one Ed25519 key per subnet, derived deterministically from the
// subnet id (so tests are reproducible), and certifies by signing the
// digest. A single Keys serves as the [routing.Verifier] for every subnet.
// It is not safe for concurrent use while keys are being added.
type Keys struct {
	keys map[bigfile.SubnetID]ed25519.PrivateKey
}

// NewKeys returns an empty key set; keys are made on first use.
func NewKeys() *Keys { return &Keys{keys: map[bigfile.SubnetID]ed25519.PrivateKey{}} }

func (k *Keys) key(s bigfile.SubnetID) ed25519.PrivateKey {
	if pk, ok := k.keys[s]; ok {
		return pk
	}
	seed := sha256.Sum256(append([]byte("routingtest subnet key "), s.Bytes()...))
	pk := ed25519.NewKeyFromSeed(seed[:])
	k.keys[s] = pk
	return pk
}

// Certifier returns the certifier of subnet s: it signs digests with s's key.
func (k *Keys) Certifier(s bigfile.SubnetID) routing.Certifier { return certifier{k.key(s)} }

type certifier struct{ key ed25519.PrivateKey }

func (c certifier) Certify(digest bigfile.Hash) ([]byte, error) {
	return ed25519.Sign(c.key, digest[:]), nil
}

// Verify checks that certification is subnet from's signature of digest.
func (k *Keys) Verify(from bigfile.SubnetID, digest bigfile.Hash, certification []byte) error {
	pub := k.key(from).Public().(ed25519.PublicKey)
	if len(certification) != ed25519.SignatureSize || !ed25519.Verify(pub, digest[:], certification) {
		return fmt.Errorf("%w: from subnet %s", ErrBadSignature, from)
	}
	return nil
}
