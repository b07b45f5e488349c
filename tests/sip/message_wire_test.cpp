// Message::wireRaw (sip/message.h): serialize() copies an unedited message's parsed bytes
// in one piece, so the field-by-field writer must produce exactly those bytes for every
// shape the parser accepts (folds, LF-only lines, compact names, leading CRLFs, datagram
// bytes past Content-Length), and any edit must fall back to the field writer.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/inline_vec.h"
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

// InlineVec keeps slots past size() unconstructed; elements that own memory (here
// std::string, beyond the small-string buffer) must be built, copied and destroyed exactly
// once (the ASan build checks the leaks and double frees).
TEST(InlineVec, ConstructsCopiesAndDestroysOnlyItsElements) {
  const std::string big(40, 'x');
  InlineVec<std::string, 4> v;
  EXPECT_TRUE(v.push(big + "1"));
  EXPECT_TRUE(v.push(big + "3"));
  EXPECT_TRUE(v.insert(1, big + "2"));
  EXPECT_TRUE(v.insert(0, big + "0"));
  EXPECT_FALSE(v.push("full"));
  EXPECT_EQ(v.emplace("full"), nullptr);
  ASSERT_EQ(v.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(v[i], big + std::to_string(i));
  InlineVec<std::string, 4> copy = v;
  v.erase(1);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[1], big + "2");
  EXPECT_EQ(copy.size(), 4u);
  EXPECT_EQ(copy[1], big + "1");
  copy = v;
  EXPECT_EQ(copy.size(), 3u);
  EXPECT_EQ(copy.back(), big + "3");
  v.clear();
  EXPECT_TRUE(v.empty());
  EXPECT_NE(v.emplace(big + "z"), nullptr);
  EXPECT_EQ(v[0], big + "z");
}

}  // namespace
}  // namespace siptgw::sip
