// RFC 3312 / RFC 4032 preconditions: the segmented status table (sip/preconditions.h) and
// the INVITE session using it (sip/user_agent.h): the UAS waits for mandatory qos, answers
// with its status and a=conf, sends UPDATE when asked to confirm, reports when all are met,
// answers 580 with the failure in SDP; the UAC offers des/curr and sends UPDATE once its
// resources are ready. Manual clock, no sleeps.
#include <gtest/gtest.h>

#include "sip/preconditions.h"
#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

const std::string kMedia =
    "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

std::string withLines(std::string_view lines) { return kMedia + std::string(lines); }

const std::string kQosOffer = withLines(
    "a=curr:qos local none\r\na=curr:qos remote none\r\n"
    "a=des:qos mandatory local sendrecv\r\na=des:qos mandatory remote sendrecv\r\n");

std::string attrs(std::string_view sdp) {  // the a=curr/des/conf lines
  std::string out;
  std::size_t pos = 0;
  while (pos < sdp.size()) {
    std::size_t e = sdp.find("\r\n", pos);
    std::string_view l = sdp.substr(pos, e - pos);
    if (l.starts_with("a=curr") || l.starts_with("a=des") || l.starts_with("a=conf")) out.append(l).append("|");
    pos = e + 2;
  }
  return out;
}

TEST(Preconditions, TableFromOfferInvertedAndMetWhenBothSegmentsReady) {  // RFC 3312 §5-6
  Preconditions p;
  EXPECT_TRUE(Preconditions::inUse(kQosOffer));
  EXPECT_FALSE(Preconditions::inUse(kMedia));
  p.applyRemote(withLines("a=curr:qos local send\r\na=des:qos mandatory local sendrecv\r\n"
                          "a=des:qos optional remote send\r\n"));
  // Their local send is our remote recv; their remote send is our local recv.
  EXPECT_TRUE(p.row(PrecondStatus::Remote, false).current);
  EXPECT_FALSE(p.row(PrecondStatus::Remote, true).current);
  EXPECT_EQ(p.row(PrecondStatus::Remote, true).desired, PrecondStrength::Mandatory);
  EXPECT_EQ(p.row(PrecondStatus::Local, false).desired, PrecondStrength::Optional);
  EXPECT_EQ(p.row(PrecondStatus::Local, true).desired, PrecondStrength::None);
  EXPECT_FALSE(p.met());
  p.setLocalReady(true);
  EXPECT_FALSE(p.met());
  EXPECT_EQ(attrs(p.rewrite(kMedia)),
            "a=curr:qos local sendrecv|a=curr:qos remote recv|a=des:qos none local send|"
            "a=des:qos optional local recv|a=des:qos mandatory remote sendrecv|a=conf:qos remote send|");
  p.applyRemote(withLines("a=curr:qos local sendrecv\r\n"));
  EXPECT_TRUE(p.met());
  EXPECT_FALSE(p.failed());
}

TEST(Preconditions, UnknownMandatoryTypeAndFailureStrength) {  // RFC 3312 §5.1, §8
  Preconditions p;
  p.applyRemote(withLines("a=des:foo mandatory e2e sendrecv\r\na=des:qos optional e2e sendrecv\r\n"));
  EXPECT_TRUE(p.failed());
  EXPECT_FALSE(p.met());
  EXPECT_EQ(attrs(p.rewrite(kQosOffer, true)),
            "a=curr:qos e2e none|a=des:qos optional e2e sendrecv|a=des:foo unknown e2e sendrecv|");
  Preconditions q;
  q.applyRemote(kQosOffer);
  q.setLocalFailed();
  EXPECT_EQ(attrs(q.rewrite(kMedia, true)),
            "a=curr:qos local none|a=curr:qos remote none|a=des:qos failure local sendrecv|"
            "a=des:qos failure remote sendrecv|");
}

