// Q.764 §2.1–§2.4, §2.9 call control of one IsupStack against a fake MTP, on a manual clock.
#include "cc_helpers.h"

namespace siptgw::isup::test {
namespace {

constexpr uint32_t S = 1000;

TEST_F(StackTest, OutgoingIamOnFirstCircuitStartsT7) {
  auto r = stack->setup(0, iam("5551234"));
  ASSERT_TRUE(r.ok());
  Message m = one();
  EXPECT_EQ(m.type, MessageType::IAM);
  EXPECT_EQ(m.cic, 1);
  EXPECT_EQ(m.get<Number>(ParamCode::CalledPartyNumber)->digits.view(), "5551234");
  EXPECT_EQ(stack->callStateName(*r), "AwaitingAcm");
  EXPECT_EQ(stack->circuit(kDpc, 1)->call, CircuitCall::OutgoingBusy);
  EXPECT_EQ(*stack->cicOf(*r), 1);
  // T7 (20 s) not yet expired at 19.999 s.
  clock.advance(20 * S - 1);
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(StackTest, OutgoingCallAcmCpgAnmReleaseRlc) {
  uint16_t cic = 0;
  CallId id = outgoingToAcm(&cic);
  EXPECT_EQ(user.count("acm"), 1u);
  EXPECT_EQ(stack->callStateName(id), "AwaitingAnswer");
  Message cpg = msg(MessageType::CPG, cic);
  cpg.get<EventInformation>(ParamCode::EventInformation)->event = 1;
  inject(cpg);
  ASSERT_EQ(user.count("cpg"), 1u);
  EXPECT_EQ(user.last("cpg")->msg.get<EventInformation>(ParamCode::EventInformation)->event, 1);
  inject(msg(MessageType::ANM, cic));
  EXPECT_EQ(user.count("anm"), 1u);
  EXPECT_EQ(stack->callStateName(id), "Answered");
  clock.advance(200 * S);  // T9 was stopped by ANM: nothing happens
  EXPECT_TRUE(mtp.sent.empty());
  ASSERT_TRUE(stack->release(id, 16));
  Message r = one();
  EXPECT_EQ(r.type, MessageType::REL);
  EXPECT_EQ(causeOf(r), 16);
  EXPECT_EQ(user.count("release"), 0u);  // only once the RLC is in
  inject(msg(MessageType::RLC, cic));
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Local);
  EXPECT_EQ(stack->circuit(kDpc, cic)->call, CircuitCall::Idle);
  EXPECT_EQ(stack->activeCalls(), 0u);
  EXPECT_EQ(stack->runningProcedures(), 0u);
  EXPECT_EQ(clock.pending(), 0u);  // T1/T5 stopped
}

TEST_F(StackTest, ConAnswersWithoutAcm) {
  auto r = stack->setup(0, iam("5551234"));
  Message m = one();
  inject(msg(MessageType::CON, m.cic));
  EXPECT_EQ(user.count("anm"), 1u);
  EXPECT_EQ(user.last("anm")->msg.type, MessageType::CON);
  EXPECT_EQ(stack->callStateName(*r), "Answered");
}

TEST_F(StackTest, T7ExpiryReleasesWithCause102) {
  auto r = stack->setup(0, iam("5551234"));
  Message m = one();
  clock.advance(20 * S);
  Message rel = one();
  EXPECT_EQ(rel.type, MessageType::REL);
  EXPECT_EQ(rel.cic, m.cic);
  EXPECT_EQ(causeOf(rel), 102);
  inject(msg(MessageType::RLC, m.cic));
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Timeout);
  EXPECT_EQ(user.last("release")->cause, 102);
  EXPECT_EQ(user.last("release")->id, *r);
}

TEST_F(StackTest, T9ExpiryReleasesWithCause19) {
  uint16_t cic = 0;
  outgoingToAcm(&cic);
  clock.advance(90 * S - 1);
  EXPECT_TRUE(mtp.sent.empty());
  clock.advance(1);
  Message rel = one();
  EXPECT_EQ(rel.type, MessageType::REL);
  EXPECT_EQ(causeOf(rel), 19);
}

TEST_F(StackTest, T1RepeatsRelThenT5SendsRscAndAlerts) {
  uint16_t cic = 0;
  CallId id = outgoingToAcm(&cic);
  stack->release(id, 16);
  EXPECT_EQ(one().type, MessageType::REL);
  clock.advance(15 * S);  // T1
  Message again = one();
  EXPECT_EQ(again.type, MessageType::REL);
  EXPECT_EQ(causeOf(again), 16);
  // 5 min after the first REL: 19 more repeats in all, then T5: RSC, alert, stop T1.
  clock.advance(5 * 60 * S - 15 * S);
  auto out = take();
  ASSERT_FALSE(out.empty());
  std::size_t rels = 0;
  for (const auto& m : out) rels += m.type == MessageType::REL;
  EXPECT_EQ(out.back().type, MessageType::RSC);
  EXPECT_EQ(rels, 18u);  // at 30 s ... 285 s; at 300 s T5 (started first) wins: RSC, T1 stopped
  ASSERT_EQ(user.count("alert"), 1u);
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::T5Expired);
  EXPECT_EQ(user.count("release"), 1u);
  EXPECT_TRUE(stack->circuit(kDpc, cic)->flags & kAwaitingResetAck);
  // RSC after T5: T17 only (no T16), so no RSC at +15 s, one at +5 min.
  clock.advance(60 * S);
  EXPECT_TRUE(mtp.sent.empty());
  clock.advance(4 * 60 * S);
  Message rsc = one();
  EXPECT_EQ(rsc.type, MessageType::RSC);
  EXPECT_EQ(user.count("alert"), 2u);
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::ResetNotAcked);
  inject(msg(MessageType::RLC, cic));
  EXPECT_EQ(stack->circuit(kDpc, cic)->flags, 0);
  EXPECT_EQ(stack->runningProcedures(), 0u);
}

