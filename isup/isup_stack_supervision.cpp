// Circuit supervision, ITU-T Q.764:
//   §2.9.3.1 reset circuit: RSC → RLC; T16 repeats, T17 (from the initial RSC) alerts and
//            keeps repeating; an RSC sent on T5 expiry runs T17 only (§2.9.6).
//   §2.9.3.2 group reset: GRS (2–32 circuits) → GRA whose status bits are the responder's
//            maintenance blocking; T22/T23.
//   §2.8.2.1 blocking: BLO/BLA, UBL/UBA; T12/T13, T14/T15. A blocked busy circuit keeps its
//            call; an outgoing call still awaiting its first backward message is released
//            and re-attempted elsewhere.
//   §2.8.2.2 group blocking: CGB/CGBA, CGU/CGUA, maintenance or hardware oriented, range and
//            status; the acknowledgement mirrors the status of the circuits acted upon;
//            hardware blocking releases the calls; T18/T19, T20/T21.
//   §2.9.4   unexpected BLA (circuit not locally blocked) → UBL; unexpected UBA (circuit
//            locally blocked) → BLO; acknowledgement status mismatch → alert.
//   §2.8.3   circuit group query: CQM → CQR with one circuit state indicator (Q.763 §3.14)
//            octet per circuit; T28.
//   §2.12    UCIC received: circuit marked unequipped at the remote end, alert; a call
//            awaiting its first backward message is re-attempted.
//   §2.9.3.1, §2.9.3.2, §2.8.2.3 an outgoing call that has had no backward message when its
//            circuit is reset (RSC, GRS) or hardware-blocked (CGB) is set up again on another
//            circuit (automatic repeat attempt), unseen by the user.
//   §2.1.8   CCR after a COT failure (T27), T36 while the re-check runs.
#include <algorithm>

#include "isup/isup_stack_internal.h"

