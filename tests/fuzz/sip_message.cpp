// libFuzzer target: SIP message parser (RFC 3261 §7), typed headers, checkMessage and
// stream framing. Invariants: a parsed message re-serialises to exactly the bytes it was
// parsed from (minus skipped leading CRLFs and datagram bytes beyond Content-Length), and
// parsing that output gives an equal message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/check_message.h"
#include "sip/message.h"
#include "sip/message_builder.h"
#include "sip/stream_framer.h"

using namespace siptgw::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)frameStream(in);
  (void)checkMessage(in);
  Message m;
  if (!m.parse(in).ok()) return 0;

  // touch every typed accessor: none may crash, whatever they return
  (void)m.topVia();
  (void)m.from();
  (void)m.to();
  (void)m.callId();
  (void)m.cseq();
  (void)m.maxForwards();
  (void)m.vias();
  (void)m.contacts();
  (void)m.routes();
  (void)m.reasons();
  (void)m.historyInfo();
  (void)m.diversions();
  (void)m.privacy();
  (void)m.sessionExpires();
  (void)m.contentType();
  (void)checkParsed(m);

  std::size_t start = 0;
  while (start < in.size() && (in[start] == '\r' || in[start] == '\n')) ++start;
  const char* bodyEnd = m.body().data() + m.body().size();
  std::string_view expected =
      in.substr(start, static_cast<std::size_t>(bodyEnd - in.data()) - start);
  std::string out;
  serialize(m, out);
  if (out != expected) std::abort();
  if (serializedSize(m) != out.size()) std::abort();

  Message again;
  if (!again.parse(out).ok()) std::abort();
  if (!(again == m)) std::abort();
  return 0;
}
