#include "isup/mtp3.h"

#include <charconv>

namespace siptgw::isup {

int encodeMtp3Header(const Mtp3Header& h, Variant v, std::span<uint8_t> out) {
  if (out.size() < mtp3HeaderSize(v) || h.service_indicator > 15 || h.network_indicator > 3 ||
      h.priority > 3)
    return -1;
  out[0] = static_cast<uint8_t>(h.network_indicator << 6 | h.priority << 4 | h.service_indicator);
  if (v == Variant::Ansi) {
    if (h.dpc > 0xFFFFFF || h.opc > 0xFFFFFF) return -1;
    for (int i = 0; i < 3; ++i) {
      out[1 + i] = static_cast<uint8_t>(h.dpc >> (8 * i));
      out[4 + i] = static_cast<uint8_t>(h.opc >> (8 * i));
    }
    out[7] = h.sls;
    return 8;
  }
  if (h.dpc > 0x3FFF || h.opc > 0x3FFF || h.sls > 15) return -1;
  const uint32_t label = h.dpc | h.opc << 14 | static_cast<uint32_t>(h.sls) << 28;
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<uint8_t>(label >> (8 * i));
  return 5;
}

Result<Mtp3Header, std::string> decodeMtp3Header(std::span<const uint8_t> in, Variant v) {
  if (in.size() < mtp3HeaderSize(v)) return Unexpected{std::string("MTP3 header truncated")};
  Mtp3Header h;
  h.service_indicator = in[0] & 0x0F;
  h.priority = (in[0] >> 4) & 0x03;
  h.network_indicator = in[0] >> 6;
  if (v == Variant::Ansi) {
    h.dpc = static_cast<uint32_t>(in[1] | in[2] << 8 | in[3] << 16);
    h.opc = static_cast<uint32_t>(in[4] | in[5] << 8 | in[6] << 16);
    h.sls = in[7];
  } else {
    const uint32_t label = static_cast<uint32_t>(in[1] | in[2] << 8 | in[3] << 16) | static_cast<uint32_t>(in[4]) << 24;
    h.dpc = label & 0x3FFF;
    h.opc = (label >> 14) & 0x3FFF;
    h.sls = static_cast<uint8_t>(label >> 28);
  }
  return h;
}

std::string formatPointCode(uint32_t pc, Variant v) {
  if (v == Variant::Ansi)
    return std::to_string(pc >> 16 & 0xFF) + "-" + std::to_string(pc >> 8 & 0xFF) + "-" + std::to_string(pc & 0xFF);
  return std::to_string(pc >> 11 & 0x7) + "-" + std::to_string(pc >> 3 & 0xFF) + "-" + std::to_string(pc & 0x7);
}

Result<uint32_t, std::string> parsePointCode(std::string_view s, Variant v) {
  uint32_t part[3] = {};
  int n = 0;
  const char* p = s.data();
  const char* end = s.data() + s.size();
  while (p < end) {
    if (n == 3) return Unexpected{std::string("point code: too many parts in '") + std::string(s) + "'"};
    auto r = std::from_chars(p, end, part[n]);
    if (r.ec != std::errc{} || r.ptr == p) return Unexpected{std::string("point code: not a number in '") + std::string(s) + "'"};
    ++n;
    p = r.ptr;
    if (p < end) {
      if (*p != '-' && *p != '.') return Unexpected{std::string("point code: bad separator in '") + std::string(s) + "'"};
      ++p;
      if (p == end) return Unexpected{std::string("point code: trailing separator in '") + std::string(s) + "'"};
    }
  }
  const uint32_t max = v == Variant::Ansi ? 0xFFFFFF : 0x3FFF;
  if (n == 1) {
    if (part[0] > max) return Unexpected{std::string("point code out of range: ") + std::string(s)};
    return part[0];
  }
  if (n != 3) return Unexpected{std::string("point code: expected 3 parts or an integer: ") + std::string(s)};
  if (v == Variant::Ansi) {
    if (part[0] > 255 || part[1] > 255 || part[2] > 255) return Unexpected{std::string("point code part out of range (8-8-8): ") + std::string(s)};
    return part[0] << 16 | part[1] << 8 | part[2];
  }
  if (part[0] > 7 || part[1] > 255 || part[2] > 7) return Unexpected{std::string("point code part out of range (3-8-3): ") + std::string(s)};
  return part[0] << 11 | part[1] << 3 | part[2];
}

}  // namespace siptgw::isup
