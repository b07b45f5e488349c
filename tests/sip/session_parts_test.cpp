// What an INVITE session keeps (sip/user_agent.h, issue #5 memory per held call): the parts
// allocated on demand (SessionPart) appear when 100rel, a 2xx awaiting its ACK, an ACK of
// ours, the UAC's INVITE, a re-INVITE/UPDATE offer or a Reason/multipart/Recv-Info from the
// peer need them, and go when the protocol is done with them; a plain answered call keeps
// none. The UA's dialog table (keyed by hash, the key itself in the Dialog) routes
// in-dialog requests to the right session and empties with the sessions; the transaction
// table empties as transactions end. Manual clock, no sleeps.
#include <gtest/gtest.h>

#include <array>

#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

constexpr std::array kAllParts = {SessionPart::Reliable1xx, SessionPart::Ok2xx,  SessionPart::SentAck,
                                  SessionPart::UacSetup,    SessionPart::Offers, SessionPart::Received,
                                  SessionPart::Preconditions};

// The parts `s` holds, as names, for readable failures.
std::string partsOf(const InviteSession& s) {
  static constexpr std::array kNames = {"Reliable1xx", "Ok2xx", "SentAck", "UacSetup", "Offers", "Received",
                                        "Preconditions"};
  std::string out;
  for (std::size_t i = 0; i < kAllParts.size(); ++i) {
    if (s.hasPart(kAllParts[i])) out.append(out.empty() ? "" : " ").append(kNames[i]);
  }
  return out;
}

std::string toTagOf(const Sent* s) { return std::string(UaHarness::parsed(s).to()->tag); }

std::string rack(const Sent* provisional) {
  return "RAck: " + std::to_string(*UaHarness::parsed(provisional).rseq()) + " 1 INVITE\r\n";
}

std::string inviteFrom(std::string_view callId, std::string_view fromTag, std::string_view branch) {
  std::string s = peerRequest("INVITE", 1, "", branch, "Supported: 100rel\r\n", kOffer);
  s.replace(s.find("in-1@192.0.2.10"), 15, callId);
  s.replace(s.find("tag=alice1"), 10, std::string("tag=").append(fromTag));
  return s;
}

std::string byeTo(std::string_view callId, std::string_view fromTag, std::string_view toTag, std::string_view branch) {
  std::string s = peerRequest("BYE", 2, toTag, branch);
  s.replace(s.find("in-1@192.0.2.10"), 15, callId);
  s.replace(s.find("tag=alice1"), 10, std::string("tag=").append(fromTag));
  return s;
}

TEST(SessionParts, PlainAnsweredUasCallKeepsNoneOnceConfirmed) {
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) {
    EXPECT_TRUE(s.provisional(180, "Ringing"));
    EXPECT_EQ(partsOf(s), "");  // an unreliable 18x needs nothing
    EXPECT_TRUE(s.answer(kAnswer));
  };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "", kOffer));
  InviteSession* s = h.last;
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(partsOf(*s), "Ok2xx");  // retransmitted until the ACK
  const std::string tag = toTagOf(h.sentWith(200).at(0));
  h.clock.advance(600);
  EXPECT_EQ(h.sentWith(200).size(), 2u);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  EXPECT_EQ(s->state(), SessionState::Confirmed);
  EXPECT_EQ(partsOf(*s), "");
  EXPECT_EQ(s->remoteReason(), "");
  EXPECT_TRUE(s->peerInfoPackages().empty());
  EXPECT_TRUE(s->earlyDialogs().empty());
  EXPECT_EQ(h.ua.dialogBindings(), 1u);
  // The held call still works: an in-dialog request reaches it through the dialog table.
  h.receive(peerRequest("BYE", 2, tag, "z9hG4bKbye1", "Reason: Q.850;cause=16\r\n"));
  EXPECT_EQ(h.endReason, EndReason::RemoteBye);
  EXPECT_EQ(h.endRemoteReason, "Q.850;cause=16");
  h.clock.runUntilIdle();
  EXPECT_EQ(h.ua.sessionCount(), 0u);
  EXPECT_EQ(h.ua.dialogBindings(), 0u);
  // INVITE server transaction (Timer L, RFC 6026) and the BYE's (Timer J) end: unbound.
  EXPECT_GT(h.ua.transactionBindings(), 0u);
  h.clock.advance(40000);
  EXPECT_EQ(h.ua.transactionBindings(), 0u);
}

