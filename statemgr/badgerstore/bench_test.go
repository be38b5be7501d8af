package badgerstore_test

import (
	"encoding/binary"
	"flag"
	"fmt"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr"
	"github.com/thebigfile/bigfile/statemgr/badgerstore"
)

var restartMiB = flag.Int("restart-mib", 1024, "state size in MiB for BenchmarkRestart")

// pagesState commits a state of the given number of distinct pages spread
// over 1,000 cubes, without checkpointing.
func pagesState(b *testing.B, st statemgr.Store, pages int) *statemgr.Manager {
	m, err := statemgr.Open(statemgr.Config{Store: st, CheckpointInterval: 1 << 40})
	if err != nil {
		b.Fatal(err)
	}
	s := m.State()
	page := make([]byte, statemgr.PageSize)
	for i := range pages {
		// Distinct, incompressible-looking pages.
		for k := 0; k < statemgr.PageSize; k += 8 {
			binary.LittleEndian.PutUint64(page[k:], uint64(i)*0x9e3779b97f4a7c15^uint64(k)*0xbf58476d1ce4e5b9)
		}
		_ = s.WritePage(bigfile.CubeID(i%1000), uint64(i/1000), page)
	}
	if _, err := m.Commit(1); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkCheckpointWrite compares, in the same run, writing a checkpoint
// of 64 MiB of pages through statemgr and badgerstore with the raw
// sequential write throughput of Badger (a WriteBatch of the same number
// of 4 KiB values under sequential keys, with the store's value
// threshold). It reports both throughputs and their ratio.
func BenchmarkCheckpointWrite(b *testing.B) {
	const pages = 16384
	var cpTime, rawTime time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := badgerstore.Open(b.TempDir(), badgerstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m := pagesState(b, st, pages)
		b.StartTimer()
		t0 := time.Now()
		if err := m.Checkpoint(); err != nil {
			b.Fatal(err)
		}
		cpTime += time.Since(t0)
		b.StopTimer()
		_ = st.Close()

		// The baseline uses the store's value threshold, so both write the
		// same values to the same place (the value log).
		db, err := badger.Open(badger.DefaultOptions(b.TempDir()).WithLogger(nil).WithValueThreshold(badgerstore.DefaultValueThreshold))
		if err != nil {
			b.Fatal(err)
		}
		snap, _ := m.Snapshot(1)
		b.StartTimer()
		t0 = time.Now()
		wb := db.NewWriteBatch()
		for k := range pages {
			key := binary.BigEndian.AppendUint64([]byte("c"), uint64(k))
			if err := wb.Set(key, snap.ReadPage(bigfile.CubeID(k%1000), uint64(k/1000))); err != nil {
				b.Fatal(err)
			}
		}
		if err := wb.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := db.Sync(); err != nil {
			b.Fatal(err)
		}
		rawTime += time.Since(t0)
		b.StopTimer()
		_ = db.Close()
	}
	mib := float64(pages*statemgr.PageSize) / (1 << 20) * float64(b.N)
	b.ReportMetric(mib/cpTime.Seconds(), "checkpoint-MiB/s")
	b.ReportMetric(mib/rawTime.Seconds(), "raw-MiB/s")
	b.ReportMetric(rawTime.Seconds()/cpTime.Seconds(), "ratio")
}

// BenchmarkRestart measures reopening the store and statemgr.Open on a
// checkpoint of -restart-mib MiB (default 1 GiB): listing, reading and
// verifying every chunk and rebuilding the state. Skipped with -short.
func BenchmarkRestart(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a large checkpoint; skipped with -short")
	}
	dir := b.TempDir()
	st, err := badgerstore.Open(dir, badgerstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	pages := *restartMiB << 20 / statemgr.PageSize
	m := pagesState(b, st, pages)
	if err := m.Checkpoint(); err != nil {
		b.Fatal(err)
	}
	want, _ := m.Snapshot(1)
	root := want.RootHash()
	m, want = nil, nil
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(pages) * statemgr.PageSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := badgerstore.Open(dir, badgerstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m, err := statemgr.Open(statemgr.Config{Store: st, CheckpointInterval: 1 << 40})
		if err != nil {
			b.Fatal(err)
		}
		snap, err := m.Snapshot(1)
		if err != nil || snap.RootHash() != root {
			b.Fatal(fmt.Sprint("restart did not restore the checkpoint: ", err))
		}
		b.StopTimer()
		_ = st.Close()
		b.StartTimer()
	}
}
