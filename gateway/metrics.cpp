#include "gateway/metrics.h"

#include <exception>
#include <map>
#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "gateway/gateway_config.h"
#include "isup/message.h"
#include "sip/transport.h"
#include "sip/user_agent.h"

namespace siptgw::gateway {

std::string_view callDirectionLabel(CallDirection d) {
  return d == CallDirection::SipToIsup ? "sip_to_isup" : "isup_to_sip";
}

std::string_view msgDirectionLabel(MsgDirection d) {
  return d == MsgDirection::In ? "in" : "out";
}

CauseClass causeClassOf(uint8_t cause) {
  const uint8_t c = cause & 0x7F;
  if (c < 32) return CauseClass::Normal;
  return static_cast<CauseClass>((c >> 4) - 1);  // 32-47 → 1, ..., 112-127 → 6
}

std::string_view causeClassLabel(CauseClass c) {
  switch (c) {
    case CauseClass::Normal:
      return "normal";
    case CauseClass::ResourceUnavailable:
      return "resource_unavailable";
    case CauseClass::ServiceUnavailable:
      return "service_unavailable";
    case CauseClass::NotImplemented:
      return "not_implemented";
    case CauseClass::InvalidMessage:
      return "invalid_message";
    case CauseClass::ProtocolError:
      return "protocol_error";
    case CauseClass::Interworking:
      return "interworking";
  }
  return "?";
}

namespace {
constexpr std::array<std::string_view, kSipMethodLabels> kMethodNames = {
    "INVITE", "ACK",      "BYE",       "CANCEL", "OPTIONS", "PRACK",   "UPDATE",
    "INFO",   "REGISTER", "SUBSCRIBE", "NOTIFY", "REFER",   "MESSAGE", "other"};
constexpr std::array<std::string_view, kCircuitStateLabels> kCircuitStateNames = {
    "idle", "incoming_busy", "outgoing_busy", "locally_blocked", "remotely_blocked", "unavailable"};

// Transit delay is our own processing (sub-millisecond normally); post-dial and answer
// delays are the far end's and the called user's (seconds to minutes).
// Transit through the gateway is ~0.1-0.5 ms with an in-process ISUP side: buckets down
// to 50 µs so p50/p99 read from the histogram rather than "all in the first bucket".
const prometheus::Histogram::BucketBoundaries kTransitBuckets = {
    0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
const prometheus::Histogram::BucketBoundaries kPostDialBuckets = {0.1, 0.25, 0.5, 1,  2,
                                                                  3,   5,    10,  20, 30};
const prometheus::Histogram::BucketBoundaries kAnswerBuckets = {1, 2, 5, 10, 20, 30, 60, 120, 300};

std::string s(std::string_view v) {
  return std::string(v);
}
}  // namespace

SipMethodLabel sipMethodLabelOf(std::string_view method) {
  for (std::size_t i = 0; i + 1 < kMethodNames.size(); ++i)
    if (kMethodNames[i] == method) return static_cast<SipMethodLabel>(i);
  return SipMethodLabel::Other;
}

std::string_view sipMethodLabel(SipMethodLabel m) {
  return kMethodNames[static_cast<std::size_t>(m)];
}

CircuitStateLabel circuitStateOf(const isup::Circuit& c) {
  if (c.call == isup::CircuitCall::IncomingBusy) return CircuitStateLabel::IncomingBusy;
  if (c.call == isup::CircuitCall::OutgoingBusy) return CircuitStateLabel::OutgoingBusy;
  if (c.locallyBlocked()) return CircuitStateLabel::LocallyBlocked;
  if (c.remotelyBlocked()) return CircuitStateLabel::RemotelyBlocked;
  if (c.flags != 0) return CircuitStateLabel::Unavailable;
  return CircuitStateLabel::Idle;
}

std::string_view circuitStateLabel(CircuitStateLabel st) {
  return kCircuitStateNames[static_cast<std::size_t>(st)];
}

namespace {
std::vector<std::string> trunkNamesOf(const GatewayConfig& cfg) {
  std::vector<std::string> names;
  for (const auto& t : cfg.trunks) names.push_back(t.name());
  return names;
}
}  // namespace

Metrics::Metrics(const GatewayConfig& cfg) : Metrics(trunkNamesOf(cfg), cfg.isup.stack.variant) {}

Metrics::Metrics(const std::vector<std::string>& trunks, isup::Variant variant)
    : registry_(std::make_shared<prometheus::Registry>()) {
  auto& reg = *registry_;
  auto counters = [&](const char* name, const char* help) -> auto& {
    return prometheus::BuildCounter().Name(name).Help(help).Register(reg);
  };
  auto gauges = [&](const char* name, const char* help) -> auto& {
    return prometheus::BuildGauge().Name(name).Help(help).Register(reg);
  };
  auto histograms = [&](const char* name, const char* help) -> auto& {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(reg);
  };
  auto& attempted = counters("siptgw_calls_attempted_total",
                             "Calls offered to the gateway, by direction and trunk");
  auto& answered =
      counters("siptgw_calls_answered_total",
               "Calls answered (200 OK to INVITE / ANM or CON), by direction and trunk");
  auto& failed =
      counters("siptgw_calls_failed_total",
               "Calls that ended before answer, by direction, trunk and Q.850 cause class");
  auto& transit = histograms(
      "siptgw_transit_delay_seconds",
      "Gateway transit delay: INVITE received to IAM sent, or IAM received to INVITE sent");
  auto& postDial = histograms("siptgw_post_dial_delay_seconds",
                              "Setup received to the first ringing indication sent back");
  auto& answer = histograms("siptgw_answer_delay_seconds", "Setup received to answer");
  for (std::size_t d = 0; d < kCallDirections; ++d) {
    const std::string dl = s(callDirectionLabel(static_cast<CallDirection>(d)));
    PerDirection& pd = dir_[d];
    for (const auto& t : trunks) {
      pd.attempted.push_back(&attempted.Add({{"direction", dl}, {"trunk", t}}));
      pd.answered.push_back(&answered.Add({{"direction", dl}, {"trunk", t}}));
      std::array<prometheus::Counter*, kCauseClasses> byClass{};
      for (std::size_t c = 0; c < kCauseClasses; ++c)
        byClass[c] = &failed.Add({{"direction", dl},
                                  {"trunk", t},
                                  {"cause_class", s(causeClassLabel(static_cast<CauseClass>(c)))}});
      pd.failed.push_back(byClass);
    }
    pd.transit = &transit.Add({{"direction", dl}}, kTransitBuckets);
    pd.postDial = &postDial.Add({{"direction", dl}}, kPostDialBuckets);
    pd.answer = &answer.Add({{"direction", dl}}, kAnswerBuckets);
  }
  active_ = &gauges("siptgw_calls_active", "Calls in progress").Add({});

  auto& isupMsgs = counters("siptgw_isup_messages_total",
                            "ISUP messages received (in) and sent (out), by type acronym");
  for (std::size_t dir = 0; dir < 2; ++dir) {
    const std::string dl = s(msgDirectionLabel(static_cast<MsgDirection>(dir)));
    prometheus::Counter* unknown = &isupMsgs.Add({{"type", "unknown"}, {"direction", dl}});
    for (std::size_t t = 0; t < isup_.size(); ++t) {
      const std::string_view acr = isup::messageAcronym(variant, static_cast<isup::MessageType>(t));
      isup_[t][dir] = acr.empty() ? unknown : &isupMsgs.Add({{"type", s(acr)}, {"direction", dl}});
    }
  }
  auto& req =
      counters("siptgw_sip_requests_total",
               "SIP requests received (in) and sent (out), by method (unlisted methods: other)");
  auto& rsp = counters("siptgw_sip_responses_total",
                       "SIP responses received (in) and sent (out), by class");
  for (std::size_t dir = 0; dir < 2; ++dir) {
    const std::string dl = s(msgDirectionLabel(static_cast<MsgDirection>(dir)));
    for (std::size_t m = 0; m < kSipMethodLabels; ++m)
      sipReq_[m][dir] = &req.Add({{"method", s(kMethodNames[m])}, {"direction", dl}});
    for (std::size_t c = 0; c < sipRsp_.size(); ++c)
      sipRsp_[c][dir] = &rsp.Add({{"class", std::to_string(c + 1) + "xx"}, {"direction", dl}});
  }
  auto& circ = gauges("siptgw_circuits", "Circuits per trunk and state");
  for (const auto& t : trunks) {
    std::array<prometheus::Gauge*, kCircuitStateLabels> byState{};
    for (std::size_t st = 0; st < kCircuitStateLabels; ++st)
      byState[st] = &circ.Add({{"trunk", t}, {"state", s(kCircuitStateNames[st])}});
    circuits_.push_back(byState);
  }
  // The SIP stack's counters (SipStackSample), each series bound to the sample's member.
  using S = SipStackSample;
  auto sipCounter = [&](prometheus::Family<prometheus::Counter>& f, prometheus::Labels labels,
                        uint64_t S::*member) { sipCounters_.emplace_back(member, &f.Add(labels)); };
  auto& malformed = counters("siptgw_sip_malformed_messages_total",
                             "SIP messages the stack could not use: dropped (unparseable, or a "
                             "mandatory header missing) or rejected with 400");
  sipCounter(malformed, {{"action", "dropped"}}, &S::malformedDropped);
  sipCounter(malformed, {{"action", "rejected"}}, &S::malformedRejected);
  auto& unmatched = counters("siptgw_sip_unmatched_responses_total",
                             "SIP responses matching no client transaction (no_transaction) or "
                             "not addressed to us (foreign_via, dropped: RFC 3261 18.1.2)");
  sipCounter(unmatched, {{"reason", "no_transaction"}}, &S::strayResponses);
  sipCounter(unmatched, {{"reason", "foreign_via"}}, &S::foreignViaDropped);
  sipCounter(counters("siptgw_sip_merged_requests_total",
                      "SIP requests answered 482 Loop Detected as merged (RFC 3261 8.2.2.2)"),
             {}, &S::mergedRequests);
  sipCounter(counters("siptgw_sip_send_errors_total",
                      "SIP messages the transport could not send (refused, or queued on a "
                      "connection that closed)"),
             {}, &S::sendErrors);
  auto& opened = counters("siptgw_sip_connections_opened_total",
                          "SIP TCP/TLS connections accepted (inbound) or opened (outbound)");
  sipCounter(opened, {{"side", "inbound"}}, &S::connectionsAccepted);
  sipCounter(opened, {{"side", "outbound"}}, &S::connectionsOpened);
  auto& closed = counters("siptgw_sip_connections_closed_total",
                          "SIP TCP/TLS connections closed, for idleness or otherwise");
  sipCounter(closed, {{"reason", "idle"}}, &S::idleConnectionsClosed);
  sipCounter(closed, {{"reason", "other"}}, &S::otherConnectionsClosed);
  sipCounter(counters("siptgw_sip_retransmissions_received_total",
                      "SIP requests and responses received again and absorbed by their "
                      "transaction"),
             {}, &S::retransmissionsReceived);
  auto& resent = counters("siptgw_sip_retransmissions_sent_total",
                          "SIP retransmissions sent over UDP, by message: request (Timers A, E), "
                          "final_response (G), 2xx (until the ACK), reliable_1xx (until the "
                          "PRACK), ack (for a retransmitted 2xx)");
  sipCounter(resent, {{"message", "request"}}, &S::requestRetransmits);
  sipCounter(resent, {{"message", "final_response"}}, &S::finalResponseRetransmits);
  sipCounter(resent, {{"message", "2xx"}}, &S::ok2xxRetransmits);
  sipCounter(resent, {{"message", "reliable_1xx"}}, &S::reliable1xxRetransmits);
  sipCounter(resent, {{"message", "ack"}}, &S::acksResent);
  sipCounter(counters("siptgw_sip_session_failures_total",
                      "SIP sessions ended by a timeout, a transport error, a missing ACK or a "
                      "missing PRACK"),
             {}, &S::sessionFailures);
  auto& udpCalls = counters("siptgw_sip_udp_system_calls_total",
                            "UDP system calls that moved datagrams: reads (recvmmsg) and writes "
                            "(sendmmsg; sendto outside a batch). Datagrams per call is the "
                            "batching");
  sipCounter(udpCalls, {{"op", "read"}}, &S::udpReadCalls);
  sipCounter(udpCalls, {{"op", "write"}}, &S::udpWriteCalls);
  sipCounter(counters("siptgw_sip_udp_interval_reads_total",
                      "UDP reads on the coalescing interval (sip.udp_coalesce_us) rather than on "
                      "readiness"),
             {}, &S::udpIntervalReads);
  sipGauges_ = {
      {&S::transactions,
       &gauges("siptgw_sip_transactions", "SIP transactions in the stack").Add({})},
      {&S::sessions, &gauges("siptgw_sip_sessions", "SIP invite sessions in the stack").Add({})},
      {&S::openConnections,
       &gauges("siptgw_sip_connections_open", "SIP TCP/TLS connections open").Add({})}};
  m3uaUp_ =
      &gauges("siptgw_m3ua_link_up",
              "1 while the M3UA application server is active (0 with the in-process simulator)")
           .Add({});
  unexpected_ = &counters("siptgw_unexpected_events_total",
                          "Events a state machine's chart does not allow in its current state");
}

Metrics::~Metrics() = default;

void Metrics::callAttempted(CallDirection d, std::size_t trunk) {
  auto& v = dir_[static_cast<std::size_t>(d)].attempted;
  if (trunk < v.size()) v[trunk]->Increment();
}

void Metrics::callAnswered(CallDirection d, std::size_t trunk) {
  auto& v = dir_[static_cast<std::size_t>(d)].answered;
  if (trunk < v.size()) v[trunk]->Increment();
}

void Metrics::callFailed(CallDirection d, std::size_t trunk, uint8_t cause) {
  auto& v = dir_[static_cast<std::size_t>(d)].failed;
  if (trunk < v.size()) v[trunk][static_cast<std::size_t>(causeClassOf(cause))]->Increment();
}

void Metrics::callStarted() {
  active_->Increment();
}
void Metrics::callEnded() {
  active_->Decrement();
}

void Metrics::transitDelay(CallDirection d, double seconds) {
  dir_[static_cast<std::size_t>(d)].transit->Observe(seconds);
}
void Metrics::postDialDelay(CallDirection d, double seconds) {
  dir_[static_cast<std::size_t>(d)].postDial->Observe(seconds);
}
void Metrics::answerDelay(CallDirection d, double seconds) {
  dir_[static_cast<std::size_t>(d)].answer->Observe(seconds);
}

void Metrics::isupMessage(isup::MessageType t, MsgDirection d) {
  isup_[static_cast<uint8_t>(t)][static_cast<std::size_t>(d)]->Increment();
}

void Metrics::sipRequest(std::string_view method, MsgDirection d) {
  sipRequest(sipMethodLabelOf(method), d);
}

void Metrics::sipRequest(SipMethodLabel m, MsgDirection d) {
  sipReq_[static_cast<std::size_t>(m)][static_cast<std::size_t>(d)]->Increment();
}

void Metrics::sipResponse(uint16_t status, MsgDirection d) {
  if (status < 100 || status > 699) return;
  sipRsp_[status / 100 - 1][static_cast<std::size_t>(d)]->Increment();
}

void Metrics::circuits(std::size_t trunk, CircuitStateLabel st, double count) {
  if (trunk < circuits_.size()) circuits_[trunk][static_cast<std::size_t>(st)]->Set(count);
}

void Metrics::m3uaLinkUp(bool up) {
  m3uaUp_->Set(up ? 1 : 0);
}

SipStackSample sipStackSample(const sip::TransportLayer& transport, const sip::UserAgent& ua) {
  return sipStackSample(transport.stats(), transport.openConnections(), ua);
}

SipStackSample sipStackSample(const sip::TransportStats& t, std::size_t openConnections,
                              const sip::UserAgent& ua) {
  const sip::TransactionStats& x = ua.transactions().stats();
  const sip::UaStats& u = ua.stats();
  SipStackSample s;
  s.malformedDropped = t.malformedDropped + x.badMessages;
  s.malformedRejected = t.malformedAnswered;
  s.foreignViaDropped = t.foreignViaDropped;
  s.strayResponses = x.strayResponses;
  s.mergedRequests = x.merged482;
  s.sendErrors = t.sendErrors;
  s.connectionsAccepted = t.connectionsAccepted;
  s.connectionsOpened = t.connectionsOpened;
  s.idleConnectionsClosed = t.idleClosed;
  s.otherConnectionsClosed = t.connectionsClosed - t.idleClosed;
  s.retransmissionsReceived = x.retransmissionsAbsorbed;
  s.requestRetransmits = x.requestRetransmits;
  s.finalResponseRetransmits = x.responseRetransmits;
  s.ok2xxRetransmits = u.ok2xxRetransmits;
  s.reliable1xxRetransmits = u.rel1xxRetransmits;
  s.acksResent = u.ackResent;
  s.sessionFailures = u.failed;
  s.udpReadCalls = t.udpReadCalls;
  s.udpWriteCalls = t.udpWriteCalls;
  s.udpIntervalReads = t.udpPolls;
  s.transactions = ua.transactions().size();
  s.sessions = ua.sessionCount();
  s.openConnections = openConnections;
  return s;
}

void Metrics::sipStack(const SipStackSample& now) {
  for (const auto& [member, counter] : sipCounters_) {
    const uint64_t was = sipLast_.*member, is = now.*member;
    if (is > was) counter->Increment(static_cast<double>(is - was));
  }
  for (const auto& [member, gauge] : sipGauges_) gauge->Set(static_cast<double>(now.*member));
  sipLast_ = now;
}

void Metrics::unexpectedEvent(std::string_view chart, std::string_view state,
                              std::string_view event) {
  std::lock_guard<std::mutex> lock(unexpectedMu_);
  prometheus::Labels labels{{"chart", s(chart)}, {"state", s(state)}, {"event", s(event)}};
  if (!unexpected_->Has(labels)) {
    if (unexpectedSeries_ >= kMaxUnexpectedSeries)
      labels = {{"chart", "other"}, {"state", "other"}, {"event", "other"}};
    else
      ++unexpectedSeries_;
  }
  unexpected_->Add(labels).Increment();
}

std::string Metrics::scrape() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

MetricsExporter::MetricsExporter() = default;
MetricsExporter::~MetricsExporter() = default;

Result<Ok, std::string> MetricsExporter::start(const std::string& address, uint16_t port,
                                               std::shared_ptr<prometheus::Registry> r) {
  const bool v6 = address.find(':') != std::string::npos;
  const std::string bind = (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
  try {
    // One worker: Prometheus scrapes every few seconds; the gateway's cores are for calls.
    exposer_ = std::make_unique<prometheus::Exposer>(bind, 1);
  } catch (const std::exception& e) {
    return Unexpected{std::string("metrics: cannot listen on ") + bind + ": " + e.what()};
  }
  exposer_->RegisterCollectable(r);
  return Ok{};
}

uint16_t MetricsExporter::port() const {
  if (!exposer_) return 0;
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : static_cast<uint16_t>(ports.front());
}

}  // namespace siptgw::gateway