UaConfig preCfg(bool offer = false) {
  UaConfig c;
  c.preconditions.enabled = true;
  c.preconditions.offer = offer;
  return c;
}

struct PreUas : UaHarness {
  InviteSession* s = nullptr;
  std::string tag;
  explicit PreUas(std::string_view offer = kQosOffer, std::string_view extra = "Supported: 100rel\r\nRequire: precondition\r\n")
      : UaHarness(preCfg()) {
    incoming = [this](InviteSession& x, const Message&) {
      EXPECT_FALSE(x.preconditionsMet());
      ASSERT_NE(x.preconditions(), nullptr);
      x.provisional(183, "Session Progress", kAnswer, true);
    };
    receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", extra, offer));
    s = last;
    if (s == nullptr) return;
    Message p183 = parsed(sentWith(183).at(0));
    tag = std::string(p183.to()->tag);
    receive(peerRequest("PRACK", 2, tag, "z9hG4bKpr1", "RAck: " + std::to_string(*p183.rseq()) + " 1 INVITE\r\n"));
    clock.runUntilIdle();
  }
};

TEST(SessionPrecondition, UasAnswersStatusWaitsAndReportsMet) {  // RFC 3312 §6
  PreUas h;
  ASSERT_NE(h.s, nullptr);
  Message p183 = UaHarness::parsed(h.sentWith(183)[0]);
  EXPECT_EQ(attrs(p183.body()),
            "a=curr:qos local none|a=curr:qos remote none|a=des:qos mandatory local sendrecv|"
            "a=des:qos mandatory remote sendrecv|a=conf:qos remote sendrecv|");
  EXPECT_TRUE(UaHarness::parsed(h.sentWith(183)[0]).hasOptionTag(HeaderId::Supported, "precondition"));
  ASSERT_TRUE(h.s->setLocalResources(true));
  h.clock.runUntilIdle();
  EXPECT_TRUE(h.sentWith("UPDATE").empty());  // the peer asked no confirmation
  EXPECT_FALSE(h.has("preconditions met"));
  // The UAC's UPDATE: its reservation is done.
  h.receive(peerRequest("UPDATE", 3, h.tag, "z9hG4bKup1", "",
                        withLines("a=curr:qos local sendrecv\r\na=curr:qos remote sendrecv\r\n"
                                  "a=des:qos mandatory local sendrecv\r\na=des:qos mandatory remote sendrecv\r\n")));
  Message ok = UaHarness::parsed(h.sentWith(200).back());
  EXPECT_EQ(ok.cseq()->method, "UPDATE");
  EXPECT_EQ(attrs(ok.body()),
            "a=curr:qos local sendrecv|a=curr:qos remote sendrecv|a=des:qos mandatory local sendrecv|"
            "a=des:qos mandatory remote sendrecv|");
  EXPECT_NE(p183.body().find("o=gw 2 3 "), std::string_view::npos);  // kAnswer's, changed once
  EXPECT_NE(ok.body().find("o=gw 2 4 "), std::string_view::npos);    // changed again: next version
  EXPECT_FALSE(h.has("preconditions met"));  // posted: after the 200 went out
  h.clock.runUntilIdle();
  EXPECT_TRUE(h.has("preconditions met"));
  EXPECT_TRUE(h.s->preconditionsMet());
}

TEST(SessionPrecondition, UasConfirmsByUpdateWhenAsked) {  // RFC 3312 §6 a=conf
  PreUas h(withLines("a=curr:qos local none\r\na=curr:qos remote none\r\na=des:qos mandatory local sendrecv\r\n"
                     "a=des:qos mandatory remote sendrecv\r\na=conf:qos remote sendrecv\r\n"));
  ASSERT_NE(h.s, nullptr);
  ASSERT_TRUE(h.s->setLocalResources(true));
  h.clock.runUntilIdle();
  auto ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  Message up = UaHarness::parsed(ups[0]);
  EXPECT_EQ(attrs(up.body()),
            "a=curr:qos local sendrecv|a=curr:qos remote none|a=des:qos mandatory local sendrecv|"
            "a=des:qos mandatory remote sendrecv|a=conf:qos remote sendrecv|");
  EXPECT_NE(up.body().find("o=gw 2 4 "), std::string_view::npos);  // the 183 had version 3
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::LocalOffer);
}

