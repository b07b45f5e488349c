// Reason headers (RFC 3326 §2, RFC 6432), cause names (Q.850) and classes.
#include <set>

#include <gtest/gtest.h>

#include "helpers.h"
#include "mapping/release.h"

namespace siptgw::mapping {
namespace {

using test::Sip;

std::string bye(std::string_view reasonLines) {
  return "BYE sip:gw@192.0.2.1 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-2\r\n"
         "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: c\r\nCSeq: 2 BYE\r\n"
         "Max-Forwards: 70\r\n" +
         std::string(reasonLines) + "Content-Length: 0\r\n\r\n";
}

std::string response(int status, std::string_view lines) {
  return "SIP/2.0 " + std::to_string(status) + " X\r\n"
         "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-2\r\n"
         "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n" +
         std::string(lines) + "Content-Length: 0\r\n\r\n";
}

TEST(Reason, HeaderValueCarriesCauseAndQ850Text) {
  EXPECT_EQ(reasonHeaderValue(16), "Q.850;cause=16;text=\"Normal call clearing\"");
  EXPECT_EQ(reasonHeaderValue(17), "Q.850;cause=17;text=\"User busy\"");
  EXPECT_EQ(reasonHeaderValue(12), "Q.850;cause=12");  // unassigned value: no text
  // What we write, we read back.
  Sip m(bye("Reason: " + reasonHeaderValue(34) + "\r\n"));
  EXPECT_EQ(q850CauseFromReason(m.msg), 34);
}

TEST(Reason, Q850WinsOverSipAcrossHeaders) {
  Sip m(bye("Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"
            "Reason: Q.850;cause=17;text=\"User busy\"\r\n"));
  EXPECT_EQ(q850CauseFromReason(m.msg), 17);
  Sip list(bye("Reason: SIP;cause=480, Q.850;cause=19\r\n"));
  EXPECT_EQ(q850CauseFromReason(list.msg), 19);
  Sip lower(bye("Reason: q.850 ;cause=41\r\n"));
  EXPECT_EQ(q850CauseFromReason(lower.msg), 41);
}

TEST(Reason, FirstQ850Counts) {
  Sip m(bye("Reason: Q.850;cause=21\r\nReason: Q.850;cause=16\r\n"));
  EXPECT_EQ(q850CauseFromReason(m.msg), 21);
}

TEST(Reason, MalformedValuesAreSkippedNotFatal) {
  Sip m(bye("Reason: Q.850;cause=abc\r\n"
            "Reason: Q.850;cause=300\r\n"
            "Reason: Q.850;cause=0\r\n"
            "Reason: Q.850;text=\"no cause\"\r\n"
            "Reason: ;;;\r\n"
            "Reason: Q.850;cause=31\r\n"));
  EXPECT_EQ(q850CauseFromReason(m.msg), 31);
  Sip none(bye("Reason: SIP;cause=487\r\nReason: Q.850;cause=x\r\n"));
  EXPECT_FALSE(q850CauseFromReason(none.msg).has_value());
  Sip absent(bye(""));
  EXPECT_FALSE(q850CauseFromReason(absent.msg).has_value());
}

TEST(Reason, ResponseCausePrefersReasonThenWarningThenTable) {
  const Profile p = *builtinProfile("rfc3398");
  Sip withReason(response(486, "Reason: Q.850;cause=21\r\n"));
  EXPECT_EQ(causeForResponse(withReason.msg, p), 21);  // RFC 6432
  Sip plain(response(486, ""));
  EXPECT_EQ(causeForResponse(plain.msg, p), 17);
  // §8.2.6.1: 488/606 with a bearer Warning → 65, other Warnings → 31.
  Sip bearer(response(488, "Warning: 305 gw.example.net \"Incompatible media format\"\r\n"));
  EXPECT_EQ(causeForResponse(bearer.msg, p), 65);
  Sip media(response(606, "Warning: 399 gw \"x\", 304 gw \"Media type not available\"\r\n"));
  EXPECT_EQ(causeForResponse(media.msg, p), 65);
  Sip other(response(488, "Warning: 399 gw \"Miscellaneous\"\r\n"));
  EXPECT_EQ(causeForResponse(other.msg, p), 31);
  Sip noWarning(response(606, ""));
  EXPECT_EQ(causeForResponse(noWarning.msg, p), 31);
  // A Warning on a status that has a row does not change it.
  Sip busy(response(486, "Warning: 305 gw \"x\"\r\n"));
  EXPECT_EQ(causeForResponse(busy.msg, p), 17);
}

TEST(CauseText, Q850Names) {
  EXPECT_EQ(causeText(1), "Unallocated (unassigned) number");
  EXPECT_EQ(causeText(16), "Normal call clearing");
  EXPECT_EQ(causeText(31), "Normal, unspecified");
  EXPECT_EQ(causeText(102), "Recovery on timer expiry");
  EXPECT_EQ(causeText(127), "Interworking, unspecified");
  EXPECT_EQ(causeText(0), "Unknown cause");
  EXPECT_EQ(causeText(126), "Unknown cause");
}

TEST(CauseClass, Buckets) {
  EXPECT_EQ(causeClass(16), CauseClass::Normal);
  EXPECT_EQ(causeClass(17), CauseClass::Busy);
  EXPECT_EQ(causeClass(19), CauseClass::NoAnswer);
  EXPECT_EQ(causeClass(1), CauseClass::Unallocated);
  EXPECT_EQ(causeClass(21), CauseClass::Rejected);
  EXPECT_EQ(causeClass(34), CauseClass::Congestion);
  EXPECT_EQ(causeClass(27), CauseClass::Unavailable);
  EXPECT_EQ(causeClass(127), CauseClass::Other);
  EXPECT_EQ(causeClassName(CauseClass::NoAnswer), "no_answer");
  EXPECT_EQ(causeClassName(causeClass(42)), "congestion");
  // Every class has a distinct label.
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(CauseClass::Other); ++c)
    names.insert(causeClassName(static_cast<CauseClass>(c)));
  EXPECT_EQ(names.size(), 8u);
}

}  // namespace
}  // namespace siptgw::mapping
