package statemgr

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile"
)

// ErrCorrupt reports stored or received checkpoint data that does not match
// the hashes that certify it.
var ErrCorrupt = errors.New("statemgr: corrupt checkpoint data")

// MaxChunkSize is the largest chunk of a checkpoint in bytes. Metadata and
// manifests are cut into chunks of this size; pages are chunks of
// [PageSize]. It is part of the protocol: replicas must agree on it for
// manifest hashes to match.
const MaxChunkSize = 1 << 20

// ChunkKind tells what a checkpoint chunk holds.
type ChunkKind uint8

// The kinds of chunk.
const (
	// ChunkMeta chunks hold a serialized group of state-tree entries: the
	// subnet-wide group (empty Group) or one cube's group.
	ChunkMeta ChunkKind = 0
	// ChunkPage chunks hold one memory page of the cube named by Group.
	ChunkPage ChunkKind = 1
)

// Chunk describes one chunk of a checkpoint. Chunks are content-addressed:
// the same bytes have the same Hash (SHA-256 of the bytes) in every
// checkpoint and are stored once.
type Chunk struct {
	Kind  ChunkKind
	Group []byte // empty for the subnet-wide group, else the cube's principal bytes
	Index uint64 // position within the group: the meta part or the page index
	Size  uint32
	Hash  bigfile.Hash
}

// Manifest lists the chunks of a checkpoint: the full state at Height whose
// state-tree root hash is Root. Its [Manifest.Hash] is what a catch-up
// package certifies for state sync.
type Manifest struct {
	Height bigfile.Height
	Root   bigfile.Hash
	Chunks []Chunk
}

var sepManifest = []byte("\x0cbig-manifest")

// manifestRecord is the small, self-certifying description of a manifest:
// the hashes of its encoded parts. Its hash is the manifest hash.
type manifestRecord struct {
	height bigfile.Height
	root   bigfile.Hash
	parts  []bigfile.Hash
}

func (r *manifestRecord) hash() bigfile.Hash {
	h := sha256.New()
	h.Write(sepManifest)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(r.height))
	h.Write(b[:])
	h.Write(r.root[:])
	for _, p := range r.parts {
		h.Write(p[:])
	}
	return bigfile.Hash(h.Sum(nil))
}

const recordVersion = 1

func (r *manifestRecord) encode() []byte {
	b := []byte{recordVersion}
	b = binary.BigEndian.AppendUint64(b, uint64(r.height))
	b = append(b, r.root[:]...)
	b = binary.AppendUvarint(b, uint64(len(r.parts)))
	for _, p := range r.parts {
		b = append(b, p[:]...)
	}
	return b
}

func decodeRecord(b []byte) (*manifestRecord, error) {
	if len(b) < 1+8+32+1 || b[0] != recordVersion {
		return nil, fmt.Errorf("%w: bad checkpoint record", ErrCorrupt)
	}
	// Layout: version (1), height (8, big-endian), root (32), number of
	// parts (uvarint), part hashes (32 each); the length must match exactly.
	r := &manifestRecord{height: bigfile.Height(binary.BigEndian.Uint64(b[1:9])), root: bigfile.Hash(b[9:41])}
	n, k := binary.Uvarint(b[41:])
	if k <= 0 || n > uint64(len(b))/32 || len(b) != 41+k+int(n)*32 {
		return nil, fmt.Errorf("%w: bad checkpoint record", ErrCorrupt)
	}
	off := 41 + k
	for range n {
		r.parts = append(r.parts, bigfile.Hash(b[off:off+32]))
		off += 32
	}
	return r, nil
}

// encodeChunks encodes the chunk list and cuts it into parts of at most
// [MaxChunkSize] bytes.
//
// Each entry is: kind (1 byte), group (uvarint length and bytes), index
// (uvarint), size (uvarint), hash (32 bytes). Entries never straddle parts,
// so each part decodes on its own.
func encodeChunks(chunks []Chunk) [][]byte {
	var parts [][]byte
	var cur []byte
	for _, c := range chunks {
		var e []byte
		e = append(e, byte(c.Kind))
		e = binary.AppendUvarint(e, uint64(len(c.Group)))
		e = append(e, c.Group...)
		e = binary.AppendUvarint(e, c.Index)
		e = binary.AppendUvarint(e, uint64(c.Size))
		e = append(e, c.Hash[:]...)
		if len(cur)+len(e) > MaxChunkSize {
			parts = append(parts, cur)
			cur = nil
		}
		cur = append(cur, e...)
	}
	if cur != nil || len(parts) == 0 {
		parts = append(parts, cur)
	}
	return parts
}

