// RFC 3261 Table 4 (and RFC 6026, 3262, 4028) timers as data: derivations from T1/T2/T4,
// ranges, and docs/sip-timers.md kept equal to the table.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sip/timers.h"

namespace siptgw::sip {
namespace {

TEST(SipTimers, Table4Defaults) {
  TimerConfig c;
  EXPECT_EQ(c.timerA(), 500u);
  EXPECT_EQ(c.timerB(), 32000u);
  EXPECT_EQ(c.timerD(false), 32000u);
  EXPECT_EQ(c.timerD(true), 0u);
  EXPECT_EQ(c.timerE(), 500u);
  EXPECT_EQ(c.timerF(), 32000u);
  EXPECT_EQ(c.timerG(), 500u);
  EXPECT_EQ(c.timerH(), 32000u);
  EXPECT_EQ(c.timerI(false), 5000u);
  EXPECT_EQ(c.timerI(true), 0u);
  EXPECT_EQ(c.timerJ(false), 32000u);
  EXPECT_EQ(c.timerJ(true), 0u);
  EXPECT_EQ(c.timerK(false), 5000u);
  EXPECT_EQ(c.timerK(true), 0u);
  EXPECT_EQ(c.timerL(), 32000u);
  EXPECT_EQ(c.timerM(), 32000u);
  EXPECT_EQ(c.rel1xxGiveUp(), 32000u);
  EXPECT_EQ(c.nonInvite100Delay(), 3500u);  // 500 + 1000 + 2000
}

TEST(SipTimers, DerivedFromConfiguredT1) {
  TimerConfig c;
  c.t1 = 1000;
  c.t2 = 8000;
  EXPECT_EQ(c.timerB(), 64000u);
  EXPECT_EQ(c.timerD(false), 64000u);  // "at least 32 s", and never below 64·T1
  EXPECT_EQ(c.nonInvite100Delay(), 7000u);
  c.t1 = 250;
  EXPECT_EQ(c.timerD(false), 32000u);
}

TEST(SipTimers, TableRowsInOrderWithClauses) {
  auto t = timerTable();
  ASSERT_EQ(t.size(), 22u);
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(t[i].name), i);
    EXPECT_FALSE(t[i].clause.empty());
    EXPECT_LE(t[i].min, t[i].defaultValue);
    EXPECT_GE(t[i].max, t[i].defaultValue);
  }
  EXPECT_EQ(timerDef(TimerName::B).defaultText, "64*T1");
  EXPECT_TRUE(timerDef(TimerName::T1).configurable);
  EXPECT_FALSE(timerDef(TimerName::H).configurable);
}

TEST(SipTimers, Validation) {
  EXPECT_TRUE(validate(TimerConfig{}).ok());
  TimerConfig c;
  c.t1 = 50;
  auto r = validate(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().timer, TimerName::T1);
  EXPECT_EQ(r.error().message, "T1 = 50ms is outside 100..5000ms (RFC 3261 §17.1.1.1, Table 4)");
  c = {};
  c.t1 = 3000;
  c.t2 = 2000;
  EXPECT_EQ(validate(c).error().timer, TimerName::T2);
  c = {};
  c.minSE = 4000;
  c.sessionExpires = 3600;
  EXPECT_EQ(validate(c).error().timer, TimerName::MinSE);
}

TEST(SipTimers, DocsMatchTable) {
  std::ifstream f(SIPTGW_SOURCE_DIR "/docs/sip-timers.md");
  ASSERT_TRUE(f) << "docs/sip-timers.md missing";
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), renderTimersMarkdown()) << "regenerate docs/sip-timers.md";
}

}  // namespace
}  // namespace siptgw::sip
