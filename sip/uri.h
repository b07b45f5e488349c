// Uri: zero-copy views of the URIs SIP carries — sip:/sips: (RFC 3261 §19.1, IPv6 host
// references per RFC 5118), tel: (RFC 3966, with the number-portability parameters rn,
// npdi and cic of RFC 4694 that ISUP interworking needs), and any other absoluteURI kept
// opaque. All fields view the caller's buffer, still escaped as on the wire; uriEquals
// implements the comparison rules of RFC 3261 §19.1.4 (and RFC 3966 §4 for tel).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/result.h"
#include "sip/parse_error.h"
#include "sip/text.h"

namespace siptgw::sip {

enum class UriScheme : std::uint8_t { Sip, Sips, Tel, Other };

struct SipUri {
  std::string_view user;      // may contain %-escapes and, with user=phone, tel parameters
  std::string_view password;  // empty unless hasPassword
  bool hasPassword = false;
  std::string_view host;  // IPv6 references keep their brackets: "[2001:db8::1]"
  std::optional<std::uint16_t> port;
  ParamList params;          // uri-parameters (";transport=tcp;lr")
  std::string_view headers;  // after '?', e.g. "subject=x&priority=urgent"

  bool isIpv6() const { return !host.empty() && host.front() == '['; }
  std::string_view transport() const { return params.get("transport"); }
  std::string_view maddr() const { return params.get("maddr"); }
  bool looseRoute() const { return params.has("lr"); }
  bool userIsPhone() const { return iequals(params.get("user"), "phone"); }
};

struct TelUri {
  std::string_view number;  // as on the wire: "+1-201-555-0123" or "7042"
  bool global = false;      // starts with '+'
  ParamList params;
  // Frequently used parameters, extracted at parse time (empty when absent).
  std::string_view phoneContext;  // RFC 3966 §5.1.5 (mandatory for local numbers)
  std::string_view ext;           // RFC 3966 §5.1.4 extension
  std::string_view isub;          // RFC 3966 §5.1.3 ISDN subaddress
  std::string_view rn;            // RFC 4694 §4 routing number
  std::string_view cic;           // RFC 4694 §5 carrier identification code
  bool npdi = false;              // RFC 4694 §4 number-portability dip indicator

  // Digits of the number without visual separators ("-", ".", "(", ")"), '+' kept.
  // Writes at most cap bytes; returns the length needed.
  std::size_t digits(char* out, std::size_t cap) const;
};

struct Uri {
  UriScheme scheme = UriScheme::Other;
  std::string_view raw;         // the whole URI
  std::string_view schemeName;  // as written ("SIP" stays "SIP")
  SipUri sip;                   // scheme Sip or Sips
  TelUri tel;                   // scheme Tel
  std::string_view opaque;      // scheme Other: everything after "scheme:"

  bool isSip() const { return scheme == UriScheme::Sip || scheme == UriScheme::Sips; }
};

Result<Uri, ParseError> parseUri(std::string_view text);
// The same into a default-constructed Uri, for hot paths that would otherwise copy the
// ~300-byte result around; returns nullptr or the static reason (ParseErrc::BadUri).
const char* parseUriInto(std::string_view text, Uri& out);
// The telephone-subscriber grammar on its own: tel URIs, and the user part of a SIP URI
// with user=phone (RFC 3261 §19.1.6).
Result<TelUri, ParseError> parseTelSubscriber(std::string_view text);

// RFC 3261 §19.1.4 (sip/sips) and RFC 3966 §4 (tel) URI equivalence.
bool uriEquals(const Uri& a, const Uri& b);

// Validates an IPv6 address (RFC 4291 §2.2 text form, no brackets).
bool isIpv6Address(std::string_view s);
// host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1).
bool isValidHost(std::string_view s);

// Decode %HH escapes into out (at most cap bytes). Returns bytes needed, or npos on a
// malformed escape. Lets callers compare or print user parts without a heap string.
std::size_t unescape(std::string_view in, char* out, std::size_t cap);

}  // namespace siptgw::sip
