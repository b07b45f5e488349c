// checkMessage: RFC 3261 §7 grammar plus §8.1.1 request rules, one-line reasons.
#include "sip/check_message.h"

#include <gtest/gtest.h>

#include "sip_samples.h"

namespace siptgw::sip {
namespace {

std::string reason(std::string_view wire) {
  auto r = checkMessage(wire);
  return r ? "ok" : r.error().message();
}

std::string replaceLine(std::string s, std::string_view from, std::string_view to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
  return s;
}

TEST(CheckMessage, ValidInvite) {
  EXPECT_EQ(reason(test::makeInvite()), "ok");
}

TEST(CheckMessage, MissingBranch) {
  std::string w = replaceLine(test::makeInvite(), ";branch=z9hG4bK776asdhds", "");
  EXPECT_EQ(reason(w), "line 2: Via: missing branch parameter");
}

TEST(CheckMessage, MissingMandatoryHeaders) {
  EXPECT_EQ(reason(replaceLine(test::makeInvite(), "Max-Forwards: 70\r\n", "")),
            "Max-Forwards: missing mandatory header");
  EXPECT_EQ(
      reason(replaceLine(test::makeInvite(), "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n", "")),
      "Call-ID: missing mandatory header");
  auto r = checkMessage(replaceLine(test::makeInvite(), "CSeq: 314159 INVITE\r\n", ""));
  EXPECT_EQ(r.error().code, ParseErrc::MissingHeader);
}

TEST(CheckMessage, CSeqMethodMismatch) {  // RFC 4475 §3.1.2.16
  auto r =
      checkMessage(replaceLine(test::makeInvite(), "CSeq: 314159 INVITE", "CSeq: 314159 OPTIONS"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ParseErrc::CSeqMethodMismatch);
  EXPECT_EQ(r.error().message(), "line 7: CSeq: method does not match the request method");
}

TEST(CheckMessage, ContentLengthMismatch) {
  std::string w = test::makeInvite() + "extra";
  auto r = checkMessage(w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ParseErrc::ContentLengthMismatch);
  EXPECT_EQ(r.error().line, 14u);
  std::string shortBody = test::makeInvite();
  shortBody.pop_back();
  EXPECT_EQ(checkMessage(shortBody).error().code, ParseErrc::TruncatedBody);
}

TEST(CheckMessage, BadTypedHeaderPresent) {
  auto r = checkMessage(replaceLine(test::makeInvite(), "Supported: 100rel, timer, precondition",
                                    "Supported: 100rel, ti mer"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "line 10: Supported: not a token");
  auto c = checkMessage(replaceLine(test::makeInvite(),
                                    "Contact: <sip:alice@pc33.atlanta.com:5060;transport=udp>",
                                    "Contact: <sip:alice@pc33.atlanta.com:5060;transport=udp"));
  EXPECT_EQ(c.error().message(), "line 8: Contact: missing '>' after URI");
  auto u = checkMessage(
      replaceLine(test::makeInvite(), "To: <sip:+4930123456@gw", "To: <sip:+4930123456@@gw"));
  EXPECT_EQ(u.error().code, ParseErrc::BadUri);
  EXPECT_EQ(u.error().line, 5u);
}

TEST(CheckMessage, BodyWithoutContentType) {
  std::string w = replaceLine(test::makeInvite(), "Content-Type: application/sdp\r\n", "");
  EXPECT_EQ(reason(w), "Content-Type: body present without Content-Type");
}

TEST(CheckMessage, ResponseNeedsNoMaxForwards) {
  std::string w =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@b>;tag=1\r\n"
      "To: <sip:c@d>;tag=2\r\n"
      "Call-ID: x\r\n"
      "CSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  EXPECT_EQ(reason(w), "ok");
}

}  // namespace
}  // namespace siptgw::sip

namespace siptgw::sip {
namespace {

TEST(CheckMessage, SdpBodyErrorsPointAtTheFileLine) {
  std::string sdp = std::string(test::kInviteSdp);
  sdp.replace(sdp.find("t=0 0"), 5, "t=x 0");
  auto r = checkMessage(test::makeInvite(sdp));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ParseErrc::BadSdp);
  // start line + 13 headers, empty line 15, body from line 16: t= is its 5th line
  EXPECT_EQ(r.error().message(), "line 20: SDP: t= needs start and stop times");
}

}  // namespace
}  // namespace siptgw::sip
