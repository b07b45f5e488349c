// Backward direction before release: ISUP ACM/CPG/ANM/CON ⇄ SIP 18x/2xx.
//   ISUP → SIP: RFC 3398 §7.2.5 (early ACM), §7.2.6 (ACM), §7.2.9 (CPG event table).
//   SIP → ISUP: §8.2.3 (18x → ACM/CPG tables and the default BCI), §8.2.4 (2xx → ANM, or
//   CON when no ACM was sent), §8.2.8 (T11 expiry → early ACM).
// Messages are built with isup::makeMessage, so every mandatory parameter is present.
#pragma once

#include <cstdint>
#include <optional>

#include "isup/message.h"
#include "mapping/profile.h"

namespace siptgw::mapping {

// Q.763 §3.21 event indicator values.
namespace event {
inline constexpr uint8_t kAlerting = 1;
inline constexpr uint8_t kProgress = 2;
inline constexpr uint8_t kInbandInformation = 3;
inline constexpr uint8_t kForwardedBusy = 4;
inline constexpr uint8_t kForwardedNoReply = 5;
inline constexpr uint8_t kForwardedUnconditional = 6;
}  // namespace event

// Q.763 §3.5 called party's status indicator values.
namespace called_status {
inline constexpr uint8_t kNoIndication = 0;
inline constexpr uint8_t kSubscriberFree = 1;
inline constexpr uint8_t kConnectWhenFree = 2;
}  // namespace called_status

// §7.2.5/§7.2.6: 180 (profile.acmSubscriberFree) when the BCI says "subscriber free" and
// no in-band information is announced; 183 (acmNoIndication) for an early ACM; with
// profile.inbandAcmSends183, 183 when OBCI bit A "in-band information available" or BCI
// "interworking encountered" asks for backward media. An ACM without BCI counts as early.
uint16_t provisionalForAcm(const isup::Message& acm, const Profile& profile);
// Whether the ACM (or CPG) announces in-band information: the gateway should cut through
// backward media (§7.2.6, §7.2.9).
bool announcesInband(const isup::Message& acmOrCpg);

// §7.2.9: the 18x for a CPG by its event indicator (profile.cpgEventToStatus), cpgNoEvent
// when it carries none; nullopt for events with no SIP equivalent.
std::optional<uint16_t> provisionalForCpg(const isup::Message& cpg, const Profile& profile);

// The default BCI of §8.2.3: charge, ordinary subscriber, ISUP used all the way, no ISDN
// access; interworking per profile.signalInterworking; called party's status given.
isup::BackwardCallIndicators defaultBci(uint8_t calledPartysStatus, const Profile& profile);

// §8.2.3 first table (no ACM sent yet): 180 → ACM "subscriber free"; 181/182/183 and any
// other 18x → ACM "no indication" (for 181 the gateway then sends
// cpgForProvisional(181...), event 6, as the table asks). earlyMedia → OBCI "in-band
// information available" (§8.2.3: "SHOULD indicate that in-band information is available").
isup::Message acmForProvisional(uint16_t status, bool earlyMedia, isup::Variant variant,
                                const Profile& profile);
// §8.2.3 second table (ACM already sent): 180 → event 1, 181 → 6, 182/183 → 2 (3 "in-band
// information" when earlyMedia). Any other 18x → 2.
uint8_t cpgEventForProvisional(uint16_t status, bool earlyMedia);
isup::Message cpgForProvisional(uint16_t status, bool earlyMedia, isup::Variant variant,
                                const Profile& profile);

// §8.2.4: ANM after an ACM; CON when none was sent, in variants that have CON (ANSI does
// not: ANM). CON carries the §8.2.3 BCI with "subscriber free".
isup::Message answerFor2xx(bool acmSent, isup::Variant variant, const Profile& profile);

// §8.2.8: on T11 expiry, an ACM with called party's status "no indication".
isup::Message earlyAcm(isup::Variant variant, const Profile& profile);

}  // namespace siptgw::mapping
