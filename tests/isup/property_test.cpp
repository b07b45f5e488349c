// Property tests of the round-trip law (DESIGN.md) over generated messages of every type of
// both variants, and robustness under mutation: a mutated message either fails with a
// typed error or decodes and re-encodes to exactly the mutated octets.
#include <gtest/gtest.h>

#include <random>

#include "generators.h"
#include "isup/codec.h"
#include "isup/json.h"

namespace siptgw::isup {
namespace {

class RoundTrip : public ::testing::TestWithParam<Variant> {};

TEST_P(RoundTrip, GeneratedMessagesOfEveryType) {
  const Variant v = GetParam();
  std::mt19937 rng(20261121);
  int checked = 0;
  for (const MessageFormat& f : messageFormats(v)) {
    for (int i = 0; i < 200; ++i) {
      Message m = testing::randomMessage(rng, v, f.type);
      std::vector<uint8_t> wire;
      ASSERT_TRUE(encode(m, wire)) << f.acronym << " #" << i;
      auto back = decode(wire, v);
      ASSERT_TRUE(back.ok()) << f.acronym << ": " << back.error().describe(v) << " " << toHex(wire);
      ASSERT_EQ(*back, m) << f.acronym << " " << toHex(wire);
      std::vector<uint8_t> again;
      ASSERT_TRUE(encode(*back, again));
      ASSERT_EQ(again, wire);
      // JSON is lossless too.
      auto js = fromJson(toJson(m), v);
      ASSERT_TRUE(js.ok()) << js.error() << "\n" << toJson(m, Framing::Wire, 2);
      ASSERT_EQ(*js, m) << toJson(m, Framing::Wire, 2);
      // Body framing (RFC 3204) shares the parameter encoding.
      std::vector<uint8_t> body;
      ASSERT_TRUE(encodeBody(m, body));
      ASSERT_EQ(std::vector<uint8_t>(wire.begin() + 2, wire.end()), body);
      ++checked;
    }
  }
  EXPECT_GT(checked, 40 * 200);
}

TEST_P(RoundTrip, MutatedOctetsFailTypedOrRoundTripExactly) {
  const Variant v = GetParam();
  std::mt19937 rng(7);
  int decoded = 0, rejected = 0;
  for (const MessageFormat& f : messageFormats(v)) {
    for (int i = 0; i < 100; ++i) {
      std::vector<uint8_t> wire;
      ASSERT_TRUE(encode(testing::randomMessage(rng, v, f.type), wire));
      for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
        switch (rng() % 3) {
          case 0: wire[rng() % wire.size()] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
          case 1: wire[rng() % wire.size()] = static_cast<uint8_t>(rng()); break;
          default: if (wire.size() > 3) wire.resize(wire.size() - 1 - rng() % 3);
        }
      }
      auto m = decode(wire, v);
      if (!m.ok()) {
        ++rejected;
        EXPECT_LE(m.error().offset, wire.size());
        EXPECT_FALSE(m.error().describe(v).empty());
        continue;
      }
      ++decoded;
      std::vector<uint8_t> again;
      ASSERT_TRUE(encode(*m, again)) << toHex(wire);
      ASSERT_EQ(toHex(again), toHex(wire));
    }
  }
  // Both outcomes must actually occur, or the test checks nothing.
  EXPECT_GT(decoded, 100);
  EXPECT_GT(rejected, 100);
}

INSTANTIATE_TEST_SUITE_P(Variants, RoundTrip, ::testing::Values(Variant::Itu, Variant::Ansi),
                         [](const auto& p) { return std::string(variantName(p.param)); });

}  // namespace
}  // namespace siptgw::isup
