// UAC side of INVITE sessions (sip/user_agent.h): RFC 3261 §13.2.2.4 (ACK for 2xx built in
// the dialog, re-sent for retransmissions, forks ACKed and ended with BYE), §12.1.2 early
// dialogs per To tag, §9.1 CANCEL (held until a provisional, crossing 2xx), §15 BYE,
// RFC 3262 §4 PRACK and RSeq ordering, RFC 3326 Reason. Manual clock, no sleeps.
#include <gtest/gtest.h>

#include "sip/message_builder.h"
#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

TEST(SessionUac, InviteCarriesOfferAnd100relSupport) {
  Uac h;
  EXPECT_EQ(h.inv.requestUriText(), "sip:bob@192.0.2.20");
  EXPECT_TRUE(h.inv.hasOptionTag(HeaderId::Supported, "100rel"));
  EXPECT_FALSE(h.inv.to()->tag.size());
  EXPECT_FALSE(h.inv.from()->tag.empty());
  EXPECT_EQ(h.inv.cseq()->number, 1u);
  EXPECT_EQ(h.inv.body(), kOffer);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::LocalOffer);
  EXPECT_EQ(h.s->state(), SessionState::Calling);
}

TEST(SessionUac, AckFor2xxInDialogAndResentForRetransmissions) {  // §13.2.2.4
  Uac h;
  h.rx(180, "b1", "Record-Route: <sip:192.0.2.50;lr>, <sip:192.0.2.51;lr>\r\n");
  EXPECT_EQ(h.s->state(), SessionState::Early);
  ASSERT_EQ(h.s->earlyDialogs().size(), 1u);
  EXPECT_TRUE(h.has("provisional 180"));
  h.rx(200, "b1", "Record-Route: <sip:192.0.2.50;lr>, <sip:192.0.2.51;lr>\r\n", kAnswer);
  EXPECT_EQ(h.s->state(), SessionState::Confirmed);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
  EXPECT_EQ(h.s->remoteSdp(), kAnswer);
  auto acks = h.sentWith("ACK");
  ASSERT_EQ(acks.size(), 1u);
  Message ack = UaHarness::parsed(acks[0]);
  EXPECT_EQ(ack.requestUriText(), "sip:bob@192.0.2.20:5062");  // remote target
  EXPECT_EQ(ack.cseq()->number, 1u);
  EXPECT_EQ(ack.cseq()->method, "ACK");
  EXPECT_EQ(ack.to()->tag, "b1");
  EXPECT_NE(ack.topVia()->branch, h.inv.topVia()->branch);  // a new transaction
  auto routes = ack.routes();
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 2u);
  EXPECT_EQ((*routes)[0].uri.raw, "sip:192.0.2.51;lr");  // reversed Record-Route
  EXPECT_EQ(acks[0]->dst.remote.toString(), "192.0.2.51:5060");
  // Retransmitted 2xx: the same ACK again.
  h.rx(200, "b1", "Record-Route: <sip:192.0.2.50;lr>, <sip:192.0.2.51;lr>\r\n", kAnswer);
  acks = h.sentWith("ACK");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[1]->bytes, acks[0]->bytes);
  // After Timer M the transaction is gone; the UA still re-ACKs.
  h.clock.advance(40000);
  h.rx(200, "b1", "Record-Route: <sip:192.0.2.50;lr>, <sip:192.0.2.51;lr>\r\n", kAnswer);
  EXPECT_EQ(h.sentWith("ACK").size(), 3u);
  EXPECT_EQ(h.ua.stats().ackResent, 2u);
}

TEST(SessionUac, ForkingEarlyDialogsAndSecond2xxAckedThenByed) {  // §12.1.2, §13.2.2.4
  Uac h;
  h.rx(180, "fa", "", "", "<sip:a@192.0.2.21>");
  h.rx(183, "fb", "", "", "<sip:b@192.0.2.22>");
  ASSERT_EQ(h.s->earlyDialogs().size(), 2u);
  EXPECT_EQ(h.s->earlyDialogs()[0].remoteTag(), "fa");
  EXPECT_EQ(h.s->earlyDialogs()[1].remoteTag(), "fb");
  h.rx(200, "fa", "", kAnswer, "<sip:a@192.0.2.21>");
  ASSERT_NE(h.s->dialog(), nullptr);
  EXPECT_EQ(h.s->dialog()->remoteTag(), "fa");
  EXPECT_EQ(h.s->dialog()->state(), DialogState::Confirmed);
  h.rx(200, "fb", "", kAnswer, "<sip:b@192.0.2.22>");
  auto acks = h.sentWith("ACK");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(UaHarness::parsed(acks[1]).requestUriText(), "sip:b@192.0.2.22");
  auto byes = h.sentWith("BYE");
  ASSERT_EQ(byes.size(), 1u);
  Message bye = UaHarness::parsed(byes[0]);
  EXPECT_EQ(bye.requestUriText(), "sip:b@192.0.2.22");
  EXPECT_EQ(bye.to()->tag, "fb");
  EXPECT_EQ(bye.cseq()->number, 2u);
  EXPECT_EQ(h.s->state(), SessionState::Confirmed);  // the first fork's call goes on
}

