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
// Deriving the next version from an instance's memory compares page by page
// (O(size) reads, O(changed) copies); page-level dirty tracking can replace
// the comparison later without changing this type.
type Memory struct {
	pages []*page // nil entries are zero pages
}

// NewMemory returns a Memory holding a copy of b, zero-padded to a whole
// number of pages.
func NewMemory(b []byte) Memory {
	m, _ := Memory{}.Update(b)
	return m
}

// Len returns the size in bytes, a multiple of PageSize.
func (m Memory) Len() int { return len(m.pages) * PageSize }

// Bytes returns a copy of the contents.
func (m Memory) Bytes() []byte {
	out := make([]byte, m.Len())
	m.CopyTo(out)
	return out
}

// CopyTo writes the contents to dst[:m.Len()], writing only the pages that
// differ from what dst holds. It panics if dst is shorter than m.
func (m Memory) CopyTo(dst []byte) {
	for i, p := range m.pages {
		d := dst[i*PageSize : (i+1)*PageSize]
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
	out := Memory{pages: make([]*page, n)}
	changed := 0
	for i := 0; i < n; i++ {
		src := cur[i*PageSize : min((i+1)*PageSize, len(cur))]
		var old *page
		if i < len(m.pages) {
			old = m.pages[i]
		}
		cmp := old
		if cmp == nil {
			cmp = &zeroPage
		}
		if len(src) == PageSize && bytes.Equal(src, cmp[:]) {
			out.pages[i] = old
			continue
		}
		if old == nil && isZero(src) {
			continue
		}
		p := new(page)
		copy(p[:], src)
		out.pages[i] = p
		changed++
	}
	return out, changed
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
	if len(m.pages) != len(n.pages) {
		return false
	}
	for i := range m.pages {
		p, q := m.pages[i], n.pages[i]
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
			return false
		}
	}
	return true
}

// String describes the memory's size for diagnostics.
func (m Memory) String() string { return fmt.Sprintf("Memory(%d bytes)", m.Len()) }

// memWriter is a private, writable version of a Memory for one execution
// (stable memory): pages are copied on their first write, so a message
// costs what it touches and the original is never modified.
type memWriter struct {
	pages []*page
	owned map[int]bool // pages already copied in this execution
	grown bool         // pages is a private slice
}

func newMemWriter(m Memory) *memWriter { return &memWriter{pages: m.pages} }

func (w *memWriter) len() uint64 { return uint64(len(w.pages)) * PageSize }

func (w *memWriter) memory() Memory { return Memory{pages: w.pages} }

// grow appends n zero bytes (n a multiple of PageSize).
func (w *memWriter) grow(n uint64) {
	if !w.grown {
		w.pages = append(make([]*page, 0, len(w.pages)+int(n/PageSize)), w.pages...)
		w.grown = true
	}
	w.pages = append(w.pages, make([]*page, n/PageSize)...)
}

// write copies b to offset off; the caller has checked the bounds.
func (w *memWriter) write(off uint64, b []byte) {
	if len(b) == 0 {
		return
	}
	if !w.grown {
		w.pages = append([]*page(nil), w.pages...)
		w.grown = true
	}
	if w.owned == nil {
		w.owned = map[int]bool{}
	}
	for len(b) > 0 {
		i, o := int(off/PageSize), int(off%PageSize)
		if !w.owned[i] {
			p := new(page)
			if w.pages[i] != nil {
				*p = *w.pages[i]
			}
			w.pages[i] = p
			w.owned[i] = true
		}
		n := copy(w.pages[i][o:], b)
		b, off = b[n:], off+uint64(n)
	}
}

// read copies len(dst) bytes from offset off; the caller has checked the
// bounds.
func (w *memWriter) read(dst []byte, off uint64) {
	for len(dst) > 0 {
		i, o := int(off/PageSize), int(off%PageSize)
		p := w.pages[i]
		if p == nil {
			p = &zeroPage
		}
		n := copy(dst, p[o:])
		dst, off = dst[n:], off+uint64(n)
	}
}

// NumPages returns the number of PageSize pages.
func (m Memory) NumPages() int { return len(m.pages) }

// Page returns the contents of page i, read-only (the memory shares it),
// or nil if the page is all zeros. It panics if i is out of range.
func (m Memory) Page(i int) []byte {
	if p := m.pages[i]; p != nil {
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
	out := Memory{pages: make([]*page, numPages)}
	copy(out.pages, m.pages)
	for i, b := range delta {
		if i < 0 || i >= numPages {
			return Memory{}, fmt.Errorf("%w: page %d outside a memory of %d pages", ErrInvalidInput, i, numPages)
		}
		if len(b) != PageSize {
			return Memory{}, fmt.Errorf("%w: page %d has %d bytes", ErrInvalidInput, i, len(b))
		}
		if isZero(b) {
			out.pages[i] = nil
			continue
		}
		p := new(page)
		copy(p[:], b)
		out.pages[i] = p
	}
	return out, nil
}

// updatePages is Update for a caller that knows which pages of cur may
// differ from m (a dirty-page tracker's report, in any order): every other
// page is shared without being read. It returns the new memory and the
// pages that did change, in increasing order.
func (m Memory) updatePages(cur []byte, dirty []int) (Memory, []int) {
	n := (len(cur) + PageSize - 1) / PageSize
	out := Memory{pages: make([]*page, n)}
	copy(out.pages, m.pages)
	var changed []int
	for _, i := range dirty {
		if i >= n {
			continue
		}
		src := cur[i*PageSize : min((i+1)*PageSize, len(cur))]
		old := out.pages[i]
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
		out.pages[i] = p
		changed = append(changed, i)
	}
	slices.Sort(changed)
	return out, slices.Compact(changed)
}

// diff returns the pages of n that differ from m, comparing every page
// (the fallback when no tracker reports the written pages).
func (m Memory) diff(n Memory) []int {
	var out []int
	for i, p := range n.pages {
		var q *page
		if i < len(m.pages) {
			q = m.pages[i]
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
	return out
}

// copyPagesTo writes the listed pages of m to dst (the rollback of a
// tracked instance: only the pages a message wrote are put back). Pages
// past m's end are zeroed.
func (m Memory) copyPagesTo(dst []byte, pages []int) {
	for _, i := range pages {
		d := dst[i*PageSize : (i+1)*PageSize]
		if i < len(m.pages) && m.pages[i] != nil {
			copy(d, m.pages[i][:])
		} else {
			clear(d)
		}
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
	return len(m.pages) == len(n.pages) && (len(m.pages) == 0 || &m.pages[0] == &n.pages[0])
}