// decodeChunks decodes manifest parts, which may come from an untrusted
// peer: lengths are bounded by the remaining input, groups by the principal
// length and sizes by the chunk limits, and errors wrap [ErrCorrupt].
func decodeChunks(parts [][]byte) ([]Chunk, error) {
	var out []Chunk
	for _, b := range parts {
		for len(b) > 0 {
			var c Chunk
			c.Kind = ChunkKind(b[0])
			b = b[1:]
			n, k := binary.Uvarint(b)
			if k <= 0 || n > uint64(len(b)-k) || n > bigfile.MaxPrincipalLen {
				return nil, fmt.Errorf("%w: bad manifest entry", ErrCorrupt)
			}
			c.Group = bytes.Clone(b[k : k+int(n)])
			b = b[k+int(n):]
			if c.Index, k = binary.Uvarint(b); k <= 0 {
				return nil, fmt.Errorf("%w: bad manifest entry", ErrCorrupt)
			}
			b = b[k:]
			size, k := binary.Uvarint(b)
			if k <= 0 || size > MaxChunkSize || len(b)-k < 32 {
				return nil, fmt.Errorf("%w: bad manifest entry", ErrCorrupt)
			}
			c.Size = uint32(size)
			c.Hash = bigfile.Hash(b[k : k+32])
			b = b[k+32:]
			if c.Kind > ChunkPage || c.Kind == ChunkPage && c.Size != PageSize {
				return nil, fmt.Errorf("%w: bad manifest entry", ErrCorrupt)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// encodedManifest is a manifest with its encoded parts and record.
type encodedManifest struct {
	Manifest
	parts  [][]byte
	record manifestRecord
	hash   bigfile.Hash
}

func encodeManifest(m Manifest) *encodedManifest {
	e := &encodedManifest{Manifest: m, parts: encodeChunks(m.Chunks)}
	e.record = manifestRecord{height: m.Height, root: m.Root}
	for _, p := range e.parts {
		e.record.parts = append(e.record.parts, sha256.Sum256(p))
	}
	e.hash = e.record.hash()
	return e
}

// Hash returns the manifest hash, which certifies every chunk: SHA-256 over
// a domain separator, the height, the root and the hashes of the encoded
// chunk list's parts.
func (m *Manifest) Hash() bigfile.Hash { return encodeManifest(*m).hash }

// Size returns the total size of the chunks in bytes.
func (m *Manifest) Size() int64 {
	var n int64
	for _, c := range m.Chunks {
		n += int64(c.Size)
	}
	return n
}

// Serialization of meta groups: a sequence of entries, each the number of
// labels, the labels (length-prefixed), a kind byte (0 empty level, 1 leaf)
// and, for a leaf, the length-prefixed value.

func appendEntry(b []byte, path [][]byte, value []byte, isLeaf bool) []byte {
	b = binary.AppendUvarint(b, uint64(len(path)))
	for _, l := range path {
		b = binary.AppendUvarint(b, uint64(len(l)))
		b = append(b, l...)
	}
	if !isLeaf {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(len(value)))
	return append(b, value...)
}

// decodeEntries calls f for each entry of a meta group.
//
// The paths and values passed to f alias b; every length is checked
// against the remaining input before slicing, so corrupt or hostile input
// yields an error wrapping [ErrCorrupt], never a panic.
func decodeEntries(b []byte, f func(path [][]byte, value []byte, isLeaf bool)) error {
	bad := fmt.Errorf("%w: bad state entry", ErrCorrupt)
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n == 0 || n > uint64(len(b)) {
			return bad
		}
		b = b[k:]
		path := make([][]byte, n)
		for i := range path {
			l, k := binary.Uvarint(b)
			if k <= 0 || l > uint64(len(b)-k) {
				return bad
			}
			path[i] = b[k : k+int(l)]
			b = b[k+int(l):]
		}
		if len(b) == 0 || b[0] > 1 {
			return bad
		}
		isLeaf := b[0] == 1
		b = b[1:]
		var v []byte
		if isLeaf {
			l, k := binary.Uvarint(b)
			if k <= 0 || l > uint64(len(b)-k) {
				return bad
			}
			v = b[k : k+int(l)]
			b = b[k+int(l):]
		}
		f(path, v, isLeaf)
	}
	return nil
}
