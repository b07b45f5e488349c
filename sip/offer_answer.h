// The offer/answer state of one session (RFC 3264 §4, with the SIP usage rules of RFC 3261
// §13.2.1/§14, RFC 3262 §5, RFC 3311 §5 and RFC 6337 §2-3): at most one offer outstanding in
// each direction at a time. A pure state machine; the session decides which messages may
// carry an offer or answer, this class says what a body is and whether sending one is legal.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sip/message.h"
#include "sip/sdp.h"

namespace siptgw::sip {

enum class OaState : std::uint8_t {
  Stable,       // no offer outstanding
  LocalOffer,   // we sent an offer, no answer yet
  RemoteOffer,  // we received an offer and have not answered
};
std::string_view toString(OaState s);

class OfferAnswer {
 public:
  enum class Rx : std::uint8_t {
    Offer,        // a new remote offer (state → RemoteOffer)
    Answer,       // the answer to our offer (state → Stable)
    GlareLocal,   // an offer while ours is outstanding: 491 (RFC 3261 §14.2, RFC 3311 §5.2)
    GlareRemote,  // an offer while theirs is unanswered: 500 + Retry-After (RFC 3311 §5.2)
  };
  OaState state() const { return state_; }
  bool completed() const { return exchanges_ > 0; }  // at least one offer/answer finished
  unsigned exchanges() const { return exchanges_; }
  // Record that we send an offer; false (nothing changes) when any offer is outstanding.
  bool sendOffer();
  // Record that we send the answer; false unless a remote offer is outstanding.
  bool sendAnswer();
  // A session description in a response, PRACK or ACK: the answer to our offer, or an
  // offer (e.g. in a 2xx to an INVITE without one).
  Rx receive();
  // A session description in a new offer-carrying request (UPDATE, re-INVITE): never an
  // answer, so a crossing offer is glare.
  Rx receiveOffer();
  // Our offer was rejected (488/491/...): back to Stable (RFC 6337 §3.1.1).
  void rollbackLocal() {
    if (state_ == OaState::LocalOffer) state_ = OaState::Stable;
  }

 private:
  OaState state_ = OaState::Stable;
  unsigned exchanges_ = 0;
};

// What a message's body is for offer/answer purposes (RFC 3261 §13.2.1, RFC 5621 §3).
enum class SdpBody : std::uint8_t { None, Sdp, Unsupported, Malformed };
SdpBody classifyBody(const Message& m);

struct BodyView {
  SdpBody kind = SdpBody::None;
  std::string_view sdp;    // the whole body, or the application/sdp part of a multipart
  bool multipart = false;  // multipart/mixed: the other parts are for the application
};
// application/sdp, or multipart/mixed (RFC 5621 §3.1) whose first application/sdp part is
// the session description (none: no offer/answer). A part of a type outside `accepted`
// ("type/subtype", e.g. "application/ISUP") is Unsupported unless its Content-Disposition
// says handling=optional: the default is required (RFC 3261 §20.11, RFC 5621 §3.2).
// With `parsed`, a well-formed SDP (kind Sdp) is left there (views into m's body), so a
// caller that needs the parse does not parse the same text twice.
BodyView inspectBody(const Message& m, std::span<const std::string> accepted = {},
                     SessionDescription* parsed = nullptr);
// The SDP of a body we send with `contentType`: the body itself for application/sdp (or an
// empty type), the first application/sdp part of a multipart/mixed, else empty.
std::string_view sdpOfBody(std::string_view body, std::string_view contentType);

}  // namespace siptgw::sip
