#include "generators.h"

#include "isup/param_traits.h"

namespace siptgw::isup::testing {
namespace {
uint8_t bits(std::mt19937& rng, unsigned width) {
  return static_cast<uint8_t>(std::uniform_int_distribution<unsigned>(0, (1u << width) - 1)(rng));
}
std::size_t upTo(std::mt19937& rng, std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n)(rng); }

template <class T>
void fill(std::mt19937& rng, T& v, std::span<const Field<T>> fields) {
  for (const Field<T>& f : fields) v.*f.member = bits(rng, f.width);
}
void fillBytes(std::mt19937& rng, Bytes& b, std::size_t max) {
  b.clear();
  for (std::size_t i = upTo(rng, max); i > 0; --i) b.push_back(bits(rng, 8));
}
void fillDigits(std::mt19937& rng, Digits& d, std::size_t max, bool even) {
  std::size_t n = upTo(rng, max);
  if (even) n &= ~std::size_t{1};
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back("0123456789ABCDEF"[bits(rng, 4)]);
  d.assign(s);
}

struct Filler {
  std::mt19937& rng;
  Variant v;
  uint8_t code;
  void operator()(Opaque& o) { fillBytes(rng, o.data, 12); if (o.data.empty()) o.data.push_back(1); }
  void operator()(Number& n) {
    fill<Number>(rng, n, numberLayout(v, code)->fields);
    fillDigits(rng, n.digits, 20, false);
    if (n.digits.size() % 2 == 0 && n.digits.empty() && code == 0x05) n.digits.assign("1");
    if (n.digits.size() % 2) n.filler = bits(rng, 1) ? bits(rng, 4) : 0;
  }
  void operator()(CauseIndicators& c) {
    c.coding_standard = bits(rng, 2);
    c.location = bits(rng, 4);
    c.cause = bits(rng, 7);
    c.has_recommendation = bits(rng, 1);
    if (c.has_recommendation) c.recommendation = bits(rng, 7);
    fillBytes(rng, c.diagnostics, 4);
  }
  void operator()(RangeAndStatus& r) {
    r.range = bits(rng, 5);
    if (bits(rng, 1)) {
      r.status.clear();
      for (int i = 0; i < r.range / 8 + 1; ++i) r.status.push_back(bits(rng, 8));
    }
  }
  void operator()(CallReference& c) {
    c.call_identity = static_cast<uint32_t>(rng() & 0xFFFFFF);
    c.point_code = static_cast<uint32_t>(rng() & (v == Variant::Ansi ? 0xFFFFFF : 0x3FFF));
  }
  void operator()(PropagationDelayCounter& p) { p.value = static_cast<uint16_t>(rng()); }
  void operator()(ClosedUserGroupInterlockCode& c) {
    c.network_identity.assign(std::to_string(1000 + rng() % 9000));
    c.binary_code = static_cast<uint16_t>(rng());
  }
  void operator()(ParameterCompatibilityInformation& p) {
    for (std::size_t i = 1 + upTo(rng, 2); i > 0; --i) {
      ParameterCompatibilityInformation::Entry e;
      e.parameter = bits(rng, 8);
      e.size = static_cast<uint8_t>(1 + upTo(rng, 2));
      for (uint8_t k = 0; k < e.size; ++k) e.instructions[k] = static_cast<uint8_t>(bits(rng, 7) | (k + 1 == e.size ? 0x80 : 0));
      p.entries.push_back(e);
    }
  }
  template <HeaderDescribed T>
  void operator()(T& x) {
    fill<T>(rng, x, Traits<T>::fields);
    if constexpr (Traits<T>::tail == Tail::Raw) fillBytes(rng, x.data, 10);
    if constexpr (Traits<T>::tail == Tail::Nibbles) fillDigits(rng, x.digits, 8, true);
  }
};

// Optional parameter codes worth generating, per variant.
constexpr uint8_t kItuOptional[] = {0x01, 0x03, 0x08, 0x0A, 0x0B, 0x0C, 0x12, 0x13, 0x1A, 0x1D, 0x20, 0x21,
                                    0x23, 0x27, 0x28, 0x29, 0x30, 0x31, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3D,
                                    0x3E, 0x3F, 0x78, 0xC0};
constexpr uint8_t kAnsiOptional[] = {0x01, 0x03, 0x0A, 0x0B, 0x0C, 0x12, 0x13, 0x20, 0x21, 0x27, 0x28,
                                     0x29, 0x3D, 0xC0, 0xC4, 0xC5, 0xC7, 0xEA, 0xEB};
}  // namespace

