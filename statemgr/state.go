package statemgr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"sync/atomic"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// Labels of the state tree. The first group are the Internet Computer's
// (clients look them up); the second are BigFile's own, holding the parts of
// the replicated state that clients do not read but replicas must agree on.
var (
	labelTime          = []byte("time")
	labelSubnet        = []byte("subnet")
	labelPublicKey     = []byte("public_key")
	labelRanges        = []byte("canister_ranges")
	labelNode          = []byte("node")
	labelRequestStatus = []byte("request_status")
	labelCanister      = []byte("canister")
	labelModuleHash    = []byte("module_hash")
	labelControllers   = []byte("controllers")
	labelMetadata      = []byte("metadata")
	labelCertified     = []byte("certified_data")
	labelStreams       = []byte("streams")
	labelHeader        = []byte("header")
	labelMessages      = []byte("messages")

	// /cube_state/<cube>/{pages, page_count, blobs/<name>}: the digest and
	// size of the cube's memory and its opaque blobs (queues, balances,
	// execution metadata), so every round's root commits to the full state.
	labelCubeState = []byte("cube_state")
	labelPages     = []byte("pages")
	labelPageCount = []byte("page_count")
	labelBlobs     = []byte("blobs")
	// /system/<name>: opaque subnet-wide blobs of other components.
	labelSystem = []byte("system")
)

// ErrInvalidPath reports a path that cannot be stored: empty, or running
// through a leaf.
var ErrInvalidPath = errors.New("statemgr: invalid path")

// State is the replicated state of a subnet as the state manager sees it:
// a labeled tree of values (the tree clients read, with the Internet
// Computer's paths, plus BigFile's own entries) and the memory of each cube
// as a map of 4 KiB pages. Execution and message routing change it between
// commits through the typed setters, or through [State.Set] for entries the
// state manager has no setter for; [Manager.Commit] hashes the changes and
// turns the state into an immutable [Snapshot].
//
// A State is not safe for concurrent use. Values passed to setters are
// copied; values returned by getters must not be modified.
type State struct {
	gen      uint64
	root     *node
	pages    map[bigfile.CubeID]pageMap
	pagesOwn bool // whether pages may be modified in place (not shared with a snapshot)
	dirty    map[bigfile.CubeID]bool
}

// generation hands out node generations. They must be unique across every
// State of the process that may share nodes, so a global counter is used;
// generations never influence digests.
var generation atomic.Uint64

func newState() *State {
	return &State{gen: generation.Add(1), pages: map[bigfile.CubeID]pageMap{}, pagesOwn: true, dirty: map[bigfile.CubeID]bool{}}
}

// Set stores value at path, creating the levels above it. Levels replace
// leaves and leaves replace levels on the way. It returns an error wrapping
// [ErrInvalidPath] for an empty path.
func (s *State) Set(path hashtree.Path, value []byte) error {
	if len(path) == 0 {
		return fmt.Errorf("%w: empty path", ErrInvalidPath)
	}
	v := bytes.Clone(value)
	if v == nil {
		v = []byte{}
	}
	s.root = setAt(s.root, path, v, s.gen)
	return nil
}

// setAt stores v at path below the level n and returns the new level root.
// Each level on the way is updated with upsert, so the whole path is owned
// and invalidated.
func setAt(n *node, path hashtree.Path, v []byte, gen uint64) *node {
	return upsert(n, path[0], gen, func(t *node) {
		if len(path) == 1 {
			t.isLeaf, t.value, t.sub = true, v, nil
			return
		}
		if t.isLeaf {
			t.isLeaf, t.value = false, nil
		}
		t.sub = setAt(t.sub, path[1:], v, gen)
	})
}

// SetLevel makes path an empty level (a labeled node over an empty
// subtree) unless it is one already, creating the levels above it.
func (s *State) SetLevel(path hashtree.Path) error {
	if len(path) == 0 {
		return fmt.Errorf("%w: empty path", ErrInvalidPath)
	}
	s.root = levelAt(s.root, path, s.gen)
	return nil
}

