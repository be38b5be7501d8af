package statemgr

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"github.com/thebigfile/bigfile"
)

// ErrSync reports a state sync that could not complete: no peer served a
// record matching the certified manifest hash, or a chunk that verifies.
var ErrSync = errors.New("statemgr: state sync failed")

// Peer serves checkpoints to replicas that sync state from it. [*Manager]
// implements it (for in-process peers); a network transport implements it
// over the wire. Implementations must be safe for concurrent use; nothing
// they return is trusted — every byte is checked against the certified
// manifest hash.
type Peer interface {
	// CheckpointRecord returns the encoded manifest record of the
	// checkpoint at height h.
	CheckpointRecord(ctx context.Context, h bigfile.Height) ([]byte, error)
	// Chunk returns the chunk with the given hash (a page, a meta group
	// part or a manifest part).
	Chunk(ctx context.Context, hash bigfile.Hash) ([]byte, error)
}

// CheckpointRecord implements [Peer] for the retained checkpoints. Errors
// wrap [ErrNotFound].
func (m *Manager) CheckpointRecord(_ context.Context, h bigfile.Height) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.cps {
		if c.info.Height == h {
			return c.record, nil
		}
	}
	return nil, fmt.Errorf("%w: no checkpoint at height %d", ErrNotFound, h)
}

// Chunk implements [Peer] for chunks of the retained checkpoints. Errors
// wrap [ErrNotFound].
func (m *Manager) Chunk(_ context.Context, hash bigfile.Hash) ([]byte, error) {
	m.mu.Lock()
	have := m.stored[hash] > 0
	m.mu.Unlock()
	if !have {
		return nil, fmt.Errorf("%w: chunk %x", ErrNotFound, hash[:8])
	}
	return m.cfg.Store.Get(chunkKey(hash))
}

// SyncStats reports what a state sync did.
type SyncStats struct {
	Chunks  int   // chunks in the manifest (manifest parts included)
	Fetched int   // chunks fetched (the others were stored locally already)
	Bytes   int64 // bytes fetched and verified
	Retries int   // fetches that failed or did not verify and were retried at another peer
}

// syncWorkers bounds the chunks fetched concurrently.
const syncWorkers = 8