TEST(SessionPrecondition, UnknownMandatoryTypeIs580WithSdp) {  // RFC 3312 §8
  UaHarness h(preCfg());
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "Require: precondition\r\n",
                        withLines("a=curr:foo e2e none\r\na=des:foo mandatory e2e sendrecv\r\n")));
  auto r = h.sentWith(580);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(attrs(UaHarness::parsed(r[0]).body()), "a=des:foo unknown e2e sendrecv|");
  EXPECT_FALSE(h.has("incoming"));
}

TEST(SessionPrecondition, LocalFailureIs580) {  // RFC 3312 §8
  PreUas h;
  ASSERT_NE(h.s, nullptr);
  ASSERT_TRUE(h.s->setLocalResources(false));
  auto r = h.sentWith(580);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(attrs(UaHarness::parsed(r[0]).body()),
            "a=curr:qos local none|a=curr:qos remote none|a=des:qos failure local sendrecv|"
            "a=des:qos failure remote sendrecv|");
  EXPECT_TRUE(h.has("terminated Rejected 580"));
}

TEST(SessionPrecondition, NotUsedWithoutTheOptionTagOrSupport) {
  UaHarness noTag(preCfg());
  bool checked = false;
  noTag.incoming = [&](InviteSession& x, const Message&) {
    EXPECT_EQ(x.preconditions(), nullptr);  // the offer's des lines alone do not count
    EXPECT_TRUE(x.preconditionsMet());
    checked = true;
  };
  noTag.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "Supported: 100rel\r\n", kQosOffer));
  EXPECT_TRUE(checked);
  UaHarness h;  // preconditions not enabled: Require: precondition is 420
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "Require: precondition\r\n", kQosOffer));
  EXPECT_EQ(h.sentWith(420).size(), 1u);
}

TEST(SessionPrecondition, UacOffersAndUpdatesWhenReady) {  // RFC 3312 §4
  Uac h(kOffer, preCfg(true));
  EXPECT_TRUE(h.inv.hasOptionTag(HeaderId::Require, "precondition"));
  EXPECT_EQ(attrs(h.inv.body()),
            "a=curr:qos local none|a=curr:qos remote none|a=des:qos mandatory local sendrecv|"
            "a=des:qos mandatory remote sendrecv|a=conf:qos remote sendrecv|");
  h.rx(183, "b1", "Require: 100rel\r\nRSeq: 1\r\n",
       withLines("a=curr:qos local none\r\na=curr:qos remote none\r\na=des:qos mandatory local sendrecv\r\n"
                 "a=des:qos mandatory remote sendrecv\r\na=conf:qos remote sendrecv\r\n"));
  h.clock.runUntilIdle();
  EXPECT_EQ(h.s->offerAnswer().state(), OaState::Stable);
  ASSERT_TRUE(h.s->setLocalResources(true));
  h.clock.runUntilIdle();
  auto ups = h.sentWith("UPDATE");
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(attrs(UaHarness::parsed(ups[0]).body()),
            "a=curr:qos local sendrecv|a=curr:qos remote none|a=des:qos mandatory local sendrecv|"
            "a=des:qos mandatory remote sendrecv|a=conf:qos remote sendrecv|");
  h.rxTo(ups[0], 200, "",
         withLines("a=curr:qos local sendrecv\r\na=curr:qos remote sendrecv\r\na=des:qos mandatory local sendrecv\r\n"
                   "a=des:qos mandatory remote sendrecv\r\n"));
  h.clock.runUntilIdle();
  EXPECT_TRUE(h.has("preconditions met"));
}

}  // namespace
}  // namespace siptgw::sip::testing
