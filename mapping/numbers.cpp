// Numbers between SIP URIs and ISUP (RFC 3398 §12, §7.2.1.1; RFC 3966; RFC 4694).
#include "mapping/numbers.h"

#include "isup/parameters.h"

namespace siptgw::mapping {
namespace {

constexpr std::size_t kE164Max = 15;  // E.164 §6: at most 15 digits with the country code

bool visualSeparator(char c) { return c == '-' || c == '.' || c == '(' || c == ')'; }

Rejection badNumber(std::string detail) { return reject(484, 28, std::move(detail)); }

// Telephone digits of `text` in ISUP signal characters ('*' → B, '#' → C), separators
// dropped; false on anything else.
bool toSignals(std::string_view text, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && text.substr(i, 3) == "%23") {  // '#' escaped, as URIs must carry it
      out += 'C';
      i += 2;
    } else if (c >= '0' && c <= '9')
      out += c;
    else if (c == '*')
      out += 'B';  // Q.763 §3.9 code 11
    else if (c == '#')
      out += 'C';  // code 12
    else if (!visualSeparator(c))
      return false;
  }
  return true;
}

bool startsWith(std::string_view s, std::string_view p) {
  return !p.empty() && s.size() > p.size() && s.substr(0, p.size()) == p;
}

// ISUP signals back to URI characters. '#' is escaped in a sip: user part (RFC 3261 §25.1
// user-unreserved lacks it) and written as is in a tel: URI (RFC 3966 phonedigit-hex, which
// sip/uri parses; it rejects "%23" there).
std::string toTelChars(std::string_view digits, bool escapeHash) {
  std::string s;
  s.reserve(digits.size());
  for (char c : digits) {
    if (c == 'B')
      s += '*';
    else if (c == 'C')
      s += escapeHash ? "%23" : "#";
    else
      s += c;
  }
  return s;
}

PartyNumber party(std::string digits, uint8_t noaValue) {
  PartyNumber n;
  n.digits = std::move(digits);
  n.noa = noaValue;
  return n;
}

bool onlyDecimal(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

PartyNumber international(std::string digits, const NumberRules& rules) {
  PartyNumber n;
  if (rules.localCountryAsNational && startsWith(digits, rules.countryCode)) {
    n.digits = digits.substr(rules.countryCode.size());
    n.noa = noa::kNational;
  } else {
    n.digits = std::move(digits);
    n.noa = noa::kInternational;
  }
  return n;
}

// The telephone-subscriber of a URI: the tel URI itself, or the user part of a sip URI
// (user=phone, or digits only). `storage` holds the unescaped user part.
Result<sip::TelUri, Rejection> telOf(const sip::Uri& uri, std::string& storage) {
  if (uri.scheme == sip::UriScheme::Tel) return uri.tel;
  if (!uri.isSip())
    return Unexpected(reject(416, 127, "URI scheme '" + std::string(uri.schemeName) +
                                           "' carries no telephone number"));
  std::string_view user = uri.sip.user;
  storage.resize(user.size());
  std::size_t n = sip::unescape(user, storage.data(), storage.size());
  if (n == std::string_view::npos || n > storage.size())
    return Unexpected(badNumber("malformed %-escape in user part"));
  storage.resize(n);
  if (storage.empty()) return Unexpected(badNumber("URI has no user part"));
  // §12: without user=phone, accept a user part that is plainly a number.
  if (!uri.sip.userIsPhone()) {
    std::string_view u = storage;
    if (u.front() == '+') u.remove_prefix(1);
    std::string scratch;
    if (u.empty() || !toSignals(u, scratch) || u.find(';') != std::string_view::npos)
      return Unexpected(badNumber("user part '" + storage + "' is not a telephone number"));
    // Plain dialled digits ("sip:2001@gw", what SIP phones and SIPp send): a local number
    // without phone-context (RFC 3966 §5.1.5 asks for one only in tel: URIs), classified by
    // the profile's number rules like any unprefixed number.
    if (storage.front() != '+') {
      sip::TelUri local;
      local.number = storage;
      local.global = false;
      return local;
    }
  }
  auto tel = sip::parseTelSubscriber(storage);
  if (!tel) return Unexpected(badNumber("user part '" + storage + "' is not a telephone-subscriber"));
  return *tel;
}

Result<PartyNumber, Rejection> classifyTel(const sip::TelUri& tel, const NumberRules& rules) {
  std::string_view text = tel.number;
  if (tel.global) text.remove_prefix(1);
  return classifyNumber(text, tel.global, rules);
}

}  // namespace

Result<PartyNumber, Rejection> classifyNumber(std::string_view text, bool global,
                                              const NumberRules& rules) {
  std::string digits;
  if (!toSignals(text, digits))
    return Unexpected(badNumber("'" + std::string(text) + "' holds non-telephone characters"));
  if (digits.empty()) return Unexpected(badNumber("no digits in the number"));
  if (digits.size() > isup::Digits::kMax)
    return Unexpected(badNumber("number longer than ISUP's 40 signals"));
  if (global) {
    if (!onlyDecimal(digits) || digits.size() > kE164Max)
      return Unexpected(badNumber("'+" + std::string(text) + "' is not an E.164 number"));
    return international(std::move(digits), rules);
  }
  if (rules.analysePrefixes) {
    if (startsWith(digits, rules.internationalPrefix) && onlyDecimal(digits))
      return international(digits.substr(rules.internationalPrefix.size()), rules);
    if (startsWith(digits, rules.nationalPrefix))
      return party(digits.substr(rules.nationalPrefix.size()), noa::kNational);
  }
  switch (rules.unprefixed) {
    case UnprefixedNumber::National: return party(std::move(digits), noa::kNational);
    case UnprefixedNumber::Subscriber: return party(std::move(digits), noa::kSubscriber);
    case UnprefixedNumber::Unknown: return party(std::move(digits), noa::kUnknown);
    case UnprefixedNumber::Reject: break;
  }
  return Unexpected(badNumber("'" + std::string(text) +
                              "' is not in international format (RFC 3398 §12.2)"));
}

