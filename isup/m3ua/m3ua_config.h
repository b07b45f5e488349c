// Configuration of the M3UA MTP provider (RFC 4666, ASP side of an ASP–SGP/STP association)
// and its translation into the objects libosmo-sigtran builds: one cs7 instance, one
// application server (AS) with its routing key, one or more ASPs (SCTP client associations),
// and the routes that send destination point codes to the AS.
//
// Pure values and pure functions: nothing here touches libosmo-sigtran, so config checking
// and the translation are testable anywhere (tests/m3ua). The adapter applies a SigtranPlan
// verbatim (osmo_sigtran_backend.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "isup/mtp3.h"
#include "isup/types.h"

namespace siptgw::isup::m3ua {

// RFC 4666 §3.8.1 traffic mode type (and libosmo-sigtran's round-robin loadshare).
enum class TrafficMode : uint8_t { Override, Loadshare, Broadcast, RoundRobin };
std::string_view trafficModeName(TrafficMode m);
Result<TrafficMode, std::string> trafficModeFromName(std::string_view name);

// libosmocore log levels, by name: "debug", "info", "notice", "error", "fatal".
enum class SigtranLogLevel : uint8_t { Debug, Info, Notice, Error, Fatal };
Result<SigtranLogLevel, std::string> logLevelFromName(std::string_view name);

// One SCTP association to a signalling gateway / STP. osmo-stp recognises a pre-configured
// ASP by its addresses AND ports, so clients that share an IP need a fixed local_port.
struct AspConfig {
  std::string name;
  std::vector<std::string> local_hosts;   // IP literals; empty: any address (multi-homing: several)
  uint16_t local_port = 0;                // 0: ephemeral
  std::vector<std::string> remote_hosts;  // IP literals of the SG/STP, at least one
  uint16_t remote_port = 2905;            // IANA M3UA port
};

// Destinations reached through the AS: a point code and a mask of significant bits (Q.704
// point codes; mask 0 means "all bits", i.e. exactly this destination).
struct RouteConfig {
  uint32_t dpc = 0;
  uint32_t mask = 0;
};

struct M3uaConfig {
  // Point code width: ITU 14 bits (written 3-8-3 or as an integer), ANSI 24 bits (8-8-8).
  Variant variant = Variant::Itu;
  uint32_t local_pc = 0;
  uint8_t network_indicator = 2;  // Q.704 §14.2.2: 0 international ... 2 national
  uint8_t service_indicator = kServiceIndicatorIsup;
  uint32_t instance_id = 0;       // cs7 instance number

  std::string as_name = "as-siptgw";
  bool has_routing_context = true;  // RFC 4666 routing context, as agreed with the SG
  uint32_t routing_context = 0;
  TrafficMode traffic_mode = TrafficMode::Override;
  std::vector<AspConfig> asps;
  std::vector<RouteConfig> routes;

  uint32_t send_queue_limit = 4096;  // core → ss7 messages in flight before sends are refused
  std::chrono::milliseconds state_poll{50};  // how often the ss7 thread samples AS/ASP state
  int reconnect_interval_s = 2;  // SCTP (re)connect attempts while the association is down
  SigtranLogLevel log_level = SigtranLogLevel::Error;
};

// Parses a point code for this config's variant: "0.23.2" / "0-23-2" (3-8-3 ITU, 8-8-8 ANSI)
// or an integer.
Result<uint32_t, std::string> parsePc(std::string_view text, Variant v);
std::string formatPc(uint32_t pc, Variant v);  // "0.23.2": libosmo-sigtran's own notation
constexpr uint32_t pointCodeMask(Variant v) { return v == Variant::Ansi ? 0xFFFFFF : 0x3FFF; }

// What the adapter creates, in order, with every default resolved and every value checked.
struct SigtranPlan {
  uint32_t instance_id = 0;
  Variant variant = Variant::Itu;
  uint8_t pc_format[3] = {3, 8, 3};  // osmo_ss7_instance_set_pc_fmt components
  uint32_t local_pc = 0;
  uint8_t network_indicator = 2;
  uint8_t service_indicator = kServiceIndicatorIsup;

  struct As {
    std::string name;
    bool has_routing_context = true;
    uint32_t routing_context = 0;
    uint32_t routing_key_pc = 0;  // the routing key's DPC: our own point code
    TrafficMode traffic_mode = TrafficMode::Override;
  } as;
  std::vector<AspConfig> asps;
  struct Route {
    uint32_t dpc = 0;
    uint32_t mask = 0;  // full-width mask when the config said 0
    bool matches(uint32_t pc) const { return (pc & mask) == (dpc & mask); }
  };
  std::vector<Route> routes;

  uint32_t send_queue_limit = 4096;
  std::chrono::milliseconds state_poll{50};
  int reconnect_interval_s = 2;
  SigtranLogLevel log_level = SigtranLogLevel::Error;

  // Index of the first route matching `dpc`, or -1.
  int routeFor(uint32_t dpc) const;
  // The plan as the equivalent osmo-stp/cs7 VTY text (for logs and docs; never parsed).
  std::string describe() const;
};

// Every problem in the config, one message each ("asps[1].local_port: ..."), or the plan.
Result<SigtranPlan, std::vector<std::string>> buildPlan(const M3uaConfig& cfg);

}  // namespace siptgw::isup::m3ua
