// libFuzzer target: SDP (RFC 4566, RFC 3312 preconditions). Invariants: a parsed
// description re-serialises byte for byte, and its re-parse is equal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/sdp.h"

using namespace siptgw::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = parseSdp(in);
  if (!r.ok()) return 0;
  const SessionDescription& s = r.value();
  (void)s.origin();
  (void)s.connection();
  for (std::size_t i = 0; i < s.media.size(); ++i) {
    (void)s.media[i].mediaLine();
    (void)s.media[i].preconditions();
    (void)s.media[i].rtpmap(0);
    (void)s.media[i].ptime();
    (void)s.direction(i);
  }
  std::string out;
  serialize(s, out);
  if (out != in) std::abort();
  auto again = parseSdp(out);
  if (!again.ok() || !(again.value() == s)) std::abort();
  return 0;
}