TEST_F(StackTest, IncomingCallAcmAnmRemoteRelease) {
  CallId id = incoming(5);
  ASSERT_NE(id, 0u);
  EXPECT_FALSE(user.last("setup")->overlap);
  EXPECT_EQ(stack->circuit(kDpc, 5)->call, CircuitCall::IncomingBusy);
  EXPECT_TRUE(stack->sendAcm(id, msg(MessageType::ACM, 0)));
  Message acm = one();
  EXPECT_EQ(acm.type, MessageType::ACM);
  EXPECT_EQ(acm.cic, 5);
  EXPECT_FALSE(stack->sendCon(id, msg(MessageType::CON, 0)));  // not after ACM
  EXPECT_TRUE(stack->sendAnm(id, msg(MessageType::ANM, 0)));
  EXPECT_EQ(one().type, MessageType::ANM);
  inject(rel(5, 16));
  Message rlc = one();
  EXPECT_EQ(rlc.type, MessageType::RLC);
  EXPECT_EQ(rlc.cic, 5);
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Remote);
  EXPECT_EQ(user.last("release")->cause, 16);
  EXPECT_EQ(stack->circuit(kDpc, 5)->call, CircuitCall::Idle);
}

TEST_F(StackTest, IncomingConnect) {
  CallId id = incoming(3);
  EXPECT_FALSE(stack->sendAnm(id, msg(MessageType::ANM, 0)));  // ANM needs ACM first
  EXPECT_TRUE(stack->sendCon(id, msg(MessageType::CON, 0)));
  EXPECT_EQ(one().type, MessageType::CON);
  EXPECT_EQ(stack->callStateName(id), "Answered");
}

TEST_F(StackTest, RelOnIdleCircuitAnsweredWithRlc) {
  inject(rel(7, 16));
  Message m = one();
  EXPECT_EQ(m.type, MessageType::RLC);
  EXPECT_EQ(m.cic, 7);
  EXPECT_EQ(user.events.size(), 0u);
}

TEST_F(StackTest, RlcOnIdleCircuitDiscarded) {
  inject(msg(MessageType::RLC, 7));
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_EQ(stack->counters().unexpected, 1u);
}

