// Rejection: why a call cannot be interworked, said in both protocols at once. Every mapping
// function that fails returns one, so the gateway can answer the SIP side with `status` and
// release the ISUP side with `cause` without a second lookup (RFC 3398 §7.2.4.1 and
// §8.2.6.1 give the pairs: e.g. 484/28 for an unusable Request-URI, §12.2; 488/65 for a
// bearer that cannot be offered, §8.2.6.1 last paragraph).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace siptgw::mapping {

struct Rejection {
  uint16_t status = 500;    // SIP final response to answer an INVITE with
  std::string_view reason;  // its reason phrase (static storage)
  uint8_t cause = 127;      // Q.850 cause value to release an ISUP call with
  std::string detail;       // for logs and the Warning/Reason text: what was wrong

  bool operator==(const Rejection&) const = default;
};

// A Rejection with the RFC 3261 §21 reason phrase of `status`.
Rejection reject(uint16_t status, uint8_t cause, std::string detail);

// RFC 3261 §21 (plus RFC 3262/3311/3329/4028/4412/5079/6086 codes) reason phrases;
// "Unknown" for codes no RFC names.
std::string_view reasonPhrase(uint16_t status);

}  // namespace siptgw::mapping
