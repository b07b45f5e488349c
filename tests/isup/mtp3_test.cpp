// MTP3 routing label (Q.704 §2.2, T1.111.4 §2.2) and point code text forms.
#include <gtest/gtest.h>

#include "isup/json.h"
#include "isup/mtp3.h"

namespace siptgw::isup {
namespace {

TEST(Mtp3, ItuLabelBitLayout) {
  // DPC 0x1234 in bits 0-13, OPC 0x0321 in bits 14-27, SLS 0xA in bits 28-31.
  Mtp3Header h{kServiceIndicatorIsup, 2, 0, 0x1234, 0x0321, 0xA};
  std::array<uint8_t, 8> out{};
  ASSERT_EQ(encodeMtp3Header(h, Variant::Itu, out), 5);
  const uint32_t label = 0x1234u | 0x0321u << 14 | 0xAu << 28;
  EXPECT_EQ(out[0], 0x85);
  EXPECT_EQ(out[1], label & 0xFF);
  EXPECT_EQ(out[4], label >> 24);
  auto back = decodeMtp3Header(out, Variant::Itu);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);
  h.dpc = 0x4000;  // 15 bits
  EXPECT_EQ(encodeMtp3Header(h, Variant::Itu, out), -1);
}

TEST(Mtp3, AnsiLabel) {
  Mtp3Header h{kServiceIndicatorIsup, 2, 1, 0x010203, 0x040506, 0x1F};
  std::array<uint8_t, 8> out{};
  ASSERT_EQ(encodeMtp3Header(h, Variant::Ansi, out), 8);
  EXPECT_EQ(toHex(out), "950302010605041f");
  EXPECT_EQ(*decodeMtp3Header(out, Variant::Ansi), h);
}

TEST(Mtp3, PointCodeText) {
  EXPECT_EQ(parsePointCode("2-100-1", Variant::Itu).value(), (2u << 11) | (100u << 3) | 1u);
  EXPECT_EQ(formatPointCode((2u << 11) | (100u << 3) | 1u, Variant::Itu), "2-100-1");
  EXPECT_EQ(parsePointCode("0.23.2", Variant::Itu).value(), 23u << 3 | 2u);
  EXPECT_EQ(parsePointCode("1234", Variant::Itu).value(), 1234u);
  EXPECT_EQ(parsePointCode("1-2-3", Variant::Ansi).value(), 0x010203u);
  EXPECT_FALSE(parsePointCode("8-0-0", Variant::Itu).ok());
  EXPECT_FALSE(parsePointCode("16384", Variant::Itu).ok());
  EXPECT_FALSE(parsePointCode("1-2", Variant::Itu).ok());
  EXPECT_FALSE(parsePointCode("1-x-2", Variant::Itu).ok());
}

}  // namespace
}  // namespace siptgw::isup
