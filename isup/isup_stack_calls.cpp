// Call control, ITU-T Q.764 §2.1–§2.4 and the abnormal cases of §2.9.1 (dual seizure),
// §2.9.5.1 (unexpected messages), §2.9.6 (T1/T5) and §2.9.8.3 (T7, T9, T35...).
//
// Transitions (state × event → action, next state):
//   Idle          × setup()        → IAM, T7                          → AwaitingAcm      §2.1.1
//   AwaitingAcm   × sendSam()      → SAM, restart T7                  → AwaitingAcm      §2.1.2
//   AwaitingAcm   × ACM            → stop T7, start T9                → AwaitingAnswer   §2.1.4
//   AwaitingAcm   × CON            → stop T7                          → Answered         §2.1.4.2
//   AwaitingAnswer× CPG            → (user)                           → AwaitingAnswer   §2.1.5
//   AwaitingAnswer× ANM            → stop T9                          → Answered         §2.1.7
//   AwaitingAcm   × T7             → REL 102, T1+T5                   → AwaitingRlc      §2.9.8.3
//   AwaitingAnswer× T9             → REL 19, T1+T5                    → AwaitingRlc      §2.9.8.3/Q.118
//   AwaitingAcm   × IAM (same CIC) → controlling: discard it; else back off and repeat on
//                                    another circuit, take the incoming call  §2.9.1.4
//   Idle          × IAM (COT asked)→ T8                               → AwaitingContinuity §2.1.8
//   AwaitingContinuity × COT ok    → stop T8, offer                   → Offered/CollectingDigits
//   AwaitingContinuity × COT fail  → stop T8, drop call; this circuit: T27 (await CCR)  §2.1.8
//   AwaitingContinuity × T8        → REL 102                          → AwaitingRlc
//   Idle          × IAM            → offer (overlap: T35)             → Offered/CollectingDigits §2.1.1/2.1.2
//   CollectingDigits × SAM         → restart T35 (ST: stop)           → CollectingDigits/Offered
//   CollectingDigits × T35         → REL 28                           → AwaitingRlc      §2.1.2.1
//   Offered/Coll. × sendAcm()      → ACM, stop T35                    → Alerting
//   Offered/Coll. × sendCon()      → CON                              → Answered
//   Alerting      × sendAnm()      → ANM                              → Answered
//   Answered      × SUS user/net   → T2/T6                            → Answered(suspended) §2.4
//   Answered(s)   × RES            → stop T2/T6                       → Answered
//   Answered(s)   × T2/T6          → REL 102                          → AwaitingRlc
//   any           × sendInr()      → INR, T33; INF stops it; T33 → REL 102 + alert §2.1.6
//   any but AwaitingRlc × release()→ REL, T1+T5                       → AwaitingRlc      §2.3.1
//   AwaitingRlc   × T1             → REL again, T1                                      §2.9.6
//   AwaitingRlc   × T5             → stop T1, RSC + T17, alert; call ends                §2.9.6
//   AwaitingRlc   × RLC            → stop T1/T5                       → Idle             §2.3.1
//   AwaitingRlc   × REL            → RLC                              → Idle             §2.3.1 (collision)
//   any other     × REL            → RLC                              → Idle             §2.3.2
//   no call       × REL            → RLC                                                 §2.9.5.1
//   no call       × RLC            → discard                                             §2.9.5.1
//   no call       × other call msg → RSC (reset the circuit)                             §2.9.5.1
//   call          × unexpected msg → discard (counted)                                   §2.9.5.1
#include <algorithm>
#include <memory>

#include "isup/isup_stack_internal.h"

