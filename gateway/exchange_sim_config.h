// Configuration of `siptgw exchange-sim` (docs/exchange-sim.md): the far-end exchange
// simulator as its own process over M3UA. Read and validated with config/yaml_reader: every
// error names file:line and the key path, and all errors of a file are reported at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
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

// Parses and checks a document; errors name file:line: path.
Result<ExchangeSimConfig, config::Errors> parseExchangeSimConfig(const std::string& yaml_text, const std::string& file);
Result<ExchangeSimConfig, config::Errors> loadExchangeSimConfig(const std::string& path);

}  // namespace siptgw::gateway
