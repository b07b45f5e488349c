// MessageRef (sip/message_ref.h): one parse of a received request shared by the transport,
// its server transaction and the invite session, and given back when nobody needs it: the
// transaction after its final response (RFC 3261 §17: it resends kept bytes from then on),
// the UAS session once the ACK confirmed it, the UAC session when its INVITE transaction
// ends (RFC 6026 Timer M).
#include <gtest/gtest.h>

#include "sip/message_ref.h"
#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

const std::string kOptions = request("OPTIONS", "z9hG4bKref1");

TEST(MessageRef, ShareOfABoxedMessageIsTheSameParse) {
  auto a = MessageRef::parse(kOptions);
  ASSERT_TRUE(a);
  MessageRef b = MessageRef::share(**a);
  EXPECT_EQ(b.get(), a->get());  // no copy, no second parse
  EXPECT_EQ(a->useCount(), 2u);
  EXPECT_EQ(b->method(), "OPTIONS");
  EXPECT_EQ(b.bytes(), kOptions);
  b.reset();
  EXPECT_EQ(a->useCount(), 1u);
}

TEST(MessageRef, ShareOfAPlainMessageIsAParsedCopy) {
  Message plain;
  ASSERT_TRUE(plain.parse(kOptions));
  MessageRef r = MessageRef::share(plain);
  ASSERT_TRUE(r);
  EXPECT_NE(r.get(), &plain);
  EXPECT_EQ(*r, plain);
  EXPECT_EQ(r.useCount(), 1u);
  ASSERT_TRUE(r->topVia());
  EXPECT_EQ(r->topVia()->branch, "z9hG4bKref1");
}

TEST(MessageRef, TheLastReferenceReturnsTheBoxForReuse) {
  const std::size_t inUse = MessageRef::inUse();
  const Message* first = nullptr;
  {
    auto a = MessageRef::parse(kOptions);
    ASSERT_TRUE(a);
    first = a->get();
    MessageRef copy = *a;
    MessageRef moved = std::move(copy);
    EXPECT_FALSE(copy);  // NOLINT(bugprone-use-after-move): a moved-from ref is empty
    EXPECT_EQ(MessageRef::inUse(), inUse + 1);
    EXPECT_EQ(a->useCount(), 2u);
  }
  EXPECT_EQ(MessageRef::inUse(), inUse);
  ASSERT_GE(MessageRef::pooled(), 1u);
  auto again = MessageRef::parse(request("INFO", "z9hG4bKref2"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->get(), first);  // the same box, parsed anew
  EXPECT_EQ((*again)->method(), "INFO");
}

TEST(MessageRef, BadBytesAreAParseError) {
  auto r = MessageRef::parse("INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n");  // no empty line
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ParseErrc::MissingEmptyLine);
}

TEST(MessageRef, ServerTransactionKeepsTheDeliveredParseUntilItsFinalResponse) {
  Harness h;
  auto rx = MessageRef::parse(request("INVITE", "z9hG4bKsrv1"));
  ASSERT_TRUE(rx);
  const Message* delivered = nullptr;
  h.tu.onReq = [&](Transaction&, const Message& m) { delivered = &m; };
  h.layer.onMessage(rx->mutableMessage(), udpPeer());
  Transaction* t = h.layer.find(h.tu.lastServer);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(delivered, rx->get());      // the TU saw the transport's parse
  EXPECT_EQ(&t->request(), rx->get());  // and the transaction keeps that parse
  EXPECT_EQ(rx->useCount(), 2u);

  const std::string invBytes = request("INVITE", "z9hG4bKsrv1");
  Message inv;
  ASSERT_TRUE(inv.parse(invBytes));
  std::string busy;
  MessageBuilder b(busy);
  appendResponseFor(b, inv, 486, "Busy Here", "tt1");
  b.finish();
  ASSERT_TRUE(h.layer.respond(t->id(), busy));
  EXPECT_EQ(t->state(), TxnState::Completed);
  EXPECT_EQ(rx->useCount(), 1u);           // dropped with the final response
  EXPECT_TRUE(t->request().method().empty());
  // A retransmitted INVITE is still answered from the kept response bytes.
  const std::size_t sent = h.net.sent.size();
  h.receive(request("INVITE", "z9hG4bKsrv1"), udpPeer());
  ASSERT_EQ(h.net.sent.size(), sent + 1);
  EXPECT_EQ(h.net.sent.back().status(), 486);
}

