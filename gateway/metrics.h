// Every metric the gateway exports, declared in this one place (Prometheus text exposition
// via prometheus-cpp; docs/configuration.md "metrics" lists them).
//
// Labels are bounded by construction: trunks come from the configuration, ISUP message
// types are acronyms of the variant's Q.763 / T1.113 table (else "unknown"), SIP methods a
// fixed set (else "other"), SIP responses their class, causes their Q.850 class — never a
// number, a URI or a Call-ID. The hot-path recorders index arrays of children created at
// startup: no label map is looked up per event. Counters and gauges are atomics, so any
// thread may record.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/result.h"
#include "isup/circuit.h"
#include "isup/types.h"

namespace prometheus {
class Counter;
class Exposer;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace siptgw::sip {
class TransportLayer;
class UserAgent;
struct TransportStats;
}  // namespace siptgw::sip

namespace siptgw::gateway {

struct GatewayConfig;

// Which way a call goes through the gateway ("direction" label of call metrics).
enum class CallDirection : uint8_t { SipToIsup, IsupToSip };
inline constexpr std::size_t kCallDirections = 2;
std::string_view callDirectionLabel(CallDirection d);  // "sip_to_isup", "isup_to_sip"

// Which way a message went on its interface ("direction" label of message metrics).
enum class MsgDirection : uint8_t { In, Out };
std::string_view msgDirectionLabel(MsgDirection d);  // "in", "out"

// Q.850 §2.2.5 cause classes (the cause value's high three bits).
enum class CauseClass : uint8_t {
  Normal,               // 0-31 (two classes: normal event)
  ResourceUnavailable,  // 32-47
  ServiceUnavailable,   // 48-63 service or option not available
  NotImplemented,       // 64-79
  InvalidMessage,       // 80-95
  ProtocolError,        // 96-111
  Interworking,         // 112-127
};
inline constexpr std::size_t kCauseClasses = 7;
CauseClass causeClassOf(uint8_t cause);
std::string_view causeClassLabel(CauseClass c);

// SIP methods counted by name; anything else is "other".
enum class SipMethodLabel : uint8_t {
  Invite,
  Ack,
  Bye,
  Cancel,
  Options,
  Prack,
  Update,
  Info,
  Register,
  Subscribe,
  Notify,
  Refer,
  Message,
  Other
};
inline constexpr std::size_t kSipMethodLabels = 14;
SipMethodLabel sipMethodLabelOf(std::string_view method);  // exact, case-sensitive (RFC 3261 §7.1)
std::string_view sipMethodLabel(SipMethodLabel m);

// A circuit's state for siptgw_circuits: the call state first (a busy blocked circuit is
// busy), then blocking, then "unavailable" (reset pending, unequipped, awaiting CCR).
enum class CircuitStateLabel : uint8_t {
  Idle,
  IncomingBusy,
  OutgoingBusy,
  LocallyBlocked,
  RemotelyBlocked,
  Unavailable
};
inline constexpr std::size_t kCircuitStateLabels = 6;
CircuitStateLabel circuitStateOf(const isup::Circuit& c);
std::string_view circuitStateLabel(CircuitStateLabel s);

// The SIP stack's own counters and sizes (sip::TransportStats, TransactionStats, UaStats),
// read on the core thread, whose plain integers they are, by the one-second sampler and
// published by Metrics::sipStack(). Counters only grow in the stack; the published counters
// advance by the difference from the previous sample.
struct SipStackSample {
  // Counters.
  uint64_t malformedDropped = 0;   // unparseable, or missing a mandatory header: dropped
  uint64_t malformedRejected = 0;  // unparseable requests answered 400 (RFC 3261 §21.4.1)
  uint64_t foreignViaDropped = 0;  // §18.1.2: responses whose top Via is not ours
  uint64_t strayResponses = 0;     // responses matching no client transaction (§17.1.3)
  uint64_t mergedRequests = 0;     // §8.2.2.2: answered 482
  uint64_t sendErrors = 0;
  uint64_t connectionsAccepted = 0, connectionsOpened = 0;
  uint64_t idleConnectionsClosed = 0, otherConnectionsClosed = 0;
  uint64_t retransmissionsReceived = 0;
  uint64_t requestRetransmits = 0;        // Timers A and E
  uint64_t finalResponseRetransmits = 0;  // Timer G (non-2xx finals)
  uint64_t ok2xxRetransmits = 0;          // §13.3.1.4, until the ACK
  uint64_t reliable1xxRetransmits = 0;    // RFC 3262 §3, until the PRACK
  uint64_t acksResent = 0;                // ACK again for a retransmitted 2xx (§13.2.2.4)
  uint64_t sessionFailures = 0;           // timeouts, transport errors, no ACK, no PRACK
  uint64_t udpReadCalls = 0, udpWriteCalls = 0, udpIntervalReads = 0;
  // Gauges.
  uint64_t transactions = 0, sessions = 0, openConnections = 0;
};

// The stack's figures now (on the thread that runs it).
SipStackSample sipStackSample(const sip::TransportLayer& transport, const sip::UserAgent& ua);
SipStackSample sipStackSample(const sip::TransportStats& transport, std::size_t openConnections,
                              const sip::UserAgent& ua);

class Metrics {
 public:
  // Children for every trunk of the configuration (by index) and every message type of its
  // ISUP variant.
  explicit Metrics(const GatewayConfig& cfg);
  Metrics(const std::vector<std::string>& trunkNames, isup::Variant variant);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // ---- hot path: array indexing and an atomic add ----
  // `trunk` is the index into GatewayConfig::trunks; out of range is ignored.
  void callAttempted(CallDirection d, std::size_t trunk);
  void callAnswered(CallDirection d, std::size_t trunk);
  void callFailed(CallDirection d, std::size_t trunk, uint8_t q850Cause);
  void callStarted();  // siptgw_calls_active +1
  void callEnded();    // siptgw_calls_active -1
  // INVITE→IAM (SipToIsup) or IAM→INVITE (IsupToSip), in seconds.
  void transitDelay(CallDirection d, double seconds);
  // Setup (INVITE / IAM received) to the first ringing indication sent back.
  void postDialDelay(CallDirection d, double seconds);
  // Setup to answer.
  void answerDelay(CallDirection d, double seconds);
  void isupMessage(isup::MessageType t, MsgDirection d);
  void sipRequest(std::string_view method, MsgDirection d);
  void sipRequest(SipMethodLabel m, MsgDirection d);
  void sipResponse(uint16_t status, MsgDirection d);  // by class; outside 100..699: ignored
  void circuits(std::size_t trunk, CircuitStateLabel s, double count);
  void m3uaLinkUp(bool up);
  // One thread only (the sampler's): keeps the previous sample to publish differences.
  void sipStack(const SipStackSample& now);

