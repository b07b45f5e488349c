// Built-in profiles: the RFC 3398 tables transcribed row by row, and the 3GPP TS 29.163 /
// ITU-T Q.1912.5 rows that differ. See profile.h and docs/mapping.md.
#include "mapping/profile.h"

#include <algorithm>
#include <array>

namespace siptgw::mapping {
namespace {

constexpr std::string_view k3398c = "RFC 3398 §7.2.4.1";
constexpr std::string_view k3398s = "RFC 3398 §8.2.6.1";

// RFC 3398 §7.2.4.1, every row of its five tables ("RECOMMENDED").
constexpr std::array kRfc3398Causes{
    CauseStatusRow{1, 404, k3398c},  CauseStatusRow{2, 404, k3398c},
    CauseStatusRow{3, 404, k3398c},
    // (*) "will usually result in a BYE or CANCEL": the RFC gives no status for a REL with
    // cause 16 before the final response; the closest in meaning is 480.
    CauseStatusRow{16, 480, "RFC 3398 §7.2.4.1 (*) gives none: profile choice"},
    CauseStatusRow{17, 486, k3398c}, CauseStatusRow{18, 408, k3398c},
    CauseStatusRow{19, 480, k3398c}, CauseStatusRow{20, 480, k3398c},
    CauseStatusRow{21, 403, "RFC 3398 §7.2.4.1 (603 when location is user)"},
    CauseStatusRow{22, 410, "RFC 3398 §7.2.4.1 (301 with a diagnostic)"},
    CauseStatusRow{23, 410, k3398c}, CauseStatusRow{26, 404, k3398c},
    CauseStatusRow{27, 502, k3398c}, CauseStatusRow{28, 484, k3398c},
    CauseStatusRow{29, 501, k3398c}, CauseStatusRow{31, 480, k3398c},
    CauseStatusRow{34, 503, k3398c}, CauseStatusRow{38, 503, k3398c},
    CauseStatusRow{41, 503, k3398c}, CauseStatusRow{42, 503, k3398c},
    CauseStatusRow{47, 503, k3398c}, CauseStatusRow{55, 403, k3398c},
    CauseStatusRow{57, 403, k3398c}, CauseStatusRow{58, 503, k3398c},
    CauseStatusRow{65, 488, k3398c}, CauseStatusRow{70, 488, k3398c},
    CauseStatusRow{79, 501, k3398c}, CauseStatusRow{87, 403, k3398c},
    CauseStatusRow{88, 503, k3398c}, CauseStatusRow{102, 504, k3398c},
    CauseStatusRow{111, 500, k3398c}, CauseStatusRow{127, 500, k3398c},
};

// RFC 3398 §8.2.6.1. 487 ("no mapping") and 488/606 ("by Warning header") have no row:
// they take the class default, and 488/606 the Warning rule (release.h).
constexpr std::array kRfc3398Statuses{
    CauseStatusRow{41, 400, k3398s},  CauseStatusRow{21, 401, k3398s},
    CauseStatusRow{21, 402, k3398s},  CauseStatusRow{21, 403, k3398s},
    CauseStatusRow{1, 404, k3398s},   CauseStatusRow{63, 405, k3398s},
    CauseStatusRow{79, 406, k3398s},  CauseStatusRow{21, 407, k3398s},
    CauseStatusRow{102, 408, k3398s}, CauseStatusRow{22, 410, k3398s},
    CauseStatusRow{127, 413, k3398s}, CauseStatusRow{127, 414, k3398s},
    CauseStatusRow{79, 415, k3398s},  CauseStatusRow{127, 416, k3398s},
    CauseStatusRow{127, 420, k3398s}, CauseStatusRow{127, 421, k3398s},
    CauseStatusRow{127, 423, k3398s}, CauseStatusRow{18, 480, k3398s},
    CauseStatusRow{41, 481, k3398s},  CauseStatusRow{25, 482, k3398s},
    CauseStatusRow{25, 483, k3398s},  CauseStatusRow{28, 484, k3398s},
    CauseStatusRow{1, 485, k3398s},   CauseStatusRow{17, 486, k3398s},
    CauseStatusRow{41, 500, k3398s},  CauseStatusRow{79, 501, k3398s},
    CauseStatusRow{38, 502, k3398s},  CauseStatusRow{41, 503, k3398s},
    CauseStatusRow{102, 504, k3398s},
    // The RFC prints "504 Version Not Supported": the code of that phrase is 505.
    CauseStatusRow{127, 505, "RFC 3398 §8.2.6.1 (printed as 504)"},
    CauseStatusRow{127, 513, k3398s}, CauseStatusRow{17, 600, k3398s},
    CauseStatusRow{21, 603, k3398s},  CauseStatusRow{1, 604, k3398s},
};

// TS 29.163 rows that differ from RFC 3398. The specification text was not available while
// this was written: every row here is from memory of its tables and marked unverified, so
// a deployment that must follow 29.163 to the letter should check them and override.
constexpr std::string_view k29163 = "TS 29.163 (unverified)";
constexpr std::array k29163Causes{
    CauseStatusRow{18, 480, k29163},
    CauseStatusRow{25, 404, k29163},
};
constexpr std::array k29163Statuses{
    CauseStatusRow{127, 400, k29163}, CauseStatusRow{127, 401, k29163},
    CauseStatusRow{127, 402, k29163}, CauseStatusRow{127, 405, k29163},
    CauseStatusRow{127, 406, k29163}, CauseStatusRow{127, 407, k29163},
    CauseStatusRow{127, 415, k29163}, CauseStatusRow{20, 480, k29163},
    CauseStatusRow{127, 481, k29163}, CauseStatusRow{127, 482, k29163},
    CauseStatusRow{127, 487, k29163}, CauseStatusRow{127, 488, k29163},
    CauseStatusRow{127, 500, k29163}, CauseStatusRow{127, 501, k29163},
    CauseStatusRow{127, 502, k29163}, CauseStatusRow{127, 503, k29163},
    CauseStatusRow{127, 606, k29163},
};

// The effective rows of a built-in profile: RFC 3398's, with the 29.163 rows replacing
// theirs for the 3GPP and Q.1912.5 profiles.
template <std::size_t N, std::size_t M>
constexpr auto overlay(const std::array<CauseStatusRow, N>& base,
                       const std::array<CauseStatusRow, M>& diff, bool byCause) {
  std::array<CauseStatusRow, N + M> out{};
  std::size_t n = 0;
  for (const auto& r : base) {
    bool replaced = false;
    for (const auto& d : diff) replaced |= byCause ? d.cause == r.cause : d.status == r.status;
    if (!replaced) out[n++] = r;
  }
  for (const auto& d : diff) out[n++] = d;
  return std::pair{out, n};
}
constexpr auto k29163CauseRows = overlay(kRfc3398Causes, k29163Causes, true);
constexpr auto k29163StatusRows = overlay(kRfc3398Statuses, k29163Statuses, false);

constexpr std::array<std::string_view, 3> kNames{"rfc3398", "3gpp-29163", "q1912.5"};

std::map<uint8_t, uint16_t> causeMap(std::span<const CauseStatusRow> rows) {
  std::map<uint8_t, uint16_t> m;
  for (const auto& r : rows) m[r.cause] = r.status;
  return m;
}
std::map<uint16_t, uint8_t> statusMap(std::span<const CauseStatusRow> rows) {
  std::map<uint16_t, uint8_t> m;
  for (const auto& r : rows) m[r.status] = r.cause;
  return m;
}

bool allDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string_view unprefixedName(UnprefixedNumber u) {
  switch (u) {
    case UnprefixedNumber::National: return "national";
    case UnprefixedNumber::Subscriber: return "subscriber";
    case UnprefixedNumber::Unknown: return "unknown";
    case UnprefixedNumber::Reject: return "reject";
  }
  return "?";
}

std::optional<UnprefixedNumber> unprefixedFromName(std::string_view name) {
  for (auto u : {UnprefixedNumber::National, UnprefixedNumber::Subscriber,
                 UnprefixedNumber::Unknown, UnprefixedNumber::Reject})
    if (unprefixedName(u) == name) return u;
  return std::nullopt;
}

std::span<const std::string_view> builtinProfileNames() { return kNames; }

std::span<const CauseStatusRow> builtinCauseRows(std::string_view profile) {
  if (profile == kNames[0]) return kRfc3398Causes;
  if (profile == kNames[1] || profile == kNames[2])
    return {k29163CauseRows.first.data(), k29163CauseRows.second};
  return {};
}

std::span<const CauseStatusRow> builtinStatusRows(std::string_view profile) {
  if (profile == kNames[0]) return kRfc3398Statuses;
  if (profile == kNames[1] || profile == kNames[2])
    return {k29163StatusRows.first.data(), k29163StatusRows.second};
  return {};
}

Result<Profile, std::string> builtinProfile(std::string_view name) {
  if (std::find(kNames.begin(), kNames.end(), name) == kNames.end()) {
    std::string err = "unknown mapping profile '" + std::string(name) + "' (known:";
    for (auto n : kNames) err += " " + std::string(n);
    return Unexpected(err + ")");
  }
  Profile p;
  p.name = std::string(name);
  p.causeToStatus = causeMap(builtinCauseRows(name));
  p.statusToCause = statusMap(builtinStatusRows(name));
  // RFC 3398 §7.2.9: the CPG event table.
  p.cpgEventToStatus = {{1, 180}, {2, 183}, {3, 183}, {4, 181}, {5, 181}, {6, 181}};
  if (name != "rfc3398") {
    // 29.163 (unverified, see above): unlisted status codes release with 127
    // "interworking, unspecified" rather than RFC 3398's 31.
    p.statusClassCause = {127, 127, 127};
  }
  return p;
}

Result<Ok, std::string> validateOverrides(const Overrides& o) {
  for (const auto& [cause, status] : o.causeToStatus) {
    if (cause < 1 || cause > 127)
      return Unexpected("cause " + std::to_string(cause) + " is outside Q.850's 1..127");
    if (status != 0 && (status < 300 || status > 699))
      return Unexpected("cause " + std::to_string(cause) + ": status " + std::to_string(status) +
                        " is not a final non-2xx code (300..699)");
  }
  for (const auto& [status, cause] : o.statusToCause) {
    if (status < 300 || status > 699)
      return Unexpected("status " + std::to_string(status) + " is not a final non-2xx code");
    if (cause > 127)
      return Unexpected("status " + std::to_string(status) + ": cause " + std::to_string(cause) +
                        " is outside Q.850's 1..127");
  }
  const std::pair<const char*, const std::optional<std::string>*> digits[] = {
      {"country code", &o.countryCode},
      {"area code", &o.areaCode},
      {"national prefix", &o.nationalPrefix},
      {"international prefix", &o.internationalPrefix}};
  for (const auto& [what, v] : digits)
    if (*v && (!allDigits(**v) || (*v)->size() > 8))
      return Unexpected(std::string(what) + " '" + **v + "' must be at most 8 digits");
  if (o.countryCode && o.countryCode->size() > 3)
    return Unexpected("country code '" + *o.countryCode + "' is longer than E.164's 3 digits");
  if (o.isupPreference && *o.isupPreference > 2)
    return Unexpected("ISUP preference must be 0 (preferred), 1 (not required) or 2 (required)");
  return Ok{};
}

void applyOverrides(Profile& p, const Overrides& o) {
  for (const auto& [cause, status] : o.causeToStatus) {
    if (status == 0)
      p.causeToStatus.erase(cause);
    else
      p.causeToStatus[cause] = status;
  }
  for (const auto& [status, cause] : o.statusToCause) {
    if (cause == 0)
      p.statusToCause.erase(status);
    else
      p.statusToCause[status] = cause;
  }
  NumberRules& n = p.numbers;
  if (o.countryCode) n.countryCode = *o.countryCode;
  if (o.areaCode) n.areaCode = *o.areaCode;
  if (o.nationalPrefix) n.nationalPrefix = *o.nationalPrefix;
  if (o.internationalPrefix) n.internationalPrefix = *o.internationalPrefix;
  if (o.phoneContext) n.phoneContext = *o.phoneContext;
  if (o.unprefixed) n.unprefixed = *o.unprefixed;
  if (o.localCountryAsNational) n.localCountryAsNational = *o.localCountryAsNational;
  if (o.defaultCallingCategory) p.defaultCallingCategory = *o.defaultCallingCategory;
  if (o.isupPreference) p.isupPreference = *o.isupPreference;
  if (o.inbandAcmSends183) p.inbandAcmSends183 = *o.inbandAcmSends183;
  if (o.signalInterworking) p.signalInterworking = *o.signalInterworking;
}

}  // namespace siptgw::mapping
