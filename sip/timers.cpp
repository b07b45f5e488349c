// SIP timer table. See timers.h.
#include "sip/timers.h"

#include <array>
#include <cassert>

namespace siptgw::sip {

namespace {

constexpr std::array<TimerDef, 22> kTable{{
    {TimerName::T1, "T1", "500ms", 500, 100, 5000, "ms", true, "RFC 3261 §17.1.1.1, Table 4",
     "RTT estimate; base of every transaction timer"},
    {TimerName::T2, "T2", "4s", 4000, 1000, 40000, "ms", true, "RFC 3261 §17.1.2.2, Table 4",
     "maximum retransmit interval for non-INVITE requests and INVITE responses"},
    {TimerName::T4, "T4", "5s", 5000, 1000, 50000, "ms", true, "RFC 3261 §17.1.2.2, Table 4",
     "maximum duration a message remains in the network"},
    {TimerName::A, "Timer A", "initially T1", 500, 500, 500, "ms", false,
     "RFC 3261 §17.1.1.2", "INVITE request retransmit interval, UDP only; doubles, no cap"},
    {TimerName::B, "Timer B", "64*T1", 32000, 32000, 32000, "ms", false, "RFC 3261 §17.1.1.2",
     "INVITE transaction timeout; after our CANCEL, the wait for the final response (§9.1)"},
    {TimerName::C, "Timer C", "> 3min", 180000, 180000, 180000, "ms", false,
     "RFC 3261 §16.6 bullet 11", "proxy INVITE transaction timeout (not used: no proxy core)"},
    {TimerName::D, "Timer D", "> 32s for UDP; 0s for TCP/SCTP", 32000, 32000, 32000, "ms",
     false, "RFC 3261 §17.1.1.2", "wait time for response retransmits (INVITE client, Completed)"},
    {TimerName::E, "Timer E", "initially T1", 500, 500, 500, "ms", false, "RFC 3261 §17.1.2.2",
     "non-INVITE request retransmit interval, UDP only; doubles up to T2"},
    {TimerName::F, "Timer F", "64*T1", 32000, 32000, 32000, "ms", false, "RFC 3261 §17.1.2.2",
     "non-INVITE transaction timeout"},
    {TimerName::G, "Timer G", "initially T1", 500, 500, 500, "ms", false, "RFC 3261 §17.2.1",
     "INVITE response retransmit interval; doubles up to T2"},
    {TimerName::H, "Timer H", "64*T1", 32000, 32000, 32000, "ms", false, "RFC 3261 §17.2.1",
     "wait time for ACK receipt"},
    {TimerName::I, "Timer I", "T4 for UDP; 0s for TCP/SCTP", 5000, 5000, 5000, "ms", false,
     "RFC 3261 §17.2.1", "wait time for ACK retransmits (INVITE server, Confirmed)"},
    {TimerName::J, "Timer J", "64*T1 for UDP; 0s for TCP/SCTP", 32000, 32000, 32000, "ms", false,
     "RFC 3261 §17.2.2", "wait time for non-INVITE request retransmits"},
    {TimerName::K, "Timer K", "T4 for UDP; 0s for TCP/SCTP", 5000, 5000, 5000, "ms", false,
     "RFC 3261 §17.1.2.2", "wait time for response retransmits (non-INVITE client)"},
    {TimerName::L, "Timer L", "64*T1", 32000, 32000, 32000, "ms", false, "RFC 6026 §7.1, Figure 5",
     "wait time for accepted INVITE request retransmits (INVITE server, Accepted)"},
    {TimerName::M, "Timer M", "64*T1", 32000, 32000, 32000, "ms", false, "RFC 6026 §7.2, Figure 3",
     "wait time for retransmission of 2xx to INVITE (INVITE client, Accepted)"},
    {TimerName::Rel1xx, "Reliable 1xx retransmit", "initially T1", 500, 500, 500, "ms", false,
     "RFC 3262 §3", "reliable provisional response retransmit interval; doubles"},
    {TimerName::Rel1xxGiveUp, "Reliable 1xx give-up", "64*T1", 32000, 32000, 32000, "ms", false,
     "RFC 3262 §3", "no PRACK after this long: UAS rejects the INVITE with 5xx"},
    {TimerName::SessionExpires, "Session-Expires", "1800s (recommended)", 1800, 90, 86400, "s",
     true, "RFC 4028 §4", "session interval a UA proposes"},
    {TimerName::MinSE, "Min-SE", "90s", 90, 90, 86400, "s", true, "RFC 4028 §5",
     "smallest session interval accepted"},
    {TimerName::SessionRefresh, "Session refresh", "half the session interval", 900, 900, 900,
     "s", false, "RFC 4028 §10", "the refresher sends a re-INVITE or UPDATE this long after the last refresh"},
    {TimerName::SessionExpiryBye, "Session expiry BYE", "interval - min(32s, interval/3)", 1768,
     1768, 1768, "s", false, "RFC 4028 §10",
     "without a refresh, BYE (Reason 408) this long after the last refresh"},
}};

}  // namespace

std::uint32_t TimerConfig::nonInvite100Delay() const {
  std::uint32_t elapsed = 0;
  std::uint32_t e = t1;
  while (e < t2) {
    elapsed += e;
    e = 2 * e < t2 ? 2 * e : t2;
  }
  return elapsed;
}

std::span<const TimerDef> timerTable() {
  return kTable;
}

const TimerDef& timerDef(TimerName n) {
  const TimerDef& d = kTable[static_cast<std::size_t>(n)];
  assert(d.name == n);
  return d;
}

Result<Ok, TimerConfigError> validate(const TimerConfig& c) {
  auto check = [](TimerName n, std::uint32_t v) -> std::string {
    const TimerDef& d = timerDef(n);
    if (v < d.min || v > d.max) {
      return std::string(d.label) + " = " + std::to_string(v) + std::string(d.unit) +
             " is outside " + std::to_string(d.min) + ".." + std::to_string(d.max) +
             std::string(d.unit) + " (" + std::string(d.clause) + ")";
    }
    return {};
  };
  const std::pair<TimerName, std::uint32_t> rows[] = {{TimerName::T1, c.t1},
                                                      {TimerName::T2, c.t2},
                                                      {TimerName::T4, c.t4},
                                                      {TimerName::SessionExpires,
                                                       c.sessionExpires},
                                                      {TimerName::MinSE, c.minSE}};
  for (const auto& [n, v] : rows) {
    std::string err = check(n, v);
    if (!err.empty()) return Unexpected{TimerConfigError{n, std::move(err)}};
  }
  if (c.t2 < c.t1) {
    return Unexpected{TimerConfigError{TimerName::T2, "T2 must not be smaller than T1"}};
  }
  if (c.minSE > c.sessionExpires) {
    return Unexpected{
        TimerConfigError{TimerName::MinSE, "Min-SE must not exceed Session-Expires"}};
  }
  return Ok{};
}

std::string renderTimersMarkdown() {
  std::string s;
  s += "# SIP timers\n\n";
  s += "Generated from `sip/timers.cpp` (`renderTimersMarkdown()`); a unit test keeps this file\n";
  s += "equal to the table. Only T1, T2, T4, Session-Expires and Min-SE are configurable: every\n";
  s += "transaction timer is derived from T1/T2/T4 as RFC 3261 Table 4 (and RFC 6026 for L and M)\n";
  s += "prescribes. Values are the defaults; \"reliable\" transports (TCP, TLS) use 0 for D, I, J\n";
  s += "and K and never start A, E or G.\n\n";
  s += "| timer | RFC value | default | allowed range | configurable | clause | meaning |\n";
  s += "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const TimerDef& d : kTable) {
    s += "| ";
    s += d.label;
    s += " | ";
    s += d.defaultText;
    s += " | ";
    s += std::to_string(d.defaultValue);
    s += ' ';
    s += d.unit;
    s += " | ";
    if (d.configurable) {
      s += std::to_string(d.min) + "–" + std::to_string(d.max) + " " + std::string(d.unit);
    } else {
      s += "derived";
    }
    s += " | ";
    s += d.configurable ? "yes" : "no";
    s += " | ";
    s += d.clause;
    s += " | ";
    s += d.meaning;
    s += " |\n";
  }
  s += "\nRFC 4320 §4.1: a 100 Trying to a non-INVITE request over an unreliable transport is\n";
  s += "held back until the client's Timer E has reached T2 (3500 ms with the defaults), and a\n";
  s += "non-INVITE server transaction never sends 408.\n";
  s += "\nRFC 3261 §17.2.1: an INVITE server transaction sends 100 Trying as soon as the TU's\n";
  s += "handling of the INVITE returns without a response; a TU that rings, answers or rejects\n";
  s += "at once makes it unnecessary, so none is sent.\n";
  return s;
}

}  // namespace siptgw::sip
