#include "isup/json.h"

#include <nlohmann/json.hpp>

#include "isup/param_traits.h"

namespace siptgw::isup {
namespace {
using Json = nlohmann::ordered_json;
using Err = Unexpected<std::string>;

template <class T>
concept HasData = requires(T t) { t.data; };
template <class T>
concept HasDigits = requires(T t) { t.digits; };

// ------------------------------------------------------------ to JSON
template <class T>
void putFields(Json& j, const T& v, std::span<const Field<T>> fields) {
  for (const Field<T>& f : fields) {
    const bool spare = f.name.starts_with("spare");
    if (!spare || v.*f.member) j[std::string(f.name)] = v.*f.member;
  }
}

struct ToJson {
  Variant variant;
  uint8_t code;
  Json operator()(const Opaque& o) const { return Json{{"code", code}, {"hex", toHex(o.data)}}; }
  Json operator()(const Number& n) const {
    Json j = Json::object();
    if (const NumberLayout* l = numberLayout(variant, code)) putFields<Number>(j, n, l->fields);
    j["digits"] = std::string(n.digits.view());
    if (n.filler) j["filler"] = n.filler;
    return j;
  }
  Json operator()(const CauseIndicators& c) const {
    Json j{{"cause", c.cause}, {"location", c.location}, {"coding_standard", c.coding_standard}};
    if (c.spare) j["spare"] = c.spare;
    if (c.has_recommendation) j["recommendation"] = c.recommendation;
    if (!c.diagnostics.empty()) j["diagnostics"] = toHex(c.diagnostics);
    return j;
  }
  Json operator()(const RangeAndStatus& r) const {
    Json j{{"range", r.range}};
    if (!r.status.empty()) j["status"] = toHex(r.status);
    return j;
  }
  Json operator()(const CallReference& c) const {
    Json j{{"call_identity", c.call_identity}, {"point_code", c.point_code}};
    if (c.spare) j["spare"] = c.spare;
    return j;
  }
  Json operator()(const PropagationDelayCounter& p) const { return Json{{"value", p.value}}; }
  Json operator()(const ClosedUserGroupInterlockCode& c) const {
    return Json{{"network_identity", std::string(c.network_identity.view())}, {"binary_code", c.binary_code}};
  }
  Json operator()(const ParameterCompatibilityInformation& p) const {
    Json a = Json::array();
    for (const auto& e : p.entries)
      a.push_back(Json{{"parameter", e.parameter},
                       {"instruction_indicators", toHex(std::span<const uint8_t>(e.instructions.data(), e.size))}});
    return Json{{"entries", a}};
  }
  template <HeaderDescribed T>
  Json operator()(const T& v) const {
    Json j = Json::object();
    putFields<T>(j, v, Traits<T>::fields);
    if constexpr (Traits<T>::tail == Tail::Raw) j["data"] = toHex(v.data);
    if constexpr (Traits<T>::tail == Tail::Nibbles) j["digits"] = std::string(v.digits.view());
    return j;
  }
};

// ------------------------------------------------------------ from JSON
struct FromJson {
  const Json& j;
  std::string path;
  std::string err;

