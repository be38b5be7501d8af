// Dirty-page tracking of a linear memory with userfaultfd asynchronous
// write-protection and the PAGEMAP_SCAN ioctl (Linux >= 6.7; wasmtime.md
// §3.2). The constants are defined here because older libc headers lack
// them.
#ifndef BF_TRACK_H
#define BF_TRACK_H

#include <stddef.h>
#include <stdint.h>

// bf_track_open returns a userfaultfd descriptor with asynchronous
// write-protection enabled, or -errno if the kernel refuses.
int bf_track_open(void);
// bf_track_register registers [start, start+len) (page-aligned) for
// write-protection and write-protects it. Returns 0 or -errno.
int bf_track_register(int fd, uintptr_t start, size_t len);
// bf_track_scan reports the written pages of [start, end) as [first, last)
// page-index ranges relative to start in out (cap pairs) and
// write-protects them again. It returns the number of ranges, or -errno;
// *next is where the scan stopped (end when complete).
long bf_track_scan(uintptr_t start, uintptr_t end, uint64_t *out, size_t cap, uintptr_t *next);
void bf_track_close(int fd);

#endif
