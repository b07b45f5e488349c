// ISUP → SIP, forward direction: the parts of the INVITE for an incoming IAM (RFC 3398
// §8.2.1.1, URIs per §12.1, privacy per §12.1/RFC 3323/RFC 3325). The gateway's dialog layer
// adds Call-ID, tags, CSeq, Via, Contact and the SDP; this fills in who and where.
#pragma once

#include <cstdint>
#include <string>

#include "config/result.h"
#include "isup/message.h"
#include "mapping/profile.h"
#include "mapping/rejection.h"

namespace siptgw::mapping {

struct InviteParts {
  std::string requestUri;  // bare URI: "tel:+4930123456" / "sip:+4930123456@host;user=phone"
  std::string to;          // name-addr without tag: "<tel:+4930123456>"
  std::string from;        // name-addr without tag: "<tel:+4940111>" or the anonymous one
  std::string pai;         // P-Asserted-Identity value; empty: do not send the header
  std::string privacy;     // Privacy value ("id"); empty: do not send the header
  uint8_t maxForwards = 70;
  bool clearmode = false;  // the IAM asked for 64 kbit/s unrestricted: offer RFC 4040
  uint8_t callingCategory = cpc::kOrdinary;  // Q.763 §3.11 as received (for the cpc param)

  // "P-Asserted-Identity: ...\r\nPrivacy: ...\r\n" for the non-empty ones (each line CRLF
  // terminated); "" when neither is sent.
  std::string extraHeaders() const;
  bool operator==(const InviteParts&) const = default;
};

struct IsupToSipOptions {
  std::string host;       // domain for sip: URIs ("sip:+49...@host"); empty → tel: URIs
  bool userPhone = true;  // ";user=phone" on sip: URIs carrying numbers (§12)
  // RFC 3325 §5: the next hop is trusted; P-Asserted-Identity is sent (also for restricted
  // presentation, with Privacy: id). Untrusted: no PAI, restricted numbers never leave.
  bool trustedNextHop = true;
  // §8.2.1.1: host of the dummy From when the IAM has no calling party number
  // ("sip:gw.example.net"); empty → host, and with both empty "anonymous.invalid".
  std::string gatewayHost;
  // §8.2.1.1: npdi/rn on the Request-URI from FCI bit M and the ANSI generic address.
  bool numberPortability = true;
  // RFC 3398 §12.1 / RFC 3261 §8.1.1.3: display name of the restricted From.
  std::string anonymousDisplay = "Anonymous";
};

// §8.2.1.1: Request-URI and To from the called party number (To from the original called
// number when present), From/PAI/Privacy from the calling party number per §12.1:
// presentation allowed → From = PAI = the number; restricted → From "Anonymous"
// <sip:anonymous@anonymous.invalid>, Privacy: id, PAI = the number only for a trusted next
// hop; address not available or absent → From = the gateway's dummy URI, no PAI (§12.1
// "as if the CIN parameter was omitted"). A number screened "user provided, not verified"
// goes in From but not in PAI (RFC 3325: only asserted identities). Max-Forwards from the
// hop counter × profile.maxForwardsPerHop (profile.maxForwards without one).
// Rejections: 484/28 → the IAM's called number is empty or not mappable (cause 28 "invalid
// number format"); 488/65 for a bearer SIP cannot carry (bearer.h); 483/25 for a hop
// counter of 0 (Q.764 hop counter procedure: exchange routing error).
Result<InviteParts, Rejection> inviteFromIam(const isup::Message& iam,
                                            const IsupToSipOptions& opts,
                                            const Profile& profile);

}  // namespace siptgw::mapping
