// Typed SIP header values: one struct and one parse function per header the gateway acts on.
// Each parser takes one header value (one element of a comma list, already unfolded) and
// returns Result<T, ParseError>; fields are views into that value. Grammar references:
// RFC 3261 §20 and §25.1 (Via, From/To, Call-ID, CSeq, Contact, Route, Record-Route,
// Max-Forwards, Require, Supported, Unsupported, Allow, Content-Type/-Disposition/-Length,
// Expires), RFC 3581 (rport), RFC 5118 (IPv6), RFC 3262 (RSeq, RAck), RFC 3326 (Reason),
// RFC 4028 (Session-Expires, Min-SE), RFC 3323 (Privacy), RFC 3325 (P-Asserted-Identity),
// RFC 7044 (History-Info), RFC 5806 (Diversion), RFC 6086 (Info-Package, Recv-Info),
// RFC 5009 (P-Early-Media).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/result.h"
#include "sip/inline_vec.h"
#include "sip/parse_error.h"
#include "sip/text.h"
#include "sip/uri.h"

namespace siptgw::sip {

struct Via {
  std::string_view protocolName;     // "SIP"
  std::string_view protocolVersion;  // "2.0"
  std::string_view transport;        // "UDP", "TCP", "TLS", "SCTP", "WS"...
  std::string_view host;             // IPv6 reference keeps its brackets (RFC 5118)
  std::optional<std::uint16_t> port;
  ParamList params;         // all via-params, in order
  std::string_view branch;  // empty when absent (RFC 2543 peers)
  std::string_view received;
  std::string_view maddr;
  bool rport = false;  // RFC 3581: present, with or without value
  std::optional<std::uint16_t> rportValue;
  std::optional<std::uint8_t> ttl;

  // RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with the magic cookie.
  bool hasMagicCookie() const { return branch.size() > 7 && branch.substr(0, 7) == "z9hG4bK"; }
};
Result<Via, ParseError> parseVia(std::string_view value);

// name-addr / addr-spec with header parameters (From, To, Contact, Route, Record-Route,
// P-Asserted-Identity, History-Info, Diversion). In addr-spec form a ';' ends the URI: the
// parameters belong to the header, not the URI (RFC 3261 §20.10).
struct NameAddr {
  std::string_view displayName;  // raw, quotes kept; empty when none
  Uri uri;
  bool angleBrackets = false;  // name-addr form
  ParamList params;
  std::string_view tag;  // the "tag" parameter, for From/To

