// re-INVITE sent by us (sip/user_agent.h InviteSession::reinvite): RFC 3261 §14.1 (ACK for
// its 2xx and re-ACK of retransmissions, 491 retried after the random interval, non-2xx keeps
// the session, 481/408 end it), §14.2 glare (491 to the peer's re-INVITE while ours is
// pending). Manual clock, no sleeps.
#include <gtest/gtest.h>

#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

const std::string kOffer2 =
    "v=0\r\no=gw 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
    "m=audio 30002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";

struct Confirmed : Uac {
  Confirmed() { rx(200, "b1", "", kAnswer); }
};

TEST(SessionReinvite, OfferAnsweredAckedAndReAckedOnRetransmission) {
  Confirmed h;
  ASSERT_TRUE(h.s->reinvite(kOffer2));
  EXPECT_TRUE(h.s->reinvitePending());
  EXPECT_FALSE(h.s->reinvite(kOffer2));  // one INVITE transaction at a time
  EXPECT_FALSE(h.s->update(kOffer2));    // and our offer is outstanding
  auto invs = h.sentWith("INVITE");
  ASSERT_EQ(invs.size(), 2u);
  Message re = UaHarness::parsed(invs[1]);
  EXPECT_EQ(re.requestUriText(), "sip:bob@192.0.2.20:5062");
  EXPECT_EQ(re.cseq()->number, 2u);
  EXPECT_EQ(re.to()->tag, "b1");
  EXPECT_EQ(*re.callId(), *h.inv.callId());
  EXPECT_EQ(re.body(), kOffer2);
  EXPECT_TRUE(re.has(HeaderId::Contact));
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::LocalOffer);

  h.rxTo(invs[1], 200, "", kAnswer, "<sip:bob@192.0.2.30:5070>");
  EXPECT_FALSE(h.s->reinvitePending());
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
  EXPECT_EQ(h.s->offerAnswer().exchanges(), 2u);
  EXPECT_TRUE(h.has("reinvite 200"));
  auto acks = h.sentWith("ACK");
  ASSERT_EQ(acks.size(), 2u);
  Message ack = UaHarness::parsed(acks[1]);
  EXPECT_EQ(ack.cseq()->number, 2u);
  EXPECT_EQ(ack.cseq()->method, "ACK");
  EXPECT_EQ(ack.requestUriText(), "sip:bob@192.0.2.30:5070");  // target refreshed (§12.2.1.2)
  EXPECT_TRUE(ack.body().empty());
  h.rxTo(invs[1], 200, "", kAnswer, "<sip:bob@192.0.2.30:5070>");  // retransmission
  acks = h.sentWith("ACK");
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(acks[2]->bytes, acks[1]->bytes);
  h.clock.advance(40000);  // Timer M gone: still re-ACKed
  h.rxTo(invs[1], 200, "", kAnswer, "<sip:bob@192.0.2.30:5070>");
  EXPECT_EQ(h.sentWith("ACK").size(), 4u);
  EXPECT_EQ(h.s->state(), SessionState::Confirmed);
}

TEST(SessionReinvite, WithoutOfferTheAckAnswersThe2xxOffer) {  // §14.1, §13.2.1
  Confirmed h;
  ASSERT_TRUE(h.s->reinvite({}));
  auto invs = h.sentWith("INVITE");
  ASSERT_EQ(invs.size(), 2u);
  EXPECT_TRUE(UaHarness::parsed(invs[1]).body().empty());
  h.rxTo(invs[1], 200, "", kAnswer);
  auto acks = h.sentWith("ACK");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(UaHarness::parsed(acks[1]).body(), kOffer);  // our current SDP as the answer
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
}

TEST(SessionReinvite, Glare491RetriedAfterRandomIntervalWithSameOffer) {  // §14.1
  Confirmed h;
  ASSERT_TRUE(h.s->reinvite(kOffer2));
  auto invs = h.sentWith("INVITE");
  h.rxTo(invs[1], 491);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
  EXPECT_EQ(h.s->state(), SessionState::Confirmed);
  EXPECT_TRUE(h.has("reinvite 491"));
  EXPECT_EQ(h.sentWith("ACK").size(), 2u);  // the transaction ACKs the 491
  h.clock.advance(2099);  // we own the Call-ID: 2.1 to 4 s
  EXPECT_EQ(h.sentWith("INVITE").size(), 2u);
  h.clock.advance(1901);
  invs = h.sentWith("INVITE");
  ASSERT_GE(invs.size(), 3u);  // the retry (then its Timer A retransmissions)
  EXPECT_GE(invs[2]->atMs, 2100u);
  EXPECT_LE(invs[2]->atMs, 4000u);
  Message retry = UaHarness::parsed(invs[2]);
  EXPECT_EQ(retry.cseq()->number, 3u);
  EXPECT_EQ(retry.body(), kOffer2);
}

