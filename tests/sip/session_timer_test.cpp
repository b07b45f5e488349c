// RFC 4028 session timers on INVITE sessions (sip/user_agent.h): UAC Session-Expires/Min-SE
// and the 422 retry (§7.1, §7.3), UAS 422 and refresher choice (§9), refreshes by UPDATE or
// re-INVITE at half the interval (§7.4, §10), BYE with Reason at expiry - min(32, SE/3) on
// the other side (§10), refreshes received restart the timer. Manual clock, no sleeps.
#include <gtest/gtest.h>

#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

UaConfig timerCfg(RefresherPref pref = RefresherPref::Local) {
  UaConfig c;
  c.sessionTimer.enabled = true;
  c.sessionTimer.refresher = pref;
  return c;
}

std::string header(const Message& m, HeaderId id) {
  const HeaderField* h = m.find(id);
  return h != nullptr ? std::string(h->value) : std::string("<none>");
}

constexpr std::uint64_t kS = 1000;

TEST(SessionTimerUac, InviteOffersIntervalAndMinSE) {  // §7.1
  Uac h(kOffer, timerCfg());
  EXPECT_EQ(header(h.inv, HeaderId::Supported), "100rel, timer");
  EXPECT_EQ(header(h.inv, HeaderId::SessionExpires), "1800;refresher=uac");
  EXPECT_EQ(header(h.inv, HeaderId::MinSE), "90");
  Uac none(kOffer, timerCfg(RefresherPref::Auto));
  EXPECT_EQ(header(none.inv, HeaderId::SessionExpires), "1800");
  Uac off;
  EXPECT_FALSE(off.inv.has(HeaderId::SessionExpires));
  EXPECT_EQ(header(off.inv, HeaderId::Supported), "100rel");
}

TEST(SessionTimerUac, Retry422OnceWithItsMinSE) {  // §7.3
  TransactionConfig tc;
  tc.timers.sessionExpires = 300;
  Uac h(kOffer, timerCfg(), tc);
  EXPECT_EQ(header(h.inv, HeaderId::SessionExpires), "300;refresher=uac");
  h.rx(422, "x1", "Min-SE: 600\r\n");
  auto invs = h.sentWith("INVITE");
  ASSERT_EQ(invs.size(), 2u);
  Message again = UaHarness::parsed(invs[1]);
  EXPECT_EQ(again.cseq()->number, 2u);
  EXPECT_EQ(*again.callId(), *h.inv.callId());
  EXPECT_EQ(again.from()->tag, h.inv.from()->tag);
  EXPECT_NE(again.topVia()->branch, h.inv.topVia()->branch);
  EXPECT_EQ(header(again, HeaderId::SessionExpires), "600;refresher=uac");
  EXPECT_EQ(header(again, HeaderId::MinSE), "600");
  EXPECT_EQ(again.body(), kOffer);
  EXPECT_EQ(again.requestUriText(), h.inv.requestUriText());
  EXPECT_TRUE(h.s->hasPart(SessionPart::UacSetup));  // rebuilt from it; kept until the final response
  EXPECT_EQ(h.s->state(), SessionState::Calling);
  EXPECT_TRUE(h.events.empty());
  // A second 422 ends the attempt.
  h.inv = std::move(again);
  h.rx(422, "x2", "Min-SE: 1200\r\n");
  EXPECT_EQ(h.sentWith("INVITE").size(), 2u);
  EXPECT_TRUE(h.has("terminated Rejected 422"));
}

TEST(SessionTimerUac, WeRefreshWithUpdateAtHalfTheInterval) {  // §7.4, §10
  Uac h(kOffer, timerCfg());
  h.rx(200, "b1", "Session-Expires: 1800;refresher=uac\r\nRequire: timer\r\nAllow: INVITE, ACK, BYE, UPDATE\r\n", kAnswer);
  EXPECT_EQ(h.s->sessionInterval(), 1800u);
  EXPECT_TRUE(h.s->weRefresh());
  h.clock.advance(900 * kS - 1);
  EXPECT_TRUE(h.sentWith("UPDATE").empty());
  h.clock.advance(1);
  auto ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  Message up = UaHarness::parsed(ups[0]);
  EXPECT_EQ(header(up, HeaderId::SessionExpires), "1800;refresher=uac");
  EXPECT_EQ(header(up, HeaderId::MinSE), "90");
  EXPECT_EQ(header(up, HeaderId::Supported), "timer");
  EXPECT_TRUE(up.body().empty());  // the session does not change
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
  h.clock.advance(200);
  h.rxTo(ups[0], 200, "Session-Expires: 1800;refresher=uac\r\n");
  // The next refresh half an interval after this one; no BYE meanwhile.
  h.clock.advance(900 * kS - 300);
  EXPECT_EQ(UaHarness::parsed(h.sentWith("UPDATE").back()).cseq()->number, 2u);
  h.clock.advance(300);
  auto all = h.sentWith("UPDATE");
  EXPECT_EQ(UaHarness::parsed(all.back()).cseq()->number, 3u);
  EXPECT_EQ(all.back()->atMs, 1800 * kS + 200);
  EXPECT_TRUE(h.sentWith("BYE").empty());
  EXPECT_EQ(h.s->state(), SessionState::Confirmed);
  EXPECT_EQ(h.ua.stats().sessionRefreshes, 2u);
}

