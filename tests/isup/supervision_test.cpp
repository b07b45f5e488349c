// Q.764 circuit supervision (§2.8 blocking and query, §2.9.3 reset, §2.9.4, §2.12) and MTP
// primitives (§2.10, §2.13) for one IsupStack against a fake MTP, on a manual clock.
#include "cc_helpers.h"

namespace siptgw::isup::test {
namespace {

constexpr uint32_t S = 1000;
constexpr uint32_t MIN = 60 * S;

Message groupMsg(MessageType t, uint16_t cic, uint8_t range, Bytes status = {}, bool hw = false) {
  Message m = makeMessage(Variant::Itu, t, cic);
  auto* rs = m.get<RangeAndStatus>(ParamCode::RangeAndStatus);
  rs->range = range;
  rs->status = status;
  if (auto* g = m.get<CircuitGroupSupervisionMessageType>(ParamCode::CircuitGroupSupervisionMessageType))
    g->type = hw ? 1 : 0;
  return m;
}

const RangeAndStatus& rsOf(const Message& m) { return *m.get<RangeAndStatus>(ParamCode::RangeAndStatus); }

TEST_F(StackTest, ResetCircuitRepeatsOnT16AndAlertsOnT17) {
  ASSERT_TRUE(stack->resetCircuit(kDpc, 5));
  Message m = one();
  EXPECT_EQ(m.type, MessageType::RSC);
  EXPECT_EQ(m.cic, 5);
  EXPECT_FALSE(stack->circuit(kDpc, 5)->selectable());
  clock.advance(15 * S);  // T16
  EXPECT_EQ(one().type, MessageType::RSC);
  clock.advance(5 * MIN - 15 * S);  // T17 at 5 min (T16 repeats in between)
  auto out = take();
  std::size_t rsc = 0;
  for (const auto& x : out) rsc += x.type == MessageType::RSC;
  EXPECT_EQ(rsc, out.size());
  EXPECT_GE(rsc, 18u);
  ASSERT_EQ(user.count("alert"), 1u);
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::ResetNotAcked);
  // After T17: T16 stopped, RSC every T17 only.
  clock.advance(4 * MIN);
  EXPECT_TRUE(mtp.sent.empty());
  clock.advance(1 * MIN);
  EXPECT_EQ(one().type, MessageType::RSC);
  inject(msg(MessageType::RLC, 5));
  EXPECT_TRUE(stack->circuit(kDpc, 5)->selectable());
  EXPECT_EQ(stack->runningProcedures(), 0u);
  EXPECT_EQ(clock.pending(), 0u);
}

TEST_F(StackTest, ResetReceivedDuringCallReleasesItAndReBlocks) {
  CallId id = incoming(4);
  stack->sendCon(id, msg(MessageType::CON, 0));
  stack->block(kDpc, 4);
  take();
  inject(msg(MessageType::RSC, 4));
  auto out = take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, MessageType::RLC);
  EXPECT_EQ(out[1].type, MessageType::BLO);  // still blocked here: say so again
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Reset);
  EXPECT_EQ(stack->circuit(kDpc, 4)->call, CircuitCall::Idle);
}

TEST_F(StackTest, ResetReceivedClearsRemoteBlocking) {
  inject(msg(MessageType::BLO, 6));
  EXPECT_EQ(one().type, MessageType::BLA);
  EXPECT_TRUE(stack->circuit(kDpc, 6)->blocking & kRemoteMaint);
  inject(msg(MessageType::RSC, 6));
  EXPECT_EQ(one().type, MessageType::RLC);
  EXPECT_EQ(stack->circuit(kDpc, 6)->blocking, 0);
}

