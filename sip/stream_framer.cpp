// Stream framing (RFC 3261 §18.3, RFC 5626 §3.5.1). See stream_framer.h.
#include "sip/stream_framer.h"

#include <cstring>
#include <optional>

#include "sip/header_id.h"
#include "sip/headers.h"
#include "sip/text.h"

namespace siptgw::sip {

Result<Frame, ParseError> frameStream(std::string_view in, const ParseLimits& limits) {
  Frame f;
  std::size_t pos = 0;
  while (pos < in.size() && (in[pos] == '\r' || in[pos] == '\n')) ++pos;
  if (pos >= 4 && in.substr(0, 4) == "\r\n\r\n") {
    // RFC 5626 §3.5.1 ping: exactly one CRLFCRLF is a ping; a pong is a single CRLF.
    f.kind = Frame::Kind::KeepAlive;
    f.skip = 4;
    return f;
  }
  if (pos == in.size()) {
    // Only CRLFs so far: a ping may still be completing, so nothing is consumed yet.
    return f;
  }
  f.skip = pos;
  // Find the end of the header section: the first empty line.
  std::size_t lineStart = pos;
  std::size_t headerEnd = std::string_view::npos;
  std::optional<std::uint32_t> contentLength;
  bool first = true;
  while (lineStart < in.size()) {
    const void* p = std::memchr(in.data() + lineStart, '\n', in.size() - lineStart);
    if (p == nullptr) break;
    std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(p) - in.data());
    std::size_t end = (lf > lineStart && in[lf - 1] == '\r') ? lf - 1 : lf;
    if (end == lineStart) {
      headerEnd = lf + 1;
      break;
    }
    std::string_view line = in.substr(lineStart, end - lineStart);
    if (!first && !isWs(line[0])) {
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos &&
          lookupHeader(trimRight(line.substr(0, colon))) == HeaderId::ContentLength) {
        auto cl = parseContentLength(line.substr(colon + 1));
        if (!cl) return parseFail(ParseErrc::BadContentLength, "Content-Length is not a number");
        if (contentLength && *contentLength != cl.value()) {
          return parseFail(ParseErrc::BadContentLength, "conflicting Content-Length values");
        }
        contentLength = cl.value();
      }
    }
    first = false;
    lineStart = lf + 1;
  }
  if (headerEnd == std::string_view::npos) {
    if (in.size() - pos > limits.maxMessageSize || in.size() - lineStart > limits.maxLineLength) {
      return parseFail(ParseErrc::LineTooLong, "header section too long without end");
    }
    return f;  // NeedMore
  }
  if (!contentLength) {
    return parseFail(ParseErrc::MissingHeader, "Content-Length is mandatory on streams", 0,
                     "Content-Length");
  }
  if (*contentLength > limits.maxBodySize) {
    return parseFail(ParseErrc::BodyTooLarge, "body exceeds size limit", 0, "Content-Length");
  }
  std::size_t total = headerEnd + *contentLength;
  if (total - pos > limits.maxMessageSize) {
    return parseFail(ParseErrc::MessageTooLarge, "message exceeds size limit");
  }
  if (in.size() < total) return f;  // NeedMore
  f.kind = Frame::Kind::Message;
  f.size = total - pos;
  return f;
}

}  // namespace siptgw::sip
