package execution

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzMemoryOps applies a script of operations (full-compare updates,
// tracked updates, persisted deltas, copy-on-write stable writes, growth
// and shrinking across chunk boundaries) to a Memory and to a flat byte
// slice, and checks after each step that they hold the same bytes, that
// the reported changed pages are exactly those that differ, and that
// older versions never change.
func FuzzMemoryOps(f *testing.F) {
	f.Add([]byte{0, 10, 1, 3, 7, 2, 200, 3, 1, 1, 0, 40, 1, 255, 0})
	f.Add([]byte{3, 1, 0, 250, 1, 1, 2, 255, 3, 9, 1, 7, 0, 2})
	f.Add(bytes.Repeat([]byte{1, 129, 7}, 10))
	f.Fuzz(func(t *testing.T, script []byte) {
		if len(script) > 64 {
			script = script[:64]
		}
		var m Memory
		var model []byte
		type version struct {
			m    Memory
			want []byte
		}
		var versions []version
		next := func() byte {
			if len(script) == 0 {
				return 0
			}
			b := script[0]
			script = script[1:]
			return b
		}
		for len(script) > 0 {
			op, arg := next()%4, int(next())
			prev, prevModel := m, bytes.Clone(model)
			var changed []int
			switch op {
			case 0: // resize (grow or shrink) and full-compare update
				n := arg * 3 // up to 765 pages: several chunks
				if n < len(model)/PageSize {
					model = model[:n*PageSize]
				} else {
					model = append(model, make([]byte, n*PageSize-len(model))...)
				}
				if n > 0 {
					model[(arg*7919)%len(model)] ^= 0x5a
				}
				var k int
				m, k = m.Update(model)
				changed = prev.diff(m)
				if k != len(changed) && m.n == prev.n {
					t.Fatalf("Update reported %d changes, diff %d", k, len(changed))
				}
			case 1: // tracked update: write some pages, report them (and extra ones)
				if len(model) == 0 {
					continue
				}
				np := len(model) / PageSize
				var dirty []int
				for k := 0; k < 1+arg%5; k++ {
					pg := (arg*31 + k*97) % np
					model[pg*PageSize+k] = byte(arg + k + 1)
					dirty = append(dirty, pg, (pg+1)%np) // over-reporting is allowed
				}
				m, changed = m.updatePages(model, dirty)
			case 2: // a persisted delta
				if len(model) == 0 {
					continue
				}
				np := len(model) / PageSize
				pg := arg % np
				p := make([]byte, PageSize)
				if arg%3 != 0 {
					p[arg] = byte(arg)
				}
				copy(model[pg*PageSize:], p)
				var err error
				if m, err = m.Apply(np, map[int][]byte{pg: p}); err != nil {
					t.Fatal(err)
				}
				changed = prev.diff(m)
			case 3: // stable-style copy-on-write writes and growth
				w := newMemWriter(m)
				w.grow(uint64(arg%3) * PageSize)
				model = append(model, make([]byte, (arg%3)*PageSize)...)
				if len(model) > 0 {
					off := (arg * 4099) % len(model)
					b := bytes.Repeat([]byte{byte(arg | 1)}, min(5000, len(model)-off))
					w.write(uint64(off), b)
					copy(model[off:], b)
					got := make([]byte, len(b))
					w.read(got, uint64(off))
					if !bytes.Equal(got, b) {
						t.Fatal("memWriter read back different bytes")
					}
				}
				m = w.memory()
				changed = prev.diff(m)
			}
			if !bytes.Equal(m.Bytes(), model) || m.Len() != len(model) {
				t.Fatalf("op %d: memory differs from the model", op)
			}
			var want []int
			for i := 0; i < len(model)/PageSize; i++ {
				var old []byte
				if (i+1)*PageSize <= len(prevModel) {
					old = prevModel[i*PageSize : (i+1)*PageSize]
				} else {
					old = make([]byte, PageSize)
				}
				if !bytes.Equal(old, model[i*PageSize:(i+1)*PageSize]) {
					want = append(want, i)
				}
			}
			if !slices.Equal(changed, want) {
				t.Fatalf("op %d: changed pages %v, want %v", op, changed, want)
			}
			if !m.Equal(NewMemory(model)) {
				t.Fatal("Equal disagrees with the bytes")
			}
			versions = append(versions, version{m, bytes.Clone(model)})
		}
		for i, v := range versions {
			if !bytes.Equal(v.m.Bytes(), v.want) {
				t.Fatalf("version %d changed later", i)
			}
		}
	})
}
