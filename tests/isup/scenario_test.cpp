// Two stacks over the in-process MTP link: stack A (point code 100, the gateway's side,
// driven by a Recorder) and an ExchangeSimulator B (point code 200). Manual clock.
#include <asio.hpp>

#include "cc_helpers.h"
#include "isup/inprocess_link.h"

namespace siptgw::isup::test {
namespace {

using Side = InProcessLink::Side;
constexpr uint32_t S = 1000;
constexpr uint32_t kB = 200;

struct Options {
  uint32_t opc_a = 100;
  Selection sel_a = Selection::Sequential;
  Selection sel_b = Selection::Sequential;
  bool overlap_a = false;
  bool overlap_b = false;
};

TerminatingRule rule(std::string prefix, int32_t ring, int32_t answer, bool inband = false) {
  TerminatingRule r;
  r.prefix = std::move(prefix);
  r.ring_after_ms = ring;
  r.answer_after_ms = answer;
  r.inband = inband;
  return r;
}

class PairTest : public ::testing::Test {
 protected:
  void build(Options o = {}) {
    link = std::make_unique<InProcessLink>(clock, o.opc_a, kB);
    link->setTap([this](Side from, const MtpTransfer& t) {
      trace.emplace_back();
      trace.back().first = from;
      EXPECT_FALSE(decode(t.payload(), Variant::Itu, trace.back().second).has_value());
    });
    StackConfig ca;
    ca.opc = o.opc_a;
    ca.incoming_overlap = o.overlap_a;
    a = std::make_unique<IsupStack>(clock, link->a(), ca);
    a->setUser(&user);
    user.stack = a.get();
    ASSERT_TRUE(a->addGroup({"toB", kB, {{1, 16}}, GroupDirection::BothWay, o.sel_a}).ok());
    StackConfig cb;
    cb.opc = kB;
    cb.incoming_overlap = o.overlap_b;
    sim = std::make_unique<ExchangeSimulator>(clock, link->b(), cb,
                                              std::vector<CircuitGroupConfig>{{"toA", o.opc_a, {{1, 16}}, GroupDirection::BothWay, o.sel_b}});
    a->start();
    sim->start();
    clock.runUntilIdle();
    trace.clear();
  }
  uint32_t pcA() const { return a->config().opc; }
  std::size_t sent(Side from, MessageType t) const {
    std::size_t n = 0;
    for (const auto& [s, m] : trace) n += s == from && m.type == t;
    return n;
  }
  const Message* lastSent(Side from, MessageType t) const {
    for (auto it = trace.rbegin(); it != trace.rend(); ++it)
      if (it->first == from && it->second.type == t) return &it->second;
    return nullptr;
  }
  // A → B call answered by the simulator (rule "555": ring at once, answer at once).
  CallId establishAtoB() {
    sim->addRule(rule("555", 0, 0));
    auto r = a->setup(0, iam("5551234"));
    EXPECT_TRUE(r.ok());
    clock.runUntilIdle();
    EXPECT_EQ(a->callStateName(*r), "Answered");
    return r.ok() ? *r : 0;
  }
  bool allIdle() const {
    for (uint16_t c = 1; c <= 16; ++c) {
      const Circuit* x = a->circuit(kB, c);
      const Circuit* y = sim->stack().circuit(pcA(), c);
      if (x->call != CircuitCall::Idle || y->call != CircuitCall::Idle || x->flags || y->flags) return false;
    }
    return true;
  }

