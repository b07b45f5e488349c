// The ISDN User Part stack of one signalling point: call control (ITU-T Q.764 §2.1–§2.4,
// §2.9.1, §2.9.5–§2.9.8) and circuit supervision (§2.8 blocking, §2.8.3 query, §2.9.3
// reset, §2.12 unequipped CIC, §2.10/§2.11 congestion, §2.13 MTP pause/resume and user part
// availability) over any MtpProvider. Runs on the core thread only; no locks.
//
// The layer above (the gateway; the exchange simulator) sees calls as CallIds: it gets
// typed events through IsupUser and sends requests (setup, sendAcm, release...). Messages
// cross this interface as isup::Message values; the stack fills in the CIC and keeps the
// per-call procedure (timers T1/T5/T7/T8/T9/T2/T6/T33/T35, continuity, repeat attempts).
//
// Every transition is a case in isup_stack_calls.cpp / isup_stack_supervision.cpp with the
// clause it implements. Each call ends with exactly one IsupUser::onRelease.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/result.h"
#include "config/spare_nodes.h"
#include "isup/circuit.h"
#include "isup/message.h"
#include "isup/mtp_user.h"
#include "config/timer_service.h"
#include "isup/timers.h"

namespace siptgw::isup {

using CallId = uint32_t;  // 0 is never a call

struct StackConfig {
  Variant variant = Variant::Itu;
  uint32_t opc = 0;               // own signalling point code
  uint8_t network_indicator = 2;  // national
  uint8_t location = 2;           // Q.850 location in causes we originate: public network, local user
  TimerConfig timers;
  bool reset_on_start = true;     // GRS all circuits on start() (§2.9.3)
  bool reset_on_resume = true;    // GRS a destination's circuits on MTP-RESUME
  bool incoming_overlap = false;  // IAM without ST may be followed by SAMs (§2.1.2, T35)
  bool use_t9 = true;             // run T9 after ACM (controlling/originating exchange)
  uint8_t max_repeat_attempts = 2;  // automatic repeat attempts per call (§2.9.1.4, §2.12)
};

// Why a call ended (IsupUser::onRelease).
enum class ReleaseOrigin : uint8_t {
  Remote,          // REL received (RLC sent)
  Local,           // our REL was answered by RLC (or crossed with the peer's REL)
  Timeout,         // a call timer expired (T7, T8, T9, T35, T2, T6, T33): REL sent by us
  Reset,           // RSC/GRS sent or received on the circuit
  Blocked,         // hardware-oriented blocking released the call (§2.8.2)
  Abnormal,        // unexpected message, release-call compatibility instruction, UCIC, T5
  SetupFailed,     // no circuit for a repeat attempt
};
std::string_view releaseOriginName(ReleaseOrigin o);

struct ReleaseInfo {
  ReleaseOrigin origin{};
  uint8_t cause = 16;
  uint8_t location = 0;
  const Message* rel = nullptr;  // the REL received, when origin == Remote
};

enum class MaintenanceAlert : uint8_t {
  T5Expired,          // no RLC within T5: RSC sent (§2.9.6)
  ResetNotAcked,      // T17/T23 expiry
  BlockingNotAcked,   // T13/T19 expiry
  UnblockingNotAcked, // T15/T21 expiry
  QueryNotAnswered,   // T28 expiry
  InformationNotReceived,  // T33 expiry
  RemoteUnequipped,   // UCIC received (§2.12)
  UserPartUnavailable,     // MTP-STATUS (§2.13)
  GroupAckMismatch,   // CGBA/CGUA status differs from what we asked (§2.9.4)
  ContinuityRecheckFailed, // T27/T36 expiry
};
std::string_view alertName(MaintenanceAlert a);

// A circuit's state as reported by CQR (Q.763 §3.14), one per circuit of the range.
struct CircuitQueryResult {
  uint32_t dpc = 0;
  uint16_t first_cic = 0;
  std::vector<uint8_t> states;  // circuit state indicator octets
};

// Events to the layer above. Every callback runs on the core thread; requests may be made
// from inside a callback.
class IsupUser {
 public:
  virtual ~IsupUser() = default;
  // A new incoming call (after a successful COT when continuity was asked). `overlap`: the
  // called number may still grow by SAMs (onSubsequentAddress) until ACM/CON/REL is sent.
  virtual void onIncomingSetup(CallId, const Message& iam, bool overlap) = 0;
  virtual void onSubsequentAddress(CallId, const Message& /*sam*/) {}
  virtual void onAddressComplete(CallId, const Message& /*acm*/) {}
  virtual void onProgress(CallId, const Message& /*cpg*/) {}
  virtual void onAnswer(CallId, const Message& /*anm or con*/) {}
  virtual void onSuspend(CallId, const Message& /*sus*/) {}
  virtual void onResume(CallId, const Message& /*res*/) {}
  virtual void onInformationRequest(CallId, const Message& /*inr*/) {}
  virtual void onInformation(CallId, const Message& /*inf*/) {}
  virtual void onOtherMessage(CallId, const Message& /*msg*/) {}  // USR, APM, FAC, ...
  // The call is over; the CallId is dead after this returns.
  virtual void onRelease(CallId, const ReleaseInfo&) = 0;
  virtual void onMaintenance(MaintenanceAlert, uint32_t /*dpc*/, uint16_t /*cic*/) {}
  // ACC level from a REL (§2.11) or MTP congestion (§2.10); 0 = cleared.
  virtual void onCongestion(uint32_t /*dpc*/, uint8_t /*level*/) {}
  virtual void onCircuitQuery(const CircuitQueryResult&) {}
};

enum class SetupError : uint8_t {
  NoSuchGroup,
  DestinationUnavailable,  // MTP-PAUSE or user part unavailable (§2.13)
  Congested,               // traffic reduced after MTP congestion (§2.10)
  NoCircuit,               // every circuit busy, blocked or resetting
  NotOutgoing,             // incoming-only group
  EncodeFailed,
};
std::string_view setupErrorName(SetupError e);

// Counters of what the stack did (tests check them; the gateway exports them).
struct StackCounters {
  std::array<uint32_t, 256> sent{};      // per message type code
  std::array<uint32_t, 256> received{};
  uint32_t send_failures = 0;            // MTP refused the transfer
  uint32_t decode_errors = 0;
  uint32_t unexpected = 0;               // §2.9.5.1 unexpected messages
  uint32_t unrecognized_messages = 0;    // §2.9.5.3.1
  uint32_t unrecognized_parameters = 0;  // §2.9.5.3.2
  uint32_t dual_seizures = 0;            // §2.9.1.4
  uint32_t repeat_attempts = 0;
  uint32_t calls_started = 0, calls_ended = 0;
  uint32_t unknown_cic = 0;
  uint32_t sent_of(MessageType t) const { return sent[code(t)]; }
  uint32_t received_of(MessageType t) const { return received[code(t)]; }
};

class IsupStack final : public MtpUser {
 public:
  IsupStack(TimerService& timers, MtpProvider& mtp, StackConfig cfg);
  ~IsupStack() override;
  IsupStack(const IsupStack&) = delete;
  IsupStack& operator=(const IsupStack&) = delete;