namespace siptgw::isup {

std::string_view callStateName(uint8_t s) {
  static constexpr std::string_view kNames[] = {"AwaitingAcm", "AwaitingAnswer", "AwaitingContinuity",
                                                "CollectingDigits", "Offered", "Alerting",
                                                "Answered", "AwaitingRlc"};
  return s < std::size(kNames) ? kNames[s] : "?";
}

std::string IsupStack::callStateName(CallId id) const {
  const Call* c = findCall(id);
  return c ? std::string(isup::callStateName(static_cast<uint8_t>(c->state))) : std::string();
}

IsupStack::Call* IsupStack::findCall(CallId id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : it->second.get();
}
const IsupStack::Call* IsupStack::findCall(CallId id) const {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : it->second.get();
}

IsupStack::Call* IsupStack::callOnCircuit(uint32_t ci) {
  const uint32_t id = circuits_[ci].call_id;
  return id ? findCall(id) : nullptr;
}

std::optional<uint16_t> IsupStack::cicOf(CallId id) const {
  const Call* c = findCall(id);
  if (!c || c->circuit == kNone) return std::nullopt;
  return circuits_[c->circuit].cic;
}

IsupStack::Call& IsupStack::newCall(uint32_t ci, bool outgoing) {
  do {
    ++next_call_;
  } while (next_call_ == 0 || calls_.count(next_call_));
  std::unique_ptr<Call>& p = spare_calls_.insert(calls_, next_call_);
  if (!p) p = std::make_unique<Call>(timers_);
  Call& c = *p;
  c.id = next_call_;
  c.circuit = ci;
  c.outgoing = outgoing;
  Circuit& cc = circuits_[ci];
  cc.call = outgoing ? CircuitCall::OutgoingBusy : CircuitCall::IncomingBusy;
  cc.call_id = c.id;
  ++counters_.calls_started;
  return c;
}

void IsupStack::endCall(Call& c, const ReleaseInfo& info) {
  const CallId id = c.id;
  const bool visible = c.visible;
  if (c.circuit != kNone && circuits_[c.circuit].call_id == id) {
    circuits_[c.circuit].call = CircuitCall::Idle;
    circuits_[c.circuit].call_id = 0;
  }
  // c is gone: a kept one is a fresh Call again (timers stopped, IAM released).
  spare_calls_.erase(calls_, id, [this](std::unique_ptr<Call>& p) {
    dropIam(*p);
    std::destroy_at(p.get());
    std::construct_at(p.get(), timers_);
  });
  ++counters_.calls_ended;
  if (!visible || !user_) return;
  if (defer_depth_ > 0) {
    ReleaseInfo copy = info;
    copy.rel = nullptr;
    deferred_.emplace_back(id, copy);
    return;
  }
  user_->onRelease(id, info);
}

void IsupStack::flushReleases() {
  if (defer_depth_ > 0) return;
  auto pending = std::move(deferred_);
  deferred_.clear();
  for (const auto& [id, info] : pending)
    if (user_) user_->onRelease(id, info);
}

void IsupStack::releaseLocally(Call& c, ReleaseOrigin origin, uint8_t cause) {
  ReleaseInfo info{origin, cause, cfg_.location, nullptr};
  endCall(c, info);
}

std::optional<uint32_t> IsupStack::selectCircuit(uint16_t group, uint32_t exclude) {
  const auto& list = group_circuits_[group];
  const CircuitGroupConfig& g = groups_[group];
  auto ok = [&](uint32_t ci) { return ci != exclude && circuits_[ci].selectable(); };
  switch (g.selection) {
    case Selection::Sequential:
      for (uint32_t ci : list)
        if (ok(ci)) return ci;
      return std::nullopt;
    case Selection::RoundRobin: {
      const std::size_t n = list.size();
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t pos = (rr_next_[group] + k) % n;
        if (ok(list[pos])) {
          rr_next_[group] = static_cast<uint32_t>((pos + 1) % n);
          return list[pos];
        }
      }
      return std::nullopt;
    }
    case Selection::DualSeizureControl:
      // §2.9.1.3: our controlled circuits first (ascending), then the others from the top
      // down, so that the two exchanges meet on the same circuit as late as possible.
      for (uint32_t ci : list)
        if (ok(ci) && controls(g.dpc, circuits_[ci].cic)) return ci;
      for (auto it = list.rbegin(); it != list.rend(); ++it)
        if (ok(*it) && !controls(g.dpc, circuits_[*it].cic)) return *it;
      return std::nullopt;
  }
  return std::nullopt;
}