TEST_F(StackTest, GroupResetReceivedAnswersWithBlockingStatus) {
  CallId id = incoming(3);
  stack->block(kDpc, 4);
  inject(msg(MessageType::BLO, 5));  // remote blocking: cleared by the GRS
  take();
  clock.advance(S);
  inject(msg(MessageType::BLA, 4));
  inject(groupMsg(MessageType::GRS, 1, 7));  // CICs 1..8
  Message gra = one();
  EXPECT_EQ(gra.type, MessageType::GRA);
  EXPECT_EQ(gra.cic, 1);
  EXPECT_EQ(rsOf(gra).range, 7);
  ASSERT_EQ(rsOf(gra).status.size(), 1u);
  EXPECT_EQ(rsOf(gra).status[0], 0x08);  // CIC 4 = bit 3: locally blocked
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->id, id);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Reset);
  EXPECT_EQ(stack->circuit(kDpc, 5)->blocking, 0);
  EXPECT_EQ(stack->circuit(kDpc, 4)->blocking, kLocalMaint);
}

TEST_F(StackTest, GroupResetSentRepeatsOnT22AndT23AndGraSetsRemoteBlocking) {
  ASSERT_TRUE(stack->groupReset(kDpc, 1, 8));
  Message grs = one();
  EXPECT_EQ(grs.type, MessageType::GRS);
  EXPECT_EQ(rsOf(grs).range, 7);
  EXPECT_TRUE(rsOf(grs).status.empty());
  for (uint16_t c = 1; c <= 8; ++c) EXPECT_TRUE(stack->circuit(kDpc, c)->flags & kAwaitingResetAck);
  EXPECT_FALSE(stack->circuit(kDpc, 9)->flags & kAwaitingResetAck);
  clock.advance(15 * S);  // T22
  EXPECT_EQ(one().type, MessageType::GRS);
  clock.advance(5 * MIN - 15 * S);  // T23
  take();
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::ResetNotAcked);
  inject(groupMsg(MessageType::GRA, 1, 7, Bytes{0x05}));  // peer blocks CICs 1 and 3
  EXPECT_EQ(stack->circuit(kDpc, 1)->blocking, kRemoteMaint);
  EXPECT_EQ(stack->circuit(kDpc, 2)->blocking, 0);
  EXPECT_EQ(stack->circuit(kDpc, 3)->blocking, kRemoteMaint);
  for (uint16_t c = 1; c <= 8; ++c) EXPECT_FALSE(stack->circuit(kDpc, c)->flags & kAwaitingResetAck);
  EXPECT_EQ(stack->runningProcedures(), 0u);
  EXPECT_EQ(clock.pending(), 0u);
  // The next call avoids the blocked circuits.
  auto r = stack->setup(0, iam("5551234"));
  EXPECT_EQ(*stack->cicOf(*r), 2);
}

TEST_F(StackTest, GraAlsoCompletesAPendingCircuitReset) {
  stack->resetCircuit(kDpc, 5);
  stack->groupReset(kDpc, 1, 8);
  take();
  inject(groupMsg(MessageType::GRA, 1, 7, Bytes{0}));
  EXPECT_EQ(stack->runningProcedures(), 0u);
  clock.advance(30 * MIN);
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_TRUE(stack->circuit(kDpc, 5)->selectable());
}

TEST_F(StackTest, GroupResetRangeLimits) {
  EXPECT_FALSE(stack->groupReset(kDpc, 1, 1));   // one circuit: use RSC
  EXPECT_FALSE(stack->groupReset(kDpc, 1, 33));  // at most 32
  inject(groupMsg(MessageType::GRS, 1, 0));      // range 0 is reserved: discarded
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_EQ(stack->counters().unexpected, 1u);
}

TEST_F(StackTest, BlockingRepeatsOnT12AlertsOnT13StopsOnBla) {
  ASSERT_TRUE(stack->block(kDpc, 2));
  EXPECT_EQ(one().type, MessageType::BLO);
  EXPECT_EQ(stack->circuit(kDpc, 2)->blocking, kLocalMaint);
  clock.advance(15 * S);
  EXPECT_EQ(one().type, MessageType::BLO);
  clock.advance(5 * MIN - 15 * S);
  take();
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::BlockingNotAcked);
  clock.advance(5 * MIN);  // T13 keeps repeating
  EXPECT_EQ(one().type, MessageType::BLO);
  inject(msg(MessageType::BLA, 2));
  clock.advance(30 * MIN);
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_EQ(stack->runningProcedures(), 0u);
  // A new call does not take the blocked circuit.
  auto r = stack->setup(0, iam("5551234"));
  EXPECT_EQ(*stack->cicOf(*r), 1);
  auto r2 = stack->setup(0, iam("5551234"));
  EXPECT_EQ(*stack->cicOf(*r2), 3);
}

