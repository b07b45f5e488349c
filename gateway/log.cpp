#include "gateway/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace siptgw::log {
namespace {
std::atomic<Level> g_level{Level::Info};
constexpr std::string_view kNames[] = {"debug", "info", "warn", "error", "off"};
}  // namespace

std::string_view levelName(Level l) { return kNames[static_cast<uint8_t>(l)]; }

bool levelFromName(std::string_view name, Level& out) {
  for (uint8_t i = 0; i < 5; ++i) {
    if (kNames[i] == name) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

void setLevel(Level l) { g_level.store(l, std::memory_order_relaxed); }
Level level() { return g_level.load(std::memory_order_relaxed); }

void line(Level l, std::string_view text) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t t = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char head[48];
  const int n = std::snprintf(head, sizeof head, "%02d:%02d:%02d.%03d %-5s ", tm.tm_hour, tm.tm_min,
                              tm.tm_sec, static_cast<int>(ms), kNames[static_cast<uint8_t>(l)].data());
  std::string out;
  out.reserve(static_cast<std::size_t>(n) + text.size() + 1);
  out.append(head, static_cast<std::size_t>(n)).append(text).push_back('\n');
  ssize_t w = ::write(STDERR_FILENO, out.data(), out.size());
  static_cast<void>(w);
}

}  // namespace siptgw::log