TEST(MessageRef, ClientTransactionSharesTheTusRequestUntilTheFinalResponse) {
  Harness h;
  auto req = MessageRef::parse(request("OPTIONS", "z9hG4bKcli1", "SIP/2.0/UDP 10.0.0.1:5060"));
  ASSERT_TRUE(req);
  auto id = h.layer.sendRequest(*req, udpDest());
  ASSERT_TRUE(id);
  Transaction* t = h.layer.find(*id);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(&t->request(), req->get());
  EXPECT_EQ(req->useCount(), 2u);
  ASSERT_EQ(h.net.sent.size(), 1u);
  EXPECT_EQ(h.net.sent[0].bytes, req->bytes());
  Message sentReq;
  ASSERT_TRUE(sentReq.parse(h.net.sent[0].bytes));
  std::string ok;
  MessageBuilder b(ok);
  appendResponseFor(b, sentReq, 200, "OK", "tt2");
  b.finish();
  h.receive(ok, udpPeer());
  EXPECT_EQ(t->state(), TxnState::Completed);
  EXPECT_EQ(req->useCount(), 1u);
}

TEST(MessageRef, AnsweredAndAcknowledgedUasSessionKeepsNoMessage) {
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { EXPECT_TRUE(s.answer(kAnswer)); };
  const std::size_t before = MessageRef::inUse();
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "", kOffer));
  ASSERT_NE(h.last, nullptr);
  EXPECT_EQ(h.last->state(), SessionState::WaitingAck);
  // Until the ACK the session still answers the INVITE (e.g. a CANCEL crossing the 2xx).
  EXPECT_EQ(MessageRef::inUse(), before + 1);
  const std::string tag(UaHarness::parsed(h.sentWith(200)[0]).to()->tag);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  EXPECT_EQ(h.last->state(), SessionState::Confirmed);
  EXPECT_EQ(MessageRef::inUse(), before);  // transaction and session hold no message now
  // The confirmed dialog still works: the peer's BYE is answered and ends the call.
  h.receive(peerRequest("BYE", 2, tag, "z9hG4bKbye1"));
  EXPECT_EQ(h.sentWith(200).size(), 2u);
  EXPECT_EQ(h.endReason, EndReason::RemoteBye);
}

TEST(MessageRef, PrackAfterTheAckIsStillMatchedToTheReleasedInvite) {  // RFC 3262 §3
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) {
    EXPECT_TRUE(s.provisional(180, "Ringing", {}, true));  // reliable, no SDP: the 200 need not wait
    EXPECT_TRUE(s.answer(kAnswer));
  };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "Supported: 100rel\r\n", kOffer));
  ASSERT_EQ(h.sentWith(180).size(), 1u);
  const Message rel = UaHarness::parsed(h.sentWith(180)[0]);
  ASSERT_TRUE(rel.rseq());
  const std::string tag(rel.to()->tag);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  ASSERT_EQ(h.last->state(), SessionState::Confirmed);  // the session let its INVITE go
  h.receive(peerRequest("PRACK", 2, tag, "z9hG4bKpr1", "RAck: " + std::to_string(*rel.rseq()) + " 1 INVITE\r\n"));
  std::size_t prackOks = 0;
  for (const Sent* s : h.sentWith(200)) prackOks += UaHarness::parsed(s).cseq()->method == "PRACK";
  EXPECT_EQ(prackOks, 1u);
  EXPECT_EQ(h.sentWith(481).size(), 0u);
  EXPECT_TRUE(h.has("prack"));
}

TEST(MessageRef, UacSessionDropsItsInviteWhenTheInviteTransactionEnds) {
  const std::size_t before = MessageRef::inUse();
  Uac u;
  EXPECT_EQ(MessageRef::inUse(), before + 1);  // the session's INVITE, shared by its transaction
  u.rx(200, "bt1", "", kAnswer);
  EXPECT_EQ(u.s->state(), SessionState::Confirmed);
  ASSERT_EQ(u.sentWith("ACK").size(), 1u);
  // RFC 6026: a 2xx of another fork may still come until Timer M; it needs the INVITE to
  // build its dialog's ACK and BYE (§13.2.2.4).
  EXPECT_EQ(MessageRef::inUse(), before + 1);
  u.rx(200, "bt2", "", kAnswer);
  EXPECT_EQ(u.sentWith("ACK").size(), 2u);
  EXPECT_EQ(u.sentWith("BYE").size(), 1u);
  u.clock.advance(64 * 500);  // Timer M = 64·T1
  EXPECT_EQ(MessageRef::inUse(), before);
  EXPECT_EQ(u.s->state(), SessionState::Confirmed);
}

}  // namespace
}  // namespace siptgw::sip::testing
