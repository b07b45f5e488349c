// M3uaLink's thread bridge with a fake backend: indications raised on another thread reach
// the user on the core (io_context) thread; PAUSE/RESUME follow the AS state; requests are
// refused while paused; counters and state names are readable from any thread.
#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>

#include "isup/m3ua/m3ua_link.h"

using namespace siptgw::isup;
using namespace siptgw::isup::m3ua;

namespace {

class FakeBackend final : public Backend {
 public:
  siptgw::Result<siptgw::Ok, std::string> start(BackendListener& l) override {
    listener = &l;
    return siptgw::Ok{};
  }
  bool submit(const MtpTransfer& m) override {
    std::lock_guard lk(mu);
    if (full) return false;
    sent.push_back(m);
    return true;
  }
  void stop() override { stopped = true; }

  // Runs f as the ss7 thread would: on a thread that is not the core thread.
  void onSs7(const std::function<void(BackendListener&)>& f) {
    std::thread t([&] { f(*listener); });
    t.join();
  }
  void setAs(bool active) {
    SigtranState s;
    s.as_active = active;
    s.as_state = active ? "AS_ACTIVE" : "AS_PENDING";
    s.asps.push_back({"asp-a", active ? "ASP_ACTIVE" : "ASP_DOWN", active});
    onSs7([&](BackendListener& l) { l.onState(s); });
  }

  BackendListener* listener = nullptr;
  std::mutex mu;
  std::vector<MtpTransfer> sent;
  bool full = false;
  bool stopped = false;
};

struct Recorder final : MtpUser {
  std::thread::id core = std::this_thread::get_id();
  std::vector<std::string> events;
  std::vector<MtpTransfer> rx;
  bool wrong_thread = false;
  void check() { wrong_thread |= std::this_thread::get_id() != core; }
  void mtpTransfer(const MtpTransfer& m) override { check(); rx.push_back(m); events.push_back("transfer"); }
  void mtpPause(uint32_t dpc) override { check(); events.push_back("pause " + std::to_string(dpc)); }
  void mtpResume(uint32_t dpc) override { check(); events.push_back("resume " + std::to_string(dpc)); }
  void mtpStatus(const MtpStatus& s) override { check(); events.push_back("status " + std::to_string(s.affected_dpc)); }
};

SigtranPlan plan() {
  M3uaConfig c;
  c.local_pc = 186;
  c.asps.push_back({"asp-a", {"127.0.0.1"}, 2906, {"127.0.0.1"}, 2905});
  c.routes.push_back({187, 0});
  c.routes.push_back({200, 0});
  return *buildPlan(c);
}

MtpTransfer msg(uint32_t dpc, uint32_t opc = 186) {
  MtpTransfer t;
  t.header.dpc = dpc;
  t.header.opc = opc;
  const uint8_t payload[] = {0x01, 0x00, 0x10};  // CIC 1, RLC
  t.setPayload(payload);
  return t;
}

class M3uaLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fb = std::make_unique<FakeBackend>();
    fake = fb.get();
    link = std::make_unique<M3uaLink>(io, plan(), std::move(fb));
    link->setUser(&user);
    ASSERT_TRUE(link->start());
  }
  void runCore() {
    io.restart();
    io.poll();
  }
  asio::io_context io;
  Recorder user;
  FakeBackend* fake = nullptr;
  std::unique_ptr<M3uaLink> link;
};

}  // namespace

TEST_F(M3uaLinkTest, StartsPausedAndRefusesSends) {
  EXPECT_FALSE(link->available(187));
  EXPECT_FALSE(link->mtpTransferRequest(msg(187)));
  EXPECT_TRUE(fake->sent.empty());
  EXPECT_EQ(link->stats().send_refused, 1u);
  EXPECT_TRUE(user.events.empty());
}

TEST_F(M3uaLinkTest, AsActiveResumesEveryRoutedDestinationOnCore) {
  fake->setAs(true);
  EXPECT_FALSE(link->available(187));  // not before core has run the indication
  runCore();
  EXPECT_EQ(user.events, (std::vector<std::string>{"resume 187", "resume 200"}));
  EXPECT_FALSE(user.wrong_thread);
  EXPECT_TRUE(link->available(187));
  EXPECT_TRUE(link->available(200));
  EXPECT_FALSE(link->available(201));  // no route
  EXPECT_TRUE(link->mtpTransferRequest(msg(187)));
  EXPECT_FALSE(link->mtpTransferRequest(msg(201)));
  ASSERT_EQ(fake->sent.size(), 1u);
  EXPECT_EQ(fake->sent[0].header.dpc, 187u);
}

