// SDP parsing and serialisation: RFC 4566 §5 (grammar §9), RFC 3312 §5 / RFC 4032
// preconditions. See sdp.h.
#include "sip/sdp.h"

#include <array>

#include "sip/text.h"

namespace siptgw::sip {

namespace {

Unexpected<ParseError> sdpFail(const char* what, std::uint32_t line = 0) {
  return parseFail(ParseErrc::BadSdp, what, line, "SDP");
}

// Splits on single spaces into at most N fields; false when a field is empty or there are
// more than N (the last field takes the rest when `restInLast`).
template <std::size_t N>
bool splitFields(std::string_view v, std::array<std::string_view, N>& out, std::size_t& n,
                 bool restInLast = false) {
  n = 0;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    if (n == N - 1 && restInLast) {
      out[n++] = v.substr(pos);
      return !out[n - 1].empty();
    }
    std::size_t sp = v.find(' ', pos);
    std::string_view f = v.substr(pos, sp == v.npos ? v.npos : sp - pos);
    if (f.empty() || n == N) return false;
    out[n++] = f;
    if (sp == v.npos) break;
    pos = sp + 1;
  }
  return true;
}

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isDigit(c)) return false;
  }
  return true;
}

bool parseU64(std::string_view s, std::uint64_t& out) {
  if (!allDigits(s) || s.size() > 19) return false;
  out = 0;
  for (char c : s) out = out * 10 + static_cast<std::uint64_t>(c - '0');
  return true;
}

bool isVisible(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return !s.empty();
}

bool sessionAllowed(char t) {
  return std::string_view("vosiuepcbtrzka").find(t) != std::string_view::npos;
}
bool mediaAllowed(char t) {
  return std::string_view("icbka").find(t) != std::string_view::npos;
}

std::optional<SdpDirection> directionOf(std::string_view attr) {
  if (attr == "sendrecv") return SdpDirection::SendRecv;
  if (attr == "sendonly") return SdpDirection::SendOnly;
  if (attr == "recvonly") return SdpDirection::RecvOnly;
  if (attr == "inactive") return SdpDirection::Inactive;
  return std::nullopt;
}

std::optional<std::string_view> findAttr(const SdpLines& lines, std::string_view name) {
  for (const SdpLine& l : lines) {
    if (l.type == 'a' && l.attrName() == name) return l.attrValue();
  }
  return std::nullopt;
}

}  // namespace

std::string_view SdpLine::attrName() const {
  std::size_t colon = value.find(':');
  return value.substr(0, colon);
}
std::string_view SdpLine::attrValue() const {
  std::size_t colon = value.find(':');
  return colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
}

Result<SdpOrigin, ParseError> parseSdpOrigin(std::string_view v) {
  std::array<std::string_view, 6> f;
  std::size_t n = 0;
  if (!splitFields(v, f, n) || n != 6) return sdpFail("o= needs 6 fields");
  if (!allDigits(f[1]) || !allDigits(f[2]))
    return sdpFail("o= session id and version must be numeric");
  if (!isToken(f[3]) || !isToken(f[4])) return sdpFail("o= bad network or address type");
  if (!isVisible(f[0]) || !isVisible(f[5])) return sdpFail("o= bad username or address");
  return SdpOrigin{f[0], f[1], f[2], f[3], f[4], f[5]};
}

Result<SdpConnection, ParseError> parseSdpConnection(std::string_view v) {
  std::array<std::string_view, 3> f;
  std::size_t n = 0;
  if (!splitFields(v, f, n) || n != 3) return sdpFail("c= needs 3 fields");
  if (!isToken(f[0]) || !isToken(f[1]) || !isVisible(f[2])) return sdpFail("c= bad field");
  return SdpConnection{f[0], f[1], f[2]};
}

