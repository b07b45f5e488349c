// A far-end exchange for tests, demos and load: an IsupStack over any MtpProvider, driven
// by terminating rules (by called-number prefix) and originating plans, counting what it
// did. Usable in-process (InProcessLink) and, later, as its own process over M3UA.
//
// Terminating rule timeline, in ms from the moment the called number is complete:
//   ring_after_ms → ACM (called party status "subscriber free", OBCI in-band info if asked);
//   cpg[i] → CPG with that event, ms after the ACM; answer_after_ms → ANM (CON when no ACM
//   was sent); hold_ms after answer → REL; release_after_ms → REL with the rule's cause and
//   location (a failed call); none of answer/release = never answer (the caller's T9 or
//   user ends it). overlap_digits: the call waits for SAMs until the number has that many
//   digits. Originating plans place calls at an interval to numbers with a hold time,
//   optionally in overlap (IAM with the first digits, then SAMs) or asking for continuity
//   (IAM: check on a previous circuit, then COT).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "config/spare_nodes.h"
#include "isup/isup_stack.h"

namespace siptgw::isup {

struct TerminatingRule {
  std::string prefix;                 // "" matches every number
  int32_t ring_after_ms = 0;          // <0: no ACM
  bool inband = false;                // ACM says in-band information is available (OBCI)
  std::vector<std::pair<uint32_t, uint8_t>> cpg;  // (ms after ACM, event information event)
  int32_t answer_after_ms = -1;       // <0: never answer
  int32_t hold_ms = -1;               // after answer: REL (cause 16); <0: the caller releases
  int32_t release_after_ms = -1;      // <0: no release; else REL with release_cause
  uint8_t release_cause = 16;
  uint8_t release_location = 0;
  uint32_t overlap_digits = 0;        // wait for SAMs until the called number has this many
};

struct OriginatingPlan {
  uint16_t group = 0;
  std::vector<std::string> numbers;   // used in turn
  std::string calling = "1000";
  uint32_t calls = 1;
  uint32_t interval_ms = 1000;        // between attempts (1000 / calls per second)
  int32_t hold_ms = 1000;             // after answer, then REL cause 16; <0: never
  uint32_t overlap_initial = 0;       // >0: IAM with this many digits, then one SAM per digit
  uint32_t sam_interval_ms = 100;
  bool continuity = false;            // NCI: check on previous circuit; COT after cot_after_ms
  uint32_t cot_after_ms = 0;
};

struct SimCounters {
  uint64_t incoming = 0, outgoing_attempts = 0, outgoing_rejected = 0;
  uint64_t acm_sent = 0, cpg_sent = 0, anm_sent = 0, con_sent = 0, rel_sent = 0;
  uint64_t sam_sent = 0, sam_received = 0, cot_sent = 0;
  uint64_t acm_received = 0, cpg_received = 0, answered = 0;
  uint64_t released_remote = 0, released = 0, completed_answered = 0;
  uint64_t maintenance_actions = 0, alerts = 0, unmatched = 0;
  uint64_t outgoing_held = 0;                  // plan ticks skipped while origination was held
  std::array<uint64_t, 128> release_cause{};   // calls ended, by Q.850 cause (onRelease)
};

class ExchangeSimulator final : public IsupUser {
 public:
  ExchangeSimulator(TimerService& timers, MtpProvider& mtp, StackConfig cfg,
                    const std::vector<CircuitGroupConfig>& groups);
  ~ExchangeSimulator() override;

  IsupStack& stack() { return *stack_; }
  void start() { stack_->start(); }
  void addRule(TerminatingRule r) { rules_.push_back(std::move(r)); }
  // Starts placing the plan's calls (the first one now).
  void originate(OriginatingPlan plan);
  const SimCounters& counters() const { return counters_; }
  // Every call of the current plan placed (or none started).
  bool planDone() const { return placed_ >= plan_.calls || plan_.numbers.empty(); }
  // While held, the plan's ticks place no call (and do not use up the plan's count): for
  // MTP-PAUSE until the circuits are reset after MTP-RESUME.
  void holdOriginating(bool held) { held_ = held; }
  bool originatingHeld() const { return held_; }
  std::size_t callsInProgress() const { return calls_.size(); }

  // Maintenance on demand (each counted).
  bool groupReset(uint32_t dpc, uint16_t first, uint8_t count);
  bool groupBlock(uint32_t dpc, uint16_t first, uint8_t count, bool hardware, uint32_t mask = 0);
  bool groupUnblock(uint32_t dpc, uint16_t first, uint8_t count, bool hardware, uint32_t mask = 0);
  bool block(uint32_t dpc, uint16_t cic);
  bool unblock(uint32_t dpc, uint16_t cic);
  bool reset(uint32_t dpc, uint16_t cic);

  // A ready-to-send IAM (national numbers, ISDN all the way, ordinary subscriber, speech).
  static Message makeIam(Variant v, std::string_view called, std::string_view calling, bool continuity = false);

  // IsupUser
  void onIncomingSetup(CallId, const Message& iam, bool overlap) override;
  void onSubsequentAddress(CallId, const Message& sam) override;
  void onAddressComplete(CallId, const Message& acm) override;
  void onProgress(CallId, const Message& cpg) override;
  void onAnswer(CallId, const Message& anm) override;
  void onRelease(CallId, const ReleaseInfo&) override;
  void onMaintenance(MaintenanceAlert, uint32_t, uint16_t) override { ++counters_.alerts; }

 private:
  enum class Act : uint8_t { Acm, Cpg, Anm, Rel, Sam, Cot };
  struct Step {
    uint64_t at;  // absolute ms on the timer service's clock
    Act act;
    uint8_t arg;  // CPG event, REL cause, SAM digit
    uint8_t arg2; // REL location
  };
  struct SimCall {
    explicit SimCall(TimerService& s) : timer(s) {}
    CallId id = 0;
    bool outgoing = false;
    bool acm_sent = false;
    const TerminatingRule* rule = nullptr;
    std::size_t digits = 0;
    int32_t hold_ms = -1;
    bool started = false;
    // Sorted by `at`; inline room for a usual call (ACM, CPGs, ANM, REL) so a simulated call
    // does not allocate for its script.
    boost::container::small_vector<Step, 4> steps;
    std::size_t next = 0;
    Timer timer;
  };
  const TerminatingRule* match(std::string_view digits) const;
  void startTerminating(SimCall& c);
  void schedule(SimCall& c);
  void runStep(CallId id);
  void placeNext();

  TimerService& timers_;
  std::unique_ptr<IsupStack> stack_;
  std::vector<TerminatingRule> rules_;
  std::unordered_map<CallId, std::unique_ptr<SimCall>> calls_;
  SpareNodes<std::unordered_map<CallId, std::unique_ptr<SimCall>>, 256> spare_calls_;
  SimCall& newCall(CallId id);  // a fresh SimCall in calls_ (a kept one when there is one)
  OriginatingPlan plan_;
  uint32_t placed_ = 0;
  bool held_ = false;
  Timer plan_timer_;
  SimCounters counters_;
};

}  // namespace siptgw::isup
