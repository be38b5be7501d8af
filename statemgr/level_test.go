package statemgr

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// TestShapeIsHistoryIndependent checks that a level's digest depends only
// on its contents, whatever the order of inserts and deletes, and that the
// lazily cached digests agree with a recomputation from scratch.
func TestShapeIsHistoryIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 1 + r.IntN(200)
		labels := make([][]byte, n)
		for i := range labels {
			labels[i] = fmt.Appendf(nil, "k%d", r.IntN(1000))
		}
		var want bigfile.Hash
		for order := range 3 {
			s := newState()
			perm := r.Perm(n)
			for _, i := range perm {
				_ = s.Set(hashtree.Path{labels[i]}, []byte{byte(i % 7)})
				if order == 2 && i%3 == 0 {
					// Delete and re-insert: the shape must not remember it.
					s.Delete(hashtree.Path{labels[i]})
					_ = s.Set(hashtree.Path{labels[i]}, []byte{byte(i % 7)})
				}
			}
			// Duplicate labels keep the value of the last write: redo the
			// writes in index order so every order ends with the same values.
			for i := range labels {
				_ = s.Set(hashtree.Path{labels[i]}, []byte{byte(i % 7)})
			}
			got := s.hash()
			if full := fullTree(s.root).Digest(); full != got {
				t.Fatalf("trial %d: cached digest %s, recomputed %s", trial, got, full)
			}
			if order == 0 {
				want = got
			} else if got != want {
				t.Fatalf("trial %d order %d: digest %s, want %s", trial, order, got, want)
			}
		}
	}
}

// TestWitnessMatchesFullTree compares witnesses from the treap with lookups
// in the full tree, on present and absent paths.
func TestWitnessMatchesFullTree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := newState()
	for i := range 300 {
		_ = s.Set(hashtree.Path{[]byte{byte(r.IntN(8))}, fmt.Appendf(nil, "%03d", r.IntN(500))}, []byte{byte(i)})
	}
	_ = s.SetLevel(hashtree.Path{[]byte{9}})
	root := s.hash()
	full := fullTree(s.root)
	for range 500 {
		var paths []hashtree.Path
		for range 1 + r.IntN(3) {
			p := hashtree.Path{[]byte{byte(r.IntN(11))}}
			if r.IntN(4) > 0 {
				p = append(p, fmt.Appendf(nil, "%03d", r.IntN(500)))
			}
			paths = append(paths, p)
		}
		w := witnessLevel(s.root, paths)
		if w.Digest() != root {
			t.Fatalf("witness for %q has digest %s, want %s", paths, w.Digest(), root)
		}
		for _, p := range paths {
			v1, s1 := full.Lookup(p...)
			v2, s2 := w.Lookup(p...)
			if s1 != s2 || !bytes.Equal(v1, v2) {
				t.Fatalf("path %q: full %s %x, witness %s %x", p, s1, v1, s2, v2)
			}
		}
	}
}

// TestSnapshotsAreImmutable checks that writes after a freeze leave the
// frozen version untouched.
func TestSnapshotsAreImmutable(t *testing.T) {
	s := newState()
	for i := range 100 {
		_ = s.Set(hashtree.Path{[]byte("a"), {byte(i)}}, []byte{1})
		_ = s.WritePage(7, uint64(i), []byte{byte(i)})
	}
	h1 := s.hash()
	root1, pages1 := s.freeze()
	p1 := pages1[7]
	d1 := p1.digest()
	for i := range 100 {
		_ = s.Set(hashtree.Path{[]byte("a"), {byte(i)}}, []byte{2})
		_ = s.WritePage(7, uint64(i), []byte{byte(i + 1)})
	}
	s.Delete(hashtree.Path{[]byte("a"), {50}})
	if h2 := s.hash(); h2 == h1 {
		t.Fatal("root unchanged after writes")
	}
	if got := fullTree(root1).Digest(); got != h1 {
		t.Fatalf("frozen tree changed: %s, want %s", got, h1)
	}
	if got := readPage(pages1, 7, 3); got[0] != 3 {
		t.Fatalf("frozen page changed: %d", got[0])
	}
	p1 = pages1[7]
	p1.root = cloneInvalid(p1.root)
	if got := p1.digest(); got != d1 {
		t.Fatalf("frozen page map digest changed")
	}
}

// cloneInvalid copies a page tree with every digest invalidated, to force
// a recomputation from the page contents.
func cloneInvalid(n *pnode) *pnode {
	if n == nil {
		return nil
	}
	c := &pnode{page: n.page}
	c.kids[0], c.kids[1] = cloneInvalid(n.kids[0]), cloneInvalid(n.kids[1])
	return c
}

// TestPageDigestIsCanonical checks that a page map's digest depends only on
// its contents and size: zero pages written or not, in any order.
func TestPageDigestIsCanonical(t *testing.T) {
	var a, b pageMap
	a.write(0, []byte{1}, 1)
	a.write(9, []byte{2}, 1)
	a.write(4, nil, 1) // a zero page
	b.write(9, []byte{2}, 2)
	b.write(0, []byte{1}, 2)
	if a.digest() != b.digest() {
		t.Fatal("zero page or order changes the digest")
	}
	b.write(10, nil, 2)
	if a.digest() == b.digest() {
		t.Fatal("size does not change the digest")
	}
}