  void setUser(IsupUser* u) { user_ = u; }
  // Configuration: groups before start(). Returns the group index.
  Result<uint16_t, std::string> addGroup(const CircuitGroupConfig& g);
  // Resets every circuit (GRS in groups of up to 32, RSC for a lone circuit) when
  // reset_on_start, for destinations MTP reports available.
  void start();

  // ---- call control requests (§2.1–§2.4) ----
  // Messages are taken by rvalue reference: the stack fills in the CIC and encodes the
  // caller's object instead of moving its parameters into a copy.
  // Picks a circuit in `group` (its selection strategy), sets the CIC and sends the IAM;
  // T7 runs until ACM/CON. The IAM is moved into the call (kept for repeat attempts).
  Result<CallId, SetupError> setup(uint16_t group, Message&& iam);
  bool sendSam(CallId, Message&& sam);           // restarts T7 (§2.1.2)
  bool sendCot(CallId, bool success);          // continuity on a previous circuit (§2.1.8)
  bool sendAcm(CallId, Message&& acm);           // stops T35 (§2.1.4)
  bool sendCon(CallId, Message&& con);
  bool sendAnm(CallId, Message&& anm);
  bool sendCpg(CallId, Message&& cpg);
  bool sendSus(CallId, bool network_initiated);
  bool sendRes(CallId, bool network_initiated);
  bool sendInr(CallId, Message&& inr);           // T33 until INF (§2.1.6)
  bool sendInf(CallId, Message&& inf);
  bool sendOther(CallId, Message&& m);           // APM, USR, FAC... in an established call
  // REL with this cause; T1/T5 run until RLC (§2.3, §2.9.6). onRelease follows at RLC.
  bool release(CallId, uint8_t cause, std::optional<uint8_t> location = std::nullopt);

