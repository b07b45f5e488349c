// One-line logs on stderr with a level per process (DESIGN.md "Observability"): a line is
// formatted only when its level is enabled, so the call path pays nothing at "warn".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace siptgw::log {

enum class Level : uint8_t { Debug, Info, Warn, Error, Off };
std::string_view levelName(Level l);
bool levelFromName(std::string_view name, Level& out);

void setLevel(Level l);
Level level();
inline bool enabled(Level l) { return l >= level(); }
// Writes "<time> <LEVEL> <line>\n" in one write(2) so lines of threads never interleave.
void line(Level l, std::string_view line);

}  // namespace siptgw::log