  ManualTimerService clock;
  std::unique_ptr<InProcessLink> link;
  Recorder user;
  std::unique_ptr<IsupStack> a;
  std::unique_ptr<ExchangeSimulator> sim;
  std::vector<std::pair<Side, Message>> trace;
};

TEST_F(PairTest, StartResetsEveryCircuitBothWays) {
  ManualTimerService c2;
  build();
  EXPECT_EQ(a->counters().sent_of(MessageType::GRS), 1u);
  EXPECT_EQ(a->counters().received_of(MessageType::GRA), 1u);
  EXPECT_EQ(sim->stack().counters().sent_of(MessageType::GRS), 1u);
  EXPECT_EQ(sim->stack().counters().received_of(MessageType::GRA), 1u);
  EXPECT_TRUE(allIdle());
  EXPECT_EQ(a->runningProcedures(), 0u);
  EXPECT_EQ(sim->stack().runningProcedures(), 0u);
}

TEST_F(PairTest, BasicCallAToBWithRingProgressAnswerAndLocalRelease) {
  build();
  TerminatingRule r;
  r.prefix = "555";
  r.ring_after_ms = 1000;
  r.cpg = {{500, 1}};  // alerting
  r.answer_after_ms = 3000;
  sim->addRule(r);
  auto id = a->setup(0, iam("5551234"));
  ASSERT_TRUE(id.ok());
  clock.runUntilIdle();
  EXPECT_EQ(sim->counters().incoming, 1u);
  EXPECT_EQ(user.count("acm"), 0u);
  clock.advance(1000);
  EXPECT_EQ(user.count("acm"), 1u);
  EXPECT_EQ(user.last("acm")->msg.get<BackwardCallIndicators>(ParamCode::BackwardCallIndicators)->called_partys_status, 1);
  clock.advance(500);
  ASSERT_EQ(user.count("cpg"), 1u);
  EXPECT_EQ(user.last("cpg")->msg.get<EventInformation>(ParamCode::EventInformation)->event, 1);
  clock.advance(1500);
  EXPECT_EQ(user.count("anm"), 1u);
  EXPECT_EQ(a->callStateName(*id), "Answered");
  ASSERT_TRUE(a->release(*id, 16));
  clock.runUntilIdle();
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Local);
  EXPECT_EQ(sim->counters().released_remote, 1u);
  EXPECT_EQ(sent(Side::B, MessageType::RLC), 1u);
  EXPECT_TRUE(allIdle());
  EXPECT_EQ(clock.pending(), 0u);
}

TEST_F(PairTest, BasicCallBToAReleasedByTheSimulator) {
  build();
  user.auto_answer = true;
  sim->originate({.numbers = {"7771234"}, .calls = 1, .hold_ms = 2000});
  clock.runUntilIdle();
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(user.last("setup")->msg.get<Number>(ParamCode::CalledPartyNumber)->digits.view(), "7771234");
  EXPECT_EQ(sim->counters().acm_received, 1u);
  EXPECT_EQ(sim->counters().answered, 1u);
  clock.advance(2000);
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Remote);
  EXPECT_EQ(user.last("release")->cause, 16);
  EXPECT_EQ(sim->counters().completed_answered, 1u);
  EXPECT_TRUE(allIdle());
}

TEST_F(PairTest, DualSeizureLowerPointCodeControlsOddCics) {
  build();  // A = 100 < B = 200: A controls CIC 1
  user.auto_answer = true;
  sim->addRule(rule("555", 0, 0));
  auto id = a->setup(0, iam("5551234"));                        // IAM on CIC 1
  sim->originate({.numbers = {"7770000"}, .calls = 1, .hold_ms = -1});  // IAM on CIC 1 too
  clock.runUntilIdle();
  EXPECT_EQ(a->counters().dual_seizures, 1u);
  EXPECT_EQ(sim->stack().counters().dual_seizures, 1u);
  EXPECT_EQ(a->counters().repeat_attempts, 0u);
  EXPECT_EQ(sim->stack().counters().repeat_attempts, 1u);  // B backed off
  EXPECT_EQ(*a->cicOf(*id), 1);
  EXPECT_EQ(a->callStateName(*id), "Answered");
  ASSERT_EQ(user.count("setup"), 1u);  // B's repeat attempt, on another circuit
  EXPECT_EQ(user.last("setup")->msg.cic, 2);
  EXPECT_EQ(sim->counters().answered, 1u);
  EXPECT_EQ(user.count("release"), 0u);
}

