// Multipart bodies: RFC 2046 §5.1, RFC 5621 (SIP), RFC 3204 (ISUP MIME type); RFC 4475
// §3.1.1.13 (mpart01) shape.
#include "sip/multipart.h"

#include <gtest/gtest.h>

#include "sip/check_message.h"
#include "sip/message.h"
#include "sip/message_builder.h"
#include "sip/sdp.h"
#include "sip_samples.h"

namespace siptgw::sip {
namespace {

// An ISUP IAM-like byte string: binary, with NUL, CR and LF inside (opaque to this layer).
const std::string kIsup = std::string(
    "\x01\x00\x49\x00\x00\x03\x02\x00\x07\x04\x10\x00\x33\x63\x21\x43\x00\x0a\x0d\x00", 20);

TEST(Multipart, BuildSdpIsupAndParseBack) {
  std::string body;
  ASSERT_TRUE(buildSdpIsupBody(body, "unique-boundary-1", test::kInviteSdp, kIsup));
  auto r = parseMultipart(body, "unique-boundary-1");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const MultipartBody& mp = r.value();
  EXPECT_TRUE(mp.preamble.empty());
  ASSERT_EQ(mp.parts.size(), 2u);
  EXPECT_TRUE(mp.parts[0].contentType()->is("application", "sdp"));
  EXPECT_EQ(mp.parts[0].body, test::kInviteSdp);
  EXPECT_EQ(mp.parts[0].contentDisposition().error().code, ParseErrc::MissingHeader);
  auto ct = mp.parts[1].contentType();
  ASSERT_TRUE(ct.ok());
  EXPECT_TRUE(ct->is("application", "isup"));
  EXPECT_EQ(ct->param("version"), "itu-t92+");
  auto cd = mp.parts[1].contentDisposition();
  ASSERT_TRUE(cd.ok());
  EXPECT_EQ(cd->type, "signal");
  EXPECT_EQ(cd->handling, Handling::Optional);
  EXPECT_EQ(mp.parts[1].body, kIsup);
  EXPECT_EQ(mp.epilogue, "\r\n");
  std::string out;
  serialize(mp, out);
  EXPECT_EQ(out, body);
  // the SDP part parses as SDP without copying
  auto sdp = parseSdp(mp.parts[0].body);
  ASSERT_TRUE(sdp.ok());
  EXPECT_EQ(sdp->media.size(), 1u);
}

TEST(Multipart, InsideAnInvite) {
  std::string body;
  ASSERT_TRUE(buildSdpIsupBody(body, "isup-sdp-boundary", test::kInviteSdp, kIsup, true));
  std::string wire = test::makeInvite(body);
  auto at = wire.find("Content-Type: application/sdp");
  wire.replace(at, 29, "Content-Type: multipart/mixed;boundary=isup-sdp-boundary");
  Message m;
  auto r = m.parse(wire);
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto ct = m.contentType();
  ASSERT_TRUE(ct->is("multipart", "mixed"));
  auto mp = parseMultipart(m.body(), ct->param("boundary"));
  ASSERT_TRUE(mp.ok()) << mp.error().message();
  EXPECT_EQ(mp->parts[1].contentDisposition()->handling, Handling::Required);
  EXPECT_EQ(mp->parts[1].body, kIsup);
}

TEST(Multipart, PreambleEpiloguePaddingAndRoundTrip) {
  // RFC 4475 §3.1.1.13 style: preamble, padding after a delimiter, part without headers
  std::string body =
      "This is a preamble\r\n"
      "--boundary42  \r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "first part\r\n"
      "--boundary42\r\n"
      "\r\n"
      "implicitly typed\r\n"
      "--boundary42--  \r\n"
      "epilogue text\r\n";
  auto r = parseMultipart(body, "boundary42");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->preamble, "This is a preamble\r\n");
  ASSERT_EQ(r->parts.size(), 2u);
  EXPECT_EQ(r->parts[0].padding, "  ");
  EXPECT_EQ(r->parts[0].body, "first part");
  EXPECT_EQ(r->parts[0].header("content-type"), "text/plain");
  EXPECT_TRUE(r->parts[1].headers.empty());
  EXPECT_EQ(r->parts[1].body, "implicitly typed");
  EXPECT_EQ(r->epilogue, "  \r\nepilogue text\r\n");
  std::string out;
  serialize(r.value(), out);
  EXPECT_EQ(out, body);
}

TEST(Multipart, BoundaryLookalikesInsideParts) {
  std::string body =
      "--b1\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "text mentioning --b1 inline and\r\n-b1 and --b2\r\n"
      "--b1--";
  auto r = parseMultipart(body, "b1");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->parts.size(), 1u);
  EXPECT_EQ(r->parts[0].body, "text mentioning --b1 inline and\r\n-b1 and --b2");
  EXPECT_EQ(r->epilogue, "");
}

