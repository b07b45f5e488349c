// `siptgw run`: the running gateway process. One core thread (asio::io_context) carries the
// SIP transports, both stacks, every call chart and the in-process exchange simulator
// (DESIGN.md "Threads"); libosmo-sigtran, when the ISUP side is M3UA, has its own thread
// (isup/m3ua), and prometheus-cpp's exposer its own.
//
// Start order: metrics exposer, SIP listeners, ISUP link and stacks (GRS of every circuit,
// Q.764 §2.9.3), then the simulator's originating plans. On startup one line goes to stdout:
//   READY sip=udp:127.0.0.1:5060,tcp:127.0.0.1:5060 metrics=127.0.0.1:9464 trunks=2 circuits=64
// and on SIGINT/SIGTERM (or after `durationMs`) one JSON line of totals:
//   STATS {"attempted":{"sip_to_isup":3,...},...}
#pragma once

#include <cstdint>
#include <iosfwd>

#include "gateway/gateway_config.h"

namespace siptgw::gateway {

struct RunOptions {
  uint32_t durationMs = 0;  // 0: until a signal
};

// Returns the process exit code: 0 after a clean stop, 1 when something could not start
// (the reason on `err`).
int runGateway(const GatewayConfig& cfg, const RunOptions& opt, std::ostream& out, std::ostream& err);

}  // namespace siptgw::gateway
