#include "isup/exchange_sim.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace siptgw::isup {

ExchangeSimulator::ExchangeSimulator(TimerService& timers, MtpProvider& mtp, StackConfig cfg,
                                     const std::vector<CircuitGroupConfig>& groups)
    : timers_(timers), stack_(std::make_unique<IsupStack>(timers, mtp, std::move(cfg))), plan_timer_(timers) {
  stack_->setUser(this);
  for (const auto& g : groups) {
    auto r = stack_->addGroup(g);
    if (!r) throw std::invalid_argument(r.error());  // configuration error: programming/startup
  }
}

ExchangeSimulator::~ExchangeSimulator() {
  stack_->setUser(nullptr);
  calls_.clear();
}

Message ExchangeSimulator::makeIam(Variant v, std::string_view called, std::string_view calling, bool continuity) {
  Message m = makeMessage(v, MessageType::IAM);
  auto* nci = m.get<NatureOfConnectionIndicators>(ParamCode::NatureOfConnectionIndicators);
  nci->continuity_check = continuity ? 2 : 0;
  auto* fci = m.get<ForwardCallIndicators>(ParamCode::ForwardCallIndicators);
  fci->isdn_user_part = 1;
  fci->end_to_end_method = 0;
  m.get<Octet>(ParamCode::CallingPartysCategory)->value = 10;  // ordinary calling subscriber
  if (auto* tmr = m.get<Octet>(ParamCode::TransmissionMediumRequirement)) tmr->value = 0;  // speech
  auto* cdpn = m.get<Number>(ParamCode::CalledPartyNumber);
  cdpn->nature_of_address = 3;  // national (significant) number
  cdpn->numbering_plan = 1;     // ISDN/telephony (E.164)
  cdpn->digits.assign(called);
  if (!calling.empty()) {
    Number cgpn;
    cgpn.nature_of_address = 3;
    cgpn.numbering_plan = 1;
    cgpn.screening = 3;  // network provided
    cgpn.digits.assign(calling);
    m.optional.push_back({ParamCode::CallingPartyNumber, cgpn});
  }
  return m;
}

const TerminatingRule* ExchangeSimulator::match(std::string_view digits) const {
  const TerminatingRule* best = nullptr;
  for (const auto& r : rules_)
    if (digits.substr(0, r.prefix.size()) == r.prefix && (!best || r.prefix.size() > best->prefix.size())) best = &r;
  return best;
}

namespace {

// Stable sort by time for a call's few steps: insertion sort, no temporary buffer
// (std::stable_sort allocates one).
template <class It>
void sortSteps(It first, It last) {
  for (It i = first; i != last; ++i) {
    for (It j = i; j != first && j->at < (j - 1)->at; --j) std::iter_swap(j, j - 1);
  }
}

}  // namespace

void ExchangeSimulator::onIncomingSetup(CallId id, const Message& iam, bool overlap) {
  ++counters_.incoming;
  const auto* cdpn = iam.get<Number>(ParamCode::CalledPartyNumber);
  const std::string_view digits = cdpn ? cdpn->digits.view() : std::string_view();
  SimCall& ref = newCall(id);
  ref.rule = match(digits);
  ref.digits = digits.size();
  if (!ref.rule) {
    ++counters_.unmatched;
    ++counters_.rel_sent;
    stack_->release(id, 1);  // unallocated number
    return;
  }
  if (overlap && ref.rule->overlap_digits > ref.digits) return;  // wait for SAMs
  startTerminating(ref);
}

void ExchangeSimulator::onSubsequentAddress(CallId id, const Message& sam) {
  ++counters_.sam_received;
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  SimCall& c = *it->second;
  if (const auto* sn = sam.get<Number>(ParamCode::SubsequentNumber)) c.digits += sn->digits.size();
  if (!c.started && c.rule && c.digits >= c.rule->overlap_digits) startTerminating(c);
}

