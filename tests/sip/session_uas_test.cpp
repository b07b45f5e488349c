// UAS side of INVITE sessions (sip/user_agent.h): RFC 3261 §13.3 (2xx retransmission until
// ACK, BYE after 64·T1), §9.2 CANCEL, §15 BYE, §12.2.2 481/500, §8.2.2.3 420, RFC 3262
// (421, reliable provisionals, PRACK matching, ordering, give-up), RFC 3264/6337 offer/
// answer, RFC 3311 UPDATE glare, RFC 6086 INFO, RFC 3326 Reason. Manual clock, no sleeps.
#include <gtest/gtest.h>

#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

std::string toTagOf(const Sent* s) { return std::string(UaHarness::parsed(s).to()->tag); }

std::string invite(std::string_view extra = "Supported: 100rel\r\n", std::string_view body = kOffer) {
  return peerRequest("INVITE", 1, "", "z9hG4bKinv1", extra, body);
}

TEST(SessionUas, BasicCallRingAnswerAckBye) {
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) {
    EXPECT_TRUE(s.provisional(180, "Ringing"));
    EXPECT_TRUE(s.answer(kAnswer));
  };
  h.receive(invite());
  EXPECT_EQ(h.sentWith(100).size(), 0u);  // rung at once: no 100 Trying (RFC 3261 §17.2.1)
  ASSERT_EQ(h.sentWith(180).size(), 1u);
  ASSERT_EQ(h.sentWith(200).size(), 1u);
  Message ok = UaHarness::parsed(h.sentWith(200)[0]);
  const std::string tag = toTagOf(h.sentWith(180)[0]);
  EXPECT_FALSE(tag.empty());
  EXPECT_EQ(ok.to()->tag, tag);  // same dialog
  ASSERT_TRUE(ok.contacts());
  EXPECT_EQ((*ok.contacts())[0].addr.uri.raw, "sip:siptgw@10.0.0.1:5060");
  EXPECT_EQ(ok.body(), kAnswer);  // answer to the INVITE's offer
  InviteSession* s = h.last;
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->state(), SessionState::WaitingAck);
  EXPECT_EQ(s->offerAnswer().state(), OaState::Stable);
  EXPECT_TRUE(s->offerAnswer().completed());
  EXPECT_EQ(s->remoteSdp(), kOffer);

  h.clock.advance(600);  // one retransmission at T1
  EXPECT_EQ(h.sentWith(200).size(), 2u);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  EXPECT_EQ(s->state(), SessionState::Confirmed);
  EXPECT_TRUE(h.has("confirmed"));
  h.clock.advance(10000);
  EXPECT_EQ(h.sentWith(200).size(), 2u);  // ACK stopped the retransmissions

  h.receive(peerRequest("BYE", 2, tag, "z9hG4bKbye1", "Reason: Q.850;cause=16\r\n"));
  auto byeOk = h.sentWith(200);
  ASSERT_EQ(byeOk.size(), 3u);
  EXPECT_EQ(UaHarness::parsed(byeOk[2]).cseq()->method, "BYE");
  EXPECT_EQ(h.endReason, EndReason::RemoteBye);
  EXPECT_EQ(h.endRemoteReason, "Q.850;cause=16");
  EXPECT_EQ(h.ua.stats().completed, 1u);
  EXPECT_EQ(h.ua.stats().confirmed, 1u);
  h.clock.runUntilIdle();
  EXPECT_EQ(h.ua.sessionCount(), 0u);
}

