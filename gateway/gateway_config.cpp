#include "gateway/gateway_config.h"

#include <algorithm>
#include <set>

namespace siptgw::gateway {

using config::Node;

std::string_view rel100ModeName(Rel100Mode m) {
  switch (m) {
    case Rel100Mode::Disabled:
      return "disabled";
    case Rel100Mode::Supported:
      return "supported";
    case Rel100Mode::Required:
      return "required";
  }
  return "?";
}

std::string_view isupLinkKindName(IsupLinkKind k) {
  return k == IsupLinkKind::M3ua ? "m3ua" : "simulator";
}

std::string_view codecName(Codec c) {
  switch (c) {
    case Codec::Pcma:
      return "PCMA";
    case Codec::Pcmu:
      return "PCMU";
    case Codec::Clearmode:
      return "clearmode";
  }
  return "?";
}

std::string_view natureOfAddressName(NatureOfAddress n) {
  switch (n) {
    case NatureOfAddress::Subscriber:
      return "subscriber";
    case NatureOfAddress::Unknown:
      return "unknown";
    case NatureOfAddress::National:
      return "national";
    case NatureOfAddress::International:
      return "international";
  }
  return "?";
}

std::string_view logLevelName(LogLevel l) {
  switch (l) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "?";
}

bool isKnownProfile(std::string_view name) {
  return std::find(std::begin(kProfileNames), std::end(kProfileNames), name) !=
         std::end(kProfileNames);
}

const TrunkConfig* GatewayConfig::findTrunk(std::string_view name) const {
  for (const auto& t : trunks)
    if (t.name() == name) return &t;
  return nullptr;
}

const SipPeerConfig* GatewayConfig::findPeer(std::string_view name) const {
  for (const auto& p : sip.peers)
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

constexpr int64_t kMaxMs = 24LL * 3600 * 1000;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return out;
}

std::string profileList() {
  std::string s;
  for (std::string_view p : kProfileNames) s += (s.empty() ? "" : ", ") + std::string(p);
  return s;
}

sip::TransportType transportFrom(const std::string& s) {
  return s == "tcp"   ? sip::TransportType::Tcp
         : s == "tls" ? sip::TransportType::Tls
                      : sip::TransportType::Udp;
}

// An IP literal under `key` (v4 or v6); host names are refused: the gateway resolves nothing.
std::optional<std::string> ipLiteral(Node& n, std::string_view key,
                                     std::optional<std::string> def) {
  auto s = n.string(key, def);
  if (!s) return s;
  if (!sip::Endpoint::fromIp(*s, 1)) {
    n.error("'" + *s + "' is not an IPv4 or IPv6 address", key);
    return def;
  }
  return s;
}

bool isWildcard(const std::string& ip) {
  auto e = sip::Endpoint::fromIp(ip, 1);
  if (!e) return false;
  return std::all_of(e->addr.begin(), e->addr.end(), [](uint8_t b) { return b == 0; });
}

std::optional<std::string> profileName(Node& n) {
  auto p = n.string("profile", "rfc3398");
  if (p && !isKnownProfile(*p)) {
    n.error("unknown profile '" + *p + "' (known: " + profileList() + ")", "profile");
    return std::string("rfc3398");
  }
  return p;
}

// Sockets that cannot coexist: same port, same socket type (UDP vs TCP/TLS), and the same
// address or a wildcard of the same family.
bool socketsClash(const SipListenConfig& a, const SipListenConfig& b) {
  const bool udpA = a.transport == sip::TransportType::Udp,
             udpB = b.transport == sip::TransportType::Udp;
  if (udpA != udpB || a.port != b.port) return false;
  if (a.address == b.address) return true;
  auto ea = sip::Endpoint::fromIp(a.address, 1), eb = sip::Endpoint::fromIp(b.address, 1);
  if (!ea || !eb || ea->v6 != eb->v6) return false;
  return isWildcard(a.address) || isWildcard(b.address) || ea->addr == eb->addr;
}

class Reader {
 public:
  Reader(const YAML::Node& doc, const std::string& file, config::Errors& errs, GatewayConfig& c)
      : doc_(doc), c_(c), root_(doc, file, errs) {}