void ExchangeSimulator::startTerminating(SimCall& c) {
  c.started = true;
  const TerminatingRule& r = *c.rule;
  const uint64_t now = timers_.nowMs();
  if (r.ring_after_ms >= 0) {
    c.steps.push_back({now + static_cast<uint64_t>(r.ring_after_ms), Act::Acm, 0, 0});
    for (const auto& [after, ev] : r.cpg)
      c.steps.push_back({now + static_cast<uint64_t>(r.ring_after_ms) + after, Act::Cpg, ev, 0});
  }
  if (r.answer_after_ms >= 0) c.steps.push_back({now + static_cast<uint64_t>(r.answer_after_ms), Act::Anm, 0, 0});
  if (r.release_after_ms >= 0)
    c.steps.push_back({now + static_cast<uint64_t>(r.release_after_ms), Act::Rel, r.release_cause, r.release_location});
  c.hold_ms = r.hold_ms;
  sortSteps(c.steps.begin(), c.steps.end());
  schedule(c);
}

void ExchangeSimulator::schedule(SimCall& c) {
  if (c.next >= c.steps.size()) return;
  const uint64_t now = timers_.nowMs();
  const uint64_t at = c.steps[c.next].at;
  const CallId id = c.id;
  c.timer.start(static_cast<uint32_t>(at > now ? at - now : 0), [this, id] { runStep(id); });
}

void ExchangeSimulator::runStep(CallId id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  SimCall& c = *it->second;
  if (c.next >= c.steps.size()) return;
  const Step s = c.steps[c.next++];
  const Variant v = stack_->config().variant;
  switch (s.act) {
    case Act::Acm: {
      Message acm = makeMessage(v, MessageType::ACM);
      auto* bci = acm.get<BackwardCallIndicators>(ParamCode::BackwardCallIndicators);
      bci->charge = 2;               // charge
      bci->called_partys_status = 1;  // subscriber free
      bci->isdn_user_part = 1;
      if (c.rule && c.rule->inband) {
        OptionalBackwardCallIndicators obci;
        obci.inband_information = 1;
        acm.optional.push_back({ParamCode::OptionalBackwardCallIndicators, obci});
      }
      if (stack_->sendAcm(id, std::move(acm))) {
        ++counters_.acm_sent;
        c.acm_sent = true;
      }
      break;
    }
    case Act::Cpg: {
      Message cpg = makeMessage(v, MessageType::CPG);
      cpg.get<EventInformation>(ParamCode::EventInformation)->event = s.arg;
      if (stack_->sendCpg(id, std::move(cpg))) ++counters_.cpg_sent;
      break;
    }
    case Act::Anm: {
      bool ok;
      if (c.acm_sent) {
        ok = stack_->sendAnm(id, makeMessage(v, MessageType::ANM));
        if (ok) ++counters_.anm_sent;
      } else {
        Message con = makeMessage(v, MessageType::CON);
        con.get<BackwardCallIndicators>(ParamCode::BackwardCallIndicators)->isdn_user_part = 1;
        ok = stack_->sendCon(id, std::move(con));
        if (ok) ++counters_.con_sent;
      }
      if (ok && c.hold_ms >= 0) {
        c.steps.insert(c.steps.begin() + static_cast<std::ptrdiff_t>(c.next),
                       Step{timers_.nowMs() + static_cast<uint64_t>(c.hold_ms), Act::Rel, 16, 0});
        sortSteps(c.steps.begin() + static_cast<std::ptrdiff_t>(c.next), c.steps.end());
      }
      break;
    }
    case Act::Rel:
      if (stack_->release(id, s.arg, s.arg2)) ++counters_.rel_sent;
      return;  // nothing after a release
    case Act::Sam: {
      Message sam = makeMessage(v, MessageType::SAM);
      const char d = static_cast<char>(s.arg);
      sam.get<Number>(ParamCode::SubsequentNumber)->digits.assign(std::string_view(&d, 1));
      if (stack_->sendSam(id, std::move(sam))) ++counters_.sam_sent;
      break;
    }
    case Act::Cot:
      if (stack_->sendCot(id, true)) ++counters_.cot_sent;
      break;
  }
  if (auto again = calls_.find(id); again != calls_.end()) schedule(*again->second);
}

void ExchangeSimulator::originate(OriginatingPlan plan) {
  plan_ = std::move(plan);
  placed_ = 0;
  placeNext();
}

