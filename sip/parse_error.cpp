// ParseError formatting. See parse_error.h.
#include "sip/parse_error.h"

namespace siptgw::sip {

const char* toString(ParseErrc code) {
  switch (code) {
    case ParseErrc::Empty:
      return "empty";
    case ParseErrc::BadStartLine:
      return "bad start line";
    case ParseErrc::BadVersion:
      return "bad version";
    case ParseErrc::BadMethod:
      return "bad method";
    case ParseErrc::BadRequestUri:
      return "bad Request-URI";
    case ParseErrc::BadStatusCode:
      return "bad status code";
    case ParseErrc::BadLineEnding:
      return "bad line ending";
    case ParseErrc::LineTooLong:
      return "line too long";
    case ParseErrc::TooManyHeaders:
      return "too many headers";
    case ParseErrc::TooManyValues:
      return "too many values";
    case ParseErrc::BadHeaderLine:
      return "bad header line";
    case ParseErrc::MissingEmptyLine:
      return "missing empty line";
    case ParseErrc::BodyTooLarge:
      return "body too large";
    case ParseErrc::MessageTooLarge:
      return "message too large";
    case ParseErrc::BadContentLength:
      return "bad Content-Length";
    case ParseErrc::TruncatedBody:
      return "truncated body";
    case ParseErrc::ContentLengthMismatch:
      return "Content-Length mismatch";
    case ParseErrc::MissingHeader:
      return "missing header";
    case ParseErrc::DuplicateHeader:
      return "duplicate header";
    case ParseErrc::BadHeaderValue:
      return "bad header value";
    case ParseErrc::CSeqMethodMismatch:
      return "CSeq method mismatch";
    case ParseErrc::BadUri:
      return "bad URI";
    case ParseErrc::BadSdp:
      return "bad SDP";
    case ParseErrc::BadMultipart:
      return "bad multipart body";
  }
  return "unknown";
}

std::string ParseError::message() const {
  std::string out;
  out.reserve(64);
  if (line != 0) {
    out += "line ";
    out += std::to_string(line);
    out += ": ";
  }
  if (!header.empty()) {
    out += header;
    out += ": ";
  }
  out += (what != nullptr && *what != '\0') ? what : toString(code);
  return out;
}

}  // namespace siptgw::sip
