// IAM → INVITE parts (RFC 3398 §8.2.1.1, §12.1; RFC 3323, RFC 3325; RFC 4694).
#include "mapping/isup_to_sip.h"

#include <algorithm>

#include "mapping/bearer.h"
#include "mapping/numbers.h"

namespace siptgw::mapping {
namespace {

using isup::ParamCode;

constexpr std::string_view kAnonymousUri = "sip:anonymous@anonymous.invalid";

// Q.763 §3.10 presentation / screening values read here.
constexpr uint8_t kPresentationAllowed = 0;
constexpr uint8_t kAddressNotAvailable = 2;
constexpr uint8_t kUserProvidedNotVerified = 0;  // ANSI "not screened"; reserved in ITU
constexpr uint8_t kUserProvidedFailed = 2;
// Q.763 §3.26 number qualifier "additional calling party number".
constexpr uint8_t kAdditionalCallingParty = 6;
// T1.113 generic address type of address "ported number" (unverified, see sip_to_isup).
constexpr uint8_t kPortedNumber = 0xC0;

// The address signals of a number parameter without the end-of-pulsing signal (Q.763 §3.9
// code 15), which is not part of the number; empty when a signal has no URI form (only
// digits and codes 11/12, '*' and '#', have one), so such numbers count as absent.
std::string_view digitsOf(const isup::Number& n) {
  std::string_view d = n.digits.view();
  if (!d.empty() && d.back() == 'F') d.remove_suffix(1);
  if (d.find_first_not_of("0123456789BC") != std::string_view::npos) return {};
  return d;
}

// §12: NoA as read for URI construction; a numbering plan other than ISDN is "outside the
// scope" of RFC 3398: its digits are written as a network-specific (local) number.
uint8_t noaOf(const isup::Number& n) {
  return n.numbering_plan == 1 || n.numbering_plan == 0 ? n.nature_of_address
                                                        : noa::kNetworkSpecific;
}

std::string nameAddr(std::string_view uri, std::string_view display = {}) {
  std::string s;
  if (!display.empty()) {
    s += '"';
    s += display;
    s += "\" ";
  }
  s += '<';
  s += uri;
  s += '>';
  return s;
}

// 3GPP TS 24.229 §7.2A.12 cpc values for Q.763 §3.11 categories other than ordinary.
std::string_view cpcName(uint8_t category) {
  switch (category) {
    case cpc::kPriority: return "priority";
    case cpc::kData: return "data";
    case cpc::kTest: return "test";
    case cpc::kPayphone: return "payphone";
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x09: return "operator";
    default: return {};
  }
}

// §12.1: "if presentation is not restricted, this information SHOULD be used to populate
// the display-name portion of the From field" — ANSI T1.113 generic name of type "calling
// name" (1), available, presentation allowed. A quoted-string (RFC 3261 §25.1) of its
// printable IA5 characters; empty when there is none.
std::string callingName(const isup::Message& iam) {
  if (iam.variant != isup::Variant::Ansi) return {};
  const auto* gn = iam.get<isup::GenericName>(ParamCode::GenericName);
  if (!gn || gn->type_of_name != 1 || gn->availability != 0 || gn->presentation != 0) return {};
  std::string name;
  for (uint8_t c : gn->data) {
    if (c < 0x20 || c > 0x7E) continue;
    if (c == '"' || c == '\\') name += '\\';
    name += static_cast<char>(c);
  }
  return name;
}

}  // namespace

std::string InviteParts::extraHeaders() const {
  std::string s;
  if (!pai.empty()) s += "P-Asserted-Identity: " + pai + "\r\n";
  if (!privacy.empty()) s += "Privacy: " + privacy + "\r\n";
  return s;
}

Result<InviteParts, Rejection> inviteFromIam(const isup::Message& iam,
                                            const IsupToSipOptions& opts,
                                            const Profile& profile) {
  const NumberRules& rules = profile.numbers;
  if (iam.type != isup::MessageType::IAM)
    return Unexpected(reject(500, 111, "inviteFromIam needs an IAM"));
  const auto* cdpn = iam.get<isup::Number>(ParamCode::CalledPartyNumber);
  if (!cdpn || cdpn->digits.empty())
    return Unexpected(reject(484, 28, "IAM without called party digits"));
  std::string_view calledDigits = digitsOf(*cdpn);
  if (calledDigits.empty())
    return Unexpected(reject(484, 28, "called party digits '" +
                                          std::string(cdpn->digits.view()) +
                                          "' hold signals a URI cannot carry"));

  auto bearer = bearerFromIam(iam);
  if (!bearer) return Unexpected(bearer.error());

  InviteParts parts;
  parts.clearmode = *bearer == Bearer::Unrestricted64k;

  // §8.2.1.1 number portability: FCI bit M → npdi; the ANSI generic address with a
  // ported number holds the dialled number, the CPN then being the routing number.
  std::string params;
  std::string_view numberDigits = calledDigits;
  uint8_t numberNoa = noaOf(*cdpn);
  const auto* fci = iam.get<isup::ForwardCallIndicators>(ParamCode::ForwardCallIndicators);
  if (opts.numberPortability && fci && fci->ported_number_translation) {
    const auto* gap = iam.variant == isup::Variant::Ansi
                          ? iam.get<isup::Number>(ParamCode::GenericAddress)
                          : nullptr;
    if (gap && gap->number_qualifier == kPortedNumber && !digitsOf(*gap).empty()) {
      numberDigits = digitsOf(*gap);
      numberNoa = noaOf(*gap);
      // §8.2.1.1: "LRNs ... MUST NOT be preceded by a '+'".
      params += ";rn=" + std::string(calledDigits);
    }
    params += ";npdi";
  }
  // §8.2.1.1 carrier: "cic=" with the country code ("+1-5062").
  std::string_view carrier;
  if (const auto* tns = iam.get<isup::Number>(ParamCode::TransitNetworkSelection))
    carrier = digitsOf(*tns);
  else if (const auto* cip =
               iam.get<isup::CarrierIdentification>(ParamCode::CarrierIdentification))
    carrier = cip->digits.view();
  if (!carrier.empty() && carrier.find_first_not_of("0123456789") == std::string_view::npos) {
    params += ";cic=";
    if (!rules.countryCode.empty()) params += "+" + rules.countryCode + "-";
    params += carrier;
  }
  parts.requestUri =
      uriFromNumber(numberDigits, numberNoa, opts.host, opts.userPhone, rules, params);

  // §8.2.1.1: To from the original called number when present, else the called number.
  const auto* ocn = iam.get<isup::Number>(ParamCode::OriginalCalledNumber);
  if (ocn && !digitsOf(*ocn).empty())
    parts.to = nameAddr(uriFromNumber(digitsOf(*ocn), noaOf(*ocn), opts.host, opts.userPhone, rules));
  else
    parts.to = nameAddr(uriFromNumber(numberDigits, numberNoa, opts.host, opts.userPhone, rules));

  // From / PAI / Privacy (§8.2.1.1, §12.1, RFC 3325 §9.1, RFC 3323 §4.2).
  const auto* cat = iam.get<isup::Octet>(ParamCode::CallingPartysCategory);
  parts.callingCategory = cat ? cat->value : profile.defaultCallingCategory;
  const auto* cgpn = iam.get<isup::Number>(ParamCode::CallingPartyNumber);
  const bool usable = cgpn && !digitsOf(*cgpn).empty() &&
                      cgpn->presentation != kAddressNotAvailable;
  if (!usable) {
    std::string_view host = !opts.gatewayHost.empty() ? std::string_view(opts.gatewayHost)
                            : !opts.host.empty()      ? std::string_view(opts.host)
                                                      : std::string_view("anonymous.invalid");
    parts.from = nameAddr("sip:" + std::string(host));
  } else {
    std::string cpcParam;
    if (auto name = cpcName(parts.callingCategory); !name.empty())
      cpcParam = ";cpc=" + std::string(name);
    const std::string uri =
        uriFromNumber(digitsOf(*cgpn), noaOf(*cgpn), opts.host, opts.userPhone, rules);
    const bool asserted = cgpn->screening != kUserProvidedNotVerified &&
                          cgpn->screening != kUserProvidedFailed;
    if (opts.trustedNextHop && asserted)
      parts.pai = nameAddr(uriFromNumber(digitsOf(*cgpn), noaOf(*cgpn), opts.host,
                                         opts.userPhone, rules, cpcParam));
    if (cgpn->presentation != kPresentationAllowed) {
      // Restricted (1), or reserved (3) read as restricted: never show the number.
      parts.from = nameAddr(kAnonymousUri, opts.anonymousDisplay);
      parts.privacy = "id";
    } else {
      parts.from = nameAddr(uri, callingName(iam));
      // TS 29.163: a user-provided additional calling party number (generic number)
      // is what the caller sees; the network-provided number stays in PAI.
      const auto* gn = iam.variant == isup::Variant::Itu
                           ? iam.get<isup::Number>(ParamCode::GenericNumber)
                           : nullptr;
      if (gn && gn->number_qualifier == kAdditionalCallingParty && !digitsOf(*gn).empty() &&
          gn->presentation == kPresentationAllowed)
        parts.from = nameAddr(
            uriFromNumber(digitsOf(*gn), noaOf(*gn), opts.host, opts.userPhone, rules));
    }
  }

  // Q.763 §3.80 and the Q.764 hop counter procedure: hop counter → Max-Forwards.
  parts.maxForwards = profile.maxForwards;
  if (const auto* hc = iam.get<isup::HopCounter>(ParamCode::HopCounter)) {
    if (hc->hop_counter == 0) return Unexpected(reject(483, 25, "hop counter exhausted"));
    const unsigned ratio = std::max<unsigned>(1, profile.maxForwardsPerHop);
    parts.maxForwards = static_cast<uint8_t>(
        std::min<unsigned>(profile.maxForwards, hc->hop_counter * ratio));
  }
  return parts;
}

}  // namespace siptgw::mapping
