// libFuzzer target: multipart bodies (RFC 2046 §5.1, RFC 5621). Input: first line is the
// boundary, the rest the body. Invariants: a parsed body re-serialises byte for byte; a
// body built from the parsed parts parses back to the same part bodies.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/multipart.h"

using namespace siptgw::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view boundary = in.substr(0, nl);
  std::string_view body = in.substr(nl + 1);
  auto r = parseMultipart(body, boundary);
  if (!r.ok()) return 0;
  for (const MimePart& p : r->parts) {
    (void)p.contentType();
    (void)p.contentDisposition();
  }
  std::string out;
  serialize(r.value(), out);
  if (out != body) std::abort();

  if (r->parts.size() >= 2) {
    std::string built;
    if (buildMultipart(
            built, boundary,
            {PartSpec{"application/sdp", "", r->parts[0].body},
             PartSpec{kIsupContentType, "signal;handling=optional", r->parts[1].body}})) {
      auto back = parseMultipart(built, boundary);
      if (!back.ok() || back->parts.size() != 2 || back->parts[0].body != r->parts[0].body ||
          back->parts[1].body != r->parts[1].body) {
        std::abort();
      }
    }
  }
  return 0;
}
