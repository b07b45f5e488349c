// Multipart bodies (RFC 2046 §5.1, as used by SIP per RFC 5621): zero-copy parsing of
// multipart/mixed into parts with their own Content-Type / Content-Disposition (handling=
// required|optional, RFC 3261 §20.11 / RFC 5621 §3.2), byte-exact re-serialisation, and a
// builder for the SIP-T/SIP-I body an MGCF sends: an SDP part plus an
// `application/ISUP; version=itu-t92+` part (RFC 3204 §3) whose bytes are opaque here.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "sip/headers.h"
#include "sip/inline_vec.h"
#include "sip/parse_error.h"

namespace siptgw::sip {

struct MimeHeader {
  std::string_view name;
  std::string_view value;
};

struct MimePart {
  std::string_view padding;  // transport-padding after the delimiter (usually empty)
  std::string_view raw;      // headers, empty line and body exactly as received
  InlineVec<MimeHeader, 8> headers;
  std::string_view body;

  // RFC 2046 §5.1: a part without Content-Type is text/plain; we report MissingHeader and
  // let the caller decide.
  Result<ContentType, ParseError> contentType() const;
  Result<ContentDisposition, ParseError> contentDisposition() const;
  std::string_view header(std::string_view name) const;  // "" when absent
};

struct MultipartBody {
  std::string_view boundary;
  std::string_view preamble;  // bytes before the first delimiter, incl. its CRLF
  std::vector<MimePart> parts;
  std::string_view epilogue;  // bytes after "--boundary--", incl. padding and CRLF
};

// body: the SIP message body; boundary: the Content-Type boundary parameter (unquoted).
Result<MultipartBody, ParseError> parseMultipart(std::string_view body, std::string_view boundary);
void serialize(const MultipartBody& mp, std::string& out);

struct PartSpec {
  std::string_view contentType;         // e.g. "application/sdp"
  std::string_view contentDisposition;  // e.g. "signal;handling=optional"; "" to omit
  std::string_view body;
};
// Writes a multipart/mixed body. Returns false when the boundary occurs in a part (the
// caller then picks another): with binary ISUP content this can happen.
bool buildMultipart(std::string& out, std::string_view boundary,
                    std::initializer_list<PartSpec> parts);

inline constexpr std::string_view kIsupContentType = "application/ISUP; version=itu-t92+";
// SDP + ISUP body for SIP-T/SIP-I (RFC 3204 §3, RFC 3372): ISUP handling=optional unless
// `isupRequired` (a peer that does not understand ISUP may then fail the request).
bool buildSdpIsupBody(std::string& out, std::string_view boundary, std::string_view sdp,
                      std::string_view isup, bool isupRequired = false);

}  // namespace siptgw::sip
