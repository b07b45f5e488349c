#include "gateway/taps.h"

#include "sip/message.h"

namespace siptgw::gateway {

void SipTap::onMessage(sip::Message& m, const sip::Source& src) {
  if (hook) {
    if (m.isRequest()) {
      hook(m.method(), 0, false);
    } else {
      hook({}, m.statusCode(), false);
    }
  }
  if (upper_) upper_->onMessage(m, src);
}

sip::TransportErrc SipTap::send(const sip::Destination& dst, std::string_view bytes, std::uint64_t cookie) {
  const sip::TransportErrc r = lower_.send(dst, bytes, cookie);
  if (hook && r == sip::TransportErrc::Ok) {
    // Start line only: "SIP/2.0 183 ..." or "INVITE sip:... SIP/2.0".
    if (bytes.size() > 12 && bytes.substr(0, 8) == "SIP/2.0 ") {
      const uint16_t code = static_cast<uint16_t>((bytes[8] - '0') * 100 + (bytes[9] - '0') * 10 + (bytes[10] - '0'));
      hook({}, code, true);
    } else {
      hook(bytes.substr(0, bytes.find(' ')), 0, true);
    }
  }
  return r;
}

}  // namespace siptgw::gateway