TEST_F(PairTest, DualSeizureHigherPointCodeBacksOffOnOddCic) {
  build({.opc_a = 300});  // A = 300 > B = 200: B controls the odd CIC 1
  user.auto_answer = true;
  sim->addRule(rule("555", 0, 0));
  auto id = a->setup(0, iam("5551234"));
  sim->originate({.numbers = {"7770000"}, .calls = 1, .hold_ms = -1});
  clock.runUntilIdle();
  EXPECT_EQ(a->counters().repeat_attempts, 1u);
  EXPECT_EQ(sim->stack().counters().repeat_attempts, 0u);
  EXPECT_EQ(*a->cicOf(*id), 2);  // A's call went again on CIC 2 and was answered there
  EXPECT_EQ(a->callStateName(*id), "Answered");
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(user.last("setup")->msg.cic, 1);  // B's call kept CIC 1
}

TEST_F(PairTest, EvenOddSelectionAvoidsDualSeizure) {
  build({.sel_a = Selection::DualSeizureControl, .sel_b = Selection::DualSeizureControl});
  user.auto_answer = true;
  sim->addRule(rule("555", 0, 0));
  auto id = a->setup(0, iam("5551234"));
  sim->originate({.numbers = {"7770000"}, .calls = 1, .hold_ms = -1});
  clock.runUntilIdle();
  EXPECT_EQ(a->counters().dual_seizures + sim->stack().counters().dual_seizures, 0u);
  EXPECT_EQ(*a->cicOf(*id), 1);                 // A controls odd
  EXPECT_EQ(user.last("setup")->msg.cic, 2);    // B controls even
}

TEST_F(PairTest, ResetDuringCallReleasesBothSides) {
  build();
  CallId id = establishAtoB();
  const uint16_t cic = *a->cicOf(id);
  ASSERT_TRUE(sim->reset(pcA(), cic));
  clock.runUntilIdle();
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Reset);
  EXPECT_EQ(sim->counters().released, 1u);
  EXPECT_EQ(sent(Side::A, MessageType::RLC), 1u);
  EXPECT_TRUE(allIdle());
}

TEST_F(PairTest, BlockingDuringCallKeepsTheCallAndStopsNewOnes) {
  build();
  user.auto_answer = true;
  CallId id = establishAtoB();
  ASSERT_EQ(*a->cicOf(id), 1);
  ASSERT_TRUE(a->block(kB, 1));
  clock.runUntilIdle();
  EXPECT_EQ(sent(Side::B, MessageType::BLA), 1u);
  EXPECT_EQ(sim->stack().circuit(pcA(), 1)->blocking, kRemoteMaint);
  EXPECT_EQ(a->callStateName(id), "Answered");  // the call continues
  sim->originate({.numbers = {"7770000"}, .calls = 1, .hold_ms = -1});
  clock.runUntilIdle();
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(user.last("setup")->msg.cic, 2);  // B does not use the blocked circuit
  ASSERT_TRUE(a->release(id, 16));
  clock.runUntilIdle();
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Local);
  auto next = a->setup(0, iam("5551234"));
  EXPECT_EQ(*a->cicOf(*next), 3);  // nor does A, which blocked it
  a->unblock(kB, 1);
  clock.runUntilIdle();
  EXPECT_EQ(sent(Side::B, MessageType::UBA), 1u);
  EXPECT_EQ(sim->stack().circuit(pcA(), 1)->blocking, 0);
}

TEST_F(PairTest, T5ExpirySendsRscThatClearsTheFarEnd) {
  build();
  CallId id = establishAtoB();
  const uint16_t cic = *a->cicOf(id);
  link->loseNext(Side::A, 20);  // the initial REL and its 19 repeats (T1 at 15 s ... 285 s) are lost
  a->release(id, 16);
  clock.advance(5 * 60 * S);
  EXPECT_EQ(sent(Side::A, MessageType::REL), 20u);
  EXPECT_EQ(sent(Side::A, MessageType::RSC), 1u);
  clock.runUntilIdle();
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::T5Expired);
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(sent(Side::B, MessageType::RLC), 1u);
  EXPECT_EQ(sim->counters().released, 1u);  // B's call ended by the reset
  EXPECT_EQ(a->circuit(kB, cic)->flags, 0);
  EXPECT_TRUE(allIdle());
  EXPECT_EQ(a->runningProcedures(), 0u);
}

