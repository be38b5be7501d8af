package hashtree

import (
	"bytes"
	"sort"
)

// Path is a sequence of labels from the root of a tree, such as
// {"request_status", id, "status"}.
type Path [][]byte

// PathOf builds a path from strings, for literal paths in code and tests.
func PathOf(labels ...string) Path {
	p := make(Path, len(labels))
	for i, l := range labels {
		p[i] = []byte(l)
	}
	return p
}

// Witness returns a tree with the same digest as t that reveals what t holds
// at each of paths and prunes everything else: for a path that exists, the
// labels along it and the whole subtree at its end; for a path that does
// not, the neighbouring labels that prove its absence (their subtrees
// pruned). Lookups of the paths in the witness give the same answers as in
// t. Witness does not modify t; the result shares leaves and labels with it.
//
// Its cost is proportional to the size of t, since the digests of pruned
// subtrees are recomputed; the state manager builds witnesses from its own
// hash-cached structure instead.
func (t *Tree) Witness(paths ...Path) *Tree {
	return witness(orEmpty(t), paths)
}

// witness is the recursive step of Witness for one level: it sorts the
// requests into revealed labels (with the rest of their paths) and labels
// kept only to prove an absence, and rebuilds the level's forks around them.
func witness(t *Tree, paths []Path) *Tree {
	if len(paths) == 0 {
		return Pruned(t.Digest())
	}
	for _, p := range paths {
		if len(p) == 0 {
			return t
		}
	}
	switch t.kind {
	case KindLeaf, KindEmpty, KindPruned:
		// A path that continues below a leaf fails (Error) whatever is
		// revealed, so reveal the leaf itself to make that provable.
		return t
	}
	level := t.Children()
	labels := make([][]byte, len(level))
	for i, n := range level {
		labels[i] = n.label
	}
	reveal := map[string][]Path{} // label -> remaining paths below it
	keep := map[string]bool{}     // labels kept (subtree pruned) to prove absence
	for _, p := range paths {
		i := sort.Search(len(labels), func(i int) bool { return bytes.Compare(labels[i], p[0]) >= 0 })
		if i < len(labels) && bytes.Equal(labels[i], p[0]) {
			reveal[string(p[0])] = append(reveal[string(p[0])], p[1:])
			continue
		}
		if i > 0 {
			keep[string(labels[i-1])] = true
		}
		if i < len(labels) {
			keep[string(labels[i])] = true
		}
	}
	out, _ := pruneLevel(t, reveal, keep)
	return out
}

// pruneLevel rebuilds the fork structure of one level, keeping the labeled
// nodes named in reveal or keep and pruning every subtree without them. It
// reports whether anything was kept.
func pruneLevel(t *Tree, reveal map[string][]Path, keep map[string]bool) (*Tree, bool) {
	switch t.kind {
	case KindFork:
		l, kl := pruneLevel(t.left, reveal, keep)
		r, kr := pruneLevel(t.right, reveal, keep)
		if !kl && !kr {
			return Pruned(ForkHash(l.Digest(), r.Digest())), false
		}
		return Fork(l, r), true
	case KindLabeled:
		if tails, ok := reveal[string(t.label)]; ok {
			return Labeled(t.label, witness(t.left, tails)), true
		}
		if keep[string(t.label)] {
			return Labeled(t.label, Pruned(t.left.Digest())), true
		}
		return Pruned(t.Digest()), false
	case KindEmpty:
		return t, false
	}
	return Pruned(t.Digest()), false
}
