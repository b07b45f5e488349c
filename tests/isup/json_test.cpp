// The JSON contract of `siptgw isup decode|encode` (docs/isup-codec.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "isup/codec.h"
#include "isup/json.h"

namespace siptgw::isup {
namespace {

TEST(Json, ContractFieldNames) {
  auto m = decode(fromHex("1100010020000a03020907039060214365870a0683136089670500").value(), Variant::Itu);
  ASSERT_TRUE(m.ok());
  auto j = nlohmann::json::parse(toJson(*m));
  EXPECT_EQ(j["type"], "IAM");
  EXPECT_EQ(j["cic"], 17);
  const auto& p = j["parameters"];
  EXPECT_EQ(p["called_party_number"]["digits"], "0612345678");
  EXPECT_EQ(p["called_party_number"]["nature_of_address"], 3);
  EXPECT_EQ(p["called_party_number"]["numbering_plan"], 1);
  EXPECT_EQ(p["calling_party_number"]["digits"], "0698765");
  EXPECT_EQ(p["forward_call_indicators"]["isdn_user_part"], 1);
  EXPECT_EQ(p["calling_partys_category"]["value"], 10);
  EXPECT_FALSE(p["called_party_number"].contains("spare"));  // zero spare fields are left out
}

TEST(Json, CauseAndOpaque) {
  auto m = decode(fromHex("11000c0204028290fa01ee00").value(), Variant::Itu);
  ASSERT_TRUE(m.ok()) << m.error().describe(Variant::Itu);
  auto j = nlohmann::json::parse(toJson(*m));
  EXPECT_EQ(j["parameters"]["cause_indicators"]["cause"], 16);
  EXPECT_EQ(j["parameters"]["cause_indicators"]["location"], 2);
  EXPECT_EQ(j["parameters"]["cause_indicators"]["coding_standard"], 0);
  EXPECT_EQ(j["parameters"]["unknown_250"]["code"], 250);
  EXPECT_EQ(j["parameters"]["unknown_250"]["hex"], "ee");
}

TEST(Json, RepeatedParametersKeepOrder) {
  // Two generic numbers around a hop counter.
  auto m = decode(fromHex("11000901" "c00406031121" "3d0105" "c00406031122" "00").value(), Variant::Itu);
  ASSERT_TRUE(m.ok()) << m.error().describe(Variant::Itu);
  std::string s = toJson(*m);
  EXPECT_NE(s.find("\"generic_number#2\""), std::string::npos) << s;
  auto back = fromJson(s, Variant::Itu);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, *m);
}

TEST(Json, ErrorsNameThePath) {
  auto r = fromJson(R"({"type":"IAM","cic":1,"parameters":{"called_party_number":{"digits":"12x"}}})", Variant::Itu);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("parameters.called_party_number"), std::string::npos) << r.error();
  r = fromJson(R"({"type":"REL","cic":1,"parameters":{}})", Variant::Itu);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "REL: missing mandatory parameter cause_indicators");
  r = fromJson(R"({"type":"REL","cic":1,"parameters":{"cause_indicators":{"cause":300}}})", Variant::Itu);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("300 exceeds 127"), std::string::npos) << r.error();
  r = fromJson(R"({"type":"XYZ","cic":1})", Variant::Itu);
  ASSERT_FALSE(r.ok());
  r = fromJson(R"({"type":"REL","cic":5000,"parameters":{"cause_indicators":{"cause":16}}})", Variant::Itu);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("cic"), std::string::npos) << r.error();
  r = fromJson(R"({"type":"BLO","cic":1,"parameters":{"hop_counter":{"hop_counter":3}}})", Variant::Itu);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "BLO has no optional part: hop_counter");
  r = fromJson("{not json", Variant::Itu);
  ASSERT_FALSE(r.ok());
}

TEST(Json, EncodesFromMinimalInput) {
  auto r = fromJson(R"({"type":"REL","cic":31,"parameters":{"cause_indicators":{"cause":17,"location":1}}})",
                    Variant::Itu);
  ASSERT_TRUE(r.ok()) << r.error();
  std::vector<uint8_t> out;
  ASSERT_TRUE(encode(*r, out));
  EXPECT_EQ(toHex(out), "1f000c0200028191");
}

TEST(Hex, Parsing) {
  EXPECT_EQ(fromHex("0A:0b 0c").value(), (std::vector<uint8_t>{0x0a, 0x0b, 0x0c}));
  EXPECT_FALSE(fromHex("0").ok());
  EXPECT_FALSE(fromHex("0g").ok());
}

}  // namespace
}  // namespace siptgw::isup