TEST_F(PairTest, UnknownMessageGetsConfusionWithCause97) {
  build();
  MtpTransfer t;
  t.header.opc = pcA();
  t.header.dpc = kB;
  const uint8_t wire[] = {0x03, 0x00, 0x7E, 0x00};  // type 0x7E, empty optional part
  t.setPayload(wire);
  ASSERT_TRUE(link->a().mtpTransferRequest(t));
  clock.runUntilIdle();
  const Message* cfn = lastSent(Side::B, MessageType::CFN);
  ASSERT_NE(cfn, nullptr);
  EXPECT_EQ(cfn->cic, 3);
  EXPECT_EQ(causeOf(*cfn), 97);
  EXPECT_EQ(cfn->get<CauseIndicators>(ParamCode::CauseIndicators)->diagnostics[0], 0x7E);
  EXPECT_EQ(sim->stack().counters().unrecognized_messages, 1u);
}

TEST_F(PairTest, GroupBlockingAcknowledgementMirrorsStatus) {
  build();
  ASSERT_TRUE(a->groupBlock(kB, 1, 8, false, 0xA5));
  clock.runUntilIdle();
  const Message* ack = lastSent(Side::B, MessageType::CGBA);
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->get<RangeAndStatus>(ParamCode::RangeAndStatus)->range, 7);
  EXPECT_EQ(ack->get<RangeAndStatus>(ParamCode::RangeAndStatus)->status, (Bytes{0xA5}));
  for (uint16_t c = 1; c <= 8; ++c)
    EXPECT_EQ(sim->stack().circuit(pcA(), c)->blocking, (0xA5 >> (c - 1)) & 1 ? kRemoteMaint : 0) << c;
  EXPECT_EQ(user.count("alert"), 0u);
  EXPECT_EQ(a->runningProcedures(), 0u);
  a->groupUnblock(kB, 1, 8, false, 0xA5);
  clock.runUntilIdle();
  EXPECT_EQ(sent(Side::B, MessageType::CGUA), 1u);
  for (uint16_t c = 1; c <= 8; ++c) EXPECT_EQ(sim->stack().circuit(pcA(), c)->blocking, 0);
}

TEST_F(PairTest, CircuitQueryReportsTheFarEndsView) {
  build();
  establishAtoB();  // CIC 1: incoming busy at B
  a->block(kB, 2);  // CIC 2: remotely blocked at B
  clock.runUntilIdle();
  ASSERT_TRUE(a->query(kB, 1, 4));
  clock.runUntilIdle();
  ASSERT_EQ(user.count("query"), 1u);
  EXPECT_EQ(user.last("query")->query.states, (std::vector<uint8_t>{0x04, 0x0E, 0x0C, 0x0C}));
}

TEST_F(PairTest, MtpPauseStopsCallsAndResumeResets) {
  build();
  link->pause(Side::A);
  clock.runUntilIdle();
  EXPECT_EQ(a->setup(0, iam("5551234")).error(), SetupError::DestinationUnavailable);
  link->resume(Side::A);
  clock.runUntilIdle();
  EXPECT_EQ(sent(Side::A, MessageType::GRS), 1u);
  EXPECT_EQ(sent(Side::B, MessageType::GRA), 1u);
  EXPECT_TRUE(allIdle());
  sim->addRule(rule("555", 0, 0));
  auto id = a->setup(0, iam("5551234"));
  ASSERT_TRUE(id.ok());
  clock.runUntilIdle();
  EXPECT_EQ(a->callStateName(*id), "Answered");
}