TEST(SessionUac, PrackForReliableProvisionalInOrderOnly) {  // RFC 3262 §4
  Uac h;
  h.rx(183, "b1", "Require: 100rel\r\nRSeq: 10\r\n", kAnswer);
  auto pr = h.sentWith("PRACK");
  ASSERT_EQ(pr.size(), 1u);
  Message p = UaHarness::parsed(pr[0]);
  ASSERT_TRUE(p.rack());
  EXPECT_EQ(p.rack()->rseq, 10u);
  EXPECT_EQ(p.rack()->cseq, 1u);
  EXPECT_EQ(p.rack()->method, "INVITE");
  EXPECT_EQ(p.cseq()->number, 2u);
  EXPECT_EQ(p.to()->tag, "b1");
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);  // answer in the 183
  h.rx(183, "b1", "Require: 100rel\r\nRSeq: 10\r\n", kAnswer);  // retransmission
  EXPECT_EQ(h.sentWith("PRACK").size(), 1u);
  h.rx(180, "b1", "Require: 100rel\r\nRSeq: 12\r\n");  // out of order: not processed
  EXPECT_EQ(h.sentWith("PRACK").size(), 1u);
  h.rx(180, "b1", "Require: 100rel\r\nRSeq: 11\r\n");
  ASSERT_EQ(h.sentWith("PRACK").size(), 2u);
  EXPECT_EQ(UaHarness::parsed(h.sentWith("PRACK")[1]).rack()->rseq, 11u);
  EXPECT_EQ(h.ua.stats().prackOut, 2u);
  // The 2xx repeats nothing: offer/answer completed in the 183.
  h.rx(200, "b1", "", kAnswer);
  EXPECT_EQ(h.s->offerAnswer().exchanges(), 1u);
}

TEST(SessionUac, CancelHeldUntilProvisionalThen487) {  // §9.1
  Uac h;
  ASSERT_TRUE(h.s->cancel("SIP;cause=487"));
  EXPECT_EQ(h.sentWith("CANCEL").size(), 0u);
  h.rx(180, "b1");
  auto c = h.sentWith("CANCEL");
  ASSERT_EQ(c.size(), 1u);
  Message cancel = UaHarness::parsed(c[0]);
  EXPECT_EQ(cancel.topVia()->branch, h.inv.topVia()->branch);
  EXPECT_EQ(cancel.find(HeaderId::Reason)->value, "SIP;cause=487");
  h.rx(487, "b1", "Reason: SIP;cause=487;text=\"Request Terminated\"\r\n");
  EXPECT_EQ(h.endReason, EndReason::Cancelled);
  EXPECT_EQ(h.endCode, 487);
  EXPECT_EQ(h.endRemoteReason, "SIP;cause=487;text=\"Request Terminated\"");
  EXPECT_EQ(h.ua.stats().cancelled, 1u);
}

// §9.1: "provisional response" includes 100 Trying: a peer that only ever sends 100 (it never
// rings) must still be cancellable, and a CANCEL after its 100 goes out at once.
TEST(SessionUac, CancelAfter100Trying) {
  Uac h;
  ASSERT_TRUE(h.s->cancel("Q.850;cause=19"));
  EXPECT_EQ(h.sentWith("CANCEL").size(), 0u);
  h.rx(100, "");
  ASSERT_EQ(h.sentWith("CANCEL").size(), 1u);
  h.rx(487, "b1");
  EXPECT_EQ(h.endReason, EndReason::Cancelled);

  Uac h2;
  h2.rx(100, "");
  ASSERT_TRUE(h2.s->cancel());
  EXPECT_EQ(h2.sentWith("CANCEL").size(), 1u);
}

// §9.1: a peer that takes our CANCEL (200) but never sends the INVITE's final response must
// not hold the call: 64·T1 after the CANCEL the INVITE transaction is destroyed and the
// session ends, cancelled, with nothing left behind (found by tests/fuzz/sip_ua.cpp).
TEST(SessionUac, CancelledInviteWithoutFinalResponseEndsAfter64T1) {
  Uac h;
  h.rx(180, "b1");
  h.clock.advance(100000);  // ringing for long is fine while nobody cancels
  EXPECT_EQ(h.s->state(), SessionState::Early);
  ASSERT_TRUE(h.s->cancel());
  h.rxTo(h.sentWith("CANCEL").at(0), 200);
  h.clock.advance(64 * 500 - 1);
  EXPECT_EQ(h.ua.sessionCount(), 1u);
  h.clock.advance(1);
  EXPECT_EQ(h.endReason, EndReason::Cancelled);
  EXPECT_EQ(h.endCode, 408);
  EXPECT_EQ(h.ua.stats().cancelled, 1u);
  h.clock.advance(64 * 500);
  EXPECT_EQ(h.ua.sessionCount(), 0u);
  EXPECT_EQ(h.ua.dialogBindings(), 0u);
  EXPECT_EQ(h.ua.transactions().size(), 0u);
}

