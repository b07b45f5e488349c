#include "gateway/exchange_sim_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace siptgw::gateway {

using config::Node;

std::string_view maintenanceKindName(MaintenanceKind k) {
  switch (k) {
    case MaintenanceKind::Grs: return "grs";
    case MaintenanceKind::Cgb: return "cgb";
    case MaintenanceKind::Cgu: return "cgu";
    case MaintenanceKind::Blo: return "blo";
    case MaintenanceKind::Ubl: return "ubl";
    case MaintenanceKind::Rsc: return "rsc";
  }
  return "?";
}

bool Expectations::empty() const {
  return !min_attempted && !min_answered && !min_incoming && !min_completed && !max_rejected && !max_unexpected &&
         !max_unmatched && !max_decode_errors && !min_pauses && !min_resumes && min_release_causes.empty();
}

namespace {

constexpr int64_t kMaxMs = 24LL * 3600 * 1000;

uint32_t u32(std::optional<int64_t> v) { return static_cast<uint32_t>(v.value_or(0)); }

bool isDecimalKey(const std::string& k) {
  return !k.empty() && k.size() <= 9 && std::all_of(k.begin(), k.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
         (k.size() == 1 || k[0] != '0');
}

}  // namespace

std::optional<uint32_t> readPointCode(Node& n, std::string_view key, isup::Variant v, bool required) {
  if (!n.has(key)) {
    if (required) n.error("missing required key '" + std::string(key) + "'");
    return std::nullopt;
  }
  Node c = n.child(key);
  auto s = c.asString();
  if (!s) return std::nullopt;
  auto pc = isup::m3ua::parsePc(*s, v);
  if (!pc) {
    c.error(pc.error());
    return std::nullopt;
  }
  return *pc;
}

std::vector<std::string> readStringList(Node& n, std::string_view key) {
  std::vector<std::string> out;
  if (!n.has(key)) return out;
  Node c = n.child(key);
  if (c.isSequence()) {
    for (std::size_t i = 0; i < c.size(); ++i)
      if (auto s = c.at(i).asString()) out.push_back(*s);
  } else if (auto s = c.asString()) {
    out.push_back(*s);
  }
  return out;
}

bool isDialString(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return (ch >= '0' && ch <= '9') || ch == '*' || ch == '#'; });
}

void readM3uaSection(Node m, const std::string& node, isup::m3ua::M3uaConfig& m3) {
  m.allowOnly({"as_name", "routing_context", "traffic_mode", "local_ip", "local_port", "remote_ip", "remote_port",
               "reconnect_s", "log_level", "asp_name"});
  m3.as_name = *m.string("as_name", "as-" + node);
  if (m.has("routing_context")) {
    m3.has_routing_context = true;
    m3.routing_context = u32(m.integer("routing_context", 0, 0xFFFFFFFFLL));
  } else {
    m3.has_routing_context = false;
  }
  const std::string tm = *m.choice("traffic_mode", {"override", "loadshare", "broadcast", "roundrobin"}, "override");
  if (auto t = isup::m3ua::trafficModeFromName(tm)) m3.traffic_mode = *t;
  isup::m3ua::AspConfig asp;
  asp.name = *m.string("asp_name", "asp-" + node);
  asp.local_hosts = readStringList(m, "local_ip");
  asp.local_port = static_cast<uint16_t>(*m.integer("local_port", 0, 65535, 0));
  asp.remote_hosts = readStringList(m, "remote_ip");
  if (asp.remote_hosts.empty() && !m.has("remote_ip")) m.error("missing required key 'remote_ip'");
  asp.remote_port = static_cast<uint16_t>(*m.integer("remote_port", 1, 65535, 2905));
  m3.asps.push_back(std::move(asp));
  m3.reconnect_interval_s = static_cast<int>(*m.integer("reconnect_s", 1, 60, 2));
  const std::string lvl = *m.choice("log_level", {"debug", "info", "notice", "error", "fatal"}, "error");
  if (auto l = isup::m3ua::logLevelFromName(lvl)) m3.log_level = *l;
}

