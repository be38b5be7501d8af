package statemgr

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/thebigfile/bigfile"
)

// PageSize is the size of a cube memory page in bytes, the unit in which
// memory is hashed, checkpointed and synced.
const PageSize = 4096

// A page map is a cube's memory: a sparse array of pages under a binary
// Merkle tree of fixed shape (the page index's bits pick the path), so each
// page write rehashes one path of log2(pages) nodes at the next commit.
// Missing pages read as zeros and hash as a zero page, so a map's digest
// depends only on its contents and its size. Nodes are persistent with
// generation ownership, like the levels of the state tree.

var (
	sepPageNode = []byte("\x0dbig-page-node")
	sepPageRoot = []byte("\x0dbig-page-root")
)

// zeroHashes[h] is the digest of a subtree of height h holding zero pages.
var zeroHashes [65]bigfile.Hash

func init() {
	zeroHashes[0] = sha256.Sum256(make([]byte, PageSize))
	for h := 1; h < len(zeroHashes); h++ {
		zeroHashes[h] = pageNodeHash(zeroHashes[h-1], zeroHashes[h-1])
	}
}

func pageNodeHash(l, r bigfile.Hash) bigfile.Hash {
	var buf [14 + 64]byte
	copy(buf[:], sepPageNode)
	copy(buf[14:], l[:])
	copy(buf[46:], r[:])
	return sha256.Sum256(buf[:])
}

// pnode is a node of a page map's Merkle tree: an inner node with up to two
// children (nil children are all-zero subtrees) or, at height 0, a leaf
// holding one page. Like the state tree's nodes it is owned by the
// generation that created it and copied before any change otherwise.
type pnode struct {
	kids  [2]*pnode
	page  *[PageSize]byte // at height 0; never nil in a leaf
	gen   uint64
	fresh bool // page was allocated in generation gen and may be written in place
	valid bool
	hash  bigfile.Hash
}

// pageMap is a value: copying it copies a reference to shared, persistent nodes.
type pageMap struct {
	size  uint64 // number of pages; pages at and above size do not exist
	depth int    // the root covers 1<<depth pages
	root  *pnode
}

// ownPage returns n if the current generation owns it, else a copy that it
// does (nil becomes a fresh empty node), marked invalid either way. A copied
// leaf shares its page array with the original, so fresh is cleared and
// the next write allocates a new array instead of writing into the shared
// one.
func ownPage(n *pnode, gen uint64) *pnode {
	if n == nil {
		return &pnode{gen: gen}
	}
	if n.gen != gen {
		c := *n
		c.gen, c.fresh = gen, false
		n = &c
	}
	n.valid = false
	return n
}

// leaf returns the owned, invalidated leaf for page i, creating the path.
func (m *pageMap) leaf(i uint64, gen uint64) *pnode {
	m.grow(i)
	n := ownPage(m.root, gen)
	m.root = n
	for h := m.depth; h > 0; h-- {
		b := (i >> (h - 1)) & 1
		n.kids[b] = ownPage(n.kids[b], gen)
		n = n.kids[b]
	}
	return n
}

// write stores data (at most PageSize bytes, zero-padded) as page i.
func (m *pageMap) write(i uint64, data []byte, gen uint64) {
	n := m.leaf(i, gen)
	if !n.fresh || n.page == nil {
		n.page = new([PageSize]byte)
		n.fresh = true
	} else {
		clear(n.page[len(data):])
	}
	copy(n.page[:], data)
}

// putHashed stores page i with a digest the caller has already verified.
func (m *pageMap) putHashed(i uint64, page *[PageSize]byte, h bigfile.Hash, gen uint64) {
	n := m.leaf(i, gen)
	n.page, n.hash, n.valid, n.fresh = page, h, true, false
}

// grow extends the map to hold page i: the size to at least i+1, and the
// tree by adding roots above the current one (the old tree becomes the
// left-most subtree, so page indices keep their paths). The depth is thus
// always the minimum for the size, which keeps the digest canonical.
func (m *pageMap) grow(i uint64) {
	if i >= m.size {
		m.size = i + 1
	}
	for m.depth < 64 && i>>m.depth != 0 {
		if m.root != nil {
			m.root = &pnode{kids: [2]*pnode{m.root, nil}}
		}
		m.depth++
	}
}

// read returns page i, or nil for a page never written (all zeros). The
// caller must not modify the result.
func (m *pageMap) read(i uint64) *[PageSize]byte {
	if i >= m.size || m.root == nil {
		return nil
	}
	n := m.root
	for h := m.depth; h > 0 && n != nil; h-- {
		n = n.kids[(i>>(h-1))&1]
	}
	if n == nil {
		return nil
	}
	return n.page
}

// digest returns the page map's root hash, rehashing changed pages.
func (m *pageMap) digest() bigfile.Hash {
	var rh bigfile.Hash
	if m.root == nil {
		rh = zeroHashes[m.depth]
	} else {
		rh = hashPages(m.root, m.depth)
	}
	var buf [14 + 8 + 32]byte
	copy(buf[:], sepPageRoot)
	binary.BigEndian.PutUint64(buf[14:], m.size)
	copy(buf[22:], rh[:])
	return sha256.Sum256(buf[:])
}

// hashPages returns the digest of the subtree n of height h, recomputing
// only invalid nodes. A leaf's digest is plain SHA-256 of the page, which is
// also its chunk hash in checkpoint manifests, so checkpoints reuse the
// digests computed here instead of hashing pages again.
func hashPages(n *pnode, h int) bigfile.Hash {
	if n == nil {
		return zeroHashes[h]
	}
	if n.valid {
		return n.hash
	}
	if h == 0 {
		n.hash = sha256.Sum256(n.page[:])
	} else {
		n.hash = pageNodeHash(hashPages(n.kids[0], h-1), hashPages(n.kids[1], h-1))
	}
	n.valid = true
	return n.hash
}

// eachPage calls f for each stored page in index order with its (valid)
// digest. The map must have been hashed.
func (m *pageMap) eachPage(f func(i uint64, page *[PageSize]byte, h bigfile.Hash) error) error {
	return eachPage(m.root, m.depth, 0, f)
}

func eachPage(n *pnode, h int, base uint64, f func(uint64, *[PageSize]byte, bigfile.Hash) error) error {
	if n == nil {
		return nil
	}
	if h == 0 {
		return f(base, n.page, n.hash)
	}
	if err := eachPage(n.kids[0], h-1, base, f); err != nil {
		return err
	}
	return eachPage(n.kids[1], h-1, base|1<<(h-1), f)
}
