// IAM → INVITE parts (RFC 3398 §8.2.1.1, §12.1): IAMs are encoded and decoded first.
#include <gtest/gtest.h>

#include "helpers.h"
#include "mapping/isup_to_sip.h"

namespace siptgw::mapping {
namespace {

using isup::ParamCode;

isup::Number number(std::string_view digits, uint8_t noaValue) {
  isup::Number n;
  n.nature_of_address = noaValue;
  n.numbering_plan = 1;
  EXPECT_TRUE(n.digits.assign(digits));
  return n;
}

isup::Number calling(std::string_view digits, uint8_t noaValue, uint8_t presentation,
                     uint8_t screening = 3) {
  isup::Number n = number(digits, noaValue);
  n.presentation = presentation;
  n.screening = screening;
  return n;
}

struct IsupToSip : ::testing::Test {
  Profile profile = test::germanRfc3398();
  IsupToSipOptions opts;
  isup::Message iam = [] {
    isup::Message m = isup::makeMessage(isup::Variant::Itu, isup::MessageType::IAM, 5);
    m.set(ParamCode::CalledPartyNumber, number("30123456", noa::kNational));
    m.set(ParamCode::TransmissionMediumRequirement, isup::Octet{0});
    m.set(ParamCode::CallingPartysCategory, isup::Octet{cpc::kOrdinary});
    return m;
  }();

