#include "sip/offer_answer.h"

#include <algorithm>

#include "sip/multipart.h"
#include "sip/sdp.h"
#include "sip/text.h"

namespace siptgw::sip {

std::string_view toString(OaState s) {
  switch (s) {
    case OaState::Stable: return "Stable";
    case OaState::LocalOffer: return "LocalOffer";
    case OaState::RemoteOffer: return "RemoteOffer";
  }
  return "?";
}

bool OfferAnswer::sendOffer() {
  if (state_ != OaState::Stable) return false;
  state_ = OaState::LocalOffer;
  return true;
}

bool OfferAnswer::sendAnswer() {
  if (state_ != OaState::RemoteOffer) return false;
  state_ = OaState::Stable;
  ++exchanges_;
  return true;
}

OfferAnswer::Rx OfferAnswer::receive() {
  switch (state_) {
    case OaState::Stable:
      state_ = OaState::RemoteOffer;
      return Rx::Offer;
    case OaState::LocalOffer:
      state_ = OaState::Stable;
      ++exchanges_;
      return Rx::Answer;
    case OaState::RemoteOffer:
      return Rx::GlareRemote;
  }
  return Rx::GlareRemote;
}

OfferAnswer::Rx OfferAnswer::receiveOffer() {
  if (state_ == OaState::LocalOffer) return Rx::GlareLocal;
  if (state_ == OaState::RemoteOffer) return Rx::GlareRemote;
  state_ = OaState::RemoteOffer;
  return Rx::Offer;
}

SdpBody classifyBody(const Message& m) { return inspectBody(m).kind; }

namespace {

bool isType(const ContentType& ct, std::string_view typeSlashSub) {
  const std::size_t slash = typeSlashSub.find('/');
  return slash != std::string_view::npos && ct.is(typeSlashSub.substr(0, slash), typeSlashSub.substr(slash + 1));
}

SdpBody sdpKind(std::string_view sdp, SessionDescription* parsed) {
  auto r = parseSdp(sdp);
  if (!r) return SdpBody::Malformed;
  if (parsed != nullptr) *parsed = std::move(*r);
  return SdpBody::Sdp;
}

}  // namespace

BodyView inspectBody(const Message& m, std::span<const std::string> accepted, SessionDescription* parsed) {
  BodyView v;
  if (m.body().empty()) return v;
  const auto ct = m.contentType();
  if (ct && ct->is("application", "sdp")) {
    v.sdp = m.body();
    v.kind = sdpKind(v.sdp, parsed);
    return v;
  }
  if (!ct || !ct->is("multipart", "mixed")) {
    v.kind = SdpBody::Unsupported;
    return v;
  }
  v.multipart = true;
  const auto mp = parseMultipart(m.body(), ct->param("boundary"));
  if (!mp) {
    v.kind = SdpBody::Malformed;
    return v;
  }
  for (const MimePart& part : mp->parts) {
    const auto pct = part.contentType();
    if (pct && pct->is("application", "sdp")) {
      if (v.sdp.empty()) v.sdp = part.body;
      continue;
    }
    const bool known = pct && std::any_of(accepted.begin(), accepted.end(),
                                          [&](const std::string& a) { return isType(*pct, a); });
    const auto cd = part.contentDisposition();
    if (!known && !(cd && cd->handling == Handling::Optional)) {
      v.kind = SdpBody::Unsupported;
      return v;
    }
  }
  v.kind = v.sdp.empty() ? SdpBody::None : sdpKind(v.sdp, parsed);
  return v;
}

std::string_view sdpOfBody(std::string_view body, std::string_view contentType) {
  if (contentType.empty() || body.empty()) return body;
  const auto ct = parseContentType(contentType);
  if (!ct) return {};
  if (ct->is("application", "sdp")) return body;
  if (!ct->is("multipart", "mixed")) return {};
  const auto mp = parseMultipart(body, ct->param("boundary"));
  if (!mp) return {};
  for (const MimePart& part : mp->parts) {
    if (const auto pct = part.contentType(); pct && pct->is("application", "sdp")) return part.body;
  }
  return {};
}

}  // namespace siptgw::sip