namespace siptgw::isup {
namespace {
bool bit(const Bytes& status, unsigned k) {
  return k / 8 < status.size() && (status[k / 8] >> (k % 8)) & 1;
}
void setBit(Bytes& status, unsigned k) {
  if (status.size() <= k / 8) status.resize(k / 8 + 1, 0);
  status[k / 8] = static_cast<uint8_t>(status[k / 8] | (1u << (k % 8)));
}
}  // namespace

IsupStack::CircuitProc& IsupStack::proc(uint32_t ci) {
  auto& p = procs_[ci];
  if (!p) p = std::make_unique<CircuitProc>(timers_);
  return *p;
}

void IsupStack::dropProcIfIdle(uint32_t ci) {
  auto it = procs_.find(ci);
  if (it != procs_.end() && it->second->idle()) procs_.erase(it);
}

uint8_t IsupStack::stateIndicator(uint32_t ci) const {
  // Q.763 §3.14: BA maintenance blocking, DC call processing, FE hardware blocking.
  const Circuit& c = circuits_[ci];
  if (c.flags & kLocalUnequipped) return 0x03;  // DC=00, BA=11: unequipped
  if (c.flags & kAwaitingResetAck) return 0x00;  // transient
  const uint8_t dc = c.call == CircuitCall::Idle ? 3 : c.call == CircuitCall::IncomingBusy ? 1 : 2;
  const uint8_t ba = static_cast<uint8_t>(((c.blocking & kLocalMaint) ? 1 : 0) | ((c.blocking & kRemoteMaint) ? 2 : 0));
  const uint8_t fe = static_cast<uint8_t>(((c.blocking & kLocalHw) ? 1 : 0) | ((c.blocking & kRemoteHw) ? 2 : 0));
  return static_cast<uint8_t>(ba | (dc << 2) | (fe << 4));
}

// ---- reset ----

void IsupStack::resetCircuitState(uint32_t ci, ReleaseOrigin origin) {
  Circuit& cc = circuits_[ci];
  if (Call* c = callOnCircuit(ci)) {
    if (c->state == CallState::AwaitingRlc)
      endCall(*c, {c->rel_origin, c->rel_cause, c->rel_location, nullptr});
    else
      releaseLocally(*c, origin, 41);
  }
  cc.flags &= static_cast<uint8_t>(~kAwaitingCcr);
  if (auto it = procs_.find(ci); it != procs_.end()) {
    it->second->t27.stop();
    it->second->t36.stop();
    dropProcIfIdle(ci);
  }
}

void IsupStack::startReset(uint32_t ci, bool due_to_t5) {
  Circuit& cc = circuits_[ci];
  const uint32_t dpc = dpcOf(ci);
  ++defer_depth_;
  resetCircuitState(ci, ReleaseOrigin::Reset);
  --defer_depth_;
  cc.flags |= kAwaitingResetAck;
  sendSimple(dpc, cc.cic, MessageType::RSC);
  CircuitProc& p = proc(ci);
  if (!due_to_t5) p.t16.start(cfg_.timers.ms(IsupTimer::T16), [this, ci] { resetProcTimer(ci, IsupTimer::T16); });
  else p.t16.stop();
  p.t17.start(cfg_.timers.ms(IsupTimer::T17), [this, ci] { resetProcTimer(ci, IsupTimer::T17); });
  flushReleases();
}

void IsupStack::resetProcTimer(uint32_t ci, IsupTimer t) {
  const uint32_t dpc = dpcOf(ci);
  const uint16_t cic = circuits_[ci].cic;
  CircuitProc& p = proc(ci);
  sendSimple(dpc, cic, MessageType::RSC);
  if (t == IsupTimer::T16) {
    p.t16.start(cfg_.timers.ms(IsupTimer::T16), [this, ci] { resetProcTimer(ci, IsupTimer::T16); });
  } else {
    alert(MaintenanceAlert::ResetNotAcked, dpc, cic);
    p.t16.stop();
    p.t17.start(cfg_.timers.ms(IsupTimer::T17), [this, ci] { resetProcTimer(ci, IsupTimer::T17); });
  }
}

bool IsupStack::resetCircuit(uint32_t dpc, uint16_t cic) {
  const uint32_t ci = circuitIndex(dpc, cic);
  if (ci == kNone) return false;
  startReset(ci, false);
  return true;
}

void IsupStack::resetDestination(uint32_t dpc) {
  // Runs of consecutive CICs, at most 32 per GRS; a lone circuit gets an RSC.
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].dpc != dpc) continue;
    const auto& list = group_circuits_[g];
    std::size_t i = 0;
    while (i < list.size()) {
      std::size_t j = i + 1;
      while (j < list.size() && j - i < 32 && circuits_[list[j]].cic == circuits_[list[j - 1]].cic + 1) ++j;
      if (j - i == 1)
        startReset(list[i], false);
      else
        startGroupProc(dpc, MessageType::GRS, circuits_[list[i]].cic, static_cast<uint8_t>(j - i), false, 0);
      i = j;
    }
  }
}

// ---- blocking ----

bool IsupStack::block(uint32_t dpc, uint16_t cic) {
  const uint32_t ci = circuitIndex(dpc, cic);
  if (ci == kNone) return false;
  circuits_[ci].blocking |= kLocalMaint;
  CircuitProc& p = proc(ci);
  p.t14.stop();
  p.t15.stop();
  sendSimple(dpc, cic, MessageType::BLO);
  p.t12.start(cfg_.timers.ms(IsupTimer::T12), [this, ci] { blockingProcTimer(ci, IsupTimer::T12); });
  p.t13.start(cfg_.timers.ms(IsupTimer::T13), [this, ci] { blockingProcTimer(ci, IsupTimer::T13); });
  return true;
}

bool IsupStack::unblock(uint32_t dpc, uint16_t cic) {
  const uint32_t ci = circuitIndex(dpc, cic);
  if (ci == kNone) return false;
  circuits_[ci].blocking &= static_cast<uint8_t>(~kLocalMaint);
  CircuitProc& p = proc(ci);
  p.t12.stop();
  p.t13.stop();
  sendSimple(dpc, cic, MessageType::UBL);
  p.t14.start(cfg_.timers.ms(IsupTimer::T14), [this, ci] { blockingProcTimer(ci, IsupTimer::T14); });
  p.t15.start(cfg_.timers.ms(IsupTimer::T15), [this, ci] { blockingProcTimer(ci, IsupTimer::T15); });
  return true;
}