Result<SdpMediaLine, ParseError> parseSdpMediaLine(std::string_view v) {
  std::array<std::string_view, 4> f;
  std::size_t n = 0;
  if (!splitFields(v, f, n, true) || n != 4)
    return sdpFail("m= needs media, port, proto and formats");
  SdpMediaLine m;
  m.media = f[0];
  if (!isToken(m.media)) return sdpFail("m= bad media type");
  std::string_view port = f[1];
  std::size_t slash = port.find('/');
  std::uint32_t p = 0;
  if (!parseUint(port.substr(0, slash), 65535, p)) return sdpFail("m= bad port");
  m.port = static_cast<std::uint16_t>(p);
  if (slash != std::string_view::npos) {
    std::uint32_t np = 0;
    if (!parseUint(port.substr(slash + 1), 65535, np)) return sdpFail("m= bad number of ports");
    m.numPorts = static_cast<std::uint16_t>(np);
  }
  m.proto = f[2];
  for (char c : m.proto) {
    if (!isTokenChar(c) && c != '/') return sdpFail("m= bad transport protocol");
  }
  m.formats = f[3];
  std::array<std::string_view, 64> fmts;
  std::size_t nf = 0;
  if (!splitFields(m.formats, fmts, nf)) return sdpFail("m= bad format list");
  for (std::size_t i = 0; i < nf; ++i) {
    if (!isToken(fmts[i])) return sdpFail("m= bad format");
  }
  return m;
}

Result<SdpRtpmap, ParseError> parseSdpRtpmap(std::string_view v) {
  std::size_t sp = v.find(' ');
  std::uint32_t pt = 0;
  if (sp == std::string_view::npos || !parseUint(v.substr(0, sp), 127, pt)) {
    return sdpFail("a=rtpmap bad payload type");
  }
  SdpRtpmap r;
  r.payloadType = static_cast<std::uint8_t>(pt);
  std::string_view rest = v.substr(sp + 1);
  std::size_t s1 = rest.find('/');
  if (s1 == std::string_view::npos) return sdpFail("a=rtpmap missing clock rate");
  r.encoding = rest.substr(0, s1);
  if (!isToken(r.encoding)) return sdpFail("a=rtpmap bad encoding name");
  std::string_view clock = rest.substr(s1 + 1);
  std::size_t s2 = clock.find('/');
  if (s2 != std::string_view::npos) {
    r.encodingParams = clock.substr(s2 + 1);
    clock = clock.substr(0, s2);
    if (!isToken(r.encodingParams)) return sdpFail("a=rtpmap bad encoding parameters");
  }
  if (!parseUint(clock, 0xffffffffu, r.clockRate)) return sdpFail("a=rtpmap bad clock rate");
  return r;
}

Result<SdpFmtp, ParseError> parseSdpFmtp(std::string_view v) {
  std::size_t sp = v.find(' ');
  SdpFmtp f;
  f.format = v.substr(0, sp);
  if (!isToken(f.format)) return sdpFail("a=fmtp bad format");
  f.params = sp == std::string_view::npos ? std::string_view{} : v.substr(sp + 1);
  return f;
}

Result<SdpPrecondition, ParseError> parseSdpPrecondition(std::string_view name,
                                                         std::string_view v) {
  SdpPrecondition p;
  std::array<std::string_view, 4> f;
  std::size_t n = 0;
  std::size_t expect = 3;
  if (name == "curr") {
    p.kind = SdpPrecondition::Kind::Curr;
  } else if (name == "des") {
    p.kind = SdpPrecondition::Kind::Des;
    expect = 4;
  } else if (name == "conf") {
    p.kind = SdpPrecondition::Kind::Conf;
  } else {
    return sdpFail("not a precondition attribute");
  }
  if (!splitFields(v, f, n) || n != expect) return sdpFail("precondition: wrong number of fields");
  p.type = f[0];
  if (!isToken(p.type)) return sdpFail("precondition: bad precondition type");
  std::size_t i = 1;
  if (p.kind == SdpPrecondition::Kind::Des) {
    std::string_view s = f[i++];
    if (s == "mandatory")
      p.strength = PrecondStrength::Mandatory;
    else if (s == "optional")
      p.strength = PrecondStrength::Optional;
    else if (s == "none")
      p.strength = PrecondStrength::None;
    else if (s == "failure")
      p.strength = PrecondStrength::Failure;
    else if (s == "unknown")
      p.strength = PrecondStrength::Unknown;
    else
      return sdpFail("precondition: bad strength tag");
  }
  std::string_view st = f[i++];
  if (st == "e2e")
    p.status = PrecondStatus::E2E;
  else if (st == "local")
    p.status = PrecondStatus::Local;
  else if (st == "remote")
    p.status = PrecondStatus::Remote;
  else
    return sdpFail("precondition: bad status type");
  std::string_view d = f[i];
  if (d == "none")
    p.direction = PrecondDirection::None;
  else if (d == "send")
    p.direction = PrecondDirection::Send;
  else if (d == "recv")
    p.direction = PrecondDirection::Recv;
  else if (d == "sendrecv")
    p.direction = PrecondDirection::SendRecv;
  else
    return sdpFail("precondition: bad direction tag");
  return p;
}

