// Profile: one named set of interworking choices — the cause⇄status tables, the ACM/CPG →
// 18x rules and the numbering rules — that the pure mapping functions read. Built-in:
//   "rfc3398"    IETF RFC 3398 (default): §7.2.4.1, §8.2.6.1, §7.2.5/7.2.6, §7.2.9, §12.
//   "3gpp-29163" 3GPP TS 29.163 (the IMS MGCF): its ISUP→SIP and SIP→ISUP cause tables.
//   "q1912.5"    ITU-T Q.1912.5 (SIP-I profile C); its tables are aligned with 29.163's,
//                so it starts from the 29.163 tables (docs/mapping.md lists the rows).
// A deployment picks one by name and may override rows and number rules (Overrides) from
// configuration. Profiles are plain values: copy, compare, print.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/result.h"

namespace siptgw::mapping {

// Q.763 §3.9 nature of address indicator (called, calling, original called... numbers).
namespace noa {
inline constexpr uint8_t kSubscriber = 1;
inline constexpr uint8_t kUnknown = 2;
inline constexpr uint8_t kNational = 3;
inline constexpr uint8_t kInternational = 4;
inline constexpr uint8_t kNetworkSpecific = 5;
}  // namespace noa

// Q.763 §3.11 calling party's category values used by the profiles.
namespace cpc {
inline constexpr uint8_t kUnknown = 0x00;
inline constexpr uint8_t kOperatorFrench = 0x01;  // 0x01-0x05: operator, language ...
inline constexpr uint8_t kOrdinary = 0x0A;
inline constexpr uint8_t kPriority = 0x0B;
inline constexpr uint8_t kData = 0x0C;
inline constexpr uint8_t kTest = 0x0D;
inline constexpr uint8_t kPayphone = 0x0F;
}  // namespace cpc

// How a number written without "+" (tel URI local number, sip user part, §12.2) is read.
enum class UnprefixedNumber : uint8_t {
  National,    // a national (significant) number: NoA 3
  Subscriber,  // a subscriber number: NoA 1
  Unknown,     // NoA 2 "unknown", digits passed as written
  Reject,      // §12.2: the gateway does not support national dialling plans → 484
};
std::string_view unprefixedName(UnprefixedNumber u);
std::optional<UnprefixedNumber> unprefixedFromName(std::string_view name);

// RFC 3398 §12.1/§12.2 numbering: what "local" means for this gateway.
struct NumberRules {
  std::string countryCode;                 // "49"; empty: no home country code
  std::string areaCode;                    // prefixed to subscriber numbers (§12.1 "MAY")
  std::string nationalPrefix = "0";        // trunk prefix written before national numbers
  std::string internationalPrefix = "00";  // dialled before international numbers
  UnprefixedNumber unprefixed = UnprefixedNumber::National;
  // §12.2: "+<home CC>..." becomes NoA national with the CC stripped. Off: always NoA
  // international (what most carrier interconnects expect).
  bool localCountryAsNational = true;
  // A number without "+" that starts with the international / national prefix is read as
  // international / national with the prefix stripped (dialled-digit form).
  bool analysePrefixes = true;
  // RFC 3966 §5.1.5 phone-context written on local numbers (NoA network-specific/unknown,
  // or national without a country code); empty: "+<countryCode>" when set.
  std::string phoneContext;
  // RFC 3398 §7.2.1.1 ported numbers (RFC 4694 rn): outside ANSI the routing number is
  // prepended to the dialled number with this separator (empty: plain concatenation).
  std::string routingNumberSeparator;

  bool operator==(const NumberRules&) const = default;
};

// One row of a built-in table with the clause or note it comes from (for docs and tests).
struct CauseStatusRow {
  uint8_t cause;
  uint16_t status;
  std::string_view source;  // "RFC 3398 §7.2.4.1", "29.163 Table 12 (unverified)"...
};

struct Profile {
  std::string name;

  // Q.850 cause → SIP status for a REL received before the final response (§7.2.4.1).
  std::map<uint8_t, uint16_t> causeToStatus;
  // Causes missing from causeToStatus, by Q.850 class (cause >> 4, 0..7). RFC 3398
  // §7.2.4.1: "default response '500 Server internal error'" for every class.
  std::array<uint16_t, 8> causeClassStatus{500, 500, 500, 500, 500, 500, 500, 500};
  // §7.2.4.1 (+): cause 21 with location "user" → 603 instead of 403.
  bool userRejectIs6xx = true;
  // §7.2.4.1: cause 22 with a diagnostic (the new number) → 301 instead of 410.
  bool numberChangedWithDiagnosticIs301 = true;