  Result<InviteParts, Rejection> map() { return inviteFromIam(test::wire(iam), opts, profile); }
  InviteParts mapOk() {
    auto r = map();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
    return r.ok() ? *r : InviteParts{};
  }
};

TEST_F(IsupToSip, CalledNumberToRequestUriAndTo) {
  opts.gatewayHost = "gw.example.net";
  InviteParts p = mapOk();
  EXPECT_EQ(p.requestUri, "tel:+4930123456");
  EXPECT_EQ(p.to, "<tel:+4930123456>");
  // §8.2.1.1: no CIN → a From with only the gateway's host.
  EXPECT_EQ(p.from, "<sip:gw.example.net>");
  EXPECT_TRUE(p.pai.empty());
  EXPECT_TRUE(p.privacy.empty());
  EXPECT_EQ(p.extraHeaders(), "");
  EXPECT_EQ(p.maxForwards, 70);
  EXPECT_FALSE(p.clearmode);
}

TEST_F(IsupToSip, SipUrisWithHost) {
  opts.host = "core.example.net";
  iam.set(ParamCode::CallingPartyNumber, calling("12015550123", noa::kInternational, 0));
  InviteParts p = mapOk();
  EXPECT_EQ(p.requestUri, "sip:+4930123456@core.example.net;user=phone");
  EXPECT_EQ(p.to, "<sip:+4930123456@core.example.net;user=phone>");
  EXPECT_EQ(p.from, "<sip:+12015550123@core.example.net;user=phone>");
  EXPECT_EQ(p.pai, p.from);
  opts.userPhone = false;
  EXPECT_EQ(mapOk().requestUri, "sip:+4930123456@core.example.net");
  // The Request-URI is a URI sip/ parses, and its number reads back.
  auto u = sip::parseUri(p.requestUri);
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->sip.userIsPhone());
}

TEST_F(IsupToSip, PresentationAllowedGivesFromAndPai) {
  iam.set(ParamCode::CallingPartyNumber, calling("40111", noa::kNational, 0));
  InviteParts p = mapOk();
  EXPECT_EQ(p.from, "<tel:+4940111>");
  EXPECT_EQ(p.pai, "<tel:+4940111>");
  EXPECT_EQ(p.extraHeaders(), "P-Asserted-Identity: <tel:+4940111>\r\n");
  // Untrusted next hop: no PAI (RFC 3325 §5).
  opts.trustedNextHop = false;
  EXPECT_TRUE(mapOk().pai.empty());
}

TEST_F(IsupToSip, PresentationRestrictedGivesAnonymousFrom) {
  // §12.1 and RFC 3323/3325: From anonymous, Privacy: id, PAI for trusted next hops only.
  iam.set(ParamCode::CallingPartyNumber, calling("40111", noa::kNational, 1));
  InviteParts p = mapOk();
  EXPECT_EQ(p.from, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
  EXPECT_EQ(p.privacy, "id");
  EXPECT_EQ(p.pai, "<tel:+4940111>");
  EXPECT_EQ(p.extraHeaders(), "P-Asserted-Identity: <tel:+4940111>\r\nPrivacy: id\r\n");
  opts.trustedNextHop = false;
  p = mapOk();
  EXPECT_TRUE(p.pai.empty());
  EXPECT_EQ(p.from.find("40111"), std::string::npos);
  EXPECT_EQ(p.privacy, "id");
}

TEST_F(IsupToSip, AddressNotAvailableIsLikeNoCallingNumber) {
  iam.set(ParamCode::CallingPartyNumber, calling("", noa::kNational, 2));
  InviteParts p = mapOk();
  EXPECT_EQ(p.from, "<sip:anonymous.invalid>");
  EXPECT_TRUE(p.pai.empty());
}

TEST_F(IsupToSip, UserProvidedUnverifiedIsNotAsserted) {
  iam = isup::makeMessage(isup::Variant::Ansi, isup::MessageType::IAM, 5);
  iam.set(ParamCode::CalledPartyNumber, number("2025332699", noa::kNational));
  iam.set(ParamCode::CallingPartyNumber, calling("2025550000", noa::kNational, 0, 0));
  profile.numbers.countryCode = "1";
  InviteParts p = mapOk();
  EXPECT_EQ(p.from, "<tel:+12025550000>");
  EXPECT_TRUE(p.pai.empty());
}

TEST_F(IsupToSip, AnsiGenericNameIsTheDisplayName) {
  profile.numbers.countryCode = "1";
  iam = isup::makeMessage(isup::Variant::Ansi, isup::MessageType::IAM, 5);
  iam.set(ParamCode::CalledPartyNumber, number("2025332699", noa::kNational));
  iam.set(ParamCode::CallingPartyNumber, calling("2025550000", noa::kNational, 0));
  isup::GenericName name;
  name.type_of_name = 1;  // calling name
  for (char c : std::string_view("JOE \"Q\" PUBLIC")) name.data.push_back(static_cast<uint8_t>(c));
  iam.set(ParamCode::GenericName, name);
  InviteParts p = mapOk();
  EXPECT_EQ(p.from, "\"JOE \\\"Q\\\" PUBLIC\" <tel:+12025550000>");
  ASSERT_TRUE(sip::parseNameAddr(p.from).ok());
  name.presentation = 1;  // restricted: no name
  iam.set(ParamCode::GenericName, name);
  EXPECT_EQ(mapOk().from, "<tel:+12025550000>");
}

TEST_F(IsupToSip, AdditionalCallingPartyNumberInFrom) {
  iam.set(ParamCode::CallingPartyNumber, calling("40111", noa::kNational, 0));
  isup::Number gn = calling("40999", noa::kNational, 0, 0);
  gn.number_qualifier = 6;
  iam.set(ParamCode::GenericNumber, gn);
  InviteParts p = mapOk();
  EXPECT_EQ(p.from, "<tel:+4940999>");
  EXPECT_EQ(p.pai, "<tel:+4940111>");
}

TEST_F(IsupToSip, CategoryBecomesCpcOnPai) {
  iam.set(ParamCode::CallingPartyNumber, calling("40111", noa::kNational, 0));
  iam.set(ParamCode::CallingPartysCategory, isup::Octet{cpc::kPayphone});
  InviteParts p = mapOk();
  EXPECT_EQ(p.callingCategory, cpc::kPayphone);
  EXPECT_EQ(p.pai, "<tel:+4940111;cpc=payphone>");
  EXPECT_EQ(p.from, "<tel:+4940111>");
}

TEST_F(IsupToSip, OriginalCalledNumberGoesToTo) {
  iam.set(ParamCode::OriginalCalledNumber, number("89777", noa::kNational));
  InviteParts p = mapOk();
  EXPECT_EQ(p.requestUri, "tel:+4930123456");
  EXPECT_EQ(p.to, "<tel:+4989777>");
}

TEST_F(IsupToSip, HopCounterToMaxForwards) {
  iam.set(ParamCode::HopCounter, isup::HopCounter{12, 0});
  EXPECT_EQ(mapOk().maxForwards, 12);
  profile.maxForwardsPerHop = 5;
  EXPECT_EQ(mapOk().maxForwards, 60);
  iam.set(ParamCode::HopCounter, isup::HopCounter{31, 0});
  EXPECT_EQ(mapOk().maxForwards, 70);  // capped at profile.maxForwards
  iam.set(ParamCode::HopCounter, isup::HopCounter{0, 0});
  auto r = map();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 483);
  EXPECT_EQ(r.error().cause, 25);
}

TEST_F(IsupToSip, BearerToClearmode) {
  iam.set(ParamCode::TransmissionMediumRequirement, isup::Octet{2});
  EXPECT_TRUE(mapOk().clearmode);
  iam.set(ParamCode::TransmissionMediumRequirement, isup::Octet{3});
  EXPECT_FALSE(mapOk().clearmode);
  iam.set(ParamCode::TransmissionMediumRequirement, isup::Octet{6});  // 64 kbit/s preferred
  EXPECT_TRUE(mapOk().clearmode);
  iam.set(ParamCode::UserServiceInformation, isup::UserServiceInformation{});  // ITC speech
  EXPECT_FALSE(mapOk().clearmode);
  iam.set(ParamCode::TransmissionMediumRequirement, isup::Octet{8});  // 384 kbit/s
  auto r = map();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 488);
  EXPECT_EQ(r.error().cause, 65);
}