// The stack parses the INVITE's offer once and lends that parse to the handler during
// onIncoming (the gateway reads codecs from it); it is gone afterwards, and absent for an
// INVITE without SDP.
TEST(SessionUas, IncomingOfferLentDuringOnIncomingOnly) {
  UaHarness h;
  std::string port, connection;
  bool sawNone = false;
  h.incoming = [&](InviteSession& s, const Message& inv) {
    const SessionDescription* offer = s.incomingOffer();
    if (inv.body().empty()) {
      sawNone = offer == nullptr;
      return;
    }
    ASSERT_NE(offer, nullptr);
    ASSERT_EQ(offer->media.size(), 1u);
    port = std::to_string(offer->media[0].mediaLine()->port);
    connection = std::string(offer->connection()->address);
    // Views into the INVITE itself, not a copy.
    EXPECT_GE(offer->media[0].lines[0].value.data(), inv.body().data());
    EXPECT_LT(offer->media[0].lines[0].value.data(), inv.body().data() + inv.body().size());
  };
  h.receive(invite());
  EXPECT_EQ(port, "49170");
  EXPECT_EQ(connection, "192.0.2.10");
  ASSERT_NE(h.last, nullptr);
  EXPECT_EQ(h.last->incomingOffer(), nullptr);  // only during the callback

  UaHarness h2;
  h2.incoming = h.incoming;
  h2.receive(invite("", ""));
  EXPECT_TRUE(sawNone);
}

TEST(SessionUas, TwoHundredRetransmittedT1DoublingToT2ThenByeAt64T1) {  // §13.3.1.4
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(invite());
  h.clock.advance(40000);
  std::vector<std::uint64_t> times;
  for (const Sent* s : h.sentWith(200)) times.push_back(s->atMs);
  const std::vector<std::uint64_t> want = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500};
  EXPECT_EQ(times, want);
  auto byes = h.sentWith("BYE");
  std::vector<std::uint64_t> byeTimes;
  for (const Sent* s : byes) byeTimes.push_back(s->atMs);
  // The BYE at 64·T1, then its own Timer E retransmissions.
  EXPECT_EQ(byeTimes, (std::vector<std::uint64_t>{32000, 32500, 33500, 35500, 39500}));
  Message bye = UaHarness::parsed(byes[0]);
  EXPECT_EQ(bye.requestUriText(), "sip:alice@192.0.2.10:5060");  // remote target
  EXPECT_EQ(bye.cseq()->number, 1u);
  EXPECT_EQ(bye.to()->tag, "alice1");
  EXPECT_EQ(byes[0]->dst.remote.toString(), "192.0.2.10:5060");
  EXPECT_EQ(h.endReason, EndReason::NoAck);
  EXPECT_EQ(h.ua.stats().failed, 1u);
}

// §13.3.1.4: the 2xx is retransmitted "even if the transport at the UAS is reliable" (a later
// hop may be UDP): T1 doubling to T2 over TCP too, until the ACK or 64·T1.
TEST(SessionUas, ReliableTransportStillRetransmits2xx) {
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(invite(), tcpPeer());
  h.clock.advance(31000);  // at 0.5, 1.5, 3.5, 7.5, 11.5, ... 27.5 s: 9 retransmissions
  EXPECT_EQ(h.sentWith(200).size(), 10u);
  EXPECT_EQ(h.sentWith(200).back()->dst.transport, TransportType::Tcp);
  h.clock.advance(1000);
  EXPECT_EQ(h.sentWith("BYE").size(), 1u);  // give-up still applies
}

TEST(SessionUas, CancelBeforeAnswerGives200And487) {  // §9.2
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.provisional(180, "Ringing"); };
  h.receive(invite());
  h.receive(peerRequest("CANCEL", 1, "", "z9hG4bKinv1", "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"));
  auto oks = h.sentWith(200);
  ASSERT_EQ(oks.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(oks[0]).cseq()->method, "CANCEL");
  auto r487 = h.sentWith(487);
  ASSERT_EQ(r487.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(r487[0]).cseq()->method, "INVITE");
  EXPECT_EQ(h.endReason, EndReason::Cancelled);
  EXPECT_EQ(h.endCode, 487);
  EXPECT_EQ(h.endRemoteReason, "SIP;cause=200;text=\"Call completed elsewhere\"");
  EXPECT_EQ(h.ua.stats().cancelled, 1u);
}

TEST(SessionUas, CancelCrossing200ChangesNothing) {
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(invite());
  InviteSession* s = h.last;
  h.receive(peerRequest("CANCEL", 1, "", "z9hG4bKinv1"));
  EXPECT_EQ(h.sentWith(487).size(), 0u);
  auto oks = h.sentWith(200);
  ASSERT_EQ(oks.size(), 2u);
  EXPECT_EQ(UaHarness::parsed(oks[1]).cseq()->method, "CANCEL");
  EXPECT_EQ(s->state(), SessionState::WaitingAck);
}