// A 2xx that builds no dialog (§12.1.2: a 2xx must carry Contact, and its To a tag) is no
// answer, but it moves the INVITE transaction to Accepted, where only Timer M is left: once
// that ends with no usable 2xx from any fork, the session ends instead of hanging (found by
// tests/fuzz/sip_ua.cpp). A good 2xx before Timer M still completes the call. (A 2xx on an
// early dialog whose 1xx had a Contact keeps that target: §12.2.1.2 replaces it only
// with a Contact that is present.)
TEST(SessionUac, OnlyUnusable2xxEndTheCallWhenTheInviteTransactionEnds) {
  for (const char* contact : {"", "<sip:bob@[192.0.2.20>"}) {
    Uac h;
    h.rx(100, "");
    h.rx(200, "b1", "", kAnswer, contact);
    h.rx(200, "", "", kAnswer);  // no To tag
    EXPECT_EQ(h.s->state(), SessionState::Calling);
    EXPECT_EQ(h.sentWith("ACK").size(), 0u);
    h.clock.advance(64 * 500 - 1);
    EXPECT_EQ(h.ua.sessionCount(), 1u);
    h.clock.advance(1);
    EXPECT_EQ(h.endReason, EndReason::Timeout);
    EXPECT_EQ(h.endCode, 408);
    EXPECT_EQ(h.ua.sessionCount(), 0u);
    EXPECT_EQ(h.ua.dialogBindings(), 0u);
    EXPECT_EQ(h.ua.transactions().size(), 0u);
  }
  Uac h;
  h.rx(200, "b1", "", kAnswer, "");
  h.clock.advance(10000);
  h.rx(200, "b2", "", kAnswer);  // another fork's good 2xx, within Timer M
  EXPECT_EQ(h.s->state(), SessionState::Confirmed);
  EXPECT_EQ(h.sentWith("ACK").size(), 1u);
  h.clock.advance(64 * 500);
  EXPECT_EQ(h.ua.sessionCount(), 1u);
}

TEST(SessionUac, TwoHundredCrossingCancelIsAckedAndByed) {
  Uac h;
  h.rx(180, "b1");
  ASSERT_TRUE(h.s->cancel());
  h.rx(200, "b1", "", kAnswer);
  EXPECT_EQ(h.sentWith("ACK").size(), 1u);
  ASSERT_EQ(h.sentWith("BYE").size(), 1u);
  EXPECT_EQ(h.s->state(), SessionState::Terminating);
}

TEST(SessionUac, ByeWithReasonAndCompletion) {  // §15, RFC 3326
  Uac h;
  h.rx(200, "b1", "", kAnswer);
  ASSERT_TRUE(h.s->bye("Q.850;cause=16"));
  auto byes = h.sentWith("BYE");
  ASSERT_EQ(byes.size(), 1u);
  Message bye = UaHarness::parsed(byes[0]);
  EXPECT_EQ(bye.cseq()->number, 2u);
  EXPECT_EQ(bye.find(HeaderId::Reason)->value, "Q.850;cause=16");
  std::string ok;
  MessageBuilder b(ok);
  appendResponseFor(b, bye, 200, "OK", "");
  b.finish();
  h.receive(ok, kFrom);
  EXPECT_EQ(h.endReason, EndReason::LocalBye);
  EXPECT_EQ(h.ua.stats().completed, 1u);
}

// A BYE that cannot go out (the transport refuses it at once) still ends the session, at
// once, instead of leaving it Terminating with no transaction to finish it (found by
// tests/fuzz/sip_ua.cpp with a Contact the BYE could not use as Request-URI).
TEST(SessionUac, ByeThatCannotBeSentEndsTheSession) {
  Uac h;
  h.rx(200, "b1", "", kAnswer);
  h.net.failAll = true;
  ASSERT_TRUE(h.s->bye());
  EXPECT_EQ(h.endReason, EndReason::LocalBye);
  EXPECT_EQ(h.endCode, 503);
  h.clock.advance(64 * 500);
  EXPECT_EQ(h.ua.sessionCount(), 0u);
  EXPECT_EQ(h.ua.transactions().size(), 0u);
}