void IsupStack::startTimer(Call& c, IsupTimer t) {
  Timer* tm = nullptr;
  switch (t) {
    case IsupTimer::T1: tm = &c.t1; break;
    case IsupTimer::T5: tm = &c.t5; break;
    case IsupTimer::T7: tm = &c.t7; break;
    case IsupTimer::T8: tm = &c.t8; break;
    case IsupTimer::T9: tm = &c.t9; break;
    case IsupTimer::T2: tm = &c.t2; break;
    case IsupTimer::T6: tm = &c.t6; break;
    case IsupTimer::T33: tm = &c.t33; break;
    case IsupTimer::T35: tm = &c.t35; break;
    default: return;
  }
  const CallId id = c.id;
  tm->start(cfg_.timers.ms(t), [this, id, t] { timerExpired(id, t); });
}

// Outgoing IAMs are kept (for repeat attempts) from setup() to the first backward
// message: their 1.9 KB Message objects are reused instead of allocated per call.
std::unique_ptr<Message> IsupStack::keepMessage(Message&& m) {
  if (spare_msgs_.empty()) return std::make_unique<Message>(std::move(m));
  std::unique_ptr<Message> p = std::move(spare_msgs_.back());
  spare_msgs_.pop_back();
  *p = std::move(m);
  return p;
}

void IsupStack::dropIam(Call& c) {
  if (!c.iam) return;
  if (spare_msgs_.size() < kSpareMessages) {
    spare_msgs_.push_back(std::move(c.iam));
  } else {
    c.iam.reset();
  }
}

// ---- requests ----

Result<CallId, SetupError> IsupStack::setup(uint16_t group, Message&& iam) {
  if (group >= groups_.size()) return Unexpected{SetupError::NoSuchGroup};
  const CircuitGroupConfig& g = groups_[group];
  if (g.direction == GroupDirection::IncomingOnly) return Unexpected{SetupError::NotOutgoing};
  Destination& d = dest(g.dpc);
  if (d.paused || d.upu || !mtp_.available(g.dpc)) return Unexpected{SetupError::DestinationUnavailable};
  // §2.10: after MTP congestion, admit (4 - reduce) of every 4 new calls.
  if (d.reduce > 0 && (d.admit_counter++ % 4) < d.reduce) return Unexpected{SetupError::Congested};
  auto ci = selectCircuit(group, kNone);
  if (!ci) return Unexpected{SetupError::NoCircuit};
  Call& c = newCall(*ci, true);
  c.visible = true;
  c.iam = keepMessage(std::move(iam));
  c.iam->type = MessageType::IAM;
  if (const auto* nci = c.iam->get<NatureOfConnectionIndicators>(ParamCode::NatureOfConnectionIndicators))
    c.continuity_expected = nci->continuity_check == 1 || nci->continuity_check == 2;  // we owe a COT (§2.1.8)
  c.state = CallState::AwaitingAcm;
  if (!sendIam(c)) {
    c.visible = false;
    endCall(c, {});
    return Unexpected{mtp_.available(g.dpc) ? SetupError::EncodeFailed : SetupError::DestinationUnavailable};
  }
  startTimer(c, IsupTimer::T7);
  return c.id;
}

bool IsupStack::sendIam(Call& c) {
  if (!c.iam) return false;
  c.iam->cic = circuits_[c.circuit].cic;
  return send(dpcOf(c.circuit), *c.iam);
}

bool IsupStack::sendInCall(Call& c, Message& m) {
  m.cic = circuits_[c.circuit].cic;
  return send(dpcOf(c.circuit), m);
}

bool IsupStack::sendSam(CallId id, Message&& sam) {
  Call* c = findCall(id);
  if (!c || !c->outgoing || c->state != CallState::AwaitingAcm) return false;
  sam.type = MessageType::SAM;
  if (!sendInCall(*c, sam)) return false;
  startTimer(*c, IsupTimer::T7);  // T7 runs from the latest address message
  return true;
}

