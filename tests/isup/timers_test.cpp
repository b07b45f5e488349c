// Q.764 Annex A timer table, the manual clock, Timer handles and the in-process MTP link.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <asio.hpp>

#include "isup/inprocess_link.h"
#include "config/timer_service.h"
#include "isup/timers.h"

namespace siptgw::isup {
namespace {

TEST(TimerTable, CoversT1ToT38InOrderWithDefaultsInRange) {
  auto t = timerTable();
  ASSERT_EQ(t.size(), 38u);
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(t[i].timer), i + 1);
    EXPECT_EQ(t[i].name, "T" + std::to_string(i + 1));
    EXPECT_LE(t[i].min_ms, t[i].default_ms) << t[i].name;
    EXPECT_LE(t[i].default_ms, t[i].max_ms) << t[i].name;
    EXPECT_FALSE(t[i].clause.empty()) << t[i].name;
  }
  EXPECT_EQ(timerSpec(IsupTimer::T1).default_ms, 15000u);
  EXPECT_EQ(timerSpec(IsupTimer::T5).max_ms, 15u * 60 * 1000);
  EXPECT_EQ(timerSpec(IsupTimer::T7).max_ms, 30000u);
  EXPECT_EQ(timerSpec(IsupTimer::T27).default_ms, 4u * 60 * 1000);
  EXPECT_EQ(timerSpec(IsupTimer::T35).min_ms, 15000u);
}

TEST(TimerConfig, OverridesAreRangeChecked) {
  TimerConfig c;
  EXPECT_EQ(c.ms(IsupTimer::T7), 20000u);
  EXPECT_TRUE(c.set(IsupTimer::T7, 25000).ok());
  EXPECT_EQ(c.ms(IsupTimer::T7), 25000u);
  auto bad = c.set(IsupTimer::T7, 31000);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("T7"), std::string::npos);
  EXPECT_EQ(c.ms(IsupTimer::T7), 25000u);
  EXPECT_TRUE(c.set("t12", 30000).ok());
  EXPECT_EQ(c.ms(IsupTimer::T12), 30000u);
  EXPECT_FALSE(c.set("T39", 1000).ok());
  EXPECT_FALSE(c.set("X1", 1000).ok());
  EXPECT_EQ(timerFromName("T38"), IsupTimer::T38);
  EXPECT_FALSE(timerFromName("T0"));
}

TEST(TimerConfig, MarkdownHasEveryTimerAndMatchesTheDocs) {
  TimerConfig c;
  c.force(IsupTimer::T9, 120000);
  std::string md = timersMarkdown(&c);
  EXPECT_NE(md.find("| T1 | 15 s | 15 s–1 min |"), std::string::npos);
  EXPECT_NE(md.find("| 2 min |\n"), std::string::npos);  // T9's configured column
  std::size_t rows = 0;
  for (char ch : timersMarkdown()) rows += ch == '\n';
  EXPECT_EQ(rows, 40u);  // header, separator, 38 timers
  // docs/isup-timers.md embeds the default table verbatim.
  std::ifstream f(std::string(SIPTGW_SOURCE_DIR) + "/docs/isup-timers.md");
  ASSERT_TRUE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_NE(ss.str().find(timersMarkdown()), std::string::npos) << "regenerate docs/isup-timers.md";
}

TEST(ManualClock, FiresInDeadlineOrderThenStartOrder) {
  ManualTimerService clock;
  std::vector<std::pair<int, uint64_t>> seen;
  clock.start(30, [&] { seen.push_back({1, clock.nowMs()}); });
  clock.start(10, [&] { seen.push_back({2, clock.nowMs()}); });
  clock.start(10, [&] { seen.push_back({3, clock.nowMs()}); });
  auto id = clock.start(20, [&] { seen.push_back({4, clock.nowMs()}); });
  clock.cancel(id);
  clock.advance(25);
  EXPECT_EQ(seen, (std::vector<std::pair<int, uint64_t>>{{2, 10}, {3, 10}}));
  EXPECT_EQ(clock.nowMs(), 25u);
  clock.advance(5);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.back(), (std::pair<int, uint64_t>{1, 30}));
  EXPECT_EQ(clock.pending(), 0u);
}