TEST(SessionUas, CancelMatchingNothingIs481) {
  UaHarness h;
  h.receive(peerRequest("CANCEL", 1, "", "z9hG4bKnothing"));
  ASSERT_EQ(h.sentWith(481).size(), 1u);
}

TEST(SessionUas, NoDialog481AndLowerCSeq500) {  // §12.2.2
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(invite());
  const std::string tag = toTagOf(h.sentWith(200)[0]);
  h.receive(peerRequest("BYE", 2, "wrongtag", "z9hG4bKb1"));
  ASSERT_EQ(h.sentWith(481).size(), 1u);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKa1"));
  h.receive(peerRequest("INFO", 5, tag, "z9hG4bKi5"));
  h.receive(peerRequest("INFO", 4, tag, "z9hG4bKi4"));
  auto e500 = h.sentWith(500);
  ASSERT_EQ(e500.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(e500[0]).cseq()->number, 4u);
  EXPECT_TRUE(h.has("info"));
  EXPECT_EQ(h.last->dialog()->remoteSeq(), 5u);
}

TEST(SessionUas, InfoPackageNotAdvertisedIs469) {  // RFC 6086 §5.2.2
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(invite());
  const std::string tag = toTagOf(h.sentWith(200)[0]);
  h.receive(peerRequest("INFO", 2, tag, "z9hG4bKi2", "Info-Package: foo\r\n"));
  EXPECT_EQ(h.sentWith(469).size(), 1u);
}

TEST(SessionUas, UnknownRequireIs420WithUnsupported) {  // §8.2.2.3
  UaHarness h;
  h.receive(invite("Require: 100rel, foo, bar\r\n"));
  auto r = h.sentWith(420);
  ASSERT_EQ(r.size(), 1u);
  Message m = UaHarness::parsed(r[0]);
  EXPECT_EQ(m.find(HeaderId::Unsupported)->value, "foo, bar");
  EXPECT_FALSE(h.has("incoming"));
  EXPECT_EQ(h.ua.stats().responses420, 1u);
}

TEST(SessionUas, Require100relWithoutSupportIs421) {  // RFC 3262 §3
  UaConfig c;
  c.require100rel = true;
  UaHarness h(c);
  h.receive(invite(""));
  auto r = h.sentWith(421);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(UaHarness::parsed(r[0]).hasOptionTag(HeaderId::Require, "100rel"));
  EXPECT_FALSE(h.has("incoming"));
}

TEST(SessionUas, RejectCarriesReason) {  // RFC 3326
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) {
    EXPECT_TRUE(s.reject(486, "Busy Here", "Q.850;cause=17;text=\"User busy\""));
  };
  h.receive(invite());
  auto r = h.sentWith(486);
  ASSERT_EQ(r.size(), 1u);
  Message m = UaHarness::parsed(r[0]);
  auto reasons = m.reasons();
  ASSERT_TRUE(reasons);
  ASSERT_EQ(reasons->size(), 1u);
  EXPECT_EQ((*reasons)[0].protocol, "Q.850");
  EXPECT_EQ((*reasons)[0].cause, 17u);
  EXPECT_EQ(h.endReason, EndReason::Rejected);
  EXPECT_EQ(h.ua.stats().rejected, 1u);
}

TEST(SessionUas, ByeBeforeFinalGives487) {  // §15.1.2
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.provisional(180, "Ringing"); };
  h.receive(invite());
  const std::string tag = toTagOf(h.sentWith(180)[0]);
  h.receive(peerRequest("BYE", 2, tag, "z9hG4bKbye"));
  EXPECT_EQ(h.sentWith(200).size(), 1u);
  EXPECT_EQ(h.sentWith(487).size(), 1u);
  EXPECT_EQ(h.endReason, EndReason::RemoteBye);
}