bool IsupStack::sendCot(CallId id, bool success) {
  Call* c = findCall(id);
  if (!c || !c->outgoing || !c->continuity_expected) return false;
  if (c->state == CallState::AwaitingRlc) return false;
  Message m = makeMessage(cfg_.variant, MessageType::COT);
  m.get<ContinuityIndicators>(ParamCode::ContinuityIndicators)->continuity = success ? 1 : 0;
  c->continuity_expected = false;
  return sendInCall(*c, m);
}

bool IsupStack::sendAcm(CallId id, Message&& acm) {
  Call* c = findCall(id);
  if (!c || c->outgoing || (c->state != CallState::Offered && c->state != CallState::CollectingDigits)) return false;
  acm.type = MessageType::ACM;
  if (!sendInCall(*c, acm)) return false;
  c->t35.stop();
  c->state = CallState::Alerting;
  return true;
}

bool IsupStack::sendCon(CallId id, Message&& con) {
  Call* c = findCall(id);
  if (!c || c->outgoing || (c->state != CallState::Offered && c->state != CallState::CollectingDigits)) return false;
  con.type = MessageType::CON;
  if (!sendInCall(*c, con)) return false;
  c->t35.stop();
  c->state = CallState::Answered;
  return true;
}

bool IsupStack::sendAnm(CallId id, Message&& anm) {
  Call* c = findCall(id);
  if (!c || c->outgoing || c->state != CallState::Alerting) return false;
  anm.type = MessageType::ANM;
  if (!sendInCall(*c, anm)) return false;
  c->state = CallState::Answered;
  return true;
}

bool IsupStack::sendCpg(CallId id, Message&& cpg) {
  Call* c = findCall(id);
  if (!c) return false;
  const bool ok = c->state == CallState::Alerting || c->state == CallState::Answered ||
                  c->state == CallState::AwaitingAnswer;
  if (!ok) return false;
  cpg.type = MessageType::CPG;
  return sendInCall(*c, cpg);
}

bool IsupStack::sendSus(CallId id, bool network) {
  Call* c = findCall(id);
  if (!c || c->state != CallState::Answered) return false;
  Message m = makeMessage(cfg_.variant, MessageType::SUS);
  m.get<SuspendResumeIndicators>(ParamCode::SuspendResumeIndicators)->suspend_resume = network ? 1 : 0;
  return sendInCall(*c, m);
}

bool IsupStack::sendRes(CallId id, bool network) {
  Call* c = findCall(id);
  if (!c || c->state != CallState::Answered) return false;
  Message m = makeMessage(cfg_.variant, MessageType::RES);
  m.get<SuspendResumeIndicators>(ParamCode::SuspendResumeIndicators)->suspend_resume = network ? 1 : 0;
  return sendInCall(*c, m);
}

bool IsupStack::sendInr(CallId id, Message&& inr) {
  Call* c = findCall(id);
  if (!c || c->state == CallState::AwaitingRlc) return false;
  inr.type = MessageType::INR;
  if (!sendInCall(*c, inr)) return false;
  startTimer(*c, IsupTimer::T33);
  return true;
}

bool IsupStack::sendInf(CallId id, Message&& inf) {
  Call* c = findCall(id);
  if (!c || c->state == CallState::AwaitingRlc) return false;
  inf.type = MessageType::INF;
  return sendInCall(*c, inf);
}

bool IsupStack::sendOther(CallId id, Message&& m) {
  Call* c = findCall(id);
  if (!c || c->state == CallState::AwaitingRlc) return false;
  return sendInCall(*c, m);
}

bool IsupStack::release(CallId id, uint8_t cause, std::optional<uint8_t> location) {
  Call* c = findCall(id);
  if (!c || c->state == CallState::AwaitingRlc) return false;
  c->rel_origin = ReleaseOrigin::Local;
  sendRel(*c, cause, location.value_or(cfg_.location));
  return true;
}

