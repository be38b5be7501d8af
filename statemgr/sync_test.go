package statemgr_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr"
)

// corruptPeer serves a real peer's data but flips a byte of every
// third chunk it serves, and fails every fifth request.
type corruptPeer struct {
	statemgr.Peer
	n         atomic.Int64
	corrupted atomic.Int64
}

func (p *corruptPeer) Chunk(ctx context.Context, h bigfile.Hash) ([]byte, error) {
	b, err := p.Peer.Chunk(ctx, h)
	if err != nil {
		return nil, err
	}
	switch n := p.n.Add(1); {
	case n%5 == 0:
		return nil, errors.New("connection reset")
	case n%3 == 0 && len(b) > 0:
		b = bytes.Clone(b)
		b[len(b)/2] ^= 0x40
		p.corrupted.Add(1)
	}
	return b, nil
}

func TestStateSync(t *testing.T) {
	a := open(t, statemgr.NewMemStore(), 5)
	for h := 1; h <= 10; h++ {
		fill(t, a.State(), h)
		for c := range bigfile.CubeID(20) {
			_ = a.State().WritePage(100+c, uint64(h), []byte{byte(h), byte(c)})
		}
		if _, err := a.Commit(bigfile.Height(h)); err != nil {
			t.Fatal(err)
		}
	}
	cps := a.Checkpoints()
	cp := cps[len(cps)-1]
	if cp.Height != 10 {
		t.Fatalf("latest checkpoint at %d, want 10", cp.Height)
	}

	// Only a corrupting peer: the sync must fail, never install bad state.
	b := open(t, statemgr.NewMemStore(), 5)
	bad := &corruptPeer{Peer: a}
	if _, err := b.Sync(context.Background(), 10, cp.ManifestHash, []statemgr.Peer{bad}); !errors.Is(err, statemgr.ErrSync) {
		t.Fatalf("sync from a corrupting peer only: got %v, want ErrSync", err)
	}
	if b.Height() != 0 {
		t.Fatalf("failed sync moved the height to %d", b.Height())
	}
	// A wrong manifest hash is refused.
	if _, err := b.Sync(context.Background(), 10, bigfile.Hash{1}, []statemgr.Peer{a}); !errors.Is(err, statemgr.ErrSync) {
		t.Fatalf("sync with a wrong manifest hash: got %v, want ErrSync", err)
	}

	// A corrupting peer and an honest one: corrupted chunks are refetched.
	bad = &corruptPeer{Peer: a}
	stats, err := b.Sync(context.Background(), 10, cp.ManifestHash, []statemgr.Peer{bad, a})
	if err != nil {
		t.Fatal(err)
	}
	if bad.corrupted.Load() == 0 || stats.Retries == 0 {
		t.Fatalf("no corrupted chunk was injected (stats %+v)", stats)
	}
	if b.Height() != 10 {
		t.Fatalf("synced height %d, want 10", b.Height())
	}
	sa, _ := a.Snapshot(10)
	sb, _ := b.Snapshot(10)
	if sa.RootHash() != sb.RootHash() {
		t.Fatal("synced root differs")
	}
	// The synced replica continues in lockstep and serves the checkpoint itself.
	fill(t, a.State(), 11)
	fill(t, b.State(), 11)
	s1, _ := a.Commit(11)
	s2, _ := b.Commit(11)
	if s1.RootHash() != s2.RootHash() {
		t.Fatal("synced replica diverges")
	}
	c := open(t, statemgr.NewMemStore(), 5)
	if _, err := c.Sync(context.Background(), 10, cp.ManifestHash, []statemgr.Peer{b}); err != nil {
		t.Fatalf("sync from the synced replica: %v", err)
	}
	// Syncing again to a checkpoint the replica holds fetches nothing and
	// keeps one entry for it.
	again, err := c.Sync(context.Background(), 10, cp.ManifestHash, []statemgr.Peer{b})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Checkpoints()); again.Fetched > 1 || n != 1 { // only the manifest part is fetched again
		t.Fatalf("second sync fetched %d chunks, %d checkpoints retained", again.Fetched, n)
	}
}
