package statemgr_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr"
)

// Benchmark parameters for per-round certification: 1,000 cubes of 32
// pages (128 KiB) each, 128 MiB of memory in all, and 1% of the pages
// (320) written per round, plus /time and 10 request statuses.
const (
	benchCubes        = 1000
	benchPagesPerCube = 32
	benchDirty        = benchCubes * benchPagesPerCube / 100
)

func benchState(b *testing.B) *statemgr.Manager { return benchStateOf(b, benchPagesPerCube) }

func benchStateOf(b *testing.B, pagesPerCube int) *statemgr.Manager {
	m, err := statemgr.Open(statemgr.Config{Store: statemgr.NewMemStore(), CheckpointInterval: 1 << 40})
	if err != nil {
		b.Fatal(err)
	}
	s := m.State()
	page := make([]byte, statemgr.PageSize)
	for c := range bigfile.CubeID(benchCubes) {
		for p := range uint64(pagesPerCube) {
			binary.LittleEndian.PutUint64(page, uint64(c)<<32|p)
			_ = s.WritePage(c, p, page)
		}
		h := bigfile.Sum256([]byte{byte(c)})
		s.SetModuleHash(c, &h)
		s.SetControllers(c, []bigfile.Principal{bigfile.Anonymous})
		s.SetBlob(c, "queue", page[:100])
	}
	if _, err := m.Commit(1); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkCertifyRound measures Commit (the incremental rehash that yields
// the root to sign) after a round that dirtied 1% of the pages; the
// signature is excluded. The "full" sub-benchmark hashes every page of the
// same state from scratch, the cost without incremental hashing, as the
// baseline of the same run.
func BenchmarkCertifyRound(b *testing.B) {
	b.Run("incremental", func(b *testing.B) {
		m := benchState(b)
		r := rand.New(rand.NewPCG(1, 1))
		page := make([]byte, statemgr.PageSize)
		h := m.Height()
		runtime.GC() // the setup allocated the whole state; do not bill its collection to the rounds
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s := m.State()
			for range benchDirty {
				c := bigfile.CubeID(r.IntN(benchCubes))
				binary.LittleEndian.PutUint64(page[8:], uint64(i))
				_ = s.WritePage(c, uint64(r.IntN(benchPagesPerCube)), page)
			}
			s.SetTime(bigfile.Time(i))
			for k := range 10 {
				s.SetRequestStatus(bigfile.MessageID{byte(k), byte(i), byte(i >> 8)}, statemgr.RequestStatus{Status: "replied", Reply: page[:64]})
			}
			b.StartTimer()
			h++
			if _, err := m.Commit(h); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("full", func(b *testing.B) {
		m := benchState(b)
		snap, _ := m.Snapshot(1)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for c := range bigfile.CubeID(benchCubes) {
				for p := range uint64(benchPagesPerCube) {
					_ = sha256.Sum256(snap.ReadPage(c, p))
				}
			}
		}
	})
}

// BenchmarkCertifyScaling keeps the change per round fixed (320 dirty pages
// and 10 request statuses) while the memory grows from 8,000 to 128,000
// pages (31 MiB to 500 MiB):
// the time per commit must stay nearly flat (it grows with the logarithm of
// the memory size, the depth of the page trees).
func BenchmarkCertifyScaling(b *testing.B) {
	for _, ppc := range []int{8, 32, 128} {
		b.Run(fmt.Sprintf("pages=%d", benchCubes*ppc), func(b *testing.B) {
			m := benchStateOf(b, ppc)
			r := rand.New(rand.NewPCG(2, 2))
			page := make([]byte, statemgr.PageSize)
			h := m.Height()
			runtime.GC()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := m.State()
				for range benchDirty {
					binary.LittleEndian.PutUint64(page[8:], uint64(i))
					_ = s.WritePage(bigfile.CubeID(r.IntN(benchCubes)), uint64(r.IntN(ppc)), page)
				}
				s.SetTime(bigfile.Time(i))
				for k := range 10 {
					s.SetRequestStatus(bigfile.MessageID{byte(k), byte(i), byte(i >> 8)}, statemgr.RequestStatus{Status: "replied"})
				}
				b.StartTimer()
				h++
				if _, err := m.Commit(h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWitness measures a read_state certificate's witness for one
// request status in a state with 100,000 of them.
func BenchmarkWitness(b *testing.B) {
	m, _ := statemgr.Open(statemgr.Config{Store: statemgr.NewMemStore()})
	s := m.State()
	for i := range 100_000 {
		var id bigfile.MessageID
		binary.BigEndian.PutUint64(id[:], uint64(i)*0x9e3779b97f4a7c15)
		s.SetRequestStatus(id, statemgr.RequestStatus{Status: "replied", Reply: []byte("DIDL\x00\x00")})
	}
	snap, _ := m.Commit(1)
	var id bigfile.MessageID
	k := uint64(77)
	binary.BigEndian.PutUint64(id[:], k*0x9e3779b97f4a7c15)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := snap.Witness(statemgr.RequestStatusPath(id))
		if w == nil {
			b.Fatal("no witness")
		}
	}
}
