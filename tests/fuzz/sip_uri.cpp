// libFuzzer target: URI parsing and comparison (RFC 3261 §19.1, RFC 3966, RFC 4694,
// RFC 5118), plus the name-addr, Via and Contact value parsers that embed URIs.
// Invariants: a parsed URI equals itself under uriEquals, and parsing is deterministic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sip/headers.h"
#include "sip/uri.h"

using namespace siptgw::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)parseNameAddr(in);
  (void)parseVia(in);
  (void)parseContact(in);
  (void)parseReason(in);
  (void)parseHistoryInfo(in);
  auto u = parseUri(in);
  if (!u.ok()) return 0;
  if (!uriEquals(u.value(), u.value())) std::abort();
  auto again = parseUri(in);
  if (!again.ok() || !uriEquals(u.value(), again.value())) std::abort();
  if (u->scheme == UriScheme::Tel) {
    char buf[64];
    (void)u->tel.digits(buf, sizeof buf);
  }
  if (u->isSip()) {
    char buf[64];
    (void)unescape(u->sip.user, buf, sizeof buf);
    if (u->sip.userIsPhone()) (void)parseTelSubscriber(u->sip.user);
  }
  return 0;
}