TEST(Multipart, Errors) {
  auto code = [](std::string_view body, std::string_view b) {
    auto r = parseMultipart(body, b);
    return r ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(code("no delimiter here", "b"), "multipart: no boundary delimiter found");
  EXPECT_EQ(code("--b\r\nContent-Type: text/plain\r\n\r\nx", "b"),
            "multipart: missing close delimiter");
  EXPECT_EQ(code("--b junk\r\n\r\nx\r\n--b--", "b"), "multipart: delimiter line not ended by CRLF");
  EXPECT_EQ(code("--b\r\nNoColonHere\r\n\r\nx\r\n--b--", "b"),
            "multipart: part header without colon");
  EXPECT_EQ(code("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", ""),
            "multipart: boundary must be 1..70 characters");
  EXPECT_EQ(code("--b\r\nx\r\n--b--", "b"), "multipart: part without empty line after headers");
  EXPECT_EQ(code("--b--", "b"), "multipart: multipart body without parts");
  EXPECT_EQ(code("--b\r\nC: x\r\n\r\nx\r\n--b--", "b{"), "multipart: bad character in boundary");
  // a boundary inside a part body is refused by the builder
  std::string out;
  EXPECT_FALSE(buildMultipart(out, "zz", {PartSpec{"text/plain", "", "has zz inside"}}));
}

}  // namespace
}  // namespace siptgw::sip

namespace siptgw::sip {
namespace {

TEST(Multipart, CheckMessageValidatesSdpPartAndBoundary) {
  std::string body;
  std::string badSdp = std::string(test::kInviteSdp);
  badSdp.replace(badSdp.find("m=audio 49172"), 13, "m=audio 99999");
  ASSERT_TRUE(buildSdpIsupBody(body, "bnd", badSdp, kIsup));
  std::string wire = test::makeInvite(body);
  auto at = wire.find("Content-Type: application/sdp");
  std::string noBoundary = wire;
  noBoundary.replace(at, 29, "Content-Type: multipart/mixed");
  auto nb = checkMessage(noBoundary);
  ASSERT_FALSE(nb.ok());
  EXPECT_EQ(nb.error().message(),
            "line 13: Content-Type: multipart body without boundary parameter");
  wire.replace(at, 29, "Content-Type: multipart/mixed;boundary=bnd");
  auto r = checkMessage(wire);
  ASSERT_FALSE(r.ok());
  // empty line 15, "--bnd" 16, part Content-Type 17, empty 18, SDP from 19: m= is the 6th
  EXPECT_EQ(r.error().message(), "line 24: SDP: m= bad port");
  std::string good;
  ASSERT_TRUE(buildSdpIsupBody(good, "bnd", test::kInviteSdp, kIsup));
  std::string okWire = test::makeInvite(good);
  okWire.replace(okWire.find("Content-Type: application/sdp"), 29,
                 "Content-Type: multipart/mixed;boundary=bnd");
  EXPECT_TRUE(checkMessage(okWire).ok()) << checkMessage(okWire).error().message();
}

}  // namespace
}  // namespace siptgw::sip
