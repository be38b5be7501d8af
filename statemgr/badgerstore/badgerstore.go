// Package badgerstore implements statemgr.Store on Badger v4, an embedded
// LSM key-value store. It is the only BIG package that imports Badger, and
// no Badger type appears in its API.
//
// Each [Store.Apply] is one Badger transaction, so batches are atomic and
// ordered: Badger appends transactions to its write-ahead log in commit
// order, and a batch with Sync set is followed by an fsync. The state
// manager keeps batches below [statemgr.DefaultWriteBatchSize], well under
// Badger's transaction limit with the default options.
//
// With [Options.EncryptionKey] set, Badger encrypts data at rest (AES in CTR
// mode, with data keys rotated under the given master key) — for subnet
// types that keep state private from node operators' disks.
//
// # Usage
//
//	st, err := badgerstore.Open(dir, badgerstore.Options{EncryptionKey: key})
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	m, err := statemgr.Open(statemgr.Config{Store: st, CheckpointInterval: 500})
package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/thebigfile/bigfile/statemgr"
)

// ErrTooLarge reports a batch beyond what one Badger transaction holds.
var ErrTooLarge = errors.New("badgerstore: batch too large for one transaction")

// Options configures [Open]. The zero value is a durable store on disk
// without encryption.
type Options struct {
	// InMemory keeps everything in memory (dir is ignored); for tests.
	InMemory bool
	// EncryptionKey, if set, enables encryption at rest. It must be 16, 24
	// or 32 bytes (AES-128, -192, -256) and the same at every Open.
	EncryptionKey []byte
	// SyncWrites fsyncs every batch, not only those with Sync set.
	SyncWrites bool
	// ValueThreshold is the value size in bytes from which Badger keeps
	// values in its value log instead of the LSM tree (default
	// [DefaultValueThreshold]). Checkpoint chunks are 4 KiB pages and
	// larger, so with the default they go to the value log and the LSM tree
	// holds only keys and pointers: compactions stay cheap, and a large
	// checkpoint is not rewritten level by level.
	ValueThreshold int64
	// MemTableSize is Badger's memtable size in bytes (default 64 MiB); a
	// transaction may hold about 15% of it.
	MemTableSize int64
	// Logger receives Badger's log lines at debug level (warnings and
	// errors at their levels); default discard.
	Logger *slog.Logger
}

// DefaultValueThreshold is the default [Options.ValueThreshold].
const DefaultValueThreshold = 1024

// Store is a [statemgr.Store] on a Badger database. It is safe for
// concurrent use. Close it when done.
type Store struct {
	db *badger.DB
}

var _ statemgr.Store = (*Store)(nil)

// Open opens (creating if needed) the Badger database in dir.
func Open(dir string, opts Options) (*Store, error) {
	bo := badger.DefaultOptions(dir).
		WithInMemory(opts.InMemory).
		WithSyncWrites(opts.SyncWrites).
		WithLogger(slogAdapter{opts.Logger}).
		WithNumVersionsToKeep(1).
		WithDetectConflicts(false).
		WithValueThreshold(DefaultValueThreshold)
	if opts.ValueThreshold > 0 {
		bo = bo.WithValueThreshold(opts.ValueThreshold)
	}
	if opts.InMemory {
		bo = bo.WithDir("").WithValueDir("")
	}
	if opts.MemTableSize > 0 {
		bo = bo.WithMemTableSize(opts.MemTableSize)
	}
	if opts.EncryptionKey != nil {
		switch len(opts.EncryptionKey) {
		case 16, 24, 32:
		default:
			return nil, fmt.Errorf("badgerstore: encryption key of %d bytes, want 16, 24 or 32", len(opts.EncryptionKey))
		}
		// Badger requires a block index cache with encryption.
		bo = bo.WithEncryptionKey(opts.EncryptionKey).WithIndexCacheSize(64 << 20)
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("badgerstore: opening %s: %w", dir, err)
	}
	return &Store{db: db}, nil
}

// Close flushes and closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("badgerstore: closing: %w", err)
	}
	return nil
}

// Get implements [statemgr.Store]. The result is a copy.
func (s *Store) Get(key []byte) ([]byte, error) {
	var v []byte
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(key)
		if err != nil {
			return err
		}
		v, err = it.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, statemgr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("badgerstore: get: %w", err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// Apply implements [statemgr.Store] with one transaction. Errors wrap
// [ErrTooLarge] when the batch exceeds Badger's transaction size.
func (s *Store) Apply(b *statemgr.Batch) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, op := range b.Ops() {
			var err error
			if op.Delete {
				err = txn.Delete(op.Key)
			} else {
				err = txn.Set(op.Key, op.Value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, badger.ErrTxnTooBig) {
		return fmt.Errorf("%w: %d operations, %d bytes", ErrTooLarge, b.Len(), b.Size())
	}
	if err != nil {
		return fmt.Errorf("badgerstore: apply: %w", err)
	}
	if b.Sync {
		if err := s.db.Sync(); err != nil {
			return fmt.Errorf("badgerstore: sync: %w", err)
		}
	}
	return nil
}

// Scan implements [statemgr.Store] with a key-only iterator over a
// consistent snapshot: batches applied during the scan are not seen.
func (s *Store) Scan(prefix []byte, f func(key []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = prefix
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			if err := f(it.Item().Key()); err != nil {
				return err
			}
		}
		return nil
	})
}

// ScanValues implements statemgr.ValueScanner: one sequential pass with
// value prefetching. Values passed to f are copies f may keep.
func (s *Store) ScanValues(prefix []byte, f func(key, value []byte) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = prefix
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := f(it.Item().Key(), v); err != nil {
				return err
			}
		}
		return nil
	})
}

var _ statemgr.ValueScanner = (*Store)(nil)

// slogAdapter forwards Badger's logger to slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) log(level slog.Level, format string, args ...any) {
	if a.l != nil && a.l.Enabled(context.Background(), level) {
		a.l.Log(context.Background(), level, "badger: "+fmt.Sprintf(format, args...))
	}
}

func (a slogAdapter) Errorf(f string, v ...any)   { a.log(slog.LevelError, f, v...) }
func (a slogAdapter) Warningf(f string, v ...any) { a.log(slog.LevelWarn, f, v...) }
func (a slogAdapter) Infof(f string, v ...any)    { a.log(slog.LevelDebug, f, v...) }
func (a slogAdapter) Debugf(f string, v ...any)   { a.log(slog.LevelDebug, f, v...) }
