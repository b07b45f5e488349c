// Q.764 (12/1999) Annex A, Table A.1. Ranges given there as "covered in Recommendation
// Q.118" (T6, T9, T38) use the Q.118 values; defaults are the lower end of each range except
// where an operator would expect otherwise (noted per row).
#include "isup/timers.h"

#include <cctype>
#include <charconv>

namespace siptgw::isup {
namespace {

constexpr uint32_t S = 1000;
constexpr uint32_t M = 60 * S;
using T = IsupTimer;

constexpr TimerSpec kTable[] = {
    {T::T1, "T1", 15 * S, 15 * S, 60 * S, "§2.3, §2.9.6", "REL sent", "re-send REL, restart T1", true},
    {T::T2, "T2", 3 * M, 3 * M, 3 * M, "§2.4.1", "controlling exchange receives SUS (user)", "release the call (cause 102)", true},
    {T::T3, "T3", 2 * M, 2 * M, 2 * M, "§2.11 (national)", "OLM received", "release the call", false},
    {T::T4, "T4", 5 * M, 5 * M, 15 * M, "§2.13.2", "MTP-STATUS: remote user part inaccessible", "send UPT, restart T4", true},
    {T::T5, "T5", 5 * M, 5 * M, 15 * M, "§2.9.6", "initial REL sent", "send RSC, alert maintenance, stop T1, start T17", true},
    {T::T6, "T6", 10 * S, 10 * S, 32 * S, "§2.4.2 (value: Q.118)", "controlling exchange receives SUS (network)", "release the call (cause 102)", true},
    {T::T7, "T7", 20 * S, 20 * S, 30 * S, "§2.1.4, §2.9.8.3", "latest address message sent", "release the call (cause 102)", true},
    {T::T8, "T8", 10 * S, 10 * S, 15 * S, "§2.1.8", "IAM received requiring continuity check on this or a previous circuit", "release the call (cause 102)", true},
    {T::T9, "T9", 90 * S, 90 * S, 180 * S, "§2.1.7, §2.9.8.3 (value: Q.118)", "ACM received at the controlling/originating exchange", "release the call (cause 19)", true},
    {T::T10, "T10", 4 * S, 4 * S, 6 * S, "§2.1.1.2", "last digit received in interworking", "send ACM", false},
    {T::T11, "T11", 15 * S, 15 * S, 20 * S, "§2.1.4.6", "latest address message received in interworking", "send ACM", false},
    {T::T12, "T12", 15 * S, 15 * S, 60 * S, "§2.8.2, §2.9.4", "BLO sent", "re-send BLO, restart T12", true},
    {T::T13, "T13", 5 * M, 5 * M, 15 * M, "§2.8.2, §2.9.4", "initial BLO sent", "re-send BLO, alert maintenance, stop T12, restart T13", true},
    {T::T14, "T14", 15 * S, 15 * S, 60 * S, "§2.8.2, §2.9.4", "UBL sent", "re-send UBL, restart T14", true},
    {T::T15, "T15", 5 * M, 5 * M, 15 * M, "§2.8.2, §2.9.4", "initial UBL sent", "re-send UBL, alert maintenance, stop T14, restart T15", true},
    {T::T16, "T16", 15 * S, 15 * S, 60 * S, "§2.9.3.1", "RSC sent not due to T5 expiry", "re-send RSC, restart T16", true},
    {T::T17, "T17", 5 * M, 5 * M, 15 * M, "§2.9.3.1, §2.9.6", "initial RSC sent", "re-send RSC, alert maintenance, stop T16, restart T17", true},
    {T::T18, "T18", 15 * S, 15 * S, 60 * S, "§2.8.2.2, §2.9.4", "CGB sent", "re-send CGB, restart T18", true},
    {T::T19, "T19", 5 * M, 5 * M, 15 * M, "§2.8.2.2, §2.9.4", "initial CGB sent", "re-send CGB, alert maintenance, stop T18, restart T19", true},
    {T::T20, "T20", 15 * S, 15 * S, 60 * S, "§2.8.2.2, §2.9.4", "CGU sent", "re-send CGU, restart T20", true},
    {T::T21, "T21", 5 * M, 5 * M, 15 * M, "§2.8.2.2, §2.9.4", "initial CGU sent", "re-send CGU, alert maintenance, stop T20, restart T21", true},
    {T::T22, "T22", 15 * S, 15 * S, 60 * S, "§2.9.3.2", "GRS sent", "re-send GRS, restart T22", true},
    {T::T23, "T23", 5 * M, 5 * M, 15 * M, "§2.9.3.2", "initial GRS sent", "re-send GRS, alert maintenance, stop T22, restart T23", true},
    {T::T24, "T24", 2 * S, 1, 2 * S, "§2.1.8", "check tone sent", "send COT (failure), start T25", false},
    {T::T25, "T25", 1 * S, 1 * S, 10 * S, "§2.1.8", "initial continuity check failure", "send CCR, repeat check", false},
    {T::T26, "T26", 1 * M, 1 * M, 3 * M, "§2.1.8", "second or later continuity check failure", "send CCR, repeat check", false},
    {T::T27, "T27", 4 * M, 4 * M, 4 * M, "§2.1.8", "COT (failure) received", "send RSC, start T16/T17", true},
    {T::T28, "T28", 10 * S, 10 * S, 10 * S, "§2.8.3", "CQM sent", "alert maintenance", true},
    {T::T29, "T29", 300, 300, 600, "§2.10", "first MTP congestion indication", "take new congestion indications into account", true},
    {T::T30, "T30", 5 * S, 5 * S, 10 * S, "§2.10", "first MTP congestion indication", "restore traffic by one step, restart T30 if still reduced", true},
    {T::T31, "T31", 6 * M, 6 * M, 60 * M, "§2.6 (end-to-end signalling)", "ISUP connection released", "call reference may be reused", false},
    {T::T32, "T32", 3 * S, 3 * S, 5 * S, "§2.6 (end-to-end signalling)", "first end-to-end message sent", "", false},
    {T::T33, "T33", 12 * S, 12 * S, 15 * S, "§2.1.6", "INR sent", "release the call (cause 102), alert maintenance", true},
    {T::T34, "T34", 2 * S, 2 * S, 4 * S, "§2.1.12", "segmentation indicated", "proceed without the SGM", false},
    {T::T35, "T35", 15 * S, 15 * S, 20 * S, "§2.1.2.1", "latest digit received (before the minimum or ST)", "release the call (cause 28)", true},
    {T::T36, "T36", 10 * S, 10 * S, 15 * S, "§2.1.8", "CCR received (transit/incoming exchange)", "send RSC, start T16/T17", true},
    {T::T37, "T37", 30 * S, 30 * S, 30 * S, "§2.7 (echo control)", "echo control procedure started", "", false},
    {T::T38, "T38", 125 * S, 125 * S, 125 * S, "§2.4.3 (value: Q.118)", "SUS (network) sent by the incoming international exchange", "release the call", false},
};
static_assert(std::size(kTable) == kTimerCount);

std::string fmtMs(uint32_t ms) {
  if (ms % M == 0) return std::to_string(ms / M) + " min";
  if (ms % S == 0) return std::to_string(ms / S) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

std::span<const TimerSpec> timerTable() { return kTable; }
const TimerSpec& timerSpec(IsupTimer t) { return kTable[timerIndex(t)]; }

std::optional<IsupTimer> timerFromName(std::string_view name) {
  if (name.size() < 2 || (name[0] != 'T' && name[0] != 't')) return std::nullopt;
  unsigned n = 0;
  auto [p, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), n);
  if (ec != std::errc() || p != name.data() + name.size() || n < 1 || n > kTimerCount) return std::nullopt;
  return static_cast<IsupTimer>(n);
}

TimerConfig::TimerConfig() {
  for (const TimerSpec& s : kTable) ms_[timerIndex(s.timer)] = s.default_ms;
}

Result<Ok, std::string> TimerConfig::set(IsupTimer t, uint32_t ms) {
  const TimerSpec& s = timerSpec(t);
  if (ms < s.min_ms || ms > s.max_ms) {
    return Unexpected{std::string(s.name) + ": " + fmtMs(ms) + " outside " + fmtMs(s.min_ms) + "–" +
                      fmtMs(s.max_ms) + " (Q.764 Table A.1)"};
  }
  ms_[timerIndex(t)] = ms;
  return Ok{};
}

Result<Ok, std::string> TimerConfig::set(std::string_view name, uint32_t ms) {
  auto t = timerFromName(name);
  if (!t) return Unexpected{"unknown ISUP timer '" + std::string(name) + "'"};
  return set(*t, ms);
}

std::string timersMarkdown(const TimerConfig* cfg) {
  std::string out = "| timer | default | range | clause (Q.764) | started | at expiry | used |";
  if (cfg) out += " configured |";
  out += "\n| --- | --- | --- | --- | --- | --- | --- |";
  if (cfg) out += " --- |";
  out += "\n";
  for (const TimerSpec& s : kTable) {
    out += "| " + std::string(s.name) + " | " + fmtMs(s.default_ms) + " | ";
    out += s.min_ms == s.max_ms ? fmtMs(s.min_ms) : fmtMs(s.min_ms) + "–" + fmtMs(s.max_ms);
    out += " | " + std::string(s.clause) + " | " + std::string(s.started) + " | " +
           std::string(s.expiry.empty() ? "—" : s.expiry) + " | " + (s.used ? "yes" : "no") + " |";
    if (cfg) out += " " + fmtMs(cfg->ms(s.timer)) + " |";
    out += "\n";
  }
  return out;
}

}  // namespace siptgw::isup