TEST(SessionUac, RemoteByeAndBusy) {
  {
    Uac h;
    h.rx(486, "b1", "Reason: Q.850;cause=17\r\n");
    EXPECT_EQ(h.endReason, EndReason::Rejected);
    EXPECT_EQ(h.endCode, 486);
    EXPECT_EQ(h.endRemoteReason, "Q.850;cause=17");
    EXPECT_EQ(h.sentWith("ACK").size(), 1u);  // by the transaction (§17.1.1.3)
  }
  {
    Uac h;
    h.rx(200, "b1", "", kAnswer);
    std::string bye = "BYE sip:siptgw@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bKbb\r\n"
                      "From: <sip:bob@192.0.2.20>;tag=b1\r\nTo: " + std::string(h.inv.find(HeaderId::From)->value) +
                      "\r\nCall-ID: " + std::string(*h.inv.callId()) + "\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n";
    h.receive(bye, kFrom);
    EXPECT_EQ(h.endReason, EndReason::RemoteBye);
    auto oks = h.sentWith(200);
    ASSERT_EQ(oks.size(), 1u);
  }
}

TEST(SessionUac, OfferIn2xxAnsweredInAck) {  // §13.2.1
  Uac h("");
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
  h.rx(200, "b1", "", kOffer);
  EXPECT_EQ(h.s->remoteSdp(), kOffer);
  // No local SDP and the handler gave none: the ACK has no body and the offer stays open.
  EXPECT_TRUE(UaHarness::parsed(h.sentWith("ACK")[0]).body().empty());
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::RemoteOffer);
}

TEST(SessionUac, InviteTimeoutIs408) {
  Uac h;
  h.clock.advance(32000);
  EXPECT_EQ(h.endReason, EndReason::Timeout);
  EXPECT_EQ(h.endCode, 408);
}

TEST(SessionUac, Update491RetriedAfterRandomDelay) {  // RFC 3311 §5.2, RFC 3261 §14.1
  Uac h;
  h.rx(200, "b1", "", kAnswer);
  ASSERT_TRUE(h.s->update(kOffer));
  auto ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  Message up = UaHarness::parsed(ups[0]);
  EXPECT_EQ(up.cseq()->number, 2u);
  EXPECT_EQ(up.body(), kOffer);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::LocalOffer);
  std::string r491;
  MessageBuilder b(r491);
  appendResponseFor(b, up, 491, "Request Pending", "");
  b.finish();
  h.receive(r491, kFrom);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);  // rolled back
  // We own the Call-ID: the retry comes 2.1 to 4 s later (§14.1).
  h.clock.advance(2099);
  EXPECT_EQ(h.sentWith("UPDATE").size(), 1u);
  h.clock.advance(1901);
  ups = h.sentWith("UPDATE");
  ASSERT_GE(ups.size(), 2u);
  EXPECT_GE(ups[1]->atMs, 2100u);
  EXPECT_LE(ups[1]->atMs, 4000u);
  EXPECT_EQ(UaHarness::parsed(ups[1]).cseq()->number, 3u);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::LocalOffer);
}

TEST(SessionUac, ReInviteFromPeerRefreshesTargetAndAnswers) {  // §12.2, §14.2
  Uac h;
  h.rx(200, "b1", "", kAnswer);
  std::string reinv = "INVITE sip:siptgw@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bKre1\r\n"
                      "From: <sip:bob@192.0.2.20>;tag=b1\r\nTo: " + std::string(h.inv.find(HeaderId::From)->value) +
                      "\r\nCall-ID: " + std::string(*h.inv.callId()) +
                      "\r\nCSeq: 5 INVITE\r\nContact: <sip:bob@192.0.2.77:5099>\r\nContent-Type: application/sdp\r\n"
                      "Content-Length: " + std::to_string(kOffer.size()) + "\r\n\r\n" + kOffer;
  h.receive(reinv, kFrom);
  auto oks = h.sentWith(200);
  ASSERT_EQ(oks.size(), 1u);
  Message ok = UaHarness::parsed(oks[0]);
  EXPECT_EQ(ok.cseq()->number, 5u);
  EXPECT_EQ(ok.body(), kOffer);  // our last local SDP as the answer
  EXPECT_EQ(h.s->dialog()->remoteTarget(), "sip:bob@192.0.2.77:5099");
  EXPECT_EQ(h.s->state(), SessionState::WaitingAck);
  h.clock.advance(500);
  EXPECT_EQ(h.sentWith(200).size(), 2u);  // retransmitted until the ACK
  ASSERT_TRUE(h.s->bye());
  auto byes = h.sentWith("BYE");
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(byes[0]).requestUriText(), "sip:bob@192.0.2.77:5099");
}

}  // namespace
}  // namespace siptgw::sip::testing