TEST_F(StackTest, UnexpectedMessageOnIdleCircuitResetsIt) {
  inject(msg(MessageType::ANM, 9));
  Message m = one();
  EXPECT_EQ(m.type, MessageType::RSC);
  EXPECT_EQ(m.cic, 9);
  EXPECT_TRUE(stack->circuit(kDpc, 9)->flags & kAwaitingResetAck);
  EXPECT_EQ(stack->counters().unexpected, 1u);
}

TEST_F(StackTest, UnexpectedMessageInCallDiscarded) {
  CallId id = incoming(4);
  inject(msg(MessageType::ACM, 4));  // an ACM travels backwards only
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_EQ(stack->counters().unexpected, 1u);
  EXPECT_EQ(stack->callStateName(id), "Offered");
}

TEST_F(StackTest, ReleaseCollisionCompletesOnce) {
  CallId id = incoming(2);
  stack->release(id, 16);
  EXPECT_EQ(one().type, MessageType::REL);
  inject(rel(2, 16));  // crossed with ours
  EXPECT_EQ(one().type, MessageType::RLC);
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Local);
  inject(msg(MessageType::RLC, 2));  // the peer's answer to our REL: discarded
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_EQ(user.count("release"), 1u);
  EXPECT_EQ(clock.pending(), 0u);
}

TEST_F(StackTest, OutgoingSamRestartsT7) {
  auto r = stack->setup(0, iam("555"));
  one();
  clock.advance(15 * S);
  Message sam = msg(MessageType::SAM, 0);
  sam.get<Number>(ParamCode::SubsequentNumber)->digits.assign("1234");
  ASSERT_TRUE(stack->sendSam(*r, std::move(sam)));
  Message s = one();
  EXPECT_EQ(s.type, MessageType::SAM);
  EXPECT_EQ(s.get<Number>(ParamCode::SubsequentNumber)->digits.view(), "1234");
  clock.advance(20 * S - 1);
  EXPECT_TRUE(mtp.sent.empty());
  clock.advance(1);
  EXPECT_EQ(causeOf(one()), 102);
}

class OverlapTest : public StackTest {
 protected:
  void SetUp() override {
    StackConfig c;
    c.incoming_overlap = true;
    build(c);
  }
};

TEST_F(OverlapTest, SamsCollectedUntilT35ReleasesWithCause28) {
  CallId id = incoming(6, "555");
  ASSERT_NE(id, 0u);
  EXPECT_TRUE(user.last("setup")->overlap);
  EXPECT_EQ(stack->callStateName(id), "CollectingDigits");
  clock.advance(10 * S);
  Message sam = msg(MessageType::SAM, 6);
  sam.get<Number>(ParamCode::SubsequentNumber)->digits.assign("12");
  inject(sam);
  ASSERT_EQ(user.count("sam"), 1u);
  clock.advance(15 * S - 1);  // T35 restarted by the SAM
  EXPECT_TRUE(mtp.sent.empty());
  clock.advance(1);
  Message r = one();
  EXPECT_EQ(r.type, MessageType::REL);
  EXPECT_EQ(causeOf(r), 28);
}

