// Typed header parsers. See headers.h for the RFC clause of each.
#include "sip/headers.h"

namespace siptgw::sip {

namespace {

Unexpected<ParseError> bad(const char* what) {
  return parseFail(ParseErrc::BadHeaderValue, what);
}

struct HeadParams {
  std::string_view head;
  std::string_view params;  // starts at ';' or empty
};
HeadParams splitParams(std::string_view v) {
  std::size_t semi = findTopLevel(v, ';');
  if (semi == std::string_view::npos) return {trim(v), {}};
  return {trim(v.substr(0, semi)), v.substr(semi)};
}

void skipWs(std::string_view s, std::size_t& i) {
  while (i < s.size() && (isWs(s[i]) || s[i] == '\r' || s[i] == '\n')) ++i;
}
std::string_view takeToken(std::string_view s, std::size_t& i) {
  std::size_t st = i;
  while (i < s.size() && isTokenChar(s[i])) ++i;
  return s.substr(st, i - st);
}

bool isQValue(std::string_view q) {
  // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return false;
  if (q.size() == 1) return true;
  if (q[1] != '.' || q.size() > 5) return false;
  for (std::size_t i = 2; i < q.size(); ++i) {
    if (!isDigit(q[i]) || (q[0] == '1' && q[i] != '0')) return false;
  }
  return true;
}

bool isIpAddressParam(std::string_view v) {
  // received = IPv4address / IPv6address; RFC 5118 §4.5 shows bracketed forms in the wild.
  if (v.empty()) return false;
  if (v.front() == '[') return isValidHost(v);
  if (v.find(':') != std::string_view::npos) return isIpv6Address(v);
  return isValidHost(v);
}

}  // namespace

Result<Via, ParseError> parseVia(std::string_view value) {
  Via via;
  auto [head, params] = splitParams(value);
  std::size_t i = 0;
  via.protocolName = takeToken(head, i);
  skipWs(head, i);
  if (via.protocolName.empty() || i >= head.size() || head[i] != '/') {
    return bad("bad sent-protocol");
  }
  ++i;
  skipWs(head, i);
  via.protocolVersion = takeToken(head, i);
  skipWs(head, i);
  if (via.protocolVersion.empty() || i >= head.size() || head[i] != '/') {
    return bad("bad sent-protocol");
  }
  ++i;
  skipWs(head, i);
  via.transport = takeToken(head, i);
  if (via.transport.empty()) return bad("bad sent-protocol transport");
  std::size_t before = i;
  skipWs(head, i);
  if (i == before) return bad("missing whitespace before sent-by");
  std::size_t hs = i;
  if (i < head.size() && head[i] == '[') {
    std::size_t close = head.find(']', i);
    if (close == std::string_view::npos) return bad("unterminated IPv6 reference in sent-by");
    i = close + 1;
  } else {
    while (i < head.size() && head[i] != ':' && !isWs(head[i])) ++i;
  }
  via.host = head.substr(hs, i - hs);
  if (!isValidHost(via.host)) return bad("bad sent-by host");
  skipWs(head, i);
  if (i < head.size() && head[i] == ':') {
    ++i;
    skipWs(head, i);
    std::size_t ps = i;
    while (i < head.size() && isDigit(head[i])) ++i;
    std::uint32_t port = 0;
    if (!parseUint(head.substr(ps, i - ps), 65535, port)) return bad("bad sent-by port");
    via.port = static_cast<std::uint16_t>(port);
    skipWs(head, i);
  }
  if (i != head.size()) return bad("unexpected text after sent-by");
  if (const char* err = validateParams(params, false)) return bad(err);
  via.params = ParamList(params);
  const char* err = nullptr;
  via.params.forEach([&](const ParamList::Param& p) {
    if (iequals(p.name, "branch")) {
      if (!p.hasValue || !isToken(p.value)) err = "bad branch parameter";
      via.branch = p.value;
    } else if (iequals(p.name, "received")) {
      if (!p.hasValue || !isIpAddressParam(p.value)) err = "bad received parameter";
      via.received = p.value;
    } else if (iequals(p.name, "maddr")) {
      if (!p.hasValue || !isValidHost(p.value)) err = "bad maddr parameter";
      via.maddr = p.value;
    } else if (iequals(p.name, "ttl")) {
      std::uint32_t t = 0;
      if (!p.hasValue || !parseUint(p.value, 255, t)) err = "bad ttl parameter";
      via.ttl = static_cast<std::uint8_t>(t);
    } else if (iequals(p.name, "rport")) {
      via.rport = true;
      if (p.hasValue) {
        std::uint32_t port = 0;
        if (!parseUint(p.value, 65535, port)) err = "bad rport parameter";
        via.rportValue = static_cast<std::uint16_t>(port);
      }
    }
  });
  if (err) return bad(err);
  return via;
}

bool parseNameAddrInto(std::string_view value, NameAddr& na, ParseError& err) {
  auto fail = [&err](const char* what, ParseErrc code = ParseErrc::BadHeaderValue) {
    err = ParseError{code, what};
    return false;
  };
  std::string_view v = trim(value);
  if (v.empty()) return fail("empty address");
  std::string_view rest;
  if (v[0] == '"') {
    std::size_t end = skipQuoted(v, 0);
    if (end == std::string_view::npos) return fail("unterminated quoted display name");
    na.displayName = v.substr(0, end);
    rest = trimLeft(v.substr(end));
    if (rest.empty() || rest[0] != '<') return fail("display name not followed by <URI>");
  } else {
    std::size_t lt = v.find('<');
    if (lt != std::string_view::npos) {
      // display-name = *(token LWS): anything else before '<' is malformed
      std::string_view dn = trim(v.substr(0, lt));
      for (char c : dn) {
        if (!isTokenChar(c) && !isWs(c) && c != '\r' && c != '\n') {
          return fail("bad character in unquoted display name");
        }
      }
      na.displayName = dn;
      rest = v.substr(lt);
    }
  }
  std::string_view uriText;
  std::string_view params;
  if (!rest.empty()) {
    na.angleBrackets = true;
    std::size_t gt = rest.find('>');
    if (gt == std::string_view::npos) return fail("missing '>' after URI");
    uriText = rest.substr(1, gt - 1);
    params = rest.substr(gt + 1);
  } else {
    std::size_t semi = v.find(';');
    uriText = trimRight(v.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : v.substr(semi);
    for (char c : uriText) {
      if (c == '>' || c == ',' || c == '?' || isWs(c)) {
        return fail("addr-spec with reserved characters needs <...>");
      }
    }
  }
  if (const char* why = parseUriInto(uriText, na.uri)) return fail(why, ParseErrc::BadUri);
  if (const char* why = validateParams(params, false)) return fail(why);
  na.params = ParamList(params);
  if (auto t = na.params.find("tag")) {
    if (!t->hasValue || !isToken(t->value)) return fail("bad tag parameter");
    na.tag = t->value;
  }
  return true;
}

Result<NameAddr, ParseError> parseNameAddr(std::string_view value) {
  NameAddr na;
  ParseError err;
  if (!parseNameAddrInto(value, na, err)) return Unexpected<ParseError>{err};
  return na;
}

Result<Contact, ParseError> parseContact(std::string_view value) {
  Contact c;
  if (trim(value) == "*") {
    c.star = true;
    return c;
  }
  auto na = parseNameAddr(value);
  if (!na) return Unexpected<ParseError>{na.error()};
  c.addr = na.value();
  if (auto e = c.addr.params.find("expires")) {
    std::uint32_t x = 0;
    if (!e->hasValue || !parseUint(e->value, 0xffffffffu, x)) return bad("bad expires parameter");
    c.expires = x;
  }
  if (auto q = c.addr.params.find("q")) {
    if (!q->hasValue || !isQValue(q->value)) return bad("bad q parameter");
    c.q = q->value;
  }
  return c;
}

Result<CSeq, ParseError> parseCSeq(std::string_view value) {
  std::string_view v = trim(value);
  std::size_t i = 0;
  while (i < v.size() && isDigit(v[i])) ++i;
  CSeq c;
  // RFC 3261 §8.1.1.5: the sequence number MUST be less than 2**31.
  if (!parseUint(v.substr(0, i), 0x7fffffffu, c.number)) return bad("bad sequence number");
  std::size_t ws = i;
  skipWs(v, i);
  if (i == ws) return bad("missing method");
  c.method = v.substr(i);
  if (!isToken(c.method)) return bad("bad method");
  return c;
}

Result<std::string_view, ParseError> parseCallId(std::string_view value) {
  std::string_view v = trim(value);
  if (v.empty()) return bad("empty Call-ID");
  int ats = 0;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f) return bad("bad character in Call-ID");
    if (c == '@' && ++ats > 1) return bad("more than one '@' in Call-ID");
  }
  if (v.front() == '@' || v.back() == '@') return bad("empty word in Call-ID");
  return v;
}