TEST(SessionUas, ReliableProvisionalRetransmittedUntilPrack) {  // RFC 3262 §3
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { EXPECT_TRUE(s.provisional(183, "Session Progress", kAnswer, true)); };
  h.receive(invite());
  auto r = h.sentWith(183);
  ASSERT_EQ(r.size(), 1u);
  Message p = UaHarness::parsed(r[0]);
  EXPECT_TRUE(p.hasOptionTag(HeaderId::Require, "100rel"));
  ASSERT_TRUE(p.rseq());
  const std::uint32_t rseq = *p.rseq();
  EXPECT_GE(rseq, 1u);
  EXPECT_LE(rseq, 0x7fffffffu);
  EXPECT_EQ(p.body(), kAnswer);
  EXPECT_EQ(h.last->offerAnswer().state(), OaState::Stable);  // answered in the 183
  h.clock.advance(3600);
  std::vector<std::uint64_t> times;
  for (const Sent* s : h.sentWith(183)) times.push_back(s->atMs);
  EXPECT_EQ(times, (std::vector<std::uint64_t>{0, 500, 1500, 3500}));
  const std::string tag = toTagOf(r[0]);
  // Wrong RAck: 481, retransmissions continue.
  h.receive(peerRequest("PRACK", 2, tag, "z9hG4bKpr0", "RAck: " + std::to_string(rseq + 1) + " 1 INVITE\r\n"));
  EXPECT_EQ(h.sentWith(481).size(), 1u);
  h.receive(peerRequest("PRACK", 3, tag, "z9hG4bKpr1", "RAck: " + std::to_string(rseq) + " 1 INVITE\r\n"));
  auto ok = h.sentWith(200);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(ok[0]).cseq()->method, "PRACK");
  EXPECT_TRUE(h.has("prack"));
  h.clock.advance(20000);
  EXPECT_EQ(h.sentWith(183).size(), 4u);  // stopped
  EXPECT_EQ(h.ua.stats().prackIn, 1u);
}

TEST(SessionUas, NoPrackWithin64T1Gives5xx) {  // RFC 3262 §3
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.provisional(180, "Ringing", {}, true); };
  h.receive(invite());
  h.clock.advance(32000);
  std::vector<std::uint64_t> times;
  for (const Sent* s : h.sentWith(180)) times.push_back(s->atMs);
  EXPECT_EQ(times, (std::vector<std::uint64_t>{0, 500, 1500, 3500, 7500, 15500, 31500}));
  auto r = h.sentWith(504);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]->atMs, 32000u);
  EXPECT_EQ(h.endReason, EndReason::Rel1xxTimeout);
}

TEST(SessionUas, NextReliableProvisionalWaitsForPrack) {
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) {
    s.provisional(183, "Session Progress", {}, true);
    s.provisional(180, "Ringing", {}, true);
  };
  h.receive(invite());
  ASSERT_EQ(h.sentWith(183).size(), 1u);
  EXPECT_EQ(h.sentWith(180).size(), 0u);
  const std::uint32_t rseq = *UaHarness::parsed(h.sentWith(183)[0]).rseq();
  const std::string tag = toTagOf(h.sentWith(183)[0]);
  h.receive(peerRequest("PRACK", 2, tag, "z9hG4bKp1", "RAck: " + std::to_string(rseq) + " 1 INVITE\r\n"));
  ASSERT_EQ(h.sentWith(180).size(), 1u);
  EXPECT_EQ(*UaHarness::parsed(h.sentWith(180)[0]).rseq(), rseq + 1);  // RSeq + 1
}

TEST(SessionUas, TwoHundredWaitsForPrackOfProvisionalWithSdp) {
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) {
    s.provisional(183, "Session Progress", kAnswer, true);
    s.answer(kAnswer);
  };
  h.receive(invite());
  EXPECT_EQ(h.sentWith(200).size(), 0u);
  const std::uint32_t rseq = *UaHarness::parsed(h.sentWith(183)[0]).rseq();
  const std::string tag = toTagOf(h.sentWith(183)[0]);
  h.receive(peerRequest("PRACK", 2, tag, "z9hG4bKp1", "RAck: " + std::to_string(rseq) + " 1 INVITE\r\n"));
  auto oks = h.sentWith(200);
  ASSERT_EQ(oks.size(), 2u);  // 200 PRACK, then 200 INVITE
  Message ok = UaHarness::parsed(oks[1]);
  EXPECT_EQ(ok.cseq()->method, "INVITE");
  EXPECT_TRUE(ok.body().empty());  // offer/answer already completed in the 183
}