  // Display name without quotes (escapes left in place).
  std::string_view display() const { return unquote(displayName); }
};
Result<NameAddr, ParseError> parseNameAddr(std::string_view value);
// In place, into a default-constructed NameAddr (hot path: no copies of the result).
bool parseNameAddrInto(std::string_view value, NameAddr& out, ParseError& err);

struct Contact {
  bool star = false;  // "Contact: *" (REGISTER removal, RFC 3261 §10.2.2)
  NameAddr addr;
  std::optional<std::uint32_t> expires;
  std::string_view q;  // qvalue as written, "" when absent
};
Result<Contact, ParseError> parseContact(std::string_view value);

struct CSeq {
  std::uint32_t number = 0;
  std::string_view method;
};
Result<CSeq, ParseError> parseCSeq(std::string_view value);

Result<std::string_view, ParseError> parseCallId(std::string_view value);
// Max-Forwards: 0..255 (RFC 4475 §3.1.2.4 treats larger as malformed).
Result<std::uint32_t, ParseError> parseMaxForwards(std::string_view value);
// delta-seconds: Expires, Min-Expires, Min-SE value, RSeq (1..2^32-1 for RSeq).
Result<std::uint32_t, ParseError> parseDeltaSeconds(std::string_view value);
Result<std::uint32_t, ParseError> parseContentLength(std::string_view value);
Result<std::uint32_t, ParseError> parseRSeq(std::string_view value);
// One element of an option-tag / method list (Require, Supported, Allow, Recv-Info...).
Result<std::string_view, ParseError> parseToken(std::string_view value);

struct RAck {  // RFC 3262 §7.2
  std::uint32_t rseq = 0;
  std::uint32_t cseq = 0;
  std::string_view method;
};
Result<RAck, ParseError> parseRAck(std::string_view value);

struct Reason {               // RFC 3326 §2
  std::string_view protocol;  // "SIP", "Q.850" or a token
  std::optional<std::uint32_t> cause;
  std::string_view text;  // reason-text without quotes
  ParamList params;
};
Result<Reason, ParseError> parseReason(std::string_view value);

enum class Refresher : std::uint8_t { None, Uac, Uas };
struct SessionExpires {  // RFC 4028 §4
  std::uint32_t delta = 0;
  Refresher refresher = Refresher::None;
  ParamList params;
};
Result<SessionExpires, ParseError> parseSessionExpires(std::string_view value);
struct MinSE {  // RFC 4028 §5
  std::uint32_t delta = 0;
  ParamList params;
};
Result<MinSE, ParseError> parseMinSE(std::string_view value);

struct Privacy {  // RFC 3323 §4.2, RFC 3325 §9.3 (id), RFC 7044 (history)
  enum Flag : std::uint8_t {
    kHeader = 1,
    kSession = 2,
    kUser = 4,
    kNone = 8,
    kCritical = 16,
    kId = 32,
    kHistory = 64
  };
  std::uint8_t flags = 0;
  InlineVec<std::string_view, 8> values;  // as written, including unknown tokens
  bool has(Flag f) const { return (flags & f) != 0; }
};
Result<Privacy, ParseError> parsePrivacy(std::string_view value);

struct HistoryInfoEntry {  // RFC 7044 §9
  NameAddr addr;
  std::string_view index;  // "1.1.2" (hi-index, mandatory)
  std::string_view rc;     // hi-target-param rc / mp / np (RFC 7044 §9)
  std::string_view mp;
  std::string_view np;
};
Result<HistoryInfoEntry, ParseError> parseHistoryInfo(std::string_view value);

struct Diversion {  // RFC 5806 §3
  NameAddr addr;
  std::string_view reason;  // "unconditional", "user-busy", "no-answer"...
  std::optional<std::uint32_t> counter;
  std::optional<std::uint32_t> limit;
  std::string_view privacy;  // "full" / "name" / "uri" / "off"
  std::string_view screen;   // "yes" / "no"
};
Result<Diversion, ParseError> parseDiversion(std::string_view value);

struct InfoPackage {  // RFC 6086 §7.2 (Info-Package), §7.3 (one Recv-Info element)
  std::string_view name;
  ParamList params;
};
Result<InfoPackage, ParseError> parseInfoPackage(std::string_view value);

enum class EarlyMedia : std::uint8_t {
  SendRecv,
  SendOnly,
  RecvOnly,
  Inactive,
  Gated,
  Supported,
  Other
};
Result<EarlyMedia, ParseError> parsePEarlyMedia(std::string_view value);  // RFC 5009 §8

struct ContentType {         // RFC 3261 §20.15
  std::string_view type;     // "application"
  std::string_view subtype;  // "sdp"
  ParamList params;
  bool is(std::string_view t, std::string_view s) const {
    return iequals(type, t) && iequals(subtype, s);
  }
  std::string_view param(std::string_view name) const { return unquote(params.get(name)); }
};
Result<ContentType, ParseError> parseContentType(std::string_view value);

enum class Handling : std::uint8_t { Absent, Required, Optional, Other };
struct ContentDisposition {  // RFC 3261 §20.11
  std::string_view type;     // "session", "render", "signal", "alert", "icon"...
  Handling handling = Handling::Absent;
  ParamList params;
};
Result<ContentDisposition, ParseError> parseContentDisposition(std::string_view value);

}  // namespace siptgw::sip
