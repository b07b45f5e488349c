// TimerQueue, ManualTimerService and AsioTimerService (config/timer_service.h): deadline
// order with ties in start order, cancel (also of stale ids), re-arming from inside a
// callback, and the asio service's single steady_timer letting io_context::run() return.
#include "config/timer_service.h"

#include <gtest/gtest.h>

#include <asio.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace siptgw {
namespace {

TEST(TimerQueue, PopsInDeadlineOrderTiesInStartOrder) {
  TimerQueue q;
  std::string got;
  q.push(30, [&] { got += 'c'; });
  q.push(10, [&] { got += 'a'; });
  q.push(20, [&] { got += 'b'; });
  q.push(10, [&] { got += 'A'; });
  q.push(0, [&] { got += '0'; });
  EXPECT_EQ(q.size(), 5u);
  EXPECT_EQ(q.nextDue(), 0u);
  while (!q.empty()) q.pop()();
  EXPECT_EQ(got, "0aAbc");
}

TEST(TimerQueue, CancelRemovesAnyPositionAndStaleIdsAreHarmless) {
  TimerQueue q;
  std::vector<int> got;
  std::vector<TimerQueue::Id> ids;
  for (int i = 0; i < 50; ++i) {
    ids.push_back(q.push(static_cast<uint64_t>((i * 37) % 50), [&got, i] { got.push_back(i); }));
  }
  for (int i = 0; i < 50; i += 3) EXPECT_TRUE(q.cancel(ids[static_cast<std::size_t>(i)]));
  EXPECT_FALSE(q.cancel(ids[0]));  // already cancelled
  EXPECT_FALSE(q.cancel(0));
  EXPECT_FALSE(q.cancel(12345678));
  // The freed slot is reused; the old id must not cancel its new user.
  bool fresh = false;
  const TimerQueue::Id reused = q.push(1000, [&] { fresh = true; });
  EXPECT_NE(reused, ids[0]);
  EXPECT_FALSE(q.cancel(ids[0]));
  uint64_t last = 0;
  std::size_t n = 0;
  while (!q.empty()) {
    const uint64_t due = q.nextDue();
    EXPECT_GE(due, last);
    last = due;
    q.pop()();
    ++n;
  }
  EXPECT_EQ(n, 50u - 17u + 1u);
  EXPECT_TRUE(fresh);
  for (int i : got) EXPECT_NE(i % 3, 0) << i;
  EXPECT_EQ(got.size(), 33u);
}

TEST(TimerQueue, MatchesAnOrderedReferenceUnderRandomStartsCancelsAndPops) {
  TimerQueue q;
  std::map<std::pair<uint64_t, uint64_t>, int> ref;  // (due, start number) -> tag
  std::vector<std::pair<TimerQueue::Id, std::pair<uint64_t, uint64_t>>> live;
  std::vector<int> got, want;
  uint64_t seq = 0, now = 0, rnd = 12345;
  auto next = [&] { return rnd = rnd * 6364136223846793005u + 1442695040888963407u, rnd >> 33; };
  for (int step = 0; step < 20000; ++step) {
    const uint64_t r = next() % 10;
    if (r < 5) {  // start
      const uint64_t due = now + next() % 500;
      const int tag = step;
      live.push_back({q.push(due, [&got, tag] { got.push_back(tag); }), {due, seq}});
      ref[{due, seq++}] = tag;
    } else if (r < 7 && !live.empty()) {  // cancel one (maybe fired already)
      const std::size_t k = next() % live.size();
      const bool pending = ref.count(live[k].second) != 0;
      EXPECT_EQ(q.cancel(live[k].first), pending);
      ref.erase(live[k].second);
      live[k] = live.back();
      live.pop_back();
    } else if (!ref.empty()) {  // fire the earliest
      ASSERT_EQ(q.nextDue(), ref.begin()->first.first);
      now = q.nextDue();
      want.push_back(ref.begin()->second);
      ref.erase(ref.begin());
      q.pop()();
    }
    ASSERT_EQ(q.size(), ref.size());
  }
  EXPECT_EQ(got, want);
}

TEST(TimerQueue, PostedWorkKeepsDeadlineThenStartOrderWithTimers) {
  TimerQueue q;
  std::string got;
  q.push(10, [&] { got += 'a'; });
  q.pushPosted(10, [&] { got += 'P'; });  // same deadline, started later: after 'a'
  q.push(10, [&] { got += 'b'; });         // started after the post
  q.pushPosted(12, [&] { got += 'Q'; });
  q.push(11, [&] { got += 'c'; });
  // More posts than the ring's first size: it grows and keeps their order.
  for (int i = 0; i < 100; ++i) q.pushPosted(20, [&] { got += 'x'; });
  q.push(15, [&] { got += 'd'; });
  EXPECT_EQ(q.size(), 106u);
  EXPECT_EQ(q.nextDue(), 10u);
  while (!q.empty()) q.pop()();
  EXPECT_EQ(got, "aPbcQd" + std::string(100, 'x'));
}

TEST(Timer, RunningUntilItsCallbackIsTakenOrItIsStopped) {
  ManualTimerService clock;
  Timer t(clock);
  EXPECT_FALSE(t.running());
  bool sawRunning = true;
  t.start(10, [&] { sawRunning = t.running(); });
  EXPECT_TRUE(t.running());
  clock.advance(10);
  EXPECT_FALSE(sawRunning);  // inside its own callback
  EXPECT_FALSE(t.running());
  t.start(10, [] {});
  t.stop();
  EXPECT_FALSE(t.running());
  t.stop();  // twice: harmless
  EXPECT_EQ(clock.pending(), 0u);
  EXPECT_EQ(sizeof(Timer), 2 * sizeof(void*));  // the callback waits in the service's queue
}

TEST(ManualTimerService, CallbacksSeeTheirDeadlineAndRearmInside) {
  ManualTimerService clock;
  std::vector<uint64_t> at;
  Timer periodic(clock);
  int left = 3;
  std::function<void()> tick = [&] {
    at.push_back(clock.nowMs());
    if (--left > 0) periodic.start(10, tick);  // re-arm from inside its own callback
  };
  periodic.start(10, tick);
  Timer other(clock);
  other.start(15, [&] { at.push_back(1000 + clock.nowMs()); });
  clock.advance(100);
  EXPECT_EQ(at, (std::vector<uint64_t>{10, 1015, 20, 30}));
  EXPECT_EQ(clock.nowMs(), 100u);
  EXPECT_EQ(clock.pending(), 0u);
  EXPECT_EQ(clock.fired(), 4u);
}

TEST(ManualTimerService, CancelFromAnotherCallbackAndPostOrder) {
  ManualTimerService clock;
  std::string got;
  Timer a(clock), b(clock);
  a.start(5, [&] {
    got += 'a';
    b.stop();  // due at the same instant, later in start order
  });
  b.start(5, [&] { got += 'b'; });
  clock.post([&] { got += 'p'; });
  clock.post([&] { got += 'q'; });
  EXPECT_EQ(clock.nextDeadline(), 0u);
  clock.runUntilIdle();
  EXPECT_EQ(got, "pq");
  clock.advance(5);
  EXPECT_EQ(got, "pqa");
  EXPECT_FALSE(clock.nextDeadline().has_value());
}

TEST(AsioTimerService, FiresInOrderCancelsAndRearms) {
  asio::io_context io;
  AsioTimerService svc(io, 2);
  std::string got;
  const auto t0 = std::chrono::steady_clock::now();
  Timer a(svc), b(svc), c(svc), r(svc);
  a.start(80, [&] { got += 'a'; });
  b.start(50, [&] { got += 'b'; });
  c.start(20, [&] { got += 'c'; });
  c.stop();
  int rounds = 0;
  std::function<void()> again = [&] {
    got += 'r';
    if (++rounds < 3) r.start(1, again);
  };
  r.start(1, again);
  svc.post([&] { got += 'p'; });
  io.run();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  EXPECT_EQ(got, "prrrba");
  EXPECT_GE(ms.count(), 80);
  EXPECT_EQ(svc.pending(), 0u);
}

TEST(AsioTimerService, RunReturnsOnceTheLastTimerIsCancelled) {
  asio::io_context io;
  AsioTimerService svc(io);
  Timer longOne(svc);
  longOne.start(60000, [] { FAIL() << "must not fire"; });
  Timer killer(svc);
  killer.start(1, [&] { longOne.stop(); });
  const auto t0 = std::chrono::steady_clock::now();
  io.run_for(std::chrono::seconds(10));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(svc.pending(), 0u);
}

TEST(AsioTimerService, PostedWorkDoesNotRunInsideStartAndCannotStarveTheLoop) {
  asio::io_context io;
  AsioTimerService svc(io);
  int n = 0;
  bool other = false;
  std::function<void()> self = [&] {
    if (++n < 100) svc.post(self);
  };
  svc.post(self);
  EXPECT_EQ(n, 0);
  asio::post(io, [&] { other = true; });
  // Each re-post runs in a later turn: the plain asio handler gets its turn early.
  io.run_one();
  io.run_one();
  EXPECT_TRUE(other);
  EXPECT_LT(n, 100);
  io.run();
  EXPECT_EQ(n, 100);
}

}  // namespace
}  // namespace siptgw
