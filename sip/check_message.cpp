// Well-formedness check (RFC 3261 §7, §8.1.1, §25). See check_message.h.
#include "sip/check_message.h"

#include "sip/multipart.h"
#include "sip/sdp.h"

namespace siptgw::sip {

namespace {

template <class R>
std::optional<ParseError> failed(const R& r) {
  if (r) return std::nullopt;
  return r.error();
}

}  // namespace

Result<Ok, ParseError> checkParsed(const Message& m) {
  if (m.isRequest()) {
    static constexpr HeaderId kMandatory[] = {HeaderId::To,          HeaderId::From,
                                              HeaderId::CSeq,        HeaderId::CallId,
                                              HeaderId::MaxForwards, HeaderId::Via};
    for (HeaderId id : kMandatory) {
      if (!m.has(id)) {
        return parseFail(ParseErrc::MissingHeader, "missing mandatory header", 0, headerName(id));
      }
    }
  }
  // Via: every value parses; requests need a branch on each (§8.1.1.7).
  std::optional<ParseError> err;
  m.forEachValue(HeaderId::Via, [&](std::string_view v, const HeaderField& h) {
    auto via = parseVia(v);
    if (!via) {
      err = via.error();
    } else if (m.isRequest() && via->branch.empty()) {
      err = ParseError{ParseErrc::BadHeaderValue, "missing branch parameter"};
    }
    if (err) {
      err->line = h.line;
      err->header = "Via";
    }
    return !err;
  });
  if (err) return Unexpected<ParseError>{*err};

  if (auto e = failed(m.from())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.to())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.callId())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.cseq())) return Unexpected<ParseError>{*e};
  if (m.has(HeaderId::MaxForwards)) {
    if (auto e = failed(m.maxForwards())) return Unexpected<ParseError>{*e};
  }
  if (m.isRequest() && m.cseq()->method != m.method()) {
    const HeaderField* h = m.find(HeaderId::CSeq);
    return parseFail(ParseErrc::CSeqMethodMismatch, "method does not match the request method",
                     h->line, "CSeq");
  }
  if (auto e = failed(m.contacts())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.routes())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.recordRoutes())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.reasons())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.pAssertedIdentities())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.historyInfo())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.diversions())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.recvInfo())) return Unexpected<ParseError>{*e};
  if (auto e = failed(m.pEarlyMedia())) return Unexpected<ParseError>{*e};
  for (HeaderId id : {HeaderId::Require, HeaderId::ProxyRequire, HeaderId::Supported,
                      HeaderId::Unsupported, HeaderId::Allow}) {
    if (auto e = failed(m.tokens(id))) return Unexpected<ParseError>{*e};
  }
  // Single-valued optional headers: check only when present.
  if (m.has(HeaderId::ContentType)) {
    if (auto e = failed(m.contentType())) return Unexpected<ParseError>{*e};
  }
  if (m.has(HeaderId::ContentDisposition)) {
    if (auto e = failed(m.contentDisposition())) return Unexpected<ParseError>{*e};
  }
  if (m.has(HeaderId::Expires)) {
    if (auto e = failed(m.expires())) return Unexpected<ParseError>{*e};
  }
  if (m.has(HeaderId::RSeq)) {
    if (auto e = failed(m.rseq())) return Unexpected<ParseError>{*e};
  }
  if (m.has(HeaderId::RAck)) {
    if (auto e = failed(m.rack())) return Unexpected<ParseError>{*e};
  }
  if (m.has(HeaderId::SessionExpires)) {
    if (auto e = failed(m.sessionExpires())) return Unexpected<ParseError>{*e};
  }
  if (m.has(HeaderId::MinSE)) {
    if (auto e = failed(m.minSE())) return Unexpected<ParseError>{*e};
  }
  if (m.has(HeaderId::Privacy)) {
    if (auto e = failed(m.privacy())) return Unexpected<ParseError>{*e};
  }
  if (m.has(HeaderId::InfoPackage)) {
    if (auto e = failed(m.infoPackage())) return Unexpected<ParseError>{*e};
  }
  if (!m.body().empty() && !m.has(HeaderId::ContentType)) {
    // RFC 3261 §20.15: a non-empty body MUST come with Content-Type.
    return parseFail(ParseErrc::MissingHeader, "body present without Content-Type", 0,
                     "Content-Type");
  }
  return Ok{};
}

namespace {

// Bodies the gateway interprets must parse too: SDP (RFC 4566) and multipart (RFC 2046,
// RFC 5621) with SDP parts. Errors name the line in the given bytes, not in the body, so a
// user can jump to it in the file.
Result<Ok, ParseError> checkBodies(const Message& m, std::string_view bytes) {
  if (m.body().empty() || !m.has(HeaderId::ContentType)) return Ok{};
  auto lineOf = [&](const char* p) {
    std::uint32_t n = 1;
    for (const char* q = bytes.data(); q < p; ++q) n += *q == '\n' ? 1 : 0;
    return n;
  };
  auto sdpAt = [&](std::string_view body) -> Result<Ok, ParseError> {
    auto r = parseSdp(body);
    if (r) return Ok{};
    ParseError e = r.error();
    e.line = e.line == 0 ? lineOf(body.data()) : e.line + lineOf(body.data()) - 1;
    return Unexpected<ParseError>{e};
  };
  auto ct = m.contentType();
  if (ct->is("application", "sdp")) return sdpAt(m.body());
  if (iequals(ct->type, "multipart")) {
    std::string_view boundary = ct->param("boundary");
    if (boundary.empty()) {
      return parseFail(ParseErrc::BadMultipart, "multipart body without boundary parameter",
                       m.find(HeaderId::ContentType)->line, "Content-Type");
    }
    auto mp = parseMultipart(m.body(), boundary);
    if (!mp) {
      ParseError e = mp.error();
      e.line = lineOf(m.body().data());
      return Unexpected<ParseError>{e};
    }
    for (const MimePart& part : mp->parts) {
      auto pct = part.contentType();
      if (part.headers.size() > 0 && !pct && pct.error().code != ParseErrc::MissingHeader) {
        ParseError e = pct.error();
        e.line = lineOf(part.raw.data());
        e.header = "Content-Type";
        return Unexpected<ParseError>{e};
      }
      if (pct && pct->is("application", "sdp")) {
        if (auto r = sdpAt(part.body); !r) return r;
      }
    }
  }
  return Ok{};
}

}  // namespace

Result<Ok, ParseError> checkMessage(std::string_view bytes) {
  Message m;
  if (auto r = m.parse(bytes); !r) return r;
  if (auto r = checkParsed(m); !r) return r;
  // On the given bytes Content-Length must match the body exactly: a datagram receiver
  // would silently drop the excess (§18.3), which a checker should point out.
  if (auto cl = m.contentLength()) {
    const char* bodyStart = m.body().data();
    std::size_t present = static_cast<std::size_t>(bytes.data() + bytes.size() - bodyStart);
    if (present != *cl) {
      const HeaderField* h = m.find(HeaderId::ContentLength);
      return parseFail(ParseErrc::ContentLengthMismatch,
                       "value does not match the length of the body", h ? h->line : 0,
                       "Content-Length");
    }
  }
  return checkBodies(m, bytes);
}

}  // namespace siptgw::sip
