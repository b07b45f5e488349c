#include "gateway/isup_tool.h"

#include <ostream>

#include "isup/codec.h"

namespace siptgw::gateway {

int isupDecode(const std::string& hex, isup::Variant v, isup::Framing f, bool pretty, std::ostream& out,
               std::ostream& err) {
  auto bytes = isup::fromHex(hex);
  if (!bytes) {
    err << "error: hex input: " << bytes.error() << "\n";
    return 1;
  }
  auto m = f == isup::Framing::Body ? isup::decodeBody(*bytes, v) : isup::decode(*bytes, v);
  if (!m) {
    const auto& e = m.error();
    err << "error: " << e.describe(v) << " (Q.850 cause " << int(e.cause()) << ")\n";
    return 1;
  }
  out << isup::toJson(*m, f, pretty ? 2 : -1) << "\n";
  return 0;
}

int isupEncode(const std::string& json, isup::Variant v, isup::Framing f, std::ostream& out, std::ostream& err) {
  auto m = isup::fromJson(json, v, f);
  if (!m) {
    err << "error: " << m.error() << "\n";
    return 1;
  }
  std::vector<uint8_t> bytes;
  bool ok = f == isup::Framing::Body ? isup::encodeBody(*m, bytes) : isup::encode(*m, bytes);
  if (!ok) {
    err << "error: the message cannot be encoded (a value out of range, or over 255 octets in a parameter)\n";
    return 1;
  }
  out << isup::toHex(bytes) << "\n";
  return 0;
}

}  // namespace siptgw::gateway