isup::CircuitGroupConfig readCircuitGroupFields(Node& g, isup::Variant v, const std::string& defaultName) {
  isup::CircuitGroupConfig gc;
  gc.name = *g.string("name", defaultName);
  gc.dpc = readPointCode(g, "dpc", v, true).value_or(0);
  const int64_t maxCic = v == isup::Variant::Ansi ? 16383 : 4095;
  Node cics = g.child("cics", true);
  if (g.has("cics") && (!cics.isSequence() || cics.size() == 0)) cics.error("a list of CIC ranges ({first, last}) is needed here");
  for (std::size_t k = 0; k < cics.size(); ++k) {
    Node r = cics.at(k);
    r.allowOnly({"first", "last"});
    const auto first = r.integer("first", 0, maxCic);
    const auto last = r.integer("last", 0, maxCic, first);
    if (first && last && *last < *first) r.error("last (" + std::to_string(*last) + ") is below first", "last");
    if (first && last && *last >= *first)
      gc.cics.push_back({static_cast<uint16_t>(*first), static_cast<uint16_t>(*last)});
  }
  const std::string dir = *g.choice("direction", {"both", "incoming", "outgoing"}, "both");
  gc.direction = dir == "incoming"   ? isup::GroupDirection::IncomingOnly
                 : dir == "outgoing" ? isup::GroupDirection::OutgoingOnly
                                     : isup::GroupDirection::BothWay;
  const std::string sel = *g.choice("selection", {"sequential", "round_robin", "dual_seizure"}, "dual_seizure");
  gc.selection = sel == "sequential"    ? isup::Selection::Sequential
                 : sel == "round_robin" ? isup::Selection::RoundRobin
                                        : isup::Selection::DualSeizureControl;
  return gc;
}

void readIsupTimers(Node timers, const YAML::Node& raw, isup::TimerConfig& out) {
  if (!timers.isMap()) {
    timers.error("a map of timer name (T1..T38): milliseconds is needed here");
    return;
  }
  for (const auto& spec : isup::timerTable()) {
    const std::string name(spec.name);
    if (!timers.has(name)) continue;
    const auto ms = timers.integer(name, 1, kMaxMs);
    if (!ms) continue;
    if (auto r = out.set(spec.timer, static_cast<uint32_t>(*ms)); !r) timers.error(r.error(), name);
  }
  // Unknown timer names ("T99", "t7"): allowOnly needs a literal list, so check by hand.
  for (auto it = raw.begin(); it != raw.end(); ++it) {
    const std::string k = it->first.as<std::string>("");
    const bool known = std::any_of(isup::timerTable().begin(), isup::timerTable().end(),
                                   [&](const auto& s) { return s.name == k; });
    if (!known) timers.error("unknown timer (known: T1..T38)", k);
  }
}

void readTerminatingRule(Node r, std::vector<isup::TerminatingRule>& rules, bool& incomingOverlap) {
  r.allowOnly({"prefix", "ring_ms", "answer_ms", "hold_ms", "never_answer", "release", "cpg", "inband", "overlap_digits"});
  isup::TerminatingRule t;
  t.prefix = *r.string("prefix", "");
  if (!isDialString(t.prefix)) r.error("'" + t.prefix + "' is not a digit string", "prefix");
  t.ring_after_ms = static_cast<int32_t>(*r.integer("ring_ms", -1, kMaxMs, 0));
  t.answer_after_ms = static_cast<int32_t>(*r.integer("answer_ms", -1, kMaxMs, -1));
  t.hold_ms = static_cast<int32_t>(*r.integer("hold_ms", -1, kMaxMs, -1));
  if (*r.boolean("never_answer", false)) {
    if (r.has("answer_ms")) r.error("never_answer and answer_ms exclude each other", "never_answer");
    t.answer_after_ms = -1;
  }
  if (r.has("release")) {
    Node rel = r.child("release");
    rel.allowOnly({"cause", "location", "after_ms"});
    t.release_cause = static_cast<uint8_t>(*rel.integer("cause", 1, 127, 16));
    t.release_location = static_cast<uint8_t>(*rel.integer("location", 0, 15, 0));
    t.release_after_ms = static_cast<int32_t>(*rel.integer("after_ms", 0, kMaxMs, 0));
  }
  Node cpg = r.child("cpg");
  if (r.has("cpg") && !cpg.isSequence()) cpg.error("a list of {after_ms, event} is needed here");
  for (std::size_t k = 0; k < cpg.size(); ++k) {
    Node e = cpg.at(k);
    e.allowOnly({"after_ms", "event"});
    t.cpg.emplace_back(u32(e.integer("after_ms", 0, kMaxMs, 0)), static_cast<uint8_t>(*e.integer("event", 1, 127, 1)));
  }
  t.inband = *r.boolean("inband", false);
  t.overlap_digits = u32(r.integer("overlap_digits", 0, 32, 0));
  if (t.overlap_digits > 0) incomingOverlap = true;
  for (const auto& other : rules)
    if (other.prefix == t.prefix) r.error("duplicate prefix '" + t.prefix + "'", "prefix");
  rules.push_back(std::move(t));
}