void IsupStack::sendRel(Call& c, uint8_t cause, uint8_t location, std::optional<uint8_t> diag) {
  c.stopCallTimers();
  c.rel_cause = cause;
  c.rel_location = location;
  c.state = CallState::AwaitingRlc;
  Message m = causeMessage(MessageType::REL, circuits_[c.circuit].cic, cause, diag);
  m.get<CauseIndicators>(ParamCode::CauseIndicators)->location = location;
  send(dpcOf(c.circuit), m);
  // §2.9.6: T1 repeats the REL; T5, from the initial REL only, gives up.
  startTimer(c, IsupTimer::T1);
  if (!c.t5.running() && !c.t5_expired) startTimer(c, IsupTimer::T5);
}

IsupStack::Call* IsupStack::takeRepeatable(uint32_t ci) {
  Call* c = callOnCircuit(ci);
  if (!c || !c->outgoing || c->state != CallState::AwaitingAcm || !c->iam) return nullptr;
  circuits_[ci].call = CircuitCall::Idle;  // the reset or blocking no longer finds it there
  circuits_[ci].call_id = 0;
  return c;
}

void IsupStack::repeatAttempt(Call& c, bool release_old) {
  // §2.9.1.4 / §2.12 / §2.8.2.1: the call is set up again on another circuit of the group.
  const uint32_t old = c.circuit;
  const uint16_t group = circuits_[old].group;
  c.stopCallTimers();
  if (circuits_[old].call_id == c.id) {
    circuits_[old].call = CircuitCall::Idle;
    circuits_[old].call_id = 0;
  }
  c.circuit = kNone;
  if (release_old) {
    // The old circuit is released on its own (REL, T1/T5); nobody above sees that call.
    Call& ghost = newCall(old, true);
    ghost.rel_origin = ReleaseOrigin::Local;
    sendRel(ghost, 41, cfg_.location);
  }
  std::optional<uint32_t> ci;
  if (c.repeats < cfg_.max_repeat_attempts) ci = selectCircuit(group, old);
  if (!ci) {
    endCall(c, {ReleaseOrigin::SetupFailed, 34, cfg_.location, nullptr});
    return;
  }
  ++c.repeats;
  ++counters_.repeat_attempts;
  c.circuit = *ci;
  circuits_[*ci].call = CircuitCall::OutgoingBusy;
  circuits_[*ci].call_id = c.id;
  c.state = CallState::AwaitingAcm;
  sendIam(c);
  startTimer(c, IsupTimer::T7);
}

// ---- timers ----

void IsupStack::timerExpired(CallId id, IsupTimer t) {
  Call* c = findCall(id);
  if (!c) return;
  switch (t) {
    case IsupTimer::T1: {  // re-send the REL (§2.9.6)
      Message m = causeMessage(MessageType::REL, circuits_[c->circuit].cic, c->rel_cause, std::nullopt);
      m.get<CauseIndicators>(ParamCode::CauseIndicators)->location = c->rel_location;
      send(dpcOf(c->circuit), m);
      startTimer(*c, IsupTimer::T1);
      return;
    }
    case IsupTimer::T5: {  // stop repeating REL, reset the circuit, alert (§2.9.6)
      c->t1.stop();
      c->t5_expired = true;
      const uint32_t ci = c->circuit;
      alert(MaintenanceAlert::T5Expired, dpcOf(ci), circuits_[ci].cic);
      startReset(ci, /*due_to_t5=*/true);  // the call is ended by the reset
      return;
    }
    case IsupTimer::T7:
      c->rel_origin = ReleaseOrigin::Timeout;
      sendRel(*c, 102, cfg_.location);
      return;
    case IsupTimer::T9:  // Q.118: no answer
      c->rel_origin = ReleaseOrigin::Timeout;
      sendRel(*c, 19, cfg_.location);
      return;
    case IsupTimer::T8:
      c->rel_origin = ReleaseOrigin::Timeout;
      sendRel(*c, 102, cfg_.location);
      return;
    case IsupTimer::T35:  // §2.1.2.1: address incomplete
      c->rel_origin = ReleaseOrigin::Timeout;
      sendRel(*c, 28, cfg_.location);
      return;
    case IsupTimer::T2:
    case IsupTimer::T6:
      c->rel_origin = ReleaseOrigin::Timeout;
      sendRel(*c, 102, cfg_.location);
      return;
    case IsupTimer::T33:
      alert(MaintenanceAlert::InformationNotReceived, dpcOf(c->circuit), circuits_[c->circuit].cic);
      c->rel_origin = ReleaseOrigin::Timeout;
      sendRel(*c, 102, cfg_.location);
      return;
    default:
      return;
  }
}

