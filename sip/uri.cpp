// URI parsing and comparison: RFC 3261 §19.1 / §25.1, RFC 5118, RFC 3966, RFC 4694.
#include "sip/uri.h"

namespace siptgw::sip {

namespace {

bool validEscapes(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return false;
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return false;
      i += 2;
    }
  }
  return true;
}

bool isPasswordChar(char c) {
  switch (c) {
    case '&':
    case '=':
    case '+':
    case '$':
    case ',':
    case '%':
      return true;
    default:
      return isUnreserved(c);
  }
}
bool isHeaderChar(char c) {  // hnv-unreserved / unreserved / escaped, plus the separators
  switch (c) {
    case '[':
    case ']':
    case '/':
    case '?':
    case ':':
    case '+':
    case '$':
    case '%':
    case '=':
    case '&':
      return true;
    default:
      return isUnreserved(c);
  }
}

// §25.1: headers = "?" header *( "&" header ); header = hname "=" hvalue, hname at least
// one character; neither holds "=" or "&" unescaped.
const char* validateUriHeaders(std::string_view headers) {
  for (std::size_t at = 0; at <= headers.size();) {
    std::size_t end = headers.find('&', at);
    if (end == std::string_view::npos) end = headers.size();
    const std::string_view h = headers.substr(at, end - at);
    const std::size_t eq = h.find('=');
    if (eq == std::string_view::npos || eq == 0) return "URI header is not name=value";
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (i != eq && (h[i] == '=' || !isHeaderChar(h[i]))) return "bad character in URI headers";
    }
    at = end + 1;
  }
  if (!validEscapes(headers)) return "bad %-escape in URI";
  return nullptr;
}

bool isVisualSeparator(char c) {
  return c == '-' || c == '.' || c == '(' || c == ')';
}

bool isReserved(char c) {
  switch (c) {
    case ';':
    case '/':
    case '?':
    case ':':
    case '@':
    case '&':
    case '=':
    case '+':
    case '$':
    case ',':
      return true;
    default:
      return false;
  }
}

// One logical character of an escaped string for comparison (RFC 3261 §19.1.4: an escaped
// unreserved character equals its literal; an escaped reserved one stays distinct).
struct Unit {
  char c;
  bool escapedReserved;
};
Unit nextUnit(std::string_view s, std::size_t& i) {
  if (s[i] == '%' && i + 2 < s.size() && isHex(s[i + 1]) && isHex(s[i + 2])) {
    char c = static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
    i += 3;
    return {c, isReserved(c)};
  }
  return {s[i++], false};
}

bool escapedEquals(std::string_view a, std::string_view b, bool caseInsensitive) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    Unit ua = nextUnit(a, i);
    Unit ub = nextUnit(b, j);
    if (ua.escapedReserved != ub.escapedReserved) return false;
    char ca = caseInsensitive ? toLower(ua.c) : ua.c;
    char cb = caseInsensitive ? toLower(ub.c) : ub.c;
    if (ca != cb) return false;
  }
  return i == a.size() && j == b.size();
}

Unexpected<ParseError> uriFail(const char* what) {
  return parseFail(ParseErrc::BadUri, what);
}

}  // namespace

bool isIpv6Address(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  int groups = 0;
  bool doubleColon = false;
  std::size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    doubleColon = true;
    i = 2;
    if (i == s.size()) return true;  // "::"
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && isHex(s[i])) ++i;
    std::size_t len = i - start;
    if (i < s.size() && s[i] == '.') {
      // embedded IPv4 in the last 32 bits
      std::string_view v4 = s.substr(start);
      int octets = 0;
      std::size_t k = 0;
      while (k <= v4.size()) {
        std::size_t ds = k;
        std::uint32_t v = 0;
        while (k < v4.size() && isDigit(v4[k]))
          v = v * 10 + static_cast<std::uint32_t>(v4[k++] - '0');
        if (k == ds || k - ds > 3 || v > 255) return false;
        ++octets;
        if (k == v4.size()) break;
        if (v4[k] != '.') return false;
        ++k;
      }
      if (octets != 4) return false;
      groups += 2;
      i = s.size();
      break;
    }
    if (len == 0 || len > 4) return false;
    ++groups;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (doubleColon) return false;
      doubleColon = true;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single colon
    }
  }
  return doubleColon ? groups <= 7 : groups == 8;
}

