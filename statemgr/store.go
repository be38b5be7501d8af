package statemgr

import (
	"bytes"
	"errors"
	"slices"
	"sync"
)

// ErrNotFound is returned by [Store.Get] for a missing key.
var ErrNotFound = errors.New("statemgr: not found")

// Store is the durable key-value store that checkpoints are written to:
// [NewMemStore] in memory, package badgerstore on disk.
//
// Implementations must be safe for concurrent use. The state manager relies
// on three properties: Apply is atomic (after a crash either every
// operation of a batch is visible or none is); batches become durable in
// the order they were applied (a batch with [Batch.Sync] set, and every
// batch before it, survives a crash once Apply returns); and Get and Scan
// see every batch whose Apply has returned.
type Store interface {
	// Get returns the value stored under key, or an error wrapping
	// [ErrNotFound]. The caller may keep but must not modify the result.
	Get(key []byte) ([]byte, error)
	// Apply applies all operations of b atomically, in order.
	Apply(b *Batch) error
	// Scan calls f with every key that starts with prefix, in increasing
	// bytewise order, stopping at f's first error, which it returns. f
	// must not keep the key slice after returning.
	Scan(prefix []byte, f func(key []byte) error) error
}

// ValueScanner is an optional upgrade of a [Store]: a prefix scan that
// yields values too. When the store has it, checkpoints are loaded with one
// sequential scan instead of a lookup per chunk, which on an LSM store such
// as Badger is several times faster. f may keep value (implementations pass
// a copy or an immutable slice) but not key.
type ValueScanner interface {
	ScanValues(prefix []byte, f func(key, value []byte) error) error
}

// Batch is a list of writes to apply atomically. The zero value is empty
// and ready to use. A batch keeps the slices it is given (they must not be
// modified until Apply returns).
type Batch struct {
	ops  []BatchOp
	size int
	// Sync asks the store to make the batch durable (fsync) before Apply
	// returns; batches without it may be lost in a machine crash, but
	// never out of order.
	Sync bool
}

// BatchOp is one write of a [Batch]: a put, or a delete when Delete is set.
type BatchOp struct {
	Key, Value []byte
	Delete     bool
}

// Put adds a write of value under key.
func (b *Batch) Put(key, value []byte) {
	b.ops = append(b.ops, BatchOp{Key: key, Value: value})
	b.size += len(key) + len(value)
}

// Delete adds a deletion of key.
func (b *Batch) Delete(key []byte) {
	b.ops = append(b.ops, BatchOp{Key: key, Delete: true})
	b.size += len(key)
}

// Ops returns the operations in order. The caller must not modify them.
func (b *Batch) Ops() []BatchOp { return b.ops }

// Len returns the number of operations.
func (b *Batch) Len() int { return len(b.ops) }

// Size returns the total size of keys and values in bytes.
func (b *Batch) Size() int { return b.size }

// Reset empties b for reuse.
func (b *Batch) Reset() { *b = Batch{ops: b.ops[:0]} }

// MemStore is a [Store] in memory, for tests and for replicas that do not
// need durability. Its zero value is not usable; call [NewMemStore].
type MemStore struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore { return &MemStore{m: map[string][]byte{}} }

// Get implements [Store].
func (s *MemStore) Get(key []byte) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.m[string(key)]
	if !ok {
		return nil, ErrNotFound
	}
	return v, nil
}

// Apply implements [Store]. Values are copied.
func (s *MemStore) Apply(b *Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range b.ops {
		if op.Delete {
			delete(s.m, string(op.Key))
		} else {
			s.m[string(op.Key)] = bytes.Clone(op.Value)
		}
	}
	return nil
}

// Scan implements [Store]. It works on a copy of the matching keys, so f may
// call other methods of s.
func (s *MemStore) Scan(prefix []byte, f func(key []byte) error) error {
	s.mu.RLock()
	var keys []string
	for k := range s.m {
		if len(k) >= len(prefix) && k[:len(prefix)] == string(prefix) {
			keys = append(keys, k)
		}
	}
	s.mu.RUnlock()
	slices.Sort(keys)
	for _, k := range keys {
		if err := f([]byte(k)); err != nil {
			return err
		}
	}
	return nil
}

// ScanValues implements [ValueScanner]. Values are the stored (immutable)
// slices.
func (s *MemStore) ScanValues(prefix []byte, f func(key, value []byte) error) error {
	return s.Scan(prefix, func(k []byte) error {
		v, err := s.Get(k)
		if err != nil {
			return nil // deleted meanwhile
		}
		return f(k, v)
	})
}

// Len returns the number of keys stored.
func (s *MemStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}
