// Package statemgrtest provides test helpers for package statemgr: a
// conformance suite for [statemgr.Store] implementations, a fault-injecting
// store that simulates a crash, and a deterministic test signer.
//
// # Usage
//
// An implementer of statemgr.Store runs the suite from a test:
//
//	func TestStore(t *testing.T) {
//		statemgrtest.TestStore(t, func(t *testing.T) statemgr.Store { return mystore.New() })
//	}
//
// Crash tests wrap a store so that it "dies" after a number of batches:
//
//	fs := &statemgrtest.FaultStore{Store: statemgr.NewMemStore(), FailAfter: 3}
//	_, err := m.Commit(h) // the checkpoint write fails halfway
//	m2, err := statemgr.Open(statemgr.Config{Store: fs.Store}) // recovers the previous checkpoint
package statemgrtest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/thebigfile/bigfile/statemgr"
)

// TestStore checks that the stores newStore returns (empty, one per call)
// meet the contract of [statemgr.Store]: missing keys, atomic batches in
// order, deletes, prefix scans in key order, and no aliasing of the
// caller's slices; and, if they implement it, of [statemgr.ValueScanner].
func TestStore(t *testing.T, newStore func(t *testing.T) statemgr.Store) {
	t.Run("GetMissing", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get([]byte("nope")); !errors.Is(err, statemgr.ErrNotFound) {
			t.Fatalf("Get of a missing key: got %v, want ErrNotFound", err)
		}
	})
	t.Run("PutGetDelete", func(t *testing.T) {
		s := newStore(t)
		var b statemgr.Batch
		b.Put([]byte("a"), []byte("1"))
		b.Put([]byte("b"), []byte("2"))
		b.Put([]byte("a"), []byte("3")) // later operations win
		b.Put([]byte("e"), []byte{})
		mustApply(t, s, &b)
		wantGet(t, s, "a", "3")
		wantGet(t, s, "b", "2")
		wantGet(t, s, "e", "")
		b = statemgr.Batch{}
		b.Delete([]byte("a"))
		b.Delete([]byte("zz")) // deleting a missing key is fine
		b.Put([]byte("c"), []byte("4"))
		mustApply(t, s, &b)
		if _, err := s.Get([]byte("a")); !errors.Is(err, statemgr.ErrNotFound) {
			t.Fatalf("Get after delete: got %v, want ErrNotFound", err)
		}
		wantGet(t, s, "c", "4")
	})
	t.Run("NoAliasing", func(t *testing.T) {
		s := newStore(t)
		k, v := []byte("key"), []byte("value")
		var b statemgr.Batch
		b.Put(k, v)
		mustApply(t, s, &b)
		k[0], v[0] = 'X', 'X'
		wantGet(t, s, "key", "value")
	})
	t.Run("Scan", func(t *testing.T) {
		s := newStore(t)
		var b statemgr.Batch
		for _, k := range []string{"p2", "q", "p1", "p\xff", "o", "p10"} {
			b.Put([]byte(k), []byte(k))
		}
		mustApply(t, s, &b)
		var got []string
		if err := s.Scan([]byte("p"), func(k []byte) error { got = append(got, string(k)); return nil }); err != nil {
			t.Fatal(err)
		}
		want := []string{"p1", "p10", "p2", "p\xff"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Scan(p): got %q, want %q", got, want)
		}
		stop := errors.New("stop")
		n := 0
		err := s.Scan(nil, func([]byte) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("Scan stopping: got %v after %d keys, want stop after 1", err, n)
		}
	})
	t.Run("ScanValues", func(t *testing.T) {
		s := newStore(t)
		vs, ok := s.(statemgr.ValueScanner)
		if !ok {
			t.Skip("the store does not implement the optional statemgr.ValueScanner")
		}
		var b statemgr.Batch
		b.Put([]byte("v1"), []byte("one"))
		b.Put([]byte("v2"), []byte("two"))
		b.Put([]byte("w"), []byte("other"))
		mustApply(t, s, &b)
		var got []string
		var kept [][]byte
		err := vs.ScanValues([]byte("v"), func(k, v []byte) error {
			got = append(got, string(k)+"="+string(v))
			kept = append(kept, v)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != "[v1=one v2=two]" {
			t.Fatalf("ScanValues(v): got %q", got)
		}
		// Values may be kept after the scan.
		b = statemgr.Batch{}
		b.Put([]byte("v1"), []byte("ONE"))
		mustApply(t, s, &b)
		if string(kept[0]) != "one" {
			t.Fatalf("kept value changed to %q", kept[0])
		}
	})
	t.Run("LargeBatch", func(t *testing.T) {
		s := newStore(t)
		var b statemgr.Batch
		for i := range 2000 {
			v := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
			b.Put(fmt.Appendf(nil, "k%05d", i), bytes.Repeat(v[:], 32))
		}
		mustApply(t, s, &b)
		n := 0
		_ = s.Scan([]byte("k"), func([]byte) error { n++; return nil })
		if n != 2000 {
			t.Fatalf("stored %d keys, want 2000", n)
		}
	})
}

func mustApply(t *testing.T, s statemgr.Store, b *statemgr.Batch) {
	t.Helper()
	if err := s.Apply(b); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func wantGet(t *testing.T, s statemgr.Store, k, want string) {
	t.Helper()
	v, err := s.Get([]byte(k))
	if err != nil {
		t.Fatalf("Get(%q): %v", k, err)
	}
	if string(v) != want {
		t.Fatalf("Get(%q) = %q, want %q", k, v, want)
	}
}

// ErrCrashed is returned by a [FaultStore] after its simulated crash.
var ErrCrashed = errors.New("statemgrtest: store crashed")

// FaultStore wraps a store and simulates a process crash: it applies the
// first FailAfter batches and fails every later Apply with [ErrCrashed],
// writing nothing more, as if the process had died in the middle of a
// sequence of writes. Reads go through. Reopen the underlying Store to
// simulate the restart.
type FaultStore struct {
	statemgr.Store
	FailAfter int

	mu      sync.Mutex
	applied int
}

// Apply implements [statemgr.Store].
func (f *FaultStore) Apply(b *statemgr.Batch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.applied >= f.FailAfter {
		return ErrCrashed
	}
	f.applied++
	return f.Store.Apply(b)
}

// Applied returns the number of batches that went through.
func (f *FaultStore) Applied() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied
}

// FakeKey is a stand-in for a subnet's BLS key in tests that exercise
// certification logic without curve arithmetic: its "signature" on msg is
// SHA-256(key ‖ msg), 32 bytes. It satisfies statemgr.Signer and
// hashtree.SignatureVerifier (for PublicKey). It provides no security.
type FakeKey [96]byte

// PublicKey returns the 96 key bytes (the fake scheme's public key is the
// key itself).
func (k FakeKey) PublicKey() []byte { return k[:] }

// Sign implements statemgr.Signer.
func (k FakeKey) Sign(msg []byte) ([]byte, error) {
	h := sha256.New()
	h.Write(k[:])
	h.Write(msg)
	return h.Sum(nil), nil
}

// VerifySignature implements hashtree.SignatureVerifier for fake keys.
func (FakeKey) VerifySignature(publicKey, msg, sig []byte) error {
	h := sha256.New()
	h.Write(publicKey)
	h.Write(msg)
	if !bytes.Equal(h.Sum(nil), sig) {
		return errors.New("statemgrtest: bad fake signature")
	}
	return nil
}