namespace {

// A field parser's error, placed on the description's line `lineNo`.
Unexpected<ParseError> onLine(ParseError e, std::uint32_t lineNo) {
  e.line = lineNo;
  return Unexpected<ParseError>{e};
}

// Validates one line's value according to its type; nullptr when fine.
Result<Ok, ParseError> checkLine(const SdpLine& l, std::uint32_t lineNo) {
  auto at = [lineNo](const ParseError& e) { return onLine(e, lineNo); };
  switch (l.type) {
    case 'o':
      if (auto r = parseSdpOrigin(l.value); !r) return at(r.error());
      break;
    case 'c':
      if (auto r = parseSdpConnection(l.value); !r) return at(r.error());
      break;
    case 'm':  // parsed by parseSdp itself, which keeps the result
      break;
    case 't': {
      std::array<std::string_view, 2> f;
      std::size_t n = 0;
      std::uint64_t a = 0, b = 0;
      if (!splitFields(l.value, f, n) || n != 2 || !parseU64(f[0], a) || !parseU64(f[1], b)) {
        return sdpFail("t= needs start and stop times", lineNo);
      }
      break;
    }
    case 'b': {
      std::size_t colon = l.value.find(':');
      std::uint32_t bw = 0;
      if (colon == std::string_view::npos || !isToken(l.value.substr(0, colon)) ||
          !parseUint(l.value.substr(colon + 1), 0xffffffffu, bw)) {
        return sdpFail("b= needs <type>:<bandwidth>", lineNo);
      }
      break;
    }
    case 'a': {
      std::string_view name = l.attrName();
      if (!isToken(name)) return sdpFail("a= bad attribute name", lineNo);
      std::string_view value = l.attrValue();
      if (name == "rtpmap") {
        if (auto r = parseSdpRtpmap(value); !r) return at(r.error());
      } else if (name == "fmtp") {
        if (auto r = parseSdpFmtp(value); !r) return at(r.error());
      } else if (name == "ptime" || name == "maxptime") {
        std::uint32_t p = 0;
        if (!parseUint(value, 0xffffffffu, p)) return sdpFail("a=ptime must be a number", lineNo);
      } else if (name == "curr" || name == "des" || name == "conf") {
        if (auto r = parseSdpPrecondition(name, value); !r) return at(r.error());
      } else if (directionOf(name) && l.value.find(':') != std::string_view::npos) {
        return sdpFail("direction attribute takes no value", lineNo);
      }
      break;
    }
    default:
      break;
  }
  return Ok{};
}

}  // namespace

