// URI parsing and comparison: RFC 3261 §19.1 (incl. §19.1.4 comparison), RFC 5118 IPv6,
// RFC 3966 tel URIs with the RFC 4694 number-portability parameters.
#include "sip/uri.h"

#include <gtest/gtest.h>

namespace siptgw::sip {
namespace {

Uri mustParse(std::string_view s) {
  auto r = parseUri(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r ? "" : r.error().message());
  return r ? r.value() : Uri{};
}

TEST(Uri, SipFull) {
  Uri u = mustParse("sip:alice:secret@atlanta.com:5061;transport=tcp;lr?subject=project&x=y");
  EXPECT_EQ(u.scheme, UriScheme::Sip);
  EXPECT_EQ(u.sip.user, "alice");
  EXPECT_TRUE(u.sip.hasPassword);
  EXPECT_EQ(u.sip.password, "secret");
  EXPECT_EQ(u.sip.host, "atlanta.com");
  ASSERT_TRUE(u.sip.port.has_value());
  EXPECT_EQ(*u.sip.port, 5061);
  EXPECT_EQ(u.sip.transport(), "tcp");
  EXPECT_TRUE(u.sip.looseRoute());
  EXPECT_EQ(u.sip.headers, "subject=project&x=y");
  EXPECT_EQ(u.sip.params.size(), 2u);
}

TEST(Uri, SipsHostOnly) {
  Uri u = mustParse("sips:example.com");
  EXPECT_EQ(u.scheme, UriScheme::Sips);
  EXPECT_TRUE(u.sip.user.empty());
  EXPECT_EQ(u.sip.host, "example.com");
  EXPECT_FALSE(u.sip.port.has_value());
}

TEST(Uri, UserPhoneAndTelParamsInUserPart) {
  Uri u = mustParse("sip:+4930123456;npdi;rn=+4930999@gw.example.net;user=phone");
  EXPECT_TRUE(u.sip.userIsPhone());
  EXPECT_EQ(u.sip.user, "+4930123456;npdi;rn=+4930999");
  auto t = parseTelSubscriber(u.sip.user);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->global);
  EXPECT_TRUE(t->npdi);
  EXPECT_EQ(t->rn, "+4930999");
}

TEST(Uri, Ipv6References) {  // RFC 5118 §4.1, §4.3, §4.6, §4.8
  Uri a = mustParse("sip:[2001:db8::10]");
  EXPECT_EQ(a.sip.host, "[2001:db8::10]");
  EXPECT_TRUE(a.sip.isIpv6());
  EXPECT_FALSE(a.sip.port.has_value());
  Uri b = mustParse("sip:user@[2001:db8::10]:5070");
  EXPECT_EQ(b.sip.host, "[2001:db8::10]");
  EXPECT_EQ(*b.sip.port, 5070);
  Uri c = mustParse("sip:[2001:db8::10:5070]");  // ambiguous-looking but a valid address
  EXPECT_FALSE(c.sip.port.has_value());
  mustParse("sip:[::ffff:192.0.2.10]");
  mustParse("sip:[2001:db8::192.0.2.1]");
  mustParse("sip:[::1]");
}

TEST(Uri, Ipv6Invalid) {  // RFC 5118 §4.2, §4.7
  EXPECT_FALSE(parseUri("sip:2001:db8::10").ok());
  EXPECT_FALSE(parseUri("sip:[2001:db8:::192.0.2.1]").ok());
  EXPECT_FALSE(parseUri("sip:[2001:db8::10").ok());
  EXPECT_FALSE(parseUri("sip:[1:2:3:4:5:6:7:8:9]").ok());
  EXPECT_FALSE(isIpv6Address("1::2::3"));
  EXPECT_TRUE(isIpv6Address("1:2:3:4:5:6:7:8"));
  EXPECT_TRUE(isIpv6Address("::"));
}

TEST(Uri, BadSipUris) {
  EXPECT_EQ(parseUri("sip:").error().code, ParseErrc::BadUri);
  EXPECT_FALSE(parseUri("sip:@example.com").ok());
  EXPECT_FALSE(parseUri("sip:user@exa mple.com").ok());
  EXPECT_FALSE(parseUri("sip:user@example.com:99999").ok());
  EXPECT_FALSE(parseUri("sip:user@example.com:").ok());
  EXPECT_FALSE(parseUri("sip:us%4ger@example.com").ok());  // bad escape
  EXPECT_FALSE(parseUri("sip:user@example..com").ok());
  EXPECT_FALSE(parseUri("<sip:user@example.com>").ok());
  EXPECT_FALSE(parseUri("nocolon").ok());
}

// RFC 3261 §25.1: headers = "?" header *( "&" header ), header = hname "=" hvalue; the
// name has at least one character, the value may be empty, "=" and "&" only as separators.
TEST(Uri, HeadersAreNameEqualsValuePairs) {
  for (const char* good : {"sip:a@b.com?subject=x", "sip:a@b.com?Subject=", "sip:a@b.com?x=1&y=",
                           "sip:a@b.com?Replaces=c%40h%3Bto-tag%3D1", "sip:a@b.com?h=[x]/y:z+$?"}) {
    EXPECT_TRUE(parseUri(good).ok()) << good;
  }
  for (const char* bad : {"sip:a@b.com?tcp", "sip:a@b.com?=x", "sip:a@b.com?x=1&",
                          "sip:a@b.com?x=1&&y=2", "sip:a@b.com?x=1=2", "sip:a@b.com?x=1&y"}) {
    auto r = parseUri(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ParseErrc::BadUri) << bad;
  }
  EXPECT_STREQ(parseUri("sip:a@b.com?tcp").error().what, "URI header is not name=value");
}

TEST(Uri, TelGlobalWithSeparatorsAndPortability) {  // RFC 3966, RFC 4694
  Uri u = mustParse("tel:+1-201-555-0123;npdi;rn=+1-201-555-9999;cic=+1-5678;ext=42");
  ASSERT_EQ(u.scheme, UriScheme::Tel);
  EXPECT_TRUE(u.tel.global);
  EXPECT_EQ(u.tel.number, "+1-201-555-0123");
  char buf[32];
  std::size_t n = u.tel.digits(buf, sizeof buf);
  EXPECT_EQ(std::string_view(buf, n), "+12015550123");
  EXPECT_TRUE(u.tel.npdi);
  EXPECT_EQ(u.tel.rn, "+1-201-555-9999");
  EXPECT_EQ(u.tel.cic, "+1-5678");
  EXPECT_EQ(u.tel.ext, "42");
}

TEST(Uri, TelLocalNeedsPhoneContext) {  // RFC 3966 §5.1.5
  Uri u = mustParse("tel:7042;phone-context=example.com;isub=12ab");
  EXPECT_FALSE(u.tel.global);
  EXPECT_EQ(u.tel.phoneContext, "example.com");
  EXPECT_EQ(u.tel.isub, "12ab");
  auto bad = parseUri("tel:7042");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ParseErrc::BadUri);
  EXPECT_FALSE(parseUri("tel:+").ok());
  EXPECT_FALSE(parseUri("tel:+49x30").ok());
  EXPECT_FALSE(parseUri("tel:+4930;npdi=yes").ok());
  EXPECT_FALSE(parseUri("tel:+4930;rn=").ok());
}