Result<PartyNumber, Rejection> numberFromUri(const sip::Uri& uri, const NumberRules& rules) {
  std::string storage;
  auto tel = telOf(uri, storage);
  if (!tel) return Unexpected(tel.error());
  return classifyTel(*tel, rules);
}

Result<PartyNumber, Rejection> calledFromRequestUri(const sip::Message& invite,
                                                   const Profile& profile, bool ansi) {
  const NumberRules& rules = profile.numbers;
  std::string storage;
  auto tel = telOf(invite.requestUri(), storage);
  if (!tel) {
    Rejection r = tel.error();
    r.detail = "Request-URI: " + r.detail;
    return Unexpected(std::move(r));
  }
  auto called = classifyTel(*tel, rules);
  if (!called) {
    Rejection r = called.error();
    r.detail = "Request-URI: " + r.detail;
    return Unexpected(std::move(r));
  }
  PartyNumber n = std::move(*called);
  if (!tel->cic.empty()) {
    // RFC 4694 §5: global-cic "+1-5062" (country code, then the code), or local-cic.
    std::string_view c = tel->cic;
    bool global = !c.empty() && c.front() == '+';
    if (global) {
      c.remove_prefix(1);
      std::size_t dash = c.find('-');
      c = dash != std::string_view::npos ? c.substr(dash + 1)
          : startsWith(c, rules.countryCode) ? c.substr(rules.countryCode.size())
                                             : c;
    }
    std::string digits;
    if (toSignals(c, digits) && onlyDecimal(digits)) n.carrier = digits;
  }
  n.npdi = tel->npdi;
  if (tel->npdi && !tel->rn.empty()) {
    // §7.2.1.1: "LRNs are necessarily national in scope".
    std::string_view rnText = tel->rn;
    bool rnGlobal = rnText.front() == '+';
    if (rnGlobal) rnText.remove_prefix(1);
    auto rn = classifyNumber(rnText, rnGlobal, rules);
    if (!rn) {
      Rejection r = rn.error();
      r.detail = "Request-URI rn: " + r.detail;
      return Unexpected(std::move(r));
    }
    if (ansi) {
      n.dialledDigits = std::move(n.digits);
      n.dialledNoa = n.noa;
      n.digits = std::move(rn->digits);
      n.noa = rn->noa;
    } else {
      n.digits = rn->digits + rules.routingNumberSeparator + n.digits;
      if (n.digits.size() > isup::Digits::kMax)
        return Unexpected(badNumber("routing number and number exceed 40 signals"));
    }
  }
  return n;
}

std::optional<std::string> e164FromNumber(std::string_view digits, uint8_t noaValue,
                                          const NumberRules& rules) {
  if (digits.empty() || !onlyDecimal(digits)) return std::nullopt;
  switch (noaValue) {
    case noa::kInternational: return "+" + std::string(digits);
    case noa::kNational:
      if (rules.countryCode.empty()) return std::nullopt;
      return "+" + rules.countryCode + std::string(digits);
    case noa::kSubscriber:
      if (rules.countryCode.empty() || rules.areaCode.empty()) return std::nullopt;
      return "+" + rules.countryCode + rules.areaCode + std::string(digits);
    case noa::kUnknown:
      if (!rules.analysePrefixes) return std::nullopt;
      if (startsWith(digits, rules.internationalPrefix))
        return "+" + std::string(digits.substr(rules.internationalPrefix.size()));
      if (startsWith(digits, rules.nationalPrefix) && !rules.countryCode.empty())
        return "+" + rules.countryCode + std::string(digits.substr(rules.nationalPrefix.size()));
      return std::nullopt;
    default: return std::nullopt;
  }
}

namespace {
// The telephone-subscriber text shared by tel: and sip: forms.
std::string subscriberText(std::string_view digits, uint8_t noaValue, const NumberRules& rules,
                           bool inSipUser) {
  if (auto e164 = e164FromNumber(digits, noaValue, rules)) return *e164;
  std::string s;
  // A national number dialled inside its country carries the trunk prefix.
  if (noaValue == noa::kNational) s = rules.nationalPrefix;
  s += toTelChars(digits, inSipUser);
  std::string context = rules.phoneContext;
  if (context.empty() && !rules.countryCode.empty()) context = "+" + rules.countryCode;
  if (!context.empty()) s += ";phone-context=" + context;
  return s;
}
}  // namespace

std::string telUriFromNumber(std::string_view digits, uint8_t noaValue, const NumberRules& rules,
                             std::string_view params) {
  return "tel:" + subscriberText(digits, noaValue, rules, false) + std::string(params);
}

std::string sipUriFromNumber(std::string_view digits, uint8_t noaValue, std::string_view host,
                             bool userPhone, const NumberRules& rules, std::string_view params) {
  std::string s = "sip:" + subscriberText(digits, noaValue, rules, true);
  s += params;
  s += '@';
  s += host;
  if (userPhone) s += ";user=phone";
  return s;
}

std::string uriFromNumber(std::string_view digits, uint8_t noaValue, std::string_view host,
                          bool userPhone, const NumberRules& rules, std::string_view params) {
  return host.empty() ? telUriFromNumber(digits, noaValue, rules, params)
                      : sipUriFromNumber(digits, noaValue, host, userPhone, rules, params);
}

}  // namespace siptgw::mapping