TEST(ManualClock, TimerStartedFromACallbackFiresInTheSameAdvance) {
  ManualTimerService clock;
  Timer t(clock);
  int n = 0;
  std::function<void()> again = [&] {
    ++n;
    if (n < 3) t.start(10, again);
  };
  t.start(10, again);
  clock.advance(100);
  EXPECT_EQ(n, 3);
  EXPECT_FALSE(t.running());
}

TEST(ManualClock, PostedWorkRunsLaterNotInline) {
  ManualTimerService clock;
  int n = 0;
  clock.post([&] { ++n; });
  EXPECT_EQ(n, 0);
  clock.runUntilIdle();
  EXPECT_EQ(n, 1);
}

TEST(TimerHandle, StopAndDestructionCancel) {
  ManualTimerService clock;
  int n = 0;
  {
    Timer t(clock);
    t.start(10, [&] { ++n; });
    EXPECT_TRUE(t.running());
  }
  Timer t2(clock);
  t2.start(10, [&] { ++n; });
  t2.stop();
  t2.start(5, [&] { n += 10; });  // restart replaces
  t2.start(7, [&] { n += 100; });
  clock.advance(20);
  EXPECT_EQ(n, 100);
}

TEST(AsioClock, FiresAndCancels) {
  asio::io_context io;
  AsioTimerService svc(io);
  int n = 0;
  Timer a(svc), b(svc);
  a.start(1, [&] { n += 1; });
  b.start(1, [&] { n += 10; });
  b.stop();
  svc.post([&] { n += 100; });
  io.run();
  EXPECT_EQ(n, 101);
}

struct LinkUser : MtpUser {
  std::vector<MtpTransfer> got;
  std::vector<std::string> prims;
  void mtpTransfer(const MtpTransfer& m) override { got.push_back(m); }
  void mtpPause(uint32_t dpc) override { prims.push_back("pause " + std::to_string(dpc)); }
  void mtpResume(uint32_t dpc) override { prims.push_back("resume " + std::to_string(dpc)); }
  void mtpStatus(const MtpStatus& s) override { prims.push_back("status " + std::to_string(s.affected_dpc)); }
};

TEST(InProcessLink, DeliversPostedPausesAndLoses) {
  ManualTimerService clock;
  InProcessLink link(clock, 1, 2);
  LinkUser ua, ub;
  link.a().setUser(&ua);
  link.b().setUser(&ub);
  MtpTransfer t;
  t.header.opc = 1;
  t.header.dpc = 2;
  const uint8_t payload[] = {1, 0, 0x10, 0};
  t.setPayload(payload);
  EXPECT_TRUE(link.a().mtpTransferRequest(t));
  EXPECT_TRUE(ub.got.empty());  // not re-entrant
  clock.runUntilIdle();
  ASSERT_EQ(ub.got.size(), 1u);
  EXPECT_EQ(ub.got[0].size, 4u);
  t.header.dpc = 9;
  EXPECT_FALSE(link.a().mtpTransferRequest(t));  // unknown destination
  t.header.dpc = 2;
  link.loseNext(InProcessLink::Side::A, 1);
  EXPECT_TRUE(link.a().mtpTransferRequest(t));
  clock.runUntilIdle();
  EXPECT_EQ(ub.got.size(), 1u);
  EXPECT_EQ(link.lost(), 1u);
  link.pause(InProcessLink::Side::A);
  EXPECT_FALSE(link.a().available(2));
  EXPECT_FALSE(link.a().mtpTransferRequest(t));
  clock.runUntilIdle();
  link.resume(InProcessLink::Side::A);
  link.status(InProcessLink::Side::B, MtpStatus{MtpStatus::Kind::Congestion, 1, 1, {}});
  clock.runUntilIdle();
  EXPECT_EQ(ua.prims, (std::vector<std::string>{"pause 2", "resume 2"}));
  EXPECT_EQ(ub.prims, (std::vector<std::string>{"status 1"}));
  link.setLatency(50);
  EXPECT_TRUE(link.a().mtpTransferRequest(t));
  clock.advance(49);
  EXPECT_EQ(ub.got.size(), 1u);
  clock.advance(1);
  EXPECT_EQ(ub.got.size(), 2u);
}

}  // namespace
}  // namespace siptgw::isup
