// ISUP timers as data: ITU-T Q.764 Annex A, Table A.1 (T1–T38), one row per timer with its
// default, allowed range and the clause that uses it; TimerConfig holds the values one stack
// instance runs with (overridable from config, range-checked).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/result.h"

namespace siptgw::isup {

enum class IsupTimer : uint8_t {
  T1 = 1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19,
  T20, T21, T22, T23, T24, T25, T26, T27, T28, T29, T30, T31, T32, T33, T34, T35, T36, T37, T38,
};
constexpr std::size_t kTimerCount = 38;
constexpr std::size_t timerIndex(IsupTimer t) { return static_cast<std::size_t>(t) - 1; }

struct TimerSpec {
  IsupTimer timer;
  std::string_view name;  // "T1"
  uint32_t default_ms;
  uint32_t min_ms;
  uint32_t max_ms;
  std::string_view clause;   // where Q.764 uses it
  std::string_view started;  // Table A.1 "cause for initiation"
  std::string_view expiry;   // Table A.1 "at expiry"
  bool used;                 // whether this implementation runs it
};

// Every row of Table A.1, in order T1..T38.
std::span<const TimerSpec> timerTable();
const TimerSpec& timerSpec(IsupTimer t);
std::optional<IsupTimer> timerFromName(std::string_view name);  // "T7" / "t7"

class TimerConfig {
 public:
  TimerConfig();  // Table A.1 defaults
  uint32_t ms(IsupTimer t) const { return ms_[timerIndex(t)]; }
  // Rejects values outside the Table A.1 range (message says which and why).
  Result<Ok, std::string> set(IsupTimer t, uint32_t ms);
  Result<Ok, std::string> set(std::string_view name, uint32_t ms);
  // For tests and simulators: no range check.
  void force(IsupTimer t, uint32_t ms) { ms_[timerIndex(t)] = ms; }

 private:
  std::array<uint32_t, kTimerCount> ms_{};
};

// The table as Markdown (docs/isup-timers.md); with `cfg`, a column of configured values.
std::string timersMarkdown(const TimerConfig* cfg = nullptr);

}  // namespace siptgw::isup
