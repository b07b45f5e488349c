// `siptgw sip check FILE`: is this capture one well-formed SIP message (RFC 3261 §7, §25,
// §8.1.1)? Operators run it on messages cut out of traces.
#pragma once

#include <iosfwd>
#include <string>

namespace siptgw::gateway {

// Exit code: 0 well-formed ("ok" on `out`), 1 not (one line naming line and header on
// `err`), 2 the file cannot be read.
int sipCheck(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace siptgw::gateway