void IsupStack::blockingProcTimer(uint32_t ci, IsupTimer t) {
  const uint32_t dpc = dpcOf(ci);
  const uint16_t cic = circuits_[ci].cic;
  CircuitProc& p = proc(ci);
  const bool blo = t == IsupTimer::T12 || t == IsupTimer::T13;
  sendSimple(dpc, cic, blo ? MessageType::BLO : MessageType::UBL);
  Timer& fast = blo ? p.t12 : p.t14;
  Timer& slow = blo ? p.t13 : p.t15;
  if (t == IsupTimer::T12 || t == IsupTimer::T14) {
    fast.start(cfg_.timers.ms(t), [this, ci, t] { blockingProcTimer(ci, t); });
  } else {
    alert(blo ? MaintenanceAlert::BlockingNotAcked : MaintenanceAlert::UnblockingNotAcked, dpc, cic);
    fast.stop();
    slow.start(cfg_.timers.ms(t), [this, ci, t] { blockingProcTimer(ci, t); });
  }
}

void IsupStack::continuityRecheckExpired(uint32_t ci, IsupTimer t) {
  // T27 (no CCR after a COT failure) and T36 (re-check not concluded): reset (§2.1.8).
  (void)t;
  circuits_[ci].flags &= static_cast<uint8_t>(~kAwaitingCcr);
  alert(MaintenanceAlert::ContinuityRecheckFailed, dpcOf(ci), circuits_[ci].cic);
  startReset(ci, false);
}

void IsupStack::onSupervisionMessage(uint32_t dpc, uint32_t ci, const Message& m) {
  Circuit& cc = circuits_[ci];
  const uint16_t cic = cc.cic;
  switch (m.type) {
    case MessageType::RSC: {
      // §2.9.3.1: release whatever is on the circuit, clear the peer's maintenance
      // blocking, answer RLC; if we keep it blocked, say so again with BLO. A call still
      // awaiting its first backward message is repeated elsewhere.
      Call* again = takeRepeatable(ci);
      ++defer_depth_;
      resetCircuitState(ci, ReleaseOrigin::Reset);
      --defer_depth_;
      cc.blocking &= static_cast<uint8_t>(~kRemoteMaint);
      sendSimple(dpc, cic, MessageType::RLC);
      if (cc.blocking & kLocalMaint) sendSimple(dpc, cic, MessageType::BLO);
      if (again) repeatAttempt(*again, /*release_old=*/false);
      flushReleases();
      return;
    }
    case MessageType::BLO: {
      cc.blocking |= kRemoteMaint;
      sendSimple(dpc, cic, MessageType::BLA);
      if (Call* c = callOnCircuit(ci); c && c->outgoing && c->state == CallState::AwaitingAcm)
        repeatAttempt(*c, /*release_old=*/true);  // §2.8.2.1
      return;
    }
    case MessageType::BLA: {
      auto it = procs_.find(ci);
      if (it != procs_.end() && (it->second->t12.running() || it->second->t13.running())) {
        it->second->t12.stop();
        it->second->t13.stop();
        dropProcIfIdle(ci);
      } else if (!(cc.blocking & kLocalMaint)) {
        ++counters_.unexpected;
        sendSimple(dpc, cic, MessageType::UBL);  // §2.9.4
      }
      return;
    }
    case MessageType::UBL:
      cc.blocking &= static_cast<uint8_t>(~kRemoteMaint);
      sendSimple(dpc, cic, MessageType::UBA);
      return;
    case MessageType::UBA: {
      auto it = procs_.find(ci);
      if (it != procs_.end() && (it->second->t14.running() || it->second->t15.running())) {
        it->second->t14.stop();
        it->second->t15.stop();
        dropProcIfIdle(ci);
      } else if (cc.blocking & kLocalMaint) {
        ++counters_.unexpected;
        sendSimple(dpc, cic, MessageType::BLO);  // §2.9.4
      }
      return;
    }
    case MessageType::UCIC: {
      const bool first = !(cc.flags & kRemoteUnequipped);
      cc.flags |= kRemoteUnequipped;
      if (first) alert(MaintenanceAlert::RemoteUnequipped, dpc, cic);
      if (Call* c = callOnCircuit(ci)) {
        if (c->outgoing && c->state == CallState::AwaitingAcm)
          repeatAttempt(*c, /*release_old=*/false);
        else
          releaseLocally(*c, ReleaseOrigin::Abnormal, 47);
      }
      return;
    }
    case MessageType::CCR: {
      if (cc.flags & kAwaitingCcr) {
        CircuitProc& p = proc(ci);
        p.t27.stop();
        p.t36.start(cfg_.timers.ms(IsupTimer::T36), [this, ci] { continuityRecheckExpired(ci, IsupTimer::T36); });
      } else {
        ++counters_.unexpected;
      }
      return;
    }
    default:
      return;
  }
}