ParamValue randomParam(std::mt19937& rng, Variant v, uint8_t code) {
  ParamValue p = defaultParam(v, code);
  std::visit(Filler{rng, v, code}, p);
  return p;
}

Message randomMessage(std::mt19937& rng, Variant v, MessageType t) {
  Message m = makeMessage(v, t, static_cast<uint16_t>(rng() & (v == Variant::Ansi ? 0x3FFF : 0x0FFF)));
  for (Parameter& p : m.mandatory) {
    p.value = randomParam(rng, v, code(p.code));
    // Mandatory variable parameters must not be empty on the wire.
    if (auto* n = std::get_if<Number>(&p.value); n && n->digits.empty()) n->digits.assign("5");
    if (auto* c = std::get_if<CircuitStateIndicator>(&p.value); c && c->data.empty()) c->data.push_back(1);
    if (auto* u = std::get_if<UserToUserInformation>(&p.value); u && u->data.empty()) u->data.push_back(0x04);
  }
  const MessageFormat* f = messageFormat(v, t);
  if (f && f->optional_part) {
    std::span<const uint8_t> codes = v == Variant::Ansi ? std::span<const uint8_t>(kAnsiOptional)
                                                        : std::span<const uint8_t>(kItuOptional);
    for (std::size_t i = upTo(rng, 5); i > 0; --i) {
      uint8_t c = codes[upTo(rng, codes.size() - 1)];
      m.optional.push_back({static_cast<ParamCode>(c), randomParam(rng, v, c)});
    }
    if (bits(rng, 3) == 0) {  // an unknown parameter, passed on verbatim
      Opaque o;
      o.data = {0xDE, 0xAD};
      m.optional.push_back({static_cast<ParamCode>(0xFA), o});
    }
  }
  return m;
}

Message typicalIam(Variant v) {
  Message m = makeMessage(v, MessageType::IAM, 17);
  m.get<NatureOfConnectionIndicators>(ParamCode::NatureOfConnectionIndicators)->echo_control_device = 1;
  auto* fci = m.get<ForwardCallIndicators>(ParamCode::ForwardCallIndicators);
  fci->isdn_user_part = 1;
  fci->interworking = 1;
  fci->national_international_call = 0;
  m.get<Octet>(ParamCode::CallingPartysCategory)->value = 10;
  if (auto* tmr = m.get<Octet>(ParamCode::TransmissionMediumRequirement)) tmr->value = 3;
  if (auto* usi = m.get<UserServiceInformation>(ParamCode::UserServiceInformation)) {
    usi->coding_standard = 0;
    usi->information_transfer_capability = 0;
    usi->transfer_mode = 0;
    usi->information_transfer_rate = 0x10;
    usi->data = {0xA2};
  }
  Number* called = m.get<Number>(ParamCode::CalledPartyNumber);
  called->nature_of_address = 3;
  called->numbering_plan = 1;
  called->digits.assign("0612345678");
  Number calling;
  calling.nature_of_address = 4;
  calling.numbering_plan = 1;
  calling.screening = 3;
  calling.digits.assign("4930123456");
  m.optional.push_back({ParamCode::CallingPartyNumber, calling});
  OptionalForwardCallIndicators ofci;
  m.optional.push_back({ParamCode::OptionalForwardCallIndicators, ofci});
  HopCounter hc;
  hc.hop_counter = 20;
  m.optional.push_back({ParamCode::HopCounter, hc});
  return m;
}

}  // namespace siptgw::isup::testing
