package badgerstore_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr"
	"github.com/thebigfile/bigfile/statemgr/badgerstore"
	"github.com/thebigfile/bigfile/statemgr/statemgrtest"
)

func openStore(t *testing.T, dir string, opts badgerstore.Options) *badgerstore.Store {
	t.Helper()
	s, err := badgerstore.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	statemgrtest.TestStore(t, func(t *testing.T) statemgr.Store {
		s := openStore(t, t.TempDir(), badgerstore.Options{})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestConformanceEncrypted(t *testing.T) {
	statemgrtest.TestStore(t, func(t *testing.T) statemgr.Store {
		s := openStore(t, t.TempDir(), badgerstore.Options{EncryptionKey: bytes.Repeat([]byte{9}, 32)})
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// TestEncryptionAtRest checks that data does not appear in plain text in the
// files and that the store reopens only with its key.
func TestEncryptionAtRest(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, 32)
	s := openStore(t, dir, badgerstore.Options{EncryptionKey: key})
	secret := []byte("a very recognisable secret value 0123456789")
	var b statemgr.Batch
	b.Put([]byte("k"), secret)
	b.Sync = true
	if err := s.Apply(&b); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, secret) {
			t.Fatalf("%s holds the value in plain text", filepath.Base(f))
		}
	}
	if _, err := badgerstore.Open(dir, badgerstore.Options{EncryptionKey: bytes.Repeat([]byte{8}, 32)}); err == nil {
		t.Fatal("opened with the wrong key")
	}
	s = openStore(t, dir, badgerstore.Options{EncryptionKey: key})
	defer s.Close()
	if v, err := s.Get([]byte("k")); err != nil || !bytes.Equal(v, secret) {
		t.Fatalf("Get after reopen: %q %v", v, err)
	}
}

// TestCheckpointCrashOnBadger runs the crash scenario on disk: a checkpoint
// write dies halfway, the database is closed and reopened, and the manager
// recovers the previous checkpoint.
func TestCheckpointCrashOnBadger(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, badgerstore.Options{})
	write := func(st statemgr.Store, from, to int) (*statemgr.Manager, bigfile.Hash, error) {
		m, err := statemgr.Open(statemgr.Config{Store: st, CheckpointInterval: 5, WriteBatchSize: 16 << 10})
		if err != nil {
			t.Fatal(err)
		}
		var root bigfile.Hash
		for h := from; h <= to; h++ {
			m.State().SetTime(bigfile.Time(h))
			for c := range bigfile.CubeID(10) {
				for p := range uint64(10) {
					_ = m.State().WritePage(c, p, fmt.Appendf(nil, "%d %d %d", h, c, p))
				}
			}
			snap, err := m.Commit(bigfile.Height(h))
			if err != nil {
				return m, root, err
			}
			root = snap.RootHash()
		}
		return m, root, nil
	}
	_, at5, err := write(s, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	fs := &statemgrtest.FaultStore{Store: s, FailAfter: 3}
	if _, _, err := write(fs, 6, 10); !errors.Is(err, statemgrtest.ErrCrashed) {
		t.Fatalf("got %v, want a crash", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, badgerstore.Options{})
	defer s.Close()
	m, err := statemgr.Open(statemgr.Config{Store: s, CheckpointInterval: 5})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := m.Snapshot(5)
	if err != nil || snap.RootHash() != at5 {
		t.Fatalf("recovered %v (height %d), want the checkpoint at 5", err, m.Height())
	}
}