TEST_F(M3uaLinkTest, AsDownPausesAndRefuses) {
  fake->setAs(true);
  runCore();
  fake->setAs(false);
  runCore();
  EXPECT_EQ(user.events, (std::vector<std::string>{"resume 187", "resume 200", "pause 187", "pause 200"}));
  EXPECT_FALSE(link->available(187));
  EXPECT_FALSE(link->mtpTransferRequest(msg(187)));
  const LinkStats s = link->stats();
  EXPECT_EQ(s.pauses, 2u);
  EXPECT_EQ(s.resumes, 2u);
  EXPECT_EQ(s.state_changes, 2u);
  EXPECT_EQ(s.state.as_state, "AS_PENDING");
  ASSERT_EQ(s.state.asps.size(), 1u);
  EXPECT_EQ(s.state.asps[0].state, "ASP_DOWN");
  EXPECT_NE(s.last_state_change, std::chrono::system_clock::time_point{});
}

TEST_F(M3uaLinkTest, UnchangedStateIsNotReportedTwice) {
  fake->setAs(true);
  fake->setAs(true);
  runCore();
  EXPECT_EQ(user.events.size(), 2u);
}

TEST_F(M3uaLinkTest, TransferIndicationsArriveOnCoreInOrder) {
  fake->setAs(true);
  fake->onSs7([](BackendListener& l) {
    for (uint8_t i = 0; i < 5; ++i) {
      MtpTransfer t = msg(186, 187);
      t.data[0] = i;
      l.onTransfer(t);
    }
  });
  runCore();
  ASSERT_EQ(user.rx.size(), 5u);
  for (uint8_t i = 0; i < 5; ++i) EXPECT_EQ(user.rx[i].data[0], i);
  EXPECT_EQ(user.rx[0].header.opc, 187u);
  EXPECT_EQ(user.rx[0].size, 3);
  EXPECT_FALSE(user.wrong_thread);
  EXPECT_EQ(link->stats().msgs_in, 5u);
}

TEST_F(M3uaLinkTest, FillsInOurPointCodeAsOpc) {
  fake->setAs(true);
  runCore();
  ASSERT_TRUE(link->mtpTransferRequest(msg(187, 0)));
  EXPECT_EQ(fake->sent.at(0).header.opc, 186u);
}

TEST_F(M3uaLinkTest, QueueFullRefuses) {
  fake->setAs(true);
  runCore();
  fake->full = true;
  EXPECT_FALSE(link->mtpTransferRequest(msg(187)));
  EXPECT_EQ(link->stats().send_refused, 1u);
}

TEST_F(M3uaLinkTest, StackPauseForOneDestinationAndFreshActivationClearsIt) {
  fake->setAs(true);
  runCore();
  fake->onSs7([](BackendListener& l) { l.onPause(200); });
  runCore();
  EXPECT_TRUE(link->available(187));
  EXPECT_FALSE(link->available(200));
  fake->onSs7([](BackendListener& l) { l.onResume(200); });
  runCore();
  EXPECT_TRUE(link->available(200));
  fake->onSs7([](BackendListener& l) { l.onPause(200); });
  fake->setAs(false);
  fake->setAs(true);
  runCore();
  EXPECT_TRUE(link->available(200));
  EXPECT_EQ(user.events.back(), "resume 200");
}

TEST_F(M3uaLinkTest, StatusAndSendResultsAreCounted) {
  fake->onSs7([](BackendListener& l) {
    MtpStatus st;
    st.affected_dpc = 187;
    l.onStatus(st);
    l.onSendResult(true);
    l.onSendResult(false);
  });
  runCore();
  EXPECT_EQ(user.events, (std::vector<std::string>{"status 187"}));
  const LinkStats s = link->stats();
  EXPECT_EQ(s.statuses, 1u);
  EXPECT_EQ(s.msgs_out, 1u);
  EXPECT_EQ(s.send_failed, 1u);
}

TEST_F(M3uaLinkTest, NothingReachesTheUserAfterStop) {
  fake->setAs(true);
  fake->onSs7([](BackendListener& l) { l.onTransfer(msg(186, 187)); });
  link->stop();
  EXPECT_TRUE(fake->stopped);
  runCore();
  EXPECT_TRUE(user.events.empty());
  EXPECT_FALSE(link->available(187));
  EXPECT_FALSE(link->mtpTransferRequest(msg(187)));
}

TEST_F(M3uaLinkTest, StatsAreReadableFromAnotherThreadWhileTheSs7ThreadWrites) {
  fake->setAs(true);
  std::thread reader([&] {
    for (int i = 0; i < 1000; ++i) (void)link->stats();
  });
  fake->onSs7([](BackendListener& l) {
    for (int i = 0; i < 1000; ++i) l.onTransfer(msg(186, 187));
  });
  reader.join();
  runCore();
  EXPECT_EQ(user.rx.size(), 1000u);
}

TEST_F(M3uaLinkTest, RestartBeginsPausedAndResumesAgain) {
  fake->setAs(true);
  runCore();
  link->stop();
  ASSERT_TRUE(link->start());
  EXPECT_FALSE(link->available(187));
  fake->setAs(true);
  runCore();
  EXPECT_TRUE(link->available(187));
  EXPECT_EQ(user.events.back(), "resume 200");
}