func levelAt(n *node, path hashtree.Path, gen uint64) *node {
	return upsert(n, path[0], gen, func(t *node) {
		if t.isLeaf {
			t.isLeaf, t.value = false, nil
		}
		if len(path) > 1 {
			t.sub = levelAt(t.sub, path[1:], gen)
		}
	})
}

// Delete removes the leaf or the whole subtree at path; a missing path is
// not an error. Levels left empty stay in place as empty levels.
func (s *State) Delete(path hashtree.Path) {
	if len(path) == 0 {
		return
	}
	s.root = deleteAt(s.root, path, s.gen)
}

func deleteAt(n *node, path hashtree.Path, gen uint64) *node {
	if len(path) == 1 {
		return remove(n, path[0], gen)
	}
	t := find(n, path[0])
	if t == nil || t.isLeaf || find(t.sub, path[1]) == nil && len(path) == 2 {
		return n
	}
	return upsert(n, path[0], gen, func(t *node) { t.sub = deleteAt(t.sub, path[1:], gen) })
}

// Get returns the leaf value at path and whether there is one.
func (s *State) Get(path hashtree.Path) ([]byte, bool) { return get(s.root, path) }

func get(n *node, path hashtree.Path) ([]byte, bool) {
	if len(path) == 0 {
		return nil, false
	}
	for i, l := range path {
		t := find(n, l)
		if t == nil {
			return nil, false
		}
		if i == len(path)-1 {
			return t.value, t.isLeaf
		}
		if t.isLeaf {
			return nil, false
		}
		n = t.sub
	}
	return nil, false
}

// SetTime sets /time, the time of the state in nanoseconds since the epoch.
// Clients require it in every certificate, within minutes of their clock.
func (s *State) SetTime(t bigfile.Time) {
	s.root = setAt(s.root, hashtree.Path{labelTime}, leb128.AppendUint(nil, uint64(t)), s.gen)
}

// Time returns /time, or 0 if it was never set.
func (s *State) Time() bigfile.Time { return timeOf(s.root) }

func timeOf(root *node) bigfile.Time {
	v, ok := get(root, hashtree.Path{labelTime})
	if !ok {
		return 0
	}
	t, _, _ := leb128.Uint(v)
	return bigfile.Time(t)
}

// SetSubnet sets /subnet/<id>/public_key (the subnet's 133-byte DER BLS
// key) and /subnet/<id>/canister_ranges (the cube ranges it hosts).
func (s *State) SetSubnet(id bigfile.SubnetID, publicKeyDER []byte, ranges []bigfile.CubeRange) {
	sid := id.Bytes()
	_ = s.Set(hashtree.Path{labelSubnet, sid, labelPublicKey}, publicKeyDER)
	_ = s.Set(hashtree.Path{labelSubnet, sid, labelRanges}, hashtree.EncodeCanisterRanges(ranges))
}

// SetNodeKey sets /subnet/<subnet>/node/<node>/public_key: the node's DER
// Ed25519 key (44 bytes), with which it signs query responses.
func (s *State) SetNodeKey(subnet bigfile.SubnetID, node bigfile.NodeID, publicKeyDER []byte) {
	_ = s.Set(hashtree.Path{labelSubnet, subnet.Bytes(), labelNode, node.Bytes(), labelPublicKey}, publicKeyDER)
}

// RemoveNode deletes /subnet/<subnet>/node/<node>.
func (s *State) RemoveNode(subnet bigfile.SubnetID, node bigfile.NodeID) {
	s.Delete(hashtree.Path{labelSubnet, subnet.Bytes(), labelNode, node.Bytes()})
}

// RequestStatus is the certified status of an ingress message, as clients
// read it under /request_status/<id>.
type RequestStatus struct {
	// Status is "received", "processing", "replied", "rejected" or "done".
	Status        string
	Reply         []byte             // with "replied": the Candid reply
	RejectCode    bigfile.RejectCode // with "rejected"
	RejectMessage string             // with "rejected"
	ErrorCode     string             // with "rejected", optional (e.g. "IC0503")
}