// ---- received messages ----

void IsupStack::onCallMessage(uint32_t dpc, uint32_t ci, const Message& m) {
  switch (m.type) {
    case MessageType::IAM: onIam(dpc, ci, m); return;
    case MessageType::REL: {
      const auto* cause = m.get<CauseIndicators>(ParamCode::CauseIndicators);
      if (const auto* acl = m.get<Octet>(ParamCode::AutomaticCongestionLevel)) {
        // §2.11: the next exchange is congested; tell the layer that routes calls.
        dest(dpc).acl = acl->value;
        if (user_) user_->onCongestion(dpc, acl->value);
      }
      onRel(dpc, ci, &m, cause ? cause->cause : 31, cause ? cause->location : 0);
      return;
    }
    case MessageType::RLC: onRlc(dpc, ci); return;
    default: break;
  }
  Call* c = callOnCircuit(ci);
  if (!c) {
    if (m.type == MessageType::CFN) return;  // nothing to confuse
    if (circuits_[ci].flags & kAwaitingResetAck) return;  // our reset is in progress
    onUnexpected(dpc, ci, m);
    return;
  }
  const CallId id = c->id;
  const CallState s = c->state;
  switch (m.type) {
    case MessageType::SAM:
      if (s == CallState::CollectingDigits || s == CallState::AwaitingContinuity) {
        const auto* sn = m.get<Number>(ParamCode::SubsequentNumber);
        const bool st = sn && sn->digits.view().find('F') != std::string_view::npos;
        // Not offered yet (awaiting COT): the digits join the IAM the user will get.
        Number* called = (sn && c->iam) ? c->iam->get<Number>(ParamCode::CalledPartyNumber) : nullptr;
        if (called)
          for (char ch : sn->digits.view())
            if (called->digits.size() < Digits::kMax)
              called->digits.pushNibble(static_cast<uint8_t>(ch <= '9' ? ch - '0' : ch - 'A' + 10));
        if (s == CallState::AwaitingContinuity) return;  // digits kept for the offer
        if (st) {
          c->t35.stop();
          c->state = CallState::Offered;
        } else {
          startTimer(*c, IsupTimer::T35);
        }
        if (user_) user_->onSubsequentAddress(id, m);
        return;
      }
      break;
    case MessageType::COT:
      if (s == CallState::AwaitingContinuity) {
        c->t8.stop();
        const auto* ind = m.get<ContinuityIndicators>(ParamCode::ContinuityIndicators);
        if (ind && ind->continuity == 1) {
          // The IAM kept since it arrived is the user's now: an offered call keeps no copy.
          const std::unique_ptr<Message> iam = std::move(c->iam);
          offerIncoming(*c, *iam);
          return;
        }
        // §2.1.8: continuity failed. The call goes without REL; when the check was on this
        // circuit the preceding exchange re-tests it: wait for CCR under T27.
        const bool this_circuit = c->continuity_this_circuit;
        endCall(*c, {});
        if (this_circuit) {
          circuits_[ci].flags |= kAwaitingCcr;
          proc(ci).t27.start(cfg_.timers.ms(IsupTimer::T27), [this, ci] { continuityRecheckExpired(ci, IsupTimer::T27); });
        }
        return;
      }
      break;
    case MessageType::ACM:
      if (c->outgoing && s == CallState::AwaitingAcm) {
        c->t7.stop();
        dropIam(*c);  // no repeat attempt after a backward message
        c->state = CallState::AwaitingAnswer;
        if (cfg_.use_t9) startTimer(*c, IsupTimer::T9);
        if (user_) user_->onAddressComplete(id, m);
        return;
      }
      break;
    case MessageType::CON:
      if (c->outgoing && s == CallState::AwaitingAcm) {
        c->t7.stop();
        dropIam(*c);
        c->state = CallState::Answered;
        if (user_) user_->onAnswer(id, m);
        return;
      }
      break;
    case MessageType::ANM:
      if (c->outgoing && (s == CallState::AwaitingAnswer || s == CallState::AwaitingAcm)) {
        c->t7.stop();
        c->t9.stop();
        dropIam(*c);
        c->state = CallState::Answered;
        if (user_) user_->onAnswer(id, m);
        return;
      }
      break;
    case MessageType::CPG:
      if (s == CallState::AwaitingAnswer || s == CallState::Answered || s == CallState::Alerting) {
        if (user_) user_->onProgress(id, m);
        return;
      }
      break;
    case MessageType::SUS:
      if (s == CallState::Answered) {
        const auto* ind = m.get<SuspendResumeIndicators>(ParamCode::SuspendResumeIndicators);
        c->suspended = true;
        startTimer(*c, ind && ind->suspend_resume == 1 ? IsupTimer::T6 : IsupTimer::T2);
        if (user_) user_->onSuspend(id, m);
        return;
      }
      break;
    case MessageType::RES:
      if (s == CallState::Answered) {
        c->suspended = false;
        c->t2.stop();
        c->t6.stop();
        if (user_) user_->onResume(id, m);
        return;
      }
      break;
    case MessageType::INR:
      if (s != CallState::AwaitingRlc) {
        if (user_) user_->onInformationRequest(id, m);
        return;
      }
      break;
    case MessageType::INF:
      if (c->t33.running()) {
        c->t33.stop();
        if (user_) user_->onInformation(id, m);
        return;
      }
      break;
    case MessageType::CFN:
      if (user_ && c->visible) user_->onOtherMessage(id, m);
      return;
    default:
      if (s != CallState::AwaitingRlc && s != CallState::AwaitingContinuity) {
        if (user_ && c->visible) user_->onOtherMessage(id, m);
        return;
      }
      break;
  }
  // §2.9.5.1: an unexpected message in a call is discarded.
  ++counters_.unexpected;
}

