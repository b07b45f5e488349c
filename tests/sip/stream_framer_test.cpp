// Stream framing over TCP/TLS: RFC 3261 §18.3 Content-Length framing, §7.5 leading CRLF,
// RFC 5626 §3.5.1 CRLF keep-alives.
#include "sip/stream_framer.h"

#include <gtest/gtest.h>

#include "sip_samples.h"

namespace siptgw::sip {
namespace {

TEST(StreamFramer, PartialThenComplete) {
  std::string wire = test::makeInvite();
  // every prefix is "need more"; the whole is one message
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{20}, wire.size() / 2,
                        wire.size() - test::kInviteSdp.size(), wire.size() - 1}) {
    auto f = frameStream(std::string_view(wire).substr(0, n));
    ASSERT_TRUE(f.ok()) << n;
    EXPECT_EQ(f->kind, Frame::Kind::NeedMore) << n;
  }
  auto f = frameStream(wire);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind, Frame::Kind::Message);
  EXPECT_EQ(f->skip, 0u);
  EXPECT_EQ(f->size, wire.size());
}

TEST(StreamFramer, TwoMessagesBackToBack) {
  std::string one = test::makeInvite();
  std::string two = "SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n";
  std::string stream = one + two;
  auto f = frameStream(stream);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->kind, Frame::Kind::Message);
  EXPECT_EQ(f->size, one.size());
  auto g = frameStream(std::string_view(stream).substr(f->skip + f->size));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->kind, Frame::Kind::Message);
  EXPECT_EQ(g->size, two.size());
}

TEST(StreamFramer, KeepAlivePingAndLeadingCrlf) {
  auto ping = frameStream("\r\n\r\n");
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping->kind, Frame::Kind::KeepAlive);
  EXPECT_EQ(ping->skip, 4u);
  auto half = frameStream("\r\n");
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->kind, Frame::Kind::NeedMore);  // could still become a ping
  std::string two = "SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n";
  auto lead = frameStream("\r\n" + two);
  ASSERT_TRUE(lead.ok());
  EXPECT_EQ(lead->kind, Frame::Kind::Message);
  EXPECT_EQ(lead->skip, 2u);
  EXPECT_EQ(lead->size, two.size());
  auto pingThenMsg = frameStream("\r\n\r\n" + two);
  EXPECT_EQ(pingThenMsg->kind, Frame::Kind::KeepAlive);
}

TEST(StreamFramer, Errors) {
  auto noCl = frameStream("SIP/2.0 100 Trying\r\nVia: x\r\n\r\n");
  ASSERT_FALSE(noCl.ok());
  EXPECT_EQ(noCl.error().code, ParseErrc::MissingHeader);
  auto bad = frameStream("SIP/2.0 100 Trying\r\nl: x1\r\n\r\n");
  EXPECT_EQ(bad.error().code, ParseErrc::BadContentLength);
  auto conflict = frameStream("SIP/2.0 100 Trying\r\nl: 1\r\nContent-Length: 2\r\n\r\nab");
  EXPECT_EQ(conflict.error().code, ParseErrc::BadContentLength);
  ParseLimits lim;
  lim.maxBodySize = 10;
  auto big = frameStream("SIP/2.0 100 Trying\r\nContent-Length: 11\r\n\r\n", lim);
  EXPECT_EQ(big.error().code, ParseErrc::BodyTooLarge);
  lim = ParseLimits{};
  lim.maxLineLength = 16;
  auto endless = frameStream("SIP/2.0 100 Trying\r\nX: " + std::string(100, 'a'), lim);
  EXPECT_EQ(endless.error().code, ParseErrc::LineTooLong);
}

TEST(StreamFramer, CompactContentLengthAndFolding) {
  std::string m = "SIP/2.0 180 Ringing\r\nSubject: a\r\n b\r\nl:   4\r\n\r\nbody";
  auto f = frameStream(m);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind, Frame::Kind::Message);
  EXPECT_EQ(f->size, m.size());
}

}  // namespace
}  // namespace siptgw::sip