  bool fail(const std::string& what) {
    err = path + ": " + what;
    return false;
  }
  bool uint(const char* key, uint64_t max, uint64_t& out, bool required) {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required) return fail(std::string("missing \"") + key + "\"");
      return true;
    }
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0))
      return fail(std::string(key) + ": not a non-negative integer");
    uint64_t x = it->get<uint64_t>();
    if (x > max) return fail(std::string(key) + ": " + std::to_string(x) + " exceeds " + std::to_string(max));
    out = x;
    return true;
  }
  template <class I>
  bool field(const char* key, uint64_t max, I& out, bool required = false) {
    uint64_t x = out;
    if (!uint(key, max, x, required)) return false;
    out = static_cast<I>(x);
    return true;
  }
  bool hex(const char* key, Bytes& out, bool required = false) {
    auto it = j.find(key);
    if (it == j.end()) return required ? fail(std::string("missing \"") + key + "\"") : true;
    if (!it->is_string()) return fail(std::string(key) + ": not a hex string");
    auto b = fromHex(it->get<std::string>());
    if (!b) return fail(std::string(key) + ": " + b.error());
    out.assign(b->begin(), b->end());
    return true;
  }
  bool digits(const char* key, Digits& out, bool required = true) {
    auto it = j.find(key);
    if (it == j.end()) return required ? fail(std::string("missing \"") + key + "\"") : true;
    if (!it->is_string() || !out.assign(it->get<std::string>()))
      return fail(std::string(key) + ": not a string of at most 40 digits 0-9, A-F");
    return true;
  }
  template <class T>
  bool fields(T& v, std::span<const Field<T>> fs) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool known = it.key() == "digits" || it.key() == "data" || it.key() == "filler";
      for (const Field<T>& f : fs) known = known || f.name == it.key();
      if (!known) return fail("unknown field \"" + it.key() + "\"");
    }
    for (const Field<T>& f : fs) {
      std::string k(f.name);
      if (!field(k.c_str(), f.mask(), v.*f.member)) return false;
    }
    return true;
  }

  bool operator()(Opaque&) { return fail("internal: opaque"); }
  bool operator()(Number& n, const NumberLayout* l) {
    return fields<Number>(n, l->fields) && digits("digits", n.digits) && field("filler", 15, n.filler);
  }
  bool operator()(CauseIndicators& c) {
    if (!field("cause", 127, c.cause, true) || !field("location", 15, c.location) ||
        !field("coding_standard", 3, c.coding_standard) || !field("spare", 1, c.spare) ||
        !hex("diagnostics", c.diagnostics))
      return false;
    if (j.contains("recommendation")) {
      c.has_recommendation = true;
      return field("recommendation", 127, c.recommendation);
    }
    return true;
  }
  bool operator()(RangeAndStatus& r) {
    if (!field("range", 255, r.range, true) || !hex("status", r.status)) return false;
    if (!r.status.empty() && r.status.size() != static_cast<std::size_t>(r.range / 8 + 1))
      return fail("status: needs range/8+1 = " + std::to_string(r.range / 8 + 1) + " octets");
    return true;
  }
  bool operator()(CallReference& c) {
    return field("call_identity", 0xFFFFFF, c.call_identity, true) &&
           field("point_code", 0xFFFFFF, c.point_code, true) && field("spare", 3, c.spare);
  }
  bool operator()(PropagationDelayCounter& p) { return field("value", 0xFFFF, p.value, true); }
  bool operator()(ClosedUserGroupInterlockCode& c) {
    if (!digits("network_identity", c.network_identity)) return false;
    if (c.network_identity.size() != 4) return fail("network_identity: needs 4 digits");
    return field("binary_code", 0xFFFF, c.binary_code, true);
  }
  bool operator()(ParameterCompatibilityInformation& p) {
    auto it = j.find("entries");
    if (it == j.end() || !it->is_array() || it->empty()) return fail("entries: a non-empty array needed");
    for (const Json& e : *it) {
      FromJson sub{e, path + ".entries", {}};
      ParameterCompatibilityInformation::Entry x;
      Bytes ind;
      if (!e.is_object() || !sub.field("parameter", 255, x.parameter, true) ||
          !sub.hex("instruction_indicators", ind, true)) {
        err = sub.err.empty() ? path + ".entries: objects needed" : sub.err;
        return false;
      }
      if (ind.empty() || ind.size() > 3 || !(ind.back() & 0x80))
        return fail("entries: instruction_indicators: 1-3 octets, the last with bit 8 set");
      x.size = static_cast<uint8_t>(ind.size());
      std::copy(ind.begin(), ind.end(), x.instructions.begin());
      p.entries.push_back(x);
    }
    return true;
  }
  template <HeaderDescribed T>
  bool operator()(T& v) {
    if (!fields<T>(v, Traits<T>::fields)) return false;
    if constexpr (Traits<T>::tail == Tail::Raw) return hex("data", v.data);
    if constexpr (Traits<T>::tail == Tail::Nibbles) {
      if (!digits("digits", v.digits, false)) return false;
      if (v.digits.size() % 2) return fail("digits: an even number of digits needed (two per octet)");
    }
    return true;
  }
};

Result<Parameter, std::string> paramFromJson(Variant v, const std::string& key, const Json& j,
                                             const std::string& path) {
  if (!j.is_object()) return Err{path + ": an object needed"};
  std::string name = key.substr(0, key.find('#'));
  if (j.contains("hex") && j.contains("code")) {
    if (!j["code"].is_number_unsigned() || j["code"].get<uint64_t>() > 255)
      return Err{path + ".code: 0-255 needed"};
    auto b = fromHex(j["hex"].is_string() ? j["hex"].get<std::string>() : "?");
    if (!b) return Err{path + ".hex: " + b.error()};
    Opaque o;
    o.data.assign(b->begin(), b->end());
    uint8_t c = static_cast<uint8_t>(j["code"].get<uint64_t>());
    o.recognized = paramInfo(v, c) != nullptr;
    return Parameter{static_cast<ParamCode>(c), std::move(o)};
  }
  auto c = paramCodeFromName(v, name);
  if (!c) return Err{path + ": unknown parameter (use {\"code\": N, \"hex\": …} for others)"};
  Parameter p{static_cast<ParamCode>(*c), defaultParam(v, *c)};
  FromJson fj{j, path, {}};
  bool ok = std::visit(
      [&](auto& x) {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, Number>) return fj(x, numberLayout(v, *c));
        else return fj(x);
      },
      p.value);
  if (!ok) return Err{fj.err};
  return p;
}
}  // namespace

// ------------------------------------------------------------ hex
std::string toHex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

Result<std::vector<uint8_t>, std::string> fromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    char c = hex[i];
    if (c == ' ' || c == ':' || c == '\n' || c == '\t') continue;
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (v < 0) return Err{"not a hex digit at character " + std::to_string(i)};
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) return Err{std::string("odd number of hex digits")};
  return out;
}

