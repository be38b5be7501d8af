package statemgr

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/thebigfile/bigfile"
)

// checkpoint writes s to the store (see checkpoint.go for the layout and
// the crash-safety argument) and prunes old checkpoints. m.mu is held.
//
// Chunks already stored (referenced by a retained checkpoint) are skipped:
// this is what makes a checkpoint write cost the pages changed since the
// previous one. Chunks go in batches of at most Config.WriteBatchSize bytes,
// each atomic on its own; only the final synced batch with the record makes
// the checkpoint visible. The bookkeeping (m.stored, m.cps) is updated only
// after the record is written, so a failed write leaves the manager
// believing exactly what the store holds in committed checkpoints.
func (m *Manager) checkpoint(s *Snapshot) error {
	cp := buildCheckpoint(s)
	st := m.cfg.Store
	var b Batch
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		err := st.Apply(&b)
		b.Reset()
		return err
	}
	// written dedups within this checkpoint (identical pages, such as
	// zero-filled ones, share one chunk); m.stored dedups against the
	// retained checkpoints.
	written := map[bigfile.Hash]bool{}
	put := func(h bigfile.Hash, data []byte) error {
		if m.stored[h] > 0 || written[h] {
			return nil
		}
		written[h] = true
		b.Put(chunkKey(h), data)
		if b.Size() >= m.cfg.WriteBatchSize {
			return flush()
		}
		return nil
	}
	for i, c := range cp.Chunks {
		if err := put(c.Hash, cp.data[i]); err != nil {
			return fmt.Errorf("statemgr: checkpoint %d: %w", s.height, err)
		}
	}
	for i, p := range cp.parts {
		if err := put(cp.record.parts[i], p); err != nil {
			return fmt.Errorf("statemgr: checkpoint %d: %w", s.height, err)
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("statemgr: checkpoint %d: %w", s.height, err)
	}
	// The commit point: one small batch, synced, so that once Commit
	// returns the checkpoint survives a machine crash too.
	rec := cp.record.encode()
	b.Put(recordKey(s.height), rec)
	b.Sync = true
	if err := st.Apply(&b); err != nil {
		return fmt.Errorf("statemgr: checkpoint %d: %w", s.height, err)
	}
	b.Reset()

	sc := &storedCheckpoint{
		info:   CheckpointInfo{Height: s.height, Root: s.hash, ManifestHash: cp.hash},
		record: rec,
		chunks: chunkHashes(cp.Chunks, cp.record.parts),
	}
	m.register(sc)
	mh := cp.hash
	s.manifest = &mh
	m.cfg.Logger.Info("statemgr: checkpoint written", "height", s.height, "chunks", len(cp.Chunks), "new", len(written), "manifest", cp.hash)
	return m.prune()
}

func chunkHashes(chunks []Chunk, parts []bigfile.Hash) []bigfile.Hash {
	hs := make([]bigfile.Hash, 0, len(chunks)+len(parts))
	for _, c := range chunks {
		hs = append(hs, c.Hash)
	}
	return append(hs, parts...)
}

// register adds a checkpoint to the retained list and counts its chunks.
// A chunk is counted once per reference (duplicated pages count several
// times), and prune decrements the same list, so counts stay exact.
func (m *Manager) register(sc *storedCheckpoint) {
	// A checkpoint written again at the same height (a sync to a height
	// already checkpointed) replaces the old entry.
	for i, c := range m.cps {
		if c.info.Height == sc.info.Height {
			for _, h := range c.chunks {
				if m.stored[h]--; m.stored[h] <= 0 {
					delete(m.stored, h)
				}
			}
			m.cps = append(m.cps[:i], m.cps[i+1:]...)
			break
		}
	}
	for _, h := range sc.chunks {
		m.stored[h]++
	}
	m.cps = append(m.cps, sc)
	slices.SortFunc(m.cps, func(a, b *storedCheckpoint) int { return cmp.Compare(a.info.Height, b.info.Height) })
}