Result<std::uint32_t, ParseError> parseMaxForwards(std::string_view value) {
  std::uint32_t n = 0;
  if (!parseUint(trim(value), 255, n)) return bad("not a number 0..255");
  return n;
}

Result<std::uint32_t, ParseError> parseDeltaSeconds(std::string_view value) {
  std::uint32_t n = 0;
  if (!parseUint(trim(value), 0xffffffffu, n)) return bad("not a number of seconds");
  return n;
}

Result<std::uint32_t, ParseError> parseContentLength(std::string_view value) {
  std::uint32_t n = 0;
  if (!parseUint(trim(value), 0xffffffffu, n)) {
    return parseFail(ParseErrc::BadContentLength, "not a number");
  }
  return n;
}

Result<std::uint32_t, ParseError> parseRSeq(std::string_view value) {
  std::uint32_t n = 0;
  if (!parseUint(trim(value), 0xffffffffu, n) || n == 0) return bad("not a number 1..2^32-1");
  return n;
}

Result<std::string_view, ParseError> parseToken(std::string_view value) {
  std::string_view v = trim(value);
  if (!isToken(v)) return bad("not a token");
  return v;
}

Result<RAck, ParseError> parseRAck(std::string_view value) {
  std::string_view v = trim(value);
  std::size_t i = 0;
  RAck r;
  auto num = [&](std::uint32_t& out) {
    std::size_t st = i;
    while (i < v.size() && isDigit(v[i])) ++i;
    bool ok = parseUint(v.substr(st, i - st), 0xffffffffu, out);
    std::size_t ws = i;
    skipWs(v, i);
    return ok && i > ws;
  };
  if (!num(r.rseq) || !num(r.cseq)) return bad("expected 'rseq cseq method'");
  r.method = v.substr(i);
  if (!isToken(r.method)) return bad("bad method");
  return r;
}

