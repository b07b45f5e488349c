// Stream framing for SIP over TCP/TLS (RFC 3261 §18.3): given the bytes received so far on
// a connection, says whether a complete message is there and how long it is, using the
// mandatory Content-Length. Leading CRLFs are skipped (RFC 3261 §7.5); a double-CRLF
// keep-alive ping is reported so the transport answers with a single-CRLF pong (RFC 5626
// §3.5.1). Does not parse the message itself: that is Message::parse on the framed bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/result.h"
#include "sip/message.h"
#include "sip/parse_error.h"

namespace siptgw::sip {

struct Frame {
  enum class Kind : std::uint8_t {
    NeedMore,   // incomplete: read more and call again with all unconsumed bytes
    Message,    // a message of `size` bytes starts at `skip`
    KeepAlive,  // a CRLFCRLF ping: consume `skip` bytes and send "\r\n" back
  };
  Kind kind = Kind::NeedMore;
  std::size_t skip = 0;  // bytes before the message (keep-alive CRLFs) to consume
  std::size_t size = 0;  // message bytes (Kind::Message)
};

// Errors: LineTooLong (header section too big), BadContentLength, MissingHeader
// (no Content-Length on a stream: RFC 3261 §18.3 makes it mandatory), BodyTooLarge.
Result<Frame, ParseError> frameStream(std::string_view received, const ParseLimits& limits = {});

}  // namespace siptgw::sip
