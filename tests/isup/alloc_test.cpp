// Counts heap allocations made by decode and encode of a typical IAM (issue goal: none for a
// message without opaque parameters).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "generators.h"
#include "isup/codec.h"

namespace {
std::atomic<long> g_allocs{0};
}

// The replacement pair is malloc/free on both sides; GCC cannot see that across them.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace siptgw::isup {
namespace {

TEST(Allocations, DecodeAndEncodeOfTypicalIamAllocateNothing) {
  for (Variant v : {Variant::Itu, Variant::Ansi}) {
    std::array<uint8_t, kMaxMessage> wire;
    int n = encode(testing::typicalIam(v), wire);
    ASSERT_GT(n, 0);
    std::span<const uint8_t> in(wire.data(), static_cast<std::size_t>(n));
    const long before = g_allocs.load();
    auto m = decode(in, v);
    ASSERT_TRUE(m.ok());
    std::array<uint8_t, kMaxMessage> out;
    int k = encode(*m, out);
    const long after = g_allocs.load();
    ASSERT_EQ(k, n);
    EXPECT_EQ(after - before, 0) << variantName(v);
  }
}

TEST(Allocations, CounterSeesAllocations) {
  // The counter works: an opaque parameter over 16 octets needs the heap.
  Message m = makeMessage(Variant::Itu, MessageType::ANM, 1);
  Opaque o;
  o.data.assign(40, 0x55);
  m.optional.push_back({static_cast<ParamCode>(0xFA), o});
  std::array<uint8_t, kMaxMessage> wire;
  int n = encode(m, wire);
  ASSERT_GT(n, 0);
  const long before = g_allocs.load();
  auto back = decode(std::span<const uint8_t>(wire.data(), static_cast<std::size_t>(n)), Variant::Itu);
  ASSERT_TRUE(back.ok());
  EXPECT_GT(g_allocs.load() - before, 0);
}

}  // namespace
}  // namespace siptgw::isup