// ------------------------------------------------------------ messages
std::string toJson(const Message& m, Framing framing, int indent) {
  Json j = Json::object();
  std::string_view acr = messageAcronym(m.variant, m.type);
  if (acr.empty()) j["type"] = code(m.type);
  else j["type"] = std::string(acr);
  if (framing == Framing::Wire) {
    j["cic"] = m.cic;
    if (m.cic_spare) j["cic_spare"] = m.cic_spare;
  }
  Json params = Json::object();
  auto add = [&](const Parameter& p) {
    std::string_view nm = std::holds_alternative<Opaque>(p.value) && !paramInfo(m.variant, code(p.code))
                              ? std::string_view{}
                              : paramName(m.variant, code(p.code));
    std::string key = nm.empty() ? "unknown_" + std::to_string(code(p.code)) : std::string(nm);
    if (params.contains(key)) {
      for (int n = 2;; ++n) {
        std::string k = key + "#" + std::to_string(n);
        if (!params.contains(k)) {
          key = k;
          break;
        }
      }
    }
    params[key] = std::visit(ToJson{m.variant, code(p.code)}, p.value);
  };
  for (const Parameter& p : m.mandatory) add(p);
  for (const Parameter& p : m.optional) add(p);
  j["parameters"] = std::move(params);
  if (m.empty_optional_part) j["empty_optional_part"] = true;
  if (!m.trailing.empty()) j["trailing"] = toHex(m.trailing);
  if (!m.body.empty()) j["body"] = toHex(m.body);
  return j.dump(indent);
}

Result<Message, std::string> fromJson(std::string_view text, Variant v, Framing framing) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Err{std::string("not valid JSON")};
  if (!j.is_object()) return Err{std::string("a JSON object needed")};
  for (auto it = j.begin(); it != j.end(); ++it) {
    static constexpr std::string_view kKeys[] = {"type", "cic", "cic_spare", "parameters", "empty_optional_part",
                                                 "trailing", "body", "variant"};
    if (std::find(std::begin(kKeys), std::end(kKeys), it.key()) == std::end(kKeys))
      return Err{"unknown key \"" + it.key() + "\""};
  }
  Message m;
  m.variant = v;
  auto t = j.find("type");
  if (t == j.end()) return Err{std::string("missing \"type\"")};
  if (t->is_string()) {
    auto mt = messageTypeFromAcronym(v, t->get<std::string>());
    if (!mt) return Err{"type: unknown message \"" + t->get<std::string>() + "\" in " + std::string(variantName(v))};
    m.type = *mt;
  } else if (t->is_number_unsigned() && t->get<uint64_t>() <= 255) {
    m.type = static_cast<MessageType>(t->get<uint64_t>());
  } else {
    return Err{std::string("type: an acronym or a code 0-255 needed")};
  }
  FromJson top{j, "", {}};
  if (framing == Framing::Wire) {
    const uint64_t max = v == Variant::Ansi ? 0x3FFF : 0x0FFF;
    if (!top.field("cic", max, m.cic, true) || !top.field("cic_spare", v == Variant::Ansi ? 3 : 15, m.cic_spare))
      return Err{top.err.substr(2)};
  }
  if (!top.hex("trailing", m.trailing) || !top.hex("body", m.body)) return Err{top.err.substr(2)};
  if (auto e = j.find("empty_optional_part"); e != j.end()) {
    if (!e->is_boolean()) return Err{std::string("empty_optional_part: true or false")};
    m.empty_optional_part = e->get<bool>();
  }
  const MessageFormat* f = messageFormat(v, m.type);
  if (!f && j.contains("parameters") && !j["parameters"].empty())
    return Err{std::string("parameters: this message type's format is not known; give \"body\" as hex")};
  if (!f) return m;
  if (!m.body.empty()) return Err{std::string("body: only for message types without a known format")};
  Json params = j.value("parameters", Json::object());
  if (!params.is_object()) return Err{std::string("parameters: an object needed")};
  std::vector<Parameter> given;
  for (auto it = params.begin(); it != params.end(); ++it) {
    auto p = paramFromJson(v, it.key(), it.value(), "parameters." + it.key());
    if (!p) return Err{p.error()};
    given.push_back(std::move(*p));
  }
  auto takeMandatory = [&](ParamCode c) -> Result<Ok, std::string> {
    for (auto it = given.begin(); it != given.end(); ++it) {
      if (it->code == c) {
        m.mandatory.push_back(std::move(*it));
        given.erase(it);
        return Ok{};
      }
    }
    return Err{std::string(f->acronym) + ": missing mandatory parameter " + std::string(paramName(v, code(c)))};
  };
  for (uint8_t i = 0; i < f->fixed_count; ++i)
    if (auto r = takeMandatory(f->fixed[i].code); !r) return Err{r.error()};
  for (uint8_t i = 0; i < f->variable_count; ++i)
    if (auto r = takeMandatory(f->variable[i]); !r) return Err{r.error()};
  if (!f->optional_part && !given.empty())
    return Err{std::string(f->acronym) + " has no optional part: " + std::string(paramName(v, code(given.front().code)))};
  for (Parameter& p : given) m.optional.push_back(std::move(p));
  return m;
}

}  // namespace siptgw::isup