bool isValidHost(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == '[') {
    return s.size() > 2 && s.back() == ']' && isIpv6Address(s.substr(1, s.size() - 2));
  }
  // hostname / IPv4address: labels of alphanum and '-', separated by single dots, optional
  // trailing dot. IPv4 is a subset of this alphabet.
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (prev == '.' || prev == '-') return false;
    } else if (c == '-') {
      if (prev == '.') return false;
    } else if (!isAlpha(c) && !isDigit(c)) {
      return false;
    }
    prev = c;
  }
  return prev != '-';
}

std::size_t unescape(std::string_view in, char* out, std::size_t cap) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::string_view::npos;
      int h = hexValue(in[i + 1]), l = hexValue(in[i + 2]);
      if (h < 0 || l < 0) return std::string_view::npos;
      c = static_cast<char>(h * 16 + l);
      i += 2;
    }
    if (n < cap) out[n] = c;
    ++n;
  }
  return n;
}

std::size_t TelUri::digits(char* out, std::size_t cap) const {
  std::size_t n = 0;
  for (char c : number) {
    if (isVisualSeparator(c)) continue;
    if (n < cap) out[n] = c;
    ++n;
  }
  return n;
}

Result<TelUri, ParseError> parseTelSubscriber(std::string_view s) {
  TelUri t;
  std::size_t semi = s.find(';');
  t.number = s.substr(0, semi);
  t.params = ParamList(semi == std::string_view::npos ? std::string_view{} : s.substr(semi));
  if (t.number.empty()) return uriFail("empty telephone number");
  t.global = t.number.front() == '+';
  bool sawDigit = false;
  for (std::size_t i = t.global ? 1 : 0; i < t.number.size(); ++i) {
    char c = t.number[i];
    if (isDigit(c)) {
      sawDigit = true;
    } else if (isVisualSeparator(c)) {
    } else if (!t.global && (isHex(c) || c == '*' || c == '#')) {
      sawDigit = true;
    } else {
      return uriFail("bad character in telephone number");
    }
  }
  if (!sawDigit) return uriFail("telephone number without digits");
  if (const char* err = validateParams(t.params.raw(), true)) return uriFail(err);
  bool bad = false;
  t.params.forEach([&](const ParamList::Param& p) {
    if (iequals(p.name, "phone-context")) {
      t.phoneContext = p.value;
      if (!p.hasValue || p.value.empty()) bad = true;
    } else if (iequals(p.name, "ext")) {
      t.ext = p.value;
      if (!p.hasValue || p.value.empty()) bad = true;
    } else if (iequals(p.name, "isub")) {
      t.isub = p.value;
      if (!p.hasValue || p.value.empty()) bad = true;
    } else if (iequals(p.name, "rn")) {
      t.rn = p.value;
      if (!p.hasValue || p.value.empty()) bad = true;
    } else if (iequals(p.name, "cic")) {
      t.cic = p.value;
      if (!p.hasValue || p.value.empty()) bad = true;
    } else if (iequals(p.name, "npdi")) {
      t.npdi = true;
      if (p.hasValue) bad = true;  // RFC 4694 §4: npdi is a flag
    }
  });
  if (bad) return uriFail("bad tel URI parameter value");
  // RFC 3966 §5.1.5: a local number is meaningless without its context.
  if (!t.global && t.phoneContext.empty()) return uriFail("local tel number without phone-context");
  return t;
}

