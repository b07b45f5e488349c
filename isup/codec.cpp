// Q.763 §1.3–1.8 framing: CIC (§1.2; 12 bits ITU, 14 bits ANSI), message type code,
// mandatory fixed part, pointers and mandatory variable part, optional part (pointer,
// code/length/value triples, end-of-optional-parameters octet). Pointers must follow the
// order of §1.7 (each variable parameter right after the previous; the optional part right
// after the last), which is also how we encode, so that decode∘encode is the identity.
#include "isup/codec.h"

#include <array>
#include <string>

#include "isup/writer.h"

namespace siptgw::isup {
namespace {
using In = std::span<const uint8_t>;
using K = DecodeError::Kind;

constexpr uint16_t cicMask(Variant v) { return v == Variant::Ansi ? 0x3FFF : 0x0FFF; }
constexpr int cicBits(Variant v) { return v == Variant::Ansi ? 14 : 12; }

std::optional<DecodeError> fail(K k, std::size_t off, uint8_t type, uint8_t param = 0) {
  return DecodeError{k, off, type, param};
}

bool typedFailed(const ParamValue& v) {
  const Opaque* o = std::get_if<Opaque>(&v);
  return o && o->recognized;
}

// `in` starts at the message type code; `base` is its offset in the caller's input (for
// error offsets).
std::optional<DecodeError> decodeFrom(In in, std::size_t base, Message& m) {
  if (in.empty()) return fail(K::Truncated, base, 0);
  const uint8_t t = in[0];
  m.type = static_cast<MessageType>(t);
  const MessageFormat* f = messageFormat(m.variant, m.type);
  if (!f) {
    m.body.assign(in.begin() + 1, in.end());
    return std::nullopt;
  }
  std::size_t pos = 1;
  for (uint8_t i = 0; i < f->fixed_count; ++i) {
    const auto& fx = f->fixed[i];
    if (pos + fx.length > in.size()) return fail(K::Truncated, base + in.size(), t, code(fx.code));
    decodeParamInto(m.mandatory.emplace_back(Parameter{fx.code, {}}).value, m.variant, code(fx.code),
                    in.subspan(pos, fx.length));
    if (typedFailed(m.mandatory.back().value)) return fail(K::BadParameterContents, base + pos, t, code(fx.code));
    pos += fx.length;
  }
  const std::size_t nptr = f->variable_count + (f->optional_part ? 1u : 0u);
  if (pos + nptr > in.size()) return fail(K::Truncated, base + in.size(), t);
  const std::size_t ptrs = pos;
  std::size_t next = pos + nptr;  // where the next parameter must start
  for (uint8_t i = 0; i < f->variable_count; ++i) {
    const uint8_t pc = code(f->variable[i]);
    const std::size_t at = ptrs + i;
    if (in[at] == 0 || at + in[at] != next) return fail(K::BadPointer, base + at, t, pc);
    if (next >= in.size()) return fail(K::Truncated, base + in.size(), t, pc);
    const std::size_t len = in[next];
    if (len == 0) return fail(K::MissingMandatory, base + next, t, pc);
    if (next + 1 + len > in.size()) return fail(K::LengthOverrun, base + next, t, pc);
    decodeParamInto(m.mandatory.emplace_back(Parameter{f->variable[i], {}}).value, m.variant, pc,
                    in.subspan(next + 1, len));
    if (typedFailed(m.mandatory.back().value)) return fail(K::BadParameterContents, base + next + 1, t, pc);
    next += 1 + len;
  }
  if (f->optional_part) {
    const std::size_t at = ptrs + f->variable_count;
    if (in[at] != 0) {
      if (at + in[at] != next) return fail(K::BadPointer, base + at, t);
      for (;;) {
        if (next >= in.size()) return fail(K::MissingEndOfOptional, base + in.size(), t);
        const uint8_t pc = in[next];
        if (pc == 0) {
          ++next;
          break;
        }
        if (next + 1 >= in.size()) return fail(K::Truncated, base + in.size(), t, pc);
        const std::size_t len = in[next + 1];
        if (next + 2 + len > in.size()) return fail(K::LengthOverrun, base + next + 1, t, pc);
        decodeParamInto(m.optional.emplace_back(Parameter{static_cast<ParamCode>(pc), {}}).value, m.variant, pc,
                        in.subspan(next + 2, len));
        next += 2 + len;
      }
      m.empty_optional_part = m.optional.empty();
    }
  }
  m.trailing.assign(in.begin() + static_cast<std::ptrdiff_t>(next), in.end());
  return std::nullopt;
}

bool encodeParamAt(Writer& w, Variant v, const Parameter& p) {
  int n = encodeParam(v, code(p.code), p.value, w.room());
  if (n < 0) return false;
  w.commit(static_cast<std::size_t>(n));
  return true;
}

// Writes a length octet followed by the parameter's contents.
bool encodeWithLength(Writer& w, Variant v, const Parameter& p, bool mandatory) {
  std::size_t len = w.hole();
  std::size_t start = w.size();
  if (!encodeParamAt(w, v, p)) return false;
  std::size_t n = w.size() - start;
  if (n > 255 || (mandatory && n == 0)) return false;
  w.patch(len, static_cast<uint8_t>(n));
  return true;
}

bool encodeFrom(const Message& m, Writer& w) {
  w.put(code(m.type));
  const MessageFormat* f = messageFormat(m.variant, m.type);
  if (!f) {
    w.put(m.body);
    return !w.overflow();
  }
  if (m.mandatory.size() != static_cast<std::size_t>(f->fixed_count + f->variable_count)) return false;
  for (uint8_t i = 0; i < f->fixed_count; ++i) {
    const Parameter& p = m.mandatory[i];
    std::size_t start = w.size();
    if (p.code != f->fixed[i].code || !encodeParamAt(w, m.variant, p)) return false;
    if (w.size() - start != f->fixed[i].length) return false;
  }
  std::array<std::size_t, 3> ptr{};
  const std::size_t nptr = f->variable_count + (f->optional_part ? 1u : 0u);
  for (std::size_t i = 0; i < nptr; ++i) ptr[i] = w.hole();
  auto point = [&](std::size_t i) {
    std::size_t d = w.size() - ptr[i];
    if (d > 255) return false;
    w.patch(ptr[i], static_cast<uint8_t>(d));
    return true;
  };
  for (uint8_t i = 0; i < f->variable_count; ++i) {
    const Parameter& p = m.mandatory[f->fixed_count + i];
    if (p.code != f->variable[i] || !point(i) || !encodeWithLength(w, m.variant, p, true)) return false;
  }
  if (f->optional_part) {
    if (!m.optional.empty() || m.empty_optional_part) {
      if (!point(f->variable_count)) return false;
      for (const Parameter& p : m.optional) {
        if (p.code == ParamCode::EndOfOptionalParameters) return false;
        w.put(code(p.code));
        if (!encodeWithLength(w, m.variant, p, false)) return false;
      }
      w.put(0);
    }  // else the pointer stays 0: no optional part
  } else if (!m.optional.empty() || m.empty_optional_part) {
    return false;
  }
  w.put(m.trailing);
  return !w.overflow();
}
}  // namespace

namespace {
void reset(Message& m, Variant v) {
  m.variant = v;
  m.cic = 0;
  m.cic_spare = 0;
  m.type = {};
  m.mandatory.clear();
  m.optional.clear();
  m.empty_optional_part = false;
  m.trailing.clear();
  m.body.clear();
}
}  // namespace

std::optional<DecodeError> decode(std::span<const uint8_t> wire, Variant v, Message& m) {
  reset(m, v);
  if (wire.size() < 3) return fail(K::Truncated, wire.size(), 0);
  const uint16_t raw = static_cast<uint16_t>(wire[0] | wire[1] << 8);
  m.cic = raw & cicMask(v);
  m.cic_spare = static_cast<uint8_t>(raw >> cicBits(v));
  return decodeFrom(wire.subspan(2), 2, m);
}

std::optional<DecodeError> decodeBody(std::span<const uint8_t> body, Variant v, Message& m) {
  reset(m, v);
  return decodeFrom(body, 0, m);
}

Result<Message, DecodeError> decode(std::span<const uint8_t> wire, Variant v) {
  Message m;
  if (auto e = decode(wire, v, m)) return Unexpected{*e};
  return m;
}

Result<Message, DecodeError> decodeBody(std::span<const uint8_t> body, Variant v) {
  Message m;
  if (auto e = decodeBody(body, v, m)) return Unexpected{*e};
  return m;
}

int encode(const Message& m, std::span<uint8_t> out) {
  if (m.cic > cicMask(m.variant) || m.cic_spare >= (1u << (16 - cicBits(m.variant)))) return -1;
  Writer w(out);
  const uint16_t raw = static_cast<uint16_t>(m.cic | m.cic_spare << cicBits(m.variant));
  w.put(static_cast<uint8_t>(raw));
  w.put(static_cast<uint8_t>(raw >> 8));
  if (!encodeFrom(m, w)) return -1;
  return static_cast<int>(w.size());
}

int encodeBody(const Message& m, std::span<uint8_t> out) {
  Writer w(out);
  if (!encodeFrom(m, w)) return -1;
  return static_cast<int>(w.size());
}

namespace {
template <class Fn>
bool toVector(const Message& m, std::vector<uint8_t>& out, Fn fn) {
  std::array<uint8_t, 1024> buf;
  int n = fn(m, std::span<uint8_t>(buf));
  if (n < 0) return false;
  out.assign(buf.begin(), buf.begin() + n);
  return true;
}
}  // namespace

bool encode(const Message& m, std::vector<uint8_t>& out) {
  return toVector(m, out, [](const Message& x, std::span<uint8_t> b) { return encode(x, b); });
}

bool encodeBody(const Message& m, std::vector<uint8_t>& out) {
  return toVector(m, out, [](const Message& x, std::span<uint8_t> b) { return encodeBody(x, b); });
}

// ---------------------------------------------------------------- errors
uint8_t DecodeError::cause() const {
  switch (kind) {
    case K::MissingMandatory: return 96;      // mandatory information element is missing
    case K::BadParameterContents: return 100; // invalid information element contents
    default: return 111;                      // protocol error, unspecified
  }
}

std::optional<uint8_t> DecodeError::diagnostic() const {
  if (param_code == 0 || (kind != K::MissingMandatory && kind != K::BadParameterContents)) return std::nullopt;
  return param_code;
}

std::string_view kindName(DecodeError::Kind k) {
  switch (k) {
    case K::Truncated: return "message truncated";
    case K::BadPointer: return "bad pointer";
    case K::LengthOverrun: return "length runs past the end of the message";
    case K::MissingMandatory: return "mandatory parameter missing (length 0)";
    case K::BadParameterContents: return "invalid parameter contents";
    case K::MissingEndOfOptional: return "optional part lacks the end-of-optional-parameters octet";
  }
  return "?";
}

std::string DecodeError::describe(Variant v) const {
  std::string s = "offset " + std::to_string(offset) + ": ";
  std::string_view acr = messageAcronym(v, static_cast<MessageType>(message_type));
  if (!acr.empty()) {
    s += acr;
    s += ": ";
  }
  if (param_code) {
    std::string_view pn = paramName(v, param_code);
    if (pn.empty()) s += "parameter " + std::to_string(param_code);
    else s += pn;
    s += ": ";
  }
  s += kindName(kind);
  return s;
}

}  // namespace siptgw::isup
