#include "track.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

// The PAGEMAP_SCAN ABI (linux/fs.h, 6.7).
struct bf_page_region {
  uint64_t start, end, categories;
};
struct bf_pm_scan_arg {
  uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages, category_inverted, category_mask,
      category_anyof_mask, return_mask;
};
#define BF_PAGEMAP_SCAN _IOWR('f', 16, struct bf_pm_scan_arg)
#define BF_PM_SCAN_WP_MATCHING (1 << 0)
#define BF_PM_SCAN_CHECK_WPASYNC (1 << 1)
#define BF_PAGE_IS_WRITTEN (1 << 1)

static int pagemap_fd = -1;
static pthread_once_t pagemap_once = PTHREAD_ONCE_INIT;
static void open_pagemap(void) { pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC); }

int bf_track_open(void) {
  pthread_once(&pagemap_once, open_pagemap);
  if (pagemap_fd < 0) return -ENOENT;
  int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
  if (fd < 0) return -errno;
  struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED};
  if (ioctl(fd, UFFDIO_API, &api) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

int bf_track_register(int fd, uintptr_t start, size_t len) {
  if (len == 0) return 0;
  struct uffdio_register reg = {.range = {start, len}, .mode = UFFDIO_REGISTER_MODE_WP};
  if (ioctl(fd, UFFDIO_REGISTER, &reg) != 0) return -errno;
  struct uffdio_writeprotect wp = {.range = {start, len}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
  if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp) != 0) return -errno;
  return 0;
}

long bf_track_scan(uintptr_t start, uintptr_t end, uint64_t *out, size_t cap, uintptr_t *next) {
  struct bf_page_region regs[256];
  size_t n = 0;
  uintptr_t at = start;
  while (at < end && n < cap) {
    size_t want = cap - n;
    if (want > 256) want = 256;
    struct bf_pm_scan_arg arg = {.size = sizeof(arg),
                                 .flags = BF_PM_SCAN_WP_MATCHING | BF_PM_SCAN_CHECK_WPASYNC,
                                 .start = at,
                                 .end = end,
                                 .vec = (uint64_t)(uintptr_t)regs,
                                 .vec_len = want,
                                 .category_mask = BF_PAGE_IS_WRITTEN,
                                 .return_mask = BF_PAGE_IS_WRITTEN};
    long got = ioctl(pagemap_fd, BF_PAGEMAP_SCAN, &arg);
    if (got < 0) return -errno;
    for (long i = 0; i < got; i++) {
      out[2 * n] = (regs[i].start - start) / 4096;
      out[2 * n + 1] = (regs[i].end - start) / 4096;
      n++;
    }
    at = (uintptr_t)arg.walk_end;
    if ((size_t)got < want) break;  // the walk reached end
  }
  *next = at;
  return (long)n;
}

void bf_track_close(int fd) {
  if (fd >= 0) close(fd);
}
