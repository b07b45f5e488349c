// Serialising SIP messages (RFC 3261 §7): `serialize` re-emits a parsed (and possibly
// edited) Message — untouched fields byte for byte from their raw bytes, edited or added
// ones as "Name: value" — and MessageBuilder writes messages the stack originates straight
// into a reusable std::string (one reserve, no intermediate objects), computing
// Content-Length from the body. `appendResponseFor` builds a response to a request with
// the fields RFC 3261 §8.2.6.2 says to copy (Via, From, To + tag, Call-ID, CSeq).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sip/header_id.h"
#include "sip/message.h"

namespace siptgw::sip {

// Appends the wire form of m to out.
void serialize(const Message& m, std::string& out);
// Exact wire size of m (to size a caller-provided buffer).
std::size_t serializedSize(const Message& m);
// Writes into [buf, buf+cap); returns bytes written, or 0 when cap is too small.
std::size_t serialize(const Message& m, char* buf, std::size_t cap);
// An unedited parsed message is written as its Message::wireRaw() bytes in one copy; this
// writes any message field by field, so tests can check the two agree.
void serializeFields(const Message& m, std::string& out);

class MessageBuilder {
 public:
  // Appends to out (clear it first to reuse); reserves `reserve` bytes once.
  explicit MessageBuilder(std::string& out, std::size_t reserve = 1024);

  MessageBuilder& request(std::string_view method, std::string_view requestUri);
  MessageBuilder& response(std::uint16_t code, std::string_view reason);
  MessageBuilder& header(std::string_view name, std::string_view value);
  MessageBuilder& header(HeaderId id, std::string_view value);
  MessageBuilder& header(HeaderId id, std::uint32_t value);
  // Several pieces concatenated into one value, without a temporary string.
  MessageBuilder& headerParts(HeaderId id, std::initializer_list<std::string_view> parts);
  // Copies every field `id` of m as it appears on the wire (e.g. all Vias for a response).
  MessageBuilder& copy(const Message& m, HeaderId id);
  // Writes Content-Type (when non-empty), Content-Length, the empty line and the body.
  // The builder is finished afterwards.
  void finish(std::string_view body = {}, std::string_view contentType = {});

 private:
  std::string& out_;
};

// Start line and the §8.2.6.2 header copies for a response to `request`; `toTag` is added to
// To when it has none. Continue with more headers, then finish().
MessageBuilder& appendResponseFor(MessageBuilder& b, const Message& request, std::uint16_t code,
                                  std::string_view reason, std::string_view toTag);

}  // namespace siptgw::sip
