// The gateway's configuration (`siptgw run -c FILE`, `siptgw check-config FILE`;
// docs/configuration.md documents every key, default and range). One YAML document with the
// sections node / sip / isup / trunks / routes / profiles / call / metrics / log.
//
// Reading goes through config/yaml_reader (file:line: key.path errors, unknown keys
// reported) and the ISUP sections reuse the exchange simulator's parsers
// (gateway/exchange_sim_config.h: point codes, circuit groups, Q.764 timers, M3UA,
// terminating rules, originating plans). Validation reports every error of the file at
// once: ranges, unknown keys, references (route → trunk / SIP peer, profile names),
// duplicate names, overlapping CIC ranges of one DPC, clashing SIP listen sockets.
//
// config/demo.yaml is compiled into the binary (kDemoConfig) and is what `siptgw run`
// uses without -c: SIP on 127.0.0.1:5060, the ISUP side on the in-process exchange
// simulator, metrics on 127.0.0.1:9464.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "config/yaml_reader.h"
#include "gateway/exchange_sim_config.h"
#include "isup/circuit.h"
#include "isup/exchange_sim.h"
#include "isup/isup_stack.h"
#include "isup/m3ua/m3ua_config.h"
#include "sip/timers.h"
#include "sip/transport_types.h"

namespace siptgw::gateway {

// The text of config/demo.yaml, embedded at build time (gateway/CMakeLists.txt).
extern const std::string_view kDemoConfig;
inline constexpr std::string_view kDemoConfigName = "<embedded demo.yaml>";

// ---- SIP ---------------------------------------------------------------------------------

// RFC 3262 reliable provisional responses: off, offered (Supported: 100rel), or demanded
// (Require: 100rel; a UAC without it gets 421).
enum class Rel100Mode : uint8_t { Disabled, Supported, Required };
std::string_view rel100ModeName(Rel100Mode m);

// One listening socket. `address` is an IPv4 or IPv6 literal ("0.0.0.0" / "::" = any).
struct SipListenConfig {
  sip::TransportType transport = sip::TransportType::Udp;
  std::string address = "127.0.0.1";
  uint16_t port = 5060;  // default: sip::defaultPort(transport)
};

// For `tls` listeners and TLS peers.
struct SipTlsConfig {
  std::string certFile;  // PEM; required when a tls listener exists
  std::string keyFile;
  std::string caFile;  // "" → system store
  bool verifyPeer = true;
};

// A SIP next hop / neighbour (softswitch, SBC, test UAS).
struct SipPeerConfig {
  std::string name;
  std::string address;  // IP literal
  uint16_t port = 5060;
  sip::TransportType transport = sip::TransportType::Udp;
  // RFC 3325 §2.3: a node of our trust domain — P-Asserted-Identity from it is believed and
  // sent to it; towards untrusted peers it is removed (and privacy applied).
  bool trusted = false;
  std::string profile = "rfc3398";  // interworking profile (see kProfileNames)
};

struct SipConfig {
  std::vector<SipListenConfig> listen;  // at least one
  SipTlsConfig tls;
  // t1/t2/t4 (RFC 3261 §17, ms) and sessionExpires/minSE (RFC 4028, s); checked with
  // sip::validate().
  sip::TimerConfig timers;
  Rel100Mode rel100 = Rel100Mode::Supported;
  // RFC 4028 session timers (Supported: timer; refresh or BYE on expiry): a dead SIP peer
  // otherwise holds its circuit until someone notices.
  bool sessionTimerEnabled = true;
  // RFC 4028 §7.2: a peer whose 2xx has no Session-Expires still gets our refreshes
  // (sip::SessionTimerConfig::refreshAlone), so a vanished one releases its circuit.
  bool sessionTimerRefreshAlone = true;
  // The host part of URIs we build (Contact, From of ISUP-originated calls, Via sent-by).
  // Default: the first listen address (an "any" address is an error then).
  std::string host;
  // sip::TransportConfig::udpCoalesceUs: 0 reads each UDP arrival at once; else, under
  // load, the UDP sockets are read every this many µs (fewer wake-ups, that much latency).
  uint32_t udpCoalesceUs = 0;
  // sip::TransportConfig::udpReceiveBufferBytes: 0 keeps the kernel's default.
  uint32_t udpReceiveBufferBytes = 0;
  std::vector<SipPeerConfig> peers;
};

// ---- ISUP --------------------------------------------------------------------------------

enum class IsupLinkKind : uint8_t {
  Simulator,  // in-process far-end exchange (isup/exchange_sim.h over InProcessLink)
  M3ua,       // a real SG/STP over M3UA (isup/m3ua)
};
std::string_view isupLinkKindName(IsupLinkKind k);

// The in-process far-end exchange, for `link: simulator`. Its circuit groups mirror the
// trunks (same CICs, direction swapped, DPC = our point code); every trunk's DPC must be
// the simulator's point code. `plans[i].group_name` names a trunk.
struct SimulatorConfig {
  uint32_t pointCode = 0;
  std::vector<isup::TerminatingRule> rules;  // calls we send it, by called-number prefix
  std::vector<OriginatingPlanConfig> plans;  // calls it sends us (empty: quiet)
  bool incomingOverlap = false;              // a rule has overlap_digits
};

struct IsupConfig {
  // variant (itu|ansi), own point code (opc), network indicator, Q.764 timers (by name,
  // Table A.1 ranges). reset_on_start/reset_on_resume as the stack defaults them.
  isup::StackConfig stack;
  IsupLinkKind link = IsupLinkKind::Simulator;
  // link == M3ua only: the association, AS and routing context. local_pc / NI / variant
  // copied from `stack`; one route per distinct trunk DPC added when not configured.
  isup::m3ua::M3uaConfig m3ua;
  SimulatorConfig simulator;  // link == Simulator only
  std::string pcap;           // MTP3 trace file (pcap link type 141); "" = none
};

// ---- Trunks ------------------------------------------------------------------------------

enum class Codec : uint8_t { Pcma, Pcmu, Clearmode };
std::string_view codecName(Codec c);  // "PCMA", "PCMU", "clearmode"

// Where the bearer of each circuit terminates on the media gateway: circuit `cic` uses
// RTP port base + (cic - firstCic) * step, with firstCic the trunk's lowest CIC.
struct TrunkMediaConfig {
  std::string address = "127.0.0.1";                    // media gateway IP literal (SDP c=)
  uint16_t rtpPortBase = 20000;                         // even
  uint16_t rtpPortStep = 2;                             // even, ≥ 2 (RTP + RTCP)
  uint16_t firstCic = 0;                                // filled from the trunk's CIC ranges
  std::vector<Codec> codecs{Codec::Pcma, Codec::Pcmu};  // SDP order = preference
  uint16_t rtpPort(uint16_t cic) const {
    return static_cast<uint16_t>(rtpPortBase + (cic - firstCic) * rtpPortStep);
  }
};

// A circuit group towards one DPC plus how its calls interwork.
struct TrunkConfig {
  // name, dpc, CIC ranges, direction (both|incoming|outgoing), selection
  // (sequential|round_robin|dual_seizure) — read by readCircuitGroupFields().
  isup::CircuitGroupConfig group;
  std::string profile = "rfc3398";
  TrunkMediaConfig media;
  const std::string& name() const { return group.name; }
};

// ---- Routes ------------------------------------------------------------------------------

// Q.763 §3.9 nature of address indicator values a route can set.
enum class NatureOfAddress : uint8_t {
  Subscriber = 1,
  Unknown = 2,
  National = 3,
  International = 4
};
std::string_view natureOfAddressName(NatureOfAddress n);

enum class RouteTargetKind : uint8_t { Trunk, SipPeer };

// Which side a call must have come from for a route to apply.
enum class RouteSource : uint8_t { Any, Sip, Isup };

struct RouteConfig {
  std::string prefix;  // called-number digits (0-9 * #); "" matches every number
  RouteSource from = RouteSource::Any;
  RouteTargetKind targetKind = RouteTargetKind::Trunk;
  std::string target;  // trunk or SIP peer name (checked to exist)
  // Normalisation of the called number, in this order: strip, then prepend; then NOA.
  uint8_t strip = 0;                   // leading digits removed (0..32)
  std::string prepend;                 // digits put in front
  std::optional<NatureOfAddress> noa;  // absent: keep what the call had
  int line = 0;                        // where the route is in the file (logs)
};

// ---- Profiles ----------------------------------------------------------------------------

// The interworking profiles the mapping library implements.
inline constexpr std::string_view kProfileNames[] = {"rfc3398", "3gpp-29163", "q1912.5"};
bool isKnownProfile(std::string_view name);

// Operator overrides of one profile's tables (the lead converts them to mapping::Overrides).
struct ProfileOverrides {
  std::map<uint8_t, uint16_t> causeToStatus;  // Q.850 cause (1..127) → SIP status (400..699)
  std::map<uint16_t, uint8_t> statusToCause;  // SIP status (400..699) → Q.850 cause (1..127)
  // Number rules (RFC 3398 §12.1: national numbers become global "+CC…" numbers; §7.2.1.1:
  // how unprefixed dialled digits are read). Digits only; absent: the profile's own.
  std::optional<std::string> countryCode;          // 1..3 digits (E.164 country code)
  std::optional<std::string> areaCode;             // prefixed to subscriber numbers
  std::optional<std::string> nationalPrefix;       // trunk prefix, e.g. "0"
  std::optional<std::string> internationalPrefix;  // e.g. "00"
};

// ---- Call, metrics, log ------------------------------------------------------------------

struct CallTimersConfig {
  // Q.764 T11 (Table A.1: 15..20 s), run by the interworking exchange: an ISUP→SIP call
  // with no SIP provisional response within T11 gets an ACM ("no indication") towards ISUP.
  uint32_t t11Ms = 15000;
  // An ISUP→SIP call not answered within this long is released (cause 19, no answer);
  // 0 = no limit (the ISUP side's own T9 still applies).
  uint32_t sipNoAnswerMs = 120000;
};

struct MetricsConfig {
  bool enabled = true;
  std::string address = "127.0.0.1";
  uint16_t port = 9464;  // Prometheus text exposition at http://address:port/metrics
};

enum class LogLevel : uint8_t { Trace, Debug, Info, Warn, Error };
std::string_view logLevelName(LogLevel l);

// ---- The whole ---------------------------------------------------------------------------

struct GatewayConfig {
  std::string file;             // where it was read from (kDemoConfigName for the demo)
  std::string node = "siptgw";  // node name (logs, User-Agent, M3UA ASP/AS names)
  SipConfig sip;
  IsupConfig isup;
  std::vector<TrunkConfig> trunks;                   // at least one
  std::vector<RouteConfig> routes;                   // file order (the router does longest prefix)
  std::map<std::string, ProfileOverrides> profiles;  // key: a kProfileNames entry
  CallTimersConfig call;
  MetricsConfig metrics;
  LogLevel logLevel = LogLevel::Info;

