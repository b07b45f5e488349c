#include "gateway/media.h"

#include <charconv>


namespace siptgw::gateway {
namespace {

struct CodecInfo {
  Codec codec;
  std::string_view name;
  uint8_t static_pt;  // 255: dynamic only
};
constexpr CodecInfo kCodecs[] = {
    {Codec::Pcmu, "PCMU", 0},       // RFC 3551 §6 table 4
    {Codec::Pcma, "PCMA", 8},
    {Codec::Clearmode, "CLEARMODE", 255},  // RFC 4040 §3
};
constexpr uint8_t kClearmodeOfferPt = 97;

const CodecInfo& info(Codec c) {
  for (const auto& i : kCodecs)
    if (i.codec == c) return i;
  return kCodecs[0];
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

// The codec a payload type of this m= section stands for, if we know it.
std::optional<Codec> codecOf(const sip::SdpMedia& m, uint8_t pt) {
  if (auto map = m.rtpmap(pt)) {
    if (map->clockRate != 8000) return std::nullopt;
    return codecFromEncoding(map->encoding);
  }
  for (const auto& i : kCodecs)
    if (i.static_pt == pt) return i.codec;
  return std::nullopt;
}

bool allowedIn(const std::vector<Codec>& list, Codec c) {
  for (Codec x : list)
    if (x == c) return true;
  return false;
}

void appendU(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

bool isV6(std::string_view addr) { return addr.find(':') != std::string_view::npos; }

void appendSessionPart(std::string& out, const MediaRule& rule, uint64_t sessionId, uint64_t version) {
  const char* at = isV6(rule.address) ? " IN IP6 " : " IN IP4 ";
  out += "v=0\r\no=siptgw ";
  appendU(out, sessionId);
  out += ' ';
  appendU(out, version);
  out.append(at).append(rule.address).append("\r\ns=siptgw\r\nc=").append(at + 1).append(rule.address);
  out += "\r\nt=0 0\r\n";
}

void appendRtpmap(std::string& out, Codec c, uint8_t pt) {
  out += "a=rtpmap:";
  appendU(out, pt);
  out.append(" ").append(sdpEncodingName(c)).append("/8000\r\n");
}

// RFC 3264 §6.1: sendonly is answered recvonly and vice versa.
std::string_view answerDirection(sip::SdpDirection d) {
  switch (d) {
    case sip::SdpDirection::SendOnly: return "recvonly";
    case sip::SdpDirection::RecvOnly: return "sendonly";
    case sip::SdpDirection::Inactive: return "inactive";
    case sip::SdpDirection::SendRecv: break;
  }
  return "sendrecv";
}

}  // namespace

std::string_view sdpEncodingName(Codec c) { return info(c).name; }

std::optional<Codec> codecFromEncoding(std::string_view name) {
  for (const auto& i : kCodecs)
    if (iequals(i.name, name)) return i.codec;
  return std::nullopt;
}

std::string_view mediaErrorName(MediaError e) {
  switch (e) {
    case MediaError::BadSdp: return "bad_sdp";
    case MediaError::NoAudio: return "no_audio";
    case MediaError::NoCommonCodec: return "no_common_codec";
  }
  return "?";
}

MediaResult chooseMedia(std::string_view offerSdp, const MediaRule& rule, const std::vector<Codec>& allowed) {
  auto sdp = sip::parseSdp(offerSdp);
  if (!sdp) return MediaResult{};
  return chooseMedia(*sdp, rule, allowed);
}

MediaResult chooseMedia(const sip::SessionDescription& offer, const MediaRule& rule,
                        const std::vector<Codec>& allowed) {
  MediaResult res;
  bool sawAudio = false;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const sip::SdpMedia& m = offer.media[i];
    auto ml = m.mediaLine();
    if (!ml || ml->media != "audio" || ml->port == 0 || ml->proto != "RTP/AVP") continue;
    sawAudio = true;
    std::string_view fmts = ml->formats;
    while (!fmts.empty()) {
      const std::size_t sp = fmts.find(' ');
      std::string_view tok = fmts.substr(0, sp);
      fmts = sp == std::string_view::npos ? std::string_view{} : fmts.substr(sp + 1);
      unsigned pt = 0;
      auto r = std::from_chars(tok.data(), tok.data() + tok.size(), pt);
      if (r.ec != std::errc{} || r.ptr != tok.data() + tok.size() || pt > 127) continue;
      auto c = codecOf(m, static_cast<uint8_t>(pt));
      if (!c || !allowedIn(rule.codecs, *c) || (!allowed.empty() && !allowedIn(allowed, *c))) continue;
      MediaChoice ch;
      ch.codec = *c;
      ch.payload_type = static_cast<uint8_t>(pt);
      ch.media_index = i;
      ch.remote_port = ml->port;
      auto conn = m.connection();
      if (!conn) conn = offer.connection();
      if (conn) ch.remote_address = std::string(conn->address);
      res.choice = std::move(ch);
      return res;
    }
  }
  res.error = sawAudio ? MediaError::NoCommonCodec : MediaError::NoAudio;
  return res;
}

std::string buildOffer(const MediaRule& rule, uint16_t cic, const std::vector<Codec>& codecs,
                       uint64_t sessionId, uint64_t version) {
  std::string out;
  out.reserve(256);
  appendSessionPart(out, rule, sessionId, version);
  out += "m=audio ";
  appendU(out, rule.rtpPort(cic));
  out += " RTP/AVP";
  for (Codec c : codecs) {
    out += ' ';
    appendU(out, info(c).static_pt != 255 ? info(c).static_pt : kClearmodeOfferPt);
  }
  out += "\r\n";
  for (Codec c : codecs) appendRtpmap(out, c, info(c).static_pt != 255 ? info(c).static_pt : kClearmodeOfferPt);
  out += "a=ptime:20\r\na=sendrecv\r\n";
  return out;
}

std::string buildAnswer(const MediaRule& rule, uint16_t cic, std::string_view offerSdp,
                        const MediaChoice& choice, uint64_t sessionId, uint64_t version) {
  auto sdp = sip::parseSdp(offerSdp);
  if (sdp) return buildAnswer(rule, cic, *sdp, choice, sessionId, version);
  std::string out;
  appendSessionPart(out, rule, sessionId, version);
  return out;
}

std::string buildAnswer(const MediaRule& rule, uint16_t cic, const sip::SessionDescription& offer,
                        const MediaChoice& choice, uint64_t sessionId, uint64_t version) {
  std::string out;
  out.reserve(256);
  appendAnswer(out, rule, cic, offer, choice, sessionId, version);
  return out;
}

void appendAnswer(std::string& out, const MediaRule& rule, uint16_t cic, const sip::SessionDescription& offer,
                  const MediaChoice& choice, uint64_t sessionId, uint64_t version) {
  appendSessionPart(out, rule, sessionId, version);
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    auto ml = offer.media[i].mediaLine();
    if (i != choice.media_index || !ml) {  // RFC 3264 §6: refuse with port 0, same formats
      out.append("m=").append(ml ? ml->media : "audio").append(" 0 ");
      out.append(ml ? ml->proto : "RTP/AVP").append(" ").append(ml ? ml->formats : "0").append("\r\n");
      continue;
    }
    out += "m=audio ";
    appendU(out, rule.rtpPort(cic));
    out += " RTP/AVP ";
    appendU(out, choice.payload_type);
    out += "\r\n";
    appendRtpmap(out, choice.codec, choice.payload_type);
    out.append("a=").append(answerDirection(offer.direction(i))).append("\r\n");
  }
}

}  // namespace siptgw::gateway