void ExchangeSimulator::placeNext() {
  if (placed_ >= plan_.calls || plan_.numbers.empty()) return;
  if (held_) {
    ++counters_.outgoing_held;
    plan_timer_.start(plan_.interval_ms, [this] { placeNext(); });
    return;
  }
  const std::string& number = plan_.numbers[placed_ % plan_.numbers.size()];
  ++placed_;
  ++counters_.outgoing_attempts;
  const bool overlap = plan_.overlap_initial > 0 && plan_.overlap_initial < number.size();
  const std::string_view first = overlap ? std::string_view(number).substr(0, plan_.overlap_initial) : number;
  auto r = stack_->setup(plan_.group, makeIam(stack_->config().variant, first, plan_.calling, plan_.continuity));
  if (!r) {
    ++counters_.outgoing_rejected;
  } else {
    SimCall& ref = newCall(*r);
    ref.outgoing = true;
    ref.hold_ms = plan_.hold_ms;
    const uint64_t now = timers_.nowMs();
    if (plan_.continuity) ref.steps.push_back({now + plan_.cot_after_ms, Act::Cot, 0, 0});
    if (overlap)
      for (std::size_t i = plan_.overlap_initial; i < number.size(); ++i)
        ref.steps.push_back({now + plan_.sam_interval_ms * (i - plan_.overlap_initial + 1), Act::Sam,
                             static_cast<uint8_t>(number[i]), 0});
    sortSteps(ref.steps.begin(), ref.steps.end());
    schedule(ref);
  }
  if (placed_ < plan_.calls) plan_timer_.start(plan_.interval_ms, [this] { placeNext(); });
}

void ExchangeSimulator::onAddressComplete(CallId, const Message&) { ++counters_.acm_received; }
void ExchangeSimulator::onProgress(CallId, const Message&) { ++counters_.cpg_received; }

void ExchangeSimulator::onAnswer(CallId id, const Message&) {
  ++counters_.answered;
  auto it = calls_.find(id);
  if (it == calls_.end() || !it->second->outgoing) return;
  SimCall& c = *it->second;
  if (c.hold_ms < 0) return;
  // Drop pending SAM/COT steps; release after the hold time.
  c.steps.erase(c.steps.begin() + static_cast<std::ptrdiff_t>(c.next), c.steps.end());
  c.steps.push_back({timers_.nowMs() + static_cast<uint64_t>(c.hold_ms), Act::Rel, 16, 0});
  schedule(c);
}

void ExchangeSimulator::onRelease(CallId id, const ReleaseInfo& info) {
  ++counters_.released;
  ++counters_.release_cause[info.cause & 0x7F];
  if (info.origin == ReleaseOrigin::Remote) ++counters_.released_remote;
  if (info.origin == ReleaseOrigin::Local && info.cause == 16) ++counters_.completed_answered;
  spare_calls_.erase(calls_, id, [this](std::unique_ptr<SimCall>& p) {
    std::destroy_at(p.get());  // timer stopped, script freed
    std::construct_at(p.get(), timers_);
  });
}

ExchangeSimulator::SimCall& ExchangeSimulator::newCall(CallId id) {
  std::unique_ptr<SimCall>& p = spare_calls_.insert(calls_, id);
  if (!p) p = std::make_unique<SimCall>(timers_);
  p->id = id;
  return *p;
}

bool ExchangeSimulator::groupReset(uint32_t dpc, uint16_t first, uint8_t count) {
  ++counters_.maintenance_actions;
  return stack_->groupReset(dpc, first, count);
}
bool ExchangeSimulator::groupBlock(uint32_t dpc, uint16_t first, uint8_t count, bool hw, uint32_t mask) {
  ++counters_.maintenance_actions;
  return stack_->groupBlock(dpc, first, count, hw, mask);
}
bool ExchangeSimulator::groupUnblock(uint32_t dpc, uint16_t first, uint8_t count, bool hw, uint32_t mask) {
  ++counters_.maintenance_actions;
  return stack_->groupUnblock(dpc, first, count, hw, mask);
}
bool ExchangeSimulator::block(uint32_t dpc, uint16_t cic) {
  ++counters_.maintenance_actions;
  return stack_->block(dpc, cic);
}
bool ExchangeSimulator::unblock(uint32_t dpc, uint16_t cic) {
  ++counters_.maintenance_actions;
  return stack_->unblock(dpc, cic);
}
bool ExchangeSimulator::reset(uint32_t dpc, uint16_t cic) {
  ++counters_.maintenance_actions;
  return stack_->resetCircuit(dpc, cic);
}

}  // namespace siptgw::isup