Result<Reason, ParseError> parseReason(std::string_view value) {
  Reason r;
  auto [head, params] = splitParams(value);
  if (!isToken(head)) return bad("bad protocol");
  r.protocol = head;
  if (const char* err = validateParams(params, false)) return bad(err);
  r.params = ParamList(params);
  if (auto c = r.params.find("cause")) {
    std::uint32_t n = 0;
    if (!c->hasValue || !parseUint(c->value, 0xffffffffu, n)) return bad("bad cause parameter");
    r.cause = n;
  }
  if (auto t = r.params.find("text")) {
    if (!t->hasValue || t->value.size() < 2 || t->value.front() != '"') {
      return bad("text parameter must be a quoted string");
    }
    r.text = unquote(t->value);
  }
  return r;
}

Result<SessionExpires, ParseError> parseSessionExpires(std::string_view value) {
  SessionExpires se;
  auto [head, params] = splitParams(value);
  // RFC 4028 §4: delta-seconds; values below 90 are for Min-SE to reject, not the grammar.
  if (!parseUint(head, 0xffffffffu, se.delta)) return bad("bad delta-seconds");
  if (const char* err = validateParams(params, false)) return bad(err);
  se.params = ParamList(params);
  if (auto r = se.params.find("refresher")) {
    if (iequals(r->value, "uac")) {
      se.refresher = Refresher::Uac;
    } else if (iequals(r->value, "uas")) {
      se.refresher = Refresher::Uas;
    } else {
      return bad("refresher must be uac or uas");
    }
  }
  return se;
}

Result<MinSE, ParseError> parseMinSE(std::string_view value) {
  MinSE m;
  auto [head, params] = splitParams(value);
  if (!parseUint(head, 0xffffffffu, m.delta)) return bad("bad delta-seconds");
  if (const char* err = validateParams(params, false)) return bad(err);
  m.params = ParamList(params);
  return m;
}

Result<Privacy, ParseError> parsePrivacy(std::string_view value) {
  Privacy p;
  std::string_view v = trim(value);
  std::size_t pos = 0;
  for (;;) {
    std::size_t semi = v.find(';', pos);
    std::string_view item = trim(v.substr(pos, semi == v.npos ? v.npos : semi - pos));
    if (!isToken(item)) return bad("bad priv-value");
    if (!p.values.push(item)) return parseFail(ParseErrc::TooManyValues, "too many priv-values");
    if (iequals(item, "header"))
      p.flags |= Privacy::kHeader;
    else if (iequals(item, "session"))
      p.flags |= Privacy::kSession;
    else if (iequals(item, "user"))
      p.flags |= Privacy::kUser;
    else if (iequals(item, "none"))
      p.flags |= Privacy::kNone;
    else if (iequals(item, "critical"))
      p.flags |= Privacy::kCritical;
    else if (iequals(item, "id"))
      p.flags |= Privacy::kId;
    else if (iequals(item, "history"))
      p.flags |= Privacy::kHistory;
    if (semi == v.npos) break;
    pos = semi + 1;
  }
  // RFC 3323 §4.2: "none" excludes every other value.
  if (p.has(Privacy::kNone) && p.values.size() > 1) return bad("'none' combined with other values");
  return p;
}

