// Private types of IsupStack shared by its three implementation files (not installed API).
#pragma once

#include <limits>

#include "isup/isup_stack.h"

namespace siptgw::isup {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Call states in Q.764's words; which messages each accepts is the switch in
// isup_stack_calls.cpp.
enum class IsupStack::CallState : uint8_t {
  AwaitingAcm,         // outgoing: IAM sent, T7 (§2.1.4)
  AwaitingAnswer,      // outgoing: ACM received, T9 (§2.1.7)
  AwaitingContinuity,  // incoming: IAM asked for continuity, T8 (§2.1.8)
  CollectingDigits,    // incoming overlap: T35 (§2.1.2)
  Offered,             // incoming: given to the user, no backward message yet
  Alerting,            // incoming: ACM sent
  Answered,            // ANM/CON sent or received (§2.1.7); may be suspended (§2.4)
  AwaitingRlc,         // REL sent, T1/T5 (§2.3, §2.9.6)
};

struct IsupStack::Call {
  explicit Call(TimerService& s)
      : t1(s), t5(s), t7(s), t8(s), t9(s), t2(s), t6(s), t33(s), t35(s) {}
  CallId id = 0;
  uint32_t circuit = kNone;
  bool outgoing = false;
  bool visible = false;            // the user knows this call (onRelease due)
  CallState state = CallState::AwaitingAcm;
  bool continuity_this_circuit = false;
  bool continuity_expected = false;
  bool suspended = false;
  bool t5_expired = false;
  uint8_t repeats = 0;
  uint8_t rel_cause = 0, rel_location = 0;
  ReleaseOrigin rel_origin = ReleaseOrigin::Local;
  std::unique_ptr<Message> iam;    // outgoing: for repeat attempts; incoming: as offered
  Timer t1, t5, t7, t8, t9, t2, t6, t33, t35;
  void stopCallTimers() {
    t7.stop(); t8.stop(); t9.stop(); t2.stop(); t6.stop(); t33.stop(); t35.stop();
  }
};

// Per-circuit supervision procedures; exists only while one of its timers runs.
struct IsupStack::CircuitProc {
  explicit CircuitProc(TimerService& s)
      : t12(s), t13(s), t14(s), t15(s), t16(s), t17(s), t27(s), t36(s) {}
  Timer t12, t13, t14, t15, t16, t17, t27, t36;
  bool idle() const {
    return !t12.running() && !t13.running() && !t14.running() && !t15.running() &&
           !t16.running() && !t17.running() && !t27.running() && !t36.running();
  }
};

// GRS, CGB, CGU and CQM sent and not yet acknowledged.
struct IsupStack::GroupProc {
  explicit GroupProc(TimerService& s) : fast(s), slow(s) {}
  uint32_t id = 0;
  uint32_t dpc = 0;
  MessageType type{};
  uint16_t first = 0;
  uint8_t range = 0;
  bool hardware = false;
  Bytes status;
  Timer fast, slow;  // T22/T23, T18/T19, T20/T21, T28/-
};

struct IsupStack::Destination {
  explicit Destination(TimerService& s) : t4(s), t29(s), t30(s) {}
  uint32_t dpc = 0;
  std::vector<uint32_t> cic_index;  // CIC -> circuit index + 1; 0 = not provisioned
  bool paused = false;              // MTP-PAUSE (§2.13.1)
  bool upu = false;                 // user part unavailable (§2.13.2)
  uint8_t reduce = 0;               // MTP congestion: traffic reduction steps (§2.10)
  uint8_t acl = 0;                  // last ACL received in REL (§2.11)
  uint32_t admit_counter = 0;
  Timer t4, t29, t30;
};

std::string_view callStateName(uint8_t s);

}  // namespace siptgw::isup
