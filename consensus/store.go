package consensus

import (
	"sync"

	"github.com/thebigfile/bigfile"
)

// Store persists what a node needs to restart where it stopped: the
// artifacts of its validated pool (its own shares and proposals among them,
// so that it never signs something contradicting them after a restart) and
// the height of the last batch it delivered. [MemStore] keeps them in
// memory; a disk store implements the same three methods.
type Store interface {
	// Append adds artifacts. It must be durable when it returns.
	Append(as []Artifact) error
	// Purge drops artifacts below height h (a catch-up package at h has
	// been adopted and appended).
	Purge(h bigfile.Height) error
	// SetDelivered records the height of the last delivered batch.
	SetDelivered(h bigfile.Height) error
}

// Loader is the read side of a [Store], used once at restart.
type Loader interface {
	// Load returns every artifact appended and not purged, and the last
	// delivered height recorded.
	Load() ([]Artifact, bigfile.Height, error)
}

// Save applies rd's persistence part to s: Persist, then PurgeBelow. Call
// it before sending rd.Messages; call s.SetDelivered(rd.Delivered) after
// delivering rd.Batches.
func Save(s Store, rd Ready) error {
	if len(rd.Persist) > 0 {
		if err := s.Append(rd.Persist); err != nil {
			return err
		}
	}
	if rd.PurgeBelow > 0 {
		return s.Purge(rd.PurgeBelow)
	}
	return nil
}

// MemStore is an in-memory [Store] and [Loader]. It survives a restart of
// the [Core] (not of the process), which is what simulations and tests
// need. It is safe for concurrent use.
type MemStore struct {
	mu        sync.Mutex
	arts      []Artifact
	delivered bigfile.Height
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore { return &MemStore{} }

// Append implements [Store].
func (m *MemStore) Append(as []Artifact) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.arts = append(m.arts, as...)
	return nil
}

// Purge implements [Store]. Catch-up packages are kept if at h or above.
func (m *MemStore) Purge(h bigfile.Height) error {
	// Filter in place; clear the tail so purged artifacts can be collected.
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := m.arts[:0]
	for _, a := range m.arts {
		if a.ArtifactHeight() >= h {
			kept = append(kept, a)
		}
	}
	clear(m.arts[len(kept):])
	m.arts = kept
	return nil
}

// SetDelivered implements [Store].
func (m *MemStore) SetDelivered(h bigfile.Height) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.delivered = h
	return nil
}

// Load implements [Loader]. The returned slice is a copy.
func (m *MemStore) Load() ([]Artifact, bigfile.Height, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Artifact(nil), m.arts...), m.delivered, nil
}

// Len returns the number of artifacts held.
func (m *MemStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.arts)
}
