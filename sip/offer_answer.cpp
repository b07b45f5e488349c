#include "sip/offer_answer.h"

#include "sip/sdp.h"

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

SdpBody classifyBody(const Message& m) {
  if (m.body().empty()) return SdpBody::None;
  auto ct = m.contentType();
  if (!ct || !ct->is("application", "sdp")) return SdpBody::Unsupported;
  if (!parseSdp(m.body())) return SdpBody::Malformed;
  return SdpBody::Sdp;
}

}  // namespace siptgw::sip