void readOriginatingPlan(Node p, const std::vector<isup::CircuitGroupConfig>& groups,
                         std::vector<OriginatingPlanConfig>& plans) {
  p.allowOnly({"group", "numbers", "calling", "calls_per_second", "interval_ms", "count", "hold_ms", "overlap",
               "continuity", "start_ms"});
  OriginatingPlanConfig pc;
  auto& plan = pc.plan;
  if (groups.empty()) {
    p.error("originating plans need circuit groups");
  } else {
    pc.group_name = *p.string("group", groups.front().name);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.name == pc.group_name; });
    if (it == groups.end()) {
      p.error("no circuit group named '" + pc.group_name + "'", "group");
    } else {
      plan.group = static_cast<uint16_t>(it - groups.begin());
      if (it->direction == isup::GroupDirection::IncomingOnly) p.error("group '" + pc.group_name + "' is incoming-only", "group");
    }
  }
  plan.numbers = readStringList(p, "numbers");
  if (!p.has("numbers")) p.error("missing required key 'numbers'");
  else if (plan.numbers.empty()) p.error("at least one number is needed", "numbers");
  for (const auto& n : plan.numbers)
    if (n.empty() || !isDialString(n)) p.error("'" + n + "' is not a digit string", "numbers");
  plan.calling = *p.string("calling", "1000");
  if (p.has("calls_per_second") && p.has("interval_ms")) p.error("give calls_per_second or interval_ms, not both", "interval_ms");
  if (p.has("calls_per_second")) {
    const auto cps = p.integer("calls_per_second", 1, 1000);
    plan.interval_ms = cps ? static_cast<uint32_t>(1000 / *cps) : 1000;
  } else {
    plan.interval_ms = u32(p.integer("interval_ms", 1, kMaxMs, 1000));
  }
  plan.calls = u32(p.integer("count", 1, 10000000, 1));
  plan.hold_ms = static_cast<int32_t>(*p.integer("hold_ms", -1, kMaxMs, 1000));
  if (p.has("overlap")) {
    Node o = p.child("overlap");
    o.allowOnly({"initial_digits", "sam_interval_ms"});
    plan.overlap_initial = u32(o.integer("initial_digits", 1, 32));
    plan.sam_interval_ms = u32(o.integer("sam_interval_ms", 1, 60000, 100));
  }
  if (p.has("continuity")) {
    Node o = p.child("continuity");
    o.allowOnly({"cot_after_ms"});
    plan.continuity = true;
    plan.cot_after_ms = u32(o.integer("cot_after_ms", 0, 60000, 0));
  }
  pc.start_ms = u32(p.integer("start_ms", 0, kMaxMs, 0));
  plans.push_back(std::move(pc));
}

std::map<int64_t, int64_t> readIntMap(Node m, const YAML::Node& raw, int64_t keyMin, int64_t keyMax, int64_t valueMin,
                                      int64_t valueMax, std::string_view keyWhat) {
  std::map<int64_t, int64_t> out;
  if (!m.isMap()) {
    m.error("a map of " + std::string(keyWhat) + ": value is needed here");
    return out;
  }
  for (auto it = raw.begin(); it != raw.end(); ++it) {
    const std::string k = it->first.as<std::string>("");
    const bool ok = isDecimalKey(k) && std::stoll(k) >= keyMin && std::stoll(k) <= keyMax;
    if (!ok) {
      m.error("not a " + std::string(keyWhat) + " " + std::to_string(keyMin) + ".." + std::to_string(keyMax), k);
      continue;
    }
    if (auto v = m.integer(k, valueMin, valueMax)) out[std::stoll(k)] = *v;
  }
  return out;
}