TEST_F(IsupToSip, CalledNumberProblemsAre484) {
  iam.set(ParamCode::CalledPartyNumber, number("", noa::kNational));
  auto r = map();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 484);
  EXPECT_EQ(r.error().cause, 28);
  iam.set(ParamCode::CalledPartyNumber, number("30E1", noa::kNational));
  EXPECT_FALSE(map().ok());
  // The end-of-pulsing signal is not part of the number.
  iam.set(ParamCode::CalledPartyNumber, number("30123456F", noa::kNational));
  EXPECT_EQ(mapOk().requestUri, "tel:+4930123456");
}

TEST_F(IsupToSip, NationalWithoutCountryCodeUsesPhoneContext) {
  profile.numbers.countryCode.clear();
  profile.numbers.phoneContext = "operator.example.net";
  EXPECT_EQ(mapOk().requestUri, "tel:030123456;phone-context=operator.example.net");
}

TEST_F(IsupToSip, PortabilityAndCarrierAnsi) {
  profile.numbers.countryCode = "1";
  iam = isup::makeMessage(isup::Variant::Ansi, isup::MessageType::IAM, 5);
  iam.set(ParamCode::CalledPartyNumber, number("2025440000", noa::kNational));
  isup::ForwardCallIndicators fci;
  fci.ported_number_translation = 1;
  iam.set(ParamCode::ForwardCallIndicators, fci);
  isup::Number gap = number("2025332699", noa::kNational);
  gap.number_qualifier = 0xC0;
  iam.set(ParamCode::GenericAddress, gap);
  isup::CarrierIdentification cip;
  cip.network_identification_plan = 2;
  cip.type_of_network_identification = 2;
  ASSERT_TRUE(cip.digits.assign("5062"));
  iam.set(ParamCode::CarrierIdentification, cip);
  InviteParts p = mapOk();
  EXPECT_EQ(p.requestUri, "tel:+12025332699;rn=2025440000;npdi;cic=+1-5062");
  EXPECT_EQ(p.to, "<tel:+12025332699>");
  auto u = sip::parseUri(p.requestUri);
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tel.npdi);
  EXPECT_EQ(u->tel.rn, "2025440000");
  EXPECT_EQ(u->tel.cic, "+1-5062");
  opts.numberPortability = false;
  EXPECT_EQ(mapOk().requestUri, "tel:+12025440000;cic=+1-5062");
}

TEST_F(IsupToSip, NotAnIam) {
  auto r = inviteFromIam(isup::makeMessage(isup::Variant::Itu, isup::MessageType::ACM), opts, profile);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 500);
}

}  // namespace
}  // namespace siptgw::mapping
