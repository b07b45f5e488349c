// One call through the gateway: a SIP session joined to an ISUP call, driven by its own
// synchronous Boost.Statechart chart (DESIGN.md "State machines").
//
//   SIP-originated ("O") chart, RFC 3398 §7.2: Idle → Trying (IAM sent, T7 in the ISUP
//   stack) → NotAlerting (early ACM, 183) / Alerting (ACM or CPG alerting, 180) →
//   WaitingForAck (ANM/CON, 200 sent) → Connected (ACK); Releasing (our REL awaits RLC);
//   Done. REL is handled in every state (§7.2.4, §10).
//   ISUP-originated ("I") chart, RFC 3398 §8.2: Idle → Trying (INVITE sent, T11 running) →
//   Progressing (183, or early ACM at T11 expiry §8.2.8) / Alerting (180) → Connected
//   (200: ANM, or CON when no ACM was sent); Releasing; Done.
//
// State and event names are the ones in logs (`call(O#12 cic=5 cid=7 sid=9){Alerting}`) and
// tests. An event a state does not consume is logged, counted (GatewayCounters and
// siptgw_unexpected_events_total) and fails unit tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/statechart/event_base.hpp>

#include "config/timer_service.h"
#include "gateway/gateway.h"
#include "isup/isup_stack.h"
#include "sip/user_agent.h"

namespace siptgw::gateway {

class Call {
 public:
  virtual ~Call() = default;
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  Direction direction() const { return dir_; }
  uint64_t serial() const { return serial_; }
  virtual std::string_view stateName() const = 0;
  // "call(O#12 cic=5 cid=7 sid=9){Alerting}"
  std::string tag() const;

  // Runs the event now, or queues it behind the one being processed (an event raised from
  // inside a reaction, e.g. the SIP session ending because the chart rejected it).
  virtual void dispatch(const boost::statechart::event_base& e) = 0;

  // Bindings (the gateway clears them when a side is gone).
  sip::SessionId sid = 0;   // 0: no live SIP session
  isup::CallId cid = 0;     // 0: no live ISUP call
  uint16_t cic = 0;
  std::size_t trunk = 0;    // index into Gateway::trunk()
  std::size_t peer = 0;     // I-chart: the SIP peer the call went to
  bool retired = false;
  Gateway& gw_;

  // Milestones for the latency histograms (steady clock: sub-millisecond transit delays).
  std::chrono::steady_clock::time_point startedAt, setupSentAt;
  bool attempted = false;      // routed to a trunk / peer and counted as an attempt
  bool firstBackward = false;  // first 18x / ACM seen (post-dial delay recorded)
  bool answered = false;
  bool failedNoted = false;    // counted once as failed

 protected:
  Call(Gateway& gw, Direction dir);
  void logEvent(std::string_view what) const;  // debug-level line with the tag
  Direction dir_;
  uint64_t serial_;
};

// Factories: the chart is initiated and ready for its start event.
std::unique_ptr<Call> makeSipOriginatedCall(Gateway& gw);
std::unique_ptr<Call> makeIsupOriginatedCall(Gateway& gw);

}  // namespace siptgw::gateway
