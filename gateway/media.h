// Media description for a circuit (issue #5 "Media"): until media-gateway control exists,
// each trunk names its media gateway address and a CIC → RTP port rule, and the gateway
// offers/answers SDP (RFC 4566, RFC 3264) for that port.
//
// Codecs: G.711 μ-law (PCMU, static payload type 0) and A-law (PCMA, 8) carry speech and
// 3.1 kHz audio; CLEARMODE (RFC 4040, dynamic payload type, 8000 Hz) carries 64 kbit/s
// unrestricted digital information. Answering (RFC 3264 §6.1): the first format of the
// offer's first audio stream that the trunk supports, in the offerer's order; every other
// m= line is refused with port 0. No common codec → the call is refused with 488 / Q.850
// cause 88 "incompatible destination" (RFC 3398 §8.2.6.1 maps 488 to 88; cause 65 "bearer
// capability not implemented" when the offer asks for a bearer the trunk lacks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/gateway_config.h"
#include "sip/sdp.h"

namespace siptgw::gateway {

// The trunk's rule (address, RTP port per CIC, codecs) is TrunkMediaConfig.
using MediaRule = TrunkMediaConfig;

std::string_view sdpEncodingName(Codec c);  // "PCMU", "PCMA", "CLEARMODE"
std::optional<Codec> codecFromEncoding(std::string_view name);  // case-insensitive

// What an offer asks for, and what we picked.
struct MediaChoice {
  Codec codec = Codec::Pcma;
  uint8_t payload_type = 8;
  std::size_t media_index = 0;  // the m= line answered
  std::string remote_address;
  uint16_t remote_port = 0;
};

enum class MediaError : uint8_t {
  BadSdp,             // does not parse: 488 / cause 88 (RFC 3398 table: 488 → 88)
  NoAudio,            // no audio stream: 488 / cause 65
  NoCommonCodec,      // 488 / cause 88
};
std::string_view mediaErrorName(MediaError e);

struct MediaResult {
  std::optional<MediaChoice> choice;
  MediaError error = MediaError::BadSdp;
};

// Picks the codec for an offer (RFC 3264 §6.1). `allowed` restricts further (e.g. only
// CLEARMODE when the IAM asked for 64 kbit/s unrestricted); empty = the rule's codecs.
MediaResult chooseMedia(std::string_view offerSdp, const MediaRule& rule,
                        const std::vector<Codec>& allowed = {});
// The same for an offer the caller has parsed already (the INVITE's SDP is parsed once per
// call and kept with the call).
MediaResult chooseMedia(const sip::SessionDescription& offer, const MediaRule& rule,
                        const std::vector<Codec>& allowed = {});

// Our SDP for a circuit: an offer listing `codecs` (in order), or an answer with `choice`.
// `sessionId`/`version` go into o= (RFC 4566 §5.2); the version must grow on each change.
std::string buildOffer(const MediaRule& rule, uint16_t cic, const std::vector<Codec>& codecs,
                       uint64_t sessionId, uint64_t version);
std::string buildAnswer(const MediaRule& rule, uint16_t cic, std::string_view offerSdp,
                        const MediaChoice& choice, uint64_t sessionId, uint64_t version);
std::string buildAnswer(const MediaRule& rule, uint16_t cic, const sip::SessionDescription& offer,
                        const MediaChoice& choice, uint64_t sessionId, uint64_t version);
// The same answer appended to `out` (a buffer the caller reuses).
void appendAnswer(std::string& out, const MediaRule& rule, uint16_t cic, const sip::SessionDescription& offer,
                  const MediaChoice& choice, uint64_t sessionId, uint64_t version);

}  // namespace siptgw::gateway
