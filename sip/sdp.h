// SessionDescription: an SDP (RFC 4566) body as an ordered list of zero-copy lines, split
// into the session part and one section per m= line, so that serialize(parse(x)) == x byte
// for byte (line endings are kept per line). Typed views parse the lines the gateway uses:
// o, c, t, b, m, a=rtpmap, a=fmtp, a=ptime, the direction attributes (RFC 4566 §6), and the
// precondition attributes a=curr / a=des / a=conf of RFC 3312 §5 (as updated by RFC 4032).
// The body must outlive the SessionDescription. Lines are kept in small vectors whose inline
// capacity holds a usual offer or answer (a handful of session lines, one or two m= sections
// of a few lines each), so parsing one allocates nothing; longer bodies spill to the heap.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "config/result.h"
#include "sip/parse_error.h"

namespace siptgw::sip {

struct SdpLine {
  char type = 'a';
  std::string_view value;         // after "x="
  std::string_view eol = "\r\n";  // "\r\n", "\n", or "" for a final unterminated line

  // For a=: the attribute name and value ("rtpmap", "0 PCMU/8000"); value empty for flags.
  std::string_view attrName() const;
  std::string_view attrValue() const;
};

// Inline capacities: v o s c t plus a few a= fit the session part; m=, rtpmap/fmtp for two
// or three codecs, ptime and a direction fit a section.
using SdpLines = boost::container::small_vector<SdpLine, 8>;

struct SdpOrigin {  // o= (RFC 4566 §5.2)
  std::string_view username, sessId, sessVersion, netType, addrType, address;
};
struct SdpConnection {                          // c= (§5.7)
  std::string_view netType, addrType, address;  // address may carry /ttl[/n]
};
struct SdpTiming {  // t= (§5.9)
  std::uint64_t start = 0, stop = 0;
};
struct SdpBandwidth {     // b= (§5.8)
  std::string_view type;  // "AS", "CT", "TIAS"...
  std::uint32_t kbps = 0;
};
struct SdpMediaLine {      // m= (§5.14)
  std::string_view media;  // audio, video, image, application...
  std::uint16_t port = 0;
  std::optional<std::uint16_t> numPorts;
  std::string_view proto;    // RTP/AVP, udptl...
  std::string_view formats;  // "0 8 101"
};
struct SdpRtpmap {  // a=rtpmap (§6)
  std::uint8_t payloadType = 0;
  std::string_view encoding;
  std::uint32_t clockRate = 0;
  std::string_view encodingParams;  // channels for audio, may be empty
};
struct SdpFmtp {  // a=fmtp (§6)
  std::string_view format;
  std::string_view params;
};
enum class SdpDirection : std::uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };

// RFC 3312 §5.1 precondition attributes.
enum class PrecondStatus : std::uint8_t { E2E, Local, Remote };
enum class PrecondDirection : std::uint8_t { None, Send, Recv, SendRecv };
enum class PrecondStrength : std::uint8_t { Mandatory, Optional, None, Failure, Unknown };
struct SdpPrecondition {
  enum class Kind : std::uint8_t { Curr, Des, Conf } kind = Kind::Curr;
  std::string_view type;                             // "qos"
  PrecondStrength strength = PrecondStrength::None;  // a=des only
  PrecondStatus status = PrecondStatus::E2E;
  PrecondDirection direction = PrecondDirection::None;
};

struct SdpMedia {
  SdpLines lines;  // lines[0] is the m= line

  Result<SdpMediaLine, ParseError> mediaLine() const;
  std::optional<SdpConnection> connection() const;  // media-level c=, if any
  std::optional<SdpRtpmap> rtpmap(std::uint8_t payloadType) const;
  std::optional<SdpFmtp> fmtp(std::string_view format) const;
  std::optional<std::uint32_t> ptime() const;
  // Media-level direction; nullopt when absent (the session level or sendrecv applies).
  std::optional<SdpDirection> direction() const;
  std::vector<SdpPrecondition> preconditions() const;
  // Value of the first a=name, or nullopt.
  std::optional<std::string_view> attribute(std::string_view name) const;

  // parseSdp keeps the m= line it validated; mediaLine() returns it while lines[0] still
  // holds the same bytes (an edited or built section is parsed on each call).
  std::optional<SdpMediaLine> parsedMediaLine;
  std::string_view parsedFrom;
};

class SessionDescription {
 public:
  SdpLines sessionLines;  // v= first
  boost::container::small_vector<SdpMedia, 2> media;

  // Building: values are views the caller keeps alive; lines end with CRLF.
  SessionDescription& add(char type, std::string_view value);  // to the last section
  SessionDescription& addMedia(std::string_view mLineValue);

  SdpOrigin origin() const;  // valid after a successful parse
  std::string_view sessionName() const;
  std::optional<SdpConnection> connection() const;       // session-level c=
  SdpDirection direction(std::size_t mediaIndex) const;  // media, else session, else sendrecv
  std::optional<std::string_view> attribute(std::string_view name) const;  // session-level a=

  friend bool operator==(const SessionDescription& a, const SessionDescription& b);
};

Result<SessionDescription, ParseError> parseSdp(std::string_view body);
// Appends an a= value for a precondition, e.g. "des:qos mandatory local sendrecv".
void appendPrecondition(const SdpPrecondition& p, std::string& out);
void serialize(const SessionDescription& sdp, std::string& out);

// Parsers for single line values (also used by parseSdp to validate).
Result<SdpOrigin, ParseError> parseSdpOrigin(std::string_view value);
Result<SdpConnection, ParseError> parseSdpConnection(std::string_view value);
Result<SdpMediaLine, ParseError> parseSdpMediaLine(std::string_view value);
Result<SdpRtpmap, ParseError> parseSdpRtpmap(std::string_view attrValue);
Result<SdpFmtp, ParseError> parseSdpFmtp(std::string_view attrValue);
Result<SdpPrecondition, ParseError> parseSdpPrecondition(std::string_view attrName,
                                                         std::string_view attrValue);

}  // namespace siptgw::sip