namespace {

void readMaintenance(Node a, ExchangeSimConfig& c) {
  a.allowOnly({"at_ms", "action", "dpc", "cic", "count", "mask", "type"});
  MaintenanceAction m;
  m.at_ms = u32(a.integer("at_ms", 0, kMaxMs));
  const auto act = a.choice("action", {"grs", "cgb", "cgu", "blo", "ubl", "rsc"});
  if (act) {
    static constexpr MaintenanceKind kinds[] = {MaintenanceKind::Grs, MaintenanceKind::Cgb, MaintenanceKind::Cgu,
                                                MaintenanceKind::Blo, MaintenanceKind::Ubl, MaintenanceKind::Rsc};
    for (auto k : kinds)
      if (maintenanceKindName(k) == *act) m.kind = k;
  }
  if (a.has("dpc")) {
    m.dpc = readPointCode(a, "dpc", c.stack.variant, true).value_or(0);
  } else if (!c.groups.empty()) {
    m.dpc = c.groups.front().dpc;
  } else {
    a.error("missing required key 'dpc' (no circuit group to take it from)");
  }
  m.cic = static_cast<uint16_t>(*a.integer("cic", 0, c.stack.variant == isup::Variant::Ansi ? 16383 : 4095, 1));
  const bool group = m.kind == MaintenanceKind::Grs || m.kind == MaintenanceKind::Cgb || m.kind == MaintenanceKind::Cgu;
  if (group) {
    m.count = static_cast<uint8_t>(*a.integer("count", m.kind == MaintenanceKind::Grs ? 2 : 1, 32, 2));
    m.mask = static_cast<uint32_t>(*a.integer("mask", 0, 0xFFFFFFFFLL, 0));
    if (m.count < 32 && (m.mask >> m.count) != 0) a.error("mask has bits beyond count", "mask");
    m.hardware = *a.choice("type", {"maintenance", "hardware"}, "maintenance") == "hardware";
  } else {
    if (a.has("count")) a.error("count applies to grs/cgb/cgu only", "count");
    if (a.has("mask")) a.error("mask applies to cgb/cgu only", "mask");
    if (a.has("type")) a.error("type applies to cgb/cgu only", "type");
  }
  if (m.kind == MaintenanceKind::Grs && a.has("mask")) a.error("mask applies to cgb/cgu only", "mask");
  c.maintenance.push_back(m);
}

void readExpect(Node e, const YAML::Node& raw, ExchangeSimConfig& c) {
  e.allowOnly({"min_attempted", "min_answered", "min_incoming", "min_completed", "max_rejected", "max_unexpected",
               "max_unmatched", "max_decode_errors", "min_pauses", "min_resumes", "min_release_causes"});
  auto opt = [&](std::string_view k, std::optional<uint64_t>& out) {
    if (e.has(k)) out = static_cast<uint64_t>(*e.integer(k, 0, 1000000000LL, 0));
  };
  opt("min_attempted", c.expect.min_attempted);
  opt("min_answered", c.expect.min_answered);
  opt("min_incoming", c.expect.min_incoming);
  opt("min_completed", c.expect.min_completed);
  opt("max_rejected", c.expect.max_rejected);
  opt("max_unexpected", c.expect.max_unexpected);
  opt("max_unmatched", c.expect.max_unmatched);
  opt("max_decode_errors", c.expect.max_decode_errors);
  opt("min_pauses", c.expect.min_pauses);
  opt("min_resumes", c.expect.min_resumes);
  if (e.has("min_release_causes"))
    for (const auto& [cause, n] : readIntMap(e.child("min_release_causes"), raw, 0, 127, 0, 1000000000LL, "Q.850 cause value"))
      c.expect.min_release_causes[static_cast<uint8_t>(cause)] = static_cast<uint64_t>(n);
}

}  // namespace