// SetRequestStatus replaces /request_status/<id> with st. Only the fields
// that belong to st.Status are stored.
func (s *State) SetRequestStatus(id bigfile.MessageID, st RequestStatus) {
	base := hashtree.Path{labelRequestStatus, id[:]}
	s.Delete(base)
	p := func(l string) hashtree.Path { return append(base[:2:2], []byte(l)) }
	_ = s.Set(p("status"), []byte(st.Status))
	switch st.Status {
	case "replied":
		_ = s.Set(p("reply"), st.Reply)
	case "rejected":
		_ = s.Set(p("reject_code"), leb128.AppendUint(nil, uint64(st.RejectCode)))
		_ = s.Set(p("reject_message"), []byte(st.RejectMessage))
		if st.ErrorCode != "" {
			_ = s.Set(p("error_code"), []byte(st.ErrorCode))
		}
	}
}

// RemoveRequestStatus deletes /request_status/<id> (after its expiry).
func (s *State) RemoveRequestStatus(id bigfile.MessageID) {
	s.Delete(hashtree.Path{labelRequestStatus, id[:]})
}

func cubePath(c bigfile.CubeID, labels ...[]byte) hashtree.Path {
	return append(hashtree.Path{labelCanister, c.Principal().Bytes()}, labels...)
}

// SetModuleHash sets /canister/<cube>/module_hash, or deletes it when h is
// nil (an empty cube).
func (s *State) SetModuleHash(c bigfile.CubeID, h *bigfile.Hash) {
	if h == nil {
		s.Delete(cubePath(c, labelModuleHash))
		return
	}
	_ = s.Set(cubePath(c, labelModuleHash), h[:])
}

// SetControllers sets /canister/<cube>/controllers.
func (s *State) SetControllers(c bigfile.CubeID, controllers []bigfile.Principal) {
	_ = s.Set(cubePath(c, labelControllers), hashtree.EncodePrincipals(controllers))
}

// SetMetadata sets /canister/<cube>/metadata/<name> (a public or private
// custom section, such as "candid:service"); a nil value deletes it.
func (s *State) SetMetadata(c bigfile.CubeID, name string, value []byte) {
	p := cubePath(c, labelMetadata, []byte(name))
	if value == nil {
		s.Delete(p)
		return
	}
	_ = s.Set(p, value)
}

// SetCertifiedData sets /canister/<cube>/certified_data (at most 32 bytes,
// as ic0.certified_data_set allows; longer data is an error).
func (s *State) SetCertifiedData(c bigfile.CubeID, data []byte) error {
	if len(data) > 32 {
		return fmt.Errorf("statemgr: certified data of %d bytes, at most 32", len(data))
	}
	return s.Set(cubePath(c, labelCertified), data)
}

func cubeStatePath(c bigfile.CubeID, labels ...[]byte) hashtree.Path {
	return append(hashtree.Path{labelCubeState, c.Principal().Bytes()}, labels...)
}

// SetBlob stores an opaque blob of the cube's state (an input queue, a
// balance, execution metadata) under /cube_state/<cube>/blobs/<name>; a nil
// value deletes it. The owner of the blob defines its encoding.
func (s *State) SetBlob(c bigfile.CubeID, name string, value []byte) {
	p := cubeStatePath(c, labelBlobs, []byte(name))
	if value == nil {
		s.Delete(p)
		return
	}
	_ = s.Set(p, value)
}

// Blob returns a blob stored with [State.SetBlob].
func (s *State) Blob(c bigfile.CubeID, name string) ([]byte, bool) {
	return s.Get(cubeStatePath(c, labelBlobs, []byte(name)))
}

// SetSystemBlob stores an opaque subnet-wide blob under /system/<name>; a
// nil value deletes it.
func (s *State) SetSystemBlob(name string, value []byte) {
	p := hashtree.Path{labelSystem, []byte(name)}
	if value == nil {
		s.Delete(p)
		return
	}
	_ = s.Set(p, value)
}

