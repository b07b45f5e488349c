// Sample messages shared by the SIP tests (RFC 3261 §24.2 style INVITE with SDP).
#pragma once

#include <string>
#include <string_view>

namespace siptgw::sip::test {

inline constexpr std::string_view kInviteSdp =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.com\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.101\r\n"
    "t=0 0\r\n"
    "m=audio 49172 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

// A complete INVITE with the given body; Content-Length computed.
inline std::string makeInvite(std::string_view body = kInviteSdp) {
  std::string m =
      "INVITE sip:+4930123456@gw.example.net;user=phone SIP/2.0\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
      "Max-Forwards: 70\r\n"
      "From: \"Alice\" <sip:+4940111@atlanta.com;user=phone>;tag=1928301774\r\n"
      "To: <sip:+4930123456@gw.example.net;user=phone>\r\n"
      "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Contact: <sip:alice@pc33.atlanta.com:5060;transport=udp>\r\n"
      "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, INFO, OPTIONS\r\n"
      "Supported: 100rel, timer, precondition\r\n"
      "P-Asserted-Identity: \"Alice\" <sip:+4940111@atlanta.com;user=phone>, <tel:+4940111>\r\n"
      "X-Vendor-Thing: keep me; exactly ,as is\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: ";
  m += std::to_string(body.size());
  m += "\r\n\r\n";
  m += body;
  return m;
}

// Replace "@@" in a template with the body length, for torture messages.
inline std::string withLength(std::string_view head, std::string_view body) {
  std::string m(head);
  auto at = m.find("@@");
  if (at != std::string::npos) m.replace(at, 2, std::to_string(body.size()));
  m += body;
  return m;
}

}  // namespace siptgw::sip::test