TEST_F(PairTest, SimulatorCollectsOverlapDigits) {
  build({.overlap_b = true});
  TerminatingRule r;
  r.prefix = "555";
  r.overlap_digits = 7;
  r.ring_after_ms = 0;
  sim->addRule(r);
  auto id = a->setup(0, iam("555"));
  clock.runUntilIdle();
  for (char d : std::string("1234")) {
    Message sam = msg(MessageType::SAM, 0);
    sam.get<Number>(ParamCode::SubsequentNumber)->digits.assign(std::string(1, d));
    ASSERT_TRUE(a->sendSam(*id, std::move(sam)));
    clock.advance(100);
    if (d != '4') {
      EXPECT_EQ(user.count("acm"), 0u);
    }
  }
  EXPECT_EQ(sim->counters().sam_received, 4u);
  EXPECT_EQ(sim->counters().acm_sent, 1u);
  EXPECT_EQ(user.count("acm"), 1u);
}

TEST_F(PairTest, SimulatorReleasesWithConfiguredCause) {
  build();
  TerminatingRule r;
  r.prefix = "486";
  r.ring_after_ms = -1;
  r.release_after_ms = 200;
  r.release_cause = 17;
  r.release_location = 1;
  sim->addRule(r);
  ASSERT_TRUE(a->setup(0, iam("4861234")).ok());
  clock.advance(199);
  EXPECT_EQ(user.count("release"), 0u);
  clock.advance(1);
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Remote);
  EXPECT_EQ(user.last("release")->cause, 17);
  EXPECT_TRUE(allIdle());
}

TEST_F(PairTest, SimulatorNeverAnswersSoT9Fires) {
  build();
  sim->addRule(rule("999", 0, -1, true));
  ASSERT_TRUE(a->setup(0, iam("9991234")).ok());
  clock.runUntilIdle();
  ASSERT_EQ(user.count("acm"), 1u);
  const auto* obci = user.last("acm")->msg.get<OptionalBackwardCallIndicators>(ParamCode::OptionalBackwardCallIndicators);
  ASSERT_NE(obci, nullptr);
  EXPECT_EQ(obci->inband_information, 1);
  clock.advance(90 * S);
  clock.runUntilIdle();
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Timeout);
  EXPECT_EQ(user.last("release")->cause, 19);
  EXPECT_TRUE(allIdle());
}

TEST_F(PairTest, SimulatorUnknownNumberGetsCause1) {
  build();
  ASSERT_TRUE(a->setup(0, iam("0001")).ok());
  clock.runUntilIdle();
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->cause, 1);
  EXPECT_EQ(sim->counters().unmatched, 1u);
}

TEST_F(PairTest, SimulatorAsksForContinuity) {
  build();
  user.auto_answer = true;
  sim->originate({.numbers = {"7771234"}, .calls = 1, .hold_ms = -1, .continuity = true, .cot_after_ms = 300});
  clock.runUntilIdle();
  EXPECT_EQ(user.count("setup"), 0u);  // not offered before the COT
  clock.advance(300);
  EXPECT_EQ(sim->counters().cot_sent, 1u);
  EXPECT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(sim->counters().answered, 1u);
}

TEST_F(PairTest, SimulatorSendsOverlapSams) {
  build({.overlap_a = true});
  sim->originate({.numbers = {"7771234"}, .calls = 1, .hold_ms = -1, .overlap_initial = 3, .sam_interval_ms = 100});
  clock.runUntilIdle();
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_TRUE(user.last("setup")->overlap);
  EXPECT_EQ(user.last("setup")->msg.get<Number>(ParamCode::CalledPartyNumber)->digits.view(), "777");
  clock.advance(400);
  EXPECT_EQ(user.count("sam"), 4u);
  EXPECT_EQ(sim->counters().sam_sent, 4u);
  CallId id = user.last("setup")->id;
  EXPECT_EQ(a->callStateName(id), "CollectingDigits");
}

