package execution

import (
	"bytes"
	"fmt"
	"slices"
)

// PageSize is the granularity at which a [Memory] shares and tracks
// changes: the operating system's page size.
const PageSize = 4096

type page = [PageSize]byte

var zeroPage page

// Memory is an immutable byte array in PageSize pages, used for a cube's
// Wasm heap and stable memory. Versions of a memory share the pages they
// have in common, so keeping an old State costs only the pages that changed
// since, and all-zero pages cost nothing. The zero value is an empty
// memory.
//
// Pages sit in a two-level table (chunks of chunkPages pages), so deriving
// a version that changes k pages costs O(k) page copies plus one chunk
// copy per touched chunk and a copy of the chunk list (2 KiB per GiB), not
// O(size): with a dirty-page tracker ([PageTracker]) a message on a 1 GiB
// heap commits in microseconds. Without one the executor compares every
// page ([Memory.Update]).
type Memory struct {
	n      int      // number of pages
	chunks []*chunk // nil entries are chunks of zero pages
}

// chunkPages is the number of pages per chunk: 1 MiB of memory.
const chunkPages = 256

// chunk is one block of the page table; nil entries are zero pages.
type chunk [chunkPages]*page

// get returns page i, nil for a zero page.
func (m Memory) get(i int) *page {
	if c := m.chunks[i/chunkPages]; c != nil {
		return c[i%chunkPages]
	}
	return nil
}

// builder derives a new version of a memory: chunks are copied on their
// first change, the chunk list once.
type builder struct {
	m     Memory
	owned []bool // chunks already copied
}

// newBuilder starts a version of base resized to n pages (new pages zero).
func newBuilder(base Memory, n int) *builder {
	nc := (n + chunkPages - 1) / chunkPages
	b := &builder{m: Memory{n: n, chunks: make([]*chunk, nc)}, owned: make([]bool, nc)}
	copy(b.m.chunks, base.chunks)
	if n < base.n && n%chunkPages != 0 && b.m.chunks[nc-1] != nil {
		// Shrinking into a chunk: clear its pages past the end.
		last := b.chunk(nc - 1)
		clear(last[n%chunkPages:])
	}
	return b
}

// chunk returns chunk ci, copied on first use.
func (b *builder) chunk(ci int) *chunk {
	if !b.owned[ci] {
		c := new(chunk)
		if old := b.m.chunks[ci]; old != nil {
			*c = *old
		}
		b.m.chunks[ci] = c
		b.owned[ci] = true
	}
	return b.m.chunks[ci]
}

// set makes p (nil for zeros) page i.
func (b *builder) set(i int, p *page) {
	if p == nil && b.m.chunks[i/chunkPages] == nil {
		return
	}
	b.chunk(i / chunkPages)[i%chunkPages] = p
}

// NewMemory returns a Memory holding a copy of b, zero-padded to a whole
// number of pages.
func NewMemory(b []byte) Memory {
	m, _ := Memory{}.Update(b)
	return m
}

// Len returns the size in bytes, a multiple of PageSize.
func (m Memory) Len() int { return m.n * PageSize }

// Bytes returns a copy of the contents.
func (m Memory) Bytes() []byte {
	out := make([]byte, m.Len())
	m.CopyTo(out)
	return out
}

// CopyTo writes the contents to dst[:m.Len()], writing only the pages that
// differ from what dst holds. It panics if dst is shorter than m.
func (m Memory) CopyTo(dst []byte) {
	for i := 0; i < m.n; i++ {
		d := dst[i*PageSize : (i+1)*PageSize]
		p := m.get(i)
		if p == nil {
			p = &zeroPage
		}
		if !bytes.Equal(d, p[:]) {
			copy(d, p[:])
		}
	}
}

