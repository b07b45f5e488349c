// `siptgw exchange-sim -c FILE`: the far-end exchange simulator (isup/exchange_sim.h) as its
// own process over M3UA (isup/m3ua), configured by YAML (docs/exchange-sim.md). Prints a JSON
// summary of its counters on exit, writes an MTP3 pcap of every message sent and received.
// Exit codes: 0 run's expectations hold, 1 they do not (or the link failed), 2 config error.
#pragma once

#include <ostream>
#include <string>

namespace siptgw::gateway {

// check_only: validate the file, print "OK" (or the errors), exit 0 / 2.
int exchangeSimCommand(const std::string& config_file, bool check_only, std::ostream& out, std::ostream& err);

}  // namespace siptgw::gateway
