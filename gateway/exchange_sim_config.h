// Configuration of `siptgw exchange-sim` (docs/exchange-sim.md): the far-end exchange
// simulator as its own process over M3UA. Read and validated with config/yaml_reader: every
// error names file:line and the key path, and all errors of a file are reported at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "config/yaml_reader.h"
#include "isup/circuit.h"
#include "isup/exchange_sim.h"
#include "isup/isup_stack.h"
#include "isup/m3ua/m3ua_config.h"

namespace siptgw::gateway {

enum class MaintenanceKind : uint8_t { Grs, Cgb, Cgu, Blo, Ubl, Rsc };
std::string_view maintenanceKindName(MaintenanceKind k);

// One maintenance action, `at_ms` after the first MTP-RESUME of its destination.
struct MaintenanceAction {
  uint32_t at_ms = 0;
  MaintenanceKind kind = MaintenanceKind::Grs;
  uint32_t dpc = 0;
  uint16_t cic = 1;
  uint8_t count = 1;      // circuits cic..cic+count-1 (GRS 2..32, CGB/CGU 1..32)
  uint32_t mask = 0;      // CGB/CGU status bits (bit 0 = cic); 0: all of the range
  bool hardware = false;  // CGB/CGU: hardware-oriented
};

struct OriginatingPlanConfig {
  std::string group_name;
  isup::OriginatingPlan plan;  // plan.group resolved to the group index
  uint32_t start_ms = 0;       // after the first MTP-RESUME of the group's destination
};

struct Expectations {
  std::optional<uint64_t> min_attempted, min_answered, min_incoming, min_completed;
  std::optional<uint64_t> max_rejected, max_unexpected, max_unmatched, max_decode_errors;
  std::optional<uint64_t> min_pauses, min_resumes;
  std::map<uint8_t, uint64_t> min_release_causes;  // cause → at least this many calls ended with it
  bool empty() const;
};

struct ExchangeSimConfig {
  std::string name = "exchange-sim";
  isup::StackConfig stack;  // variant, opc, NI, timers (reset_on_* handled by the command)
  isup::m3ua::M3uaConfig m3ua;
  std::vector<isup::CircuitGroupConfig> groups;
  std::vector<isup::TerminatingRule> rules;
  std::vector<OriginatingPlanConfig> plans;
  std::vector<MaintenanceAction> maintenance;
  uint32_t reset_delay_ms = 0;  // GRS of a destination's circuits this long after MTP-RESUME
  std::string pcap;             // MTP3 trace (link type 141); "" none
  uint32_t duration_ms = 0;     // 0: until a signal (or the plans complete)
  bool exit_when_plans_done = false;
  uint32_t linger_ms = 500;     // after the plans completed and the last call ended
  Expectations expect;
};

// ---- Section parsers shared with the gateway's configuration (gateway/gateway_config.h) ----
// Each reads one YAML section through config::Node (errors land in the node's Errors with
// file:line: path) and continues past errors so that one pass finds them all.

// A point code under `key`: "0.23.2" (3-8-3 ITU / 8-8-8 ANSI) or an integer.
std::optional<uint32_t> readPointCode(config::Node& n, std::string_view key, isup::Variant v, bool required);

// A string or a list of strings under `key` (absent: empty).
std::vector<std::string> readStringList(config::Node& n, std::string_view key);

// Digits of a called/calling number or prefix: 0-9, '*' and '#'.
bool isDialString(std::string_view s);

// The keys of a circuit group: name, dpc, cics ([{first, last}]), direction
// (both|incoming|outgoing), selection (sequential|round_robin|dual_seizure). The caller
// calls allowOnly (a trunk has more keys) and checks name uniqueness.
isup::CircuitGroupConfig readCircuitGroupFields(config::Node& g, isup::Variant v, const std::string& defaultName);

// A map of Q.764 timer names (T1..T38): milliseconds, Table A.1 ranges. `raw` is the same
// YAML node (for unknown timer names and their lines).
void readIsupTimers(config::Node timers, const YAML::Node& raw, isup::TimerConfig& out);

// The M3UA section (as_name, routing_context, traffic_mode, local_ip/port, remote_ip/port,
// reconnect_s, log_level, asp_name); `node` names the default AS/ASP names.
void readM3uaSection(config::Node m, const std::string& node, isup::m3ua::M3uaConfig& out);

// One terminating rule; duplicate prefixes are errors. Sets `incomingOverlap` when the rule
// waits for SAMs.
void readTerminatingRule(config::Node r, std::vector<isup::TerminatingRule>& rules, bool& incomingOverlap);

// One originating plan; `group` names one of `groups` (default: the first).
void readOriginatingPlan(config::Node p, const std::vector<isup::CircuitGroupConfig>& groups,
                         std::vector<OriginatingPlanConfig>& plans);

// A map whose keys are integers in [keyMin, keyMax] and values in [valueMin, valueMax]
// ("17: 486"). Bad keys are reported at their own line. `raw` is the same YAML node.
std::map<int64_t, int64_t> readIntMap(config::Node m, const YAML::Node& raw, int64_t keyMin, int64_t keyMax,
                                      int64_t valueMin, int64_t valueMax, std::string_view keyWhat);

// The whole file, or an error "cannot read the file" naming it.
Result<std::string, config::Errors> readConfigFile(const std::string& path);

// Parses and checks a document; errors name file:line: path.
Result<ExchangeSimConfig, config::Errors> parseExchangeSimConfig(const std::string& yaml_text, const std::string& file);
Result<ExchangeSimConfig, config::Errors> loadExchangeSimConfig(const std::string& path);

}  // namespace siptgw::gateway