TEST(SessionTimerUac, ReinviteRefreshWithSameSdpWhenUpdateNotAllowed) {  // §7.4
  Uac h(kOffer, timerCfg());
  h.rx(200, "b1", "Session-Expires: 90;refresher=uac\r\nAllow: INVITE, ACK, BYE\r\n", kAnswer);
  h.clock.advance(45 * kS);
  auto invs = h.sentWith("INVITE");
  ASSERT_EQ(invs.size(), 2u);
  Message re = UaHarness::parsed(invs[1]);
  EXPECT_EQ(re.body(), kOffer);  // the same SDP, same o= version
  EXPECT_EQ(header(re, HeaderId::SessionExpires), "90;refresher=uac");
  h.rxTo(invs[1], 200, "Session-Expires: 90;refresher=uac\r\n", kAnswer);
  EXPECT_EQ(h.sentWith("ACK").size(), 2u);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
  h.clock.advance(45 * kS);
  EXPECT_GE(h.sentWith("INVITE").size(), 3u);
  EXPECT_TRUE(h.sentWith("BYE").empty());
}

TEST(SessionTimerUac, NoRefreshFromPeerMeansByeWithReason) {  // §10
  Uac h(kOffer, timerCfg());
  h.rx(200, "b1", "Session-Expires: 90;refresher=uas\r\nRequire: timer\r\n", kAnswer);
  EXPECT_FALSE(h.s->weRefresh());
  h.clock.advance(60 * kS - 1);  // 90 - min(32, 30)
  EXPECT_TRUE(h.sentWith("BYE").empty());
  h.clock.advance(1);
  auto byes = h.sentWith("BYE");
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(header(UaHarness::parsed(byes[0]), HeaderId::Reason), "SIP;cause=408;text=\"Session timer expired\"");
  EXPECT_TRUE(h.has("terminated SessionExpired 408"));
  EXPECT_TRUE(h.sentWith("UPDATE").empty());
  EXPECT_EQ(h.ua.stats().expired, 1u);
  EXPECT_EQ(h.ua.stats().failed, 0u);
}

// §7.2: the UAS lacks the extension; we refresh alone, as if the 2xx had echoed our 1800 s
// with refresher=uac. A peer that has vanished answers no refresh, and the call ends.
TEST(SessionTimerUac, NoSessionExpiresInTheAnswerWeRefreshAlone) {
  Uac h(kOffer, timerCfg());
  h.rx(200, "b1", "Allow: INVITE, ACK, BYE\r\n", kAnswer);
  EXPECT_EQ(h.s->sessionInterval(), 1800u);
  EXPECT_TRUE(h.s->weRefresh());
  h.clock.advance(900 * kS - 1);
  EXPECT_EQ(h.sentWith("INVITE").size(), 1u);
  h.clock.advance(1);
  auto invs = h.sentWith("INVITE");
  ASSERT_EQ(invs.size(), 2u);  // no UPDATE in the peer's Allow: a re-INVITE
  Message re = UaHarness::parsed(invs[1]);
  EXPECT_EQ(header(re, HeaderId::SessionExpires), "1800;refresher=uac");
  EXPECT_EQ(re.body(), kOffer);
  // Answered, again without Session-Expires: still ours to refresh, 900 s on.
  h.rxTo(invs[1], 200, "", kAnswer);
  EXPECT_EQ(h.s->sessionInterval(), 1800u);
  h.clock.advance(900 * kS);
  ASSERT_EQ(h.sentWith("INVITE").back()->atMs, 1800 * kS);
  EXPECT_TRUE(h.sentWith("BYE").empty());
  // This one is never answered (the peer has gone): the call ends, not held for ever.
  h.clock.advance(900 * kS);
  auto byes = h.sentWith("BYE");  // with its own retransmissions: the peer answers none
  ASSERT_FALSE(byes.empty());
  EXPECT_EQ(byes.front()->atMs, 1832 * kS);  // the refresh's Timer B (64·T1): 408, BYE
  EXPECT_EQ(byes.front()->bytes, byes.back()->bytes);
  EXPECT_TRUE(h.has("terminated Timeout 408")) << ::testing::PrintToString(h.events);
  EXPECT_EQ(h.ua.sessionCount(), 0u);
}