TEST_F(StackTest, UnblockingRepeatsOnT14AlertsOnT15StopsOnUba) {
  stack->block(kDpc, 2);
  inject(msg(MessageType::BLA, 2));
  take();
  ASSERT_TRUE(stack->unblock(kDpc, 2));
  EXPECT_EQ(one().type, MessageType::UBL);
  EXPECT_EQ(stack->circuit(kDpc, 2)->blocking, 0);
  clock.advance(15 * S);
  EXPECT_EQ(one().type, MessageType::UBL);
  clock.advance(5 * MIN - 15 * S);
  take();
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::UnblockingNotAcked);
  inject(msg(MessageType::UBA, 2));
  clock.advance(30 * MIN);
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(StackTest, BlockedBusyCircuitKeepsItsCall) {
  CallId id = incoming(4);
  stack->sendAcm(id, msg(MessageType::ACM, 0));
  take();
  inject(msg(MessageType::BLO, 4));
  EXPECT_EQ(one().type, MessageType::BLA);
  EXPECT_EQ(stack->circuit(kDpc, 4)->call, CircuitCall::IncomingBusy);
  EXPECT_TRUE(stack->sendAnm(id, msg(MessageType::ANM, 0)));
  EXPECT_EQ(one().type, MessageType::ANM);
  EXPECT_EQ(user.count("release"), 0u);
}

TEST_F(StackTest, BlockingBeforeFirstBackwardMessageRepeatsTheCall) {
  auto r = stack->setup(0, iam("5551234"));
  EXPECT_EQ(one().cic, 1);
  inject(msg(MessageType::BLO, 1));
  auto out = take();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].type, MessageType::BLA);
  EXPECT_EQ(out[1].type, MessageType::REL);  // the old circuit is released...
  EXPECT_EQ(out[1].cic, 1);
  EXPECT_EQ(out[2].type, MessageType::IAM);  // ...and the call tries again
  EXPECT_EQ(out[2].cic, 2);
  EXPECT_EQ(*stack->cicOf(*r), 2);
  inject(msg(MessageType::RLC, 1));
  EXPECT_EQ(user.count("release"), 0u);  // the user never sees the first attempt end
  EXPECT_EQ(stack->circuit(kDpc, 1)->call, CircuitCall::Idle);
}

// Q.764 §2.9.3.1: a reset received after our IAM and before any backward message makes
// an automatic repeat attempt on another circuit; the user never sees the first attempt.
TEST_F(StackTest, ResetBeforeFirstBackwardMessageRepeatsTheCall) {
  auto r = stack->setup(0, iam("5551234"));
  EXPECT_EQ(one().cic, 1);
  inject(msg(MessageType::RSC, 1));
  auto out = take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, MessageType::RLC);
  EXPECT_EQ(out[0].cic, 1);
  EXPECT_EQ(out[1].type, MessageType::IAM);  // no REL: the reset cleared circuit 1
  EXPECT_EQ(out[1].cic, 2);
  EXPECT_EQ(*stack->cicOf(*r), 2);
  EXPECT_EQ(user.count("release"), 0u);
  EXPECT_EQ(stack->circuit(kDpc, 1)->call, CircuitCall::Idle);
  EXPECT_EQ(stack->circuit(kDpc, 2)->call, CircuitCall::OutgoingBusy);
}

// §2.9.3.2: the same for a group reset, once the whole range is reset and acknowledged.
TEST_F(StackTest, GroupResetBeforeFirstBackwardMessageRepeatsTheCall) {
  auto r = stack->setup(0, iam("5551234"));
  EXPECT_EQ(one().cic, 1);
  inject(groupMsg(MessageType::GRS, 1, 1));  // circuits 1 and 2
  auto out = take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, MessageType::GRA);
  EXPECT_EQ(out[1].type, MessageType::IAM);
  EXPECT_NE(out[1].cic, 1);
  EXPECT_EQ(*stack->cicOf(*r), out[1].cic);
  EXPECT_EQ(user.count("release"), 0u);
  EXPECT_EQ(stack->circuit(kDpc, out[1].cic)->call, CircuitCall::OutgoingBusy);
}

