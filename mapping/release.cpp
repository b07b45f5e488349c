// Cause ⇄ status (RFC 3398 §7.2.4.1, §8.2.6.1) and Reason (RFC 3326, RFC 6432).
#include "mapping/release.h"

#include <iterator>
#include <utility>

#include "mapping/rejection.h"
#include "sip/text.h"

namespace siptgw::mapping {
namespace {

// ITU-T Q.850 Table 1 (sorted by value).
constexpr std::pair<uint8_t, std::string_view> kCauseNames[] = {
    {1, "Unallocated (unassigned) number"},
    {2, "No route to specified transit network"},
    {3, "No route to destination"},
    {4, "Send special information tone"},
    {5, "Misdialled trunk prefix"},
    {6, "Channel unacceptable"},
    {7, "Call awarded and being delivered in an established channel"},
    {8, "Preemption"},
    {9, "Preemption - circuit reserved for reuse"},
    {14, "QoR: ported number"},
    {16, "Normal call clearing"},
    {17, "User busy"},
    {18, "No user responding"},
    {19, "No answer from user (user alerted)"},
    {20, "Subscriber absent"},
    {21, "Call rejected"},
    {22, "Number changed"},
    {23, "Redirection to new destination"},
    {24, "Call rejected due to feature at the destination"},
    {25, "Exchange routing error"},
    {26, "Non-selected user clearing"},
    {27, "Destination out of order"},
    {28, "Invalid number format (address incomplete)"},
    {29, "Facility rejected"},
    {30, "Response to STATUS ENQUIRY"},
    {31, "Normal, unspecified"},
    {34, "No circuit/channel available"},
    {38, "Network out of order"},
    {39, "Permanent frame mode connection out of service"},
    {40, "Permanent frame mode connection operational"},
    {41, "Temporary failure"},
    {42, "Switching equipment congestion"},
    {43, "Access information discarded"},
    {44, "Requested circuit/channel not available"},
    {46, "Precedence call blocked"},
    {47, "Resource unavailable, unspecified"},
    {49, "Quality of Service not available"},
    {50, "Requested facility not subscribed"},
    {53, "Outgoing calls barred within CUG"},
    {55, "Incoming calls barred within CUG"},
    {57, "Bearer capability not authorized"},
    {58, "Bearer capability not presently available"},
    {62, "Inconsistency in designated outgoing access information and subscriber class"},
    {63, "Service or option not available, unspecified"},
    {65, "Bearer capability not implemented"},
    {66, "Channel type not implemented"},
    {69, "Requested facility not implemented"},
    {70, "Only restricted digital information bearer capability is available"},
    {79, "Service or option not implemented, unspecified"},
    {81, "Invalid call reference value"},
    {82, "Identified channel does not exist"},
    {83, "A suspended call exists, but this call identity does not"},
    {84, "Call identity in use"},
    {85, "No call suspended"},
    {86, "Call having the requested call identity has been cleared"},
    {87, "User not member of CUG"},
    {88, "Incompatible destination"},
    {90, "Non-existent CUG"},
    {91, "Invalid transit network selection"},
    {95, "Invalid message, unspecified"},
    {96, "Mandatory information element is missing"},
    {97, "Message type non-existent or not implemented"},
    {98, "Message not compatible with call state or message type non-existent or not implemented"},
    {99, "Information element / parameter non-existent or not implemented"},
    {100, "Invalid information element contents"},
    {101, "Message not compatible with call state"},
    {102, "Recovery on timer expiry"},
    {103, "Parameter non-existent or not implemented, passed on"},
    {110, "Message with unrecognized parameter, discarded"},
    {111, "Protocol error, unspecified"},
    {127, "Interworking, unspecified"},
};

StatusLine line(uint16_t code) { return StatusLine{code, reasonPhrase(code)}; }

// RFC 3261 §20.43: warn-code is the first token of each warning-value.
bool hasBearerWarning(const sip::Message& m) {
  bool found = false;
  m.forEachValue(sip::HeaderId::Warning, [&](std::string_view v, const sip::HeaderField&) {
    std::string_view code = v.substr(0, v.find(' '));
    // 304 "Media type not available", 305 "Incompatible media format".
    found = code == "304" || code == "305";
    return !found;
  });
  return found;
}

}  // namespace

StatusLine statusForCause(uint8_t cause, const Profile& profile) {
  if (auto it = profile.causeToStatus.find(cause); it != profile.causeToStatus.end())
    return line(it->second);
  return line(profile.causeClassStatus[(cause >> 4) & 7]);
}

StatusLine statusForRelease(const isup::CauseIndicators& ci, const Profile& profile) {
  StatusLine s = statusForCause(ci.cause, profile);
  if (ci.cause == 21 && ci.location == 0 && s.code == 403 && profile.userRejectIs6xx)
    return line(603);
  if (ci.cause == 22 && !ci.diagnostics.empty() && profile.numberChangedWithDiagnosticIs301)
    return line(301);
  return s;
}

uint8_t causeForStatus(uint16_t status, const Profile& profile) {
  if (auto it = profile.statusToCause.find(status); it != profile.statusToCause.end())
    return it->second;
  if (status >= 400 && status <= 699) return profile.statusClassCause[status / 100 - 4];
  // 3xx the gateway could not follow (§8.2.5), or codes outside SIP's range.
  return profile.statusClassCause[0];
}

uint8_t causeForResponse(const sip::Message& response, const Profile& profile) {
  if (auto c = q850CauseFromReason(response)) return *c;
  const uint16_t status = response.statusCode();
  if ((status == 488 || status == 606) && !profile.statusToCause.contains(status) &&
      hasBearerWarning(response))
    return profile.bearerWarningCause;
  return causeForStatus(status, profile);
}

uint8_t locationForStatus(uint16_t status, const Profile& profile) {
  return status >= 600 ? 0 : profile.networkLocation;
}

isup::CauseIndicators causeIndicators(uint8_t cause, uint8_t location) {
  isup::CauseIndicators ci;
  ci.coding_standard = 0;  // ITU-T
  ci.location = location & 0x0F;
  ci.cause = cause & 0x7F;
  return ci;
}

std::string reasonHeaderValue(uint8_t cause) {
  std::string v = "Q.850;cause=" + std::to_string(cause);
  std::string_view text = causeText(cause);
  if (text != "Unknown cause") {
    v += ";text=\"";
    v += text;
    v += '"';
  }
  return v;
}

std::optional<uint8_t> q850CauseFromReason(const sip::Message& m) {
  std::optional<uint8_t> cause;
  m.forEachValue(sip::HeaderId::Reason, [&](std::string_view v, const sip::HeaderField&) {
    auto r = sip::parseReason(v);
    if (!r || !sip::iequals(r->protocol, "Q.850") || !r->cause) return true;
    if (*r->cause < 1 || *r->cause > 127) return true;
    cause = static_cast<uint8_t>(*r->cause);
    return false;
  });
  return cause;
}

std::string_view causeText(uint8_t cause) {
  for (const auto& [value, name] : kCauseNames)
    if (value == cause) return name;
  return "Unknown cause";
}

CauseClass causeClass(uint8_t cause) {
  switch (cause) {
    case 16: case 31: return CauseClass::Normal;
    case 17: return CauseClass::Busy;
    case 18: case 19: return CauseClass::NoAnswer;
    case 1: case 2: case 3: case 22: case 26: case 28: return CauseClass::Unallocated;
    case 21: case 55: case 57: case 87: return CauseClass::Rejected;
    case 34: case 41: case 42: case 44: case 47: return CauseClass::Congestion;
    case 20: case 27: case 38: return CauseClass::Unavailable;
    default: return CauseClass::Other;
  }
}

std::string_view causeClassName(CauseClass c) {
  switch (c) {
    case CauseClass::Normal: return "normal";
    case CauseClass::Busy: return "busy";
    case CauseClass::NoAnswer: return "no_answer";
    case CauseClass::Unallocated: return "unallocated";
    case CauseClass::Rejected: return "rejected";
    case CauseClass::Congestion: return "congestion";
    case CauseClass::Unavailable: return "unavailable";
    case CauseClass::Other: return "other";
  }
  return "other";
}

}  // namespace siptgw::mapping
