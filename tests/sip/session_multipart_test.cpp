// Offers in multipart bodies on INVITE sessions (sip/user_agent.h): RFC 5621 §3 (the
// application/sdp part of a multipart/mixed drives offer/answer, other parts go to the
// application), §3.2 / RFC 3261 §20.11 (a required part of a type we do not handle: 415
// with Accept, §21.4.16; optional parts ignored), RFC 3204 (SIP-T: SDP + ISUP sent in the
// INVITE, 18x, 2xx). Manual clock, no sleeps.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/sip/session_test_util.h"

namespace siptgw::sip::testing {
namespace {

using namespace std::string_view_literals;
constexpr std::string_view kIam = "\x01\x00\x49\x00\x00\x03\x02\x00\x07\x03\x90\x55\x51\x21\x43\x00"sv;
constexpr std::string_view kAcm = "\x06\x16\x14\x00"sv;
constexpr std::string_view kAnm = "\x09\x00"sv;
constexpr std::string_view kMixed = "multipart/mixed;boundary=unique-boundary-1";

std::string sdpIsup(std::string_view sdp, std::string_view isup, bool required = false) {
  std::string out;
  EXPECT_TRUE(buildSdpIsupBody(out, "unique-boundary-1", sdp, isup, required));
  return out;
}

std::string withPart(std::string_view sdp, std::string_view type, std::string_view disposition) {
  std::string out;
  EXPECT_TRUE(buildMultipart(out, "unique-boundary-1",
                             {{"application/sdp", "", sdp}, {type, disposition, "payload"}}));
  return out;
}

std::string header(const Message& m, HeaderId id) {
  const HeaderField* h = m.find(id);
  return h != nullptr ? std::string(h->value) : std::string("<none>");
}

TEST(SessionMultipart, UasTakesSdpPartAndHandsIsupToTheApplication) {
  UaHarness h;
  std::string isupSeen;
  h.incoming = [&](InviteSession& s, const Message&) {
    auto parts = s.lastBodyParts();
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->parts.size(), 2u);
    isupSeen = std::string(parts->parts[1].body);
    const std::string acm = sdpIsup(kAnswer, kAcm);
    EXPECT_TRUE(s.provisional(180, "Ringing", acm, false, kMixed));
    EXPECT_TRUE(s.answer(sdpIsup(kAnswer, kAnm), kMixed));
  };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "", sdpIsup(kOffer, kIam), "", kMixed));
  EXPECT_TRUE(h.has("INVITE parts 2"));
  EXPECT_EQ(isupSeen, kIam);
  InviteSession* s = h.last;
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->remoteSdp(), kOffer);
  EXPECT_EQ(s->lastBodyType(), kMixed);
  // The 2xx carries the application's body; its SDP part answered the offer.
  Message ok = UaHarness::parsed(h.sentWith(200).at(0));
  EXPECT_EQ(header(ok, HeaderId::ContentType), kMixed);
  EXPECT_EQ(ok.body(), sdpIsup(kAnswer, kAnm));
  EXPECT_EQ(s->offerAnswer().state(), OaState::Stable);
  EXPECT_EQ(s->offerAnswer().exchanges(), 1u);
  // The unreliable 180 previewed the answer with its ISUP.
  Message ring = UaHarness::parsed(h.sentWith(180).at(0));
  EXPECT_EQ(header(ring, HeaderId::ContentType), kMixed);
  EXPECT_EQ(ring.body(), sdpIsup(kAnswer, kAcm));
}

TEST(SessionMultipart, RequiredUnknownPartIs415OptionalIsIgnored) {  // RFC 5621 §3.2
  UaHarness h;
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "",
                        withPart(kOffer, "application/x-unknown", "signal;handling=required"), "", kMixed));
  auto r = h.sentWith(415);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(header(UaHarness::parsed(r[0]), HeaderId::Accept), "application/sdp, multipart/mixed, application/ISUP");
  EXPECT_FALSE(h.has("incoming"));
  // No Content-Disposition: handling defaults to required (RFC 3261 §20.11).
  h.receive(peerRequest("INVITE", 2, "", "z9hG4bKinv2", "", withPart(kOffer, "application/x-unknown", ""), "", kMixed));
  EXPECT_EQ(h.sentWith(415).size(), 2u);
  h.receive(peerRequest("INVITE", 3, "", "z9hG4bKinv3", "",
                        withPart(kOffer, "application/x-unknown", "render;handling=optional"), "", kMixed));
  EXPECT_EQ(h.sentWith(415).size(), 2u);
  EXPECT_TRUE(h.has("incoming"));
  ASSERT_NE(h.last, nullptr);
  EXPECT_EQ(h.last->remoteSdp(), kOffer);
  // ISUP marked required is handled (UaConfig::acceptedBodyTypes).
  h.receive(peerRequest("INVITE", 4, "", "z9hG4bKinv4", "", sdpIsup(kOffer, kIam, true), "", kMixed));
  EXPECT_EQ(h.sentWith(415).size(), 2u);
}

