// Lexical helpers shared by the SIP, URI and SDP parsers: the RFC 3261 §25.1 character
// classes (token, LWS, quoted-string with quoted-pair), case-insensitive comparison,
// comma splitting that respects quoted strings and <...> (RFC 3261 §7.3.1), and ParamList,
// a zero-copy view of ";name=value" parameter lists (generic-param, uri-parameter).
// Everything here works on std::string_view and never allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace siptgw::sip {

namespace detail {
// Bit flags per byte; built at compile time so classification is one load.
enum CharClass : std::uint8_t {
  kAlpha = 1,
  kDigit = 2,
  kHex = 4,
  kToken = 8,        // RFC 3261 token: alphanum / "-" "." "!" "%" "*" "_" "+" "`" "'" "~"
  kUnreserved = 16,  // alphanum / mark
  kWs = 32,          // SP / HTAB
  kUser = 64,        // URI user part: unreserved / escaped / user-unreserved (RFC 3261 §25.1)
  kUriParam = 128,   // uri-parameter: paramchar plus "=" handled by the caller
};
constexpr std::array<std::uint8_t, 256> makeCharTable() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t f = 0;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) f |= kAlpha | kToken | kUnreserved;
    if (c >= '0' && c <= '9') f |= kDigit | kHex | kToken | kUnreserved;
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= kHex;
    for (char m : std::string_view("-.!%*_+`'~")) {
      if (c == static_cast<unsigned char>(m)) f |= kToken;
    }
    for (char m : std::string_view("-_.!~*'()")) {
      if (c == static_cast<unsigned char>(m)) f |= kUnreserved;
    }
    if (c == ' ' || c == '\t') f |= kWs;
    if (f & kUnreserved) f |= kUser | kUriParam;
    for (char m : std::string_view("&=+$,;?/%")) {
      if (c == static_cast<unsigned char>(m)) f |= kUser;
    }
    for (char m : std::string_view("[]/:&+$%")) {
      if (c == static_cast<unsigned char>(m)) f |= kUriParam;
    }
    t[static_cast<std::size_t>(c)] = f;
  }
  return t;
}
inline constexpr std::array<std::uint8_t, 256> kCharTable = makeCharTable();
}  // namespace detail

constexpr bool isAlpha(char c) {
  return detail::kCharTable[static_cast<unsigned char>(c)] & detail::kAlpha;
}
constexpr bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool isHex(char c) {
  return detail::kCharTable[static_cast<unsigned char>(c)] & detail::kHex;
}
constexpr bool isTokenChar(char c) {
  return detail::kCharTable[static_cast<unsigned char>(c)] & detail::kToken;
}
constexpr bool isUnreserved(char c) {
  return detail::kCharTable[static_cast<unsigned char>(c)] & detail::kUnreserved;
}
constexpr bool isUserChar(char c) {
  return detail::kCharTable[static_cast<unsigned char>(c)] & detail::kUser;
}
constexpr bool isUriParamChar(char c) {
  return detail::kCharTable[static_cast<unsigned char>(c)] & detail::kUriParam;
}
constexpr bool isWs(char c) {
  return c == ' ' || c == '\t';
}
constexpr char toLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && toLower(a[i]) != toLower(b[i])) return false;
  }
  return true;
}
// The helpers below are inline: every header value of every message goes through them.
inline bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}
// Decimal digits only, no sign; false on empty or overflow beyond `max`.
inline bool parseUint(std::string_view s, std::uint32_t max, std::uint32_t& out) {
  if (s.empty() || s.size() > 10) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!isDigit(c)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

// Whitespace here is SP / HTAB and, for values that were folded, CR LF (RFC 3261 LWS).
constexpr bool isLwsChar(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
inline std::string_view trimLeft(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && isLwsChar(s[i])) ++i;
  return s.substr(i);
}
inline std::string_view trimRight(std::string_view s) {
  std::size_t n = s.size();
  while (n > 0 && isLwsChar(s[n - 1])) --n;
  return s.substr(0, n);
}
inline std::string_view trim(std::string_view s) {
  return trimRight(trimLeft(s));
}

// Position just past a quoted-string starting at s[pos] == '"', honouring quoted-pair
// (RFC 3261 §25.1); npos when unterminated.
std::size_t skipQuoted(std::string_view s, std::size_t pos);
// Inner text of a quoted-string (without the quotes, escapes left in place).
std::string_view unquote(std::string_view s);
// Resolves quoted-pairs ("\\x" -> "x") of a quoted-string's inner text into out (at most cap
// bytes); returns the length needed. For display names handed to other layers.
std::size_t unescapeQuoted(std::string_view inner, char* out, std::size_t cap);

// Find the next top-level separator `sep` in s at or after pos: not inside a quoted string
// and not inside <...>. Returns npos when none. Used for commas in list headers and for
// semicolons after a name-addr.
std::size_t findTopLevel(std::string_view s, char sep, std::size_t pos = 0);

// Calls f(value) for each comma-separated element of a header value (RFC 3261 §7.3.1),
// trimmed; empty elements are passed through so callers can reject them.
template <class F>
void forEachCommaValue(std::string_view s, F&& f) {
  std::size_t pos = 0;
  for (;;) {
    std::size_t comma = findTopLevel(s, ',', pos);
    std::string_view part =
        s.substr(pos, comma == std::string_view::npos ? s.size() - pos : comma - pos);
    if (!f(trim(part))) return;
    if (comma == std::string_view::npos) return;
    pos = comma + 1;
  }
}

// A zero-copy parameter list: the raw text starting at the first ';' (or empty). The
// grammar is checked once when the list is built (validateParams); lookups then re-scan the
// few bytes, which is cheaper than materialising a table nobody reads.
class ParamList {
 public:
  struct Param {
    std::string_view name;
    std::string_view value;  // quotes kept for quoted-string values
    bool hasValue = false;
  };

  ParamList() = default;
  explicit ParamList(std::string_view raw) : raw_(raw) {}

  std::string_view raw() const { return raw_; }
  bool empty() const { return raw_.empty(); }
  bool has(std::string_view name) const { return find(name).has_value(); }
  // nullopt when absent; Param::hasValue false for a bare flag such as ";lr".
  std::optional<Param> find(std::string_view name) const;
  // Value or empty view.
  std::string_view get(std::string_view name) const;
  std::size_t size() const;

  template <class F>
  void forEach(F&& f) const {
    std::size_t pos = 0;
    Param p;
    while (next(pos, p)) f(p);
  }

  // Iteration primitive: pos starts at 0.
  bool next(std::size_t& pos, Param& out) const;

 private:
  std::string_view raw_;
};

// Checks `*( SEMI generic-param )` (RFC 3261 §25.1; SEMI allows whitespace) or, with
// `uriStyle`, `*( ";" uri-parameter )` (§19.1.1, no whitespace, values are paramchars or
// "[...]"). Returns nullptr on success or a static reason.
const char* validateParams(std::string_view raw, bool uriStyle);

}  // namespace siptgw::sip