TEST_F(OverlapTest, EndOfPulsingCompletesTheNumber) {
  CallId id = incoming(6, "555");
  Message sam = msg(MessageType::SAM, 6);
  sam.get<Number>(ParamCode::SubsequentNumber)->digits.assign("1F");
  inject(sam);
  EXPECT_EQ(stack->callStateName(id), "Offered");
  clock.advance(60 * S);
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(OverlapTest, AcmStopsT35) {
  CallId id = incoming(6, "555");
  stack->sendAcm(id, msg(MessageType::ACM, 0));
  one();
  clock.advance(60 * S);
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_EQ(stack->callStateName(id), "Alerting");
}

TEST_F(StackTest, ContinuityOnThisCircuitDefersTheOffer) {
  inject(iam("5551234", 8, /*continuity=*/1));
  EXPECT_EQ(user.count("setup"), 0u);
  auto id = stack->callOn(kDpc, 8);
  ASSERT_TRUE(id);
  EXPECT_EQ(stack->callStateName(*id), "AwaitingContinuity");
  Message cot = msg(MessageType::COT, 8);
  cot.get<ContinuityIndicators>(ParamCode::ContinuityIndicators)->continuity = 1;
  inject(cot);
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(stack->callStateName(*id), "Offered");
  clock.advance(20 * S);  // T8 stopped
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(StackTest, SamsBeforeTheCotJoinTheOfferedNumber) {
  inject(iam("555", 8, /*continuity=*/2));
  Message sam = msg(MessageType::SAM, 8);
  sam.get<Number>(ParamCode::SubsequentNumber)->digits.assign("1234");
  inject(sam);
  EXPECT_EQ(user.count("setup"), 0u);
  Message cot = msg(MessageType::COT, 8);
  cot.get<ContinuityIndicators>(ParamCode::ContinuityIndicators)->continuity = 1;
  inject(cot);
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(user.last("setup")->msg.get<Number>(ParamCode::CalledPartyNumber)->digits.view(), "5551234");
  EXPECT_EQ(user.count("sam"), 0u);
}

TEST_F(StackTest, T8ExpiryReleasesWithoutTellingTheUser) {
  inject(iam("5551234", 8, /*continuity=*/2));
  clock.advance(10 * S);
  Message r = one();
  EXPECT_EQ(r.type, MessageType::REL);
  EXPECT_EQ(causeOf(r), 102);
  inject(msg(MessageType::RLC, 8));
  EXPECT_EQ(user.events.size(), 0u);
  EXPECT_EQ(stack->circuit(kDpc, 8)->call, CircuitCall::Idle);
}

TEST_F(StackTest, ContinuityFailureWaitsForCcrThenT27Resets) {
  inject(iam("5551234", 8, 1));
  inject(msg(MessageType::COT, 8));  // continuity = 0: failed
  EXPECT_EQ(user.count("setup"), 0u);
  EXPECT_TRUE(stack->circuit(kDpc, 8)->flags & kAwaitingCcr);
  EXPECT_TRUE(mtp.sent.empty());
  clock.advance(4 * 60 * S);  // T27
  Message rsc = one();
  EXPECT_EQ(rsc.type, MessageType::RSC);
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::ContinuityRecheckFailed);
}

TEST_F(StackTest, CcrStopsT27AndT36GuardsTheRecheck) {
  inject(iam("5551234", 8, 1));
  inject(msg(MessageType::COT, 8));
  clock.advance(60 * S);
  inject(msg(MessageType::CCR, 8));
  clock.advance(10 * S - 1);
  EXPECT_TRUE(mtp.sent.empty());
  clock.advance(1);  // T36
  EXPECT_EQ(one().type, MessageType::RSC);
}

TEST_F(StackTest, CcrThenRelEndsTheRecheck) {
  inject(iam("5551234", 8, 1));
  inject(msg(MessageType::COT, 8));
  inject(msg(MessageType::CCR, 8));
  inject(rel(8, 16));
  EXPECT_EQ(one().type, MessageType::RLC);
  clock.advance(10 * 60 * S);
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_EQ(stack->circuit(kDpc, 8)->flags, 0);
}

TEST_F(StackTest, OutgoingContinuityOnPreviousCircuitSendsCot) {
  Message m = iam("5551234", 0, 2);
  auto r = stack->setup(0, std::move(m));
  one();
  ASSERT_TRUE(stack->sendCot(*r, true));
  Message cot = one();
  EXPECT_EQ(cot.type, MessageType::COT);
  EXPECT_EQ(cot.get<ContinuityIndicators>(ParamCode::ContinuityIndicators)->continuity, 1);
  EXPECT_FALSE(stack->sendCot(*r, true));  // only once
}

TEST_F(StackTest, SuspendNetworkT6Releases) {
  CallId id = incoming(3);
  stack->sendCon(id, msg(MessageType::CON, 0));
  take();
  Message sus = msg(MessageType::SUS, 3);
  sus.get<SuspendResumeIndicators>(ParamCode::SuspendResumeIndicators)->suspend_resume = 1;
  inject(sus);
  EXPECT_EQ(user.count("sus"), 1u);
  clock.advance(10 * S);  // T6
  Message r = one();
  EXPECT_EQ(r.type, MessageType::REL);
  EXPECT_EQ(causeOf(r), 102);
}

TEST_F(StackTest, ResumeStopsT2) {
  CallId id = incoming(3);
  stack->sendCon(id, msg(MessageType::CON, 0));
  take();
  inject(msg(MessageType::SUS, 3));  // user initiated: T2 (3 min)
  clock.advance(2 * 60 * S);
  inject(msg(MessageType::RES, 3));
  EXPECT_EQ(user.count("res"), 1u);
  clock.advance(10 * 60 * S);
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(StackTest, T2ExpiryReleases) {
  CallId id = incoming(3);
  stack->sendCon(id, msg(MessageType::CON, 0));
  take();
  inject(msg(MessageType::SUS, 3));
  clock.advance(3 * 60 * S - 1);
  EXPECT_TRUE(mtp.sent.empty());
  clock.advance(1);
  EXPECT_EQ(causeOf(one()), 102);
}

TEST_F(StackTest, InformationRequestAnsweredStopsT33) {
  CallId id = incoming(3);
  ASSERT_TRUE(stack->sendInr(id, msg(MessageType::INR, 0)));
  EXPECT_EQ(one().type, MessageType::INR);
  inject(msg(MessageType::INF, 3));
  EXPECT_EQ(user.count("inf"), 1u);
  clock.advance(20 * S);
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(StackTest, T33ExpiryReleasesAndAlerts) {
  CallId id = incoming(3);
  stack->sendInr(id, msg(MessageType::INR, 0));
  one();
  clock.advance(12 * S);
  EXPECT_EQ(causeOf(one()), 102);
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::InformationNotReceived);
}

TEST_F(StackTest, IncomingInrReachesTheUserAndInfGoesBack) {
  CallId id = incoming(3);
  inject(msg(MessageType::INR, 3));
  EXPECT_EQ(user.count("inr"), 1u);
  EXPECT_TRUE(stack->sendInf(id, msg(MessageType::INF, 0)));
  EXPECT_EQ(one().type, MessageType::INF);
}

// §2.9.1.3/§2.9.1.4 with this exchange controlling (300 > 200: even CICs).
TEST(DualSeizure, ControllingExchangeKeepsItsCall) {
  ManualTimerService clock;
  FakeMtp mtp;
  Recorder user;
  StackConfig cfg;
  cfg.opc = 300;
  cfg.reset_on_start = false;
  IsupStack stack(clock, mtp, cfg);
  stack.setUser(&user);
  ASSERT_TRUE(stack.addGroup({"g", 200, {{1, 8}}, GroupDirection::BothWay, Selection::DualSeizureControl}).ok());
  auto r = stack.setup(0, iam("5551234"));
  ASSERT_TRUE(r.ok());
  Message sent = decodeOrDie(mtp.sent.at(0));
  EXPECT_EQ(sent.cic, 2);  // first even CIC: ours to control
  EXPECT_TRUE(stack.controls(200, 2));
  mtp.sent.clear();
  MtpTransfer t;
  t.header.opc = 200;
  t.header.dpc = 300;
  std::vector<uint8_t> w;
  ASSERT_TRUE(encode(iam("777", 2), w));
  t.setPayload(w);
  stack.mtpTransfer(t);
  EXPECT_EQ(stack.counters().dual_seizures, 1u);
  EXPECT_TRUE(mtp.sent.empty());  // their IAM is ignored
  EXPECT_EQ(user.count("setup"), 0u);
  EXPECT_EQ(stack.callStateName(*r), "AwaitingAcm");
  EXPECT_EQ(*stack.cicOf(*r), 2);
}

TEST(DualSeizure, NonControllingExchangeBacksOffAndRepeats) {
  ManualTimerService clock;
  FakeMtp mtp;
  Recorder user;
  StackConfig cfg;
  cfg.opc = 100;  // lower point code: controls the odd CICs only
  cfg.reset_on_start = false;
  IsupStack stack(clock, mtp, cfg);
  stack.setUser(&user);
  ASSERT_TRUE(stack.addGroup({"g", 200, {{2, 8}}, GroupDirection::BothWay, Selection::Sequential}).ok());
  auto r = stack.setup(0, iam("5551234"));
  ASSERT_TRUE(r.ok());
  Message sent = decodeOrDie(mtp.sent.at(0));
  ASSERT_EQ(sent.cic, 2);
  EXPECT_FALSE(stack.controls(200, 2));
  mtp.sent.clear();
  MtpTransfer t;
  t.header.opc = 200;
  t.header.dpc = 100;
  std::vector<uint8_t> w;
  ASSERT_TRUE(encode(iam("777", 2), w));
  t.setPayload(w);
  stack.mtpTransfer(t);
  EXPECT_EQ(stack.counters().dual_seizures, 1u);
  EXPECT_EQ(stack.counters().repeat_attempts, 1u);
  // Our call is re-sent on the next circuit, without a REL on the seized one...
  ASSERT_EQ(mtp.sent.size(), 1u);
  Message again = decodeOrDie(mtp.sent[0]);
  EXPECT_EQ(again.type, MessageType::IAM);
  EXPECT_EQ(again.cic, 3);
  EXPECT_EQ(again.get<Number>(ParamCode::CalledPartyNumber)->digits.view(), "5551234");
  EXPECT_EQ(*stack.cicOf(*r), 3);
  EXPECT_EQ(stack.callStateName(*r), "AwaitingAcm");
  // ...and their call is taken on CIC 2.
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(stack.circuit(200, 2)->call, CircuitCall::IncomingBusy);
  EXPECT_EQ(user.count("release"), 0u);
}

TEST(DualSeizure, EvenOddSelectionPrefersControlledCircuits) {
  ManualTimerService clock;
  FakeMtp mtp;
  StackConfig cfg;
  cfg.opc = 100;  // controls odd CICs
  cfg.reset_on_start = false;
  IsupStack stack(clock, mtp, cfg);
  ASSERT_TRUE(stack.addGroup({"g", 200, {{1, 6}}, GroupDirection::BothWay, Selection::DualSeizureControl}).ok());
  std::vector<uint16_t> cics;
  for (int i = 0; i < 6; ++i) {
    auto r = stack.setup(0, iam("5551234"));
    ASSERT_TRUE(r.ok());
    cics.push_back(*stack.cicOf(*r));
  }
  // Controlled (odd) ascending, then the others descending.
  EXPECT_EQ(cics, (std::vector<uint16_t>{1, 3, 5, 6, 4, 2}));
  EXPECT_FALSE(stack.setup(0, iam("5551234")).ok());
  EXPECT_EQ(stack.setup(0, iam("1")).error(), SetupError::NoCircuit);
}

TEST(Selection, RoundRobinContinuesWhereItLeftOff) {
  ManualTimerService clock;
  FakeMtp mtp;
  StackConfig cfg;
  cfg.opc = 100;
  cfg.reset_on_start = false;
  IsupStack stack(clock, mtp, cfg);
  ASSERT_TRUE(stack.addGroup({"g", 200, {{10, 13}}, GroupDirection::BothWay, Selection::RoundRobin}).ok());
  auto a = stack.setup(0, iam("1"));
  auto b = stack.setup(0, iam("1"));
  EXPECT_EQ(*stack.cicOf(*a), 10);
  EXPECT_EQ(*stack.cicOf(*b), 11);
  stack.release(*a, 16);
  MtpTransfer t;
  t.header.opc = 200;
  t.header.dpc = 100;
  std::vector<uint8_t> w;
  ASSERT_TRUE(encode(msg(MessageType::RLC, 10), w));
  t.setPayload(w);
  stack.mtpTransfer(t);
  auto c = stack.setup(0, iam("1"));
  EXPECT_EQ(*stack.cicOf(*c), 12);  // not back to 10
}

TEST_F(StackTest, IncomingOnlyGroupRefusesSetupAndOutgoingOnlyRejectsIam) {
  StackConfig c;
  build(c, {{"in", kDpc, {{1, 2}}, GroupDirection::IncomingOnly, Selection::Sequential},
            {"out", kDpc, {{3, 4}}, GroupDirection::OutgoingOnly, Selection::Sequential}});
  EXPECT_EQ(stack->setup(0, iam("1")).error(), SetupError::NotOutgoing);
  EXPECT_EQ(stack->setup(7, iam("1")).error(), SetupError::NoSuchGroup);
  inject(iam("5551234", 3));
  Message r = one();
  EXPECT_EQ(r.type, MessageType::REL);
  EXPECT_EQ(causeOf(r), 34);
  EXPECT_EQ(user.count("setup"), 0u);
}

// ---- §2.9.5.3 compatibility, CFN ----

// An unrecognized message type (0x70) with an optional part holding `params`.
std::vector<uint8_t> unknownMessage(uint16_t cic, std::vector<uint8_t> params) {
  std::vector<uint8_t> w{static_cast<uint8_t>(cic & 0xFF), static_cast<uint8_t>(cic >> 8), 0x70};
  if (params.empty()) {
    w.push_back(0);
    return w;
  }
  w.push_back(1);  // pointer to the optional part: the next octet
  w.insert(w.end(), params.begin(), params.end());
  w.push_back(0);
  return w;
}

TEST_F(StackTest, UnrecognizedMessageWithoutInstructionsGetsCfn97) {
  injectRaw(unknownMessage(4, {}));
  Message cfn = one();
  EXPECT_EQ(cfn.type, MessageType::CFN);
  EXPECT_EQ(cfn.cic, 4);
  const auto* c = cfn.get<CauseIndicators>(ParamCode::CauseIndicators);
  EXPECT_EQ(c->cause, 97);
  ASSERT_EQ(c->diagnostics.size(), 1u);
  EXPECT_EQ(c->diagnostics[0], 0x70);  // the message type
  EXPECT_EQ(stack->counters().unrecognized_messages, 1u);
}

TEST_F(StackTest, UnrecognizedMessageReleaseCallInstruction) {
  CallId id = incoming(4);
  // MCI: release call (bit B) = 0x02 | extension 0x80.
  injectRaw(unknownMessage(4, {0x38, 0x01, 0x82}));
  Message r = one();
  EXPECT_EQ(r.type, MessageType::REL);
  EXPECT_EQ(causeOf(r), 97);
  EXPECT_EQ(stack->callStateName(id), "AwaitingRlc");
}

TEST_F(StackTest, UnrecognizedMessageDiscardWithAndWithoutNotification) {
  incoming(4);
  injectRaw(unknownMessage(4, {0x38, 0x01, 0x88}));  // discard, no notification
  EXPECT_TRUE(mtp.sent.empty());
  injectRaw(unknownMessage(4, {0x38, 0x01, 0x8C}));  // discard + send notification
  Message cfn = one();
  EXPECT_EQ(cfn.type, MessageType::CFN);
  EXPECT_EQ(causeOf(cfn), 97);
}

Message withUnknownParam(Message m, uint8_t instr) {
  m.optional.push_back({static_cast<ParamCode>(0xF5), Opaque{Bytes{1, 2, 3}, false}});
  ParameterCompatibilityInformation pci;
  ParameterCompatibilityInformation::Entry e;
  e.parameter = 0xF5;
  e.size = 1;
  e.instructions[0] = static_cast<uint8_t>(instr | 0x80);
  pci.entries.push_back(e);
  m.optional.push_back({ParamCode::ParameterCompatibilityInformation, pci});
  return m;
}

TEST_F(StackTest, UnrecognizedParameterReleaseCallOnIam) {
  inject(withUnknownParam(iam("5551234", 5), 0x02));  // release call
  Message r = one();
  EXPECT_EQ(r.type, MessageType::REL);
  EXPECT_EQ(causeOf(r), 99);
  const auto* c = r.get<CauseIndicators>(ParamCode::CauseIndicators);
  ASSERT_EQ(c->diagnostics.size(), 1u);
  EXPECT_EQ(c->diagnostics[0], 0xF5);  // the parameter name
  EXPECT_EQ(user.count("setup"), 0u);
  inject(msg(MessageType::RLC, 5));
  EXPECT_EQ(stack->circuit(kDpc, 5)->call, CircuitCall::Idle);
  EXPECT_EQ(user.count("release"), 0u);
}

TEST_F(StackTest, UnrecognizedParameterDiscardedWithNotification) {
  inject(withUnknownParam(iam("5551234", 5), 0x10 | 0x04));  // discard parameter + notify
  Message cfn = one();
  EXPECT_EQ(cfn.type, MessageType::CFN);
  EXPECT_EQ(causeOf(cfn), 99);
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(user.last("setup")->msg.find(static_cast<ParamCode>(0xF5)), nullptr);
}

TEST_F(StackTest, UnrecognizedParameterDiscardMessage) {
  inject(withUnknownParam(iam("5551234", 5), 0x08));  // discard message, no notification
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_EQ(user.count("setup"), 0u);
  EXPECT_EQ(stack->circuit(kDpc, 5)->call, CircuitCall::Idle);
}

TEST_F(StackTest, UnrecognizedParameterWithoutInstructionsIsPassedOn) {
  Message m = iam("5551234", 5);
  m.optional.push_back({static_cast<ParamCode>(0xF5), Opaque{Bytes{9}, false}});
  inject(m);
  EXPECT_TRUE(mtp.sent.empty());
  ASSERT_EQ(user.count("setup"), 1u);
  EXPECT_NE(user.last("setup")->msg.find(static_cast<ParamCode>(0xF5)), nullptr);
  EXPECT_EQ(stack->counters().unrecognized_parameters, 1u);
}

TEST_F(StackTest, DecodeErrorAnsweredWithCfnCarryingTheCodecCause) {
  // SAM whose subsequent number has length 0: mandatory parameter missing.
  const std::vector<uint8_t> wire{0x04, 0x00, 0x02, 0x02, 0x00, 0x00};
  auto err = decode(wire, Variant::Itu);
  ASSERT_FALSE(err.ok());
  injectRaw(wire);
  Message cfn = one();
  EXPECT_EQ(cfn.type, MessageType::CFN);
  EXPECT_EQ(cfn.cic, 4);
  const auto* c = cfn.get<CauseIndicators>(ParamCode::CauseIndicators);
  EXPECT_EQ(c->cause, err.error().cause());
  if (auto d = err.error().diagnostic()) {
    ASSERT_EQ(c->diagnostics.size(), 1u);
    EXPECT_EQ(c->diagnostics[0], *d);
  }
  EXPECT_EQ(stack->counters().decode_errors, 1u);
}

TEST_F(StackTest, BrokenRelStillReleases) {
  CallId id = incoming(4);
  injectRaw({0x04, 0x00, 0x0C, 0x02, 0x00, 0x00});  // REL with an empty cause
  EXPECT_EQ(one().type, MessageType::RLC);
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->id, id);
}

TEST_F(StackTest, UnknownCicAnsweredWithUcic) {
  inject(iam("5551234", 100));
  Message u = one();
  EXPECT_EQ(u.type, MessageType::UCIC);
  EXPECT_EQ(u.cic, 100);
  inject(msg(MessageType::UCIC, 100));  // never UCIC for UCIC
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(StackTest, AclInRelReportsCongestion) {
  CallId id = incoming(4);
  (void)id;
  Message r = rel(4, 42);
  r.optional.push_back({ParamCode::AutomaticCongestionLevel, Octet{2}});
  inject(r);
  ASSERT_EQ(user.count("congestion"), 1u);
  EXPECT_EQ(user.last("congestion")->level, 2);
  EXPECT_EQ(stack->congestionLevel(kDpc), 2);
  EXPECT_EQ(user.last("release")->cause, 42);
}

}  // namespace
}  // namespace siptgw::isup::test
