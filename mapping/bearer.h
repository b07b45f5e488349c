// Bearer: what the call carries, between the SDP offer (RFC 4566; PCMU/PCMA per RFC 3551,
// clearmode per RFC 4040) and the ISUP transmission medium requirement (Q.763 §3.54) and
// user service information (Q.763 §3.57 = Q.931 §4.5.5 bearer capability). RFC 3398
// §7.2.1.1 asks for one of TMR/USI in every IAM; §8.2.6.1 (last paragraph) gives cause 65
// for a bearer that cannot be provided.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/result.h"
#include "isup/message.h"
#include "mapping/rejection.h"
#include "sip/message.h"
#include "sip/sdp.h"

namespace siptgw::mapping {

enum class Bearer : uint8_t {
  Speech,           // TMR 0, USI ITC speech, layer 1 G.711
  Audio3k1,         // TMR 3, USI ITC 3.1 kHz audio, layer 1 G.711
  Unrestricted64k,  // TMR 2, USI ITC unrestricted digital (RFC 4040 clearmode)
};
std::string_view bearerName(Bearer b);

// Q.763 §3.54 transmission medium requirement value.
uint8_t tmrFor(Bearer b);
// Q.763 §3.57 / Q.931 §4.5.5: octets 3 and 4 (ITU-T coding, circuit mode, 64 kbit/s), and
// for Speech/Audio3k1 octet 5 with G.711 A-law (aLaw) or µ-law.
isup::UserServiceInformation usiFor(Bearer b, bool aLaw);

// The SDP of a request or response: the body when Content-Type is application/sdp, or the
// first application/sdp part of a multipart/mixed body (RFC 5621). nullopt without SDP (a
// late offer); a malformed SDP or multipart body gives 400 with cause 95 "invalid message,
// unspecified".
Result<std::optional<std::string_view>, Rejection> sdpBody(const sip::Message& m);

// The bearer an SDP offer asks for, by the offerer's preference (RFC 3264 §5.1 format
// order): the first of PCMA/PCMU (static payload 8/0 or by rtpmap name, 8 kHz) and
// clearmode (RFC 4040 §3) in the first active audio stream that offers one. clearmode →
// Unrestricted64k; G.711 → Speech (Audio3k1 when `audio3k1`), `aLaw` telling which law.
// None of them in any active audio stream → 488 with cause 65 "bearer capability not
// implemented".
struct BearerChoice {
  Bearer bearer = Bearer::Speech;
  bool aLaw = true;
};
Result<BearerChoice, Rejection> bearerFromSdp(const sip::SessionDescription& sdp,
                                              bool audio3k1 = false);

// The bearer an IAM asks for, from TMR, else USI (also for TMR 6 "64 kbit/s preferred"
// when a USI is present; without one 6 reads as unrestricted); 488/65 for TMRs a SIP call
// cannot carry (2×64, 384 kbit/s...) and 488/88 "incompatible destination" for an
// unrestricted bearer when clearmode is not allowed.
Result<Bearer, Rejection> bearerFromIam(const isup::Message& iam, bool allowClearmode = true);

}  // namespace siptgw::mapping