TEST(SessionTimerUac, NoSessionExpiresInTheAnswerNoTimerUnlessRefreshingAlone) {  // §7.2
  UaConfig cfg = timerCfg();
  cfg.sessionTimer.refreshAlone = false;
  Uac h(kOffer, cfg);
  h.rx(200, "b1", "", kAnswer);
  EXPECT_EQ(h.s->sessionInterval(), 0u);
  h.clock.advance(4000 * kS);
  EXPECT_TRUE(h.sentWith("BYE").empty());
  EXPECT_TRUE(h.sentWith("UPDATE").empty());
  EXPECT_EQ(h.sentWith("INVITE").size(), 1u);
}

TEST(SessionTimerUac, RefreshAnswered422And481) {  // §7.4, RFC 3261 §12.2.1.2
  Uac h(kOffer, timerCfg());
  h.rx(200, "b1", "Session-Expires: 90;refresher=uac\r\nAllow: UPDATE\r\n", kAnswer);
  h.clock.advance(45 * kS);
  auto ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  h.rxTo(ups[0], 422, "Min-SE: 300\r\n");
  ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 2u);
  EXPECT_EQ(header(UaHarness::parsed(ups[1]), HeaderId::SessionExpires), "300;refresher=uac");
  EXPECT_EQ(header(UaHarness::parsed(ups[1]), HeaderId::MinSE), "300");
  h.rxTo(ups[1], 481);
  EXPECT_TRUE(h.has("terminated DialogLost 481"));
}

TEST(SessionTimerUac, PeerRefreshRestartsTimerAndIsAnswered) {  // §9, §10
  Uac h(kOffer, timerCfg());
  h.rx(200, "b1", "Session-Expires: 90;refresher=uas\r\n", kAnswer);
  h.clock.advance(50 * kS);
  std::string up = "UPDATE sip:gw@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bKup1\r\n"
                   "From: <sip:bob@192.0.2.20>;tag=b1\r\nTo: " + std::string(h.inv.find(HeaderId::From)->value) +
                   "\r\nCall-ID: " + std::string(*h.inv.callId()) +
                   "\r\nCSeq: 9 UPDATE\r\nContact: <sip:bob@192.0.2.20:5062>\r\nSupported: timer\r\n"
                   "Session-Expires: 90;refresher=uac\r\nContent-Length: 0\r\n\r\n";
  h.receive(up, kFrom);
  auto oks = h.sentWith(200);
  ASSERT_EQ(oks.size(), 1u);
  Message ok = UaHarness::parsed(oks[0]);
  EXPECT_EQ(header(ok, HeaderId::SessionExpires), "90;refresher=uac");
  EXPECT_EQ(header(ok, HeaderId::Require), "timer");
  h.clock.advance(59 * kS);  // 109 s: would have expired at 60 s without the refresh
  EXPECT_TRUE(h.sentWith("BYE").empty());
  h.clock.advance(1 * kS);
  EXPECT_EQ(h.sentWith("BYE").size(), 1u);
}

std::string uasInvite(std::string_view extra) {
  return peerRequest("INVITE", 1, "", "z9hG4bKinv1", extra, kOffer);
}

TEST(SessionTimerUas, TooSmallIs422WithMinSE) {  // §9
  UaHarness h(timerCfg());
  h.receive(uasInvite("Supported: timer\r\nSession-Expires: 60\r\n"));
  auto r = h.sentWith(422);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(header(UaHarness::parsed(r[0]), HeaderId::MinSE), "90");
  EXPECT_EQ(h.ua.sessionCount(), 0u);
  EXPECT_FALSE(h.has("incoming"));
}