  // Rare (a state machine met an event its chart does not allow): looked up by labels,
  // which are the charts' own static names. Beyond kMaxUnexpectedSeries distinct label sets
  // further ones are counted under state="other", event="other" of the chart "other".
  void unexpectedEvent(std::string_view chart, std::string_view state, std::string_view event);
  static constexpr std::size_t kMaxUnexpectedSeries = 512;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
  // The registry in the Prometheus text format, as /metrics serves it.
  std::string scrape() const;

 private:
  struct PerDirection {
    std::vector<prometheus::Counter*> attempted, answered;                // [trunk]
    std::vector<std::array<prometheus::Counter*, kCauseClasses>> failed;  // [trunk][class]
    prometheus::Histogram* transit = nullptr;
    prometheus::Histogram* postDial = nullptr;
    prometheus::Histogram* answer = nullptr;
  };

  std::shared_ptr<prometheus::Registry> registry_;
  std::array<PerDirection, kCallDirections> dir_;
  prometheus::Gauge* active_ = nullptr;
  std::array<std::array<prometheus::Counter*, 2>, 256> isup_{};  // [type][direction]
  std::array<std::array<prometheus::Counter*, 2>, kSipMethodLabels> sipReq_{};
  std::array<std::array<prometheus::Counter*, 2>, 6> sipRsp_{};  // [class 1..6 - 1][direction]
  std::vector<std::array<prometheus::Gauge*, kCircuitStateLabels>> circuits_;  // [trunk][state]
  prometheus::Gauge* m3uaUp_ = nullptr;
  // SipStackSample's counters: the sample's member and its counter, in one table.
  std::vector<std::pair<uint64_t SipStackSample::*, prometheus::Counter*>> sipCounters_;
  std::vector<std::pair<uint64_t SipStackSample::*, prometheus::Gauge*>> sipGauges_;
  SipStackSample sipLast_;
  prometheus::Family<prometheus::Counter>* unexpected_ = nullptr;
  std::size_t unexpectedSeries_ = 0;
  std::mutex unexpectedMu_;  // the series count and the family's insertion together
};

// Serves a registry on http://address:port/metrics (prometheus-cpp's Exposer, its own
// thread). start() reports a bind failure instead of throwing.
class MetricsExporter {
 public:
  MetricsExporter();
  ~MetricsExporter();
  Result<Ok, std::string> start(const std::string& address, uint16_t port,
                                std::shared_ptr<prometheus::Registry> r);
  // The bound port (useful with port 0 in tests); 0 before start().
  uint16_t port() const;

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace siptgw::gateway