TEST(SessionReinvite, RejectionKeepsTheSession) {  // §14.1
  Confirmed h;
  ASSERT_TRUE(h.s->reinvite(kOffer2));
  h.rxTo(h.sentWith("INVITE")[1], 488);
  EXPECT_EQ(h.s->state(), SessionState::Confirmed);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
  EXPECT_TRUE(h.sentWith("BYE").empty());
  EXPECT_TRUE(h.s->reinvite(kOffer2));  // and a new one may go
}

TEST(SessionReinvite, Response481EndsTheDialog) {
  Confirmed h;
  ASSERT_TRUE(h.s->reinvite(kOffer2));
  h.rxTo(h.sentWith("INVITE")[1], 481);
  EXPECT_TRUE(h.has("terminated DialogLost 481"));
  EXPECT_TRUE(h.sentWith("BYE").empty());
}

TEST(SessionReinvite, Response408EndsWithBye) {
  Confirmed h;
  ASSERT_TRUE(h.s->reinvite(kOffer2));
  h.rxTo(h.sentWith("INVITE")[1], 408);
  EXPECT_TRUE(h.has("terminated Timeout 408"));
  auto byes = h.sentWith("BYE");
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(byes[0]).cseq()->number, 3u);
}

TEST(SessionReinvite, TransactionTimeoutEndsWithBye) {  // Timer B
  Confirmed h;
  ASSERT_TRUE(h.s->reinvite(kOffer2));
  h.clock.advance(32000);
  EXPECT_TRUE(h.has("terminated Timeout 408"));
  EXPECT_EQ(h.sentWith("BYE").size(), 1u);
}

TEST(SessionReinvite, PeerReinviteWhileOursPendingIs491) {  // §14.2
  Confirmed h;
  ASSERT_TRUE(h.s->reinvite({}));  // no offer: the glare comes from the INVITE itself
  std::string reinv = "INVITE sip:siptgw@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bKre9\r\n"
                      "From: <sip:bob@192.0.2.20>;tag=b1\r\nTo: " + std::string(h.inv.find(HeaderId::From)->value) +
                      "\r\nCall-ID: " + std::string(*h.inv.callId()) +
                      "\r\nCSeq: 7 INVITE\r\nContact: <sip:bob@192.0.2.20:5062>\r\nContent-Length: 0\r\n\r\n";
  h.receive(reinv, kFrom);
  auto r = h.sentWith(491);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(r[0]).cseq()->number, 7u);
  EXPECT_TRUE(h.s->reinvitePending());
}

TEST(SessionReinvite, UasSideRetriesWithinTwoSeconds) {  // §14.1: not the Call-ID owner
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "", kOffer));
  const std::string tag(UaHarness::parsed(h.sentWith(200)[0]).to()->tag);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  InviteSession* s = h.last;
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->reinvite(kOffer2));
  auto invs = h.sentWith("INVITE");
  ASSERT_EQ(invs.size(), 1u);
  Message re = UaHarness::parsed(invs[0]);
  EXPECT_EQ(re.requestUriText(), "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(re.from()->tag, tag);
  EXPECT_EQ(re.to()->tag, "alice1");
  h.receive(reply(re, 491, ""));
  h.clock.advance(2000);
  invs = h.sentWith("INVITE");
  ASSERT_GE(invs.size(), 2u);  // the retry, maybe with Timer A retransmissions
  EXPECT_LE(invs[1]->atMs, 2000u);
  h.receive(reply(UaHarness::parsed(invs[1]), 200, "", "", kOffer));
  auto acks = h.sentWith("ACK");
  ASSERT_EQ(acks.size(), 2u);  // the transaction's ACK for the 491, ours for the 2xx
  EXPECT_EQ(UaHarness::parsed(acks[1]).cseq()->number, 2u);
  EXPECT_EQ(UaHarness::parsed(invs[1]).cseq()->number, 2u);
  EXPECT_EQ(s->remoteSdp(), kOffer);
}

}  // namespace
}  // namespace siptgw::sip::testing