Result<HistoryInfoEntry, ParseError> parseHistoryInfo(std::string_view value) {
  HistoryInfoEntry h;
  auto na = parseNameAddr(value);
  if (!na) return Unexpected<ParseError>{na.error()};
  h.addr = na.value();
  if (!h.addr.angleBrackets) return bad("History-Info entry needs name-addr form");
  auto idx = h.addr.params.find("index");
  if (!idx || !idx->hasValue) return bad("missing index parameter");
  h.index = idx->value;
  // hi-index = 1*DIGIT *("." 1*DIGIT)
  bool lastDot = true;
  for (char c : h.index) {
    if (c == '.') {
      if (lastDot) return bad("bad index parameter");
      lastDot = true;
    } else if (isDigit(c)) {
      lastDot = false;
    } else {
      return bad("bad index parameter");
    }
  }
  if (lastDot) return bad("bad index parameter");
  h.rc = h.addr.params.get("rc");
  h.mp = h.addr.params.get("mp");
  h.np = h.addr.params.get("np");
  return h;
}

Result<Diversion, ParseError> parseDiversion(std::string_view value) {
  Diversion d;
  auto na = parseNameAddr(value);
  if (!na) return Unexpected<ParseError>{na.error()};
  d.addr = na.value();
  const auto& ps = d.addr.params;
  d.reason = unquote(ps.get("reason"));
  d.privacy = unquote(ps.get("privacy"));
  d.screen = unquote(ps.get("screen"));
  if (auto c = ps.find("counter")) {
    std::uint32_t n = 0;
    if (!parseUint(c->value, 100, n)) return bad("bad counter parameter");
    d.counter = n;
  }
  if (auto l = ps.find("limit")) {
    std::uint32_t n = 0;
    if (!parseUint(l->value, 100, n)) return bad("bad limit parameter");
    d.limit = n;
  }
  return d;
}

Result<InfoPackage, ParseError> parseInfoPackage(std::string_view value) {
  InfoPackage p;
  auto [head, params] = splitParams(value);
  if (!isToken(head)) return bad("bad info package name");
  if (const char* err = validateParams(params, false)) return bad(err);
  p.name = head;
  p.params = ParamList(params);
  return p;
}

Result<EarlyMedia, ParseError> parsePEarlyMedia(std::string_view value) {
  std::string_view v = trim(value);
  if (!isToken(v)) return bad("bad em-param");
  static constexpr std::pair<std::string_view, EarlyMedia> kValues[] = {
      {"sendrecv", EarlyMedia::SendRecv}, {"sendonly", EarlyMedia::SendOnly},
      {"recvonly", EarlyMedia::RecvOnly}, {"inactive", EarlyMedia::Inactive},
      {"gated", EarlyMedia::Gated},       {"supported", EarlyMedia::Supported}};
  for (const auto& [name, em] : kValues) {
    if (iequals(v, name)) return em;
  }
  return EarlyMedia::Other;
}

Result<ContentType, ParseError> parseContentType(std::string_view value) {
  ContentType ct;
  auto [head, params] = splitParams(value);
  std::size_t slash = head.find('/');
  if (slash == std::string_view::npos) return bad("missing '/' in media type");
  ct.type = trim(head.substr(0, slash));
  ct.subtype = trim(head.substr(slash + 1));
  if (!isToken(ct.type) || !isToken(ct.subtype)) return bad("bad media type");
  if (const char* err = validateParams(params, false)) return bad(err);
  ct.params = ParamList(params);
  return ct;
}

Result<ContentDisposition, ParseError> parseContentDisposition(std::string_view value) {
  ContentDisposition cd;
  auto [head, params] = splitParams(value);
  if (!isToken(head)) return bad("bad disposition type");
  cd.type = head;
  if (const char* err = validateParams(params, false)) return bad(err);
  cd.params = ParamList(params);
  if (auto h = cd.params.find("handling")) {
    if (iequals(h->value, "required")) {
      cd.handling = Handling::Required;
    } else if (iequals(h->value, "optional")) {
      cd.handling = Handling::Optional;
    } else if (isToken(h->value)) {
      cd.handling = Handling::Other;
    } else {
      return bad("bad handling parameter");
    }
  }
  return cd;
}

}  // namespace siptgw::sip