Result<ExchangeSimConfig, config::Errors> parseExchangeSimConfig(const std::string& yaml_text, const std::string& file) {
  config::Errors errs;
  auto doc = config::parseYaml(yaml_text, file);
  if (!doc) {
    errs.add(doc.error());
    return Unexpected{std::move(errs)};
  }
  ExchangeSimConfig c;
  Node root(*doc, file, errs);
  if (!root.isMap()) {
    root.error("the document must be a map (key: value lines)");
    return Unexpected{std::move(errs)};
  }
  root.allowOnly({"name", "point_code", "point_code_format", "network_indicator", "m3ua", "circuit_groups", "timers",
                  "reset_delay_ms", "terminating", "originating", "maintenance", "trace", "run", "expect"});
  c.name = *root.string("name", "exchange-sim");
  const std::string fmt = *root.choice("point_code_format", {"itu", "ansi"}, "itu");
  c.stack.variant = fmt == "ansi" ? isup::Variant::Ansi : isup::Variant::Itu;
  c.m3ua.variant = c.stack.variant;
  c.stack.opc = readPointCode(root, "point_code", c.stack.variant, true).value_or(0);
  c.m3ua.local_pc = c.stack.opc;
  c.stack.network_indicator = static_cast<uint8_t>(*root.integer("network_indicator", 0, 3, 2));
  c.m3ua.network_indicator = c.stack.network_indicator;
  // The command resets after MTP-RESUME itself (reset_delay_ms), so the stack does not.
  c.stack.reset_on_start = false;
  c.stack.reset_on_resume = false;
  c.reset_delay_ms = u32(root.integer("reset_delay_ms", 0, 600000, 0));

  readM3uaSection(root.child("m3ua", true), c.name, c.m3ua);

  Node groups = root.child("circuit_groups", true);
  if (root.has("circuit_groups") && (!groups.isSequence() || groups.size() == 0))
    groups.error("a list of circuit groups is needed here");
  for (std::size_t i = 0; i < groups.size(); ++i) {
    Node g = groups.at(i);
    g.allowOnly({"name", "dpc", "cics", "direction", "selection"});
    auto gc = readCircuitGroupFields(g, c.stack.variant, "group" + std::to_string(i));
    for (const auto& other : c.groups)
      if (other.name == gc.name) g.error("duplicate group name '" + gc.name + "'", "name");
    c.groups.push_back(std::move(gc));
  }
  for (const auto& g : c.groups) {
    const bool routed = std::any_of(c.m3ua.routes.begin(), c.m3ua.routes.end(), [&](const auto& r) { return r.dpc == g.dpc; });
    if (!routed) c.m3ua.routes.push_back({g.dpc, 0});
  }

  if (root.has("timers")) readIsupTimers(root.child("timers"), (*doc)["timers"], c.stack.timers);

  Node term = root.child("terminating");
  if (root.has("terminating") && !term.isSequence()) term.error("a list of terminating rules is needed here");
  for (std::size_t i = 0; i < term.size(); ++i) readTerminatingRule(term.at(i), c.rules, c.stack.incoming_overlap);

  Node orig = root.child("originating");
  if (root.has("originating") && !orig.isSequence()) orig.error("a list of originating plans is needed here");
  for (std::size_t i = 0; i < orig.size(); ++i) readOriginatingPlan(orig.at(i), c.groups, c.plans);

  Node maint = root.child("maintenance");
  if (root.has("maintenance") && !maint.isSequence()) maint.error("a list of maintenance actions is needed here");
  for (std::size_t i = 0; i < maint.size(); ++i) readMaintenance(maint.at(i), c);

  if (root.has("trace")) {
    Node t = root.child("trace");
    t.allowOnly({"pcap"});
    c.pcap = *t.string("pcap", "");
  }
  if (root.has("run")) {
    Node r = root.child("run");
    r.allowOnly({"duration_ms", "exit_when_plans_done", "linger_ms"});
    c.duration_ms = u32(r.integer("duration_ms", 0, kMaxMs, 0));
    c.exit_when_plans_done = *r.boolean("exit_when_plans_done", false);
    c.linger_ms = u32(r.integer("linger_ms", 0, 600000, 500));
    if (c.exit_when_plans_done && c.plans.empty()) r.error("exit_when_plans_done without originating plans", "exit_when_plans_done");
  }
  if (root.has("expect")) {
    const YAML::Node raw = (*doc)["expect"].IsMap() ? (*doc)["expect"]["min_release_causes"] : YAML::Node();
    readExpect(root.child("expect"), raw, c);
  }

  if (errs.empty()) {
    auto plan = isup::m3ua::buildPlan(c.m3ua);
    if (!plan)
      for (const auto& e : plan.error()) errs.add({file, root.child("m3ua").line(), "m3ua", e});
  }
  if (!errs.empty()) return Unexpected{std::move(errs)};
  return c;
}

Result<std::string, config::Errors> readConfigFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) {
    config::Errors errs;
    errs.add({path, 0, {}, "cannot read the file"});
    return Unexpected{std::move(errs)};
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Result<ExchangeSimConfig, config::Errors> loadExchangeSimConfig(const std::string& path) {
  auto text = readConfigFile(path);
  if (!text) return Unexpected{text.error()};
  return parseExchangeSimConfig(*text, path);
}

}  // namespace siptgw::gateway
