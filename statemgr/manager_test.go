package statemgr_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
	"github.com/thebigfile/bigfile/statemgr/statemgrtest"
)

var testKey = statemgrtest.FakeKey{1, 2, 3}

func rootDER(t testing.TB) []byte {
	der, err := hashtree.PublicKeyDER(testKey.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func open(t testing.TB, st statemgr.Store, interval uint64) *statemgr.Manager {
	t.Helper()
	m, err := statemgr.Open(statemgr.Config{
		Store: st, CheckpointInterval: interval, Signer: testKey,
		PublicKey: rootDER(t), Verifier: testKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fill writes a deterministic round of changes: time, request statuses,
// cube metadata and pages.
func fill(t testing.TB, s *statemgr.State, round int) {
	t.Helper()
	s.SetTime(bigfile.Time(1_700_000_000_000_000_000 + round))
	sid := bigfile.SubnetIDFromPublicKey(rootDER(t))
	s.SetSubnet(sid, rootDER(t), []bigfile.CubeRange{{Start: 0, End: 1 << 20}})
	for c := range bigfile.CubeID(5) {
		if err := s.WritePage(c, uint64(round%7), []byte(fmt.Sprintf("cube %d round %d", c, round))); err != nil {
			t.Fatal(err)
		}
		s.SetBlob(c, "queue", []byte{byte(round)})
		if err := s.SetCertifiedData(c, []byte{byte(c), byte(round)}); err != nil {
			t.Fatal(err)
		}
	}
	s.SetRequestStatus(bigfile.MessageID{byte(round)}, statemgr.RequestStatus{Status: "replied", Reply: []byte("DIDL\x00\x00")})
	s.PutStreamMessage(sid, uint64(round), []byte("msg"))
}

func TestCommitCertifyReadState(t *testing.T) {
	m := open(t, statemgr.NewMemStore(), 100)
	for h := 1; h <= 3; h++ {
		fill(t, m.State(), h)
		if _, err := m.Commit(bigfile.Height(h)); err != nil {
			t.Fatal(err)
		}
	}
	if m.Certified() != nil {
		t.Fatal("certified before any certification")
	}
	if _, err := m.Commit(7); !errors.Is(err, statemgr.ErrHeight) {
		t.Fatalf("commit out of order: got %v", err)
	}
	snap, err := m.Certify(3)
	if err != nil {
		t.Fatal(err)
	}
	id := bigfile.MessageID{3}
	enc, err := snap.Certificate(statemgr.RequestStatusPath(id))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := hashtree.DecodeCertificate(enc)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.Verify(hashtree.VerifyOptions{RootKey: rootDER(t), Verifier: testKey}); err != nil {
		t.Fatal(err)
	}
	if v, st := cert.Tree.Lookup([]byte("request_status"), id[:], []byte("status")); st != hashtree.Found || string(v) != "replied" {
		t.Fatalf("status: %s %q", st, v)
	}
	if ts, err := cert.Time(); err != nil || ts != 1_700_000_000_000_000_003 {
		t.Fatalf("time: %d %v", ts, err)
	}
	// Another request is provably absent, and nothing else leaks.
	other := bigfile.MessageID{9}
	if _, st := cert.Tree.Lookup([]byte("request_status"), other[:], []byte("status")); st != hashtree.Absent {
		t.Fatalf("other request: %s, want absent", st)
	}
	if _, st := cert.Tree.Lookup([]byte("canister"), bigfile.CubeID(1).Principal().Bytes(), []byte("certified_data")); st != hashtree.Unknown {
		t.Fatalf("unrequested path: %s, want unknown", st)
	}
	// A forged certification is refused.
	if err := m.AddCertification(2, []byte("forged")); !errors.Is(err, statemgr.ErrBadSignature) {
		t.Fatalf("forged certification: %v", err)
	}
	s2, _ := m.Snapshot(2)
	if s2.Certified() {
		t.Fatal("forged certification recorded")
	}
}

// TestIncrementalEqualsFresh checks that a state built over many commits
// has the same root as the same contents written at once into a fresh
// manager.
func TestIncrementalEqualsFresh(t *testing.T) {
	a := open(t, statemgr.NewMemStore(), 1000)
	for h := 1; h <= 20; h++ {
		fill(t, a.State(), h)
		if h%5 == 0 {
			a.State().RemoveRequestStatus(bigfile.MessageID{byte(h - 1)})
		}
		if _, err := a.Commit(bigfile.Height(h)); err != nil {
			t.Fatal(err)
		}
	}
	b := open(t, statemgr.NewMemStore(), 1000)
	for h := 1; h <= 20; h++ {
		fill(t, b.State(), h)
		if h%5 == 0 {
			b.State().RemoveRequestStatus(bigfile.MessageID{byte(h - 1)})
		}
	}
	sb, _ := b.Commit(1)
	sa, _ := a.Snapshot(20)
	if sa.RootHash() != sb.RootHash() {
		t.Fatalf("incremental root %s, fresh root %s", sa.RootHash(), sb.RootHash())
	}
	if got := sa.Tree().Digest(); got != sa.RootHash() {
		t.Fatalf("cached root %s, recomputed %s", sa.RootHash(), got)
	}
}

func TestCheckpointRestart(t *testing.T) {
	st := statemgr.NewMemStore()
	m := open(t, st, 4)
	var want [13]bigfile.Hash
	for h := 1; h <= 12; h++ {
		fill(t, m.State(), h)
		s, err := m.Commit(bigfile.Height(h))
		if err != nil {
			t.Fatal(err)
		}
		want[h] = s.RootHash()
	}
	if cps := m.Checkpoints(); len(cps) != 2 || cps[0].Height != 8 || cps[1].Height != 12 {
		t.Fatalf("retained checkpoints %+v, want heights 8 and 12", cps)
	}
	m2 := open(t, st, 4)
	if m2.Height() != 12 {
		t.Fatalf("restart at height %d, want 12", m2.Height())
	}
	s, _ := m2.Snapshot(12)
	if s.RootHash() != want[12] {
		t.Fatalf("restored root %s, want %s", s.RootHash(), want[12])
	}
	if got := s.ReadPage(3, 12%7); !bytes.HasPrefix(got, []byte("cube 3 round 12")) {
		t.Fatalf("restored page %q", got[:20])
	}
	// The restored state goes on exactly as the original would.
	fill(t, m.State(), 13)
	fill(t, m2.State(), 13)
	s1, _ := m.Commit(13)
	s2, _ := m2.Commit(13)
	if s1.RootHash() != s2.RootHash() {
		t.Fatal("restored replica diverges on the next round")
	}
}

// TestCrashDuringCheckpoint kills the store halfway through a checkpoint
// write; the restart must recover the previous checkpoint, verified.
func TestCrashDuringCheckpoint(t *testing.T) {
	for failAfter := 1; failAfter < 6; failAfter++ {
		mem := statemgr.NewMemStore()
		m := open(t, mem, 4)
		var at4 bigfile.Hash
		for h := 1; h <= 4; h++ {
			fill(t, m.State(), h)
			s, err := m.Commit(bigfile.Height(h))
			if err != nil {
				t.Fatal(err)
			}
			at4 = s.RootHash()
		}
		// Crash while writing the checkpoint at 8: small batches make the
		// write take several.
		fs := &statemgrtest.FaultStore{Store: mem, FailAfter: failAfter}
		m, err := statemgr.Open(statemgr.Config{Store: fs, CheckpointInterval: 4, WriteBatchSize: 8 << 10})
		if err != nil {
			t.Fatal(err)
		}
		for h := 5; h <= 8; h++ {
			fill(t, m.State(), h)
			for c := range bigfile.CubeID(5) {
				for p := range uint64(8) {
					_ = m.State().WritePage(c, 100+p, []byte{byte(h), byte(p)})
				}
			}
			_, err = m.Commit(bigfile.Height(h))
		}
		if !errors.Is(err, statemgrtest.ErrCrashed) {
			t.Fatalf("failAfter %d: checkpoint write: got %v, want a crash", failAfter, err)
		}
		r, err := statemgr.Open(statemgr.Config{Store: mem, CheckpointInterval: 4})
		if err != nil {
			t.Fatalf("failAfter %d: restart: %v", failAfter, err)
		}
		if r.Height() != 4 {
			t.Fatalf("failAfter %d: recovered height %d, want 4", failAfter, r.Height())
		}
		s, _ := r.Snapshot(4)
		if s.RootHash() != at4 {
			t.Fatalf("failAfter %d: recovered root differs", failAfter)
		}
	}
}

// TestCorruptChunkDetected flips a byte of a stored page: the restart must
// refuse the corrupt checkpoint and fall back to the older one.
func TestCorruptChunkDetected(t *testing.T) {
	mem := statemgr.NewMemStore()
	m := open(t, mem, 2)
	for h := 1; h <= 4; h++ {
		fill(t, m.State(), h)
		_ = m.State().WritePage(9, 0, []byte(fmt.Sprint("only at ", h)))
		if _, err := m.Commit(bigfile.Height(h)); err != nil {
			t.Fatal(err)
		}
	}
	snap, _ := m.Snapshot(4)
	page := snap.ReadPage(9, 0)
	found := false
	_ = mem.Scan([]byte("c"), func(k []byte) error {
		v, _ := mem.Get(k)
		if bytes.Equal(v, page) {
			bad := bytes.Clone(v)
			bad[0] ^= 1
			var b statemgr.Batch
			b.Put(bytes.Clone(k), bad)
			found = mem.Apply(&b) == nil
		}
		return nil
	})
	if !found {
		t.Fatal("page chunk not found in the store")
	}
	r := open(t, mem, 2)
	if r.Height() != 2 {
		t.Fatalf("recovered height %d, want 2 (the checkpoint at 4 is corrupt)", r.Height())
	}
}

// TestConcurrentReaders reads certified snapshots from several goroutines
// while the writer keeps committing (run with -race): a snapshot never
// changes under its readers.
func TestConcurrentReaders(t *testing.T) {
	m := open(t, statemgr.NewMemStore(), 1000)
	fill(t, m.State(), 1)
	if _, err := m.Commit(1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Certify(1); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				s := m.Certified()
				root := s.RootHash()
				if got := s.Witness(statemgr.CubePath(2), statemgr.RequestStatusPath(bigfile.MessageID{1})).Digest(); got != root {
					errs <- fmt.Errorf("height %d: witness digest %s, root %s", s.Height(), got, root)
					return
				}
				_ = s.ReadPage(2, 1)
			}
		}()
	}
	for h := 2; h <= 30; h++ {
		fill(t, m.State(), h)
		if _, err := m.Commit(bigfile.Height(h)); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Certify(bigfile.Height(h)); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