// ---- group procedures ----

bool IsupStack::startGroupProc(uint32_t dpc, MessageType t, uint16_t first, uint8_t count, bool hardware, uint32_t mask) {
  const bool query = t == MessageType::CQM;
  if (count == 0 || count > 32 || (!query && count < 2)) return false;
  const uint8_t range = static_cast<uint8_t>(count - 1);
  auto gp = std::make_unique<GroupProc>(timers_);
  gp->id = ++next_group_proc_;
  gp->dpc = dpc;
  gp->type = t;
  gp->first = first;
  gp->range = range;
  gp->hardware = hardware;
  ++defer_depth_;
  for (unsigned k = 0; k < count; ++k) {
    const bool selected = mask == 0 || ((mask >> k) & 1);
    const uint32_t ci = circuitIndex(dpc, static_cast<uint16_t>(first + k));
    if (t == MessageType::CGB || t == MessageType::CGU) {
      if (!selected) continue;
      setBit(gp->status, k);
      if (ci == kNone) continue;
      const uint8_t b = hardware ? kLocalHw : kLocalMaint;
      if (t == MessageType::CGB) {
        circuits_[ci].blocking |= b;
        if (hardware)
          if (Call* c = callOnCircuit(ci)) releaseLocally(*c, ReleaseOrigin::Blocked, 41);
      } else {
        circuits_[ci].blocking &= static_cast<uint8_t>(~b);
      }
    } else if (t == MessageType::GRS && ci != kNone) {
      resetCircuitState(ci, ReleaseOrigin::Reset);
      circuits_[ci].flags |= kAwaitingResetAck;
    }
  }
  if (t == MessageType::CGB || t == MessageType::CGU) {
    // Status holds range + 1 bits (Q.763 §3.43).
    gp->status.resize(range / 8u + 1u, 0);
  }
  --defer_depth_;
  const uint32_t id = gp->id;
  GroupProc& p = *gp;
  group_procs_.emplace(id, std::move(gp));
  groupProcTimer(id, IsupTimer::T1);  // sends and arms the timers (T1 = "first send")
  (void)p;
  flushReleases();
  return true;
}

void IsupStack::groupProcTimer(uint32_t id, IsupTimer t) {
  auto it = group_procs_.find(id);
  if (it == group_procs_.end()) return;
  GroupProc& p = *it->second;
  IsupTimer fast, slow;
  MaintenanceAlert a;
  switch (p.type) {
    case MessageType::GRS: fast = IsupTimer::T22; slow = IsupTimer::T23; a = MaintenanceAlert::ResetNotAcked; break;
    case MessageType::CGB: fast = IsupTimer::T18; slow = IsupTimer::T19; a = MaintenanceAlert::BlockingNotAcked; break;
    case MessageType::CGU: fast = IsupTimer::T20; slow = IsupTimer::T21; a = MaintenanceAlert::UnblockingNotAcked; break;
    default: fast = IsupTimer::T28; slow = IsupTimer::T28; a = MaintenanceAlert::QueryNotAnswered; break;
  }
  if (p.type == MessageType::CQM && t == IsupTimer::T28) {
    // §2.8.3: no CQR: alert maintenance, no repetition.
    const uint32_t dpc = p.dpc;
    const uint16_t first = p.first;
    group_procs_.erase(it);
    alert(a, dpc, first);
    return;
  }
  Message m = makeMessage(cfg_.variant, p.type, p.first);
  if (auto* rs = m.get<RangeAndStatus>(ParamCode::RangeAndStatus)) {
    rs->range = p.range;
    rs->status = p.status;
  }
  if (auto* g = m.get<CircuitGroupSupervisionMessageType>(ParamCode::CircuitGroupSupervisionMessageType))
    g->type = p.hardware ? 1 : 0;
  send(p.dpc, m);
  if (t == IsupTimer::T1) {  // initial send
    p.fast.start(cfg_.timers.ms(fast), [this, id, fast] { groupProcTimer(id, fast); });
    if (p.type != MessageType::CQM)
      p.slow.start(cfg_.timers.ms(slow), [this, id, slow] { groupProcTimer(id, slow); });
  } else if (t == fast) {
    p.fast.start(cfg_.timers.ms(fast), [this, id, fast] { groupProcTimer(id, fast); });
  } else {
    p.fast.stop();
    p.slow.start(cfg_.timers.ms(slow), [this, id, slow] { groupProcTimer(id, slow); });
    alert(a, p.dpc, p.first);
  }
}