// §2.8.2.3: hardware-oriented group blocking of a circuit whose outgoing call has had no
// backward message: no REL on the failed circuit, the call is repeated elsewhere.
TEST_F(StackTest, HardwareBlockingBeforeFirstBackwardMessageRepeatsTheCall) {
  auto r = stack->setup(0, iam("5551234"));
  EXPECT_EQ(one().cic, 1);
  inject(groupMsg(MessageType::CGB, 1, 1, Bytes{0x01}, /*hw=*/true));  // blocks circuit 1 only
  auto out = take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, MessageType::CGBA);
  EXPECT_EQ(out[1].type, MessageType::IAM);
  EXPECT_EQ(out[1].cic, 2);
  EXPECT_EQ(*stack->cicOf(*r), 2);
  EXPECT_EQ(user.count("release"), 0u);
  EXPECT_EQ(stack->circuit(kDpc, 1)->blocking, kRemoteHw);
  EXPECT_EQ(stack->circuit(kDpc, 1)->call, CircuitCall::Idle);
}

TEST_F(StackTest, UnexpectedBlaAndUbaAnsweredPerClause294) {
  inject(msg(MessageType::BLA, 3));  // not locally blocked: unblock
  EXPECT_EQ(one().type, MessageType::UBL);
  stack->block(kDpc, 4);
  inject(msg(MessageType::BLA, 4));
  take();
  inject(msg(MessageType::UBA, 4));  // still locally blocked: block again
  EXPECT_EQ(one().type, MessageType::BLO);
}

TEST_F(StackTest, GroupBlockingReceivedMirrorsStatus) {
  CallId id = incoming(2);
  stack->sendCon(id, msg(MessageType::CON, 0));
  take();
  // Maintenance CGB for CICs 1..10, status: 1, 2, 4, 10.
  inject(groupMsg(MessageType::CGB, 1, 9, Bytes{0x0B, 0x02}));
  Message ack = one();
  EXPECT_EQ(ack.type, MessageType::CGBA);
  EXPECT_EQ(ack.get<CircuitGroupSupervisionMessageType>(ParamCode::CircuitGroupSupervisionMessageType)->type, 0);
  EXPECT_EQ(rsOf(ack).range, 9);
  EXPECT_EQ(rsOf(ack).status, (Bytes{0x0B, 0x02}));
  for (uint16_t c : {1, 2, 4, 10}) EXPECT_EQ(stack->circuit(kDpc, c)->blocking, kRemoteMaint) << c;
  for (uint16_t c : {3, 5, 9}) EXPECT_EQ(stack->circuit(kDpc, c)->blocking, 0) << c;
  EXPECT_EQ(user.count("release"), 0u);  // maintenance blocking keeps the call on CIC 2
  inject(groupMsg(MessageType::CGU, 1, 9, Bytes{0x01, 0x02}));
  Message ua = one();
  EXPECT_EQ(ua.type, MessageType::CGUA);
  EXPECT_EQ(rsOf(ua).status, (Bytes{0x01, 0x02}));
  EXPECT_EQ(stack->circuit(kDpc, 1)->blocking, 0);
  EXPECT_EQ(stack->circuit(kDpc, 2)->blocking, kRemoteMaint);
  EXPECT_EQ(stack->circuit(kDpc, 10)->blocking, 0);
}

TEST_F(StackTest, HardwareGroupBlockingReleasesCalls) {
  CallId id = incoming(2);
  stack->sendCon(id, msg(MessageType::CON, 0));
  take();
  inject(groupMsg(MessageType::CGB, 1, 3, Bytes{0x02}, /*hw=*/true));
  Message ack = one();
  EXPECT_EQ(ack.type, MessageType::CGBA);
  EXPECT_EQ(ack.get<CircuitGroupSupervisionMessageType>(ParamCode::CircuitGroupSupervisionMessageType)->type, 1);
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::Blocked);
  EXPECT_EQ(stack->circuit(kDpc, 2)->blocking, kRemoteHw);
  EXPECT_EQ(stack->circuit(kDpc, 2)->call, CircuitCall::Idle);
}

