// libFuzzer target for the ISUP decoder. Input: one selector octet (bit 0: ANSI, bit 1:
// RFC 3204 body framing), then the message. Checks, beyond "no crash": whatever decodes
// re-encodes to the very input octets, and survives the JSON form unchanged.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "isup/codec.h"
#include "isup/json.h"

using namespace siptgw::isup;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Variant v = (data[0] & 1) ? Variant::Ansi : Variant::Itu;
  const bool body = data[0] & 2;
  std::span<const uint8_t> in(data + 1, size - 1);
  auto m = body ? decodeBody(in, v) : decode(in, v);
  if (!m.ok()) {
    if (m.error().offset > in.size() || m.error().describe(v).empty()) std::abort();
    return 0;
  }
  std::vector<uint8_t> out;
  if (!(body ? encodeBody(*m, out) : encode(*m, out))) std::abort();
  if (out.size() != in.size() || std::memcmp(out.data(), in.data(), in.size()) != 0) std::abort();
  auto j = fromJson(toJson(*m, body ? Framing::Body : Framing::Wire), v, body ? Framing::Body : Framing::Wire);
  if (!j.ok() || !(*j == *m)) std::abort();
  return 0;
}
