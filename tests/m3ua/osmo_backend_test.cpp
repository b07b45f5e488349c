// The libosmo-sigtran adapter without a peer (no SCTP needed): it starts its ss7 thread,
// reports the AS/ASP state by libosmo-sigtran's names, carries requests through osmo_it_q
// to the stack (which refuses them: the AS is down) and stops cleanly. Its own binary:
// libosmocore's logging and the cs7 instance list are process-global.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "isup/m3ua/m3ua_backend.h"

using namespace siptgw::isup;
using namespace siptgw::isup::m3ua;
using namespace std::chrono_literals;

namespace {

struct Listener final : BackendListener {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<SigtranState> states;
  int accepted = 0, refused = 0, transfers = 0;
  std::thread::id thread;

  void note() {
    thread = std::this_thread::get_id();
    cv.notify_all();
  }
  void onTransfer(const MtpTransfer&) override { std::lock_guard lk(mu); ++transfers; note(); }
  void onState(const SigtranState& s) override { std::lock_guard lk(mu); states.push_back(s); note(); }
  void onPause(uint32_t) override {}
  void onResume(uint32_t) override {}
  void onStatus(const MtpStatus&) override {}
  void onSendResult(bool ok) override { std::lock_guard lk(mu); ++(ok ? accepted : refused); note(); }

  template <class P>
  bool waitFor(P pred) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, 5s, pred);
  }
};

SigtranPlan plan() {
  M3uaConfig c;
  c.local_pc = 186;
  c.routing_context = 100;
  // Nothing listens there; without SCTP in the kernel the socket cannot even be created.
  c.asps.push_back({"asp-t", {"127.0.0.1"}, 0, {"127.0.0.1"}, 1});
  c.routes.push_back({187, 0});
  c.log_level = SigtranLogLevel::Fatal;
  return *buildPlan(c);
}

}  // namespace

TEST(OsmoSigtranBackend, RunsItsThreadAndRefusesSendsWhileTheAsIsDown) {
  Listener l;
  auto b = makeOsmoSigtranBackend(plan());
  ASSERT_TRUE(b->start(l));

  ASSERT_TRUE(l.waitFor([&] { return !l.states.empty(); }));
  {
    std::lock_guard lk(l.mu);
    EXPECT_NE(l.thread, std::this_thread::get_id());
    EXPECT_FALSE(l.states.back().as_active);
    EXPECT_EQ(l.states.back().as_state, "AS_DOWN");
    ASSERT_EQ(l.states.back().asps.size(), 1u);
    EXPECT_EQ(l.states.back().asps[0].name, "asp-t");
    EXPECT_EQ(l.states.back().asps[0].state, "ASP_DOWN");
  }

  MtpTransfer t;
  t.header.opc = 186;
  t.header.dpc = 187;
  const uint8_t payload[] = {0x01, 0x00, 0x10};
  t.setPayload(payload);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(b->submit(t));
  ASSERT_TRUE(l.waitFor([&] { return l.refused == 10; }));
  EXPECT_EQ(l.accepted, 0);

  // One backend per process.
  auto second = makeOsmoSigtranBackend(plan());
  Listener l2;
  EXPECT_FALSE(second->start(l2));

  b->stop();
  EXPECT_FALSE(b->submit(t));
}

TEST(OsmoSigtranBackend, ManyMessagesFromSeveralThreadsAllReachTheSs7Thread) {
  Listener l;
  auto b = makeOsmoSigtranBackend(plan());
  ASSERT_TRUE(b->start(l));
  MtpTransfer t;
  t.header.dpc = 187;
  const uint8_t payload[] = {0x01, 0x00, 0x10};
  t.setPayload(payload);
  std::vector<std::thread> senders;
  for (int k = 0; k < 4; ++k)
    senders.emplace_back([&] {
      for (int i = 0; i < 500; ++i) EXPECT_TRUE(b->submit(t));
    });
  for (auto& s : senders) s.join();
  EXPECT_TRUE(l.waitFor([&] { return l.refused + l.accepted == 2000; }));
  b->stop();
}