TEST(SessionTimerUas, ChoosesRefresherAndRefreshesWithUpdate) {  // §9
  UaHarness h(timerCfg());
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(uasInvite("Supported: timer\r\nSession-Expires: 1800\r\nAllow: INVITE, ACK, UPDATE, BYE\r\n"));
  auto oks = h.sentWith(200);
  ASSERT_EQ(oks.size(), 1u);
  Message ok = UaHarness::parsed(oks[0]);
  EXPECT_EQ(header(ok, HeaderId::SessionExpires), "1800;refresher=uas");
  EXPECT_EQ(header(ok, HeaderId::Require), "timer");
  EXPECT_EQ(header(ok, HeaderId::Supported), "100rel, timer");
  const std::string tag(ok.to()->tag);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  h.clock.advance(900 * kS);
  auto ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  Message up = UaHarness::parsed(ups[0]);
  EXPECT_EQ(up.requestUriText(), "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(header(up, HeaderId::SessionExpires), "1800;refresher=uac");
}

TEST(SessionTimerUas, RequestedRefresherKeptAndUacRefreshes) {  // §9
  UaHarness h(timerCfg());
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(uasInvite("Supported: timer\r\nSession-Expires: 600;refresher=uac\r\nMin-SE: 120\r\n"));
  Message ok = UaHarness::parsed(h.sentWith(200)[0]);
  EXPECT_EQ(header(ok, HeaderId::SessionExpires), "600;refresher=uac");
  EXPECT_EQ(header(ok, HeaderId::Require), "timer");
  const std::string tag(ok.to()->tag);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  // Their re-INVITE refresh (same SDP) is answered with the interval and restarts the timer.
  h.clock.advance(300 * kS);
  h.receive(peerRequest("INVITE", 2, tag, "z9hG4bKre1", "Supported: timer\r\nSession-Expires: 600;refresher=uac\r\n", kOffer));
  auto oks = h.sentWith(200);
  Message ok2 = UaHarness::parsed(oks.back());
  EXPECT_EQ(ok2.cseq()->number, 2u);
  EXPECT_EQ(header(ok2, HeaderId::SessionExpires), "600;refresher=uac");
  h.receive(peerRequest("ACK", 2, tag, "z9hG4bKack2"));
  h.clock.advance(568 * kS - 1);  // 600 - 32 after the refresh
  EXPECT_TRUE(h.sentWith("BYE").empty());
  EXPECT_TRUE(h.sentWith("UPDATE").empty());
  h.clock.advance(1);
  EXPECT_EQ(h.sentWith("BYE").size(), 1u);
  EXPECT_TRUE(h.has("terminated SessionExpired 408"));
}

TEST(SessionTimerUas, UacWithoutTimerGetsUasRefresherAndReinvite) {  // §9
  UaHarness h(timerCfg(RefresherPref::Remote));
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(uasInvite("Session-Expires: 60\r\n"));  // a proxy's, below our Min-SE: no 422
  Message ok = UaHarness::parsed(h.sentWith(200)[0]);
  EXPECT_EQ(header(ok, HeaderId::SessionExpires), "60;refresher=uas");
  EXPECT_FALSE(ok.has(HeaderId::Require));
  h.receive(peerRequest("ACK", 1, std::string(ok.to()->tag), "z9hG4bKack1"));
  h.clock.advance(30 * kS);
  auto invs = h.sentWith("INVITE");
  ASSERT_EQ(invs.size(), 1u);  // no Allow: UPDATE from the peer
  Message re = UaHarness::parsed(invs[0]);
  EXPECT_EQ(re.body(), kAnswer);
  EXPECT_EQ(header(re, HeaderId::SessionExpires), "60;refresher=uac");
  // The peer lacks the extension, so its 2xx has no Session-Expires (§7.2): we keep
  // refreshing, 30 s on.
  h.receive(reply(re, 200, "", "", kOffer, "<sip:alice@192.0.2.10>"), kFrom);
  ASSERT_NE(h.last, nullptr);
  EXPECT_EQ(h.last->sessionInterval(), 60u);
  h.clock.advance(30 * kS);
  EXPECT_EQ(h.sentWith("INVITE").size(), 2u);
  EXPECT_TRUE(h.sentWith("BYE").empty());
}

}  // namespace
}  // namespace siptgw::sip::testing

namespace siptgw::sip::testing {
namespace {

TEST(SessionTimerTable, RefreshAndExpiryRowsMatchTheDerivation) {  // RFC 4028 §10
  const TimerConfig c;
  EXPECT_EQ(TimerConfig::sessionRefreshAfter(c.sessionExpires), timerDef(TimerName::SessionRefresh).defaultValue * 1000);
  EXPECT_EQ(TimerConfig::sessionExpiryByeAfter(c.sessionExpires),
            timerDef(TimerName::SessionExpiryBye).defaultValue * 1000);
  EXPECT_EQ(TimerConfig::sessionExpiryByeAfter(90), 60000u);  // one third below 96 s
  EXPECT_EQ(TimerConfig::sessionExpiryByeAfter(96), 64000u);
  EXPECT_EQ(TimerConfig::sessionExpiryByeAfter(1800), 1768000u);  // 32 s above
  EXPECT_EQ(TimerConfig::sessionRefreshAfter(90), 45000u);
}

}  // namespace
}  // namespace siptgw::sip::testing

