// Telephone numbers between SIP URIs and ISUP number parameters: RFC 3398 §12 (tel URI
// construction, §12.1 ISUP → tel, §12.2 tel → ISUP), §7.2.1.1 (Request-URI → called party
// number, RFC 4694 rn/npdi/cic), RFC 3966 (tel URI syntax, phone-context) and the local
// numbering rules of the Profile (country code, prefixes, how unprefixed numbers are read).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/result.h"
#include "mapping/profile.h"
#include "mapping/rejection.h"
#include "sip/message.h"
#include "sip/uri.h"

namespace siptgw::mapping {

struct PartyNumber {
  std::string digits;            // address signals '0'-'9', '*'→'B', '#'→'C'; no '+'
  uint8_t noa = noa::kUnknown;   // Q.763 §3.9 nature of address indicator
  uint8_t numberingPlan = 1;     // Q.763 §3.9: 1 = ISDN (E.164), §12.2 "MUST"
  // RFC 4694 §4 / RFC 3398 §7.2.1.1 number portability as read from the Request-URI.
  bool npdi = false;             // a portability dip was done: FCI bit M
  // When `digits` hold a routing number (ANSI: CPN = rn), the dialled number goes in the
  // generic address parameter (§7.2.1.1); empty otherwise.
  std::string dialledDigits;
  uint8_t dialledNoa = noa::kUnknown;
  std::string carrier;           // RFC 4694 §5 cic= digits (no "+CC-" prefix); empty if none

  bool operator==(const PartyNumber&) const = default;
};

// Classifies a number as written in SIP (`text` may hold visual separators "-", ".", "(",
// ")"; `global` when it started with "+", which `text` must not include) by the rules of
// §12.2: "+<home CC>" → national (if localCountryAsNational), other "+" → international,
// unprefixed per NumberRules. 484/28 when digits are missing, too many (Q.763 allows 40,
// E.164 15 for international) or not telephone digits.
Result<PartyNumber, Rejection> classifyNumber(std::string_view text, bool global,
                                              const NumberRules& rules);

// The number of a tel URI, or of a sip/sips URI whose user part is a telephone-subscriber
// (user=phone, or digits only: §12 "MUST accept either"). 484/28 for anything else; 416/127
// for other schemes (§8.2.6.1 row 416 read backwards).
Result<PartyNumber, Rejection> numberFromUri(const sip::Uri& uri, const NumberRules& rules);

// §7.2.1.1 and §12.2: the called party number of an INVITE from its Request-URI, with the
// RFC 4694 parameters: npdi → PartyNumber::npdi; npdi with rn → for ANSI (`ansi` true)
// digits = rn and dialledDigits = the URI's number; for ITU variants digits = rn +
// routingNumberSeparator + number ("in some other ISUP variants ... prepended"). rn without
// npdi is ignored (RFC 4694 §4: rn is only meaningful with npdi). 484/28 when the
// Request-URI holds no usable number (§7.2.1.1 "SHOULD reject").
Result<PartyNumber, Rejection> calledFromRequestUri(const sip::Message& invite,
                                                   const Profile& profile, bool ansi = false);

// §12.1: the E.164 form "+CC..." of ISUP digits, when the NoA allows one: international →
// "+" digits; national → "+" CC digits (national prefix not in ISUP digits); subscriber →
// "+" CC area digits when both are configured; unknown → by the dialled prefixes when
// analysePrefixes. nullopt when no country code is known or the NoA is network-specific.
std::optional<std::string> e164FromNumber(std::string_view digits, uint8_t noa,
                                          const NumberRules& rules);

// §12: "tel:+4930123456", or for numbers without an E.164 form "tel:1234;phone-context=
// +49" (RFC 3966 §5.1.5; the context is NumberRules::phoneContext, else "+CC"; with neither
// the parameter is left out, which RFC 3966 does not allow: configure one). ISUP signals
// B and C are written '*' and '#' ('%23' in a sip: user part). `params` (";rn=...;npdi",
// RFC 4694) are appended to the telephone-subscriber, before the host of a sip: URI.
std::string telUriFromNumber(std::string_view digits, uint8_t noa, const NumberRules& rules,
                             std::string_view params = {});
// §12: "sip:+4930123456@host;user=phone" (the same user part as telUriFromNumber, with the
// phone-context kept as a user parameter; ";user=phone" when userPhone).
std::string sipUriFromNumber(std::string_view digits, uint8_t noa, std::string_view host,
                             bool userPhone, const NumberRules& rules,
                             std::string_view params = {});
// tel: when host is empty, else sip:.
std::string uriFromNumber(std::string_view digits, uint8_t noa, std::string_view host,
                          bool userPhone, const NumberRules& rules, std::string_view params = {});

}  // namespace siptgw::mapping