const char* parseUriInto(std::string_view s, Uri& u) {
  u.raw = s;
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return "missing URI scheme";
  u.schemeName = s.substr(0, colon);
  if (!isAlpha(u.schemeName[0])) return "bad URI scheme";
  for (char c : u.schemeName) {
    if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') {
      return "bad URI scheme";
    }
  }
  std::string_view rest = s.substr(colon + 1);
  if (iequals(u.schemeName, "sip") || iequals(u.schemeName, "sips")) {
    u.scheme = u.schemeName.size() == 3 ? UriScheme::Sip : UriScheme::Sips;
    SipUri& su = u.sip;
    // userinfo ends at the first '@': neither host, parameters nor headers may contain an
    // unescaped '@' (RFC 3261 §25.1), whereas the user part may contain ';' and '?'.
    std::size_t at = rest.find('@');
    if (at != std::string_view::npos) {
      std::string_view userinfo = rest.substr(0, at);
      std::size_t pc = userinfo.find(':');
      su.user = userinfo.substr(0, pc);
      if (pc != std::string_view::npos) {
        su.hasPassword = true;
        su.password = userinfo.substr(pc + 1);
      }
      if (su.user.empty()) return "empty user part before '@'";
      bool escapes = false;
      for (char c : su.user) {
        if (!isUserChar(c)) return "bad character in URI user part";
        escapes |= c == '%';
      }
      for (char c : su.password) {
        if (!isPasswordChar(c)) return "bad character in URI password";
        escapes |= c == '%';
      }
      if (escapes && (!validEscapes(su.user) || !validEscapes(su.password))) {
        return "bad %-escape in URI";
      }
      rest = rest.substr(at + 1);
    }
    // hostport
    std::size_t i = 0;
    if (!rest.empty() && rest[0] == '[') {
      std::size_t close = rest.find(']');
      if (close == std::string_view::npos) return "unterminated IPv6 reference";
      i = close + 1;
    } else {
      while (i < rest.size() && rest[i] != ':' && rest[i] != ';' && rest[i] != '?') ++i;
    }
    su.host = rest.substr(0, i);
    if (!isValidHost(su.host)) return "bad host in URI";
    if (i < rest.size() && rest[i] == ':') {
      std::size_t ps = ++i;
      while (i < rest.size() && isDigit(rest[i])) ++i;
      std::uint32_t port = 0;
      if (!parseUint(rest.substr(ps, i - ps), 65535, port)) return "bad port in URI";
      su.port = static_cast<std::uint16_t>(port);
    }
    std::size_t q = rest.find('?', i);
    std::string_view params = rest.substr(i, q == std::string_view::npos ? rest.npos : q - i);
    if (!params.empty() && params[0] != ';') return "bad character after URI host";
    if (const char* err = validateParams(params, true)) return err;
    if (params.find('%') != std::string_view::npos && !validEscapes(params)) {
      return "bad %-escape in URI";
    }
    su.params = ParamList(params);
    if (q != std::string_view::npos) {
      su.headers = rest.substr(q + 1);
      if (su.headers.empty()) return "empty URI headers after '?'";
      if (const char* err = validateUriHeaders(su.headers)) return err;
    }
    return nullptr;
  }
  if (iequals(u.schemeName, "tel")) {
    u.scheme = UriScheme::Tel;
    auto t = parseTelSubscriber(rest);
    if (!t) return t.error().what;
    u.tel = t.value();
    return nullptr;
  }
  u.scheme = UriScheme::Other;
  u.opaque = rest;
  if (rest.empty()) return "empty URI after scheme";
  for (char c : rest) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == '"' ||
        static_cast<unsigned char>(c) >= 0x7f) {
      return "bad character in URI";
    }
  }
  return nullptr;
}

Result<Uri, ParseError> parseUri(std::string_view s) {
  Uri u;
  if (const char* err = parseUriInto(s, u)) return uriFail(err);
  return u;
}

