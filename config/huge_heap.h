// Backs the process's main malloc arena with transparent huge pages (Linux THP).
//
// Why: a call's transactions, sessions and parsed messages live on the heap, which grows to
// its working size (tens of MB at 1,000 calls/s, with 32 s of finished transactions
// waiting out Timer J/L) one 4 KiB page fault at a time, and every call touches pages
// spread across it. On a VM a page fault costs ~10 µs and TLB misses are dear: backed by
// 2 MiB pages, the test UA spent 50–52 µs per SIPp call where the same binary on 4 KiB
// pages spent 62–78 (alternating runs, docs/performance.md, session 12).
//
// How: Debian ships THP in "madvise" mode (only regions marked MADV_HUGEPAGE get huge
// pages), and glibc's own switch (GLIBC_TUNABLES=glibc.malloc.hugetlb=1) is read only at
// start-up, from the environment. So: large blocks are taken from the heap rather than
// from mmap (M_MMAP_THRESHOLD 32 MiB), the heap is grown by `bytes` in one step (M_TOP_PAD)
// and never trimmed below that (M_TRIM_THRESHOLD), and the grown range is marked
// MADV_HUGEPAGE. Memory beyond it still works, on 4 KiB pages. Call once, early in main,
// on the thread that will allocate the most (the main arena is the main thread's).
#pragma once

#include <cstddef>
#include <string>

namespace siptgw {

struct HugeHeap {
  std::size_t bytes = 0;  // marked MADV_HUGEPAGE; 0 when nothing was
  std::string problem;    // why not, when bytes == 0
};

HugeHeap adviseHugePageHeap(std::size_t bytes);

// True when the address lies in a mapping the kernel marked for huge pages ("hg" in its
// /proc/self/smaps VmFlags); for tests.
bool inHugePageMapping(const void* p);

}  // namespace siptgw
