// Message formats: ITU-T Q.763 Table 4 (message type codes) and Tables 21–… (the format of
// each message); ANSI T1.113.3 Table 2/… for the ANSI IAM and the ANSI-only CRA, CRM, CVR,
// CVT and EXM. PAM and CRG carry a pass-along message resp. a national format: their
// contents after the type code are kept verbatim.
#include <algorithm>
#include <array>
#include <vector>

#include "isup/message.h"

namespace siptgw::isup {
namespace {
using P = ParamCode;
using M = MessageType;

// Owning lists: a Spec outlives the braced lists it is built from (common() returns them).
struct Spec {
  M type;
  std::string_view acronym, name;
  std::vector<MessageFormat::Fixed> fixed;
  std::vector<P> variable;
  bool optional;
};

MessageFormat make(const Spec& s) {
  MessageFormat f{};
  f.type = s.type;
  f.acronym = s.acronym;
  f.name = s.name;
  for (const auto& x : s.fixed) f.fixed[f.fixed_count++] = x;
  for (P x : s.variable) f.variable[f.variable_count++] = x;
  f.optional_part = s.optional;
  return f;
}

constexpr MessageFormat::Fixed kNci{P::NatureOfConnectionIndicators, 1};
constexpr MessageFormat::Fixed kFci{P::ForwardCallIndicators, 2};
constexpr MessageFormat::Fixed kCpc{P::CallingPartysCategory, 1};
constexpr MessageFormat::Fixed kTmr{P::TransmissionMediumRequirement, 1};
constexpr MessageFormat::Fixed kBci{P::BackwardCallIndicators, 2};
constexpr MessageFormat::Fixed kCgsmt{P::CircuitGroupSupervisionMessageType, 1};
constexpr MessageFormat::Fixed kFacInd{P::FacilityIndicator, 1};
constexpr MessageFormat::Fixed kSusRes{P::SuspendResumeIndicators, 1};

// Messages common to both variants (ITU layout).
std::vector<Spec> common() {
  return {
      {M::SAM, "SAM", "Subsequent address", {}, {P::SubsequentNumber}, true},
      {M::INR, "INR", "Information request", {{P::InformationRequestIndicators, 2}}, {}, true},
      {M::INF, "INF", "Information", {{P::InformationIndicators, 2}}, {}, true},
      {M::COT, "COT", "Continuity", {{P::ContinuityIndicators, 1}}, {}, false},
      {M::ACM, "ACM", "Address complete", {kBci}, {}, true},
      {M::CON, "CON", "Connect", {kBci}, {}, true},
      {M::FOT, "FOT", "Forward transfer", {}, {}, true},
      {M::ANM, "ANM", "Answer", {}, {}, true},
      {M::REL, "REL", "Release", {}, {P::CauseIndicators}, true},
      {M::SUS, "SUS", "Suspend", {kSusRes}, {}, true},
      {M::RES, "RES", "Resume", {kSusRes}, {}, true},
      {M::RLC, "RLC", "Release complete", {}, {}, true},
      {M::CCR, "CCR", "Continuity check request", {}, {}, false},
      {M::RSC, "RSC", "Reset circuit", {}, {}, false},
      {M::BLO, "BLO", "Blocking", {}, {}, false},
      {M::UBL, "UBL", "Unblocking", {}, {}, false},
      {M::BLA, "BLA", "Blocking acknowledgement", {}, {}, false},
      {M::UBA, "UBA", "Unblocking acknowledgement", {}, {}, false},
      {M::GRS, "GRS", "Circuit group reset", {}, {P::RangeAndStatus}, false},
      {M::CGB, "CGB", "Circuit group blocking", {kCgsmt}, {P::RangeAndStatus}, false},
      {M::CGU, "CGU", "Circuit group unblocking", {kCgsmt}, {P::RangeAndStatus}, false},
      {M::CGBA, "CGBA", "Circuit group blocking acknowledgement", {kCgsmt}, {P::RangeAndStatus}, false},
      {M::CGUA, "CGUA", "Circuit group unblocking acknowledgement", {kCgsmt}, {P::RangeAndStatus}, false},
      {M::FAR, "FAR", "Facility request", {kFacInd}, {}, true},
      {M::FAA, "FAA", "Facility accepted", {kFacInd}, {}, true},
      {M::FRJ, "FRJ", "Facility reject", {kFacInd}, {P::CauseIndicators}, true},
      {M::LPA, "LPA", "Loop back acknowledgement", {}, {}, false},
      {M::GRA, "GRA", "Circuit group reset acknowledgement", {}, {P::RangeAndStatus}, false},
      {M::CQM, "CQM", "Circuit group query", {}, {P::RangeAndStatus}, false},
      {M::CQR, "CQR", "Circuit group query response", {}, {P::RangeAndStatus, P::CircuitStateIndicator}, false},
      {M::CPG, "CPG", "Call progress", {{P::EventInformation, 1}}, {}, true},
      {M::USR, "USR", "User-to-user information", {}, {P::UserToUserInformation}, true},
      {M::UCIC, "UCIC", "Unequipped CIC", {}, {}, false},
      {M::CFN, "CFN", "Confusion", {}, {P::CauseIndicators}, true},
      {M::OLM, "OLM", "Overload", {}, {}, false},
      {M::NRM, "NRM", "Network resource management", {}, {}, true},
      {M::FAC, "FAC", "Facility", {}, {}, true},
      {M::UPT, "UPT", "User part test", {}, {}, true},
      {M::UPA, "UPA", "User part available", {}, {}, true},
      {M::IDR, "IDR", "Identification request", {}, {}, true},
      {M::IRS, "IRS", "Identification response", {}, {}, true},
      {M::SGM, "SGM", "Segmentation", {}, {}, true},
      {M::LPR, "LPR", "Loop prevention", {}, {}, true},
      {M::APM, "APM", "Application transport", {}, {}, true},
      {M::PRI, "PRI", "Pre-release information", {}, {}, true},
      {M::SDN, "SDN", "Subsequent directory number", {}, {}, true},
  };
}

struct Tables {
  std::vector<MessageFormat> itu, ansi;
  std::array<int16_t, 256> ituIndex{}, ansiIndex{};
  // PAM and CRG: known acronyms, contents verbatim (no format entry).
  Tables() {
    itu.push_back(make({M::IAM, "IAM", "Initial address", {kNci, kFci, kCpc, kTmr}, {P::CalledPartyNumber}, true}));
    ansi.push_back(make({M::IAM, "IAM", "Initial address", {kNci, kFci, kCpc},
                         {P::UserServiceInformation, P::CalledPartyNumber}, true}));
    for (const Spec& s : common()) {
      itu.push_back(make(s));
      // T1.113.3: the ANSI RLC is the message type code alone (no optional part).
      MessageFormat a = make(s);
      if (a.type == M::RLC) a.optional_part = false;
      ansi.push_back(a);
    }
    ansi.push_back(make({M::CRA, "CRA", "Circuit reservation acknowledgement", {}, {}, false}));
    ansi.push_back(make({M::CRM, "CRM", "Circuit reservation", {kNci}, {}, false}));
    ansi.push_back(make({M::CVR, "CVR", "Circuit validation response",
                         {{P::CircuitValidationResponseIndicator, 1}, {P::CircuitGroupCharacteristicIndicator, 1}},
                         {}, true}));
    ansi.push_back(make({M::CVT, "CVT", "Circuit validation test", {}, {}, false}));
    ansi.push_back(make({M::EXM, "EXM", "Exit", {}, {}, true}));
    ituIndex.fill(-1);
    ansiIndex.fill(-1);
    for (std::size_t i = 0; i < itu.size(); ++i) ituIndex[code(itu[i].type)] = static_cast<int16_t>(i);
    for (std::size_t i = 0; i < ansi.size(); ++i) ansiIndex[code(ansi[i].type)] = static_cast<int16_t>(i);
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

struct Verbatim {
  M type;
  std::string_view acronym;
};
constexpr Verbatim kVerbatim[] = {{M::PAM, "PAM"}, {M::CRG, "CRG"}};
}  // namespace

const MessageFormat* messageFormat(Variant v, MessageType t) {
  const Tables& tb = tables();
  int16_t i = v == Variant::Ansi ? tb.ansiIndex[code(t)] : tb.ituIndex[code(t)];
  if (i < 0) return nullptr;
  return v == Variant::Ansi ? &tb.ansi[static_cast<std::size_t>(i)] : &tb.itu[static_cast<std::size_t>(i)];
}

std::span<const MessageFormat> messageFormats(Variant v) {
  return v == Variant::Ansi ? std::span<const MessageFormat>(tables().ansi) : std::span<const MessageFormat>(tables().itu);
}

std::string_view messageAcronym(Variant v, MessageType t) {
  if (const MessageFormat* f = messageFormat(v, t)) return f->acronym;
  for (const Verbatim& x : kVerbatim)
    if (x.type == t) return x.acronym;
  return {};
}

std::optional<MessageType> messageTypeFromAcronym(Variant v, std::string_view a) {
  for (const MessageFormat& f : messageFormats(v))
    if (f.acronym == a) return f.type;
  for (const Verbatim& x : kVerbatim)
    if (x.acronym == a) return x.type;
  return std::nullopt;
}

std::string_view variantName(Variant v) { return v == Variant::Ansi ? "ansi" : "itu"; }

std::optional<Variant> variantFromName(std::string_view n) {
  if (n == "itu") return Variant::Itu;
  if (n == "ansi") return Variant::Ansi;
  return std::nullopt;
}

// ---------------------------------------------------------------- Message helpers
const Parameter* Message::find(ParamCode c) const {
  for (const Parameter& p : mandatory)
    if (p.code == c) return &p;
  for (const Parameter& p : optional)
    if (p.code == c) return &p;
  return nullptr;
}

Parameter* Message::find(ParamCode c) {
  return const_cast<Parameter*>(static_cast<const Message*>(this)->find(c));
}

void Message::set(ParamCode c, ParamValue v) {
  if (Parameter* p = find(c)) {
    p->value = std::move(v);
    return;
  }
  optional.push_back(Parameter{c, std::move(v)});
}

bool Message::remove(ParamCode c) {
  auto it = std::find_if(optional.begin(), optional.end(), [c](const Parameter& p) { return p.code == c; });
  if (it == optional.end()) return false;
  optional.erase(it);
  return true;
}

Message makeMessage(Variant v, MessageType t, uint16_t cic) {
  Message m;
  m.variant = v;
  m.type = t;
  m.cic = cic;
  if (const MessageFormat* f = messageFormat(v, t)) {
    for (uint8_t i = 0; i < f->fixed_count; ++i)
      m.mandatory.push_back({f->fixed[i].code, defaultParam(v, code(f->fixed[i].code))});
    for (uint8_t i = 0; i < f->variable_count; ++i)
      m.mandatory.push_back({f->variable[i], defaultParam(v, code(f->variable[i]))});
  }
  return m;
}

}  // namespace siptgw::isup