namespace siptgw::sip::testing {
namespace {

TEST(SessionTimerUac, RefreshUpdateGlare491RetriedWithoutBody) {  // RFC 3261 §14.1
  Uac h(kOffer, timerCfg());
  h.rx(200, "b1", "Session-Expires: 90;refresher=uac\r\nAllow: UPDATE\r\n", kAnswer);
  h.clock.advance(45 * 1000);
  auto ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  h.rxTo(ups[0], 491);
  h.clock.advance(2099);
  EXPECT_EQ(h.sentWith("UPDATE").size(), 1u);
  h.clock.advance(1901);
  ups = h.sentWith("UPDATE");
  ASSERT_GE(ups.size(), 2u);
  Message again = UaHarness::parsed(ups[1]);
  EXPECT_TRUE(again.body().empty());  // still a bare refresh, not an offer
  EXPECT_EQ(again.cseq()->number, 3u);
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
}

TEST(SessionTimerUas, RefreshBelowOurMinSEIs422MidCall) {  // §9 applies to refreshes too
  UaHarness h(timerCfg());
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "Supported: timer\r\nSession-Expires: 600\r\n", kOffer));
  const std::string tag(UaHarness::parsed(h.sentWith(200)[0]).to()->tag);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  h.receive(peerRequest("UPDATE", 2, tag, "z9hG4bKup1", "Supported: timer\r\nSession-Expires: 30\r\n"));
  auto r = h.sentWith(422);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(UaHarness::parsed(r[0]).find(HeaderId::MinSE)->value, "90");
  ASSERT_NE(h.last, nullptr);
  EXPECT_EQ(h.last->sessionInterval(), 600u);  // unchanged
  EXPECT_EQ(h.last->state(), SessionState::Confirmed);
}

// One timer carries the refresh and the expiry (memory per held call, issue #5): a held
// call keeps one pending timer, and after a refresh nobody answers the BYE still comes at
// SE - min(32, SE/3) (§10).
TEST(SessionTimerUas, OneTimerForRefreshAndExpiry) {
  UaHarness h(timerCfg());
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(uasInvite("Supported: timer\r\nSession-Expires: 90\r\nAllow: INVITE, ACK, UPDATE, BYE\r\n"));
  const std::string tag(UaHarness::parsed(h.sentWith(200).at(0)).to()->tag);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  h.clock.advance(40 * kS);  // the INVITE transaction's Timer L is over
  EXPECT_EQ(h.clock.pending(), 1u);
  h.clock.advance(5 * kS);  // refresh at 45 s
  auto ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0]->atMs, 45 * kS);
  h.clock.advance(15 * kS - 1);  // no answer to the UPDATE
  EXPECT_TRUE(h.sentWith("BYE").empty());
  h.clock.advance(1);
  auto byes = h.sentWith("BYE");
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(byes[0]->atMs, 60 * kS);
  EXPECT_EQ(header(UaHarness::parsed(byes[0]), HeaderId::Reason), "SIP;cause=408;text=\"Session timer expired\"");
  EXPECT_TRUE(h.has("terminated SessionExpired 408"));
}

// A refresh due while our own re-INVITE is outstanding waits a second at a time (§7.4);
// the expiry does not move for it.
TEST(SessionTimerUac, BusyRefreshRetriesUntilTheExpiry) {
  Uac h(kOffer, timerCfg());
  h.rx(200, "b1", "Session-Expires: 90;refresher=uac\r\nAllow: INVITE, ACK, BYE\r\n", kAnswer);
  h.clock.advance(44 * kS);
  const std::string offer2 = std::string(kOffer).replace(kOffer.find("49170"), 5, "49180");
  ASSERT_TRUE(h.s->reinvite(offer2));  // the peer never answers it
  h.clock.advance(16 * kS - 1);
  EXPECT_EQ(h.sentWith("INVITE").back()->bytes, h.sentWith("INVITE").at(1)->bytes);  // only ours, resent
  EXPECT_EQ(h.ua.stats().sessionRefreshes, 0u);
  EXPECT_TRUE(h.sentWith("BYE").empty());
  h.clock.advance(1);
  auto byes = h.sentWith("BYE");
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(byes[0]->atMs, 60 * kS);
  EXPECT_TRUE(h.has("terminated SessionExpired 408"));
}

}  // namespace
}  // namespace siptgw::sip::testing