// prune deletes the oldest checkpoints beyond the retention: first the
// record (atomically; from then on the checkpoint does not exist), then
// the chunks no other checkpoint references.
func (m *Manager) prune() error {
	for len(m.cps) > m.cfg.RetainCheckpoints {
		old := m.cps[0]
		var b Batch
		b.Delete(recordKey(old.info.Height))
		b.Sync = true
		if err := m.cfg.Store.Apply(&b); err != nil {
			return fmt.Errorf("statemgr: pruning checkpoint %d: %w", old.info.Height, err)
		}
		m.cps = m.cps[1:]
		b.Reset()
		// Chunks shared with newer checkpoints (unchanged pages) keep
		// a positive count and stay.
		for _, h := range old.chunks {
			if m.stored[h]--; m.stored[h] > 0 {
				continue
			}
			delete(m.stored, h)
			b.Delete(chunkKey(h))
			if b.Len() >= 4096 {
				if err := m.cfg.Store.Apply(&b); err != nil {
					return fmt.Errorf("statemgr: pruning checkpoint %d: %w", old.info.Height, err)
				}
				b.Reset()
			}
		}
		if b.Len() > 0 {
			if err := m.cfg.Store.Apply(&b); err != nil {
				return fmt.Errorf("statemgr: pruning checkpoint %d: %w", old.info.Height, err)
			}
		}
	}
	return nil
}

// readManifest fetches and verifies the manifest of a record from the store.
func readManifest(st Store, rec *manifestRecord) (*Manifest, error) {
	parts := make([][]byte, len(rec.parts))
	for i, h := range rec.parts {
		b, err := st.Get(chunkKey(h))
		if err != nil {
			return nil, fmt.Errorf("statemgr: manifest part %x: %w", h[:8], err)
		}
		if bigfile.Hash(sha256.Sum256(b)) != h {
			return nil, fmt.Errorf("%w: manifest part %x", ErrCorrupt, h[:8])
		}
		parts[i] = b
	}
	chunks, err := decodeChunks(parts)
	if err != nil {
		return nil, err
	}
	return &Manifest{Height: rec.height, Root: rec.root, Chunks: chunks}, nil
}

