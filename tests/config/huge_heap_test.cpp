// config/huge_heap: the main arena's heap is marked for transparent huge pages, and the
// memory malloc then hands out lies in that marked range.
#include "config/huge_heap.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace siptgw {
namespace {

bool thpAvailable() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string s;
  std::getline(f, s);
  return s.find("[never]") == std::string::npos && !s.empty();
}

// ASan and its kin replace malloc: glibc's mallopt settings mean nothing under them.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kGlibcMalloc = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kGlibcMalloc = false;
#else
constexpr bool kGlibcMalloc = true;
#endif
#else
constexpr bool kGlibcMalloc = true;
#endif

TEST(HugeHeap, MallocServesFromTheMarkedRange) {
  if (!thpAvailable()) GTEST_SKIP() << "this kernel has no transparent huge pages";
  if (!kGlibcMalloc) GTEST_SKIP() << "a sanitizer's allocator replaces glibc's malloc";
  void* small = std::malloc(64);
  EXPECT_FALSE(inHugePageMapping(small));  // the heap as glibc left it: 4 KiB pages only
  std::free(small);
  const HugeHeap h = adviseHugePageHeap(64u << 20);
  ASSERT_GE(h.bytes, 60u << 20) << h.problem;
  // The range starts at the first 2 MiB boundary above the old heap: once the heap has
  // grown past it (4 MiB of small blocks), small blocks and, with the mmap threshold
  // raised, a 1 MiB one come from the marked range.
  std::vector<void*> blocks;
  for (int i = 0; i < 20000; ++i) blocks.push_back(std::malloc(200));
  EXPECT_TRUE(inHugePageMapping(blocks.back()));
  blocks.push_back(std::malloc(1u << 20));
  EXPECT_TRUE(inHugePageMapping(blocks.back()));
  for (void* b : blocks) std::free(b);
}

TEST(HugeHeap, TooSmallARequestIsRefusedWithAReason) {
  const HugeHeap h = adviseHugePageHeap(1u << 20);
  EXPECT_EQ(h.bytes, 0u);
  EXPECT_EQ(h.problem, "less than two huge pages asked for");
  const HugeHeap big = adviseHugePageHeap(std::size_t{2} << 30);  // mallopt takes an int
  EXPECT_EQ(big.bytes, 0u);
  EXPECT_EQ(big.problem, "more than 1 GiB asked for");
}

}  // namespace
}  // namespace siptgw
