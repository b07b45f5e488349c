#include "isup/m3ua/m3ua_config.h"

#include <arpa/inet.h>

#include <set>
#include <sstream>

namespace siptgw::isup::m3ua {

namespace {

// libosmocore's OSMO_SOCK_MAX_ADDRS: addresses per SCTP endpoint.
constexpr std::size_t kMaxHosts = 32;
// struct osmo_ss7_as holds at most 16 ASPs.
constexpr std::size_t kMaxAsps = 16;

bool isIpLiteral(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// Names end up as VTY words and talloc names: keep them to one plain token.
bool isPlainName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string_view trafficModeName(TrafficMode m) {
  switch (m) {
    case TrafficMode::Override: return "override";
    case TrafficMode::Loadshare: return "loadshare";
    case TrafficMode::Broadcast: return "broadcast";
    case TrafficMode::RoundRobin: return "roundrobin";
  }
  return "?";
}

Result<TrafficMode, std::string> trafficModeFromName(std::string_view name) {
  for (auto m : {TrafficMode::Override, TrafficMode::Loadshare, TrafficMode::Broadcast, TrafficMode::RoundRobin})
    if (trafficModeName(m) == name) return m;
  return Unexpected{"traffic mode: expected override, loadshare, broadcast or roundrobin, got '" +
                    std::string(name) + "'"};
}

Result<SigtranLogLevel, std::string> logLevelFromName(std::string_view name) {
  if (name == "debug") return SigtranLogLevel::Debug;
  if (name == "info") return SigtranLogLevel::Info;
  if (name == "notice") return SigtranLogLevel::Notice;
  if (name == "error") return SigtranLogLevel::Error;
  if (name == "fatal") return SigtranLogLevel::Fatal;
  return Unexpected{"log level: expected debug, info, notice, error or fatal, got '" + std::string(name) + "'"};
}

Result<uint32_t, std::string> parsePc(std::string_view text, Variant v) { return parsePointCode(text, v); }

std::string formatPc(uint32_t pc, Variant v) {
  if (v == Variant::Ansi)
    return std::to_string(pc >> 16 & 0xFF) + "." + std::to_string(pc >> 8 & 0xFF) + "." + std::to_string(pc & 0xFF);
  return std::to_string(pc >> 11 & 0x7) + "." + std::to_string(pc >> 3 & 0xFF) + "." + std::to_string(pc & 0x7);
}

int SigtranPlan::routeFor(uint32_t dpc) const {
  for (std::size_t i = 0; i < routes.size(); ++i)
    if (routes[i].matches(dpc)) return static_cast<int>(i);
  return -1;
}

std::string SigtranPlan::describe() const {
  std::ostringstream o;
  o << "cs7 instance " << instance_id << "\n";
  o << " point-code format " << int(pc_format[0]) << ' ' << int(pc_format[1]) << ' ' << int(pc_format[2]) << "\n";
  o << " point-code " << formatPc(local_pc, variant) << "\n";
  o << " network-indicator " << int(network_indicator) << "\n";
  for (const auto& a : asps) {
    o << " asp " << a.name << ' ' << a.remote_port << ' ' << a.local_port << " m3ua\n";
    for (const auto& h : a.local_hosts) o << "  local-ip " << h << "\n";
    for (const auto& h : a.remote_hosts) o << "  remote-ip " << h << "\n";
  }
  o << " as " << as.name << " m3ua\n";
  for (const auto& a : asps) o << "  asp " << a.name << "\n";
  o << "  traffic-mode " << trafficModeName(as.traffic_mode) << "\n";
  o << "  routing-key " << (as.has_routing_context ? as.routing_context : 0) << ' '
    << formatPc(as.routing_key_pc, variant) << "\n";
  o << " route-table system\n";
  for (const auto& r : routes)
    o << "  update route " << formatPc(r.dpc, variant) << ' ' << formatPc(r.mask, variant) << " linkset " << as.name
      << "\n";
  o << " ! MTP user: service indicator " << int(service_indicator) << "\n";
  return o.str();
}

Result<SigtranPlan, std::vector<std::string>> buildPlan(const M3uaConfig& cfg) {
  std::vector<std::string> err;
  const uint32_t full = pointCodeMask(cfg.variant);
  auto pcText = [&](uint32_t pc) { return formatPc(pc, cfg.variant); };

  if (cfg.local_pc > full) err.push_back("local_pc: " + std::to_string(cfg.local_pc) + " does not fit the point code width");
  if (cfg.network_indicator > 3) err.push_back("network_indicator: must be 0..3");
  // 0–2 are MTP's own (SNM, MTN, MTNS: Q.704 §14.2.1); a user part is 3..15.
  if (cfg.service_indicator < 3 || cfg.service_indicator > 15) err.push_back("service_indicator: must be 3..15 (ISUP is 5)");
  if (!isPlainName(cfg.as_name)) err.push_back("as_name: must be 1-64 characters of [A-Za-z0-9._-]");
  if (cfg.send_queue_limit == 0) err.push_back("send_queue_limit: must be at least 1");
  if (cfg.reconnect_interval_s < 1 || cfg.reconnect_interval_s > 60) err.push_back("reconnect_interval_s: must be 1..60 s");
  if (cfg.state_poll.count() < 5 || cfg.state_poll.count() > 1000) err.push_back("state_poll: must be 5..1000 ms");

  if (cfg.asps.empty()) err.push_back("asps: at least one ASP is needed");
  if (cfg.asps.size() > kMaxAsps) err.push_back("asps: at most 16 ASPs per AS");
  std::set<std::string> names;
  std::set<std::pair<std::string, uint16_t>> local_ends;
  for (std::size_t i = 0; i < cfg.asps.size(); ++i) {
    const auto& a = cfg.asps[i];
    const std::string at = "asps[" + std::to_string(i) + "]";
    if (!isPlainName(a.name)) err.push_back(at + ".name: must be 1-64 characters of [A-Za-z0-9._-]");
    else if (!names.insert(a.name).second) err.push_back(at + ".name: duplicate ASP name '" + a.name + "'");
    if (a.name == cfg.as_name) err.push_back(at + ".name: must differ from the AS name");
    if (a.remote_hosts.empty()) err.push_back(at + ".remote_hosts: at least one address is needed");
    if (a.remote_hosts.size() > kMaxHosts || a.local_hosts.size() > kMaxHosts)
      err.push_back(at + ": at most 32 addresses per end");
    for (const auto& h : a.remote_hosts)
      if (!isIpLiteral(h)) err.push_back(at + ".remote_hosts: '" + h + "' is not an IPv4/IPv6 address");
    for (const auto& h : a.local_hosts)
      if (!isIpLiteral(h)) err.push_back(at + ".local_hosts: '" + h + "' is not an IPv4/IPv6 address");
    if (a.remote_port == 0) err.push_back(at + ".remote_port: must be 1..65535");
    if (a.local_port != 0) {
      const std::string host = a.local_hosts.empty() ? std::string("*") : a.local_hosts.front();
      if (!local_ends.insert({host, a.local_port}).second)
        err.push_back(at + ".local_port: " + std::to_string(a.local_port) + " already used by another ASP");
    }
  }

  if (cfg.routes.empty()) err.push_back("routes: at least one route (DPC to the AS) is needed");
  std::vector<SigtranPlan::Route> routes;
  for (std::size_t i = 0; i < cfg.routes.size(); ++i) {
    const auto& r = cfg.routes[i];
    const std::string at = "routes[" + std::to_string(i) + "]";
    SigtranPlan::Route pr{r.dpc, r.mask == 0 ? full : r.mask};
    if (r.dpc > full) { err.push_back(at + ".dpc: does not fit the point code width"); continue; }
    if (pr.mask > full) { err.push_back(at + ".mask: does not fit the point code width"); continue; }
    if ((r.dpc & ~pr.mask) != 0) err.push_back(at + ": dpc " + pcText(r.dpc) + " has bits outside mask " + pcText(pr.mask));
    if (pr.matches(cfg.local_pc)) err.push_back(at + ": route " + pcText(r.dpc) + " covers our own point code");
    for (const auto& o : routes)
      if (o.dpc == pr.dpc && o.mask == pr.mask) err.push_back(at + ": duplicate route " + pcText(r.dpc));
    routes.push_back(pr);
  }

  if (!err.empty()) return Unexpected{std::move(err)};

  SigtranPlan p;
  p.instance_id = cfg.instance_id;
  p.variant = cfg.variant;
  if (cfg.variant == Variant::Ansi) { p.pc_format[0] = 8; p.pc_format[1] = 8; p.pc_format[2] = 8; }
  p.local_pc = cfg.local_pc;
  p.network_indicator = cfg.network_indicator;
  p.service_indicator = cfg.service_indicator;
  p.as = {cfg.as_name, cfg.has_routing_context, cfg.routing_context, cfg.local_pc, cfg.traffic_mode};
  p.asps = cfg.asps;
  p.routes = std::move(routes);
  p.send_queue_limit = cfg.send_queue_limit;
  p.state_poll = cfg.state_poll;
  p.reconnect_interval_s = cfg.reconnect_interval_s;
  p.log_level = cfg.log_level;
  return p;
}

}  // namespace siptgw::isup::m3ua
