// RFC 3398 §12 number handling and §7.2.1.1 Request-URI → called party number.
#include <gtest/gtest.h>

#include "helpers.h"
#include "mapping/numbers.h"

namespace siptgw::mapping {
namespace {

using test::Sip;

NumberRules germany() {
  NumberRules r;
  r.countryCode = "49";
  return r;
}

NumberRules nanp() {
  NumberRules r;
  r.countryCode = "1";
  return r;
}

Profile profileWith(NumberRules n) {
  Profile p = *builtinProfile("rfc3398");
  p.numbers = std::move(n);
  return p;
}

Result<PartyNumber, Rejection> calledOf(std::string_view ruri, const Profile& p, bool ansi = false) {
  Sip m(test::invite(ruri, test::basicHeaders()));
  return calledFromRequestUri(m.msg, p, ansi);
}

TEST(Numbers, InternationalWithForeignCountryCode) {
  auto n = classifyNumber("1-201-555-0123", true, germany());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->digits, "12015550123");
  EXPECT_EQ(n->noa, noa::kInternational);
  EXPECT_EQ(n->numberingPlan, 1);
}

TEST(Numbers, HomeCountryCodeBecomesNational) {
  // §12.2: "the gateway SHOULD set the NoA to reflect 'national (significant) number' and
  // strip the country code".
  auto n = classifyNumber("4930123456", true, germany());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->digits, "30123456");
  EXPECT_EQ(n->noa, noa::kNational);
  NumberRules keep = germany();
  keep.localCountryAsNational = false;
  n = classifyNumber("4930123456", true, keep);
  EXPECT_EQ(n->noa, noa::kInternational);
  EXPECT_EQ(n->digits, "4930123456");
  // Without a home country code every "+" number stays international.
  n = classifyNumber("4930123456", true, NumberRules{});
  EXPECT_EQ(n->noa, noa::kInternational);
}

TEST(Numbers, UnprefixedNumbersByRule) {
  NumberRules r = germany();
  auto n = classifyNumber("0030123456", false, r);  // international prefix: "+30..."
  EXPECT_EQ(n->noa, noa::kInternational);
  EXPECT_EQ(n->digits, "30123456");
  n = classifyNumber("030123456", false, r);  // national prefix
  EXPECT_EQ(n->noa, noa::kNational);
  EXPECT_EQ(n->digits, "30123456");
  n = classifyNumber("123456", false, r);
  EXPECT_EQ(n->noa, noa::kNational);
  r.unprefixed = UnprefixedNumber::Subscriber;
  EXPECT_EQ(classifyNumber("123456", false, r)->noa, noa::kSubscriber);
  r.unprefixed = UnprefixedNumber::Unknown;
  EXPECT_EQ(classifyNumber("123456", false, r)->noa, noa::kUnknown);
  r.analysePrefixes = false;
  n = classifyNumber("030123456", false, r);
  EXPECT_EQ(n->digits, "030123456");
  EXPECT_EQ(n->noa, noa::kUnknown);
  r.unprefixed = UnprefixedNumber::Reject;
  auto bad = classifyNumber("123456", false, r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, 484);
  EXPECT_EQ(bad.error().cause, 28);
}

TEST(Numbers, StarAndHashAreIsupCodes11And12) {
  auto n = classifyNumber("*31#", false, germany());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->digits, "B31C");
  n = classifyNumber("*31%23", false, germany());
  EXPECT_EQ(n->digits, "B31C");
  EXPECT_EQ(telUriFromNumber("B31C", noa::kUnknown, germany()), "tel:*31#;phone-context=+49");
  EXPECT_EQ(sipUriFromNumber("B31C", noa::kUnknown, "h", true, germany()),
            "sip:*31%23;phone-context=+49@h;user=phone");
}

TEST(Numbers, BadInputIs484Cause28) {
  for (auto [text, global] : {std::pair{"", true}, std::pair{"12a4", false},
                              std::pair{"1234567890123456", true},  // 16 digits: not E.164
                              std::pair{"12*4", true}}) {
    auto n = classifyNumber(text, global, germany());
    ASSERT_FALSE(n.ok()) << text;
    EXPECT_EQ(n.error().status, 484) << text;
    EXPECT_EQ(n.error().cause, 28) << text;
    EXPECT_FALSE(n.error().detail.empty());
  }
  EXPECT_FALSE(classifyNumber(std::string(41, '1'), false, germany()).ok());
}

