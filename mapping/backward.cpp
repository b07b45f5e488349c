// ACM/CPG/ANM/CON ⇄ 18x/2xx (RFC 3398 §7.2.5–7.2.9, §8.2.3, §8.2.4, §8.2.8).
#include "mapping/backward.h"

namespace siptgw::mapping {
namespace {

using isup::ParamCode;

// Q.763 §3.5 charge indicator "charge" (§8.2.3 table: "10 charge").
constexpr uint8_t kCharge = 2;
constexpr uint8_t kOrdinarySubscriber = 1;  // called party's category indicator

}  // namespace

bool announcesInband(const isup::Message& m) {
  if (const auto* o = m.get<isup::OptionalBackwardCallIndicators>(
          ParamCode::OptionalBackwardCallIndicators);
      o && o->inband_information)
    return true;
  if (const auto* b = m.get<isup::BackwardCallIndicators>(ParamCode::BackwardCallIndicators);
      b && b->interworking)
    return true;
  if (const auto* e = m.get<isup::EventInformation>(ParamCode::EventInformation);
      e && e->event == event::kInbandInformation)
    return true;
  return false;
}

uint16_t provisionalForAcm(const isup::Message& acm, const Profile& profile) {
  const auto* bci = acm.get<isup::BackwardCallIndicators>(ParamCode::BackwardCallIndicators);
  if (profile.inbandAcmSends183 && announcesInband(acm)) return profile.acmNoIndication;
  if (bci && bci->called_partys_status == called_status::kSubscriberFree)
    return profile.acmSubscriberFree;
  return profile.acmNoIndication;
}

std::optional<uint16_t> provisionalForCpg(const isup::Message& cpg, const Profile& profile) {
  const auto* e = cpg.get<isup::EventInformation>(ParamCode::EventInformation);
  if (!e) return profile.cpgNoEvent;
  if (auto it = profile.cpgEventToStatus.find(e->event); it != profile.cpgEventToStatus.end())
    return it->second;
  return std::nullopt;
}

isup::BackwardCallIndicators defaultBci(uint8_t calledPartysStatus, const Profile& profile) {
  isup::BackwardCallIndicators b;
  b.charge = kCharge;
  b.called_partys_status = calledPartysStatus;
  b.called_partys_category = kOrdinarySubscriber;
  b.end_to_end_method = 0;
  b.interworking = profile.signalInterworking ? 1 : 0;
  b.end_to_end_information = 0;
  b.isdn_user_part = profile.signalInterworking ? 0 : 1;
  b.holding = 0;
  b.isdn_access = 0;
  b.echo_control_device = 0;  // "It depends on the call": set by the gateway when it has one
  b.sccp_method = 0;
  return b;
}

isup::Message acmForProvisional(uint16_t status, bool earlyMedia, isup::Variant variant,
                                const Profile& profile) {
  isup::Message acm = isup::makeMessage(variant, isup::MessageType::ACM);
  acm.set(ParamCode::BackwardCallIndicators,
          defaultBci(status == 180 ? called_status::kSubscriberFree : called_status::kNoIndication,
                     profile));
  if (earlyMedia) {
    isup::OptionalBackwardCallIndicators obci;
    obci.inband_information = 1;
    acm.set(ParamCode::OptionalBackwardCallIndicators, obci);
  }
  return acm;
}

uint8_t cpgEventForProvisional(uint16_t status, bool earlyMedia) {
  switch (status) {
    case 180: return event::kAlerting;
    case 181: return event::kForwardedUnconditional;
    default: return earlyMedia ? event::kInbandInformation : event::kProgress;
  }
}

isup::Message cpgForProvisional(uint16_t status, bool earlyMedia, isup::Variant variant,
                                const Profile&) {
  isup::Message cpg = isup::makeMessage(variant, isup::MessageType::CPG);
  isup::EventInformation e;
  e.event = cpgEventForProvisional(status, earlyMedia);
  cpg.set(ParamCode::EventInformation, e);
  return cpg;
}

isup::Message answerFor2xx(bool acmSent, isup::Variant variant, const Profile& profile) {
  // One named result (NRVO): moving a Message makes GCC 12 misreport boost small_vector
  // copies (-Wstringop-overread), as tests/tshark notes.
  const bool con = !acmSent && variant != isup::Variant::Ansi;
  isup::Message m =
      isup::makeMessage(variant, con ? isup::MessageType::CON : isup::MessageType::ANM);
  if (con)
    m.set(ParamCode::BackwardCallIndicators, defaultBci(called_status::kSubscriberFree, profile));
  return m;
}

isup::Message earlyAcm(isup::Variant variant, const Profile& profile) {
  return acmForProvisional(183, false, variant, profile);
}

}  // namespace siptgw::mapping
