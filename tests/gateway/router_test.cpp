// Router: longest prefix per call origin, normalisation (strip, prepend, NOA), explicit
// NoRoute, and a table of thousands of routes.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "gateway/router.h"

namespace siptgw::gateway {
namespace {

GatewayConfig twoTrunksOnePeer() {
  GatewayConfig c;
  for (const char* n : {"A", "B"}) {
    TrunkConfig t;
    t.group.name = n;
    c.trunks.push_back(t);
  }
  SipPeerConfig p;
  p.name = "uas";
  c.sip.peers.push_back(p);
  return c;
}

RouteConfig route(std::string prefix, RouteTargetKind k, std::string target,
                  RouteSource from = RouteSource::Any) {
  RouteConfig r;
  r.prefix = std::move(prefix);
  r.targetKind = k;
  r.target = std::move(target);
  r.from = from;
  return r;
}

TEST(Router, LongestPrefixWins) {
  auto c = twoTrunksOnePeer();
  c.routes.push_back(route("2", RouteTargetKind::Trunk, "A"));
  c.routes.push_back(route("2001", RouteTargetKind::Trunk, "B"));
  c.routes.push_back(route("200", RouteTargetKind::SipPeer, "uas"));
  const Router r(c);
  EXPECT_EQ(r.size(), 3u);

  auto m = r.route(CallOrigin::Sip, "20015551234");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->target, "B");
  EXPECT_EQ(m->targetIndex, 1u);
  EXPECT_EQ(m->routeIndex, 1u);
  EXPECT_EQ(m->number, "20015551234");  // no normalisation configured
  EXPECT_FALSE(m->noa.has_value());

  m = r.route(CallOrigin::Sip, "2002");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->kind, RouteTargetKind::SipPeer);
  EXPECT_EQ(m->target, "uas");

  m = r.route(CallOrigin::Sip, "29");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->target, "A");

  m = r.route(CallOrigin::Sip, "200");  // exactly the prefix
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->target, "uas");
}

TEST(Router, NoRouteIsExplicit) {
  auto c = twoTrunksOnePeer();
  c.routes.push_back(route("2", RouteTargetKind::Trunk, "A"));
  const Router r(c);
  auto m = r.route(CallOrigin::Sip, "3000");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().why, NoRoute::Why::NoMatch);
  EXPECT_EQ(NoRoute::kSipStatus, 404);
  EXPECT_EQ(NoRoute::kCause, 3);
  EXPECT_FALSE(r.route(CallOrigin::Sip, "").ok());

  auto bad = r.route(CallOrigin::Sip, "2+1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().why, NoRoute::Why::BadDigit);
  // A bad character after the matched part is still refused.
  EXPECT_EQ(r.route(CallOrigin::Sip, "29a").error().why, NoRoute::Why::BadDigit);
}

TEST(Router, DefaultRouteCatchesTheRest) {
  auto c = twoTrunksOnePeer();
  c.routes.push_back(route("", RouteTargetKind::Trunk, "B"));
  c.routes.push_back(route("44", RouteTargetKind::Trunk, "A"));
  const Router r(c);
  EXPECT_EQ(r.route(CallOrigin::Isup, "4412")->target, "A");
  EXPECT_EQ(r.route(CallOrigin::Isup, "4512")->target, "B");
  EXPECT_EQ(r.route(CallOrigin::Isup, "*21#")->target, "B");
}

TEST(Router, NormalisesTheNumber) {
  auto c = twoTrunksOnePeer();
  auto r1 = route("00", RouteTargetKind::Trunk, "B");
  r1.strip = 2;
  r1.noa = NatureOfAddress::International;
  c.routes.push_back(r1);
  auto r2 = route("5", RouteTargetKind::SipPeer, "uas");
  r2.strip = 1;
  r2.prepend = "+49";  // a SIP peer may want E.164 with '+'; the router does not judge
  c.routes.push_back(r2);
  auto r3 = route("7", RouteTargetKind::Trunk, "A");
  r3.strip = 4;
  c.routes.push_back(r3);
  const Router r(c);

  auto m = r.route(CallOrigin::Sip, "00442071234567");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->number, "442071234567");
  EXPECT_EQ(m->noa, NatureOfAddress::International);

  m = r.route(CallOrigin::Isup, "5123");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->number, "+49123");

  m = r.route(CallOrigin::Sip, "7123");  // strip takes every digit
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().why, NoRoute::Why::EmptyNumber);
  EXPECT_EQ(r.route(CallOrigin::Sip, "71234")->number, "4");
}

TEST(Router, OriginSpecificRoutes) {
  auto c = twoTrunksOnePeer();
  c.routes.push_back(route("5", RouteTargetKind::Trunk, "A"));  // any
  c.routes.push_back(route("5", RouteTargetKind::SipPeer, "uas", RouteSource::Isup));
  c.routes.push_back(route("6", RouteTargetKind::Trunk, "B", RouteSource::Sip));
  const Router r(c);
  EXPECT_EQ(r.route(CallOrigin::Sip, "5000")->target, "A");
  EXPECT_EQ(r.route(CallOrigin::Isup, "5000")->target, "uas");  // specific beats any
  EXPECT_TRUE(r.route(CallOrigin::Sip, "6000").ok());
  EXPECT_FALSE(r.route(CallOrigin::Isup, "6000").ok());
}

TEST(Router, UnknownTargetsAreSkipped) {
  auto c = twoTrunksOnePeer();
  c.routes.push_back(route("1", RouteTargetKind::Trunk, "Z"));
  c.routes.push_back(route("2", RouteTargetKind::SipPeer, "A"));  // A is a trunk, not a peer
  const Router r(c);
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.skipped(), 2u);
  EXPECT_FALSE(r.route(CallOrigin::Sip, "1").ok());
}

// 20 000 random routes: every lookup agrees with a linear longest-prefix scan.
TEST(Router, ThousandsOfRoutesAgreeWithLinearScan) {
  auto c = twoTrunksOnePeer();
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> len(1, 8), digit(0, 9), trunk(0, 1);
  std::set<std::string> seen;
  while (c.routes.size() < 20000) {
    std::string p;
    for (int i = len(rng); i > 0; --i) p += static_cast<char>('0' + digit(rng));
    if (!seen.insert(p).second) continue;
    c.routes.push_back(route(p, RouteTargetKind::Trunk, trunk(rng) ? "A" : "B"));
  }
  const Router r(c);
  ASSERT_EQ(r.size(), 20000u);
  std::size_t matched = 0;
  for (int n = 0; n < 5000; ++n) {
    std::string num;
    for (int i = 0; i < 10; ++i) num += static_cast<char>('0' + digit(rng));
    std::size_t best = SIZE_MAX, bestLen = 0;
    for (std::size_t i = 0; i < c.routes.size(); ++i) {
      const auto& p = c.routes[i].prefix;
      if (num.compare(0, p.size(), p) == 0 && (best == SIZE_MAX || p.size() > bestLen)) {
        best = i;
        bestLen = p.size();
      }
    }
    auto m = r.route(CallOrigin::Sip, num);
    ASSERT_EQ(m.ok(), best != SIZE_MAX) << num;
    if (m.ok()) {
      ++matched;
      EXPECT_EQ(m->routeIndex, best) << num;
    }
  }
  EXPECT_GT(matched, 4000u);  // 1-digit prefixes are nearly all present
}

}  // namespace
}  // namespace siptgw::gateway
