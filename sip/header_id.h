// HeaderId: the SIP header names this gateway understands, with their compact forms
// (RFC 3261 §7.3.3 and §20; later RFCs' compact letters from the IANA SIP parameters
// registry) and whether the header's grammar is a comma-separated list (RFC 3261 §7.3.1 —
// only those may be split on commas; Date or WWW-Authenticate contain commas of their own).
// Header names compare case-insensitively (RFC 3261 §7.3.5).
#pragma once

#include <cstdint>
#include <string_view>

namespace siptgw::sip {

enum class HeaderId : std::uint8_t {
  Other = 0,  // unknown: kept verbatim and re-emitted in place
  Via,
  MaxForwards,
  From,
  To,
  CallId,
  CSeq,
  Contact,
  Route,
  RecordRoute,
  Require,
  ProxyRequire,
  Supported,
  Unsupported,
  Allow,
  RSeq,
  RAck,
  Reason,
  SessionExpires,
  MinSE,
  Privacy,
  PAssertedIdentity,
  PPreferredIdentity,
  HistoryInfo,
  Diversion,
  InfoPackage,
  RecvInfo,
  PEarlyMedia,
  ContentType,
  ContentDisposition,
  ContentLength,
  ContentEncoding,
  Expires,
  MinExpires,
  Event,
  AllowEvents,
  ReferTo,
  ReferredBy,
  Subject,
  AcceptContact,
  RejectContact,
  RequestDisposition,
  Identity,
  IdentityInfo,
  Accept,
  UserAgent,
  Server,
  Date,
  Timestamp,
  Warning,
  RetryAfter,
  WwwAuthenticate,
  Authorization,
  ProxyAuthenticate,
  ProxyAuthorization,
  kCount
};

// Identify a header field name (full or compact, any case). Unknown -> HeaderId::Other.
HeaderId lookupHeader(std::string_view name);
// The same, when the caller already computed headerNameHash(name) while scanning it.
HeaderId lookupHeader(std::string_view name, std::uint32_t nameHash);
// FNV-1a over the lower-cased name, one byte at a time (for scanners that hash as they go).
constexpr std::uint32_t kHeaderHashSeed = 2166136261u;
constexpr std::uint32_t headerHashStep(std::uint32_t h, char c) {
  return (h ^ static_cast<unsigned char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c)) * 16777619u;
}

// Canonical full name, e.g. "Call-ID" (static storage). "" for Other.
std::string_view headerName(HeaderId id);
// The compact letter, or '\0' when the header has none.
char compactForm(HeaderId id);
// True when the grammar allows several comma-separated values in one field.
bool isListHeader(HeaderId id);

}  // namespace siptgw::sip
