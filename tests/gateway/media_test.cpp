// gateway/media: codec choice (RFC 3264 §6.1) and the answer, from the offer's text and from
// an offer parsed once by the caller (the call keeps the INVITE's SDP parsed): same results.
#include <gtest/gtest.h>

#include "gateway/media.h"

namespace siptgw::gateway {
namespace {

constexpr std::string_view kOffer =
    "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
    "m=video 5004 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
    "m=audio 4000 RTP/AVP 0 8\r\nc=IN IP4 192.0.2.7\r\na=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\na=recvonly\r\n";

MediaRule rule() {
  MediaRule r;
  r.address = "198.51.100.2";
  r.rtpPortBase = 30000;
  r.firstCic = 1;
  r.codecs = {Codec::Pcma, Codec::Pcmu};
  return r;
}

TEST(Media, ChoiceFromParsedOfferMatchesChoiceFromText) {
  auto parsed = sip::parseSdp(kOffer);
  ASSERT_TRUE(parsed);
  const MediaResult fromText = chooseMedia(kOffer, rule());
  const MediaResult fromParsed = chooseMedia(*parsed, rule());
  ASSERT_TRUE(fromText.choice);
  ASSERT_TRUE(fromParsed.choice);
  // The offer's order decides (PCMU first), the audio section is the second m= line and
  // its own c= wins over the session's.
  EXPECT_EQ(fromParsed.choice->codec, Codec::Pcmu);
  EXPECT_EQ(fromParsed.choice->payload_type, 0);
  EXPECT_EQ(fromParsed.choice->media_index, 1u);
  EXPECT_EQ(fromParsed.choice->remote_address, "192.0.2.7");
  EXPECT_EQ(fromParsed.choice->remote_port, 4000);
  EXPECT_EQ(fromText.choice->codec, fromParsed.choice->codec);
  EXPECT_EQ(fromText.choice->media_index, fromParsed.choice->media_index);
  EXPECT_EQ(fromText.choice->remote_address, fromParsed.choice->remote_address);
}

TEST(Media, AnswerFromParsedOfferMatchesAnswerFromText) {
  auto parsed = sip::parseSdp(kOffer);
  ASSERT_TRUE(parsed);
  const MediaChoice choice = *chooseMedia(*parsed, rule()).choice;
  const std::string fromParsed = buildAnswer(rule(), 3, *parsed, choice, 77, 2);
  EXPECT_EQ(fromParsed, buildAnswer(rule(), 3, kOffer, choice, 77, 2));
  // Video refused with port 0 (RFC 3264 §6), audio on CIC 3's port, direction mirrored.
  EXPECT_NE(fromParsed.find("m=video 0 RTP/AVP 96\r\n"), std::string::npos) << fromParsed;
  EXPECT_NE(fromParsed.find("m=audio 30004 RTP/AVP 0\r\n"), std::string::npos) << fromParsed;
  EXPECT_NE(fromParsed.find("a=sendonly\r\n"), std::string::npos) << fromParsed;
}

// A usual offer (five session lines, two sections of a few lines) fits the SDP types'
// inline capacity: every line list of the parsed description lies inside the object itself,
// so the parse that the call path does once per call puts nothing on the heap for them.
TEST(Media, AUsualOfferIsHeldInline) {
  auto parsed = sip::parseSdp(kOffer);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->media.size(), 2u);
  EXPECT_EQ(parsed->media[1].lines.size(), 5u);
  const auto* lo = reinterpret_cast<const char*>(&*parsed);
  const auto* hi = lo + sizeof(sip::SessionDescription);
  auto inside = [&](const void* p) {
    const auto* c = static_cast<const char*>(p);
    return c >= lo && c < hi;
  };
  EXPECT_TRUE(inside(parsed->sessionLines.data()));
  EXPECT_TRUE(inside(parsed->media.data()));
  for (const sip::SdpMedia& m : parsed->media) EXPECT_TRUE(inside(m.lines.data()));
}

TEST(Media, MalformedOfferTextGivesNoChoice) {
  const MediaResult r = chooseMedia("v=0\r\nbogus\r\n", rule());
  EXPECT_FALSE(r.choice);
  EXPECT_EQ(r.error, MediaError::BadSdp);
}

}  // namespace
}  // namespace siptgw::gateway