  // SIP status → Q.850 cause for a REL sent on a 4xx–6xx (§8.2.6.1).
  std::map<uint16_t, uint8_t> statusToCause;
  // Codes missing from statusToCause, by class (index status / 100 − 4: 4xx, 5xx, 6xx).
  // §8.2.6.1: "should be mapping to cause code 31".
  std::array<uint8_t, 3> statusClassCause{31, 31, 31};
  // §8.2.6.1: 488/606 with a Warning about the bearer (RFC 3261 §20.43 codes 304/305)
  // → cause 65 "bearer capability not implemented".
  uint8_t bearerWarningCause = 65;
  // Q.850 §2.2.4 location for causes the gateway generates on behalf of the SIP side:
  // 6xx → 0 "user" (§8.2.6.1), else this one (10 "network beyond interworking point").
  uint8_t networkLocation = 10;

  // §7.2.5/§7.2.6 ACM → 18x.
  uint16_t acmSubscriberFree = 180;  // BCI called party's status "subscriber free"
  uint16_t acmNoIndication = 183;    // "no indication": an early ACM (§7.2.5)
  // §7.2.6: in-band information (OBCI bit A, or BCI interworking encountered) means a
  // backward media path: answer 183 even when the called party is "subscriber free".
  bool inbandAcmSends183 = true;
  // §7.2.9 CPG event indicator (Q.763 §3.21) → 18x; events not listed send nothing.
  std::map<uint8_t, uint16_t> cpgEventToStatus;
  uint16_t cpgNoEvent = 183;  // "(no event code present)"

  // §7.2.1.1 and §8.2.3: the configurable "interworking encountered" option for FCI/BCI.
  bool signalInterworking = false;
  // Q.763 §3.23 bits H-G: 0 preferred all the way, 1 not required, 2 required.
  uint8_t isupPreference = 0;
  uint8_t defaultCallingCategory = cpc::kOrdinary;  // §7.2.1.1 mandatory IAM default
  // Max-Forwards ⇄ hop counter (Q.763 §3.80, 5 bits). hop counter = ceil(MF / ratio), at
  // most 31; Max-Forwards = hop counter × ratio, at most maxForwards.
  uint8_t maxForwardsPerHop = 1;
  uint8_t maxForwards = 70;  // RFC 3261 §8.1.1.6; also used when the IAM has no hop counter
  bool sendHopCounter = true;

  NumberRules numbers;

  bool operator==(const Profile&) const = default;
};

// Built-in profile by name; the error lists the known names.
Result<Profile, std::string> builtinProfile(std::string_view name = "rfc3398");
std::span<const std::string_view> builtinProfileNames();
// The rows a built-in profile was made of, with their sources (empty for unknown names).
std::span<const CauseStatusRow> builtinCauseRows(std::string_view profile);
std::span<const CauseStatusRow> builtinStatusRows(std::string_view profile);

// Deployment changes to a profile (from configuration). A status of 0 in causeToStatus or a
// cause of 0 in statusToCause removes the row, so that the class default applies.
struct Overrides {
  std::map<uint8_t, uint16_t> causeToStatus;
  std::map<uint16_t, uint8_t> statusToCause;
  std::optional<std::string> countryCode;
  std::optional<std::string> areaCode;
  std::optional<std::string> nationalPrefix;
  std::optional<std::string> internationalPrefix;
  std::optional<std::string> phoneContext;
  std::optional<UnprefixedNumber> unprefixed;
  std::optional<bool> localCountryAsNational;
  std::optional<uint8_t> defaultCallingCategory;
  std::optional<uint8_t> isupPreference;
  std::optional<bool> inbandAcmSends183;
  std::optional<bool> signalInterworking;
};

// Checks ranges (causes 1..127, statuses 300..699, digits-only codes and prefixes, ISUP
// preference 0..2); the error names the first offending entry.
Result<Ok, std::string> validateOverrides(const Overrides& o);
// Applies validated overrides; rows not named keep the profile's value.
void applyOverrides(Profile& p, const Overrides& o);

}  // namespace siptgw::mapping