bool IsupStack::groupReset(uint32_t dpc, uint16_t first, uint8_t count) {
  if (circuitIndex(dpc, first) == kNone) return false;
  return startGroupProc(dpc, MessageType::GRS, first, count, false, 0);
}
bool IsupStack::groupBlock(uint32_t dpc, uint16_t first, uint8_t count, bool hw, uint32_t mask) {
  if (circuitIndex(dpc, first) == kNone) return false;
  return startGroupProc(dpc, MessageType::CGB, first, count, hw, mask);
}
bool IsupStack::groupUnblock(uint32_t dpc, uint16_t first, uint8_t count, bool hw, uint32_t mask) {
  if (circuitIndex(dpc, first) == kNone) return false;
  return startGroupProc(dpc, MessageType::CGU, first, count, hw, mask);
}
bool IsupStack::query(uint32_t dpc, uint16_t first, uint8_t count) {
  if (circuitIndex(dpc, first) == kNone) return false;
  return startGroupProc(dpc, MessageType::CQM, first, count, false, 0);
}

void IsupStack::onGroupMessage(uint32_t dpc, const Message& m) {
  const auto* rs = m.get<RangeAndStatus>(ParamCode::RangeAndStatus);
  if (!rs) return;
  const uint8_t range = rs->range;
  const uint16_t first = m.cic;
  const bool zero_ok = m.type == MessageType::CQM || m.type == MessageType::CQR;
  if (range > 31 || (range == 0 && !zero_ok)) {
    ++counters_.unexpected;  // §2.9.3.2 / §2.8.2.2: a range out of bounds is discarded
    return;
  }
  const unsigned count = range + 1u;
  const auto* cgsmt = m.get<CircuitGroupSupervisionMessageType>(ParamCode::CircuitGroupSupervisionMessageType);
  const bool hw = cgsmt && cgsmt->type == 1;
  auto findProc = [&](MessageType t) -> GroupProc* {
    for (auto& [id, p] : group_procs_)
      if (p->dpc == dpc && p->type == t && p->first == first && p->range == range &&
          (t == MessageType::GRS || t == MessageType::CQM || p->hardware == hw))
        return p.get();
    return nullptr;
  };
  switch (m.type) {
    case MessageType::GRS: {
      Message gra = makeMessage(cfg_.variant, MessageType::GRA, first);
      Bytes status(range / 8u + 1u, 0);
      std::vector<Call*> again;  // repeated once the whole range is reset (§2.9.3.2)
      ++defer_depth_;
      for (unsigned k = 0; k < count; ++k) {
        const uint32_t ci = circuitIndex(dpc, static_cast<uint16_t>(first + k));
        if (ci == kNone) continue;
        if (Call* c = takeRepeatable(ci)) again.push_back(c);
        resetCircuitState(ci, ReleaseOrigin::Reset);
        circuits_[ci].blocking &= static_cast<uint8_t>(~kRemoteMaint);
        if (circuits_[ci].blocking & kLocalMaint) setBit(status, k);
      }
      --defer_depth_;
      auto* out = gra.get<RangeAndStatus>(ParamCode::RangeAndStatus);
      out->range = range;
      out->status = status;
      send(dpc, gra);
      for (Call* c : again) repeatAttempt(*c, /*release_old=*/false);
      flushReleases();
      return;
    }
    case MessageType::GRA: {
      GroupProc* p = findProc(MessageType::GRS);
      if (!p) {
        ++counters_.unexpected;
        return;
      }
      for (unsigned k = 0; k < count; ++k) {
        const uint32_t ci = circuitIndex(dpc, static_cast<uint16_t>(first + k));
        if (ci == kNone) continue;
        Circuit& cc = circuits_[ci];
        cc.flags &= static_cast<uint8_t>(~kAwaitingResetAck);
        if (auto pit = procs_.find(ci); pit != procs_.end()) {  // an RSC of ours is answered too
          pit->second->t16.stop();
          pit->second->t17.stop();
          dropProcIfIdle(ci);
        }
        if (bit(rs->status, k))
          cc.blocking |= kRemoteMaint;
        else
          cc.blocking &= static_cast<uint8_t>(~kRemoteMaint);
      }
      group_procs_.erase(p->id);
      return;
    }
    case MessageType::CGB:
    case MessageType::CGU: {
      const bool blocking = m.type == MessageType::CGB;
      Message ack = makeMessage(cfg_.variant, blocking ? MessageType::CGBA : MessageType::CGUA, first);
      Bytes status(range / 8u + 1u, 0);
      const uint8_t b = hw ? kRemoteHw : kRemoteMaint;
      std::vector<Call*> again;  // hardware blocking: repeated after the acknowledgement
      ++defer_depth_;
      for (unsigned k = 0; k < count; ++k) {
        if (!bit(rs->status, k)) continue;
        const uint32_t ci = circuitIndex(dpc, static_cast<uint16_t>(first + k));
        if (ci == kNone) continue;
        setBit(status, k);
        if (blocking) {
          circuits_[ci].blocking |= b;
          if (Call* r = hw ? takeRepeatable(ci) : nullptr) {
            again.push_back(r);  // §2.8.2.3: no REL on a circuit blocked for hardware failure
          } else if (Call* c = callOnCircuit(ci)) {
            if (hw) releaseLocally(*c, ReleaseOrigin::Blocked, 41);
            else if (c->outgoing && c->state == CallState::AwaitingAcm) repeatAttempt(*c, true);
          }
        } else {
          circuits_[ci].blocking &= static_cast<uint8_t>(~b);
        }
      }
      --defer_depth_;
      ack.get<CircuitGroupSupervisionMessageType>(ParamCode::CircuitGroupSupervisionMessageType)->type = hw ? 1 : 0;
      auto* out = ack.get<RangeAndStatus>(ParamCode::RangeAndStatus);
      out->range = range;
      out->status = status;
      send(dpc, ack);
      for (Call* c : again) repeatAttempt(*c, /*release_old=*/false);
      flushReleases();
      return;
    }
    case MessageType::CGBA:
    case MessageType::CGUA: {
      GroupProc* p = findProc(m.type == MessageType::CGBA ? MessageType::CGB : MessageType::CGU);
      if (!p) {
        ++counters_.unexpected;
        return;
      }
      bool mismatch = false;
      for (unsigned k = 0; k < count; ++k)
        if (bit(p->status, k) != bit(rs->status, k)) mismatch = true;
      group_procs_.erase(p->id);
      if (mismatch) alert(MaintenanceAlert::GroupAckMismatch, dpc, first);
      return;
    }
    case MessageType::CQM: {
      Message cqr = makeMessage(cfg_.variant, MessageType::CQR, first);
      cqr.get<RangeAndStatus>(ParamCode::RangeAndStatus)->range = range;
      Bytes states;
      for (unsigned k = 0; k < count; ++k) {
        const uint32_t ci = circuitIndex(dpc, static_cast<uint16_t>(first + k));
        states.push_back(ci == kNone ? uint8_t{0x03} : stateIndicator(ci));
      }
      cqr.set(ParamCode::CircuitStateIndicator, CircuitStateIndicator{states});
      send(dpc, cqr);
      return;
    }
    case MessageType::CQR: {
      GroupProc* p = findProc(MessageType::CQM);
      if (!p) {
        ++counters_.unexpected;
        return;
      }
      group_procs_.erase(p->id);
      CircuitQueryResult r;
      r.dpc = dpc;
      r.first_cic = first;
      if (const auto* csi = m.get<CircuitStateIndicator>(ParamCode::CircuitStateIndicator))
        r.states.assign(csi->data.begin(), csi->data.end());
      if (user_) user_->onCircuitQuery(r);
      return;
    }
    default:
      return;
  }
}

}  // namespace siptgw::isup
