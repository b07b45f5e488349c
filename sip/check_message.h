// checkMessage: says whether bytes are one well-formed SIP message per the RFC 3261 grammar
// (§7, §25) plus the request rules of §8.1.1 — mandatory To, From, CSeq, Call-ID,
// Max-Forwards and Via; CSeq method equal to the request method (§8.1.1.5); a branch on
// every Via (§8.1.1.7); Content-Length equal to the body actually present; every typed
// header that is present must parse; an application/sdp body, or the SDP parts of a
// multipart body, must parse as SDP (RFC 4566). The error names line and header in one
// sentence for `siptgw sip check FILE`.
#pragma once

#include <string_view>

#include "config/result.h"
#include "sip/message.h"
#include "sip/parse_error.h"

namespace siptgw::sip {

Result<Ok, ParseError> checkMessage(std::string_view bytes);
// The same checks on an already parsed message (without the byte-level Content-Length check).
Result<Ok, ParseError> checkParsed(const Message& m);

}  // namespace siptgw::sip
