package hashtree

import "bytes"

// Status is the outcome of a [Tree.Lookup], with the Internet Computer's
// semantics: a witness proves a value present (Found) or absent (Absent), or
// cannot tell because the relevant part was pruned (Unknown). Error means
// the path runs into a node that is neither a leaf nor a labeled level.
type Status uint8

// The lookup outcomes.
const (
	Absent  Status = iota // the tree proves that no value lies at the path
	Found                 // a leaf lies at the path
	Unknown               // the path leads into a pruned subtree
	Error                 // the path ends at an inner node, or a leaf sits where labels were expected
)

// String returns the status name in lower case.
func (s Status) String() string {
	switch s {
	case Absent:
		return "absent"
	case Found:
		return "found"
	case Unknown:
		return "unknown"
	case Error:
		return "error"
	}
	return "invalid"
}

// Lookup follows path (a sequence of labels) from the root of t and reports
// what the tree proves about it. With Found it returns the leaf's value,
// which the caller must not modify. The semantics are the spec's
// lookup_path: at each level the forks are flattened into a sequence of
// nodes, and a label missing from that sequence is Absent only if its
// neighbours in label order are present to prove it.
func (t *Tree) Lookup(path ...[]byte) ([]byte, Status) {
	t = orEmpty(t)
	for _, l := range path {
		var st Status
		t, st = findLabel(l, flatten(t, nil))
		if st != Found {
			return nil, st
		}
	}
	switch t.kind {
	case KindEmpty:
		return nil, Absent
	case KindLeaf:
		return t.value, Found
	case KindPruned:
		return nil, Unknown
	}
	return nil, Error
}

// LookupSubtree follows path like [Tree.Lookup] but returns the subtree at
// its end, whatever its kind, with Found.
func (t *Tree) LookupSubtree(path ...[]byte) (*Tree, Status) {
	t = orEmpty(t)
	for _, l := range path {
		var st Status
		t, st = findLabel(l, flatten(t, nil))
		if st != Found {
			return nil, st
		}
	}
	return t, Found
}

// Children returns the labeled nodes of the level t, in tree order, with the
// forks flattened out. Pruned and other nodes in the level are skipped.
func (t *Tree) Children() []*Tree {
	var out []*Tree
	for _, n := range flatten(orEmpty(t), nil) {
		if n.kind == KindLabeled {
			out = append(out, n)
		}
	}
	return out
}

// flatten appends the non-fork nodes under t (dropping empties) in order:
// the spec's flatten_forks. Fork shapes carry no meaning, so lookups see a
// level as the sequence of its nodes.
func flatten(t *Tree, out []*Tree) []*Tree {
	switch t.kind {
	case KindFork:
		out = flatten(t.left, out)
		return flatten(t.right, out)
	case KindEmpty:
		return out
	}
	return append(out, t)
}

// findLabel implements the spec's find_label over a flattened level. A label
// is Absent only when the witness shows both sides of the gap it would fall
// into: two adjacent labeled nodes around it, or a labeled node at the end
// of the level beyond it. Any pruned node in the gap could hide it, which
// makes the answer Unknown. Labels are compared bytewise, as the spec says;
// @dfinity/agent 3.4.3 uses a different, non-lexicographic comparison, so
// for labels that are not in a witness its answers can differ from these.
func findLabel(l []byte, ns []*Tree) (*Tree, Status) {
	if len(ns) == 0 {
		return nil, Absent
	}
	for i, n := range ns {
		if n.kind != KindLabeled {
			continue
		}
		c := bytes.Compare(l, n.label)
		if c == 0 {
			return n.left, Found
		}
		if c < 0 {
			// l sorts before n: absent if n is first, or if the previous
			// node is a labeled node below l.
			if i == 0 {
				return nil, Absent
			}
			if p := ns[i-1]; p.kind == KindLabeled && bytes.Compare(p.label, l) < 0 {
				return nil, Absent
			}
			return nil, Unknown
		}
	}
	if last := ns[len(ns)-1]; last.kind == KindLabeled && bytes.Compare(last.label, l) < 0 {
		return nil, Absent
	}
	// A leaf inside a labeled level is malformed; everything else that is
	// not conclusive is unknown.
	for _, n := range ns {
		if n.kind == KindLeaf {
			return nil, Error
		}
	}
	return nil, Unknown
}
