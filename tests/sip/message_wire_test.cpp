// Message::wireRaw (sip/message.h): serialize() copies an unedited message's parsed bytes
// in one piece, so the field-by-field writer must produce exactly those bytes for every
// shape the parser accepts (folds, LF-only lines, compact names, leading CRLFs, datagram
// bytes past Content-Length), and any edit must fall back to the field writer.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/message.h"
#include "sip/message_builder.h"

namespace siptgw::sip {
namespace {

struct Case {
  std::string in;    // bytes handed to parse()
  std::string wire;  // what serialize() must write
};

std::vector<Case> cases() {
  const std::string head =
      "INVITE sip:bob@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKw1\r\n"
      "From: <sip:alice@example.com>;tag=a1\r\n"
      "To: <sip:bob@example.com>\r\n"
      "Call-ID: w1@192.0.2.1\r\n"
      "CSeq: 1 INVITE\r\n";
  const std::string folded =
      "OPTIONS sip:bob@example.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKw2\r\n"
      "f: <sip:alice@example.com>;tag=a2\r\n"
      "t: <sip:bob@example.com>\r\n"
      "i: w2@192.0.2.1\r\n"
      "Subject: a folded\r\n  value\r\n"
      "CSeq: 2 OPTIONS\r\n"
      "l: 0\r\n\r\n";
  const std::string lfOnly =
      "SIP/2.0 200 OK\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKw3\n"
      "From: <sip:alice@example.com>;tag=a3\n"
      "To: <sip:bob@example.com>;tag=b3\n"
      "Call-ID: w3@192.0.2.1\n"
      "CSeq: 3 INVITE\n"
      "Content-Length: 4\n\n"
      "abcd";
  const std::string withBody = head + "Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n";
  return {
      {withBody, withBody},
      {"\r\n\r\n" + withBody, withBody},          // leading CRLFs skipped (§7.5)
      {withBody + "garbage", withBody},           // datagram bytes past Content-Length (§18.3)
      {head + "\r\n", head + "\r\n"},             // no Content-Length, no body
      {folded, folded},
      {lfOnly, lfOnly},
  };
}

TEST(MessageWire, FieldWriterReproducesTheParsedBytes) {
  for (const Case& c : cases()) {
    Message m;
    ASSERT_TRUE(m.parse(c.in)) << c.in;
    EXPECT_EQ(std::string(m.wireRaw()), c.wire);
    std::string fast, fields;
    serialize(m, fast);
    serializeFields(m, fields);
    EXPECT_EQ(fast, c.wire);
    EXPECT_EQ(fields, c.wire);
    EXPECT_EQ(serializedSize(m), c.wire.size());
  }
}

TEST(MessageWire, AnyEditFallsBackToTheFieldWriter) {
  const Case c = cases()[0];
  auto edited = [&](auto&& edit) {
    Message m;
    EXPECT_TRUE(m.parse(c.in));
    edit(m);
    EXPECT_TRUE(m.wireRaw().empty());
    std::string fast, fields;
    serialize(m, fast);
    serializeFields(m, fields);
    EXPECT_EQ(fast, fields);
    return fast;
  };
  EXPECT_NE(edited([](Message& m) { m.setHeaderValue(3, "x@y"); }).find("Call-ID: x@y\r\n"), std::string::npos);
  EXPECT_NE(edited([](Message& m) { m.addHeader("Subject", "hi"); }).find("Subject: hi\r\n"), std::string::npos);
  EXPECT_EQ(edited([](Message& m) { m.removeHeader(3); }).find("Call-ID"), std::string::npos);
  EXPECT_NE(edited([](Message& m) { m.setBody("v=1\r\nx"); }).find("Content-Length: 6\r\n\r\nv=1\r\nx"),
            std::string::npos);
  EXPECT_TRUE(edited([](Message& m) { m.setRequestLine("BYE", "sip:bob@example.com"); }).starts_with("BYE "));
  EXPECT_TRUE(edited([](Message& m) { m.setStatusLine(486, "Busy Here"); }).starts_with("SIP/2.0 486 Busy Here\r\n"));
  // A second parse() replaces the first bytes.
  Message m;
  ASSERT_TRUE(m.parse(c.in));
  const std::string other = cases()[4].in;
  ASSERT_TRUE(m.parse(other));
  EXPECT_EQ(std::string(m.wireRaw()), other);
}

}  // namespace
}  // namespace siptgw::sip