TEST_F(StackTest, GroupBlockingSentT18T19AndAckMismatchAlerts) {
  ASSERT_TRUE(stack->groupBlock(kDpc, 1, 8, false, 0b10100101));
  Message cgb = one();
  EXPECT_EQ(cgb.type, MessageType::CGB);
  EXPECT_EQ(rsOf(cgb).range, 7);
  EXPECT_EQ(rsOf(cgb).status, (Bytes{0xA5}));
  EXPECT_EQ(stack->circuit(kDpc, 1)->blocking, kLocalMaint);
  EXPECT_EQ(stack->circuit(kDpc, 2)->blocking, 0);
  clock.advance(15 * S);  // T18
  EXPECT_EQ(one().type, MessageType::CGB);
  clock.advance(5 * MIN - 15 * S);  // T19
  take();
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::BlockingNotAcked);
  inject(groupMsg(MessageType::CGBA, 1, 7, Bytes{0x25}));  // CIC 8 missing
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::GroupAckMismatch);
  EXPECT_EQ(stack->runningProcedures(), 0u);
  ASSERT_TRUE(stack->groupUnblock(kDpc, 1, 8, false, 0b10100101));
  Message cgu = one();
  EXPECT_EQ(cgu.type, MessageType::CGU);
  clock.advance(15 * S);  // T20
  EXPECT_EQ(one().type, MessageType::CGU);
  inject(groupMsg(MessageType::CGUA, 1, 7, Bytes{0xA5}));
  EXPECT_EQ(stack->circuit(kDpc, 1)->blocking, 0);
  EXPECT_EQ(stack->runningProcedures(), 0u);
}

TEST_F(StackTest, CircuitQueryAnsweredWithStateIndicators) {
  CallId in = incoming(1);
  (void)in;
  auto out = stack->setup(0, iam("5551234"));  // takes CIC 2
  ASSERT_EQ(*stack->cicOf(*out), 2);
  stack->block(kDpc, 3);
  inject(msg(MessageType::BLO, 4));
  inject(groupMsg(MessageType::CGB, 5, 1, Bytes{0x01}, true));  // CIC 5 remotely hw blocked
  take();
  inject(groupMsg(MessageType::CQM, 1, 5));  // CICs 1..6
  Message cqr = one();
  EXPECT_EQ(cqr.type, MessageType::CQR);
  EXPECT_EQ(rsOf(cqr).range, 5);
  const auto* csi = cqr.get<CircuitStateIndicator>(ParamCode::CircuitStateIndicator);
  ASSERT_NE(csi, nullptr);
  // Q.763 §3.14: BA maintenance, DC call processing, FE hardware.
  EXPECT_EQ(csi->data, (Bytes{0x04, 0x08, 0x0D, 0x0E, 0x2C, 0x0C}));
}

TEST_F(StackTest, QuerySentAndT28Alerts) {
  ASSERT_TRUE(stack->query(kDpc, 1, 4));
  Message cqm = one();
  EXPECT_EQ(cqm.type, MessageType::CQM);
  EXPECT_EQ(rsOf(cqm).range, 3);
  Message cqr = groupMsg(MessageType::CQR, 1, 3);
  CircuitStateIndicator csi;
  for (uint8_t b : {0x0C, 0x0C, 0x04, 0x0D}) csi.data.push_back(b);
  cqr.set(ParamCode::CircuitStateIndicator, csi);
  inject(cqr);
  ASSERT_EQ(user.count("query"), 1u);
  EXPECT_EQ(user.last("query")->query.states, (std::vector<uint8_t>{0x0C, 0x0C, 0x04, 0x0D}));
  ASSERT_TRUE(stack->query(kDpc, 1, 4));
  take();
  clock.advance(10 * S);  // T28
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::QueryNotAnswered);
  EXPECT_TRUE(mtp.sent.empty());  // no repetition
  EXPECT_EQ(stack->runningProcedures(), 0u);
}

