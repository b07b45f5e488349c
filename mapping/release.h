// Release: Q.850 causes ⇄ SIP status codes and the Reason header.
//   ISUP → SIP: RFC 3398 §7.2.4.1 (REL before the final response → status).
//   SIP → ISUP: §8.2.6.1 (4xx–6xx → REL cause, class defaults, Warning-based 488/606),
//   §7.2.3 (CANCEL/BYE → 16, "the value in the Reason header MUST be preferred").
//   Reason: RFC 3326 §2 (syntax, protocol "Q.850"), RFC 6432 (Reason in responses).
// The tables are the Profile's (profile.h): this file applies them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "isup/parameters.h"
#include "mapping/profile.h"
#include "sip/message.h"

namespace siptgw::mapping {

struct StatusLine {
  uint16_t code = 500;
  std::string_view reason;  // RFC 3261 §21 phrase (static)
  bool operator==(const StatusLine&) const = default;
};

// §7.2.4.1: the table row, else the profile's class default (RFC 3398: 500 for all).
StatusLine statusForCause(uint8_t cause, const Profile& profile);
// The same for a received cause indicators parameter: location "user" (0) turns 403 into
// 603 (§7.2.4.1 note +), cause 22 with diagnostics into 301 (§7.2.4.1 after the table),
// each when the profile says so.
StatusLine statusForRelease(const isup::CauseIndicators& ci, const Profile& profile);

// §8.2.6.1: the table row, else the class default (RFC 3398: 31 "normal, unspecified").
uint8_t causeForStatus(uint16_t status, const Profile& profile);
// For a final response: a Q.850 Reason header wins (RFC 6432 §3), then for 488/606 a
// Warning code 304/305 (media type / format not available) gives
// profile.bearerWarningCause (§8.2.6.1 last paragraph), else causeForStatus.
uint8_t causeForResponse(const sip::Message& response, const Profile& profile);
// Q.850 §2.2.4 location for a cause the gateway sends on a SIP status: 0 "user" for 6xx,
// profile.networkLocation otherwise (§8.2.6.1 "By default, the cause location ...").
uint8_t locationForStatus(uint16_t status, const Profile& profile);
// A cause indicators parameter (Q.763 §3.12): ITU-T coding, the given location, no
// diagnostics.
isup::CauseIndicators causeIndicators(uint8_t cause, uint8_t location);

// RFC 3326 §2 / RFC 6432: `Q.850;cause=16;text="Normal call clearing"`.
std::string reasonHeaderValue(uint8_t cause);
// §7.2.3 / RFC 3326 §2: the cause of the first Reason value with protocol "Q.850" and a
// cause in 1..127, across every Reason header field and comma-separated value; SIP and
// other protocols are skipped, as are malformed values (the rest are still read). nullopt
// when there is none.
std::optional<uint8_t> q850CauseFromReason(const sip::Message& m);

// Q.850 Table 1 cause names ("Normal call clearing"); "Unknown cause" for unassigned values.
std::string_view causeText(uint8_t cause);

// A coarse outcome of a released call, for metrics labels and CDRs.
//   Normal 16, 31 · Busy 17 · NoAnswer 18, 19 · Unallocated 1, 2, 3, 22, 26, 28 ·
//   Rejected 21, 55, 57, 87 · Congestion 34, 41, 42, 44, 47 · Unavailable 20, 27, 38 ·
//   Other: everything else.
enum class CauseClass : uint8_t { Normal, Busy, NoAnswer, Unallocated, Rejected, Congestion, Unavailable, Other };
CauseClass causeClass(uint8_t cause);
std::string_view causeClassName(CauseClass c);  // "normal", "busy", "no_answer"...

}  // namespace siptgw::mapping
