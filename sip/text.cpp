// Lexical helpers (RFC 3261 §25.1). See text.h.
#include "sip/text.h"

#include <cstring>

namespace siptgw::sip {

std::size_t skipQuoted(std::string_view s, std::size_t pos) {
  // pos is at the opening quote
  for (std::size_t i = pos + 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // quoted-pair: the next byte is literal, even a quote
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

std::size_t unescapeQuoted(std::string_view inner, char* out, std::size_t cap) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    char c = inner[i];
    if (c == '\\' && i + 1 < inner.size()) c = inner[++i];
    if (n < cap) out[n] = c;
    ++n;
  }
  return n;
}

std::size_t findTopLevel(std::string_view s, char sep, std::size_t pos) {
  if (pos >= s.size()) return std::string_view::npos;
  // Fast path: most values (Via, CSeq, tokens) contain neither quotes nor angle brackets,
  // and memchr scans those a word at a time.
  const char* b = s.data() + pos;
  const std::size_t n = s.size() - pos;
  if (std::memchr(b, '"', n) == nullptr && std::memchr(b, '<', n) == nullptr) {
    const void* p = std::memchr(b, sep, n);
    return p == nullptr ? std::string_view::npos
                        : static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
  }
  bool inAngle = false;
  for (std::size_t i = pos; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' && !inAngle) {
      std::size_t end = skipQuoted(s, i);
      if (end == std::string_view::npos) return std::string_view::npos;
      i = end - 1;
    } else if (c == '<') {
      inAngle = true;
    } else if (c == '>') {
      inAngle = false;
    } else if (c == sep && !inAngle) {
      return i;
    }
  }
  return std::string_view::npos;
}

bool ParamList::next(std::size_t& pos, Param& out) const {
  const std::string_view s = raw_;
  std::size_t i = pos;
  while (i < s.size() && isLwsChar(s[i])) ++i;
  if (i >= s.size() || s[i] != ';') return false;
  ++i;
  while (i < s.size() && isLwsChar(s[i])) ++i;
  std::size_t nameStart = i;
  while (i < s.size() && s[i] != '=' && s[i] != ';' && !isLwsChar(s[i])) ++i;
  out.name = s.substr(nameStart, i - nameStart);
  out.value = {};
  out.hasValue = false;
  std::size_t j = i;
  while (j < s.size() && isLwsChar(s[j])) ++j;
  if (j < s.size() && s[j] == '=') {
    ++j;
    while (j < s.size() && isLwsChar(s[j])) ++j;
    std::size_t vStart = j;
    if (j < s.size() && s[j] == '"') {
      std::size_t end = skipQuoted(s, j);
      j = end == std::string_view::npos ? s.size() : end;
    } else {
      while (j < s.size() && s[j] != ';' && !isLwsChar(s[j])) ++j;
    }
    out.value = s.substr(vStart, j - vStart);
    out.hasValue = true;
    i = j;
  }
  pos = i;
  return true;
}

std::optional<ParamList::Param> ParamList::find(std::string_view name) const {
  std::size_t pos = 0;
  Param p;
  while (next(pos, p)) {
    if (iequals(p.name, name)) return p;
  }
  return std::nullopt;
}

std::string_view ParamList::get(std::string_view name) const {
  auto p = find(name);
  return p ? p->value : std::string_view{};
}

std::size_t ParamList::size() const {
  std::size_t n = 0;
  forEach([&](const Param&) { ++n; });
  return n;
}

const char* validateParams(std::string_view s, bool uriStyle) {
  std::size_t i = 0;
  auto skipWs = [&] {
    if (uriStyle) return;
    while (i < s.size() && isLwsChar(s[i])) ++i;
  };
  skipWs();
  while (i < s.size()) {
    if (s[i] != ';') return "expected ';' before parameter";
    ++i;
    skipWs();
    std::size_t ns = i;
    if (uriStyle) {
      while (i < s.size() && isUriParamChar(s[i])) ++i;
    } else {
      while (i < s.size() && isTokenChar(s[i])) ++i;
    }
    if (i == ns) return "empty parameter name";
    skipWs();
    if (i < s.size() && s[i] == '=') {
      ++i;
      skipWs();
      if (i < s.size() && s[i] == '"' && !uriStyle) {
        std::size_t end = skipQuoted(s, i);
        if (end == std::string_view::npos) return "unterminated quoted parameter value";
        i = end;
      } else if (i < s.size() && s[i] == '[' && !uriStyle) {
        // IPv6 reference in received= / maddr= (RFC 5118 §4.5)
        std::size_t close = s.find(']', i);
        if (close == std::string_view::npos) return "unterminated IPv6 reference in parameter";
        for (std::size_t k = i + 1; k < close; ++k) {
          if (!isHex(s[k]) && s[k] != ':' && s[k] != '.') return "bad IPv6 reference in parameter";
        }
        i = close + 1;
      } else {
        std::size_t vs = i;
        if (uriStyle) {
          while (i < s.size() && isUriParamChar(s[i])) ++i;
        } else {
          // gen-value = token / host / quoted-string; host adds ':' for IPv6 without brackets
          while (i < s.size() && (isTokenChar(s[i]) || s[i] == ':')) ++i;
        }
        if (i == vs) return "empty parameter value";
      }
      skipWs();
    }
    if (uriStyle && i < s.size() && s[i] != ';') return "bad character in URI parameter";
  }
  return nullptr;
}

}  // namespace siptgw::sip