void IsupStack::onUnexpected(uint32_t dpc, uint32_t ci, const Message& m) {
  (void)dpc;
  (void)m;
  // §2.9.5.1: unreasonable signalling on an idle circuit: reset it.
  ++counters_.unexpected;
  startReset(ci, false);
}

void IsupStack::onIam(uint32_t dpc, uint32_t ci, const Message& m) {
  Circuit& cc = circuits_[ci];
  if (cc.call == CircuitCall::OutgoingBusy) {
    Call* out = callOnCircuit(ci);
    if (out && out->outgoing && out->state == CallState::AwaitingAcm) {
      // §2.9.1.4 dual seizure: the controlling exchange's call completes; the other backs
      // off and tries again on another circuit.
      ++counters_.dual_seizures;
      if (controls(dpc, cc.cic)) return;  // our call wins; their IAM is ignored
      repeatAttempt(*out, /*release_old=*/false);
    } else {
      ++counters_.unexpected;
      return;
    }
  } else if (cc.call != CircuitCall::Idle || (cc.flags & kAwaitingResetAck)) {
    ++counters_.unexpected;
    return;
  }
  if (cc.flags & kAwaitingCcr) {
    // A new IAM replaces the awaited re-check (the peer gave up on it).
    cc.flags &= static_cast<uint8_t>(~kAwaitingCcr);
    if (auto it = procs_.find(ci); it != procs_.end()) {
      it->second->t27.stop();
      it->second->t36.stop();
      dropProcIfIdle(ci);
    }
  }
  const auto* cpc = m.get<Octet>(ParamCode::CallingPartysCategory);
  const bool test_call = cpc && cpc->value == 13;
  // §2.8.2.1: an IAM on a circuit the peer blocked removes that (maintenance) blocking.
  cc.blocking &= static_cast<uint8_t>(~kRemoteMaint);
  if ((cc.blocking & kLocalMaint) && !test_call) {
    // Locally blocked: remind the peer (it releases and re-attempts elsewhere).
    sendSimple(dpc, cc.cic, MessageType::BLO);
    return;
  }
  if (cc.blocking & (kLocalHw | kRemoteHw)) {
    ++counters_.unexpected;
    return;
  }
  Call& c = newCall(ci, false);
  if (groups_[cc.group].direction == GroupDirection::OutgoingOnly) {
    sendRel(c, 34, cfg_.location);  // no circuit available for incoming calls here
    return;
  }
  const auto* nci = m.get<NatureOfConnectionIndicators>(ParamCode::NatureOfConnectionIndicators);
  if (nci && (nci->continuity_check == 1 || nci->continuity_check == 2)) {
    // §2.1.8: do not offer the call before the COT; keep the IAM until then.
    c.iam = std::make_unique<Message>(m);
    c.continuity_this_circuit = nci->continuity_check == 1;
    c.state = CallState::AwaitingContinuity;
    startTimer(c, IsupTimer::T8);
    return;
  }
  offerIncoming(c, m);  // straight from the receive buffer: no copy of the IAM
}

