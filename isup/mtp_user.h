// The MTP service interface seen by the ISDN User Part (ITU-T Q.701 §8 / Q.704 §2 and
// §11.2.7; ANSI T1.111): MTP-TRANSFER request and indication, and the MTP-PAUSE,
// MTP-RESUME and MTP-STATUS indications that Q.764 §2.13 reacts to.
//
// Two providers implement it: an M3UA ASP through libosmo-sigtran (isup/m3ua/) and an
// in-process pair for tests and the demo. Primitives are plain values: no osmocom type and
// no msgb crosses this interface (DESIGN.md "Threads"). Every callback of an MtpUser runs
// on the core thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

#include "isup/mtp3.h"

namespace siptgw::isup {

// One MTP-TRANSFER: routing label, service information, and the user part octets (for ISUP:
// CIC onwards). Inline buffer: no allocation per message.
struct MtpTransfer {
  Mtp3Header header;  // opc, dpc, sls, service indicator, network indicator, priority
  std::array<uint8_t, 272> data{};
  uint16_t size = 0;

  std::span<const uint8_t> payload() const { return {data.data(), size}; }
  bool setPayload(std::span<const uint8_t> p) {
    if (p.size() > data.size()) return false;
    std::copy(p.begin(), p.end(), data.begin());
    size = static_cast<uint16_t>(p.size());
    return true;
  }
};

// Q.704 §11.2.7 / Q.701 §8.3: why a destination's user part cannot take messages.
enum class UserPartUnavailableCause : uint8_t { Unknown = 0, Unequipped = 1, Inaccessible = 2 };

struct MtpStatus {
  enum class Kind : uint8_t { Congestion, UserPartUnavailable };
  Kind kind{};
  uint32_t affected_dpc = 0;
  uint8_t congestion_level = 0;  // 0–3 where the network has levels (Q.704 §3.8.2.2)
  UserPartUnavailableCause cause = UserPartUnavailableCause::Unknown;
};

// The user part's side: indications from MTP.
class MtpUser {
 public:
  virtual ~MtpUser() = default;
  virtual void mtpTransfer(const MtpTransfer& msg) = 0;   // MTP-TRANSFER indication
  virtual void mtpPause(uint32_t affected_dpc) = 0;       // destination inaccessible
  virtual void mtpResume(uint32_t affected_dpc) = 0;      // destination accessible again
  virtual void mtpStatus(const MtpStatus& status) = 0;
};

// MTP's side: requests from the user part.
class MtpProvider {
 public:
  virtual ~MtpProvider() = default;
  virtual void setUser(MtpUser* user) = 0;
  // MTP-TRANSFER request. false when the message cannot be queued at all (link down,
  // destination unknown); a queued message may still be lost later, as with real MTP.
  virtual bool mtpTransferRequest(const MtpTransfer& msg) = 0;
  // Whether the destination is accessible now (false between PAUSE and RESUME).
  virtual bool available(uint32_t dpc) const = 0;
};

}  // namespace siptgw::isup