Result<SessionDescription, ParseError> parseSdp(std::string_view body) {
  SessionDescription sdp;
  std::size_t pos = 0;
  std::uint32_t lineNo = 0;
  bool sawTiming = false;
  while (pos < body.size()) {
    ++lineNo;
    std::size_t lf = body.find('\n', pos);
    SdpLine l;
    std::string_view text;
    if (lf == std::string_view::npos) {
      text = body.substr(pos);
      l.eol = {};
      pos = body.size();
    } else {
      std::size_t end = (lf > pos && body[lf - 1] == '\r') ? lf - 1 : lf;
      text = body.substr(pos, end - pos);
      l.eol = body.substr(end, lf + 1 - end);
      pos = lf + 1;
    }
    if (text.size() < 2 || text[1] != '=' || text[0] < 'a' || text[0] > 'z') {
      return sdpFail("line is not <type>=<value>", lineNo);
    }
    for (char c : text) {
      if (c == '\r' || c == '\0') return sdpFail("control character in line", lineNo);
    }
    l.type = text[0];
    l.value = text.substr(2);
    // RFC 4566 §5: v, o, s come first and in that order.
    static constexpr char kFirst[] = {'v', 'o', 's'};
    if (lineNo <= 3 && l.type != kFirst[lineNo - 1]) {
      return sdpFail("description must start with v=, o=, s=", lineNo);
    }
    if (lineNo == 1 && l.value != "0") return sdpFail("unsupported SDP version", lineNo);
    if (auto r = checkLine(l, lineNo); !r) return Unexpected<ParseError>{r.error()};
    if (l.type == 'm') {
      if (!sawTiming) return sdpFail("m= before any t= line", lineNo);
      auto ml = parseSdpMediaLine(l.value);
      if (!ml) return onLine(ml.error(), lineNo);
      SdpMedia& m = sdp.media.emplace_back();
      m.lines.push_back(l);
      m.parsedMediaLine = *ml;
      m.parsedFrom = l.value;
    } else if (!sdp.media.empty()) {
      if (!mediaAllowed(l.type)) return sdpFail("line type not allowed in a media section", lineNo);
      sdp.media.back().lines.push_back(l);
    } else {
      if (!sessionAllowed(l.type)) return sdpFail("unknown line type", lineNo);
      if (l.type == 't') sawTiming = true;
      sdp.sessionLines.push_back(l);
    }
  }
  if (lineNo < 3) return sdpFail("description must start with v=, o=, s=", lineNo + 1);
  if (!sawTiming) return sdpFail("missing t= line");
  // RFC 4566 §5.7: a c= at session level or in every media section.
  if (!sdp.connection()) {
    for (const SdpMedia& m : sdp.media) {
      if (!m.connection()) return sdpFail("media section without c= line");
    }
  }
  return sdp;
}

SessionDescription& SessionDescription::add(char type, std::string_view value) {
  SdpLine l{type, value, "\r\n"};
  if (media.empty()) {
    sessionLines.push_back(l);
  } else {
    media.back().lines.push_back(l);
  }
  return *this;
}

SessionDescription& SessionDescription::addMedia(std::string_view mLineValue) {
  media.emplace_back();
  media.back().lines.push_back(SdpLine{'m', mLineValue, "\r\n"});
  return *this;
}

void appendPrecondition(const SdpPrecondition& p, std::string& out) {
  static constexpr std::string_view kKind[] = {"curr:", "des:", "conf:"};
  static constexpr std::string_view kStrength[] = {"mandatory", "optional", "none", "failure",
                                                   "unknown"};
  static constexpr std::string_view kStatus[] = {"e2e", "local", "remote"};
  static constexpr std::string_view kDir[] = {"none", "send", "recv", "sendrecv"};
  out.append(kKind[static_cast<std::size_t>(p.kind)]).append(p.type).append(" ");
  if (p.kind == SdpPrecondition::Kind::Des) {
    out.append(kStrength[static_cast<std::size_t>(p.strength)]).append(" ");
  }
  out.append(kStatus[static_cast<std::size_t>(p.status)]).append(" ");
  out.append(kDir[static_cast<std::size_t>(p.direction)]);
}

void serialize(const SessionDescription& sdp, std::string& out) {
  auto put = [&out](const SdpLine& l) {
    out.push_back(l.type);
    out.push_back('=');
    out.append(l.value);
    out.append(l.eol);
  };
  for (const SdpLine& l : sdp.sessionLines) put(l);
  for (const SdpMedia& m : sdp.media) {
    for (const SdpLine& l : m.lines) put(l);
  }
}

