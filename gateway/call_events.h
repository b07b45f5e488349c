// The events of the per-call charts (DESIGN.md "State machines"): each names its source and
// primitive. Events that carry a message hold a pointer valid only while the event is
// being processed synchronously (the Gateway never queues those: they arrive from the
// stacks at the top of the core loop); events that can be raised while a reaction runs
// (a SIP session ending because the chart rejected it) carry plain values and are posted.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/statechart/event.hpp>

#include "isup/isup_stack.h"
#include "isup/message.h"
#include "sip/message.h"
#include "sip/user_agent.h"

namespace siptgw::gateway {

namespace sc = boost::statechart;

// An event's name for logs, counters and tests.
struct NamedEvent {
  virtual ~NamedEvent() = default;
  virtual std::string_view eventName() const = 0;
};

template <class E>
struct Ev : sc::event<E>, NamedEvent {
  std::string_view eventName() const override { return E::kName; }
};

// --- SIP side
struct EvSipInvite : Ev<EvSipInvite> {  // initial INVITE (O-chart start)
  static constexpr std::string_view kName = "EvSipInvite";
  const sip::Message* invite = nullptr;
  // Its SDP offer as the SIP stack parsed it (views into *invite), or nullptr: then the
  // chart parses the offer itself.
  const sip::SessionDescription* offer = nullptr;
  bool trusted = false;  // it came from a trusted peer (RFC 3325 §2.3)
};
struct EvSipAck : Ev<EvSipAck> {  // ACK for our 2xx (the session is confirmed)
  static constexpr std::string_view kName = "EvSipAck";
};
struct EvSipProvisional : Ev<EvSipProvisional> {  // 18x received (I-chart)
  static constexpr std::string_view kName = "EvSipProvisional";
  const sip::Message* response = nullptr;
  uint16_t code = 0;
};
struct EvSipAnswer : Ev<EvSipAnswer> {  // 2xx received (I-chart)
  static constexpr std::string_view kName = "EvSipAnswer";
  const sip::Message* response = nullptr;
};
// The session is over (SessionHandler::onTerminated); `q850` from a Reason header.
struct EvSipCancel : Ev<EvSipCancel> {
  static constexpr std::string_view kName = "EvSipCancel";
  std::optional<uint8_t> q850;
};
struct EvSipBye : Ev<EvSipBye> {
  static constexpr std::string_view kName = "EvSipBye";
  std::optional<uint8_t> q850;
};
struct EvSipReject : Ev<EvSipReject> {  // final 3xx–6xx received (I-chart)
  static constexpr std::string_view kName = "EvSipReject";
  uint16_t code = 0;
  std::optional<uint8_t> q850;
};
struct EvSipFailure : Ev<EvSipFailure> {  // no ACK, no PRACK, timeout, transport error
  static constexpr std::string_view kName = "EvSipFailure";
  sip::EndReason why = sip::EndReason::Timeout;
  uint16_t code = 0;
};
struct EvSipEnded : Ev<EvSipEnded> {  // the end we caused ourselves (our BYE / final response)
  static constexpr std::string_view kName = "EvSipEnded";
};

// --- ISUP side
struct EvIsupIam : Ev<EvIsupIam> {  // I-chart start
  static constexpr std::string_view kName = "EvIsupIam";
  const isup::Message* iam = nullptr;
};
struct EvIsupAcm : Ev<EvIsupAcm> {
  static constexpr std::string_view kName = "EvIsupAcm";
  const isup::Message* msg = nullptr;
};
struct EvIsupCpg : Ev<EvIsupCpg> {
  static constexpr std::string_view kName = "EvIsupCpg";
  const isup::Message* msg = nullptr;
};
struct EvIsupAnm : Ev<EvIsupAnm> {  // ANM, or CON (`con`: no ACM came first)
  static constexpr std::string_view kName = "EvIsupAnm";
  const isup::Message* msg = nullptr;
  bool con = false;
};
// The ISUP call is over (IsupUser::onRelease): REL received, or our REL answered, or the
// stack released it (T7/T9 expiry, reset, blocking...).
struct EvIsupRel : Ev<EvIsupRel> {
  static constexpr std::string_view kName = "EvIsupRel";
  isup::ReleaseOrigin origin = isup::ReleaseOrigin::Remote;
  uint8_t cause = 16;
  uint8_t location = 0;
};

// --- timers owned by the call
struct EvTimerT11 : Ev<EvTimerT11> {  // Q.764 T11: no ACM yet from the SIP side (§8.2.8)
  static constexpr std::string_view kName = "EvTimerT11";
};

struct EvTimerNoAnswer : Ev<EvTimerNoAnswer> {  // call.sip_no_answer_ms expired (I-chart)
  static constexpr std::string_view kName = "EvTimerNoAnswer";
};

}  // namespace siptgw::gateway
