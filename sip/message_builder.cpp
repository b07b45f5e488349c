// SIP serialiser and builder (RFC 3261 §7). See message_builder.h.
#include "sip/message_builder.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace siptgw::sip {

namespace {

// A sink that either appends to a string or writes into a fixed buffer, so the two
// serialize() overloads share one walk over the message.
struct StringSink {
  std::string& s;
  void put(std::string_view v) { s.append(v); }
};
struct CountSink {
  std::size_t n = 0;
  void put(std::string_view v) { n += v.size(); }
};
struct BufferSink {
  char* buf;
  std::size_t cap;
  std::size_t n = 0;
  bool overflow = false;
  void put(std::string_view v) {
    if (overflow || v.size() > cap - n) {
      overflow = true;
      return;
    }
    std::memcpy(buf + n, v.data(), v.size());
    n += v.size();
  }
};

std::string_view toDecimal(std::uint32_t v, char (&buf)[16]) {
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, static_cast<std::size_t>(r.ptr - buf)};
}

template <class Sink>
void emitFields(const Message& m, Sink& sink) {
  char num[16];
  if (!m.startLineRaw().empty()) {
    sink.put(m.startLineRaw());
  } else if (m.isRequest()) {
    sink.put(m.method());
    sink.put(" ");
    sink.put(m.requestUriText());
    sink.put(" SIP/2.0\r\n");
  } else {
    sink.put("SIP/2.0 ");
    sink.put(toDecimal(m.statusCode(), num));
    sink.put(" ");
    sink.put(m.reasonPhrase());
    sink.put("\r\n");
  }
  for (const HeaderField& h : m.headers()) {
    if (h.id == HeaderId::ContentLength && m.bodyModified()) {
      sink.put(h.name);
      sink.put(": ");
      sink.put(toDecimal(static_cast<std::uint32_t>(m.body().size()), num));
      sink.put("\r\n");
    } else if (!h.raw.empty()) {
      sink.put(h.raw);
    } else {
      sink.put(h.name);
      sink.put(": ");
      sink.put(h.value);
      sink.put("\r\n");
    }
  }
  sink.put(m.separatorRaw().empty() ? std::string_view("\r\n") : m.separatorRaw());
  sink.put(m.body());
}

template <class Sink>
void emit(const Message& m, Sink& sink) {
  if (!m.wireRaw().empty()) return sink.put(m.wireRaw());
  emitFields(m, sink);
}

// Grows out by n bytes (geometrically, as append would) and returns where they start.
char* grow(std::string& out, std::size_t n) {
  const std::size_t at = out.size();
  if (out.capacity() < at + n) out.reserve(std::max(at + n, 2 * out.capacity()));
  out.resize(at + n);
  return out.data() + at;
}
char* put(char* d, std::string_view p) {
  if (!p.empty()) std::memcpy(d, p.data(), p.size());  // an empty view may hold nullptr
  return d + p.size();
}
// Appends the pieces with one size check and one length update: a header line is four or
// five short pieces, and string::append per piece cost more than the copies themselves.
void appendAll(std::string& out, std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  for (std::string_view p : parts) n += p.size();
  char* d = grow(out, n);
  for (std::string_view p : parts) d = put(d, p);
}

}  // namespace

void serialize(const Message& m, std::string& out) {
  StringSink s{out};
  emit(m, s);
}

void serializeFields(const Message& m, std::string& out) {
  StringSink s{out};
  emitFields(m, s);
}

std::size_t serializedSize(const Message& m) {
  CountSink c;
  emit(m, c);
  return c.n;
}

std::size_t serialize(const Message& m, char* buf, std::size_t cap) {
  BufferSink b{buf, cap};
  emit(m, b);
  return b.overflow ? 0 : b.n;
}

MessageBuilder::MessageBuilder(std::string& out, std::size_t reserve) : out_(out) {
  if (out_.capacity() < out_.size() + reserve) out_.reserve(out_.size() + reserve);
}

MessageBuilder& MessageBuilder::request(std::string_view method, std::string_view requestUri) {
  appendAll(out_, {method, " ", requestUri, " SIP/2.0\r\n"});
  return *this;
}

MessageBuilder& MessageBuilder::response(std::uint16_t code, std::string_view reason) {
  char num[16];
  appendAll(out_, {"SIP/2.0 ", toDecimal(code, num), " ", reason, "\r\n"});
  return *this;
}

MessageBuilder& MessageBuilder::header(std::string_view name, std::string_view value) {
  appendAll(out_, {name, ": ", value, "\r\n"});
  return *this;
}

MessageBuilder& MessageBuilder::header(HeaderId id, std::string_view value) {
  return header(headerName(id), value);
}

MessageBuilder& MessageBuilder::header(HeaderId id, std::uint32_t value) {
  char num[16];
  return header(headerName(id), toDecimal(value, num));
}

MessageBuilder& MessageBuilder::headerParts(HeaderId id,
                                            std::initializer_list<std::string_view> parts) {
  const std::string_view name = headerName(id);
  std::size_t n = name.size() + 4;  // ": " and CRLF
  for (std::string_view p : parts) n += p.size();
  char* d = put(put(grow(out_, n), name), ": ");
  for (std::string_view p : parts) d = put(d, p);
  put(d, "\r\n");
  return *this;
}

MessageBuilder& MessageBuilder::copy(const Message& m, HeaderId id) {
  for (const HeaderField& h : m.headers()) {
    if (h.id != id) continue;
    if (!h.raw.empty()) {
      // A raw field ends with its own line ending; bare-LF input is normalised to CRLF.
      std::string_view raw = h.raw;
      if (raw.size() >= 2 && raw[raw.size() - 2] == '\r') {
        out_.append(raw);
      } else {
        out_.append(raw.substr(0, raw.size() - 1)).append("\r\n");
      }
    } else {
      header(h.name, h.value);
    }
  }
  return *this;
}

void MessageBuilder::finish(std::string_view body, std::string_view contentType) {
  if (!contentType.empty()) header(HeaderId::ContentType, contentType);
  header(HeaderId::ContentLength, static_cast<std::uint32_t>(body.size()));
  appendAll(out_, {"\r\n", body});
}

MessageBuilder& appendResponseFor(MessageBuilder& b, const Message& request, std::uint16_t code,
                                  std::string_view reason, std::string_view toTag) {
  b.response(code, reason);
  b.copy(request, HeaderId::Via);
  b.copy(request, HeaderId::From);
  const HeaderField* to = request.find(HeaderId::To);
  if (to != nullptr) {
    const auto& parsed = request.to();
    if (!toTag.empty() && parsed && parsed->tag.empty()) {
      b.headerParts(HeaderId::To, {to->value, ";tag=", toTag});
    } else {
      b.header(HeaderId::To, to->value);
    }
  }
  b.copy(request, HeaderId::CallId);
  b.copy(request, HeaderId::CSeq);
  return b;
}

}  // namespace siptgw::sip
