// MTP3 framing of a user message: service information octet and routing label (ITU-T
// Q.704 §14.2 and §2.2; ANSI T1.111.4 §14.2/§2.2 with 24-bit point codes). Used for pcap
// traces (link type MTP3 = 141 carries exactly SIO + routing label + user part) and by the
// MTP user interface.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "config/result.h"
#include "isup/types.h"

namespace siptgw::isup {

constexpr uint8_t kServiceIndicatorIsup = 5;  // Q.704 §14.2.1

struct Mtp3Header {
  uint8_t service_indicator = kServiceIndicatorIsup;
  uint8_t network_indicator = 2;  // 0 international, 1 spare, 2 national, 3 national spare
  uint8_t priority = 0;           // ANSI (and some national ITU variants): message priority
  uint32_t dpc = 0;
  uint32_t opc = 0;
  uint8_t sls = 0;
  bool operator==(const Mtp3Header&) const = default;
};

constexpr std::size_t mtp3HeaderSize(Variant v) { return v == Variant::Ansi ? 8 : 5; }

// Writes SIO + routing label; returns octets written, -1 when a field is out of range
// (ITU: point codes 14 bits, SLS 4 bits; ANSI: point codes 24 bits) or `out` is too small.
int encodeMtp3Header(const Mtp3Header& h, Variant v, std::span<uint8_t> out);
// Reads SIO + routing label from the front of `in`.
Result<Mtp3Header, std::string> decodeMtp3Header(std::span<const uint8_t> in, Variant v);

// Point code text forms: "2-100-1" style 3-8-3 (ITU) / 8-8-8 (ANSI) or a plain integer.
std::string formatPointCode(uint32_t pc, Variant v);
Result<uint32_t, std::string> parsePointCode(std::string_view s, Variant v);

}  // namespace siptgw::isup