// Update returns the memory whose contents are cur (zero-padded to whole
// pages), sharing every page that did not change with m, and the number of
// pages that did. m is not modified.
func (m Memory) Update(cur []byte) (Memory, int) {
	n := (len(cur) + PageSize - 1) / PageSize
	b := newBuilder(m, n)
	changed := 0
	for i := 0; i < n; i++ {
		src := cur[i*PageSize : min((i+1)*PageSize, len(cur))]
		var old *page
		if i < m.n {
			old = m.get(i)
		}
		cmp := old
		if cmp == nil {
			cmp = &zeroPage
		}
		if len(src) == PageSize && bytes.Equal(src, cmp[:]) {
			continue
		}
		if old == nil && isZero(src) {
			continue
		}
		p := new(page)
		copy(p[:], src)
		b.set(i, p)
		changed++
	}
	return b.m, changed
}

func isZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Equal reports whether m and n hold the same bytes.
func (m Memory) Equal(n Memory) bool {
	return m.n == n.n && m.diff(n) == nil
}

// String describes the memory's size for diagnostics.
func (m Memory) String() string { return fmt.Sprintf("Memory(%d bytes)", m.Len()) }

// memWriter is a private, writable version of a Memory for one execution
// (stable memory): pages are copied on their first write, so a message
// costs what it touches and the original is never modified.
type memWriter struct {
	base  Memory
	b     *builder     // nil until the first write or grow
	owned map[int]bool // pages already copied in this execution
}

func newMemWriter(m Memory) *memWriter { return &memWriter{base: m} }

func (w *memWriter) cur() Memory {
	if w.b != nil {
		return w.b.m
	}
	return w.base
}

func (w *memWriter) len() uint64 { return uint64(w.cur().n) * PageSize }

func (w *memWriter) memory() Memory { return w.cur() }

func (w *memWriter) build() *builder {
	if w.b == nil {
		w.b = newBuilder(w.base, w.base.n)
	}
	return w.b
}

// grow appends n zero bytes (n a multiple of PageSize).
func (w *memWriter) grow(n uint64) {
	old := w.cur()
	nb := newBuilder(old, old.n+int(n/PageSize))
	if w.b != nil {
		// Chunks this execution already copied stay private to it.
		copy(nb.owned, w.b.owned)
	}
	w.b = nb
}

// write copies b to offset off; the caller has checked the bounds.
func (w *memWriter) write(off uint64, b []byte) {
	if len(b) == 0 {
		return
	}
	bl := w.build()
	if w.owned == nil {
		w.owned = map[int]bool{}
	}
	for len(b) > 0 {
		i, o := int(off/PageSize), int(off%PageSize)
		p := bl.m.get(i)
		if !w.owned[i] {
			np := new(page)
			if p != nil {
				*np = *p
			}
			bl.set(i, np)
			p = np
			w.owned[i] = true
		}
		n := copy(p[o:], b)
		b, off = b[n:], off+uint64(n)
	}
}

// read copies len(dst) bytes from offset off; the caller has checked the
// bounds.
func (w *memWriter) read(dst []byte, off uint64) {
	m := w.cur()
	for len(dst) > 0 {
		i, o := int(off/PageSize), int(off%PageSize)
		p := m.get(i)
		if p == nil {
			p = &zeroPage
		}
		n := copy(dst, p[o:])
		dst, off = dst[n:], off+uint64(n)
	}
}

// NumPages returns the number of PageSize pages.
func (m Memory) NumPages() int { return m.n }

// Page returns the contents of page i, read-only (the memory shares it),
// or nil if the page is all zeros. It panics if i is out of range.
func (m Memory) Page(i int) []byte {
	if i < 0 || i >= m.n {
		panic(fmt.Sprintf("execution: page %d of a memory of %d pages", i, m.n))
	}
	if p := m.get(i); p != nil {
		return p[:]
	}
	return nil
}

// LoadMemory returns a memory of numPages pages whose page i holds
// pages[i] (exactly PageSize bytes) and every other page zeros: how a
// state manager rebuilds a cube's heap or stable memory from persisted
// pages. The byte slices are copied.
func LoadMemory(numPages int, pages map[int][]byte) (Memory, error) {
	return Memory{}.Apply(numPages, pages)
}

