// See huge_heap.h.
#include "config/huge_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace siptgw {

namespace {
constexpr std::uintptr_t kHugePage = 2u << 20;
}

HugeHeap adviseHugePageHeap(std::size_t bytes) {
  HugeHeap r;
  if (bytes < 2 * kHugePage) {
    r.problem = "less than two huge pages asked for";
    return r;
  }
  if (bytes > (std::size_t{1} << 30)) {  // mallopt takes an int, and twice this below
    r.problem = "more than 1 GiB asked for";
    return r;
  }
  if (mallopt(M_MMAP_THRESHOLD, 32 << 20) == 0 ||
      mallopt(M_TOP_PAD, static_cast<int>(bytes)) == 0 ||
      mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * bytes)) == 0) {
    r.problem = "mallopt refused the settings";
    return r;
  }
  const auto before = reinterpret_cast<std::uintptr_t>(sbrk(0));
  void* grow = std::malloc(kHugePage);  // the heap's top cannot hold it: one sbrk of bytes more
  const auto after = reinterpret_cast<std::uintptr_t>(sbrk(0));
  std::free(grow);
  const std::uintptr_t lo = (before + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t hi = after & ~(kHugePage - 1);
  if (grow == nullptr || hi <= lo) {
    r.problem = "the heap did not grow (memory limit?)";
    return r;
  }
  if (madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE) != 0) {
    r.problem = std::string("madvise(MADV_HUGEPAGE): ") + std::strerror(errno);
    return r;
  }
  r.bytes = hi - lo;
  return r;
}

bool inHugePageMapping(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long lo = 0, hi = 0;
    // A mapping's first line is "lo-hi perms ..."; its fields ("Size:", "VmFlags:") never
    // read as two hex numbers joined by '-'.
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {
      inside = at >= lo && at < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) {
      std::istringstream flags(line.substr(8));
      std::string f;
      while (flags >> f) {
        if (f == "hg") return true;
      }
      return false;
    }
  }
  return false;
}

}  // namespace siptgw