TEST_F(StackTest, UcicOnIamRepeatsTheCallAndMarksTheCircuit) {
  auto r = stack->setup(0, iam("5551234"));
  EXPECT_EQ(one().cic, 1);
  inject(msg(MessageType::UCIC, 1));
  Message again = one();
  EXPECT_EQ(again.type, MessageType::IAM);
  EXPECT_EQ(again.cic, 2);
  EXPECT_EQ(*stack->cicOf(*r), 2);
  EXPECT_TRUE(stack->circuit(kDpc, 1)->flags & kRemoteUnequipped);
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::RemoteUnequipped);
  EXPECT_FALSE(stack->circuit(kDpc, 1)->selectable());
}

TEST_F(StackTest, RepeatAttemptsAreBounded) {
  StackConfig c;
  c.max_repeat_attempts = 1;
  build(c);
  auto r = stack->setup(0, iam("5551234"));
  one();
  inject(msg(MessageType::UCIC, 1));
  EXPECT_EQ(one().cic, 2);
  inject(msg(MessageType::UCIC, 2));
  EXPECT_TRUE(mtp.sent.empty());
  ASSERT_EQ(user.count("release"), 1u);
  EXPECT_EQ(user.last("release")->id, *r);
  EXPECT_EQ(user.last("release")->origin, ReleaseOrigin::SetupFailed);
  EXPECT_EQ(user.last("release")->cause, 34);
}

TEST_F(StackTest, StartResetsInGroupsOf32AndLoneCircuitsWithRsc) {
  StackConfig c;
  c.opc = kOpc;
  mtp.sent.clear();
  stack = std::make_unique<IsupStack>(clock, mtp, c);  // reset_on_start = true
  ASSERT_TRUE(stack->addGroup({"a", kDpc, {{1, 70}, {100, 100}}, GroupDirection::BothWay, Selection::Sequential}).ok());
  stack->start();
  auto out = take();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].type, MessageType::GRS);
  EXPECT_EQ(out[0].cic, 1);
  EXPECT_EQ(rsOf(out[0]).range, 31);
  EXPECT_EQ(out[1].cic, 33);
  EXPECT_EQ(rsOf(out[1]).range, 31);
  EXPECT_EQ(out[2].cic, 65);
  EXPECT_EQ(rsOf(out[2]).range, 5);
  EXPECT_EQ(out[3].type, MessageType::RSC);
  EXPECT_EQ(out[3].cic, 100);
  EXPECT_EQ(stack->setup(0, iam("1")).error(), SetupError::NoCircuit);  // all resetting
  inject(groupMsg(MessageType::GRA, 1, 31, Bytes{0, 0, 0, 0}));
  EXPECT_TRUE(stack->setup(0, iam("1")).ok());
}

TEST_F(StackTest, PauseStopsNewCallsResumeResetsTheDestination) {
  stack->mtpPause(kDpc);
  EXPECT_EQ(stack->setup(0, iam("1")).error(), SetupError::DestinationUnavailable);
  EXPECT_FALSE(stack->destinationAvailable(kDpc));
  stack->mtpResume(kDpc);
  Message grs = one();
  EXPECT_EQ(grs.type, MessageType::GRS);
  EXPECT_EQ(grs.cic, 1);
  EXPECT_EQ(rsOf(grs).range, 30);  // CICs 1..31
  inject(groupMsg(MessageType::GRA, 1, 30, Bytes{0, 0, 0, 0}));
  EXPECT_TRUE(stack->setup(0, iam("1")).ok());
}

TEST_F(StackTest, UserPartUnavailableRunsTheUserPartTest) {
  stack->mtpStatus({MtpStatus::Kind::UserPartUnavailable, kDpc, 0, UserPartUnavailableCause::Inaccessible});
  Message upt = one();
  EXPECT_EQ(upt.type, MessageType::UPT);
  EXPECT_EQ(user.last("alert")->alert, MaintenanceAlert::UserPartUnavailable);
  EXPECT_EQ(stack->setup(0, iam("1")).error(), SetupError::DestinationUnavailable);
  clock.advance(5 * MIN);  // T4
  EXPECT_EQ(one().type, MessageType::UPT);
  inject(msg(MessageType::UPA, 1));
  EXPECT_TRUE(stack->destinationAvailable(kDpc));
  clock.advance(30 * MIN);
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_TRUE(stack->setup(0, iam("1")).ok());
}

