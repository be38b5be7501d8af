package hashtree

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"

	"github.com/thebigfile/bigfile"
)

// Errors returned by the decoders and verifiers of this package. Returned
// errors wrap one of these and add detail; test with [errors.Is].
var (
	// ErrMalformed reports bytes that are not a well-formed encoding of a
	// hash tree, a certificate or a DER key.
	ErrMalformed = errors.New("hashtree: malformed encoding")
	// ErrTooDeep reports a tree nested beyond [MaxDepth].
	ErrTooDeep = errors.New("hashtree: tree too deep")
	// ErrInvalidCertificate reports a certificate that decodes but does not
	// verify: a bad signature, a bad delegation or a missing path.
	ErrInvalidCertificate = errors.New("hashtree: invalid certificate")
)

// MaxDepth bounds the nesting of decoded trees, so that a hostile encoding
// cannot exhaust the stack. Honest trees are far shallower: a balanced fork
// level over 2^64 labels is 64 deep, and state paths have few labels.
const MaxDepth = 512

// Kind is the kind of a hash tree node. The values are the CBOR tags of the
// Internet Computer's encoding.
type Kind uint8

// The five node kinds.
const (
	KindEmpty   Kind = 0 // no children; proves the absence of every label
	KindFork    Kind = 1 // two children, left and right
	KindLabeled Kind = 2 // a label and one subtree
	KindLeaf    Kind = 3 // a value
	KindPruned  Kind = 4 // only the hash of a subtree left out of a witness
)

// String returns the kind's name in lower case, such as "fork".
func (k Kind) String() string {
	switch k {
	case KindEmpty:
		return "empty"
	case KindFork:
		return "fork"
	case KindLabeled:
		return "labeled"
	case KindLeaf:
		return "leaf"
	case KindPruned:
		return "pruned"
	}
	return "invalid"
}

// Tree is a node of an Internet Computer hash tree. Build trees with [Empty],
// [Fork], [Labeled], [Leaf] and [Pruned]; a Tree is immutable once built and
// safe for concurrent reads. Constructors keep the slices they are given, so
// callers must not modify them afterwards. A nil *Tree is treated as Empty.
type Tree struct {
	kind        Kind
	label       []byte // KindLabeled
	value       []byte // KindLeaf
	hash        bigfile.Hash
	left, right *Tree // KindFork: both; KindLabeled: left is the subtree
}

var emptyTree = &Tree{kind: KindEmpty}

// Empty returns the empty tree.
func Empty() *Tree { return emptyTree }

// Fork returns a fork of two subtrees.
func Fork(left, right *Tree) *Tree {
	return &Tree{kind: KindFork, left: orEmpty(left), right: orEmpty(right)}
}

// Labeled returns the subtree t under label.
func Labeled(label []byte, t *Tree) *Tree {
	return &Tree{kind: KindLabeled, label: label, left: orEmpty(t)}
}

// Leaf returns a leaf holding value.
func Leaf(value []byte) *Tree { return &Tree{kind: KindLeaf, value: value} }

// Pruned returns a node standing for a left-out subtree whose digest is h.
func Pruned(h bigfile.Hash) *Tree { return &Tree{kind: KindPruned, hash: h} }

func orEmpty(t *Tree) *Tree {
	if t == nil {
		return emptyTree
	}
	return t
}

// Kind returns the kind of t.
func (t *Tree) Kind() Kind { return orEmpty(t).kind }

// Left returns the left child of a fork, the subtree of a labeled node, and
// nil for other kinds.
func (t *Tree) Left() *Tree { return orEmpty(t).left }

// Right returns the right child of a fork, and nil for other kinds.
func (t *Tree) Right() *Tree { return orEmpty(t).right }

// Label returns the label of a labeled node, nil otherwise. The caller must
// not modify it.
func (t *Tree) Label() []byte { return orEmpty(t).label }

// Value returns the value of a leaf, nil otherwise. The caller must not
// modify it.
func (t *Tree) Value() []byte { return orEmpty(t).value }