// Sync makes the manager's state the checkpoint at height h whose manifest
// hash is manifestHash (certified by a catch-up package), fetching it from
// peers: the manifest record first (accepted only if it hashes to
// manifestHash), then the manifest parts and every chunk not already in the
// local store, spread over the peers. Each chunk is checked against its
// hash; a chunk that fails to arrive or to verify is fetched again from the
// next peer. Chunks are written to the store as they arrive and the record
// last, so an interrupted sync leaves the previous checkpoint valid (the
// partial chunks are garbage-collected by the next Open). On success the state at h replaces the working state and the
// manager resumes from h; snapshots of other heights are dropped.
//
// Errors wrap [ErrSync], [ErrCorrupt], ctx's error or the store's error.
func (m *Manager) Sync(ctx context.Context, h bigfile.Height, manifestHash bigfile.Hash, peers []Peer) (SyncStats, error) {
	var stats SyncStats
	if len(peers) == 0 {
		return stats, fmt.Errorf("%w: no peers", ErrSync)
	}
	// The record is tiny and self-certifying (its hash is the manifest
	// hash), so a lying peer costs one request.
	var rec *manifestRecord
	var raw []byte
	for _, p := range peers {
		b, err := p.CheckpointRecord(ctx, h)
		if err != nil {
			stats.Retries++
			continue
		}
		r, err := decodeRecord(b)
		if err != nil || r.height != h || r.hash() != manifestHash {
			stats.Retries++
			continue
		}
		rec, raw = r, b
		break
	}
	if rec == nil {
		return stats, fmt.Errorf("%w: no peer serves the manifest %s at height %d", ErrSync, manifestHash, h)
	}

	f := &fetcher{m: m, peers: peers, stats: &stats}
	parts := make([][]byte, len(rec.parts))
	for i, ph := range rec.parts {
		b, err := f.fetch(ctx, i, ph, -1)
		if err != nil {
			return stats, err
		}
		parts[i] = b
	}
	chunks, err := decodeChunks(parts)
	if err != nil {
		return stats, err
	}
	man := &Manifest{Height: h, Root: rec.root, Chunks: chunks}
	stats.Chunks = len(chunks) + len(parts)

	// Store the parts, then fetch the chunks concurrently.
	for i, ph := range rec.parts {
		if err := f.put(ph, parts[i]); err != nil {
			return stats, err
		}
	}
	// Chunks the local store already holds (from an older checkpoint of
	// this replica) are not fetched: a lagging replica fetches roughly what
	// changed since its last checkpoint.
	m.mu.Lock()
	seen := map[bigfile.Hash]bool{}
	var todo []Chunk
	for _, c := range chunks {
		if m.stored[c.Hash] == 0 && !seen[c.Hash] {
			seen[c.Hash] = true
			todo = append(todo, c)
		}
	}
	m.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, syncWorkers)
	// Worker w takes chunks w, w+W, w+2W, … and starts each at peer
	// (index mod peers), spreading the load over all peers; the first
	// error cancels the others.
	for w := range min(syncWorkers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(todo); i += syncWorkers {
				b, err := f.fetch(ctx, i, todo[i].Hash, int(todo[i].Size))
				if err == nil {
					err = f.put(todo[i].Hash, b)
				}
				if err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return stats, err
	}
	if err := f.flush(); err != nil {
		return stats, err
	}

	// Commit the checkpoint, then load it through the verifying path.
	var b Batch
	b.Put(recordKey(h), raw)
	b.Sync = true
	if err := m.cfg.Store.Apply(&b); err != nil {
		return stats, fmt.Errorf("statemgr: sync: writing record: %w", err)
	}
	state, err := loadState(m.cfg.Store, man)
	if err != nil {
		return stats, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.register(&storedCheckpoint{
		info:   CheckpointInfo{Height: h, Root: rec.root, ManifestHash: manifestHash},
		record: raw,
		chunks: chunkHashes(chunks, rec.parts),
	})
	m.install(state, h, rec.root, manifestHash)
	m.cfg.Logger.Info("statemgr: state synced", "height", h, "chunks", stats.Chunks, "fetched", stats.Fetched, "retries", stats.Retries)
	return stats, m.prune()
}

// fetcher fetches verified chunks from peers and batches them into the store.
type fetcher struct {
	m     *Manager
	peers []Peer

	mu    sync.Mutex
	stats *SyncStats
	b     Batch
}

// fetch gets the chunk with hash h, starting at peer i mod len(peers) and
// moving on to the next peer whenever a fetch fails or does not verify.
// size, if not negative, is the expected length.
func (f *fetcher) fetch(ctx context.Context, i int, h bigfile.Hash, size int) ([]byte, error) {
	for k := range f.peers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := f.peers[(i+k)%len(f.peers)]
		b, err := p.Chunk(ctx, h)
		if err == nil && (size < 0 || len(b) == size) && bigfile.Hash(sha256.Sum256(b)) == h {
			f.mu.Lock()
			f.stats.Fetched++
			f.stats.Bytes += int64(len(b))
			f.mu.Unlock()
			return b, nil
		}
		f.mu.Lock()
		f.stats.Retries++
		f.mu.Unlock()
	}
	return nil, fmt.Errorf("%w: no peer served chunk %x intact", ErrSync, h[:8])
}

// put adds a verified chunk to the pending batch, writing it when full.
func (f *fetcher) put(h bigfile.Hash, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.b.Put(chunkKey(h), data)
	if f.b.Size() >= f.m.cfg.WriteBatchSize {
		return f.flushLocked()
	}
	return nil
}

func (f *fetcher) flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flushLocked()
}

func (f *fetcher) flushLocked() error {
	if f.b.Len() == 0 {
		return nil
	}
	err := f.m.cfg.Store.Apply(&f.b)
	f.b = Batch{}
	if err != nil {
		return fmt.Errorf("statemgr: sync: storing chunks: %w", err)
	}
	return nil
}