void IsupStack::offerIncoming(Call& c, const Message& iam) {
  bool overlap = false;
  if (cfg_.incoming_overlap) {
    const auto* called = iam.get<Number>(ParamCode::CalledPartyNumber);
    const auto v = called ? called->digits.view() : std::string_view();
    overlap = v.empty() || v.back() != 'F';
  }
  c.visible = true;
  c.state = overlap ? CallState::CollectingDigits : CallState::Offered;
  if (overlap) startTimer(c, IsupTimer::T35);
  if (user_) user_->onIncomingSetup(c.id, iam, overlap);
}

void IsupStack::onRel(uint32_t dpc, uint32_t ci, const Message* m, uint8_t cause, uint8_t location) {
  Circuit& cc = circuits_[ci];
  // A REL ends any continuity re-check wait on the circuit (§2.1.8).
  if (cc.flags & kAwaitingCcr) cc.flags &= static_cast<uint8_t>(~kAwaitingCcr);
  if (auto it = procs_.find(ci); it != procs_.end()) {
    it->second->t27.stop();
    it->second->t36.stop();
    dropProcIfIdle(ci);
  }
  sendSimple(dpc, cc.cic, MessageType::RLC);
  Call* c = callOnCircuit(ci);
  if (!c) return;  // §2.9.5.1: REL on an idle circuit is answered with RLC
  if (c->state == CallState::AwaitingRlc) {
    // Both ends released (§2.3.1): our release is complete too.
    endCall(*c, {c->rel_origin, c->rel_cause, c->rel_location, nullptr});
    return;
  }
  endCall(*c, {ReleaseOrigin::Remote, cause, location, m});
}

void IsupStack::onRlc(uint32_t dpc, uint32_t ci) {
  Circuit& cc = circuits_[ci];
  bool expected = false;
  if (cc.flags & kAwaitingResetAck) {
    // §2.9.3.1: RLC acknowledges our RSC.
    cc.flags &= static_cast<uint8_t>(~kAwaitingResetAck);
    if (auto it = procs_.find(ci); it != procs_.end()) {
      it->second->t16.stop();
      it->second->t17.stop();
      dropProcIfIdle(ci);
    }
    expected = true;
  }
  Call* c = callOnCircuit(ci);
  if (c && c->state == CallState::AwaitingRlc) {
    endCall(*c, {c->rel_origin, c->rel_cause, c->rel_location, nullptr});
    return;
  }
  if (c) {
    // RLC for a busy circuit we did not release: drop the call and reset the circuit.
    ++counters_.unexpected;
    startReset(ci, false);
    return;
  }
  if (!expected) ++counters_.unexpected;  // §2.9.5.1: discarded
  (void)dpc;
}

}  // namespace siptgw::isup