// Domain separators: the length byte followed by the name, as the Internet
// Computer's domain_sep(s) defines them.
var (
	sepEmpty   = []byte("\x11ic-hashtree-empty")
	sepFork    = []byte("\x10ic-hashtree-fork")
	sepLabeled = []byte("\x13ic-hashtree-labeled")
	sepLeaf    = []byte("\x10ic-hashtree-leaf")
	// StateRootSeparator prefixes the root hash in the message that a
	// certificate's signature signs.
	StateRootSeparator = []byte("\x0dic-state-root")
)

// EmptyHash is the digest of the empty tree.
var EmptyHash = bigfile.Hash(sha256.Sum256(sepEmpty))

// Hasher computes node digests without building trees. It reuses one
// SHA-256 state, so it is cheaper than the package functions in loops. The
// zero value is ready to use; a Hasher is not safe for concurrent use.
type Hasher struct {
	h   hash.Hash
	buf [32]byte
}

func (x *Hasher) start(sep []byte) hash.Hash {
	if x.h == nil {
		x.h = sha256.New()
	}
	x.h.Reset()
	x.h.Write(sep)
	return x.h
}

func (x *Hasher) sum() (out bigfile.Hash) {
	x.h.Sum(x.buf[:0])
	return bigfile.Hash(x.buf)
}

// Fork returns the digest of a fork whose children have digests l and r.
func (x *Hasher) Fork(l, r bigfile.Hash) bigfile.Hash {
	h := x.start(sepFork)
	h.Write(l[:])
	h.Write(r[:])
	return x.sum()
}

// Labeled returns the digest of label over a subtree with digest sub.
func (x *Hasher) Labeled(label []byte, sub bigfile.Hash) bigfile.Hash {
	h := x.start(sepLabeled)
	h.Write(label)
	h.Write(sub[:])
	return x.sum()
}

// Leaf returns the digest of a leaf holding value.
func (x *Hasher) Leaf(value []byte) bigfile.Hash {
	h := x.start(sepLeaf)
	h.Write(value)
	return x.sum()
}

// ForkHash returns the digest of a fork whose children have digests l and r.
func ForkHash(l, r bigfile.Hash) bigfile.Hash { var x Hasher; return x.Fork(l, r) }

// LabeledHash returns the digest of label over a subtree with digest sub.
func LabeledHash(label []byte, sub bigfile.Hash) bigfile.Hash {
	var x Hasher
	return x.Labeled(label, sub)
}

// LeafHash returns the digest of a leaf holding value.
func LeafHash(value []byte) bigfile.Hash { var x Hasher; return x.Leaf(value) }

// Digest returns the root hash of t (the spec's reconstruct). Digests are
// recomputed on every call; a verifier calls it once per certificate.
func (t *Tree) Digest() bigfile.Hash {
	var x Hasher
	return t.digest(&x)
}

func (t *Tree) digest(x *Hasher) bigfile.Hash {
	t = orEmpty(t)
	switch t.kind {
	case KindFork:
		l := t.left.digest(x)
		r := t.right.digest(x)
		return x.Fork(l, r)
	case KindLabeled:
		return x.Labeled(t.label, t.left.digest(x))
	case KindLeaf:
		return x.Leaf(t.value)
	case KindPruned:
		return t.hash
	}
	return EmptyHash
}

// Equal reports whether t and u have the same structure and contents.
func (t *Tree) Equal(u *Tree) bool {
	t, u = orEmpty(t), orEmpty(u)
	if t.kind != u.kind {
		return false
	}
	switch t.kind {
	case KindFork:
		return t.left.Equal(u.left) && t.right.Equal(u.right)
	case KindLabeled:
		return bytes.Equal(t.label, u.label) && t.left.Equal(u.left)
	case KindLeaf:
		return bytes.Equal(t.value, u.value)
	case KindPruned:
		return t.hash == u.hash
	}
	return true
}