  void read() {
    if (!root_.isMap()) {
      root_.error("the document must be a map (key: value lines)");
      return;
    }
    root_.allowOnly(
        {"node", "sip", "isup", "trunks", "routes", "profiles", "call", "metrics", "log"});
    c_.node = *root_.string("node", "siptgw");
    if (c_.node.empty() || c_.node.find_first_of(" \t/\"") != std::string::npos)
      root_.error("a node name without spaces, '/' or quotes is needed", "node");
    readSip(root_.child("sip", true));
    readIsup(root_.child("isup", true));
    readTrunks(root_.child("trunks", true));
    readSimulatorAndM3ua(root_.child("isup"));
    readRoutes(root_.child("routes"));
    readProfiles(root_.child("profiles"));
    readCall(root_.child("call"));
    readMetrics(root_.child("metrics"));
    Node log = root_.child("log");
    log.allowOnly({"level"});
    const std::string lvl =
        *log.choice("level", {"trace", "debug", "info", "warn", "error"}, "info");
    for (LogLevel l :
         {LogLevel::Trace, LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error})
      if (logLevelName(l) == lvl) c_.logLevel = l;
  }

 private:
  // The YAML node at `path`, for the readers that iterate keys. yaml-cpp's Node::operator=
  // writes through to the referenced node, so walk with reset() and const lookups only.
  YAML::Node raw(std::initializer_list<std::string_view> path) const {
    YAML::Node n(doc_);
    for (std::string_view k : path) {
      if (!n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
      const YAML::Node& cn = n;
      n.reset(cn[std::string(k)]);
    }
    return n;
  }

  void readSip(Node s) {
    s.allowOnly({"listen", "tls", "timers", "session_timer", "100rel", "host", "peers",
                 "udp_coalesce_us", "udp_receive_buffer_bytes"});
    c_.sip.udpCoalesceUs = static_cast<uint32_t>(*s.integer("udp_coalesce_us", 0, 20000, 0));
    c_.sip.udpReceiveBufferBytes =
        static_cast<uint32_t>(*s.integer("udp_receive_buffer_bytes", 0, 1 << 30, 0));
    Node listen = s.child("listen", true);
    if (s.has("listen") && (!listen.isSequence() || listen.size() == 0))
      listen.error("a list of {transport, address, port} is needed here");
    bool anyTls = false;
    for (std::size_t i = 0; i < listen.size(); ++i) {
      Node l = listen.at(i);
      l.allowOnly({"transport", "address", "port"});
      SipListenConfig lc;
      lc.transport = transportFrom(*l.choice("transport", {"udp", "tcp", "tls"}, "udp"));
      lc.address = *ipLiteral(l, "address", "127.0.0.1");
      lc.port = static_cast<uint16_t>(*l.integer("port", 1, 65535, sip::defaultPort(lc.transport)));
      anyTls = anyTls || lc.transport == sip::TransportType::Tls;
      for (const auto& other : c_.sip.listen)
        if (socketsClash(other, lc))
          l.error("clashes with another listener (" + std::string(sip::toString(other.transport)) +
                      " " + other.address + ":" + std::to_string(other.port) + ")",
                  "port");
      c_.sip.listen.push_back(std::move(lc));
    }

    Node tls = s.child("tls");
    tls.allowOnly({"cert", "key", "ca", "verify_peer"});
    c_.sip.tls.certFile = *tls.string("cert", "");
    c_.sip.tls.keyFile = *tls.string("key", "");
    c_.sip.tls.caFile = *tls.string("ca", "");
    c_.sip.tls.verifyPeer = *tls.boolean("verify_peer", true);
    if (anyTls && (c_.sip.tls.certFile.empty() || c_.sip.tls.keyFile.empty()))
      s.error("a tls listener needs sip.tls.cert and sip.tls.key", s.has("tls") ? "tls" : "listen");

    auto& t = c_.sip.timers;
    auto timer = [](Node& n, std::string_view key, sip::TimerName name, uint32_t def) {
      const sip::TimerDef& d = sip::timerDef(name);
      return static_cast<uint32_t>(*n.integer(key, d.min, d.max, def));
    };
    Node timers = s.child("timers");
    timers.allowOnly({"T1", "T2", "T4"});
    t.t1 = timer(timers, "T1", sip::TimerName::T1, t.t1);
    t.t2 = timer(timers, "T2", sip::TimerName::T2, t.t2);
    t.t4 = timer(timers, "T4", sip::TimerName::T4, t.t4);
    Node st = s.child("session_timer");
    st.allowOnly({"enabled", "expires", "min_se", "refresh_alone"});
    c_.sip.sessionTimerEnabled = st.boolean("enabled", true).value_or(true);
    c_.sip.sessionTimerRefreshAlone = st.boolean("refresh_alone", true).value_or(true);
    t.sessionExpires = timer(st, "expires", sip::TimerName::SessionExpires, t.sessionExpires);
    t.minSE = timer(st, "min_se", sip::TimerName::MinSE, t.minSE);
    if (auto v = sip::validate(t); !v) {
      const sip::TimerName n = v.error().timer;
      if (n == sip::TimerName::MinSE || n == sip::TimerName::SessionExpires)
        st.error(v.error().message, n == sip::TimerName::MinSE ? "min_se" : "expires");
      else
        timers.error(v.error().message, n == sip::TimerName::T2   ? "T2"
                                        : n == sip::TimerName::T4 ? "T4"
                                                                  : "T1");
    }

    const std::string rel = *s.choice("100rel", {"disabled", "supported", "required"}, "supported");
    c_.sip.rel100 = rel == "disabled"   ? Rel100Mode::Disabled
                    : rel == "required" ? Rel100Mode::Required
                                        : Rel100Mode::Supported;

    if (s.has("host")) {
      c_.sip.host = *s.string("host", "");
      if (c_.sip.host.empty() || c_.sip.host.find_first_of(" \t<>;@\"") != std::string::npos)
        s.error("'" + c_.sip.host + "' is not a host name or address", "host");
    } else if (!c_.sip.listen.empty()) {
      c_.sip.host = c_.sip.listen.front().address;
      if (isWildcard(c_.sip.host))
        listen.at(0).error("a wildcard address: set sip.host, the host of the URIs we build",
                           "address");
    }

    Node peers = s.child("peers");
    if (s.has("peers") && !peers.isSequence()) peers.error("a list of SIP peers is needed here");
    for (std::size_t i = 0; i < peers.size(); ++i) {
      Node p = peers.at(i);
      p.allowOnly({"name", "address", "port", "transport", "trusted", "profile"});
      SipPeerConfig pc;
      pc.name = *p.string("name");
      for (const auto& other : c_.sip.peers)
        if (other.name == pc.name) p.error("duplicate peer name '" + pc.name + "'", "name");
      pc.address = ipLiteral(p, "address", std::nullopt).value_or("");
      pc.transport = transportFrom(*p.choice("transport", {"udp", "tcp", "tls"}, "udp"));
      pc.port = static_cast<uint16_t>(*p.integer("port", 1, 65535, sip::defaultPort(pc.transport)));
      pc.trusted = *p.boolean("trusted", false);
      pc.profile = *profileName(p);
      c_.sip.peers.push_back(std::move(pc));
    }
  }

  void readIsup(Node n) {
    n.allowOnly({"variant", "point_code", "network_indicator", "timers", "link", "m3ua",
                 "simulator", "pcap"});
    auto& st = c_.isup.stack;
    st.variant = *n.choice("variant", {"itu", "ansi"}, "itu") == "ansi" ? isup::Variant::Ansi
                                                                        : isup::Variant::Itu;
    st.opc = readPointCode(n, "point_code", st.variant, true).value_or(0);
    st.network_indicator = static_cast<uint8_t>(*n.integer("network_indicator", 0, 3, 2));
    if (n.has("timers")) readIsupTimers(n.child("timers"), raw({"isup", "timers"}), st.timers);
    c_.isup.link = *n.choice("link", {"simulator", "m3ua"}, "simulator") == "m3ua"
                       ? IsupLinkKind::M3ua
                       : IsupLinkKind::Simulator;
    c_.isup.pcap = *n.string("pcap", "");
  }

  void readTrunks(Node list) {
    if (root_.has("trunks") && (!list.isSequence() || list.size() == 0))
      list.error("a list of trunks is needed here");
    const isup::Variant v = c_.isup.stack.variant;
    for (std::size_t i = 0; i < list.size(); ++i) {
      Node t = list.at(i);
      t.allowOnly({"name", "dpc", "cics", "direction", "selection", "profile", "media"});
      TrunkConfig tc;
      if (!t.has("name")) t.error("missing required key 'name'");
      tc.group = readCircuitGroupFields(t, v, "trunk" + std::to_string(i));
      for (const auto& other : c_.trunks)
        if (other.name() == tc.name()) t.error("duplicate trunk name '" + tc.name() + "'", "name");
      checkCicOverlap(t, tc);
      tc.profile = *profileName(t);
      readMedia(t.child("media"), tc);
      c_.trunks.push_back(std::move(tc));
    }
  }

  // Two trunks (or two ranges of one) towards the same DPC must not share a CIC: the CIC
  // names the circuit between the two exchanges (Q.763 §1.2).
  void checkCicOverlap(Node& t, const TrunkConfig& tc) {
    const auto& mine = tc.group.cics;
    for (std::size_t a = 0; a < mine.size(); ++a) {
      for (std::size_t b = 0; b < a; ++b)
        if (mine[a].first <= mine[b].last && mine[b].first <= mine[a].last)
          t.child("cics").at(a).error("CICs " + std::to_string(mine[a].first) + ".." +
                                      std::to_string(mine[a].last) +
                                      " overlap another range of this trunk");
      for (const auto& other : c_.trunks) {
        if (other.group.dpc != tc.group.dpc) continue;
        for (const auto& r : other.group.cics)
          if (mine[a].first <= r.last && r.first <= mine[a].last)
            t.child("cics").at(a).error("CICs " + std::to_string(mine[a].first) + ".." +
                                        std::to_string(mine[a].last) + " overlap trunk '" +
                                        other.name() + "' (same DPC)");
      }
    }
  }

  void readMedia(Node m, TrunkConfig& tc) {
    m.allowOnly({"address", "rtp_port_base", "rtp_port_step", "codecs"});
    auto& md = tc.media;
    md.address = *ipLiteral(m, "address", "127.0.0.1");
    md.rtpPortBase = static_cast<uint16_t>(*m.integer("rtp_port_base", 1024, 65534, 20000));
    md.rtpPortStep = static_cast<uint16_t>(*m.integer("rtp_port_step", 2, 1000, 2));
    if (md.rtpPortBase % 2 != 0) m.error("RTP ports are even (RFC 3550 §11)", "rtp_port_base");
    if (md.rtpPortStep % 2 != 0)
      m.error("the step keeps RTP ports even: an even number is needed", "rtp_port_step");
    if (!tc.group.cics.empty()) {
      uint16_t lo = tc.group.cics.front().first, hi = tc.group.cics.front().last;
      for (const auto& r : tc.group.cics) {
        lo = std::min(lo, r.first);
        hi = std::max(hi, r.last);
      }
      md.firstCic = lo;
      const int64_t top =
          int64_t{md.rtpPortBase} + int64_t{hi - lo} * md.rtpPortStep + 1;  // + RTCP
      if (top > 65535)
        m.error("CIC " + std::to_string(hi) + " would need port " + std::to_string(top) +
                    " (above 65535)",
                m.has("rtp_port_base") ? "rtp_port_base" : "");
    }
    if (m.has("codecs")) {
      md.codecs.clear();
      Node cs = m.child("codecs");
      if (!cs.isSequence() || cs.size() == 0)
        cs.error("a list of codecs (PCMA, PCMU, clearmode) is needed here");
      for (std::size_t k = 0; k < cs.size(); ++k) {
        Node e = cs.at(k);
        auto s = e.asString();
        if (!s) continue;
        const std::string l = lower(*s);
        std::optional<Codec> codec;
        for (Codec c : {Codec::Pcma, Codec::Pcmu, Codec::Clearmode})
          if (lower(codecName(c)) == l) codec = c;
        if (!codec) {
          e.error("'" + *s + "' is not one of: PCMA, PCMU, clearmode");
        } else if (std::find(md.codecs.begin(), md.codecs.end(), *codec) != md.codecs.end()) {
          e.error("codec " + std::string(codecName(*codec)) + " listed twice");
        } else {
          md.codecs.push_back(*codec);
        }
      }
    }
  }

  void readSimulatorAndM3ua(Node n) {
    auto& st = c_.isup.stack;
    const bool m3ua = c_.isup.link == IsupLinkKind::M3ua;
    // Checked whenever present, so switching `link` later brings no surprise.
    if (m3ua || n.has("m3ua")) {
      auto& m3 = c_.isup.m3ua;
      m3.variant = st.variant;
      m3.local_pc = st.opc;
      m3.network_indicator = st.network_indicator;
      readM3uaSection(n.child("m3ua", true), c_.node, m3);
      for (const auto& t : c_.trunks)
        if (std::none_of(m3.routes.begin(), m3.routes.end(),
                         [&](const auto& r) { return r.dpc == t.group.dpc; }))
          m3.routes.push_back({t.group.dpc, 0});
    }
    if (m3ua) return;
    Node s = n.child("simulator");
    s.allowOnly({"point_code", "terminating", "originating"});
    auto& sim = c_.isup.simulator;
    if (s.has("point_code")) {
      sim.pointCode = readPointCode(s, "point_code", st.variant, true).value_or(0);
    } else if (!c_.trunks.empty()) {
      sim.pointCode = c_.trunks.front().group.dpc;
    }
    if (sim.pointCode == st.opc && n.has("point_code")) {
      Node& where = s.has("point_code") ? s : n;
      where.error("the simulator needs a point code of its own (not isup.point_code)",
                  "point_code");
    }
    // The in-process link joins exactly two signalling points.
    const std::string simPc = isup::m3ua::formatPc(sim.pointCode, st.variant);
    Node trunks = root_.child("trunks");
    for (std::size_t i = 0; i < c_.trunks.size(); ++i)
      if (c_.trunks[i].group.dpc != sim.pointCode)
        trunks.at(i).error(
            "with link: simulator every trunk's DPC is the simulator's point code " + simPc, "dpc");
    Node term = s.child("terminating");
    if (s.has("terminating") && !term.isSequence())
      term.error("a list of terminating rules is needed here");
    for (std::size_t i = 0; i < term.size(); ++i)
      readTerminatingRule(term.at(i), sim.rules, sim.incomingOverlap);
    Node orig = s.child("originating");
    if (s.has("originating") && !orig.isSequence())
      orig.error("a list of originating plans is needed here");
    const auto groups = simulatorGroups(c_);
    for (std::size_t i = 0; i < orig.size(); ++i)
      readOriginatingPlan(orig.at(i), groups, sim.plans);
  }

  void readRoutes(Node list) {
    if (root_.has("routes") && !list.isSequence()) list.error("a list of routes is needed here");
    for (std::size_t i = 0; i < list.size(); ++i) {
      Node r = list.at(i);
      r.allowOnly({"prefix", "from", "trunk", "sip_peer", "strip", "prepend", "noa"});
      RouteConfig rc;
      rc.line = r.line();
      rc.prefix = *r.string("prefix", "");
      if (!isDialString(rc.prefix))
        r.error("'" + rc.prefix + "' is not a digit string (0-9 * #)", "prefix");
      const std::string from = *r.choice("from", {"any", "sip", "isup"}, "any");
      rc.from = from == "sip"    ? RouteSource::Sip
                : from == "isup" ? RouteSource::Isup
                                 : RouteSource::Any;
      const bool toTrunk = r.has("trunk"), toPeer = r.has("sip_peer");
      if (toTrunk == toPeer) {
        r.error(toTrunk ? "give trunk or sip_peer, not both"
                        : "missing the target: 'trunk: NAME' or 'sip_peer: NAME'",
                toTrunk ? "sip_peer" : "");
      } else if (toTrunk) {
        rc.targetKind = RouteTargetKind::Trunk;
        rc.target = *r.string("trunk", "");
        if (!c_.findTrunk(rc.target)) r.error("no trunk named '" + rc.target + "'", "trunk");
      } else {
        rc.targetKind = RouteTargetKind::SipPeer;
        rc.target = *r.string("sip_peer", "");
        if (!c_.findPeer(rc.target)) r.error("no SIP peer named '" + rc.target + "'", "sip_peer");
      }
      rc.strip = static_cast<uint8_t>(*r.integer("strip", 0, 32, 0));
      rc.prepend = *r.string("prepend", "");
      if (!isDialString(rc.prepend))
        r.error("'" + rc.prepend + "' is not a digit string (0-9 * #)", "prepend");
      if (rc.prepend.size() > 32) r.error("at most 32 digits", "prepend");
      if (r.has("noa")) {
        const std::string noa =
            *r.choice("noa", {"subscriber", "national", "international", "unknown"}, "unknown");
        for (auto k : {NatureOfAddress::Subscriber, NatureOfAddress::Unknown,
                       NatureOfAddress::National, NatureOfAddress::International})
          if (natureOfAddressName(k) == noa) rc.noa = k;
      }
      for (const auto& other : c_.routes)
        if (other.prefix == rc.prefix && other.from == rc.from)
          r.error("duplicate route for prefix '" + rc.prefix + "' (first at line " +
                      std::to_string(other.line) + ")",
                  "prefix");
      c_.routes.push_back(std::move(rc));
    }
  }

  void readProfiles(Node p) {
    if (!root_.has("profiles")) return;
    if (!p.isMap()) {
      p.error("a map of profile name: overrides is needed here");
      return;
    }
    const YAML::Node rawProfiles = raw({"profiles"});
    for (auto it = rawProfiles.begin(); it != rawProfiles.end(); ++it) {
      const std::string name = it->first.as<std::string>("");
      if (!isKnownProfile(name)) {
        p.error("unknown profile (known: " + profileList() + ")", name);
        continue;
      }
      Node o = p.child(name);
      o.allowOnly({"cause_to_status", "status_to_cause", "country_code", "area_code", "national_prefix",
                   "international_prefix"});
      ProfileOverrides& ov = c_.profiles[name];
      auto digits = [&o](std::string_view key, std::size_t maxLen) -> std::optional<std::string> {
        if (!o.has(key)) return std::nullopt;
        std::optional<std::string> v = o.string(key);
        if (!v) return std::nullopt;
        const bool ok = v->size() <= maxLen &&
                        v->find_first_not_of("0123456789") == std::string::npos;
        if (!ok) {
          o.error("digits only, at most " + std::to_string(maxLen), key);
          return std::nullopt;
        }
        return v;
      };
      ov.countryCode = digits("country_code", 3);
      if (ov.countryCode && ov.countryCode->empty()) o.error("1 to 3 digits", "country_code");
      ov.areaCode = digits("area_code", 8);
      ov.nationalPrefix = digits("national_prefix", 4);
      ov.internationalPrefix = digits("international_prefix", 4);
      if (o.has("cause_to_status"))
        for (auto [cause, status] :
             readIntMap(o.child("cause_to_status"), raw({"profiles", name, "cause_to_status"}), 1,
                        127, 400, 699, "Q.850 cause"))
          ov.causeToStatus[static_cast<uint8_t>(cause)] = static_cast<uint16_t>(status);
      if (o.has("status_to_cause"))
        for (auto [status, cause] :
             readIntMap(o.child("status_to_cause"), raw({"profiles", name, "status_to_cause"}), 400,
                        699, 1, 127, "SIP status"))
          ov.statusToCause[static_cast<uint16_t>(status)] = static_cast<uint8_t>(cause);
    }
  }

  void readCall(Node n) {
    n.allowOnly({"t11_ms", "sip_no_answer_ms"});
    c_.call.t11Ms = static_cast<uint32_t>(*n.integer("t11_ms", 15000, 20000, 15000));
    c_.call.sipNoAnswerMs =
        static_cast<uint32_t>(*n.integer("sip_no_answer_ms", 0, kMaxMs, 120000));
  }

  void readMetrics(Node n) {
    n.allowOnly({"enabled", "address", "port"});
    auto& m = c_.metrics;
    m.enabled = *n.boolean("enabled", true);
    m.address = *ipLiteral(n, "address", "127.0.0.1");
    m.port = static_cast<uint16_t>(*n.integer("port", 1, 65535, 9464));
    if (!m.enabled) return;
    // The exporter is a TCP socket too.
    const SipListenConfig asSocket{sip::TransportType::Tcp, m.address, m.port};
    for (const auto& l : c_.sip.listen)
      if (socketsClash(l, asSocket))
        n.error("clashes with the SIP " + std::string(sip::toString(l.transport)) + " listener " +
                    l.address + ":" + std::to_string(l.port),
                "port");
  }

  YAML::Node doc_;
  GatewayConfig& c_;
  Node root_;
};

}  // namespace

isup::StackConfig simulatorStackConfig(const GatewayConfig& c) {
  isup::StackConfig s;
  s.variant = c.isup.stack.variant;
  s.opc = c.isup.simulator.pointCode;
  s.network_indicator = c.isup.stack.network_indicator;
  // The gateway resets the circuits on start; two resets crossing would only add noise.
  s.reset_on_start = false;
  s.reset_on_resume = false;
  s.incoming_overlap = c.isup.simulator.incomingOverlap;
  return s;
}

std::vector<isup::CircuitGroupConfig> simulatorGroups(const GatewayConfig& c) {
  std::vector<isup::CircuitGroupConfig> out;
  for (const auto& t : c.trunks) {
    isup::CircuitGroupConfig g = t.group;
    g.dpc = c.isup.stack.opc;
    g.direction = t.group.direction == isup::GroupDirection::IncomingOnly
                      ? isup::GroupDirection::OutgoingOnly
                  : t.group.direction == isup::GroupDirection::OutgoingOnly
                      ? isup::GroupDirection::IncomingOnly
                      : isup::GroupDirection::BothWay;
    out.push_back(std::move(g));
  }
  return out;
}

std::string GatewayConfig::summary() const {
  std::string s = "node " + node + ": SIP";
  for (std::size_t i = 0; i < sip.listen.size(); ++i) {
    const auto& l = sip.listen[i];
    const bool v6 = l.address.find(':') != std::string::npos;
    s += std::string(i ? ", " : " ") + lower(sip::toString(l.transport)) + " " + (v6 ? "[" : "") +
         l.address + (v6 ? "]" : "") + ":" + std::to_string(l.port);
  }
  std::size_t circuits = 0;
  for (const auto& t : trunks)
    for (const auto& r : t.group.cics) circuits += static_cast<std::size_t>(r.last - r.first) + 1;
  s += "; ISUP " + std::string(isup::variantName(isup.stack.variant)) + " " +
       isup::m3ua::formatPc(isup.stack.opc, isup.stack.variant) + " over " +
       std::string(isupLinkKindName(isup.link));
  s += "; " + std::to_string(trunks.size()) + " trunk" + (trunks.size() == 1 ? "" : "s") + " (" +
       std::to_string(circuits) + " circuits), " + std::to_string(sip.peers.size()) + " SIP peer" +
       (sip.peers.size() == 1 ? "" : "s") + ", " + std::to_string(routes.size()) + " route" +
       (routes.size() == 1 ? "" : "s");
  s += metrics.enabled ? "; metrics " + metrics.address + ":" + std::to_string(metrics.port)
                       : "; metrics off";
  return s;
}

Result<GatewayConfig, config::Errors> parseGatewayConfig(std::string_view yamlText,
                                                         const std::string& fileName) {
  config::Errors errs;
  auto doc = config::parseYaml(yamlText, fileName);
  if (!doc) {
    errs.add(doc.error());
    return Unexpected{std::move(errs)};
  }
  GatewayConfig c;
  c.file = fileName;
  Reader(*doc, fileName, errs, c).read();
  if (errs.empty() && c.isup.link == IsupLinkKind::M3ua) {
    auto plan = isup::m3ua::buildPlan(c.isup.m3ua);
    if (!plan) {
      Node root(*doc, fileName, errs);
      Node m3 = root.child("isup").child("m3ua");
      for (const auto& e : plan.error()) m3.error(e);
    }
  }
  if (!errs.empty()) return Unexpected{std::move(errs)};
  return c;
}

Result<GatewayConfig, config::Errors> loadGatewayConfig(const std::string& path) {
  auto text = readConfigFile(path);
  if (!text) return Unexpected{text.error()};
  return parseGatewayConfig(*text, path);
}

Result<GatewayConfig, config::Errors> loadDemoConfig() {
  return parseGatewayConfig(kDemoConfig, std::string(kDemoConfigName));
}

int checkConfigCommand(const std::string& file, std::ostream& out, std::ostream& err) {
  auto cfg = file.empty() ? loadDemoConfig() : loadGatewayConfig(file);
  if (!cfg) {
    err << cfg.error().describe();
    return 1;
  }
  out << (file.empty() ? std::string(kDemoConfigName) : file) << ": OK: " << cfg->summary() << "\n";
  return 0;
}

}  // namespace siptgw::gateway
