// Bearer ⇄ SDP / TMR / USI (RFC 4040, RFC 3551, Q.763 §3.54/§3.57, Q.931 §4.5.5).
#include "mapping/bearer.h"

#include "sip/multipart.h"
#include "sip/text.h"

namespace siptgw::mapping {
namespace {

// Q.931 §4.5.5 octet 3 information transfer capability.
constexpr uint8_t kItcSpeech = 0x00;
constexpr uint8_t kItcUnrestricted = 0x08;
constexpr uint8_t kItc3k1 = 0x10;
// Octet 4: 64 kbit/s, circuit mode.
constexpr uint8_t kRate64k = 0x10;
// Octet 5: extension 1, layer 1 identification 01, user information layer 1 protocol
// G.711 µ-law (2) / A-law (3).
constexpr uint8_t kLayer1MuLaw = 0xA2;
constexpr uint8_t kLayer1ALaw = 0xA3;

// Q.763 §3.54.
constexpr uint8_t kTmrSpeech = 0;
constexpr uint8_t kTmr64kUnrestricted = 2;
constexpr uint8_t kTmr3k1 = 3;
constexpr uint8_t kTmr64kPreferred = 6;  // 64 kbit/s preferred, fallback in TMR prime

enum class Codec : uint8_t { None, Pcmu, Pcma, Clearmode };

Codec codecOf(const sip::SdpMedia& m, std::string_view format) {
  uint32_t pt = 0;
  if (!sip::parseUint(format, 127, pt)) return Codec::None;
  if (auto map = m.rtpmap(static_cast<uint8_t>(pt))) {
    if (map->clockRate != 8000) return Codec::None;
    if (sip::iequals(map->encoding, "PCMU")) return Codec::Pcmu;
    if (sip::iequals(map->encoding, "PCMA")) return Codec::Pcma;
    if (sip::iequals(map->encoding, "CLEARMODE")) return Codec::Clearmode;
    return Codec::None;
  }
  // RFC 3551 Table 4 static payload types.
  if (pt == 0) return Codec::Pcmu;
  if (pt == 8) return Codec::Pcma;
  return Codec::None;
}

}  // namespace

std::string_view bearerName(Bearer b) {
  switch (b) {
    case Bearer::Speech: return "speech";
    case Bearer::Audio3k1: return "3.1kHz-audio";
    case Bearer::Unrestricted64k: return "64k-unrestricted";
  }
  return "?";
}

uint8_t tmrFor(Bearer b) {
  switch (b) {
    case Bearer::Speech: return kTmrSpeech;
    case Bearer::Audio3k1: return kTmr3k1;
    case Bearer::Unrestricted64k: return kTmr64kUnrestricted;
  }
  return kTmrSpeech;
}

isup::UserServiceInformation usiFor(Bearer b, bool aLaw) {
  isup::UserServiceInformation u;
  u.coding_standard = 0;  // ITU-T
  u.extension = 1;
  u.transfer_mode = 0;  // circuit
  u.information_transfer_rate = kRate64k;
  u.extension_2 = 1;
  switch (b) {
    case Bearer::Speech: u.information_transfer_capability = kItcSpeech; break;
    case Bearer::Audio3k1: u.information_transfer_capability = kItc3k1; break;
    case Bearer::Unrestricted64k: u.information_transfer_capability = kItcUnrestricted; break;
  }
  if (b != Bearer::Unrestricted64k) u.data.push_back(aLaw ? kLayer1ALaw : kLayer1MuLaw);
  return u;
}

Result<std::optional<std::string_view>, Rejection> sdpBody(const sip::Message& m) {
  if (m.body().empty()) return std::optional<std::string_view>{};
  auto ct = m.contentType();
  if (!ct) return Unexpected(reject(400, 95, "body without a valid Content-Type"));
  if (ct->is("application", "sdp")) return std::optional<std::string_view>{m.body()};
  if (ct->is("multipart", "mixed")) {
    auto mp = sip::parseMultipart(m.body(), ct->param("boundary"));
    if (!mp) return Unexpected(reject(400, 95, "malformed multipart body"));
    for (const sip::MimePart& part : mp->parts) {
      auto pct = part.contentType();
      if (pct && pct->is("application", "sdp")) return std::optional<std::string_view>{part.body};
    }
    return std::optional<std::string_view>{};
  }
  // RFC 3261 §21.4.14 would answer 415; a body we do not read is simply no offer here.
  return std::optional<std::string_view>{};
}

Result<BearerChoice, Rejection> bearerFromSdp(const sip::SessionDescription& sdp,
                                              bool audio3k1) {
  // The offerer's preference (format order, RFC 3264 §5.1) decides: the first of
  // PCMU/PCMA/clearmode in the first active audio stream that has one.
  Codec first = Codec::None;
  for (const sip::SdpMedia& m : sdp.media) {
    auto ml = m.mediaLine();
    // RFC 3264 §6: port 0 declines the stream.
    if (!ml || ml->port == 0 || !sip::iequals(ml->media, "audio")) continue;
    std::string_view f = ml->formats;
    while (!f.empty()) {
      std::size_t sp = f.find(' ');
      Codec c = codecOf(m, f.substr(0, sp));
      f = sp == std::string_view::npos ? std::string_view{} : sip::trim(f.substr(sp + 1));
      if (c == Codec::None) continue;
      if (first == Codec::None) first = c;
    }
    if (first != Codec::None) break;
  }
  switch (first) {
    case Codec::Clearmode: return BearerChoice{Bearer::Unrestricted64k, true};
    case Codec::Pcma: return BearerChoice{audio3k1 ? Bearer::Audio3k1 : Bearer::Speech, true};
    case Codec::Pcmu: return BearerChoice{audio3k1 ? Bearer::Audio3k1 : Bearer::Speech, false};
    case Codec::None: break;
  }
  return Unexpected(reject(488, 65, "SDP offers no PCMA, PCMU or clearmode audio"));
}

Result<Bearer, Rejection> bearerFromIam(const isup::Message& iam, bool allowClearmode) {
  std::optional<Bearer> b;
  const isup::Octet* tmr = iam.get<isup::Octet>(isup::ParamCode::TransmissionMediumRequirement);
  const auto* usi =
      iam.get<isup::UserServiceInformation>(isup::ParamCode::UserServiceInformation);
  // "64 kbit/s preferred": the user service information says what the user asked for.
  if (tmr && tmr->value == kTmr64kPreferred && usi) tmr = nullptr;
  if (tmr) {
    switch (tmr->value) {
      case kTmr64kPreferred: b = Bearer::Unrestricted64k; break;
      case kTmrSpeech: b = Bearer::Speech; break;
      case kTmr3k1: b = Bearer::Audio3k1; break;
      case kTmr64kUnrestricted: b = Bearer::Unrestricted64k; break;
      default:
        return Unexpected(reject(488, 65, "transmission medium requirement " +
                                              std::to_string(tmr->value) +
                                              " has no SIP equivalent"));
    }
  } else if (usi) {
    switch (usi->information_transfer_capability) {
      case kItcSpeech: b = Bearer::Speech; break;
      case kItc3k1: b = Bearer::Audio3k1; break;
      case kItcUnrestricted: b = Bearer::Unrestricted64k; break;
      default:
        return Unexpected(reject(488, 65, "user service information capability " +
                                              std::to_string(usi->information_transfer_capability) +
                                              " has no SIP equivalent"));
    }
  }
  if (!b) b = Bearer::Speech;  // neither present (§7.2.1.1 makes one mandatory): assume speech
  if (*b == Bearer::Unrestricted64k && !allowClearmode)
    return Unexpected(reject(488, 88, "64 kbit/s unrestricted call and clearmode is disabled"));
  return *b;
}

}  // namespace siptgw::mapping