TEST(SessionUas, OfferInReliableProvisionalAnsweredInPrack) {  // RFC 3262 §5
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.provisional(183, "Session Progress", kAnswer, true); };
  h.receive(invite("Supported: 100rel\r\n", ""));  // no offer in the INVITE
  EXPECT_EQ(h.last->offerAnswer().state(), OaState::LocalOffer);
  const std::uint32_t rseq = *UaHarness::parsed(h.sentWith(183)[0]).rseq();
  const std::string tag = toTagOf(h.sentWith(183)[0]);
  h.receive(peerRequest("PRACK", 2, tag, "z9hG4bKp1", "RAck: " + std::to_string(rseq) + " 1 INVITE\r\n", kOffer));
  EXPECT_EQ(h.last->offerAnswer().state(), OaState::Stable);
  EXPECT_EQ(h.last->remoteSdp(), kOffer);
}

TEST(SessionUas, UnreliableWhenPeerLacks100rel) {
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.provisional(180, "Ringing", {}, true); };
  h.receive(invite(""));
  auto r = h.sentWith(180);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(UaHarness::parsed(r[0]).has(HeaderId::RSeq));
  h.clock.advance(5000);
  EXPECT_EQ(h.sentWith(180).size(), 1u);
}

TEST(SessionUas, UpdateOfferAnsweredAndGlareIs491) {  // RFC 3311 §5.2
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(invite());
  const std::string tag = toTagOf(h.sentWith(200)[0]);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKa"));
  h.receive(peerRequest("UPDATE", 2, tag, "z9hG4bKu2", "", kOffer));
  auto oks = h.sentWith(200);
  Message up = UaHarness::parsed(oks.back());
  EXPECT_EQ(up.cseq()->method, "UPDATE");
  EXPECT_EQ(up.body(), kAnswer);
  EXPECT_EQ(h.last->offerAnswer().exchanges(), 2u);
  // Our own UPDATE outstanding: theirs is glare.
  ASSERT_TRUE(h.last->update(kAnswer));
  EXPECT_FALSE(h.last->update(kAnswer));  // one offer at a time
  auto ours = h.sentWith("UPDATE");
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(ours[0]).cseq()->number, 1u);
  h.receive(peerRequest("UPDATE", 3, tag, "z9hG4bKu3", "", kOffer));
  EXPECT_EQ(h.sentWith(491).size(), 1u);
}

TEST(SessionUas, ReInviteDuringPendingInviteIs500WithRetryAfter) {  // §14.2
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.provisional(180, "Ringing"); };
  h.receive(invite());
  const std::string tag = toTagOf(h.sentWith(180)[0]);
  h.receive(peerRequest("INVITE", 2, tag, "z9hG4bKre", "", kOffer));
  auto r = h.sentWith(500);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(UaHarness::parsed(r[0]).has(HeaderId::RetryAfter));
}

TEST(SessionUas, ByeWaitsForAck) {  // §15
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(invite());
  InviteSession* s = h.last;
  ASSERT_TRUE(s->bye("SIP;cause=480"));
  EXPECT_EQ(h.sentWith("BYE").size(), 0u);
  const std::string tag = toTagOf(h.sentWith(200)[0]);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKa"));
  auto byes = h.sentWith("BYE");
  ASSERT_EQ(byes.size(), 1u);
  Message bye = UaHarness::parsed(byes[0]);
  EXPECT_EQ(bye.find(HeaderId::Reason)->value, "SIP;cause=480");
  EXPECT_EQ(bye.from()->tag, tag);
}

}  // namespace
}  // namespace siptgw::sip::testing
