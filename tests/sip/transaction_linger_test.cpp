// The wait-out timers (RFC 3261 Table 4 Timers D, I, J, K; RFC 6026 §7 Timers L, M) run in
// the transaction layer's LingerLanes: a FIFO per timer length, ended in one pass per slack
// step. These tests pin what that may change (a finished transaction ends up to the slack
// late, never early) and what it must not (retransmissions absorbed until then, an
// early end removes the entry, every transaction ends exactly once).
#include <gtest/gtest.h>

#include <string>

#include "sip/message_builder.h"
#include "transaction_test_util.h"

namespace siptgw::sip {
namespace {

using namespace testing;

TxnState stateOf(Harness& h, TxnId id) {
  Transaction* t = h.layer.find(id);
  return t == nullptr ? TxnState::Terminated : t->state();
}

std::string okFor(const Transaction& t, std::uint16_t code = 200) {
  std::string s;
  MessageBuilder b(s);
  appendResponseFor(b, t.request(), code, code == 200 ? "OK" : "Busy Here", "uas1");
  b.finish();
  return s;
}

// An OPTIONS server transaction answered 200 now: Completed, Timer J running.
TxnId completedOptions(Harness& h, const std::string& branch) {
  h.receive(optionsOwnCall(branch), udpPeer());
  const TxnId id = h.tu.lastServer;
  EXPECT_TRUE(h.layer.respond(id, okFor(*h.layer.find(id))).ok());
  return id;
}

TEST(LingerLanes, TimerJEndsOnTheSlackStepNeverEarly) {
  Harness h;  // lingerSlackMs = 100
  h.clock.advance(30);
  const TxnId id = completedOptions(h, "z9hG4bKl1");  // J due at 30 + 32000
  EXPECT_EQ(h.layer.lingering(), 1u);
  h.clock.advance(31999);  // 32029: one ms before J
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.clock.advance(21);  // 32050: J has run out, the step ends at 32100
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.receive(optionsOwnCall("z9hG4bKl1"), udpPeer());  // still absorbed: the 200 again
  ASSERT_EQ(h.net.sent.size(), 2u);
  EXPECT_EQ(h.net.sent[1].bytes, h.net.sent[0].bytes);
  h.clock.advance(49);  // 32099
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.clock.advance(1);  // 32100
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
  EXPECT_EQ(h.layer.lingering(), 0u);
  EXPECT_EQ(h.countEvent("terminated"), 1u);
}

TEST(LingerLanes, ZeroSlackEndsOnTheTimer) {
  TransactionConfig cfg;
  cfg.lingerSlackMs = 0;
  Harness h(cfg);
  h.clock.advance(30);
  const TxnId id = completedOptions(h, "z9hG4bKl2");
  h.clock.advance(31999);
  EXPECT_EQ(stateOf(h, id), TxnState::Completed);
  h.clock.advance(1);  // exactly J = 64·T1
  EXPECT_EQ(stateOf(h, id), TxnState::Terminated);
}

// Hundreds of finished transactions put nothing in the timer heap, grow the ring past its
// first size, and end in a few passes instead of one timer each.
TEST(LingerLanes, ManyTransactionsOneTimerFewPasses) {
  Harness h;
  std::vector<TxnId> ids;
  for (int i = 0; i < 600; ++i) {
    ids.push_back(completedOptions(h, "z9hG4bKm" + std::to_string(i)));
    h.clock.advance(1);
  }
  h.clock.runUntilIdle();
  EXPECT_EQ(h.layer.lingering(), 600u);
  EXPECT_LE(h.clock.pending(), 1u);  // the lane's timer alone, not 600 Timer J entries
  // One in three ends early (transport error in Completed, Fig. 8): its entry goes too.
  for (std::size_t i = 0; i < ids.size(); i += 3) h.layer.onSendFailed(ids[i], TransportErrc::SendFailed);
  EXPECT_EQ(h.layer.lingering(), 400u);
  const std::uint64_t fired = h.clock.fired();
  h.clock.advance(31399);  // t = 31999: the first J (started at 0) is 1 ms away
  EXPECT_EQ(h.layer.lingering(), 400u);
  h.clock.advance(700);  // every J (due 32000..32599) has run out, steps of 100 ms
  EXPECT_EQ(h.layer.lingering(), 0u);
  EXPECT_EQ(h.layer.size(), 0u);
  EXPECT_EQ(h.countEvent("terminated"), 600u);  // each exactly once
  EXPECT_LE(h.clock.fired() - fired, 14u);      // ≤ 7 passes + 7 reaper turns, not 400 timers
}

// D and K/I have other lengths than J/L/M: each length keeps its own order.
TEST(LingerLanes, EachTimerLengthHasItsOwnLane) {
  Harness h;
  // INVITE server, 486: Completed; the ACK moves it to Confirmed, Timer I = T4 = 5 s.
  h.receive(request("INVITE", "z9hG4bKi1"), udpPeer());
  const TxnId inv = h.tu.lastServer;
  ASSERT_TRUE(h.layer.respond(inv, okFor(*h.layer.find(inv), 486)).ok());
  h.receive(request("ACK", "z9hG4bKi1", "SIP/2.0/UDP 192.0.2.10:5060", "ft1", "uas1"), udpPeer());
  EXPECT_EQ(stateOf(h, inv), TxnState::Confirmed);
  // An OPTIONS answered at the same time: Timer J = 32 s.
  const TxnId opt = completedOptions(h, "z9hG4bKi2");
  EXPECT_EQ(h.layer.lingering(), 2u);
  h.clock.advance(5000);
  EXPECT_EQ(stateOf(h, inv), TxnState::Terminated);
  EXPECT_EQ(stateOf(h, opt), TxnState::Completed);
  h.clock.advance(27000);
  EXPECT_EQ(stateOf(h, opt), TxnState::Terminated);
}

}  // namespace
}  // namespace siptgw::sip
