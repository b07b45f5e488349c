// JSON form of ISUP messages for operators and scripts (`siptgw isup decode|encode`).
//
// Contract (docs/isup-codec.md): {"type": "IAM", "cic": 17, "parameters": {...}} with
// parameters keyed by their Q.763 snake_case name, in wire order (mandatory first). Numbers
// carry "digits" (0-9, B-F; F = end of pulsing), "nature_of_address", "numbering_plan";
// cause indicators "cause", "location", "coding_standard". A parameter kept verbatim is
// {"code": N, "hex": "…"} (key: its name, or "unknown_N"). A repeated parameter's later
// occurrences are keyed "name#2", "name#3"… Spare fields appear only when non-zero. The
// form is lossless: fromJson(toJson(m)) == m.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "isup/message.h"

namespace siptgw::isup {

enum class Framing { Wire, Body };  // Body: RFC 3204 form, no CIC

std::string toJson(const Message& m, Framing framing = Framing::Wire, int indent = -1);
// Errors name the JSON path: "parameters.called_party_number.digits: not BCD digits".
Result<Message, std::string> fromJson(std::string_view json, Variant v, Framing framing = Framing::Wire);

std::string toHex(std::span<const uint8_t> bytes);
inline std::string toHex(const Bytes& b) { return toHex(std::span<const uint8_t>(b.data(), b.size())); }
// Accepts upper/lower case and ignores spaces and colons.
Result<std::vector<uint8_t>, std::string> fromHex(std::string_view hex);

}  // namespace siptgw::isup
