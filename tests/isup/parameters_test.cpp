// Parameter contents from the octet layouts of Q.763 §3 (and T1.113.3 for ANSI-only ones).
#include <gtest/gtest.h>

#include "isup/json.h"
#include "isup/parameters.h"

namespace siptgw::isup {
namespace {

std::vector<uint8_t> hex(std::string_view h) { return fromHex(h).value(); }

template <class T>
T decodeAs(Variant v, ParamCode c, std::string_view h) {
  auto bytes = hex(h);
  ParamValue pv = decodeParam(v, code(c), bytes);
  const T* t = std::get_if<T>(&pv);
  EXPECT_NE(t, nullptr) << "not typed: " << h;
  Bytes again;
  EXPECT_TRUE(encodeParam(v, code(c), pv, again));
  EXPECT_EQ(toHex(again), toHex(bytes));
  return t ? *t : T{};
}

TEST(Parameters, CallingPartyNumberRestricted) {
  // §3.10: odd, national (3); NI 0, ISDN plan, presentation restricted (01), user
  // provided verified and passed (01); "12345".
  auto n = decodeAs<Number>(Variant::Itu, ParamCode::CallingPartyNumber, "8315214305");
  EXPECT_EQ(n.nature_of_address, 3);
  EXPECT_EQ(n.presentation, 1);
  EXPECT_EQ(n.screening, 1);
  EXPECT_EQ(n.digits.view(), "12345");
}

TEST(Parameters, CallingPartyNumberAddressNotAvailable) {
  // Presentation "address not available" (10) carries no digits: header only.
  auto n = decodeAs<Number>(Variant::Itu, ParamCode::CallingPartyNumber, "000b");
  EXPECT_EQ(n.presentation, 2);
  EXPECT_EQ(n.screening, 3);
  EXPECT_TRUE(n.digits.empty());
}

TEST(Parameters, GenericNumberHasQualifierOctet) {
  // §3.26: number qualifier 06 (additional calling party number), odd, international.
  auto n = decodeAs<Number>(Variant::Itu, ParamCode::GenericNumber, "06841494f0");
  EXPECT_EQ(n.number_qualifier, 6);
  EXPECT_EQ(n.nature_of_address, 4);
  EXPECT_EQ(n.numbering_plan, 1);
  EXPECT_EQ(n.presentation, 1);
  EXPECT_EQ(n.screening, 0);
  EXPECT_EQ(n.digits.view(), "490");
  EXPECT_EQ(n.filler, 0xf);
}

TEST(Parameters, SubsequentNumber) {
  auto n = decodeAs<Number>(Variant::Itu, ParamCode::SubsequentNumber, "800507");
  EXPECT_EQ(n.digits.view(), "507");
}

TEST(Parameters, RedirectionInformation) {
  // §3.45: redirecting indicator 3 (call diverted), original reason 1 (busy), counter 2,
  // reason 2 (no reply).
  auto r = decodeAs<RedirectionInformation>(Variant::Itu, ParamCode::RedirectionInformation, "1322");
  EXPECT_EQ(r.redirecting_indicator, 3);
  EXPECT_EQ(r.original_redirection_reason, 1);
  EXPECT_EQ(r.redirection_counter, 2);
  EXPECT_EQ(r.redirecting_reason, 2);
}

TEST(Parameters, ForwardCallIndicatorsEveryField) {
  // §3.23 octet 1 HGFEDCBA = 01 1 1 1 01 1; octet 2 PONMLKJI = 10 1 1 0 10 1: national use
  // (O-P) 2, query on release attempt (N) 1, ported number translation (M) 1, spare (L) 0,
  // SCCP method (KJ) 2, ISDN access (I) 1. (M and N per Q.769.1; tshark reads them there.)
  auto f = decodeAs<ForwardCallIndicators>(Variant::Itu, ParamCode::ForwardCallIndicators, "7bb5");
  EXPECT_EQ(f.national_international_call, 1);
  EXPECT_EQ(f.end_to_end_method, 1);
  EXPECT_EQ(f.interworking, 1);
  EXPECT_EQ(f.end_to_end_information, 1);
  EXPECT_EQ(f.isdn_user_part, 1);
  EXPECT_EQ(f.isdn_user_part_preference, 1);
  EXPECT_EQ(f.isdn_access, 1);
  EXPECT_EQ(f.sccp_method, 2);
  EXPECT_EQ(f.spare, 0);
  EXPECT_EQ(f.ported_number_translation, 1);
  EXPECT_EQ(f.query_on_release_attempt, 1);
  EXPECT_EQ(f.national_use, 2);
}

TEST(Parameters, NatureOfConnectionAndEventAndHopCounter) {
  auto n = decodeAs<NatureOfConnectionIndicators>(Variant::Itu, ParamCode::NatureOfConnectionIndicators, "15");
  EXPECT_EQ(n.satellite, 1);
  EXPECT_EQ(n.continuity_check, 1);
  EXPECT_EQ(n.echo_control_device, 1);
  auto e = decodeAs<EventInformation>(Variant::Itu, ParamCode::EventInformation, "81");
  EXPECT_EQ(e.event, 1);  // alerting
  EXPECT_EQ(e.event_presentation_restricted, 1);
  auto h = decodeAs<HopCounter>(Variant::Itu, ParamCode::HopCounter, "1e");
  EXPECT_EQ(h.hop_counter, 30);
}

TEST(Parameters, CallReferenceItuAndAnsi) {
  auto i = decodeAs<CallReference>(Variant::Itu, ParamCode::CallReference, "0102033412");
  EXPECT_EQ(i.call_identity, 0x010203u);
  EXPECT_EQ(i.point_code, 0x1234u);
  auto a = decodeAs<CallReference>(Variant::Ansi, ParamCode::CallReference, "010203030201");
  EXPECT_EQ(a.point_code, 0x010203u);
}

TEST(Parameters, PropagationDelayAndCugInterlock) {
  EXPECT_EQ(decodeAs<PropagationDelayCounter>(Variant::Itu, ParamCode::PropagationDelayCounter, "012c").value, 300);
  auto c = decodeAs<ClosedUserGroupInterlockCode>(Variant::Itu, ParamCode::ClosedUserGroupInterlockCode, "12340102");
  EXPECT_EQ(c.network_identity.view(), "1234");
  EXPECT_EQ(c.binary_code, 0x0102);
}

TEST(Parameters, ParameterCompatibilityInformation) {
  // §3.41: for parameter 0xfa, "discard parameter" (E) with bit H = last octet; for 0xfb
  // two octets (the first with H = 0).
  auto p = decodeAs<ParameterCompatibilityInformation>(Variant::Itu, ParamCode::ParameterCompatibilityInformation,
                                                       "fa90fb0281");
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(p.entries[0].parameter, 0xfa);
  EXPECT_TRUE(p.entries[0].discardParameter());
  EXPECT_FALSE(p.entries[0].releaseCall());
  EXPECT_EQ(p.entries[1].size, 2);
  EXPECT_TRUE(p.entries[1].releaseCall());
  // An instruction chain that never ends is not this parameter's format: kept verbatim.
  ParamValue bad = decodeParam(Variant::Itu, code(ParamCode::ParameterCompatibilityInformation), hex("fa10"));
  ASSERT_TRUE(std::holds_alternative<Opaque>(bad));
  EXPECT_TRUE(std::get<Opaque>(bad).recognized);
}

TEST(Parameters, AnsiOnlyParameters) {
  auto cn = decodeAs<Number>(Variant::Ansi, ParamCode::ChargeNumber, "0310" "19595521" "21");
  EXPECT_EQ(cn.digits.view(), "9195551212");
  EXPECT_EQ(decodeAs<Octet>(Variant::Ansi, ParamCode::OriginatingLineInformation, "3d").value, 61);
  auto ci = decodeAs<CarrierIdentification>(Variant::Ansi, ParamCode::CarrierIdentification, "212803");
  EXPECT_EQ(ci.network_identification_plan, 1);
  EXPECT_EQ(ci.type_of_network_identification, 2);
  EXPECT_EQ(ci.digits.view(), "8230");
  auto j = decodeAs<JurisdictionInformation>(Variant::Ansi, ParamCode::JurisdictionInformation, "194929");
  EXPECT_EQ(j.digits.view(), "919492");
  auto gn = decodeAs<GenericName>(Variant::Ansi, ParamCode::GenericName, "a1" "4a6f686e");
  EXPECT_EQ(gn.type_of_name, 5);
  EXPECT_EQ(gn.presentation, 1);
  EXPECT_EQ(std::string(gn.data.begin(), gn.data.end()), "John");
  auto ga = decodeAs<Number>(Variant::Ansi, ParamCode::GenericAddress, "c0" "03" "14" "1959552121");
  EXPECT_EQ(ga.number_qualifier, 0xc0);
  EXPECT_EQ(ga.presentation, 1);
  // Not typed in ITU: kept verbatim, not recognized.
  ParamValue itu = decodeParam(Variant::Itu, code(ParamCode::ChargeNumber), hex("0310"));
  EXPECT_FALSE(std::get<Opaque>(itu).recognized);
}

TEST(Parameters, UserServiceInformationAndApplicationTransport) {
  auto u = decodeAs<UserServiceInformation>(Variant::Itu, ParamCode::UserServiceInformation, "8090a3");
  EXPECT_EQ(u.information_transfer_rate, 0x10);
  EXPECT_EQ(u.data.size(), 1u);
  auto a = decodeAs<ApplicationTransport>(Variant::Itu, ParamCode::ApplicationTransport, "8581c0" "0102030405");
  EXPECT_EQ(a.application_context_identifier, 5);
  EXPECT_EQ(a.release_call, 1);
  EXPECT_EQ(a.sequence, 1);
  EXPECT_EQ(a.data.size(), 5u);
}

TEST(Parameters, DigitsRejectNonHex) {
  Digits d;
  EXPECT_FALSE(d.assign("12x"));
  EXPECT_TRUE(d.assign("12ab"));
  EXPECT_EQ(d.view(), "12AB");
  EXPECT_FALSE(d.assign(std::string(41, '1')));
}

}  // namespace
}  // namespace siptgw::isup