// Apply returns m resized to numPages pages (pages past m's end are zero)
// with the pages in delta replaced: how a persisted delta (the
// [Output].Dirty pages of a message) is applied to a base. m is not
// modified; the byte slices are copied.
func (m Memory) Apply(numPages int, delta map[int][]byte) (Memory, error) {
	if numPages < 0 {
		return Memory{}, fmt.Errorf("%w: negative page count", ErrInvalidInput)
	}
	for i, b := range delta {
		if i < 0 || i >= numPages {
			return Memory{}, fmt.Errorf("%w: page %d outside a memory of %d pages", ErrInvalidInput, i, numPages)
		}
		if len(b) != PageSize {
			return Memory{}, fmt.Errorf("%w: page %d has %d bytes", ErrInvalidInput, i, len(b))
		}
	}
	bl := newBuilder(m, numPages)
	for i, b := range delta {
		if isZero(b) {
			bl.set(i, nil)
			continue
		}
		p := new(page)
		copy(p[:], b)
		bl.set(i, p)
	}
	return bl.m, nil
}

// updatePages is Update for a caller that knows which pages of cur may
// differ from m (a dirty-page tracker's report, in any order): every other
// page is shared without being read. It returns the new memory and the
// pages that did change, in increasing order.
func (m Memory) updatePages(cur []byte, dirty []int) (Memory, []int) {
	n := (len(cur) + PageSize - 1) / PageSize
	bl := newBuilder(m, n)
	var changed []int
	for _, i := range dirty {
		if i >= n {
			continue
		}
		src := cur[i*PageSize : min((i+1)*PageSize, len(cur))]
		old := bl.m.get(i)
		if old == nil {
			if isZero(src) {
				continue
			}
		} else if len(src) == PageSize && bytes.Equal(src, old[:]) {
			continue
		}
		p := new(page)
		copy(p[:], src)
		if isZero(p[:]) {
			p = nil
		}
		bl.set(i, p)
		changed = append(changed, i)
	}
	slices.Sort(changed)
	return bl.m, slices.Compact(changed)
}

// diff returns the pages of n that differ from m (pages past m's end
// compare with zeros), in increasing order: the fallback when no tracker
// reports the written pages. Shared chunks are skipped unread.
func (m Memory) diff(n Memory) []int {
	var out []int
	for ci := range n.chunks {
		var mc *chunk
		if ci < len(m.chunks) {
			mc = m.chunks[ci]
		}
		nc := n.chunks[ci]
		if mc == nc && (ci+1)*chunkPages <= m.n {
			continue
		}
		for k := 0; k < chunkPages; k++ {
			i := ci*chunkPages + k
			if i >= n.n {
				break
			}
			var p, q *page
			if nc != nil {
				p = nc[k]
			}
			if mc != nil && i < m.n {
				q = mc[k]
			}
			if p == q {
				continue
			}
			if p == nil {
				p = &zeroPage
			}
			if q == nil {
				q = &zeroPage
			}
			if *p != *q {
				out = append(out, i)
			}
		}
	}
	return out
}

// copyPagesTo writes the listed pages of m to dst (the rollback of a
// tracked instance: only the pages a message wrote are put back). Pages
// past m's end are zeroed.
func (m Memory) copyPagesTo(dst []byte, pages []int) {
	for _, i := range pages {
		d := dst[i*PageSize : (i+1)*PageSize]
		if i < m.n {
			if p := m.get(i); p != nil {
				copy(d, p[:])
				continue
			}
		}
		clear(d)
	}
}

// dirty returns the stable memory pages this execution wrote, in
// increasing order.
func (w *memWriter) dirty() []int {
	out := make([]int, 0, len(w.owned))
	for i := range w.owned {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

// same reports whether m and n are the very same version (share every
// page), in O(1).
func (m Memory) same(n Memory) bool {
	return m.n == n.n && len(m.chunks) == len(n.chunks) && (len(m.chunks) == 0 || &m.chunks[0] == &n.chunks[0])
}