TEST(Numbers, RequestUriForms) {
  const Profile p = profileWith(germany());
  // tel URI, sip URI with user=phone, and a sip URI whose user part is plainly digits.
  for (std::string_view uri : {"tel:+1-201-555-0123", "sip:+12015550123@gw.example.net;user=phone",
                               "sip:+12015550123@gw.example.net"}) {
    auto n = calledOf(uri, p);
    ASSERT_TRUE(n.ok()) << uri;
    EXPECT_EQ(n->digits, "12015550123") << uri;
    EXPECT_EQ(n->noa, noa::kInternational) << uri;
    EXPECT_FALSE(n->npdi);
  }
  auto local = calledOf("tel:030123456;phone-context=+49", p);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->noa, noa::kNational);
  EXPECT_EQ(local->digits, "30123456");
}

// Dialled digits in a sip URI without '+' or user=phone ("sip:2001@gw", what SIP phones and
// SIPp's built-in scenarios send) are an unprefixed number, classified by the number rules.
TEST(Numbers, DialledDigitsInSipUserPart) {
  const Profile p = profileWith(germany());
  auto n = calledOf("sip:030123456@gw.example.net", p);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->digits, "30123456");
  EXPECT_EQ(n->noa, noa::kNational);
  auto intl = calledOf("sip:0044201234@gw.example.net", p);
  ASSERT_TRUE(intl.ok());
  EXPECT_EQ(intl->digits, "44201234");
  EXPECT_EQ(intl->noa, noa::kInternational);
}

TEST(Numbers, RequestUriWithoutNumberIsRejected) {
  const Profile p = profileWith(germany());
  auto alice = calledOf("sip:alice@gw.example.net", p);
  ASSERT_FALSE(alice.ok());
  EXPECT_EQ(alice.error().status, 484);
  EXPECT_NE(alice.error().detail.find("alice"), std::string::npos);
  EXPECT_NE(alice.error().detail.find("Request-URI"), std::string::npos);
  auto mailto = calledOf("mailto:a@b.example", p);
  ASSERT_FALSE(mailto.ok());
  EXPECT_EQ(mailto.error().status, 416);
  auto empty = calledOf("sip:gw.example.net", p);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().status, 484);
}

TEST(Numbers, PortedNumberItuPrependsRoutingNumber) {
  // §7.2.1.1 "In some other ISUP variants, the number given in the 'rn=' field would instead
  // be prepended to the main telephone number".
  NumberRules r = germany();
  r.routingNumberSeparator = "";
  auto n = calledOf("tel:+4930123456;rn=01234;npdi", profileWith(r));
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->npdi);
  EXPECT_EQ(n->digits, "123430123456");  // rn "01234" is national: prefix 0 stripped
  EXPECT_EQ(n->noa, noa::kNational);
  EXPECT_TRUE(n->dialledDigits.empty());
}

TEST(Numbers, PortedNumberAnsiUsesGenericAddress) {
  NumberRules us;
  us.countryCode = "1";
  us.nationalPrefix = "";
  us.internationalPrefix = "011";
  auto n = calledOf("tel:+1-202-533-2699;npdi;rn=+1-202-544-0000", profileWith(us), true);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->npdi);
  EXPECT_EQ(n->digits, "2025440000");  // CPN = LRN
  EXPECT_EQ(n->dialledDigits, "2025332699");  // GAP = dialled number
  EXPECT_EQ(n->noa, noa::kNational);
  // npdi without rn: dipped, not ported.
  auto notPorted = calledOf("tel:+1-202-533-2699;npdi", profileWith(us), true);
  EXPECT_TRUE(notPorted->npdi);
  EXPECT_EQ(notPorted->digits, "2025332699");
  EXPECT_TRUE(notPorted->dialledDigits.empty());
  // rn without npdi is not acted on (RFC 4694 §4).
  auto rnOnly = calledOf("tel:+1-202-533-2699;rn=+1-202-544-0000", profileWith(us), true);
  EXPECT_FALSE(rnOnly->npdi);
  EXPECT_EQ(rnOnly->digits, "2025332699");
}

