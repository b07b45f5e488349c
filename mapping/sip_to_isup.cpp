// INVITE → IAM (RFC 3398 §7.2.1.1; RFC 3323, RFC 3325; Q.763 §3).
#include "mapping/sip_to_isup.h"

#include <algorithm>

#include "mapping/bearer.h"
#include "sip/sdp.h"
#include "sip/text.h"

namespace siptgw::mapping {
namespace {

using isup::ParamCode;

// Q.763 §3.10 screening indicator.
constexpr uint8_t kUserProvidedVerified = 1;
constexpr uint8_t kUserProvidedNotScreenedAnsi = 0;
constexpr uint8_t kNetworkProvided = 3;
// Q.763 §3.10 address presentation restricted indicator.
constexpr uint8_t kPresentationAllowed = 0;
constexpr uint8_t kPresentationRestricted = 1;

// RFC 3323 §4.1.1.3 / RFC 3261 §8.1.1.3: the anonymous From of a caller asking privacy.
bool isAnonymous(const sip::NameAddr& a) {
  if (sip::iequals(a.display(), "anonymous")) return true;
  const sip::Uri& u = a.uri;
  return u.isSip() && (sip::iequals(u.sip.user, "anonymous") ||
                       sip::iequals(u.sip.host, "anonymous.invalid"));
}

// 3GPP TS 24.229 §7.2A.12 "cpc" tel URI parameter → Q.763 §3.11.
std::optional<uint8_t> categoryFromCpc(std::string_view cpc) {
  struct Row { std::string_view name; uint8_t value; };
  constexpr Row kRows[] = {{"ordinary", cpc::kOrdinary}, {"priority", cpc::kPriority},
                           {"data", cpc::kData},         {"test", cpc::kTest},
                           {"payphone", cpc::kPayphone}, {"operator", 0x09},
                           {"unknown", cpc::kUnknown}};
  for (const Row& r : kRows)
    if (sip::iequals(cpc, r.name)) return r.value;
  return std::nullopt;
}

std::string_view cpcParam(const sip::Uri& u) {
  if (u.scheme == sip::UriScheme::Tel) return u.tel.params.get("cpc");
  if (u.isSip() && u.sip.userIsPhone())
    if (auto tel = sip::parseTelSubscriber(u.sip.user)) return tel->params.get("cpc");
  return {};
}

bool setDigits(isup::Number& n, std::string_view digits) { return n.digits.assign(digits); }

struct Caller {
  PartyNumber number;
  std::string cpc;  // the identity's cpc parameter, for trusted identities
  bool asserted = false;
};

// The calling identity per §7.2.1.1 and RFC 3325 §9.1: a trusted peer's P-Asserted-Identity
// (the tel URI when there are two, else the first that holds a number), else From.
std::optional<Caller> callerOf(const sip::Message& invite, bool trusted, const NumberRules& rules) {
  if (trusted) {
    if (auto pais = invite.pAssertedIdentities()) {
      // Two passes: tel URIs first, then the others.
      for (bool tel : {true, false})
        for (const sip::NameAddr& a : *pais)
          if ((a.uri.scheme == sip::UriScheme::Tel) == tel)
            if (auto n = numberFromUri(a.uri, rules))
              return Caller{std::move(*n), std::string(cpcParam(a.uri)), true};
    }
  }
  const auto& from = invite.from();
  if (!from || isAnonymous(*from)) return std::nullopt;
  if (auto n = numberFromUri(from->uri, rules)) return Caller{std::move(*n), {}, false};
  return std::nullopt;
}

bool privacyRequested(const sip::Message& invite) {
  auto p = invite.privacy();
  if (!p) return false;
  // RFC 3323 §4.2 header/user, RFC 3325 §9.3 id; "none" asks for nothing.
  return p->has(sip::Privacy::kId) || p->has(sip::Privacy::kUser) || p->has(sip::Privacy::kHeader);
}

Rejection withContext(Rejection r, std::string_view where) {
  r.detail = std::string(where) + ": " + r.detail;
  return r;
}

// The calling party number for an identity callerOf found (iamFromInvite needs the identity
// for the category too, so it is looked up once).
std::optional<isup::Number> callingNumberOf(const std::optional<Caller>& caller,
                                            const sip::Message& invite, const SipToIsupOptions& opts) {
  if (!caller) return std::nullopt;
  isup::Number n;
  n.nature_of_address = caller->number.noa;
  n.numbering_plan = caller->number.numberingPlan;
  const auto& from = invite.from();
  bool restricted = privacyRequested(invite) || (from && isAnonymous(*from));
  n.presentation = restricted ? kPresentationRestricted : kPresentationAllowed;
  if (caller->asserted)
    n.screening = kNetworkProvided;
  else
    n.screening = opts.variant == isup::Variant::Ansi ? kUserProvidedNotScreenedAnsi
                                                      : kUserProvidedVerified;
  if (!setDigits(n, caller->number.digits)) return std::nullopt;
  return n;
}

}  // namespace

std::optional<isup::Number> callingNumberFromInvite(const sip::Message& invite,
                                                    const SipToIsupOptions& opts,
                                                    const Profile& profile) {
  return callingNumberOf(callerOf(invite, opts.trustedPeer, profile.numbers), invite, opts);
}

uint8_t hopCounterForMaxForwards(uint32_t maxForwards, const Profile& profile) {
  const uint32_t ratio = std::max<uint32_t>(1, profile.maxForwardsPerHop);
  return static_cast<uint8_t>(std::min<uint32_t>(31, (maxForwards + ratio - 1) / ratio));
}

Result<isup::Message, Rejection> iamFromInvite(const sip::Message& invite,
                                              const PartyNumber& called,
                                              const SipToIsupOptions& opts,
                                              const Profile& profile) {
  if (called.digits.empty()) return Unexpected(reject(484, 28, "empty called party number"));

  std::optional<uint32_t> maxForwards;
  if (const auto& mf = invite.maxForwards()) {
    if (*mf == 0) return Unexpected(reject(483, 25, "Max-Forwards is 0"));
    maxForwards = *mf;
  }

  // Bearer (§7.2.1.1 fifth mandatory parameter) from the SDP offer; a late offer gets the
  // variant's usual G.711 speech bearer.
  BearerChoice bearer{opts.audio3k1 ? Bearer::Audio3k1 : Bearer::Speech,
                      opts.variant != isup::Variant::Ansi};
  std::optional<sip::SessionDescription> own;
  const sip::SessionDescription* sdp = opts.offer;
  if (!sdp) {
    auto body = sdpBody(invite);
    if (!body) return Unexpected(withContext(body.error(), "INVITE body"));
    if (*body) {
      auto parsed = sip::parseSdp(**body);
      if (!parsed) return Unexpected(reject(400, 95, "malformed SDP offer"));
      sdp = &own.emplace(std::move(*parsed));
    }
  }
  if (sdp) {
    auto b = bearerFromSdp(*sdp, opts.audio3k1);
    if (!b) return Unexpected(b.error());
    bearer = *b;
  }
  if (bearer.bearer == Bearer::Unrestricted64k && !opts.allowClearmode)
    return Unexpected(reject(488, 65, "clearmode offered and 64 kbit/s unrestricted is disabled"));

  isup::Message iam = isup::makeMessage(opts.variant, isup::MessageType::IAM, opts.cic);

  isup::Number cdpn;
  cdpn.nature_of_address = called.noa;
  cdpn.numbering_plan = called.numberingPlan;
  cdpn.inn = 0;  // Q.763 §3.9: routing to internal network number allowed
  if (!setDigits(cdpn, called.digits))
    return Unexpected(reject(484, 28, "called number '" + called.digits + "' is not ISUP digits"));
  iam.set(ParamCode::CalledPartyNumber, cdpn);

  isup::NatureOfConnectionIndicators nci;
  nci.echo_control_device = opts.echoControlIncluded ? 1 : 0;
  iam.set(ParamCode::NatureOfConnectionIndicators, nci);

  // §7.2.1.1: "no interworking" and "ISUP used all the way" unless the operator asks for
  // "interworking encountered"; "originating access non-ISDN".
  isup::ForwardCallIndicators fci;
  fci.national_international_call =
      opts.internationalCall.value_or(called.noa == noa::kInternational) ? 1 : 0;
  fci.interworking = profile.signalInterworking ? 1 : 0;
  fci.isdn_user_part = profile.signalInterworking ? 0 : 1;
  fci.isdn_user_part_preference = profile.isupPreference;
  fci.isdn_access = 0;
  fci.ported_number_translation = called.npdi ? 1 : 0;  // bit M, §7.2.1.1 npdi
  iam.set(ParamCode::ForwardCallIndicators, fci);

  auto caller = callerOf(invite, opts.trustedPeer, profile.numbers);
  uint8_t category = profile.defaultCallingCategory;
  if (opts.callingCategory) {
    category = *opts.callingCategory;
  } else if (caller && caller->asserted) {
    if (auto c = categoryFromCpc(caller->cpc)) category = *c;
  }
  iam.set(ParamCode::CallingPartysCategory, isup::Octet{category});

  if (opts.variant == isup::Variant::Itu)
    iam.set(ParamCode::TransmissionMediumRequirement, isup::Octet{tmrFor(bearer.bearer)});
  iam.set(ParamCode::UserServiceInformation, usiFor(bearer.bearer, bearer.aLaw));

  if (auto cgpn = callingNumberOf(caller, invite, opts))
    iam.set(ParamCode::CallingPartyNumber, *cgpn);

  // §7.2.1.1: To's number differs from the Request-URI's → original called number.
  if (opts.originalCalledFromTo) {
    const auto& to = invite.to();
    if (to && to->uri.raw != invite.requestUri().raw) {  // the same text holds the same number
      auto toNumber = numberFromUri(to->uri, profile.numbers);
      auto ruri = numberFromUri(invite.requestUri(), profile.numbers);
      if (toNumber && (!ruri || ruri->digits != toNumber->digits || ruri->noa != toNumber->noa)) {
        isup::Number ocn;
        ocn.nature_of_address = toNumber->noa;
        ocn.numbering_plan = 1;
        if (setDigits(ocn, toNumber->digits)) iam.set(ParamCode::OriginalCalledNumber, ocn);
      }
    }
  }

  // §7.2.1.1 ANSI ported number: the dialled number in the generic address parameter.
  if (!called.dialledDigits.empty() && opts.variant == isup::Variant::Ansi) {
    isup::Number gap;
    gap.number_qualifier = 0xC0;  // T1.113 type of address "ported number" (unverified)
    gap.nature_of_address = called.dialledNoa;
    gap.numbering_plan = 1;
    if (setDigits(gap, called.dialledDigits)) iam.set(ParamCode::GenericAddress, gap);
  }

  // §7.2.1.1 carrier (RFC 4694 cic): CIP in ANSI, TNS elsewhere (the RFC's default policy
  // uses TNS for international numbers and CIP "where supported" otherwise).
  if (!called.carrier.empty()) {
    if (opts.variant == isup::Variant::Ansi) {
      isup::CarrierIdentification cip;
      cip.type_of_network_identification = 2;  // national network identification
      cip.network_identification_plan = called.carrier.size() == 3 ? 1 : 2;  // 3 / 4 digit
      if (cip.digits.assign(called.carrier)) iam.set(ParamCode::CarrierIdentification, cip);
    } else {
      isup::Number tns;
      tns.nature_of_address = 2;  // Q.763 §3.53 type: national network identification
      tns.numbering_plan = 0;     // network identification plan: unknown
      if (setDigits(tns, called.carrier)) iam.set(ParamCode::TransitNetworkSelection, tns);
    }
  }

  if (profile.sendHopCounter && maxForwards)
    iam.set(ParamCode::HopCounter,
            isup::HopCounter{hopCounterForMaxForwards(*maxForwards, profile), 0});
  return iam;
}

}  // namespace siptgw::mapping