  const TrunkConfig* findTrunk(std::string_view name) const;
  const SipPeerConfig* findPeer(std::string_view name) const;
  // A one-line summary: "node siptgw: 2 SIP listeners, 2 trunks (64 circuits), 8 routes, ..."
  std::string summary() const;
};

// The in-process far-end exchange's stack and circuit groups for `link: simulator`: its
// point code and our own swapped, the trunks' CICs with the direction reversed.
isup::StackConfig simulatorStackConfig(const GatewayConfig& c);
std::vector<isup::CircuitGroupConfig> simulatorGroups(const GatewayConfig& c);

// Parses and validates a document; every error names file:line: key.path.
Result<GatewayConfig, config::Errors> parseGatewayConfig(std::string_view yamlText,
                                                         const std::string& fileName);
Result<GatewayConfig, config::Errors> loadGatewayConfig(const std::string& path);
// The embedded config/demo.yaml, parsed.
Result<GatewayConfig, config::Errors> loadDemoConfig();

// `siptgw check-config [FILE]` (FILE absent: the embedded demo): exit 0 and the summary
// line on `out`, or exit 1 and every error on `err`, one per line, file:line: key.path: message.
int checkConfigCommand(const std::string& file, std::ostream& out, std::ostream& err);

}  // namespace siptgw::gateway