TEST(Numbers, PortabilityInsideSipUserPart) {
  // RFC 4694 parameters ride in the user part of a sip URI with user=phone.
  NumberRules us = nanp();
  us.nationalPrefix = "";
  auto n = calledOf("sip:+1-202-533-2699;npdi;rn=+1-202-544-0000@gw.example.net;user=phone",
                    profileWith(us), true);
  ASSERT_TRUE(n.ok()) << n.error().detail;
  EXPECT_TRUE(n->npdi);
  EXPECT_EQ(n->digits, "2025440000");
  EXPECT_EQ(n->dialledDigits, "2025332699");
}

TEST(Numbers, CarrierFromCic) {
  NumberRules us;
  us.countryCode = "1";
  auto n = calledOf("tel:+1-202-533-2699;cic=+1-5062", profileWith(us), true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->carrier, "5062");
}

TEST(Numbers, TelUriConstruction) {
  // §12.1.
  const NumberRules de = germany();
  EXPECT_EQ(telUriFromNumber("12015550123", noa::kInternational, de), "tel:+12015550123");
  EXPECT_EQ(telUriFromNumber("30123456", noa::kNational, de), "tel:+4930123456");
  // A subscriber number needs an area code to become international.
  EXPECT_EQ(telUriFromNumber("123456", noa::kSubscriber, de), "tel:123456;phone-context=+49");
  NumberRules berlin = de;
  berlin.areaCode = "30";
  EXPECT_EQ(telUriFromNumber("123456", noa::kSubscriber, berlin), "tel:+4930123456");
  // Network-specific numbers are never internationalised.
  EXPECT_EQ(telUriFromNumber("118", noa::kNetworkSpecific, de), "tel:118;phone-context=+49");
  NumberRules ctx;
  ctx.phoneContext = "operator.example.net";
  EXPECT_EQ(telUriFromNumber("30123456", noa::kNational, ctx),
            "tel:030123456;phone-context=operator.example.net");
  EXPECT_EQ(telUriFromNumber("0030123", noa::kUnknown, de), "tel:+30123");
  EXPECT_EQ(e164FromNumber("030123456", noa::kUnknown, de), "+4930123456");
  EXPECT_FALSE(e164FromNumber("30123456", noa::kNational, NumberRules{}).has_value());
}

TEST(Numbers, SipUriConstruction) {
  const NumberRules de = germany();
  EXPECT_EQ(sipUriFromNumber("30123456", noa::kNational, "gw.example.net", true, de),
            "sip:+4930123456@gw.example.net;user=phone");
  EXPECT_EQ(sipUriFromNumber("118", noa::kNetworkSpecific, "gw.example.net", false, de),
            "sip:118;phone-context=+49@gw.example.net");
  EXPECT_EQ(uriFromNumber("30123456", noa::kNational, "", true, de), "tel:+4930123456");
  EXPECT_EQ(uriFromNumber("2025332699", noa::kNational, "", true, nanp(),
                          ";rn=2025440000;npdi"),
            "tel:+12025332699;rn=2025440000;npdi");
}

TEST(Numbers, ConstructedUrisParseBack) {
  // What §12.1 writes, §12.2 reads to the same number.
  const NumberRules de = germany();
  for (auto [digits, n] : {std::pair{"12015550123", noa::kInternational},
                           std::pair{"30123456", noa::kNational}}) {
    for (std::string_view host : {"", "gw.example.net"}) {
      std::string uri = uriFromNumber(digits, n, host, true, de);
      auto parsed = sip::parseUri(uri);
      ASSERT_TRUE(parsed.ok()) << uri;
      auto back = numberFromUri(*parsed, de);
      ASSERT_TRUE(back.ok()) << uri;
      EXPECT_EQ(back->digits, digits) << uri;
      EXPECT_EQ(back->noa, n) << uri;
    }
  }
}

}  // namespace
}  // namespace siptgw::mapping
