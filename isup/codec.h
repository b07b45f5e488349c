// ISUP message codec (ITU-T Q.763 §1.3–1.8; ANSI T1.113.3): octets ⇄ Message. No I/O, no
// exceptions, no allocation on decode unless a parameter is opaque or a raw tail exceeds
// its inline buffer.
//
// Two framings:
//  - wire (decode/encode): CIC, message type, parameters — what follows the MTP3 routing
//    label in an MTP-TRANSFER;
//  - body (decodeBody/encodeBody): RFC 3204 §2 application/ISUP, which starts at the
//    message type code (no CIC).
//
// Round-trip law (DESIGN.md): decode(encode(m)) == m, and for any x that decodes,
// encode(decode(x)) == x octet for octet.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/result.h"
#include "isup/message.h"

namespace siptgw::isup {

// Q.764 §2.9.5 needs to know what went wrong to answer the peer; Q.850 §4.5 gives causes.
struct DecodeError {
  enum class Kind : uint8_t {
    Truncated,              // the message ends inside a field
    BadPointer,             // a pointer is 0, points outside, or breaks the Q.763 §1.7 order
    LengthOverrun,          // a length indicator runs past the end of the message
    MissingMandatory,       // a mandatory variable parameter of length 0
    BadParameterContents,   // a mandatory parameter whose contents do not fit its format
    MissingEndOfOptional,   // the optional part does not end with the end-of-optional octet
  };
  Kind kind{};
  std::size_t offset = 0;     // octet offset into the input where the problem is
  uint8_t message_type = 0;
  uint8_t param_code = 0;     // the parameter concerned, 0 when none

  // Q.850 cause a call control answers with (Q.764 §2.9.5): 96 mandatory parameter
  // missing, 100 invalid parameter contents, 111 protocol error otherwise.
  uint8_t cause() const;
  // Q.850 §2.2.7 diagnostics: the parameter name (code), when there is one.
  std::optional<uint8_t> diagnostic() const;
  // One line: "offset 7: IAM: called_party_number: length runs past the end".
  std::string describe(Variant v) const;
};

std::string_view kindName(DecodeError::Kind k);

// The largest message MTP3 can carry: SIF of 272 octets minus the routing label.
constexpr std::size_t kMaxMessage = 272;

Result<Message, DecodeError> decode(std::span<const uint8_t> wire, Variant v);
Result<Message, DecodeError> decodeBody(std::span<const uint8_t> body, Variant v);
// Hot-path forms: decode into a caller-owned Message (cleared first, its inline storage
// reused); nullopt on success.
std::optional<DecodeError> decode(std::span<const uint8_t> wire, Variant v, Message& out);
std::optional<DecodeError> decodeBody(std::span<const uint8_t> body, Variant v, Message& out);

// Encoding fails (returns -1 / an empty vector and false) only for values that cannot be
// expressed: a field out of range, too many digits, a parameter over 255 octets, or a
// message too large for `out`.
int encode(const Message& m, std::span<uint8_t> out);
int encodeBody(const Message& m, std::span<uint8_t> out);
bool encode(const Message& m, std::vector<uint8_t>& out);
bool encodeBody(const Message& m, std::vector<uint8_t>& out);

}  // namespace siptgw::isup
