// SIP text and ISUP wire helpers for the mapping tests: messages are built as text and
// parsed by sip/, IAMs are encoded and decoded by isup/, so each test crosses the real
// codecs the gateway will use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "isup/codec.h"
#include "isup/message.h"
#include "mapping/profile.h"
#include "sip/message.h"

namespace siptgw::mapping::test {

inline constexpr std::string_view kSdpPcma =
    "v=0\r\n"
    "o=- 1 1 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 4000 RTP/AVP 8 0 101\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

// A parsed message that owns its text (sip::Message views its buffer).
struct Sip {
  std::string text;
  sip::Message msg;
  explicit Sip(std::string t) : text(std::move(t)) {
    auto r = msg.parse(text);
    EXPECT_TRUE(r.ok()) << text;
  }
  Sip(const Sip&) = delete;  // msg views text
  Sip& operator=(const Sip&) = delete;
};

// An INVITE to `ruri` with the given extra header lines (each ending in CRLF) and body.
inline std::string invite(std::string_view ruri, std::string_view headers,
                          std::string_view body = kSdpPcma,
                          std::string_view contentType = "application/sdp") {
  std::string m = "INVITE " + std::string(ruri) + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\n";
  m += "Call-ID: c1@192.0.2.10\r\n";
  m += "CSeq: 1 INVITE\r\n";
  m += "Contact: <sip:192.0.2.10:5060>\r\n";
  m += headers;
  if (!body.empty()) m += "Content-Type: " + std::string(contentType) + "\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  m += body;
  return m;
}

// Standard From/To/Max-Forwards for the INVITE tests.
inline std::string basicHeaders(std::string_view from = "<sip:+4940111@peer.example.net;user=phone>",
                                std::string_view to = "<tel:+4930123456>",
                                int maxForwards = 70) {
  return "From: " + std::string(from) + ";tag=f1\r\nTo: " + std::string(to) +
         "\r\nMax-Forwards: " + std::to_string(maxForwards) + "\r\n";
}

// The RFC 3398 profile of a gateway homed in country code 49.
inline Profile germanRfc3398() {
  Profile p = *builtinProfile("rfc3398");
  p.numbers.countryCode = "49";
  return p;
}

// encode → decode through the ISUP codec (what the far exchange will see).
inline isup::Message wire(const isup::Message& m) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(isup::encode(m, bytes)) << "message does not encode";
  auto d = isup::decode(bytes, m.variant);
  EXPECT_TRUE(d.ok());
  return d.ok() ? std::move(d).value() : isup::Message{};
}

}  // namespace siptgw::mapping::test
