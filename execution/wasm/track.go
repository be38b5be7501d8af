package wasm

/*
#include "track.h"
*/
import "C"

import (
	"sync"
	"unsafe"
)

// tracker records which 4 KiB pages of an instance's linear memory are
// written, with userfaultfd asynchronous write-protection: the kernel
// clears a page's write-protect bit on its first write (no signal, no
// fault handler), and one PAGEMAP_SCAN ioctl lists the written pages and
// protects them again. The cost of a scan follows the populated part of
// the memory (about 20 µs per 64 MiB) and the number of written ranges,
// never a byte comparison.
//
// Tracking is exact for writes from Wasm, from the System API (Go) and
// from the kernel alike. When the kernel lacks the feature (before 6.7, or
// the syscall is filtered), the tracker is off and the executor falls back
// to comparing the memory page by page.
type tracker struct {
	fd   C.int
	base uintptr // the memory's base address when registered
	reg  uintptr // registered length in bytes
	buf  []uint64
	buf2 []int // scratch for arm's discarded scan
}

var (
	trackOnce sync.Once
	trackOK   bool
)

// trackingAvailable probes once whether this kernel supports the tracker.
func trackingAvailable() bool {
	trackOnce.Do(func() {
		fd := C.bf_track_open()
		if fd >= 0 {
			C.bf_track_close(fd)
			trackOK = true
		}
	})
	return trackOK
}

// newTracker returns a tracker, or nil when tracking is unavailable.
func newTracker() *tracker {
	if !trackingAvailable() {
		return nil
	}
	fd := C.bf_track_open()
	if fd < 0 {
		return nil
	}
	return &tracker{fd: fd, buf: make([]uint64, 512), buf2: make([]int, 0, 64)}
}

func (t *tracker) close() {
	if t != nil && t.fd >= 0 {
		C.bf_track_close(t.fd)
		t.fd = -1
	}
}

// arm makes the tracker follow mem from now on, with an empty dirty set:
// it registers whatever part of mem is not registered yet (a grown
// memory) or, if the memory moved, all of it. Returns false on failure
// (the tracker is then unusable and the caller drops it).
func (t *tracker) arm(mem []byte) bool {
	if len(mem) == 0 {
		t.base, t.reg = 0, 0
		return true
	}
	base := uintptr(unsafe.Pointer(&mem[0]))
	n := uintptr(len(mem))
	if base != t.base {
		// A new mapping (first arm, or wasmtime moved a grown memory):
		// the old registration died with the old mapping.
		t.base, t.reg = base, 0
	}
	if n > t.reg {
		if C.bf_track_register(t.fd, C.uintptr_t(base+t.reg), C.size_t(n-t.reg)) != 0 {
			return false
		}
		t.reg = n
	}
	// Clear the written bits of what was already registered.
	_, ok := t.scan(mem, t.buf2[:0])
	return ok
}

// scan appends to dst the indexes of the pages of mem written since the
// last scan or arm, and write-protects them again. Pages past the
// registered length (the memory grew) are all reported, then registered.
// ok is false when the set is unknown: the memory moved (the caller must
// compare, and arm again) or the kernel failed.
func (t *tracker) scan(mem []byte, dst []int) ([]int, bool) {
	if len(mem) == 0 {
		return dst, t.reg == 0
	}
	base := uintptr(unsafe.Pointer(&mem[0]))
	if base != t.base {
		return dst, false
	}
	at, end := base, base+min(uintptr(len(mem)), t.reg)
	for at < end {
		var next C.uintptr_t
		n := C.bf_track_scan(C.uintptr_t(at), C.uintptr_t(end), (*C.uint64_t)(unsafe.Pointer(&t.buf[0])),
			C.size_t(len(t.buf)/2), &next)
		if n < 0 {
			return dst, false
		}
		for i := 0; i < int(n); i++ {
			for p := t.buf[2*i]; p < t.buf[2*i+1]; p++ {
				dst = append(dst, int((at-base)/4096)+int(p))
			}
		}
		if uintptr(next) <= at {
			break
		}
		at = uintptr(next)
	}
	if n := uintptr(len(mem)); n > t.reg {
		for p := t.reg / 4096; p < n/4096; p++ {
			dst = append(dst, int(p))
		}
		if C.bf_track_register(t.fd, C.uintptr_t(base+t.reg), C.size_t(n-t.reg)) != 0 {
			return dst, false
		}
		t.reg = n
	}
	return dst, true
}

// DirtyTrackingAvailable reports whether this kernel supports the
// write-protect dirty-page tracker (Linux 6.7 or later with userfaultfd
// permitted). Without it the executor compares memories page by page.
func DirtyTrackingAvailable() bool { return trackingAvailable() }