TEST_F(StackTest, UserPartUnequippedIsNotTested) {
  stack->mtpStatus({MtpStatus::Kind::UserPartUnavailable, kDpc, 0, UserPartUnavailableCause::Unequipped});
  EXPECT_TRUE(mtp.sent.empty());
  EXPECT_FALSE(stack->destinationAvailable(kDpc));
}

TEST_F(StackTest, UptIsAnsweredWithUpa) {
  inject(msg(MessageType::UPT, 1));
  EXPECT_EQ(one().type, MessageType::UPA);
}

TEST_F(StackTest, MtpCongestionReducesTrafficAndT30RestoresIt) {
  stack->mtpStatus({MtpStatus::Kind::Congestion, kDpc, 1, {}});
  ASSERT_EQ(user.count("congestion"), 1u);
  EXPECT_EQ(user.last("congestion")->level, 1);
  stack->mtpStatus({MtpStatus::Kind::Congestion, kDpc, 1, {}});  // inside T29: ignored
  EXPECT_EQ(stack->congestionLevel(kDpc), 1);
  int rejected = 0;
  for (int i = 0; i < 8; ++i) rejected += !stack->setup(0, iam("1")).ok();
  EXPECT_EQ(rejected, 2);  // one in four
  clock.advance(300);  // T29 over: the next indication counts
  stack->mtpStatus({MtpStatus::Kind::Congestion, kDpc, 1, {}});
  EXPECT_EQ(stack->congestionLevel(kDpc), 2);
  clock.advance(5 * S);  // T30: one step back
  EXPECT_EQ(stack->congestionLevel(kDpc), 1);
  clock.advance(5 * S);
  EXPECT_EQ(stack->congestionLevel(kDpc), 0);
  EXPECT_EQ(user.last("congestion")->level, 0);
  EXPECT_EQ(clock.pending(), stack->activeCalls());  // only the admitted calls' T7s remain
}

TEST_F(StackTest, CircuitStateNamesAndMemoryFigures) {
  stack->block(kDpc, 2);
  EXPECT_EQ(describeCircuit(*stack->circuit(kDpc, 2)), "idle, locally blocked (maintenance)");
  EXPECT_EQ(describeCircuit(*stack->circuit(kDpc, 3)), "idle");
  EXPECT_EQ(stack->circuit(kDpc, 40), nullptr);
  EXPECT_EQ(IsupStack::bytesPerIdleCircuit(), 20u);
  EXPECT_LT(IsupStack::bytesPerCall(), 8192u);
}

}  // namespace
}  // namespace siptgw::isup::test

namespace siptgw::isup::test {
namespace {

TEST_F(StackTest, IamOnLocallyBlockedCircuitIsRefusedWithBlo) {
  stack->block(kDpc, 6);
  inject(msg(MessageType::BLA, 6));
  take();
  inject(iam("5551234", 6));
  Message blo = one();
  EXPECT_EQ(blo.type, MessageType::BLO);
  EXPECT_EQ(blo.cic, 6);
  EXPECT_EQ(user.count("setup"), 0u);
  // A test call (calling party's category 13) is still accepted.
  Message test_call = iam("5551234", 6);
  test_call.get<Octet>(ParamCode::CallingPartysCategory)->value = 13;
  inject(test_call);
  EXPECT_EQ(user.count("setup"), 1u);
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(StackTest, IamRemovesTheRemoteMaintenanceBlocking) {
  inject(msg(MessageType::BLO, 6));
  take();
  inject(iam("5551234", 6));
  EXPECT_EQ(user.count("setup"), 1u);
  EXPECT_EQ(stack->circuit(kDpc, 6)->blocking, 0);
}

}  // namespace
}  // namespace siptgw::isup::test