  // ---- circuit supervision requests ----
  bool resetCircuit(uint32_t dpc, uint16_t cic);                      // RSC, T16/T17
  bool groupReset(uint32_t dpc, uint16_t first_cic, uint8_t count);   // GRS, T22/T23 (2–32)
  bool block(uint32_t dpc, uint16_t cic);                             // BLO, T12/T13
  bool unblock(uint32_t dpc, uint16_t cic);                           // UBL, T14/T15
  // CGB/CGU (§2.8.2.2): circuits first..first+count-1 whose bit in `mask` is set (bit 0 =
  // first; 0 = all of them); hardware-oriented blocking releases their calls.
  bool groupBlock(uint32_t dpc, uint16_t first_cic, uint8_t count, bool hardware, uint32_t mask = 0);
  bool groupUnblock(uint32_t dpc, uint16_t first_cic, uint8_t count, bool hardware, uint32_t mask = 0);
  bool query(uint32_t dpc, uint16_t first_cic, uint8_t count);        // CQM, T28

  // ---- queries ----
  const Circuit* circuit(uint32_t dpc, uint16_t cic) const;
  std::optional<CallId> callOn(uint32_t dpc, uint16_t cic) const;
  std::optional<uint16_t> cicOf(CallId) const;
  std::string callStateName(CallId) const;  // "" when no such call
  std::size_t activeCalls() const { return calls_.size(); }
  std::size_t circuitCount() const { return circuits_.size(); }
  const StackCounters& counters() const { return counters_; }
  const StackConfig& config() const { return cfg_; }
  std::size_t runningProcedures() const;  // calls + circuit + group procedures
  uint8_t congestionLevel(uint32_t dpc) const;
  bool destinationAvailable(uint32_t dpc) const;
  // Controlling exchange for a CIC per §2.9.1.3 (higher point code controls even CICs).
  bool controls(uint32_t dpc, uint16_t cic) const;
  // Approximate heap bytes held per idle circuit and per active call (for the figures).
  static std::size_t bytesPerIdleCircuit();
  static std::size_t bytesPerCall();

  // ---- MtpUser ----
  void mtpTransfer(const MtpTransfer& msg) override;
  void mtpPause(uint32_t affected_dpc) override;
  void mtpResume(uint32_t affected_dpc) override;
  void mtpStatus(const MtpStatus& status) override;

 private:
  struct Call;
  struct CircuitProc;
  struct GroupProc;
  struct Destination;
  enum class CallState : uint8_t;

  // plumbing (isup_stack.cpp)
  Destination& dest(uint32_t dpc);
  const Destination* findDest(uint32_t dpc) const;
  uint32_t circuitIndex(uint32_t dpc, uint16_t cic) const;  // kNone when unknown
  uint32_t dpcOf(uint32_t circuit) const;
  bool send(uint32_t dpc, Message& m);
  bool sendSimple(uint32_t dpc, uint16_t cic, MessageType t);
  void sendCfn(uint32_t dpc, uint16_t cic, uint8_t cause, std::optional<uint8_t> diag);
  Message causeMessage(MessageType t, uint16_t cic, uint8_t cause, std::optional<uint8_t> diag) const;
  void alert(MaintenanceAlert a, uint32_t dpc, uint16_t cic);
  bool checkCompatibility(uint32_t dpc, uint32_t ci, Message& m);
  void handleUnrecognizedMessage(uint32_t dpc, uint16_t cic, uint32_t ci, const Message& m);