TEST(SessionParts, ReliableProvisionalPartLivesUntilThePrackAfterThe2xx) {  // RFC 3262 §3
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) {
    EXPECT_TRUE(s.provisional(180, "Ringing", {}, true));  // no SDP: the 2xx need not wait
    EXPECT_TRUE(s.answer(kAnswer));
  };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "Supported: 100rel\r\n", kOffer));
  InviteSession* s = h.last;
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(partsOf(*s), "Reliable1xx Ok2xx");  // the 180 still awaits its PRACK
  const Sent* ringing = h.sentWith(180).at(0);
  const std::string tag = toTagOf(ringing);
  h.clock.advance(2000);
  EXPECT_EQ(h.sentWith(180).size(), 1u);  // not resent after the final response
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  EXPECT_EQ(partsOf(*s), "Reliable1xx");
  h.receive(peerRequest("PRACK", 2, tag, "z9hG4bKpr1", rack(ringing)));
  auto oks = h.sentWith(200);
  ASSERT_EQ(UaHarness::parsed(oks.back()).cseq()->method, "PRACK");  // still matched
  EXPECT_EQ(h.ua.stats().prackIn, 1u);
  EXPECT_EQ(partsOf(*s), "");
  EXPECT_EQ(s->lastRSeqSent(), *UaHarness::parsed(ringing).rseq());
  // A second PRACK matches nothing now.
  h.receive(peerRequest("PRACK", 3, tag, "z9hG4bKpr2", rack(ringing)));
  EXPECT_EQ(h.sentWith(481).size(), 1u);
}

TEST(SessionParts, DeferredAnswerKeepsItsFullBodyUntilThePrack) {  // RFC 3262 §3, RFC 3204
  UaHarness h;
  std::string body;
  // No SDP part: the 183 completed offer/answer; the ISUP part still goes in the 2xx.
  ASSERT_TRUE(buildMultipart(body, "b1", {{"application/ISUP", "", "anm"}}));
  const std::string ctype = "multipart/mixed;boundary=b1";
  h.incoming = [&](InviteSession& s, const Message&) {
    EXPECT_TRUE(s.provisional(183, "Session Progress", kAnswer, true));
    EXPECT_TRUE(s.answer(body, ctype));  // waits for the 183's PRACK
  };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "Supported: 100rel\r\n", kOffer));
  InviteSession* s = h.last;
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(partsOf(*s), "Reliable1xx");
  EXPECT_TRUE(h.sentWith(200).empty());
  const Sent* progress = h.sentWith(183).at(0);
  const std::string tag = toTagOf(progress);
  h.receive(peerRequest("PRACK", 2, tag, "z9hG4bKpr1", rack(progress)));
  auto oks = h.sentWith(200);
  ASSERT_EQ(oks.size(), 2u);  // 200 PRACK, 200 INVITE
  Message ok = UaHarness::parsed(oks[1]);
  EXPECT_EQ(ok.cseq()->method, "INVITE");
  EXPECT_EQ(ok.body(), body);  // the application's body, kept while deferred
  EXPECT_EQ(ok.find(HeaderId::ContentType)->value, ctype);
  EXPECT_EQ(partsOf(*s), "Ok2xx");  // 100rel done
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  EXPECT_EQ(partsOf(*s), "");
}

TEST(SessionParts, ReceivedReinviteRetransmits2xxUntilItsAck) {  // §13.3.1.4, §14.2
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "", kOffer));
  InviteSession* s = h.last;
  const std::string tag = toTagOf(h.sentWith(200).at(0));
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  h.receive(peerRequest("INVITE", 2, tag, "z9hG4bKre1", "", kOffer));
  EXPECT_EQ(partsOf(*s), "Ok2xx");
  h.clock.advance(600);
  auto oks = h.sentWith(200);
  ASSERT_EQ(oks.size(), 3u);  // initial 2xx, re-INVITE 2xx and its retransmission
  EXPECT_EQ(oks[2]->bytes, oks[1]->bytes);
  h.receive(peerRequest("ACK", 2, tag, "z9hG4bKack2"));
  EXPECT_EQ(partsOf(*s), "");
  h.clock.advance(5000);
  EXPECT_EQ(h.sentWith(200).size(), 3u);
  EXPECT_EQ(s->state(), SessionState::Confirmed);
}

TEST(SessionParts, UacSetupGoesAtThe2xxAndTheAckStays) {  // §13.2.2.4
  Uac h;
  EXPECT_EQ(partsOf(*h.s), "UacSetup");
  h.rx(180, "fa", "", "", "<sip:a@192.0.2.21>");
  h.rx(183, "fb", "", "", "<sip:b@192.0.2.22>");
  EXPECT_EQ(h.s->earlyDialogs().size(), 2u);
  EXPECT_EQ(h.ua.dialogBindings(), 2u);
  h.rx(200, "fa", "", kAnswer, "<sip:a@192.0.2.21>");
  EXPECT_EQ(h.s->state(), SessionState::Confirmed);
  EXPECT_EQ(partsOf(*h.s), "SentAck");
  EXPECT_TRUE(h.s->earlyDialogs().empty());
  EXPECT_EQ(h.ua.dialogBindings(), 1u);  // the other fork's early dialog is forgotten
  ASSERT_NE(h.s->dialog(), nullptr);
  EXPECT_EQ(h.s->dialog()->remoteTag(), "fa");
  // A request in the other fork's early dialog matches no dialog now (§12.2.2).
  const Message& inv = h.inv;
  std::string req = "UPDATE sip:gw@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.22;branch=z9hG4bKu1\r\n"
                    "Max-Forwards: 70\r\nFrom: <sip:bob@192.0.2.20>;tag=fb\r\nTo: <sip:gw@10.0.0.1>;tag=" +
                    std::string(inv.from()->tag) + "\r\nCall-ID: " + std::string(*inv.callId()) +
                    "\r\nCSeq: 7 UPDATE\r\nContact: <sip:b@192.0.2.22>\r\nContent-Length: 0\r\n\r\n";
  const std::size_t before481 = h.sentWith(481).size();
  h.receive(req, kFrom);
  EXPECT_EQ(h.sentWith(481).size(), before481 + 1);
  // The same request in the confirmed dialog is answered.
  req.replace(req.find(";tag=fb"), 7, ";tag=fa");
  req.replace(req.find("z9hG4bKu1"), 9, "z9hG4bKu2");
  h.receive(req, kFrom);
  ASSERT_FALSE(h.sentWith(200).empty());
  EXPECT_EQ(UaHarness::parsed(h.sentWith(200).back()).cseq()->method, "UPDATE");
  // The 2xx retransmitted: the kept ACK again.
  h.rx(200, "fa", "", kAnswer, "<sip:a@192.0.2.21>");
  auto acks = h.sentWith("ACK");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[1]->bytes, acks[0]->bytes);
}

