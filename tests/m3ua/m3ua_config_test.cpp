// Config validation and the config → libosmo-sigtran plan translation (no SCTP, no osmo).
#include <gtest/gtest.h>

#include <algorithm>

#include "isup/m3ua/m3ua_config.h"

using namespace siptgw;
using namespace siptgw::isup;
using namespace siptgw::isup::m3ua;

namespace {

M3uaConfig valid() {
  M3uaConfig c;
  c.local_pc = *parsePc("0.23.2", Variant::Itu);
  c.routing_context = 100;
  c.asps.push_back({"asp-a", {"127.0.0.1"}, 2906, {"127.0.0.1"}, 2905});
  c.routes.push_back({*parsePc("0.23.3", Variant::Itu), 0});
  return c;
}

bool hasError(const Result<SigtranPlan, std::vector<std::string>>& r, const std::string& needle) {
  if (r) return false;
  return std::any_of(r.error().begin(), r.error().end(),
                     [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

}  // namespace

TEST(M3uaPointCode, ParsesAndFormatsLikeOsmo) {
  EXPECT_EQ(*parsePc("0.23.2", Variant::Itu), 186u);
  EXPECT_EQ(*parsePc("0-23-2", Variant::Itu), 186u);
  EXPECT_EQ(*parsePc("186", Variant::Itu), 186u);
  EXPECT_EQ(formatPc(186, Variant::Itu), "0.23.2");
  EXPECT_EQ(formatPc(0x3FFF, Variant::Itu), "7.255.7");
  EXPECT_EQ(*parsePc("1.2.3", Variant::Ansi), 0x010203u);
  EXPECT_EQ(formatPc(0x010203, Variant::Ansi), "1.2.3");
  EXPECT_FALSE(parsePc("8.0.0", Variant::Itu));
  EXPECT_FALSE(parsePc("16384", Variant::Itu));
  EXPECT_EQ(pointCodeMask(Variant::Itu), 0x3FFFu);
  EXPECT_EQ(pointCodeMask(Variant::Ansi), 0xFFFFFFu);
}

TEST(M3uaConfig, ValidConfigBuildsThePlan) {
  auto r = buildPlan(valid());
  ASSERT_TRUE(r) << r.error().front();
  const SigtranPlan& p = *r;
  EXPECT_EQ(p.local_pc, 186u);
  EXPECT_EQ(p.pc_format[0], 3);
  EXPECT_EQ(p.pc_format[1], 8);
  EXPECT_EQ(p.pc_format[2], 3);
  EXPECT_EQ(p.service_indicator, 5);
  EXPECT_EQ(p.as.routing_context, 100u);
  EXPECT_EQ(p.as.routing_key_pc, 186u);  // the routing key names our own point code
  ASSERT_EQ(p.routes.size(), 1u);
  EXPECT_EQ(p.routes[0].dpc, 187u);
  EXPECT_EQ(p.routes[0].mask, 0x3FFFu);  // 0 in the config: the full width
  ASSERT_EQ(p.asps.size(), 1u);
  EXPECT_EQ(p.asps[0].local_port, 2906);
  EXPECT_EQ(p.routeFor(187), 0);
  EXPECT_EQ(p.routeFor(188), -1);
}

TEST(M3uaConfig, AnsiUses888AndA24BitMask) {
  M3uaConfig c = valid();
  c.variant = Variant::Ansi;
  c.local_pc = *parsePc("1.2.3", Variant::Ansi);
  c.routes = {{*parsePc("1.2.4", Variant::Ansi), 0}};
  auto r = buildPlan(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pc_format[0], 8);
  EXPECT_EQ(r->pc_format[2], 8);
  EXPECT_EQ(r->routes[0].mask, 0xFFFFFFu);
}

TEST(M3uaConfig, MaskedRoutesMatchTheirRange) {
  M3uaConfig c = valid();
  c.routes = {{*parsePc("1.0.0", Variant::Itu), *parsePc("7.0.0", Variant::Itu)}};  // 1.x.x
  auto r = buildPlan(c);
  ASSERT_TRUE(r) << r.error().front();
  EXPECT_EQ(r->routeFor(*parsePc("1.200.3", Variant::Itu)), 0);
  EXPECT_EQ(r->routeFor(*parsePc("2.0.0", Variant::Itu)), -1);
}

TEST(M3uaConfig, ReportsEveryProblem) {
  M3uaConfig c = valid();
  c.network_indicator = 4;
  c.service_indicator = 1;
  c.local_pc = 0x4000;
  c.as_name = "has space";
  c.asps.push_back({"asp-a", {"127.0.0.1"}, 2906, {"not-an-ip"}, 2905});
  c.asps.push_back({"asp-c", {}, 0, {}, 0});
  c.routes.push_back({0x4000, 0});
  c.routes.push_back({187, 0});
  c.state_poll = std::chrono::milliseconds(1);
  auto r = buildPlan(c);
  ASSERT_FALSE(r);
  EXPECT_TRUE(hasError(r, "network_indicator"));
  EXPECT_TRUE(hasError(r, "service_indicator"));
  EXPECT_TRUE(hasError(r, "local_pc"));
  EXPECT_TRUE(hasError(r, "as_name"));
  EXPECT_TRUE(hasError(r, "asps[1].name: duplicate"));
  EXPECT_TRUE(hasError(r, "asps[1].remote_hosts: 'not-an-ip'"));
  EXPECT_TRUE(hasError(r, "asps[1].local_port"));  // 127.0.0.1:2906 twice
  EXPECT_TRUE(hasError(r, "asps[2].remote_hosts: at least one"));
  EXPECT_TRUE(hasError(r, "asps[2].remote_port"));
  EXPECT_TRUE(hasError(r, "routes[1].dpc"));
  EXPECT_TRUE(hasError(r, "routes[2]: duplicate"));
  EXPECT_TRUE(hasError(r, "state_poll"));
}

TEST(M3uaConfig, NeedsAspsAndRoutes) {
  M3uaConfig c = valid();
  c.asps.clear();
  c.routes.clear();
  auto r = buildPlan(c);
  EXPECT_TRUE(hasError(r, "asps: at least one"));
  EXPECT_TRUE(hasError(r, "routes: at least one"));
}

TEST(M3uaConfig, RejectsRoutesToOurselvesAndStrayMaskBits) {
  M3uaConfig c = valid();
  c.routes = {{186, 0}, {187, 0x3FF0}};
  auto r = buildPlan(c);
  EXPECT_TRUE(hasError(r, "routes[0]: route 0.23.2 covers our own point code"));
  EXPECT_TRUE(hasError(r, "routes[1]: dpc 0.23.3 has bits outside mask"));
}

TEST(M3uaConfig, DescribeReadsLikeOsmoStpConfig) {
  auto r = buildPlan(valid());
  ASSERT_TRUE(r);
  const std::string d = r->describe();
  EXPECT_NE(d.find(" point-code 0.23.2\n"), std::string::npos) << d;
  EXPECT_NE(d.find(" asp asp-a 2905 2906 m3ua\n"), std::string::npos) << d;
  EXPECT_NE(d.find("  routing-key 100 0.23.2\n"), std::string::npos) << d;
  EXPECT_NE(d.find("  update route 0.23.3 7.255.7 linkset as-siptgw\n"), std::string::npos) << d;
}

TEST(M3uaConfig, NamesOfModesAndLevels) {
  EXPECT_EQ(*trafficModeFromName("loadshare"), TrafficMode::Loadshare);
  EXPECT_EQ(trafficModeName(TrafficMode::Broadcast), "broadcast");
  EXPECT_FALSE(trafficModeFromName("bogus"));
  EXPECT_EQ(*logLevelFromName("notice"), SigtranLogLevel::Notice);
  EXPECT_FALSE(logLevelFromName("loud"));
}