bool operator==(const SessionDescription& a, const SessionDescription& b) {
  auto same = [](const SdpLines& x, const SdpLines& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i].type != y[i].type || x[i].value != y[i].value || x[i].eol != y[i].eol) return false;
    }
    return true;
  };
  if (!same(a.sessionLines, b.sessionLines) || a.media.size() != b.media.size()) return false;
  for (std::size_t i = 0; i < a.media.size(); ++i) {
    if (!same(a.media[i].lines, b.media[i].lines)) return false;
  }
  return true;
}

SdpOrigin SessionDescription::origin() const {
  for (const SdpLine& l : sessionLines) {
    if (l.type == 'o') {
      auto r = parseSdpOrigin(l.value);
      if (r) return r.value();
    }
  }
  return {};
}

std::string_view SessionDescription::sessionName() const {
  for (const SdpLine& l : sessionLines) {
    if (l.type == 's') return l.value;
  }
  return {};
}

std::optional<SdpConnection> SessionDescription::connection() const {
  for (const SdpLine& l : sessionLines) {
    if (l.type == 'c') {
      auto r = parseSdpConnection(l.value);
      if (r) return r.value();
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> SessionDescription::attribute(std::string_view name) const {
  return findAttr(sessionLines, name);
}

SdpDirection SessionDescription::direction(std::size_t mediaIndex) const {
  if (mediaIndex < media.size()) {
    if (auto d = media[mediaIndex].direction()) return *d;
  }
  for (const SdpLine& l : sessionLines) {
    if (l.type == 'a') {
      if (auto d = directionOf(l.value)) return *d;
    }
  }
  return SdpDirection::SendRecv;  // RFC 4566 §6: the default
}

Result<SdpMediaLine, ParseError> SdpMedia::mediaLine() const {
  if (lines.empty() || lines[0].type != 'm') return sdpFail("media section without m= line");
  const std::string_view v = lines[0].value;
  if (parsedMediaLine && v.data() == parsedFrom.data() && v.size() == parsedFrom.size()) return *parsedMediaLine;
  return parseSdpMediaLine(v);
}

std::optional<SdpConnection> SdpMedia::connection() const {
  for (const SdpLine& l : lines) {
    if (l.type == 'c') {
      auto r = parseSdpConnection(l.value);
      if (r) return r.value();
    }
  }
  return std::nullopt;
}

std::optional<SdpRtpmap> SdpMedia::rtpmap(std::uint8_t payloadType) const {
  for (const SdpLine& l : lines) {
    if (l.type == 'a' && l.attrName() == "rtpmap") {
      auto r = parseSdpRtpmap(l.attrValue());
      if (r && r->payloadType == payloadType) return r.value();
    }
  }
  return std::nullopt;
}

std::optional<SdpFmtp> SdpMedia::fmtp(std::string_view format) const {
  for (const SdpLine& l : lines) {
    if (l.type == 'a' && l.attrName() == "fmtp") {
      auto r = parseSdpFmtp(l.attrValue());
      if (r && r->format == format) return r.value();
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> SdpMedia::ptime() const {
  auto v = findAttr(lines, "ptime");
  std::uint32_t p = 0;
  if (v && parseUint(*v, 0xffffffffu, p)) return p;
  return std::nullopt;
}

std::optional<SdpDirection> SdpMedia::direction() const {
  for (const SdpLine& l : lines) {
    if (l.type == 'a') {
      if (auto d = directionOf(l.value)) return d;
    }
  }
  return std::nullopt;
}

std::vector<SdpPrecondition> SdpMedia::preconditions() const {
  std::vector<SdpPrecondition> out;
  for (const SdpLine& l : lines) {
    if (l.type != 'a') continue;
    std::string_view n = l.attrName();
    if (n == "curr" || n == "des" || n == "conf") {
      auto r = parseSdpPrecondition(n, l.attrValue());
      if (r) out.push_back(r.value());
    }
  }
  return out;
}

std::optional<std::string_view> SdpMedia::attribute(std::string_view name) const {
  return findAttr(lines, name);
}

}  // namespace siptgw::sip