TEST(SessionParts, OffersPartHoldsTheReinviteOfferForA491Retry) {  // §14.1
  Uac h;
  h.rx(200, "b1", "", kAnswer);
  EXPECT_EQ(partsOf(*h.s), "SentAck");
  const std::string offer2 = std::string(kOffer).replace(kOffer.find("49170"), 5, "49180");
  ASSERT_TRUE(h.s->reinvite(offer2));
  EXPECT_EQ(partsOf(*h.s), "SentAck Offers");
  h.rxTo(h.sentWith("INVITE").at(1), 491);
  h.clock.advance(4000);  // §14.1: 2.1-4 s for the Call-ID owner
  Message retry = UaHarness::parsed(h.sentWith("INVITE").back());
  EXPECT_EQ(retry.cseq()->number, 3u);
  EXPECT_EQ(retry.body(), offer2);
  EXPECT_TRUE(h.s->reinvitePending());
}

TEST(SessionParts, ReceivedPartOnlyForWhatThePeerSent) {  // RFC 3326, RFC 6086
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "Recv-Info: foo, bar\r\n", kOffer));
  InviteSession* s = h.last;
  EXPECT_EQ(partsOf(*s), "Ok2xx Received");
  EXPECT_EQ(s->peerInfoPackages(), (std::vector<std::string>{"foo", "bar"}));
  EXPECT_TRUE(s->peerAcceptsInfo("bar"));
  EXPECT_FALSE(s->peerAcceptsInfo("baz"));
  EXPECT_EQ(s->remoteReason(), "");
}

TEST(SessionParts, DialogTableRoutesManySessionsAndEmpties) {
  UaHarness h;
  std::vector<InviteSession*> sessions;
  h.incoming = [&](InviteSession& s, const Message&) {
    s.answer(kAnswer);
    sessions.push_back(&s);
  };
  constexpr int kCalls = 64;
  std::vector<std::string> tags;
  for (int i = 0; i < kCalls; ++i) {
    // Half share one Call-ID (different From tags): the tags keep the dialogs apart.
    const std::string callId = i % 2 == 0 ? "shared@192.0.2.10" : "c" + std::to_string(i) + "@192.0.2.10";
    h.receive(inviteFrom(callId, "f" + std::to_string(i), "z9hG4bKi" + std::to_string(i)));
    tags.push_back(toTagOf(h.sentWith(200).back()));
  }
  ASSERT_EQ(sessions.size(), static_cast<std::size_t>(kCalls));
  EXPECT_EQ(h.ua.dialogBindings(), static_cast<std::size_t>(kCalls));
  // BYE every third call: exactly those end, each in its own session.
  std::vector<SessionId> ended;
  for (int i = 0; i < kCalls; i += 3) {
    const std::string callId = i % 2 == 0 ? "shared@192.0.2.10" : "c" + std::to_string(i) + "@192.0.2.10";
    ended.push_back(sessions[static_cast<std::size_t>(i)]->id());
    h.receive(byeTo(callId, "f" + std::to_string(i), tags[static_cast<std::size_t>(i)], "z9hG4bKb" + std::to_string(i)));
  }
  h.clock.runUntilIdle();
  const std::size_t left = kCalls - ended.size();
  EXPECT_EQ(h.ua.sessionCount(), left);
  EXPECT_EQ(h.ua.dialogBindings(), left);
  for (SessionId id : ended) EXPECT_EQ(h.ua.find(id), nullptr);
  // A BYE with a live call's Call-ID and tags but another From tag matches nothing.
  h.receive(byeTo("shared@192.0.2.10", "f999", tags[2], "z9hG4bKx1"));
  EXPECT_EQ(h.sentWith(481).size(), 1u);
  EXPECT_EQ(h.ua.sessionCount(), left);
}

}  // namespace
}  // namespace siptgw::sip::testing