namespace {

bool paramEquals(const ParamList::Param& a, const ParamList::Param& b) {
  return a.hasValue == b.hasValue && escapedEquals(a.value, b.value, true);
}

// Some parameter of `list` named like p has p's value (names may repeat on the wire).
bool anyMatch(const ParamList& list, const ParamList::Param& p) {
  bool found = false;
  list.forEach([&](const ParamList::Param& q) {
    if (!found && iequals(q.name, p.name) && paramEquals(q, p)) found = true;
  });
  return found;
}

// RFC 3261 §19.1.4: user, ttl, method and maddr (and transport) must match when present in
// either URI; any other parameter is compared only when present in both.
bool sipParamsEqual(const ParamList& a, const ParamList& b) {
  static constexpr std::string_view kMustMatch[] = {"user", "ttl", "method", "maddr", "transport"};
  for (auto name : kMustMatch) {
    auto pa = a.find(name), pb = b.find(name);
    if (pa.has_value() != pb.has_value()) return false;
    if (pa && !paramEquals(*pa, *pb)) return false;
  }
  bool ok = true;
  a.forEach([&](const ParamList::Param& pa) {
    if (b.has(pa.name) && !anyMatch(b, pa)) ok = false;
  });
  b.forEach([&](const ParamList::Param& pb) {
    if (a.has(pb.name) && !anyMatch(a, pb)) ok = false;
  });
  return ok;
}

// Headers must all match, in any order (§19.1.4).
bool sipHeadersEqual(std::string_view a, std::string_view b) {
  auto containsAll = [](std::string_view x, std::string_view y) {
    std::size_t pos = 0;
    while (pos <= x.size() && !x.empty()) {
      std::size_t amp = x.find('&', pos);
      std::string_view h = x.substr(pos, amp == x.npos ? x.npos : amp - pos);
      std::size_t eq = h.find('=');
      std::string_view hn = h.substr(0, eq), hv = eq == h.npos ? "" : h.substr(eq + 1);
      bool found = false;
      std::size_t p2 = 0;
      while (p2 <= y.size()) {
        std::size_t a2 = y.find('&', p2);
        std::string_view g = y.substr(p2, a2 == y.npos ? y.npos : a2 - p2);
        std::size_t e2 = g.find('=');
        std::string_view gn = g.substr(0, e2), gv = e2 == g.npos ? "" : g.substr(e2 + 1);
        if (escapedEquals(hn, gn, true) && escapedEquals(hv, gv, false)) {
          found = true;
          break;
        }
        if (a2 == y.npos) break;
        p2 = a2 + 1;
      }
      if (!found) return false;
      if (amp == x.npos) break;
      pos = amp + 1;
    }
    return true;
  };
  return containsAll(a, b) && containsAll(b, a);
}

bool telEquals(const TelUri& a, const TelUri& b) {
  // RFC 3966 §4: numbers compared digit by digit ignoring visual separators; parameters
  // compared by name (any order) and value, case-insensitively.
  std::size_t i = 0, j = 0;
  const auto& x = a.number;
  const auto& y = b.number;
  for (;;) {
    while (i < x.size() && isVisualSeparator(x[i])) ++i;
    while (j < y.size() && isVisualSeparator(y[j])) ++j;
    if (i == x.size() || j == y.size()) break;
    if (toLower(x[i]) != toLower(y[j])) return false;
    ++i;
    ++j;
  }
  if (i != x.size() || j != y.size()) return false;
  if (a.params.size() != b.params.size()) return false;
  bool ok = true;
  a.params.forEach([&](const ParamList::Param& pa) {
    if (!anyMatch(b.params, pa)) ok = false;
  });
  b.params.forEach([&](const ParamList::Param& pb) {
    if (!anyMatch(a.params, pb)) ok = false;
  });
  return ok;
}

}  // namespace

bool uriEquals(const Uri& a, const Uri& b) {
  if (a.scheme != b.scheme) return false;
  switch (a.scheme) {
    case UriScheme::Sip:
    case UriScheme::Sips: {
      const SipUri& x = a.sip;
      const SipUri& y = b.sip;
      // user and password case-sensitive, host case-insensitive; an absent port is not
      // equal to the default port (§19.1.4).
      return escapedEquals(x.user, y.user, false) && x.hasPassword == y.hasPassword &&
             escapedEquals(x.password, y.password, false) && iequals(x.host, y.host) &&
             x.port == y.port && sipParamsEqual(x.params, y.params) &&
             sipHeadersEqual(x.headers, y.headers);
    }
    case UriScheme::Tel:
      return telEquals(a.tel, b.tel);
    case UriScheme::Other:
      return iequals(a.schemeName, b.schemeName) && a.opaque == b.opaque;
  }
  return false;
}

}  // namespace siptgw::sip