// loadState rebuilds and verifies the state of a manifest from the store.
func loadState(st Store, man *Manifest) (*State, error) {
	var pre [][]byte
	if vs, ok := st.(ValueScanner); ok {
		// One sequential pass over the chunks instead of random lookups.
		need := make(map[bigfile.Hash][]int, len(man.Chunks))
		for i, c := range man.Chunks {
			need[c.Hash] = append(need[c.Hash], i)
		}
		pre = make([][]byte, len(man.Chunks))
		err := vs.ScanValues(prefixChunk, func(k, v []byte) error {
			if len(k) != 33 {
				return nil
			}
			for _, i := range need[bigfile.Hash(k[1:])] {
				pre[i] = v
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("statemgr: reading chunks: %w", err)
		}
	}
	return rebuild(man, func(i int) ([]byte, error) {
		c := man.Chunks[i]
		if pre != nil && pre[i] != nil {
			b := pre[i]
			pre[i] = nil
			if err := verifyChunk(c, b); err != nil {
				return nil, err
			}
			return b, nil
		}
		b, err := st.Get(chunkKey(c.Hash))
		if err != nil {
			return nil, fmt.Errorf("statemgr: chunk %x: %w", c.Hash[:8], err)
		}
		if err := verifyChunk(c, b); err != nil {
			return nil, err
		}
		return b, nil
	})
}

// recover loads the latest verifiable checkpoint and collects garbage.
//
// Checkpoints are tried newest first. One that fails (a missing or corrupt
// chunk, a root that does not match) is skipped with a warning and its
// record deleted, so that a damaged disk costs progress, never correctness:
// the replica resumes from an older state and catches up by executing or
// by state sync.
func (m *Manager) recover() error {
	st := m.cfg.Store
	var heights []bigfile.Height
	err := st.Scan(prefixRecord, func(k []byte) error {
		if len(k) == 9 {
			heights = append(heights, bigfile.Height(binary.BigEndian.Uint64(k[1:])))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("statemgr: listing checkpoints: %w", err)
	}
	slices.Sort(heights)
	// First pass: read every record and its manifest (cheap: no chunk
	// data), to know all retained checkpoints and their chunks.
	type loaded struct {
		sc  *storedCheckpoint
		man *Manifest
		rec *manifestRecord
	}
	var ok []loaded
	for _, h := range heights {
		raw, err := st.Get(recordKey(h))
		if err == nil {
			var rec *manifestRecord
			if rec, err = decodeRecord(raw); err == nil && rec.height != h {
				err = fmt.Errorf("%w: record for %d says %d", ErrCorrupt, h, rec.height)
			}
			if err == nil {
				var man *Manifest
				if man, err = readManifest(st, rec); err == nil {
					sc := &storedCheckpoint{
						info:   CheckpointInfo{Height: h, Root: rec.root, ManifestHash: rec.hash()},
						record: raw,
						chunks: chunkHashes(man.Chunks, rec.parts),
					}
					ok = append(ok, loaded{sc, man, rec})
					continue
				}
			}
		}
		m.cfg.Logger.Warn("statemgr: skipping unreadable checkpoint", "height", h, "err", err)
	}
	// Second pass: rebuild and verify, newest first, until one succeeds.
	var state *State
	var at *loaded
	var lastErr error
	for i := len(ok) - 1; i >= 0; i-- {
		s, err := loadState(st, ok[i].man)
		if err == nil {
			state, at = s, &ok[i]
			break
		}
		lastErr = err
		m.cfg.Logger.Warn("statemgr: checkpoint does not verify", "height", ok[i].sc.info.Height, "err", err)
	}
	if state == nil && len(heights) > 0 {
		if lastErr == nil {
			lastErr = fmt.Errorf("%w: no readable checkpoint", ErrCorrupt)
		}
		return fmt.Errorf("statemgr: no stored checkpoint verifies: %w", lastErr)
	}
	if state == nil {
		m.state = newState()
		return m.collectGarbage()
	}
	// Retain the loaded checkpoint and the ones below it; delete the records
	// of newer ones, which did not verify (their chunks go with the garbage).
	var drop Batch
	for _, h := range heights {
		if h > at.sc.info.Height {
			drop.Delete(recordKey(h))
		}
	}
	if drop.Len() > 0 {
		drop.Sync = true
		if err := st.Apply(&drop); err != nil {
			return fmt.Errorf("statemgr: dropping bad checkpoints: %w", err)
		}
	}
	for _, l := range ok {
		if l.sc.info.Height <= at.sc.info.Height {
			m.register(l.sc)
		}
	}
	m.install(state, at.sc.info.Height, at.sc.info.Root, at.sc.info.ManifestHash)
	m.cfg.Logger.Info("statemgr: recovered checkpoint", "height", at.sc.info.Height, "root", at.sc.info.Root)
	if err := m.collectGarbage(); err != nil {
		return err
	}
	return m.prune()
}

// install makes a verified, rebuilt state the current one at height h.
func (m *Manager) install(s *State, h bigfile.Height, root, manifest bigfile.Hash) {
	tree, pages := s.freeze()
	mh := manifest
	snap := &Snapshot{height: h, root: tree, pages: pages, hash: root, deleg: m.cfg.Delegation, manifest: &mh}
	m.state = s
	m.height = h
	m.snaps = map[bigfile.Height]*Snapshot{h: snap}
	m.certified = nil
}

// collectGarbage deletes stored chunks that no retained checkpoint uses.
//
// Leftovers come from checkpoint writes and state syncs interrupted by a
// crash, and from prunes interrupted after deleting their record. Deleting
// them at Open is safe because nothing else writes to the store then.
func (m *Manager) collectGarbage() error {
	st := m.cfg.Store
	var b Batch
	var n int
	errStop := errors.New("stop")
	var applyErr error
	err := st.Scan(prefixChunk, func(k []byte) error {
		if len(k) != 33 || m.stored[bigfile.Hash(k[1:])] > 0 {
			return nil
		}
		b.Delete(append([]byte(nil), k...))
		n++
		if b.Len() >= 4096 {
			if applyErr = st.Apply(&b); applyErr != nil {
				return errStop
			}
			b.Reset()
		}
		return nil
	})
	if applyErr != nil {
		return fmt.Errorf("statemgr: collecting garbage: %w", applyErr)
	}
	if err != nil {
		return fmt.Errorf("statemgr: collecting garbage: %w", err)
	}
	if b.Len() > 0 {
		if err := st.Apply(&b); err != nil {
			return fmt.Errorf("statemgr: collecting garbage: %w", err)
		}
	}
	if n > 0 {
		m.cfg.Logger.Info("statemgr: deleted unreferenced chunks", "count", n)
	}
	return nil
}