  // call control (isup_stack_calls.cpp)
  Call* findCall(CallId id);
  const Call* findCall(CallId id) const;
  Call* callOnCircuit(uint32_t ci);
  Call& newCall(uint32_t ci, bool outgoing);
  void endCall(Call& c, const ReleaseInfo& info);  // frees the circuit and the call
  void detachCall(Call& c);                         // call gone, circuit state untouched
  std::optional<uint32_t> selectCircuit(uint16_t group, uint32_t exclude);
  bool sendIam(Call& c);
  bool sendInCall(Call& c, Message& m);
  void sendRel(Call& c, uint8_t cause, uint8_t location, std::optional<uint8_t> diag = std::nullopt);
  void repeatAttempt(Call& c, bool release_old);
  // An outgoing call that has had no backward message yet, lifted off circuit `ci` (which
  // is being reset or hardware-blocked) so repeatAttempt can set it up elsewhere; nullptr
  // when the circuit holds no such call.
  Call* takeRepeatable(uint32_t ci);
  void releaseLocally(Call& c, ReleaseOrigin origin, uint8_t cause);  // no REL (reset/blocking)
  std::unique_ptr<Message> keepMessage(Message&& m);  // a spare Message when there is one
  void dropIam(Call& c);                              // c.iam back to the spares
  void onCallMessage(uint32_t dpc, uint32_t ci, const Message& m);
  void onIam(uint32_t dpc, uint32_t ci, const Message& m);
  void onRel(uint32_t dpc, uint32_t ci, const Message* m, uint8_t cause, uint8_t location);
  void onRlc(uint32_t dpc, uint32_t ci);
  void onUnexpected(uint32_t dpc, uint32_t ci, const Message& m);
  void offerIncoming(Call& c, const Message& iam);  // iam: the received one, or kept until COT
  void timerExpired(CallId id, IsupTimer t);
  void startTimer(Call& c, IsupTimer t);
  void continuityRecheckExpired(uint32_t ci, IsupTimer t);

  // circuit supervision (isup_stack_supervision.cpp)
  CircuitProc& proc(uint32_t ci);
  void dropProcIfIdle(uint32_t ci);
  void startReset(uint32_t ci, bool due_to_t5);
  void resetProcTimer(uint32_t ci, IsupTimer t);
  void blockingProcTimer(uint32_t ci, IsupTimer t);
  void onSupervisionMessage(uint32_t dpc, uint32_t ci, const Message& m);
  void onGroupMessage(uint32_t dpc, const Message& m);
  void resetCircuitState(uint32_t ci, ReleaseOrigin origin);  // releases a call, clears remote blocking
  bool startGroupProc(uint32_t dpc, MessageType t, uint16_t first, uint8_t count, bool hardware, uint32_t mask);
  void groupProcTimer(uint32_t id, IsupTimer t);
  void resetDestination(uint32_t dpc);
  void sendUpt(uint32_t dpc);
  void congestionT30(uint32_t dpc);
  void flushReleases();
  uint8_t stateIndicator(uint32_t ci) const;

  TimerService& timers_;
  MtpProvider& mtp_;
  StackConfig cfg_;
  IsupUser* user_ = nullptr;
  std::vector<Circuit> circuits_;
  std::vector<CircuitGroupConfig> groups_;
  std::vector<std::vector<uint32_t>> group_circuits_;  // circuit indexes per group
  std::vector<uint32_t> rr_next_;                      // round-robin position per group
  std::unordered_map<uint32_t, std::unique_ptr<Destination>> dests_;
  std::unordered_map<CallId, std::unique_ptr<Call>> calls_;
  SpareNodes<std::unordered_map<CallId, std::unique_ptr<Call>>, 256> spare_calls_;  // node and Call reused
  static constexpr std::size_t kSpareMessages = 64;
  std::vector<std::unique_ptr<Message>> spare_msgs_;
  std::unordered_map<uint32_t, std::unique_ptr<CircuitProc>> procs_;  // by circuit index
  std::unordered_map<uint32_t, std::unique_ptr<GroupProc>> group_procs_;
  CallId next_call_ = 0;
  uint32_t next_group_proc_ = 0;
  StackCounters counters_;
  Message rx_;  // reused receive buffer
  // onRelease notifications held back while a group operation updates many circuits, so
  // that a user reacting to one sees every circuit of the group in its new state.
  std::vector<std::pair<CallId, ReleaseInfo>> deferred_;
  int defer_depth_ = 0;
  bool started_ = false;
};

}  // namespace siptgw::isup
