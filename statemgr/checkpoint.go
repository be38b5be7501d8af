package statemgr

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// A checkpoint is the full state at a height, cut into content-addressed
// chunks and listed in a manifest. In the store:
//
//	"c" ‖ hash    → chunk bytes (pages, meta groups, manifest parts)
//	"k" ‖ height  → the manifest record (root hash, hashes of the manifest parts)
//
// A checkpoint write puts the chunks that are not stored yet (so only pages
// changed since the previous checkpoint are written: page deltas), then the
// manifest parts, and last — in one small synced batch — the record. Until
// the record is written the checkpoint does not exist, so a crash at any
// point leaves the previous checkpoint valid; chunks written by an
// interrupted checkpoint are garbage-collected on the next Open.

var (
	prefixChunk  = []byte("c")
	prefixRecord = []byte("k")
)

func chunkKey(h bigfile.Hash) []byte { return append([]byte{'c'}, h[:]...) }

func recordKey(h bigfile.Height) []byte {
	k := []byte{'k', 0, 0, 0, 0, 0, 0, 0, 0}
	for i := range 8 {
		k[8-i] = byte(uint64(h) >> (8 * i))
	}
	return k
}

// checkpointData is a manifest together with the bytes of its chunks.
type checkpointData struct {
	*encodedManifest
	data [][]byte // data[i] holds the bytes of Chunks[i]
}

// buildCheckpoint cuts a committed (fully hashed) snapshot into chunks.
//
// Tree entries are grouped by cube: everything under /canister/<cube> and
// /cube_state/<cube> forms the cube's group, everything else the subnet
// group. A cube that did not change between checkpoints serializes to the
// same bytes, hence the same chunk hashes, and is not written again. The
// order of groups and chunks is canonical (sorted labels, page indices), so
// replicas with the same state produce the same manifest and hash.
func buildCheckpoint(s *Snapshot) *checkpointData {
	groups := map[string][]byte{"": nil}
	walk(s.root, nil, func(path [][]byte, value []byte, isLeaf bool) {
		g := ""
		if len(path) >= 2 && (bytes.Equal(path[0], labelCanister) || bytes.Equal(path[0], labelCubeState)) {
			g = string(path[1])
		}
		groups[g] = appendEntry(groups[g], path, value, isLeaf)
	})
	cubes := map[string]bigfile.CubeID{}
	for c := range s.pages {
		g := string(c.Principal().Bytes())
		cubes[g] = c
		if _, ok := groups[g]; !ok {
			groups[g] = nil
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	slices.Sort(names)

	m := Manifest{Height: s.height, Root: s.hash}
	var data [][]byte
	for _, g := range names {
		b := groups[g]
		for i := 0; i == 0 || len(b) > 0; i++ {
			n := min(len(b), MaxChunkSize)
			part := b[:n:n]
			b = b[n:]
			m.Chunks = append(m.Chunks, Chunk{Kind: ChunkMeta, Group: []byte(g), Index: uint64(i), Size: uint32(n), Hash: sha256.Sum256(part)})
			data = append(data, part)
		}
		if c, ok := cubes[g]; ok {
			pm := s.pages[c]
			_ = pm.eachPage(func(i uint64, page *[PageSize]byte, h bigfile.Hash) error {
				m.Chunks = append(m.Chunks, Chunk{Kind: ChunkPage, Group: []byte(g), Index: i, Size: PageSize, Hash: h})
				data = append(data, page[:])
				return nil
			})
		}
	}
	return &checkpointData{encodedManifest: encodeManifest(m), data: data}
}

// rebuild reconstructs the state of a manifest from its chunks, which
// chunk(i) returns already verified against their hashes, and checks that
// its root hash matches the manifest's.
//
// Page digests are taken from the manifest rather than recomputed, so
// chunk must return only verified data; the final root comparison then
// checks everything the chunks do not (the grouping, the entries, the
// recorded memory sizes) against the certified root.
func rebuild(m *Manifest, chunk func(i int) ([]byte, error)) (*State, error) {
	s := newState()
	var meta []byte
	var group []byte
	flush := func() error {
		err := decodeEntries(meta, func(path [][]byte, value []byte, isLeaf bool) {
			p := make(hashtree.Path, len(path))
			for i := range path {
				p[i] = bytes.Clone(path[i])
			}
			if isLeaf {
				_ = s.Set(p, value)
			} else {
				_ = s.SetLevel(p)
			}
		})
		meta = meta[:0]
		return err
	}
	type pageRef struct {
		i    int
		cube bigfile.CubeID
	}
	var pages []pageRef
	// Meta chunks of one group are consecutive and in order; they are
	// concatenated and decoded when the group ends. Pages are collected
	// and inserted after all entries, once the memory sizes are known.
	for i, c := range m.Chunks {
		if c.Kind == ChunkPage {
			p, err := bigfile.PrincipalFromBytes(c.Group)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			cube, err := bigfile.CubeIDFromPrincipal(p)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			pages = append(pages, pageRef{i, cube})
			continue
		}
		if !bytes.Equal(c.Group, group) || c.Index == 0 {
			if err := flush(); err != nil {
				return nil, err
			}
			group = c.Group
		}
		b, err := chunk(i)
		if err != nil {
			return nil, err
		}
		meta = append(meta, b...)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for _, p := range pages {
		b, err := chunk(p.i)
		if err != nil {
			return nil, err
		}
		if len(b) != PageSize {
			return nil, fmt.Errorf("%w: page of %d bytes", ErrCorrupt, len(b))
		}
		pm := s.pages[p.cube]
		pm.putHashed(m.Chunks[p.i].Index, (*[PageSize]byte)(b), m.Chunks[p.i].Hash, s.gen)
		s.pages[p.cube] = pm
		s.dirty[p.cube] = true
	}
	// Restore each memory's size, which may exceed its highest stored page.
	for c, pm := range s.pages {
		if v, ok := s.Get(cubeStatePath(c, labelPageCount)); ok {
			if n, _, err := leb128.Uint(v); err == nil && n > 0 && n > pm.size {
				pm.grow(n - 1)
				s.pages[c] = pm
			}
		}
	}
	if root := s.hash(); root != m.Root {
		return nil, fmt.Errorf("%w: rebuilt state has root %s, manifest says %s", ErrCorrupt, root, m.Root)
	}
	return s, nil
}

// verifyChunk checks data against the manifest entry c.
func verifyChunk(c Chunk, data []byte) error {
	if len(data) != int(c.Size) || bigfile.Hash(sha256.Sum256(data)) != c.Hash {
		return fmt.Errorf("%w: chunk %x", ErrCorrupt, c.Hash[:8])
	}
	return nil
}
