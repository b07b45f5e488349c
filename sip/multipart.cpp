// Multipart parsing and building (RFC 2046 §5.1.1, RFC 5621, RFC 3204). See multipart.h.
#include "sip/multipart.h"

namespace siptgw::sip {

namespace {

Unexpected<ParseError> mpFail(const char* what) {
  return parseFail(ParseErrc::BadMultipart, what, 0, "multipart");
}

bool isBoundaryChar(char c) {  // RFC 2046 §5.1.1 bchars
  return isAlpha(c) || isDigit(c) ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

// Finds "--boundary" at `from` or later, at the start of the body or after CRLF.
// Returns the index of the CRLF before it (or 0 at the start), npos when absent.
std::size_t findDelimiter(std::string_view s, std::string_view boundary, std::size_t from,
                          bool allowAtStart) {
  std::size_t pos = from;
  for (;;) {
    std::size_t d = s.find(boundary, pos);
    if (d == std::string_view::npos) return d;
    if (d >= 2 && s[d - 1] == '-' && s[d - 2] == '-') {
      std::size_t dash = d - 2;
      if (dash == 0 && allowAtStart && from == 0) return 0;
      if (dash >= 2 && s[dash - 1] == '\n' && s[dash - 2] == '\r' && dash - 2 >= from) {
        return dash - 2;
      }
    }
    pos = d + 1;
  }
}

}  // namespace

std::string_view MimePart::header(std::string_view name) const {
  for (const MimeHeader& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

Result<ContentType, ParseError> MimePart::contentType() const {
  for (const MimeHeader& h : headers) {
    if (iequals(h.name, "Content-Type") || iequals(h.name, "c")) return parseContentType(h.value);
  }
  return parseFail(ParseErrc::MissingHeader, "part without Content-Type", 0, "Content-Type");
}

Result<ContentDisposition, ParseError> MimePart::contentDisposition() const {
  for (const MimeHeader& h : headers) {
    if (iequals(h.name, "Content-Disposition")) return parseContentDisposition(h.value);
  }
  return parseFail(ParseErrc::MissingHeader, "part without Content-Disposition", 0,
                   "Content-Disposition");
}

Result<MultipartBody, ParseError> parseMultipart(std::string_view s, std::string_view boundary) {
  if (boundary.empty() || boundary.size() > 70) return mpFail("boundary must be 1..70 characters");
  for (char c : boundary) {
    if (!isBoundaryChar(c)) return mpFail("bad character in boundary");
  }
  if (boundary.back() == ' ') return mpFail("boundary ends with a space");
  MultipartBody mp;
  mp.boundary = boundary;
  std::size_t d = findDelimiter(s, boundary, 0, true);
  if (d == std::string_view::npos) return mpFail("no boundary delimiter found");
  // d == 0 with "--" at 0: no preamble; otherwise the preamble ends with the CRLF at d.
  std::size_t dashPos = (d == 0 && s.substr(0, 2) == "--") ? 0 : d + 2;
  mp.preamble = s.substr(0, dashPos);
  std::size_t pos = dashPos + 2 + boundary.size();
  for (;;) {
    if (s.substr(pos, 2) == "--") {
      mp.epilogue = s.substr(pos + 2);
      break;
    }
    // transport-padding then CRLF
    std::size_t padStart = pos;
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
    if (s.substr(pos, 2) != "\r\n") return mpFail("delimiter line not ended by CRLF");
    MimePart part;
    part.padding = s.substr(padStart, pos - padStart);
    pos += 2;
    std::size_t next = findDelimiter(s, boundary, pos, false);
    if (next == std::string_view::npos) return mpFail("missing close delimiter");
    part.raw = s.substr(pos, next - pos);
    // part headers up to the first empty line (none when the part starts with CRLF)
    std::string_view r = part.raw;
    std::size_t p = 0;
    for (;;) {
      std::size_t eol = r.find("\r\n", p);
      if (eol == std::string_view::npos) {
        if (p == 0 && !r.empty()) return mpFail("part without empty line after headers");
        if (p != r.size()) return mpFail("part headers not terminated");
        part.body = {};
        break;
      }
      if (eol == p) {
        part.body = r.substr(eol + 2);
        break;
      }
      std::string_view line = r.substr(p, eol - p);
      if (isWs(line[0])) {
        if (part.headers.empty()) return mpFail("continuation line without a part header");
        // folded part header: extend the value (kept raw; typed parsers accept CRLF SP)
        MimeHeader& h = part.headers.back();
        h.value = std::string_view(h.value.data(), r.data() + eol - h.value.data());
      } else {
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return mpFail("part header without colon");
        MimeHeader h{trim(line.substr(0, colon)), trim(line.substr(colon + 1))};
        if (!isToken(h.name)) return mpFail("bad part header name");
        if (!part.headers.push(h)) {
          return parseFail(ParseErrc::TooManyValues, "too many part headers", 0, "multipart");
        }
      }
      p = eol + 2;
    }
    mp.parts.push_back(part);
    pos = next + 2 + 2 + boundary.size();  // CRLF "--" boundary
  }
  if (mp.parts.empty()) return mpFail("multipart body without parts");
  return mp;
}

void serialize(const MultipartBody& mp, std::string& out) {
  out.append(mp.preamble);
  bool first = true;
  for (const MimePart& p : mp.parts) {
    if (!first) out.append("\r\n");
    first = false;
    out.append("--").append(mp.boundary).append(p.padding).append("\r\n").append(p.raw);
  }
  out.append("\r\n--").append(mp.boundary).append("--").append(mp.epilogue);
}

bool buildMultipart(std::string& out, std::string_view boundary,
                    std::initializer_list<PartSpec> parts) {
  std::size_t need = 0;
  for (const PartSpec& p : parts) {
    if (p.body.find(boundary) != std::string_view::npos) return false;
    need += p.body.size() + p.contentType.size() + p.contentDisposition.size() + 64;
  }
  out.reserve(out.size() + need + boundary.size() * (parts.size() + 1) + 8);
  for (const PartSpec& p : parts) {
    out.append("--").append(boundary).append("\r\n");
    out.append("Content-Type: ").append(p.contentType).append("\r\n");
    if (!p.contentDisposition.empty()) {
      out.append("Content-Disposition: ").append(p.contentDisposition).append("\r\n");
    }
    out.append("\r\n").append(p.body).append("\r\n");
  }
  out.append("--").append(boundary).append("--\r\n");
  return true;
}

bool buildSdpIsupBody(std::string& out, std::string_view boundary, std::string_view sdp,
                      std::string_view isup, bool isupRequired) {
  return buildMultipart(
      out, boundary,
      {PartSpec{"application/sdp", "", sdp},
       PartSpec{kIsupContentType,
                isupRequired ? "signal;handling=required" : "signal;handling=optional", isup}});
}

}  // namespace siptgw::sip
