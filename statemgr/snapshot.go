package statemgr

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// ErrNotCertified is returned when a certificate is asked of a state whose
// root hash has no signature yet.
var ErrNotCertified = errors.New("statemgr: state not certified")

// Snapshot is the immutable state at one height, as [Manager.Commit] left
// it. It is safe for concurrent use by any number of readers (queries,
// read_state requests) while the replica goes on executing; it shares
// unchanged parts with other snapshots, so holding one costs only what
// changed since.
type Snapshot struct {
	height   bigfile.Height
	root     *node
	pages    map[bigfile.CubeID]pageMap
	hash     bigfile.Hash
	sig      atomic.Pointer[[]byte]
	deleg    *hashtree.Delegation
	manifest *bigfile.Hash // set when a checkpoint was written at this height
}

// Height returns the height of the state.
func (s *Snapshot) Height() bigfile.Height { return s.height }

// RootHash returns the root hash of the state tree, the value that is
// threshold-signed to certify the state.
func (s *Snapshot) RootHash() bigfile.Hash { return s.hash }

// Time returns /time.
func (s *Snapshot) Time() bigfile.Time { return timeOf(s.root) }

// Get returns the leaf value at path and whether there is one. The caller
// must not modify the result.
func (s *Snapshot) Get(path hashtree.Path) ([]byte, bool) { return get(s.root, path) }

// ReadPage returns page i of a cube's memory, nil for a zero page. The
// caller must not modify the result.
func (s *Snapshot) ReadPage(c bigfile.CubeID, i uint64) []byte { return readPage(s.pages, c, i) }

// Tree returns the whole state tree as a hash tree. It is as large as the
// state; use [Snapshot.Witness] to answer requests.
func (s *Snapshot) Tree() *hashtree.Tree { return fullTree(s.root) }

// Witness returns a hash tree with the state's root hash that reveals the
// given paths (whole subtrees below them) and proves the absence of missing
// ones; everything else is pruned. Its cost follows the number of paths and
// the depth of the tree, not the size of the state.
func (s *Snapshot) Witness(paths ...hashtree.Path) *hashtree.Tree {
	return witnessLevel(s.root, paths)
}

// Signature returns the threshold signature on the root hash, or nil.
func (s *Snapshot) Signature() []byte {
	if p := s.sig.Load(); p != nil {
		return *p
	}
	return nil
}

// Certified reports whether the state has a signature.
func (s *Snapshot) Certified() bool { return s.sig.Load() != nil }

// Certificate returns the encoded certificate (55799-tagged CBOR, as the
// read_state endpoint returns it) revealing the given paths and /time. It
// does not authorize paths: the HTTP layer must drop the paths a caller may
// not read (request_status of another sender, certified_data, …) before
// calling. Returns [ErrNotCertified] without a signature.
func (s *Snapshot) Certificate(paths ...hashtree.Path) ([]byte, error) {
	sig := s.Signature()
	if sig == nil {
		return nil, fmt.Errorf("%w: height %d", ErrNotCertified, s.height)
	}
	c := &hashtree.Certificate{
		Tree:       s.Witness(append(paths[:len(paths):len(paths)], hashtree.Path{labelTime})...),
		Signature:  sig,
		Delegation: s.deleg,
	}
	return c.MarshalCBOR()
}

// RequestStatusPath returns /request_status/<id>, the path clients poll for
// the status of an update call.
func RequestStatusPath(id bigfile.MessageID) hashtree.Path {
	return hashtree.Path{labelRequestStatus, id[:]}
}

// CertifiedDataPath returns the path a cube's data certificate reveals
// (ic0.data_certificate_copy): /canister/<cube>/certified_data (and /time,
// which every certificate reveals).
func CertifiedDataPath(c bigfile.CubeID) hashtree.Path { return cubePath(c, labelCertified) }

// SubnetPath returns /subnet/<id>, which clients read whole to learn the
// subnet's node keys.
func SubnetPath(id bigfile.SubnetID) hashtree.Path { return hashtree.Path{labelSubnet, id.Bytes()} }

// CubePath returns /canister/<cube>/<labels…>, such as
// CubePath(c, "module_hash").
func CubePath(c bigfile.CubeID, labels ...string) hashtree.Path {
	p := cubePath(c)
	for _, l := range labels {
		p = append(p, []byte(l))
	}
	return p
}