TEST(SessionMultipart, MultipartWithoutSdpIsNoOffer) {
  UaHarness h;
  std::string isup;
  EXPECT_TRUE(buildMultipart(isup, "unique-boundary-1", {{kIsupContentType, "signal;handling=optional", kIam}}));
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "", isup, "", kMixed));
  ASSERT_NE(h.last, nullptr);
  EXPECT_EQ(h.last->offerAnswer().state(), OaState::Stable);
  EXPECT_TRUE(h.last->remoteSdp().empty());
  EXPECT_TRUE(h.has("INVITE parts 1"));
}

TEST(SessionMultipart, UacSendsSipTAndReadsAnswerPart) {  // RFC 3204
  UaHarness h;
  const std::string body = sdpIsup(kOffer, kIam);
  InviteSession* s = h.ua.invite("sip:bob@192.0.2.20", kDst, "sip:gw@10.0.0.1", "sip:bob@192.0.2.20", body, {}, 70, kMixed);
  ASSERT_NE(s, nullptr);
  Message inv = UaHarness::parsed(h.sentWith("INVITE").at(0));
  EXPECT_EQ(header(inv, HeaderId::ContentType), kMixed);
  EXPECT_EQ(inv.body(), body);
  EXPECT_EQ(s->offerAnswer().state(), OaState::LocalOffer);
  // 180 with ISUP alone (ACM), then 200 with SDP + ANM.
  std::string acm;
  EXPECT_TRUE(buildMultipart(acm, "unique-boundary-1", {{kIsupContentType, "signal;handling=optional", kAcm}}));
  h.receive(reply(inv, 180, "b1", "", acm, "<sip:bob@192.0.2.20:5062>", kMixed), kFrom);
  EXPECT_TRUE(h.has("180 parts 1"));
  EXPECT_EQ(s->offerAnswer().state(), OaState::LocalOffer);
  h.receive(reply(inv, 200, "b1", "", sdpIsup(kAnswer, kAnm), "<sip:bob@192.0.2.20:5062>", kMixed), kFrom);
  EXPECT_TRUE(h.has("200 parts 2"));
  EXPECT_EQ(s->remoteSdp(), kAnswer);
  EXPECT_EQ(s->offerAnswer().state(), OaState::Stable);
  auto parts = s->lastBodyParts();
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->parts[1].body, kAnm);
  // A retransmitted 2xx is ACKed again but is no news for the application.
  h.receive(reply(inv, 200, "b1", "", sdpIsup(kAnswer, kAnm), "<sip:bob@192.0.2.20:5062>", kMixed), kFrom);
  EXPECT_EQ(h.sentWith("ACK").size(), 2u);
  EXPECT_EQ(std::count(h.events.begin(), h.events.end(), "200 parts 2"), 1);
}

TEST(SessionMultipart, UpdateOfferInMultipartAnswered) {  // RFC 3311 with RFC 5621
  UaHarness h;
  h.incoming = [](InviteSession& s, const Message&) { s.answer(kAnswer); };
  h.receive(peerRequest("INVITE", 1, "", "z9hG4bKinv1", "", kOffer));
  const std::string tag(UaHarness::parsed(h.sentWith(200)[0]).to()->tag);
  h.receive(peerRequest("ACK", 1, tag, "z9hG4bKack1"));
  h.receive(peerRequest("UPDATE", 2, tag, "z9hG4bKup1", "", sdpIsup(kOffer, "\x2c\x00"sv), "", kMixed));
  auto oks = h.sentWith(200);
  Message ok = UaHarness::parsed(oks.back());
  EXPECT_EQ(ok.cseq()->method, "UPDATE");
  EXPECT_EQ(ok.body(), kAnswer);
  EXPECT_TRUE(h.has("UPDATE parts 2"));
  h.receive(peerRequest("UPDATE", 3, tag, "z9hG4bKup2", "", withPart(kOffer, "text/x-bad", ""), "", kMixed));
  EXPECT_EQ(h.sentWith(415).size(), 1u);
}

}  // namespace
}  // namespace siptgw::sip::testing