TEST_F(PairTest, SimulatorPlacesCallsAtARate) {
  build();
  user.auto_answer = true;
  sim->originate({.numbers = {"7770001", "7770002"}, .calls = 10, .interval_ms = 100, .hold_ms = 500});
  clock.advance(2000);
  EXPECT_EQ(sim->counters().outgoing_attempts, 10u);
  EXPECT_EQ(sim->counters().answered, 10u);
  EXPECT_EQ(sim->counters().completed_answered, 10u);
  EXPECT_EQ(user.count("setup"), 10u);
  EXPECT_EQ(user.count("release"), 10u);
  EXPECT_EQ(a->activeCalls(), 0u);
  EXPECT_EQ(sim->callsInProgress(), 0u);
  EXPECT_TRUE(allIdle());
}

TEST_F(PairTest, SimulatorMaintenanceActionsAreCounted) {
  build();
  EXPECT_TRUE(sim->groupReset(pcA(), 1, 16));
  EXPECT_TRUE(sim->groupBlock(pcA(), 1, 4, true));
  clock.runUntilIdle();
  for (uint16_t c = 1; c <= 4; ++c) EXPECT_EQ(a->circuit(kB, c)->blocking, kRemoteHw);
  EXPECT_TRUE(sim->groupUnblock(pcA(), 1, 4, true));
  EXPECT_TRUE(sim->block(pcA(), 9));
  clock.runUntilIdle();  // (an UBL overtaking the BLA would make the BLA unexpected: §2.9.4)
  EXPECT_EQ(a->circuit(kB, 9)->blocking, kRemoteMaint);
  EXPECT_TRUE(sim->unblock(pcA(), 9));
  clock.runUntilIdle();
  EXPECT_EQ(sim->counters().maintenance_actions, 5u);
  EXPECT_EQ(sent(Side::A, MessageType::GRA), 1u);
  EXPECT_EQ(sent(Side::A, MessageType::CGUA), 1u);
  EXPECT_EQ(sent(Side::A, MessageType::UBA), 1u);
  EXPECT_TRUE(allIdle());
  for (uint16_t c = 1; c <= 16; ++c) EXPECT_EQ(a->circuit(kB, c)->blocking, 0);
}

}  // namespace
}  // namespace siptgw::isup::test

namespace siptgw::isup::test {
namespace {

// The same pair on the asio-backed time source: a real io_context, nothing faked.
TEST(AsioPair, CallCompletesOnTheIoContext) {
  asio::io_context io;
  AsioTimerService timers(io);
  InProcessLink link(timers, 100, 200);
  StackConfig ca, cb;
  ca.opc = 100;
  cb.opc = 200;
  ExchangeSimulator a(timers, link.a(), ca, {{"b", 200, {{1, 4}}, GroupDirection::BothWay, Selection::DualSeizureControl}});
  ExchangeSimulator b(timers, link.b(), cb, {{"a", 100, {{1, 4}}, GroupDirection::BothWay, Selection::DualSeizureControl}});
  TerminatingRule r;
  r.ring_after_ms = 0;
  r.answer_after_ms = 1;
  b.addRule(r);
  a.start();
  b.start();
  io.run_for(std::chrono::seconds(5));  // GRS/GRA both ways; returns once no timer is left
  EXPECT_EQ(a.stack().runningProcedures() + b.stack().runningProcedures(), 0u);
  io.restart();
  a.originate({.numbers = {"5551234"}, .calls = 3, .interval_ms = 1, .hold_ms = 2});
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(a.counters().outgoing_rejected, 0u);
  EXPECT_EQ(a.counters().answered, 3u);
  EXPECT_EQ(a.counters().completed_answered, 3u);
  EXPECT_EQ(b.counters().released_remote, 3u);
  EXPECT_EQ(a.stack().activeCalls() + b.stack().activeCalls(), 0u);
  EXPECT_EQ(a.stack().runningProcedures() + b.stack().runningProcedures(), 0u);
}

}  // namespace
}  // namespace siptgw::isup::test
