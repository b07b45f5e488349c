// SIP → ISUP, forward direction: the IAM for an incoming INVITE (RFC 3398 §7.2.1.1), with
// the calling party from P-Asserted-Identity (RFC 3325 §9.1) or From, presentation from
// Privacy (RFC 3323 §4.2, RFC 3325 §9.3), the bearer from the SDP (bearer.h) and the hop
// counter from Max-Forwards (Q.763 §3.80).
#pragma once

#include <cstdint>
#include <optional>

#include "config/result.h"
#include "isup/message.h"
#include "mapping/numbers.h"
#include "mapping/profile.h"
#include "mapping/rejection.h"
#include "sip/message.h"
#include "sip/sdp.h"

namespace siptgw::mapping {

struct SipToIsupOptions {
  isup::Variant variant = isup::Variant::Itu;
  // The INVITE's SDP offer when the caller has found and parsed it already (the bearer is
  // read from it; the body is not looked up again); null: the body is found and parsed here.
  const sip::SessionDescription* offer = nullptr;
  uint16_t cic = 0;
  // RFC 3325 §5: the peer is in our trust domain, so P-Asserted-Identity is believed and
  // becomes the calling party number (screening "network provided"). Untrusted peers'
  // P-Asserted-Identity is ignored and From is used (screening "user provided").
  bool trustedPeer = false;
  // Calling party's category (Q.763 §3.11); nullopt: the "cpc" parameter of a trusted
  // P-Asserted-Identity tel URI (3GPP TS 24.229 §7.2A.12), else the profile's default.
  std::optional<uint8_t> callingCategory;
  // FCI bit A (Q.763 §3.23); nullopt: international when the called number is.
  std::optional<bool> internationalCall;
  // NCI bits E (Q.763 §3.35): an echo control device is included for this call (the media
  // gateway cancels echo).
  bool echoControlIncluded = false;
  // Offer "3.1 kHz audio" rather than "speech" for G.711 (some networks route fax/modem
  // calls only on 3.1 kHz).
  bool audio3k1 = false;
  // RFC 4040 clearmode may become a 64 kbit/s unrestricted call; false → 488/65.
  bool allowClearmode = true;
  // §7.2.1.1: "the To header SHOULD be used to populate an OCN parameter" when its number
  // differs from the Request-URI's.
  bool originalCalledFromTo = true;
};

// The calling party number parameter (Q.763 §3.10) for an INVITE: PAI from a trusted peer
// (tel URI preferred when there are two), else From; nullopt when neither holds a number
// (§7.2.1.1: "The CIN parameter SHOULD be omitted ... if the From field is unusable").
// Presentation restricted when Privacy holds id, user or header (RFC 3323 §4.2, RFC 3325
// §9.3) or the From is anonymous; screening 3 "network provided" for PAI, else "user
// provided" (ITU 1 "verified and passed" — Q.763 reserves 0 —, ANSI 0 "not screened").
std::optional<isup::Number> callingNumberFromInvite(const sip::Message& invite,
                                                    const SipToIsupOptions& opts,
                                                    const Profile& profile);

// The hop counter (Q.763 §3.80) for a Max-Forwards value: ceil(mf / maxForwardsPerHop),
// at most 31. 0 only for mf 0.
uint8_t hopCounterForMaxForwards(uint32_t maxForwards, const Profile& profile);

// §7.2.1.1: the IAM for `invite`, whose called party number the gateway passes (from
// calledFromRequestUri after routing). Mandatory parameters: CPN (from `called`, NPI ISDN,
// INN "routing to internal number allowed"), NCI (no satellite, no continuity check, echo
// per opts), FCI (interworking / ISUP indicator per profile.signalInterworking, ISUP
// preference per profile, originating access non-ISDN, bit M from called.npdi), CPC, TMR
// (ITU) and USI from the SDP (bearer.h; speech when the INVITE has no SDP). Optional:
// calling party number, original called number (To ≠ Request-URI), generic address with
// the dialled number of a ported call (ANSI), transit network selection from cic= (ITU;
// ANSI carrier identification), hop counter from Max-Forwards.
// Rejections: 483/25 for Max-Forwards 0, 484/28 for an empty called number, 488/65 for an
// SDP without a bearer we can offer, 400/95 for a malformed body.
Result<isup::Message, Rejection> iamFromInvite(const sip::Message& invite,
                                              const PartyNumber& called,
                                              const SipToIsupOptions& opts,
                                              const Profile& profile);

}  // namespace siptgw::mapping
