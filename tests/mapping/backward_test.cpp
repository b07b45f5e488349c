// ACM/CPG → 18x (RFC 3398 §7.2.5, §7.2.6, §7.2.9) and 18x/2xx → ACM/CPG/ANM/CON (§8.2.3,
// §8.2.4, §8.2.8). Every message built here is encoded and decoded.
#include <gtest/gtest.h>

#include "helpers.h"
#include "mapping/backward.h"

namespace siptgw::mapping {
namespace {

using isup::MessageType;
using isup::ParamCode;
using isup::Variant;

const Profile& rfc() {
  static const Profile p = *builtinProfile("rfc3398");
  return p;
}

isup::Message acm(uint8_t status, bool inband = false, bool interworking = false) {
  isup::Message m = isup::makeMessage(Variant::Itu, MessageType::ACM);
  isup::BackwardCallIndicators b;
  b.called_partys_status = status;
  b.interworking = interworking ? 1 : 0;
  m.set(ParamCode::BackwardCallIndicators, b);
  if (inband) {
    isup::OptionalBackwardCallIndicators o;
    o.inband_information = 1;
    m.set(ParamCode::OptionalBackwardCallIndicators, o);
  }
  return test::wire(m);
}

isup::Message cpg(uint8_t event) {
  isup::Message m = isup::makeMessage(Variant::Itu, MessageType::CPG);
  isup::EventInformation e;
  e.event = event;
  m.set(ParamCode::EventInformation, e);
  return test::wire(m);
}

TEST(Backward, AcmToProvisional) {
  EXPECT_EQ(provisionalForAcm(acm(called_status::kSubscriberFree), rfc()), 180);  // §7.2.6
  EXPECT_EQ(provisionalForAcm(acm(called_status::kNoIndication), rfc()), 183);    // §7.2.5
  // §7.2.6: in-band information or interworking → backward media → 183.
  EXPECT_EQ(provisionalForAcm(acm(called_status::kSubscriberFree, true), rfc()), 183);
  EXPECT_EQ(provisionalForAcm(acm(called_status::kSubscriberFree, false, true), rfc()), 183);
  EXPECT_TRUE(announcesInband(acm(called_status::kNoIndication, true)));
  EXPECT_FALSE(announcesInband(acm(called_status::kSubscriberFree)));
  Profile ringing = rfc();
  ringing.inbandAcmSends183 = false;
  EXPECT_EQ(provisionalForAcm(acm(called_status::kSubscriberFree, true), ringing), 180);
}

TEST(Backward, CpgEventTable) {
  // §7.2.9, typed from the RFC's table.
  const std::pair<uint8_t, uint16_t> rows[] = {{1, 180}, {2, 183}, {3, 183},
                                               {4, 181}, {5, 181}, {6, 181}};
  for (auto [e, s] : rows) EXPECT_EQ(provisionalForCpg(cpg(e), rfc()), s) << int(e);
  EXPECT_FALSE(provisionalForCpg(cpg(0x20), rfc()).has_value());
  EXPECT_TRUE(announcesInband(cpg(event::kInbandInformation)));
}

TEST(Backward, AcmForProvisional) {
  // §8.2.3 first table and the default BCI.
  isup::Message a = test::wire(acmForProvisional(180, false, Variant::Itu, rfc()));
  const auto* b = a.get<isup::BackwardCallIndicators>(ParamCode::BackwardCallIndicators);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->called_partys_status, called_status::kSubscriberFree);
  EXPECT_EQ(b->charge, 2);
  EXPECT_EQ(b->called_partys_category, 1);
  EXPECT_EQ(b->isdn_user_part, 1);
  EXPECT_EQ(b->interworking, 0);
  EXPECT_EQ(b->isdn_access, 0);
  EXPECT_EQ(a.find(ParamCode::OptionalBackwardCallIndicators), nullptr);
  for (uint16_t s : {181, 182, 183}) {
    isup::Message x = test::wire(acmForProvisional(s, false, Variant::Itu, rfc()));
    EXPECT_EQ(x.get<isup::BackwardCallIndicators>(ParamCode::BackwardCallIndicators)->called_partys_status,
              called_status::kNoIndication) << s;
  }
  isup::Message media = test::wire(acmForProvisional(183, true, Variant::Ansi, rfc()));
  EXPECT_EQ(media.variant, Variant::Ansi);
  EXPECT_EQ(media.get<isup::OptionalBackwardCallIndicators>(ParamCode::OptionalBackwardCallIndicators)
                ->inband_information, 1);
  Profile iw = rfc();
  iw.signalInterworking = true;
  isup::Message w = test::wire(acmForProvisional(180, false, Variant::Itu, iw));
  EXPECT_EQ(w.get<isup::BackwardCallIndicators>(ParamCode::BackwardCallIndicators)->interworking, 1);
  EXPECT_EQ(w.get<isup::BackwardCallIndicators>(ParamCode::BackwardCallIndicators)->isdn_user_part, 0);
}

TEST(Backward, CpgForProvisional) {
  // §8.2.3 second table.
  EXPECT_EQ(cpgEventForProvisional(180, false), event::kAlerting);
  EXPECT_EQ(cpgEventForProvisional(181, false), event::kForwardedUnconditional);
  EXPECT_EQ(cpgEventForProvisional(182, false), event::kProgress);
  EXPECT_EQ(cpgEventForProvisional(183, false), event::kProgress);
  EXPECT_EQ(cpgEventForProvisional(183, true), event::kInbandInformation);
  isup::Message c = test::wire(cpgForProvisional(180, false, Variant::Itu, rfc()));
  EXPECT_EQ(c.type, MessageType::CPG);
  EXPECT_EQ(c.get<isup::EventInformation>(ParamCode::EventInformation)->event, 1);
}

TEST(Backward, AnswerFor2xx) {
  // §8.2.4: ANM after ACM, CON without one (ITU); ANSI has no CON.
  EXPECT_EQ(test::wire(answerFor2xx(true, Variant::Itu, rfc())).type, MessageType::ANM);
  isup::Message con = test::wire(answerFor2xx(false, Variant::Itu, rfc()));
  EXPECT_EQ(con.type, MessageType::CON);
  EXPECT_EQ(con.get<isup::BackwardCallIndicators>(ParamCode::BackwardCallIndicators)->called_partys_status,
            called_status::kSubscriberFree);
  EXPECT_EQ(test::wire(answerFor2xx(false, Variant::Ansi, rfc())).type, MessageType::ANM);
}

TEST(Backward, EarlyAcmOnT11) {
  // §8.2.8: called party's status "no indication".
  isup::Message a = test::wire(earlyAcm(Variant::Itu, rfc()));
  EXPECT_EQ(a.type, MessageType::ACM);
  EXPECT_EQ(a.get<isup::BackwardCallIndicators>(ParamCode::BackwardCallIndicators)->called_partys_status,
            called_status::kNoIndication);
  // It maps back to 183 on a SIP-ISUP-SIP path (§7.2.5).
  EXPECT_EQ(provisionalForAcm(a, rfc()), 183);
}

}  // namespace
}  // namespace siptgw::mapping
