// ParseError: the typed error every SIP, SDP and multipart parser in sip/ returns through
// siptgw::Result. It names what failed (ParseErrc), where (1-based line of the message,
// header name) and why (a static sentence), so `siptgw sip check` can print one line such as
// "line 3: Via: missing branch parameter" (RFC 3261 §7 / §25 grammar violations).
// It holds no owned strings: building an error never allocates, so a flood of malformed
// packets costs no heap traffic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/result.h"

namespace siptgw::sip {

enum class ParseErrc : std::uint8_t {
  Empty,                  // nothing but whitespace
  BadStartLine,           // neither Request-Line nor Status-Line (RFC 3261 §7.1, §7.2)
  BadVersion,             // SIP-Version is not SIP/2.0
  BadMethod,              // method is not a token
  BadRequestUri,          // Request-URI does not parse (RFC 3261 §19.1, RFC 3966)
  BadStatusCode,          // Status-Code is not 3 digits 100..699
  BadLineEnding,          // a bare CR
  LineTooLong,            // ParseLimits::maxLineLength
  TooManyHeaders,         // ParseLimits::maxHeaders (and the inline index capacity)
  TooManyValues,          // a typed list header has more values than its inline capacity
  BadHeaderLine,          // no colon, name not a token, continuation without a header
  MissingEmptyLine,       // header section not terminated by an empty line
  BodyTooLarge,           // ParseLimits::maxBodySize
  MessageTooLarge,        // ParseLimits::maxMessageSize
  BadContentLength,       // Content-Length not a number, or several disagreeing ones
  TruncatedBody,          // fewer body bytes than Content-Length says
  ContentLengthMismatch,  // checkMessage: more bytes than Content-Length says
  MissingHeader,          // a mandatory header is absent (RFC 3261 §8.1.1)
  DuplicateHeader,        // a single-valued header appears twice
  BadHeaderValue,         // a typed header's value does not match its grammar
  CSeqMethodMismatch,     // CSeq method differs from the request method (RFC 3261 §8.1.1.5)
  BadUri,                 // a URI inside a header does not parse
  BadSdp,                 // RFC 4566 grammar
  BadMultipart,           // RFC 2046 §5.1 grammar
};

struct ParseError {
  ParseErrc code = ParseErrc::BadHeaderValue;
  const char* what = "";      // static sentence; never owned
  std::uint32_t line = 0;     // 1-based line in the message (0: not known / not a line)
  std::string_view header{};  // canonical header name (static) or SDP line type

  // One human-readable line: "line 3: Via: missing branch parameter".
  std::string message() const;
};

const char* toString(ParseErrc code);

inline Unexpected<ParseError> parseFail(ParseErrc code, const char* what, std::uint32_t line = 0,
                                        std::string_view header = {}) {
  return Unexpected<ParseError>{ParseError{code, what, line, header}};
}

}  // namespace siptgw::sip
