package statemgr

import (
	"bytes"
	"hash/fnv"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// The state tree is a tree of labeled levels. Each level is a persistent
// treap keyed by label, with the priority derived from the label alone, so
// its shape — and therefore the fork structure of the hash tree — depends
// only on the set of labels, never on the order of updates: every replica
// computes the same root hash whatever order it applied a round's changes
// in. Inserting, updating or deleting a label touches O(log n) nodes.
//
// Nodes are shared between versions (snapshots). A node belongs to the
// generation that created it; a State mutates nodes of its current
// generation in place and copies older ones (path copying), so committed
// versions are never modified. Digests are cached per node and recomputed
// lazily at commit: a changed node is marked invalid, and hashing descends
// only into invalid nodes, so the cost of a commit follows the number of
// changes, not the size of the state.

// node is one labeled child of a level and, at the same time, a treap node
// holding the left and right parts of the level.
type node struct {
	label       []byte
	prio        uint64
	left, right *node // treap children: labels below and above label

	// The labeled child: a leaf value (isLeaf) or a sub-level (sub, nil for
	// an empty level).
	isLeaf bool
	value  []byte
	sub    *node

	gen    uint64
	valid  bool         // whether hash is up to date
	lvalid bool         // whether lhash is up to date (the child did not change)
	lhash  bigfile.Hash // digest of Labeled(label, child)
	hash   bigfile.Hash // digest of the fork structure of this treap subtree
}

// priority derives a node's treap priority from its label. Any fixed
// function of the label keeps the shape canonical; FNV-1a is cheap and
// mixes well enough for the expected O(log n) depth. An adversary choosing
// labels (request ids are hashes, cube ids are sequential) could at worst
// lengthen some paths, which costs time, never correctness.
func priority(label []byte) uint64 {
	h := fnv.New64a()
	h.Write(label)
	return h.Sum64()
}

// above reports whether a must be an ancestor of b in the treap: higher
// priority, ties broken by the smaller label, so the order is total.
func above(a, b *node) bool {
	if a.prio != b.prio {
		return a.prio > b.prio
	}
	return bytes.Compare(a.label, b.label) < 0
}

// own returns n itself if it belongs to generation gen, else a copy that
// does; either way the result is marked invalid (about to change).
//
// Every mutation goes through own on each node of the path it changes, so
// the invalidated nodes are exactly the ancestors of changes, and all of
// them belong to the current generation: rehash never writes to a node a
// snapshot can see.
func own(n *node, gen uint64) *node {
	if n.gen != gen {
		c := *n
		c.gen = gen
		n = &c
	}
	n.valid = false
	return n
}

// find returns the node for label in the level rooted at n, or nil.
func find(n *node, label []byte) *node {
	for n != nil {
		c := bytes.Compare(label, n.label)
		if c == 0 {
			return n
		}
		if c < 0 {
			n = n.left
		} else {
			n = n.right
		}
	}
	return nil
}

// upsert finds or inserts label in the level rooted at n, calls f on the
// (owned, invalidated) node for it, and returns the new level root. Every
// node on the way is owned by gen and invalidated.
//
// It is the usual recursive treap insert: descend by label, then rotate the
// new or changed child above its parent while its priority is higher. The
// node that f changes also loses its cached label digest (lvalid); the
// other nodes on the path only lose their shape digest, since their own
// labeled child is unchanged.
func upsert(n *node, label []byte, gen uint64, f func(*node)) *node {
	if n == nil {
		t := &node{label: bytes.Clone(label), prio: priority(label), gen: gen}
		f(t)
		return t
	}
	n = own(n, gen)
	switch c := bytes.Compare(label, n.label); {
	case c == 0:
		n.lvalid = false
		f(n)
	case c < 0:
		n.left = upsert(n.left, label, gen, f)
		if above(n.left, n) {
			l := n.left // owned by upsert
			n.left, l.right = l.right, n
			return l
		}
	default:
		n.right = upsert(n.right, label, gen, f)
		if above(n.right, n) {
			r := n.right
			n.right, r.left = r.left, n
			return r
		}
	}
	return n
}

// remove deletes label from the level rooted at n and returns the new root.
//
// A missing label leaves the level untouched (and uncopied), so deleting
// absent entries — common when garbage-collecting request statuses — costs
// one search.
func remove(n *node, label []byte, gen uint64) *node {
	if n == nil {
		return nil
	}
	if find(n, label) == nil {
		return n
	}
	return removeFound(n, label, gen)
}

func removeFound(n *node, label []byte, gen uint64) *node {
	c := bytes.Compare(label, n.label)
	if c == 0 {
		return merge(n.left, n.right, gen)
	}
	n = own(n, gen)
	if c < 0 {
		n.left = removeFound(n.left, label, gen)
	} else {
		n.right = removeFound(n.right, label, gen)
	}
	return n
}

// merge joins two treaps whose labels are all below (l) and above (r).
// Merging by priority is the inverse of the rotations of upsert, which is
// what makes the treap's shape a function of its labels alone.
func merge(l, r *node, gen uint64) *node {
	if l == nil {
		return r
	}
	if r == nil {
		return l
	}
	if above(l, r) {
		l = own(l, gen)
		l.right = merge(l.right, r, gen)
		return l
	}
	r = own(r, gen)
	r.left = merge(l, r.left, gen)
	return r
}

// levelHash returns the digest of the level rooted at n, computing the
// digests of invalid nodes (and of invalid nodes in their sub-levels).
func levelHash(n *node, x *hashtree.Hasher) bigfile.Hash {
	if n == nil {
		return hashtree.EmptyHash
	}
	rehash(n, x)
	return n.hash
}

// rehash recomputes the digests of n's treap subtree where invalid. Valid
// subtrees are skipped whole, which is what bounds the work of a commit by
// the number of changed nodes.
func rehash(n *node, x *hashtree.Hasher) {
	if n.valid {
		return
	}
	if n.left != nil {
		rehash(n.left, x)
	}
	if n.right != nil {
		rehash(n.right, x)
	}
	if !n.lvalid {
		var child bigfile.Hash
		if n.isLeaf {
			child = x.Leaf(n.value)
		} else {
			child = levelHash(n.sub, x)
		}
		n.lhash = x.Labeled(n.label, child)
		n.lvalid = true
	}
	n.hash = shapeHash(n, x)
	n.valid = true
}

// shapeHash hashes the fork shape of a treap node: Fork(L, Fork(item, R)),
// leaving out missing sides. The hash tree format allows any fork shape
// (clients flatten forks before looking labels up), so the treap's own
// structure can serve as the fork structure and no separate balanced tree
// has to be maintained. shapeTree must build exactly this shape.
func shapeHash(n *node, x *hashtree.Hasher) bigfile.Hash {
	switch {
	case n.left == nil && n.right == nil:
		return n.lhash
	case n.left == nil:
		return x.Fork(n.lhash, n.right.hash)
	case n.right == nil:
		return x.Fork(n.left.hash, n.lhash)
	}
	return x.Fork(n.left.hash, x.Fork(n.lhash, n.right.hash))
}

// shapeTree builds the fork shape of a treap node from already-built parts.
func shapeTree(l, item, r *hashtree.Tree) *hashtree.Tree {
	switch {
	case l == nil && r == nil:
		return item
	case l == nil:
		return hashtree.Fork(item, r)
	case r == nil:
		return hashtree.Fork(l, item)
	}
	return hashtree.Fork(l, hashtree.Fork(item, r))
}

// The functions below read committed (fully hashed) levels only.

// fullTree converts a whole level to a hash tree.
func fullTree(n *node) *hashtree.Tree {
	if n == nil {
		return hashtree.Empty()
	}
	return shapeTree(fullTreeOrNil(n.left), hashtree.Labeled(n.label, childTree(n)), fullTreeOrNil(n.right))
}

func fullTreeOrNil(n *node) *hashtree.Tree {
	if n == nil {
		return nil
	}
	return fullTree(n)
}

func childTree(n *node) *hashtree.Tree {
	if n.isLeaf {
		return hashtree.Leaf(n.value)
	}
	return fullTree(n.sub)
}

// witnessLevel builds the witness of paths in the level rooted at n; see
// hashtree.Tree.Witness for the contract.
//
// For each path, its first label is either present (the labeled node is
// revealed and the rest of the path is witnessed below it) or absent, in
// which case the neighbouring labels on both sides are revealed with their
// subtrees pruned: the spec's lookup then proves absence, because the two
// neighbours are adjacent in the flattened level. Everything else becomes
// Pruned nodes with the cached digests, so the witness costs O(paths ×
// depth) and its digest equals the level's.
func witnessLevel(n *node, paths []hashtree.Path) *hashtree.Tree {
	for _, p := range paths {
		if len(p) == 0 {
			return fullTree(n)
		}
	}
	if n == nil {
		return hashtree.Empty()
	}
	if len(paths) == 0 {
		return hashtree.Pruned(n.hash)
	}
	reveal := map[string][]hashtree.Path{}
	keep := map[string]bool{}
	for _, p := range paths {
		if find(n, p[0]) != nil {
			reveal[string(p[0])] = append(reveal[string(p[0])], p[1:])
			continue
		}
		if pred := neighbour(n, p[0], true); pred != nil {
			keep[string(pred.label)] = true
		}
		if succ := neighbour(n, p[0], false); succ != nil {
			keep[string(succ.label)] = true
		}
	}
	var wanted [][]byte
	for l := range reveal {
		wanted = append(wanted, []byte(l))
	}
	for l := range keep {
		if _, ok := reveal[l]; !ok {
			wanted = append(wanted, []byte(l))
		}
	}
	sortLabels(wanted)
	return pruneTreap(n, wanted, reveal, keep)
}

// neighbour returns the node with the greatest label below l (pred) or the
// smallest above l (!pred), or nil.
func neighbour(n *node, l []byte, pred bool) *node {
	var best *node
	for n != nil {
		c := bytes.Compare(n.label, l)
		if pred {
			if c < 0 {
				best, n = n, n.right
			} else {
				n = n.left
			}
		} else {
			if c > 0 {
				best, n = n, n.left
			} else {
				n = n.right
			}
		}
	}
	return best
}

// pruneTreap keeps the labels in wanted (sorted) and prunes the rest.
// A subtree with no wanted label collapses into one Pruned node; the
// wanted list is split at each node's label so each recursion only sees the
// labels of its own subtree.
func pruneTreap(n *node, wanted [][]byte, reveal map[string][]hashtree.Path, keep map[string]bool) *hashtree.Tree {
	if n == nil {
		return nil
	}
	if len(wanted) == 0 {
		return hashtree.Pruned(n.hash)
	}
	i := lowerBound(wanted, n.label)
	lo, hi := wanted[:i], wanted[i:]
	var item *hashtree.Tree
	if len(hi) > 0 && bytes.Equal(hi[0], n.label) {
		hi = hi[1:]
		if tails, ok := reveal[string(n.label)]; ok {
			item = hashtree.Labeled(n.label, witnessChild(n, tails))
		} else {
			var ch bigfile.Hash
			if n.isLeaf {
				ch = hashtree.LeafHash(n.value)
			} else if n.sub == nil {
				ch = hashtree.EmptyHash
			} else {
				ch = n.sub.hash
			}
			item = hashtree.Labeled(n.label, hashtree.Pruned(ch))
		}
	} else {
		item = hashtree.Pruned(n.lhash)
	}
	l := pruneTreap(n.left, lo, reveal, keep)
	r := pruneTreap(n.right, hi, reveal, keep)
	return shapeTree(l, item, r)
}

func witnessChild(n *node, tails []hashtree.Path) *hashtree.Tree {
	if n.isLeaf {
		return hashtree.Leaf(n.value)
	}
	return witnessLevel(n.sub, tails)
}

func lowerBound(ls [][]byte, l []byte) int {
	lo, hi := 0, len(ls)
	for lo < hi {
		m := (lo + hi) / 2
		if bytes.Compare(ls[m], l) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func sortLabels(ls [][]byte) {
	// Insertion sort: witness requests name few labels per level.
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && bytes.Compare(ls[j-1], ls[j]) > 0; j-- {
			ls[j-1], ls[j] = ls[j], ls[j-1]
		}
	}
}

// walk calls f for every leaf and every empty level under the level rooted
// at n, in label order, with the path of labels leading to it (isLeaf tells
// which). The path slice is reused between calls; f must copy what it keeps.
func walk(n *node, path [][]byte, f func(path [][]byte, value []byte, isLeaf bool)) {
	if n == nil {
		return
	}
	walk(n.left, path, f)
	p := append(path, n.label)
	switch {
	case n.isLeaf:
		f(p, n.value, true)
	case n.sub == nil:
		f(p, nil, false)
	default:
		walk(n.sub, p, f)
	}
	walk(n.right, path, f)
}