// SetStreamHeader sets /streams/<subnet>/header, the header of the XNet
// stream to subnet in message routing's encoding.
func (s *State) SetStreamHeader(to bigfile.SubnetID, header []byte) {
	_ = s.Set(hashtree.Path{labelStreams, to.Bytes(), labelHeader}, header)
}

// PutStreamMessage sets /streams/<subnet>/messages/<index> (the index as
// 8 big-endian bytes); a nil message deletes it (garbage collection of
// acknowledged messages).
func (s *State) PutStreamMessage(to bigfile.SubnetID, index uint64, msg []byte) {
	p := hashtree.Path{labelStreams, to.Bytes(), labelMessages, binary.BigEndian.AppendUint64(nil, index)}
	if msg == nil {
		s.Delete(p)
		return
	}
	_ = s.Set(p, msg)
}

// WritePage stores data (at most [PageSize] bytes; shorter data is padded
// with zeros) as page i of the cube's memory, growing the memory to at
// least i+1 pages.
func (s *State) WritePage(c bigfile.CubeID, i uint64, data []byte) error {
	if len(data) > PageSize {
		return fmt.Errorf("statemgr: page of %d bytes", len(data))
	}
	if !s.pagesOwn {
		s.pages = maps.Clone(s.pages)
		s.pagesOwn = true
	}
	m := s.pages[c]
	m.write(i, data, s.gen)
	s.pages[c] = m
	s.dirty[c] = true
	return nil
}

// ReadPage returns page i of the cube's memory, or nil if the page was never
// written (it reads as zeros). The caller must not modify the result.
func (s *State) ReadPage(c bigfile.CubeID, i uint64) []byte { return readPage(s.pages, c, i) }

func readPage(pages map[bigfile.CubeID]pageMap, c bigfile.CubeID, i uint64) []byte {
	m, ok := pages[c]
	if !ok {
		return nil
	}
	if p := m.read(i); p != nil {
		return p[:]
	}
	return nil
}

// PageCount returns the size of the cube's memory in pages.
func (s *State) PageCount(c bigfile.CubeID) uint64 { return s.pages[c].size }

// RemoveCube deletes everything the state holds about a cube: its
// /canister and /cube_state subtrees and its memory.
func (s *State) RemoveCube(c bigfile.CubeID) {
	s.Delete(cubePath(c))
	s.Delete(cubeStatePath(c))
	if _, ok := s.pages[c]; ok {
		if !s.pagesOwn {
			s.pages = maps.Clone(s.pages)
			s.pagesOwn = true
		}
		delete(s.pages, c)
	}
	delete(s.dirty, c)
}

// hash brings every digest up to date and returns the root hash: the page
// roots of changed cubes are written to /cube_state/<cube>/{pages,
// page_count} first.
//
// Page maps are hashed here rather than on every write so that a page
// written several times in a round is hashed once. page_count is rewritten
// only when the size changed, to keep its path valid.
func (s *State) hash() bigfile.Hash {
	for c := range s.dirty {
		m := s.pages[c]
		d := m.digest()
		s.root = setAt(s.root, cubeStatePath(c, labelPages), d[:], s.gen)
		count := leb128.AppendUint(nil, m.size)
		if old, ok := get(s.root, cubeStatePath(c, labelPageCount)); !ok || !bytes.Equal(old, count) {
			s.root = setAt(s.root, cubeStatePath(c, labelPageCount), count, s.gen)
		}
	}
	clear(s.dirty)
	var x hashtree.Hasher
	return levelHash(s.root, &x)
}

// freeze ends the current generation: the nodes built so far become
// immutable, shared with the returned snapshot.
func (s *State) freeze() (*node, map[bigfile.CubeID]pageMap) {
	s.gen = generation.Add(1)
	s.pagesOwn = false
	return s.root, s.pages
}
