// SIP timers as data (DESIGN.md "Timers are data"): RFC 3261 Table 4 (T1, T2, T4, A–K),
// RFC 6026 §7.1/§7.2 (L, M), RFC 3262 §3 (reliable provisional retransmission) and
// RFC 4028 §4/§5/§10 (session timer defaults, refresh and expiry). Each row has a default, an allowed range and the
// clause that defines it; only T1, T2 and T4 (and the RFC 4028 values) are configurable —
// every other transaction timer is derived from them exactly as Table 4 says, so a
// configuration can never make the timers inconsistent with one another.
// docs/sip-timers.md is renderTimersMarkdown()'s output (a test keeps the two equal).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "config/result.h"

namespace siptgw::sip {

// The configurable base values (milliseconds) and the session-timer defaults (seconds).
struct TimerConfig {
  std::uint32_t t1 = 500;    // RTT estimate (RFC 3261 §17.1.1.1)
  std::uint32_t t2 = 4000;   // maximum retransmit interval for non-INVITE / INVITE responses
  std::uint32_t t4 = 5000;   // maximum time a message stays in the network
  std::uint32_t sessionExpires = 1800;  // RFC 4028 §4 recommended Session-Expires (s)
  std::uint32_t minSE = 90;             // RFC 4028 §5 minimum (s)

  // RFC 3261 Table 4 derivations. `reliable` selects the transport column.
  std::uint32_t timerA() const { return t1; }               // initial, doubles (§17.1.1.2)
  std::uint32_t timerB() const { return 64 * t1; }
  std::uint32_t timerD(bool reliable) const { return reliable ? 0 : (32000 > 64 * t1 ? 32000 : 64 * t1); }
  std::uint32_t timerE() const { return t1; }               // initial, doubles up to T2
  std::uint32_t timerF() const { return 64 * t1; }
  std::uint32_t timerG() const { return t1; }               // initial, doubles up to T2
  std::uint32_t timerH() const { return 64 * t1; }
  std::uint32_t timerI(bool reliable) const { return reliable ? 0 : t4; }
  std::uint32_t timerJ(bool reliable) const { return reliable ? 0 : 64 * t1; }
  std::uint32_t timerK(bool reliable) const { return reliable ? 0 : t4; }
  std::uint32_t timerL() const { return 64 * t1; }          // RFC 6026 §7.1 / §7.2
  std::uint32_t timerM() const { return 64 * t1; }          // RFC 6026 §7.1 / §7.2
  // RFC 3262 §3: reliable provisional retransmitted at T1, doubling, given up after 64·T1.
  std::uint32_t rel1xxInitial() const { return t1; }
  std::uint32_t rel1xxGiveUp() const { return 64 * t1; }
  // RFC 4320 §4.1: a 100 to a non-INVITE over an unreliable transport may only be sent once
  // the client's Timer E has reached T2 (T1+2T1+4T1+... until the interval is T2).
  std::uint32_t nonInvite100Delay() const;
  // RFC 4028 §10 for a session interval `se` (s): the refresher refreshes at half of it;
  // the other side sends BYE at se - min(32, se/3) without a refresh. Milliseconds.
  static std::uint32_t sessionRefreshAfter(std::uint32_t se) { return se * 500; }
  static std::uint32_t sessionExpiryByeAfter(std::uint32_t se) {
    return (se - (se / 3 < 32 ? se / 3 : 32)) * 1000;
  }
};

enum class TimerName : std::uint8_t {
  T1, T2, T4, A, B, C, D, E, F, G, H, I, J, K, L, M, Rel1xx, Rel1xxGiveUp,
  SessionExpires, MinSE, SessionRefresh, SessionExpiryBye,
};

struct TimerDef {
  TimerName name;
  std::string_view label;        // "T1", "Timer A", ...
  std::string_view defaultText;  // as RFC 3261 Table 4 writes it: "64*T1", "32s for UDP"...
  std::uint32_t defaultValue;    // with TimerConfig{} defaults, in `unit`
  std::uint32_t min;             // allowed range (configurable rows); equal to default otherwise
  std::uint32_t max;
  std::string_view unit;         // "ms" or "s"
  bool configurable;
  std::string_view clause;       // defining clause
  std::string_view meaning;
};

std::span<const TimerDef> timerTable();
const TimerDef& timerDef(TimerName n);

struct TimerConfigError {
  TimerName timer;
  std::string message;
};
// Range checks of the configurable rows, plus T1 <= T2 (Table 4's doubling "up to T2"
// assumes it) and minSE <= sessionExpires.
Result<Ok, TimerConfigError> validate(const TimerConfig& c);

// docs/sip-timers.md.
std::string renderTimersMarkdown();

}  // namespace siptgw::sip
