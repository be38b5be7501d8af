package consensus_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
)

type loaderStore interface {
	consensus.Store
	consensus.Loader
}

// testStore checks the Store/Loader contract: appends and the delivered
// height are loaded back, purges drop artifacts below the height.
func testStore(t *testing.T, s loaderStore, reopen func() loaderStore) {
	arts := sampleArtifacts() // heights 7, 7, 10, 7, 7, 7 (CUP), 9 (status)
	if err := s.Append(arts); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDelivered(6); err != nil {
		t.Fatal(err)
	}
	check := func(s loaderStore, n int, delivered bigfile.Height) {
		t.Helper()
		got, d, err := s.Load()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n || d != delivered {
			t.Fatalf("loaded %d artifacts, delivered %d; want %d, %d", len(got), d, n, delivered)
		}
	}
	check(s, len(arts), 6)
	if err := s.Purge(8); err != nil {
		t.Fatal(err)
	}
	check(s, 2, 6)
	if err := s.Append(arts[:1]); err != nil {
		t.Fatal(err)
	}
	check(s, 3, 6)
	if reopen != nil {
		check(reopen(), 3, 6)
	}
}

func TestMemStore(t *testing.T) { testStore(t, consensus.NewMemStore(), nil) }

func TestFileStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pool")
	s, err := consensus.OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	var last *consensus.FileStore
	testStore(t, s, func() loaderStore {
		s.Close()
		last, err = consensus.OpenFileStore(path)
		if err != nil {
			t.Fatal(err)
		}
		return last
	})
	last.Close()
	// A torn final record is dropped; damage before the end is reported.
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)-3], 0o600)
	s2, err := consensus.OpenFileStore(path)
	if err != nil {
		t.Fatalf("torn tail: %v", err)
	}
	got, _, _ := s2.Load()
	s2.Close()
	if len(got) != 2 {
		t.Errorf("after torn tail: %d artifacts, want 2", len(got))
	}
	data[10] ^= 0xff
	os.WriteFile(path, data, 0o600)
	if _, err := consensus.OpenFileStore(path); !errors.Is(err, consensus.ErrCorruptStore) {
		t.Errorf("corrupt file: err = %v", err)
	}
}

// FuzzFileStore: opening arbitrary file contents never panics, and what
// opens loads.
func FuzzFileStore(f *testing.F) {
	dir := f.TempDir()
	seed := filepath.Join(dir, "seed")
	s, _ := consensus.OpenFileStore(seed)
	s.Append(sampleArtifacts())
	s.SetDelivered(3)
	s.Close()
	data, _ := os.ReadFile(seed)
	f.Add(data)
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "pool")
		os.WriteFile(path, data, 0o600)
		s, err := consensus.OpenFileStore(path)
		if err != nil {
			if !errors.Is(err, consensus.ErrCorruptStore) {
				t.Fatalf("error %v does not wrap ErrCorruptStore", err)
			}
			return
		}
		defer s.Close()
		if _, _, err := s.Load(); err != nil {
			t.Fatal(err)
		}
	})
}