TEST(Uri, OtherSchemeOpaque) {
  Uri u = mustParse("urn:service:sos");
  EXPECT_EQ(u.scheme, UriScheme::Other);
  EXPECT_EQ(u.schemeName, "urn");
  EXPECT_EQ(u.opaque, "service:sos");
}

TEST(Uri, EqualsRfc3261Examples) {  // RFC 3261 §19.1.4
  auto eq = [](std::string_view a, std::string_view b) {
    return uriEquals(mustParse(a), mustParse(b));
  };
  EXPECT_TRUE(eq("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"));
  EXPECT_TRUE(eq("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"));
  EXPECT_TRUE(eq("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5"));
  EXPECT_TRUE(eq("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                 "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"));
  EXPECT_TRUE(eq("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                 "sip:alice@atlanta.com?priority=urgent&subject=project%20x"));
  EXPECT_FALSE(eq("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"));
  EXPECT_FALSE(eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
  EXPECT_FALSE(eq("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"));
  EXPECT_FALSE(eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"));
  EXPECT_FALSE(eq("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"));
  EXPECT_FALSE(eq("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
  EXPECT_FALSE(eq("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"));
  EXPECT_FALSE(eq("sip:alice@atlanta.com", "sips:alice@atlanta.com"));
  // an escaped reserved character is not the same as the literal one
  EXPECT_FALSE(eq("sip:a%3Bb@x.com", "sip:a;b@x.com"));
}

TEST(Uri, TelEquals) {
  EXPECT_TRUE(uriEquals(mustParse("tel:+1-201-555-0123"), mustParse("tel:+1.201.5550123")));
  EXPECT_FALSE(uriEquals(mustParse("tel:+12015550123"), mustParse("tel:+12015550124")));
  EXPECT_TRUE(uriEquals(mustParse("tel:+1234;npdi;rn=+99"), mustParse("tel:+1234;rn=+99;npdi")));
  EXPECT_FALSE(uriEquals(mustParse("tel:+1234;npdi"), mustParse("tel:+1234")));
}

TEST(Uri, Unescape) {
  char buf[32];
  std::size_t n = unescape("I%20have%20spaces", buf, sizeof buf);
  EXPECT_EQ(std::string_view(buf, n), "I have spaces");
  EXPECT_EQ(unescape("bad%2", buf, sizeof buf), std::string_view::npos);
}

}  // namespace
}  // namespace siptgw::sip

namespace siptgw::sip {
namespace {

TEST(Uri, EqualsWithRepeatedParameters) {  // found by fuzzing: a URI must equal itself
  Uri t = mustParse("tel:+1-385;rn=+1-201;ext=1;rn=+1-202");
  EXPECT_TRUE(uriEquals(t, t));
  EXPECT_FALSE(uriEquals(t, mustParse("tel:+1-385;rn=+1-201;ext=1;rn=+1-203")));
  Uri s = mustParse("sip:a@b;x=1;x=2");
  EXPECT_TRUE(uriEquals(s, s));
}

}  // namespace
}  // namespace siptgw::sip
